"""A card's pictures and sounds (`[image: map.png]`), found beside its deck and opened."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quiz.deck.model import Item

# What an imported card keeps of a picture or a sound (quiz.interchange.anki_media writes it).
REFERENCE = re.compile(r"\[(?:image|sound): ([^\]\n]+)\]")
# Only files that are pictures, sounds or videos are handed to the opener: a package from a
# stranger could name a .desktop file or a script, which an opener would run.
OPENABLE = frozenset(
    (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".tif", ".tiff", ".avif",
     ".heic", ".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".m4a", ".aac", ".mp4",
     ".webm", ".mkv", ".mov")
)  # fmt: skip


def media_folder(deck_path: str | Path) -> Path:
    """Where a deck's media are: `deck-media/` beside `deck.yaml`."""
    path = Path(deck_path)
    return path.parent / f"{path.stem}-media"


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for entry in value:
            yield from _texts(entry)
    elif isinstance(value, dict):
        for entry in value.values():
            yield from _texts(entry)


def media_names(item: Item, answered: bool) -> list[str]:
    """The media an item names: on its question side, or anywhere on the card once answered."""
    # Before the answer, a sound on the back would give it away.
    texts = _texts(item.card.to_dict()) if answered else iter([item.question()])
    return list(dict.fromkeys(m.group(1).strip() for t in texts for m in REFERENCE.finditer(t)))


@dataclass(frozen=True)
class Opened:
    """What opening a card's media did: a line to show, and whether anything was opened."""

    ok: bool
    message: str


def opener(platform: str = sys.platform) -> str:
    """The name of the program that opens a file as its desktop would (macOS's, the others')."""
    return "open" if platform == "darwin" else "xdg-open"


def _launch(command: list[str]) -> None:
    # Detached, and silent: the opener's messages would draw over the study screen.
    subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def open_media(
    names: Sequence[str], deck_path: str | Path | None, platform: str | None = None
) -> Opened:
    """Open each named file of the deck's media folder with the platform's opener."""
    platform = platform or sys.platform
    if not names:
        return Opened(False, "This card has no picture or sound")
    if deck_path is None:
        return Opened(False, "This deck has no folder for media")
    folder = media_folder(deck_path)
    opened: list[str] = []
    problems: list[str] = []
    for name in names:
        path = folder / name
        if name != Path(name).name or name.startswith("."):
            problems.append(f"{name}: not a plain file name")
        elif path.suffix.lower() not in OPENABLE:
            problems.append(f"{name}: not a picture or a sound")
        elif not path.is_file():
            problems.append(f"{name} is not in {folder}")
        elif platform == "win32":
            try:
                getattr(os, "startfile")(str(path))  # noqa: B009 - Windows only
            except OSError as exc:
                problems.append(f"{name}: {exc.strerror or exc}")
            else:
                opened.append(name)
        elif (program := shutil.which(opener(platform))) is None:
            return Opened(False, f"Nothing here opens media: {opener(platform)} was not found")
        else:
            try:
                _launch([program, str(path)])
            except OSError as exc:
                problems.append(f"{name}: {exc.strerror or exc}")
            else:
                opened.append(name)
    message = "; ".join([*([f"Opening {', '.join(opened)}"] if opened else []), *problems])
    return Opened(bool(opened), message)

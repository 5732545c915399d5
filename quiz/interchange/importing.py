"""`quiz import`: a file into new YAML decks (one per Anki deck), or merged into existing ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quiz.deck.loader import parse_deck
from quiz.deck.model import Deck
from quiz.deck.text import slugify
from quiz.interchange import IMPORT_FORMATS, InterchangeError
from quiz.interchange.convert import format_of, read_import, write_atomically
from quiz.interchange.deck_update import Merge, merge_deck
from quiz.interchange.deck_yaml import ImportedDeck, deck_yaml

_DECK_SUFFIXES = (".yaml", ".yml")


@dataclass
class DeckFile:
    """One deck file an import writes or updates: where, with which id, from which cards."""

    path: Path
    deck_id: str
    imported: ImportedDeck
    text: str = ""
    deck: Deck | None = None
    merge: Merge | None = None  # with --update, when the file was there
    notes: list[str] = field(default_factory=list)  # what this file's media did

    @property
    def title(self) -> str:
        return self.deck.title if self.deck is not None else self.imported.title


@dataclass
class ImportResult:
    """What an import wrote, and what it left out or changed on the way (said once)."""

    files: list[DeckFile]
    skipped: list[str]
    notes: list[str]

    @property
    def cards(self) -> int:
        return sum(len(f.deck.cards) for f in self.files if f.deck is not None)


def is_folder(output: Path) -> bool:
    """True when `-o` names a folder (one deck file per Anki deck) rather than a deck file."""
    if output.exists():
        return output.is_dir()
    return output.suffix.lower() not in _DECK_SUFFIXES


def _groups(imported: ImportedDeck, one_deck: bool) -> list[tuple[str, ImportedDeck]]:
    """The decks to write: each Anki deck with its path's slug, or the whole file as one."""
    from quiz.interchange.anki import AnkiImport
    from quiz.interchange.anki_decks import deck_slug, split_decks
    from quiz.interchange.anki_decks import one_deck as merged

    if not isinstance(imported, AnkiImport):
        return [("", imported)]
    if one_deck:
        return [("", merged(imported))]
    return [(deck_slug(g.deck_paths[0]), g) for g in split_decks(imported)]


def _targets(
    groups: list[tuple[str, ImportedDeck]],
    output: Path,
    deck_id: str | None,
    update: bool,
) -> list[DeckFile]:
    """Each deck's file and id: `output` itself for one deck, `output/<slug>.yaml` in a folder."""
    if not is_folder(output):
        if len(groups) > 1:
            names = ", ".join(g.title for _, g in groups[:3]) + (", ..." if len(groups) > 3 else "")
            raise InterchangeError(
                f"the package holds {len(groups)} Anki decks ({names}): give a folder as "
                f"{'--update' if update else '-o'} (one deck file each), or --one-deck"
            )
        ((_, imported),) = groups
        return [DeckFile(output, deck_id or slugify(output.stem) or "imported", imported)]
    if deck_id is not None and len(groups) > 1:
        raise InterchangeError(
            f"--deck-id names one deck; the package holds {len(groups)}, each named after its "
            "Anki deck"
        )
    files = []
    taken: set[str] = set()
    for slug, imported in groups:
        base = deck_id or slug or slugify(imported.title) or "imported"
        made, n = base, 1
        while made in taken:
            n += 1
            made = f"{base}-{n}"
        taken.add(made)
        files.append(DeckFile(output / f"{made}.yaml", made, imported))
    return files


def import_decks(
    source: Path,
    output: Path,
    fmt: str | None,
    deck_id: str | None = None,
    *,
    history: bool = True,
    strict: bool = False,
    one_deck: bool = False,
    update: bool = False,
    before_write: Callable[[list[DeckFile]], None] | None = None,
) -> ImportResult:
    """Import a file into new deck files, or (`update`) merge it into the ones there."""
    fmt = format_of(source, fmt, IMPORT_FORMATS)
    if update and not output.exists():
        raise InterchangeError(f"{output} does not exist: --update merges into a deck file there")
    if not update and output.exists() and not output.is_dir():
        raise InterchangeError(f"{output} already exists; give another --output (or --update)")
    imported = read_import(source, fmt, history=history, strict=strict)
    files = _targets(_groups(imported, one_deck), output, deck_id, update)
    for file in files:
        _prepare(file, source.name, update)
    if before_write is not None:
        before_write(files)
    made = is_folder(output) and not output.exists()
    if made:
        if not output.parent.is_dir():
            raise InterchangeError(f"no such folder: {output.parent}")
        output.mkdir()
    written: list[Path] = []
    try:
        for file in files:
            _write(file)
            written.append(file.path)
    except BaseException:
        # All of the import or none of it: the new files written so far go again.
        for path in written:
            if not any(f.path == path and f.merge for f in files):
                path.unlink(missing_ok=True)
        if made and not any(output.iterdir()):
            output.rmdir()
        raise
    if fmt == "apkg":
        for file in files:
            file.notes = _unpack_media(source, file, update)
    notes = list(imported.notes)
    if update and output.is_dir():
        others = sorted(set(output.glob("*.yaml")) - {f.path for f in files})
        if others:
            notes.append(
                f"{len(others)} deck file(s) in {output} have no deck in the new version "
                f"and were left as they are: {', '.join(p.name for p in others[:5])}"
                + (", ..." if len(others) > 5 else "")
            )
    return ImportResult(files, imported.skipped, notes)


def _prepare(file: DeckFile, origin: str, update: bool) -> None:
    """The file's new text, checked as the loader reads it, before anything is written."""
    if update and file.path.exists():
        try:
            text = file.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InterchangeError(f"cannot read {file.path}: {exc}") from exc
        file.merge = merge_deck(text, str(file.path), file.imported, origin)
        file.text, file.deck = file.merge.text, file.merge.deck
        file.deck_id = file.deck.id
        return
    if file.path.exists():
        raise InterchangeError(f"{file.path} already exists; give another --output (or --update)")
    file.text = deck_yaml(file.deck_id, file.imported, origin)
    file.deck, problems = parse_deck(file.text, str(file.path))
    if file.deck is None:  # pragma: no cover - the writer keeps the loader's rules; a guard
        raise InterchangeError(f"the imported deck would not load: {problems[0].message}")


def _write(file: DeckFile) -> None:
    def write(temp: Path) -> None:
        temp.write_text(file.text, encoding="utf-8")
        if file.merge is None and file.path.exists():
            raise InterchangeError(f"{file.path} already exists; give another --output")

    write_atomically(file.path, write)


def _unpack_media(source: Path, file: DeckFile, update: bool) -> list[str]:
    """Unpack the media the deck's cards name into a folder beside it; what was said."""
    from quiz.interchange.anki_media import extract_media, referenced

    cards = file.imported.cards
    texts = [str(v) for card in cards for v in card.values() if isinstance(v, str)]
    wanted = referenced(texts)
    if not wanted:
        return []
    folder = file.path.parent / f"{file.path.stem}-media"
    written, notes = extract_media(source, wanted, folder, keep_existing=update)
    if written:
        notes.insert(0, f"{len(written)} media file(s) unpacked into {folder}")
    return notes

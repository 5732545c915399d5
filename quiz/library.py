"""The decks available to study: bundled ones and those named on the command line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from quiz.deck.files import (
    deck_files,
    decode_deck,
    exam_given,
    file_hash,
    id_place,
    is_exam_file,
    read_deck_bytes,
)
from quiz.deck.model import Deck
from quiz.deck.problems import Problem, Severity
from quiz.store.database import Store


def bundled_decks_dir() -> Path:
    """Where the decks shipped with quiz are: in the package when installed, else the repo."""
    installed = Path(__file__).parent / "decks"
    return installed if installed.is_dir() else Path(__file__).parent.parent / "decks"


@dataclass
class Library:
    """Decks loaded and synced into the store, and the problems of those that failed."""

    decks: list[Deck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)

    def get(self, deck_id: str) -> Deck | None:
        """The loaded deck with this id."""
        return next((d for d in self.decks if d.id == deck_id), None)


def resolve(names: list[str]) -> tuple[list[Path], list[Problem]]:
    """Deck files for arguments that are bundled deck ids, YAML files or folders."""
    bundled = bundled_decks_dir()
    paths: list[Path] = []
    problems: list[Problem] = []
    for name in names:
        path = Path(name)
        if path.is_file() and is_exam_file(path):
            # An exam is sat with `quiz exam`, not studied: say so, not what a deck lacks.
            problems.append(exam_given(path))
            continue
        if path.exists():
            paths.extend(deck_files(path))
            continue
        candidates = [bundled / f"{name}.yaml", bundled / f"{name}.yml"]
        found = next((c for c in candidates if c.exists()), None)
        if found:
            paths.append(found)
        else:
            ids = sorted(p.stem for p in deck_files(bundled) if p.is_file())
            close = difflib.get_close_matches(name, ids, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = f"no such deck file, folder or bundled deck id '{name}'{hint}"
            # A name that is no file has no place in one: the problem is the name itself.
            problems.append(Problem("", 0, 0, Severity.ERROR, message))
    return paths, problems


@dataclass(frozen=True)
class _Loaded:
    deck: Deck | None
    problems: list[Problem]
    key: str = ""
    digest: str = ""
    cached: bool = False


def _load(store: Store, path: Path) -> _Loaded:
    """Read a deck file, from the store when unchanged since its last sync; nothing is written."""
    data, problems = read_deck_bytes(path)
    if data is None:
        return _Loaded(None, problems)
    key = str(path.resolve())
    digest = file_hash(data)
    cached = store.cached_deck(key, digest)
    if cached is not None:
        return _Loaded(cached, [], key, digest, cached=True)
    text, problems = decode_deck(data, str(path))
    if text is None:
        return _Loaded(None, problems)
    # The YAML parser is imported only when a deck changed: unchanged decks never need it.
    from quiz.deck.loader import parse_deck

    deck, problems = parse_deck(text, str(path))
    return _Loaded(deck, problems, key, digest)


def _sync(store: Store, path: Path, loaded: _Loaded, now: datetime) -> list[Problem]:
    deck = loaded.deck
    if deck is None or loaded.cached:
        return loaded.problems
    problems = loaded.problems
    previous = store.deck_path(deck.id)
    if previous is not None and previous != loaded.key and Path(previous).exists():
        # Refusing would lock a learner out of their decks after a reinstall or in a second
        # checkout; the id keeps its progress either way, and missing cards are only archived.
        message = f"deck id '{deck.id}' was last loaded from {previous}; using this file now"
        line, column = id_place(path)
        problems = [
            *problems,
            Problem(str(path), line, column, Severity.WARNING, message, "deck-moved"),
        ]
    store.sync_deck(deck, loaded.key, loaded.digest, now)
    return problems


def open_deck(store: Store, path: Path, now: datetime) -> tuple[Deck | None, list[Problem]]:
    """Load a deck file, from the store when unchanged, and sync it into the store."""
    loaded = _load(store, path)
    return loaded.deck, _sync(store, path, loaded, now)


@dataclass(frozen=True)
class Reload:
    """The outcome of reloading one changed deck file: a deck, or the problems that kept it out."""

    path: Path
    deck: Deck | None
    problems: list[Problem]


class DeckReloader:
    """Reloads deck files that changed on disk; an invalid edit leaves the last good deck."""

    def __init__(self, store: Store, paths: list[Path]) -> None:
        self.store = store
        self._stamps = {path: _stamp(path) for path in paths}

    def poll(self, now: datetime) -> list[Reload]:
        """Reload every file whose size or modification time moved since the last poll."""
        out = []
        for path, before in self._stamps.items():
            stamp = _stamp(path)
            if stamp == before:
                continue
            self._stamps[path] = stamp
            deck, problems = open_deck(self.store, path, now)
            out.append(Reload(path, deck, problems))
        return out


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def load_library(store: Store, paths: list[Path], now: datetime) -> Library:
    """Open every deck file; a broken one is reported and left out, the rest still load."""
    library = Library(paths=list(paths))
    for path in paths:
        loaded = _load(store, path)
        deck = loaded.deck
        twin = library.get(deck.id) if deck is not None else None
        if deck is not None and twin is not None:
            # Two files of one run claim an id: the first keeps it, the store stays as it was.
            message = f"deck id '{deck.id}' is already used by {twin.path}"
            line, column = id_place(path)
            library.problems.append(
                Problem(str(path), line, column, Severity.ERROR, message, "duplicate-deck-id")
            )
            continue
        library.problems.extend(_sync(store, path, loaded, now))
        if deck is not None:
            library.decks.append(deck)
    return library

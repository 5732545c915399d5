"""Which decks an exam draws from: those given, then the decks beside it, then the bundled ones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from quiz.deck.files import is_exam_file
from quiz.deck.model import Deck


def nearby_deck_paths(exam_path: Path) -> list[Path]:
    """Deck files in the exam's folder and the folder above it (decks/exams/ sits in decks/)."""
    from quiz.library import bundled_decks_dir

    folders = [exam_path.parent, exam_path.parent.parent, bundled_decks_dir()]
    seen: set[Path] = set()
    out = []
    for folder in folders:
        for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
            key = path.resolve()
            if key in seen or is_exam_file(path) or path.suffix not in (".yaml", ".yml"):
                continue
            seen.add(key)
            out.append(path)
    return out


def decks_near(exam_path: Path, decks: Sequence[Deck]) -> list[Deck]:
    """`decks`, then any deck beside the exam (or bundled) with an id not among them."""
    from quiz.deck.loader import check_deck

    out = list(decks)
    ids = {d.id for d in out}
    given = {Path(d.path).resolve() for d in out if d.path}
    for path in nearby_deck_paths(exam_path):
        if path.resolve() in given:
            continue
        deck, _ = check_deck(path)
        if deck is not None and deck.id not in ids:
            ids.add(deck.id)
            out.append(deck)
    return out

"""Import a file into a new YAML deck, or export a deck: whole files written or nothing."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import assert_never

from quiz.deck.model import (
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.interchange import EXPORT_FORMATS, InterchangeError
from quiz.interchange.deck_yaml import ImportedDeck

_SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".apkg": "apkg",
    ".colpkg": "apkg",
    ".gift": "gift",
    ".xml": "moodle",
}


@dataclass
class Report:
    """What an import or export did: cards written, and what was left out."""

    cards: int
    skipped: list[str] = field(default_factory=list)
    # An import's deck as written, and the cards it was made of (with an Anki history).
    deck: Deck | None = None
    imported: ImportedDeck | None = None
    # What was changed on the way, or left out of a card that was written.
    notes: list[str] = field(default_factory=list)


def format_of(path: Path, given: str | None, formats: dict[str, str]) -> str:
    """The format named, or the one the file's extension implies."""
    fmt = given or _SUFFIXES.get(path.suffix.lower())
    if fmt is None or fmt not in formats:
        raise InterchangeError(
            f"cannot tell the format from '{path.suffix or path.name}'; "
            f"give --format ({', '.join(formats)})"
        )
    return fmt


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file renamed into place, so a failure leaves nothing behind."""
    folder = path.parent
    if not folder.is_dir():
        raise InterchangeError(f"no such folder: {folder}")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InterchangeError(f"cannot write in {folder}: {exc.strerror}") from exc
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        # mkstemp makes the file 0600; a deck or an export is no secret: it gets the mode a new
        # file gets (or keeps the mode of the file it replaces).
        os.chmod(temp, _mode_for(path))
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise InterchangeError(f"cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def read_import(
    source: Path, fmt: str, *, history: bool = True, strict: bool = False
) -> ImportedDeck:
    """The cards of a file in an import format (with an Anki package's history, if wanted)."""
    if not source.is_file():
        raise InterchangeError("no such file" if not source.exists() else "not a file")
    if fmt == "apkg":
        from quiz.interchange.anki import import_apkg

        return import_apkg(source, history=history)
    if fmt == "gift":
        from quiz.interchange.gift_import import import_gift

        return import_gift(source)
    if fmt == "moodle":
        from quiz.interchange.moodle_xml import import_moodle_xml

        return import_moodle_xml(source)
    from quiz.interchange.csv_format import import_csv

    return import_csv(source, "\t" if fmt == "tsv" else None, strict=strict)


def flattened_notes(deck: Deck, where: str, *, with_cloze: bool) -> list[str]:
    """What goes as a plain question and answer, by card type, with what it loses."""
    counts = Counter(
        card.type
        for card in deck.cards
        if card.type != "flashcard" and (with_cloze or card.type != "cloze")
    )
    return [
        f"{count} {card_type} card(s) as a question and an answer in text: {where} does not "
        "grade them, the learner rates themselves"
        for card_type, count in sorted(counts.items())
    ]


def cloze_hints(deck: Deck) -> int:
    """How many cloze gaps have a hint, which only an Anki export keeps."""
    count = 0
    for card in deck.cards:
        match card:
            case Cloze():
                count += sum(1 for hint in card.hints if hint)
            case Flashcard() | Choice() | TrueFalse() | Typed() | Numeric() | Order() | Match():
                pass
            case _:
                assert_never(card)
    return count


def export_deck(deck: Deck, output: Path, fmt: str | None) -> Report:
    """Write a deck in an export format."""
    fmt = format_of(output, fmt, EXPORT_FORMATS)
    if deck.path and output.resolve() == Path(deck.path).resolve():
        raise InterchangeError("the output is the deck itself; give another --output")
    skipped: list[str] = []
    report_notes: list[str] = []
    written = len(deck.cards)
    if fmt == "apkg":
        from quiz.interchange.anki_export import cloze_alternatives, export_apkg

        write_atomically(output, lambda temp: export_apkg(deck, temp))
        report_notes = flattened_notes(deck, "Anki", with_cloze=False)
        alternatives = cloze_alternatives(deck)
        if alternatives:
            report_notes.append(
                f"{alternatives} cloze gap(s) keep their first answer only: Anki has no "
                "alternatives"
            )
    elif fmt == "gift":
        from quiz.interchange.gift import export_gift

        notes: list[str] = []
        text, left_out = export_gift(deck, notes)
        skipped = [
            f"{count} {card_type} card(s): GIFT has no such question type"
            for card_type, count in sorted(left_out.items())
        ]
        written -= sum(left_out.values())
        report_notes = notes
        write_atomically(output, lambda temp: temp.write_text(text, encoding="utf-8"))
    elif fmt == "moodle":
        from quiz.interchange.moodle_xml import export_moodle_xml

        data, left_out = export_moodle_xml(deck, report_notes)
        skipped = [
            f"{count} {card_type} card(s): Moodle has no such question type"
            for card_type, count in sorted(left_out.items())
        ]
        written -= sum(left_out.values())
        write_atomically(output, lambda temp: temp.write_bytes(data))
    else:
        from quiz.interchange.csv_format import export_csv

        text = export_csv(deck, "\t" if fmt == "tsv" else ",")
        report_notes = flattened_notes(deck, "CSV", with_cloze=True)
        write_atomically(output, lambda temp: temp.write_text(text, encoding="utf-8", newline=""))
    hints = cloze_hints(deck) if fmt != "apkg" else 0
    if hints:
        name = {"gift": "GIFT", "moodle": "Moodle XML"}.get(fmt, "CSV")
        report_notes.append(f"{hints} cloze hint(s) left out: {name} has no place for them")
    return Report(written, skipped, notes=report_notes)

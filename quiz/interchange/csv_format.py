"""CSV and TSV: rows of front, back and optional tags, to and from flashcard decks."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quiz.deck.limits import past_limits
from quiz.deck.model import Deck
from quiz.interchange import InterchangeError
from quiz.interchange.anki import QUIZ_GUID, anki_cloze
from quiz.interchange.deck_yaml import ImportedDeck
from quiz.interchange.front_back import front_back, has_reverse, source_text
from quiz.interchange.html_text import html_to_text
from quiz.interchange.tags import TagMaker, make_tag

# Header names, lower-cased, for each column a deck uses; the first is what export writes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "front": ("front", "question", "prompt", "term", "text"),
    "back": ("back", "answer", "definition", "back extra"),
    "tags": ("tags", "tag"),
    "explanation": ("explanation", "notes", "note", "extra"),
    "reverse": ("reverse", "reversed"),
    "id": ("id", "card id"),
    "source": ("source",),
}
EXPORT_COLUMNS = tuple(COLUMNS)
_DELIMITERS = ",\t;|"
_SAMPLE = 64 * 1024
_TRUE = {"true", "yes", "y", "1", "x"}
# Anki's "Notes in Plain Text" export starts with lines like '#separator:tab'.
_DIRECTIVE = re.compile(r"^#([a-z ]+):(.*)$")
_SEPARATORS = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}


def read_text(path: Path) -> str:
    """A file's text; it must be UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InterchangeError(f"cannot read file: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InterchangeError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8", line
        ) from exc


def _directives(text: str) -> tuple[dict[str, str], str, int]:
    """Anki's '#key:value' header lines, the text after them, and how many lines they took."""
    found: dict[str, str] = {}
    lines = text.split("\n")
    count = 0
    for line in lines:
        match = _DIRECTIVE.match(line.rstrip("\r"))
        if not match:
            break
        found[match.group(1).strip()] = match.group(2).strip()
        count += 1
    return found, "\n".join(lines[count:]), count


def _delimiter(body: str, forced: str | None, directives: dict[str, str]) -> str:
    if forced:
        return forced
    if "separator" in directives:
        name = directives["separator"]
        return _SEPARATORS.get(name.lower(), name[:1] or ",")
    sample = body[:_SAMPLE]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # One row gives the sniffer nothing to compare; then the commonest candidate wins.
        counts = {d: sample.split("\n", 1)[0].count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] == 0:
            raise InterchangeError(
                "found one column; each row needs a front and a back, "
                "separated by a comma, tab or semicolon"
            ) from None
        return best


def _header(first: list[str]) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in first]
    found: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases and index not in found.values():
                found[column] = index
                break
    return found if {"front", "back"} <= set(found) else None


def _tags(raw: str, maker: TagMaker) -> list[str]:
    return maker.tags(re.split(r"[\s,;]+", raw))


@dataclass(frozen=True)
class _Layout:
    """Which columns hold what: Anki's special columns, then the note's fields in order."""

    columns: dict[str, int]  # front, back, tags, explanation, reverse, id by header name
    named: bool  # the columns come from a header naming them
    guid: int | None = None
    notetype: int | None = None
    deck: int | None = None


def _column(directives: dict[str, str], name: str) -> int | None:
    value = directives.get(f"{name} column", "")
    return int(value) - 1 if value.isdigit() and int(value) >= 1 else None


def import_csv(path: Path, delimiter: str | None = None, *, strict: bool = False) -> ImportedDeck:
    """Read a CSV or TSV file of front, back and optional tags (header and delimiter detected)."""
    directives, body, skipped_lines = _directives(read_text(path))
    if not body.strip():
        raise InterchangeError("no cards found: the file is empty")
    sep = _delimiter(body, delimiter, directives)
    try:
        rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=sep, strict=False))
        row_lines = _row_lines(body, sep)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's limit
        raise InterchangeError(f"cannot read the rows: {exc}") from exc
    columns: dict[str, int] = {"front": 0, "back": 1, "tags": 2}
    named = False
    first_row = 0
    header: list[str] = []
    if "columns" in directives:
        found = _header(directives["columns"].split(sep))
        if found:
            columns, named, header = found, True, directives["columns"].split(sep)
    elif rows and (found := _header(rows[0])):
        # Only a first row naming known columns is a header: csv.Sniffer.has_header judges by
        # cell types and lengths, which card text does not follow, and would drop a card.
        columns, named, first_row, header = found, True, 1, rows[0]
    layout = _Layout(
        columns,
        named,
        guid=_column(directives, "guid"),
        notetype=_column(directives, "notetype"),
        deck=_column(directives, "deck"),
    )
    tags_column = _column(directives, "tags")
    if tags_column is not None:
        columns["tags"] = tags_column
    elif not named and {layout.guid, layout.notetype, layout.deck} != {None}:
        columns.pop("tags")  # Anki names its tags column when it writes one
    html = directives.get("html", "").lower() == "true"
    title = directives.get("deck", "").split("::")[-1].strip()
    imported = ImportedDeck(
        title=title or path.stem.replace("_", " ").replace("-", " ").strip() or "Cards"
    )
    maker = TagMaker()
    file_tags = _tags(directives.get("tags", ""), maker)
    decks: set[str] = set()
    card_decks: list[str] = []
    bad: list[InterchangeError] = []
    # With a header, a column it names that quiz has no use for is left out: counted, said.
    read = set(columns.values()) | {layout.guid, layout.notetype, layout.deck}
    unread: Counter[str] = Counter()
    for index, row in enumerate(rows):
        if index < first_row or not any(cell.strip() for cell in row):
            continue
        line = skipped_lines + row_lines[index]
        try:
            card, deck = _card(row, layout, directives, html, line, maker)
        except InterchangeError as exc:
            bad.append(exc)
            continue
        tags = list(dict.fromkeys([*file_tags, *card.get("tags", [])]))
        if tags:
            card["tags"] = tags
        if why := past_limits(card):  # a row past a deck's limits is a bad row, not a bad file
            bad.append(InterchangeError(why, line))
            continue
        decks.add(deck)
        card_decks.append(deck)
        imported.cards.append(card)
        if named:
            unread.update(
                f"column '{header[i].strip()}'"
                if i < len(header) and header[i].strip()
                else f"column {i + 1}"
                for i, cell in enumerate(row)
                if i not in read and cell.strip()
            )
    if len(decks) > 1:
        # One deck file for cards from several Anki decks: each keeps its deck as a tag.
        for card, deck in zip(imported.cards, card_decks, strict=True):
            card["tags"] = list(dict.fromkeys([*card.get("tags", []), make_tag(deck) or "default"]))
    if bad and (strict or not imported.cards):
        first = bad[0]
        more = f" (and {len(bad) - 1} more bad row(s))" if len(bad) > 1 else ""
        if not imported.cards and not strict:
            raise InterchangeError(f"{first}{more}; no row could be imported", first.line)
        raise InterchangeError(f"{first}{more}; nothing was written (--strict)", first.line)
    imported.skipped.extend(f"{path}:{exc.line}: {exc}" for exc in bad)
    imported.notes.extend(maker.notes())
    imported.notes.extend(
        f"{name} left out of {count} row(s): quiz reads front, back, tags, "
        "explanation, reverse, id and source"
        for name, count in unread.items()
    )
    if len(decks) > 1:
        imported.notes.append(
            f"{len(decks)} Anki decks in the file: each card has its deck as a tag"
        )
    if not imported.cards:
        raise InterchangeError("no cards found: the file has no rows with a front and a back")
    return imported


def _row_lines(body: str, sep: str) -> list[int]:
    """The line each row starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=sep, strict=False)
    starts = []
    previous = 0
    for _ in reader:
        starts.append(previous + 1)
        previous = reader.line_num
    return starts


def _card(
    row: list[str],
    layout: _Layout,
    directives: dict[str, str],
    html: bool,
    line: int,
    maker: TagMaker,
) -> tuple[dict[str, Any], str]:
    """The card a row becomes, and the Anki deck it names (if any)."""

    def text(value: str) -> str:
        return html_to_text(value, media=True) if html else value.strip()

    def at(index: int | None) -> str:
        return row[index] if index is not None and index < len(row) else ""

    special = {layout.guid, layout.notetype, layout.deck} - {None}
    columns = layout.columns
    if layout.named:
        fields = [text(at(columns.get("front"))), text(at(columns.get("back")))]
        extra: list[str] = []
    else:
        # Anki's own columns come out first; what is left are the note's fields, in order.
        taken = special | {columns.get("tags")}
        fields = [text(cell) for i, cell in enumerate(row) if i not in taken]
        extra = [f for f in fields[2:] if f]
    notetype = (at(layout.notetype).strip() or directives.get("notetype", "")).lower()
    deck = at(layout.deck).strip() or directives.get("deck", "").strip()

    def cell(name: str) -> str:
        return text(at(columns.get(name))) if name in columns else ""

    front = fields[0] if fields else ""
    back = fields[1] if len(fields) > 1 else ""
    if not front:
        raise InterchangeError("the row has no front", line)
    card: dict[str, Any] = {}
    wants_cloze = "cloze" in notetype or (not notetype and "{{c" in front)
    if wants_cloze and (cloze := anki_cloze(front)):
        card = {"type": "cloze", "text": cloze}
        extra = [back, *extra] if back else extra
    elif "cloze" in notetype:
        raise InterchangeError("a cloze note without usable gaps", line)
    elif "type in the answer" in notetype:
        if not back:
            raise InterchangeError("the row has no answer", line)
        card = {"type": "typed", "question": front, "answer": back}
    else:
        if not back:
            raise InterchangeError("the row has no back", line)
        card = {"front": front, "back": back}
        if "optional reversed" in notetype and extra:
            extra = extra[1:]  # the field that asks for the reverse card
            card["reverse"] = True
        elif "reversed" in notetype or cell("reverse").lower() in _TRUE:
            card["reverse"] = True
    source = cell("source")
    cited = [f"Source: {source}"] if source else []
    explanation = "\n".join([cell("explanation"), *extra, *cited]).strip()
    if explanation:
        card["explanation"] = explanation
    tags = _tags(at(columns.get("tags")) if "tags" in columns else "", maker)
    if tags:
        card["tags"] = tags
    guid = at(layout.guid).strip()
    found = QUIZ_GUID.match(guid)
    if found:
        card["id"] = found.group(2)
    elif cell("id"):
        card["id"] = cell("id")
    return card, deck


def export_csv(deck: Deck, delimiter: str = ",") -> str:
    """The deck as CSV (or TSV): a header, then one row per card."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for card in deck.cards:
        front, back = front_back(card)
        tags = " ".join(dict.fromkeys((*card.tags, *deck.tags)))
        reverse = "true" if has_reverse(card) else ""
        source = source_text(deck, card)
        writer.writerow((front, back, tags, card.explanation or "", reverse, card.id, source))
    return out.getvalue()

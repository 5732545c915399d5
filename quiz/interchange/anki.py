"""Anki packages (.apkg, .colpkg) read as untrusted SQLite: notes, cards and the review log."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeVar

from quiz.deck.cloze import escape as cloze_escape
from quiz.deck.cloze import escape_hint
from quiz.deck.limits import MAX_GAP_NUMBER, past_limits
from quiz.interchange import InterchangeError
from quiz.interchange.anki_notes import NoteType, common_deck, deck_names, note_types
from quiz.interchange.deck_yaml import ImportedDeck
from quiz.interchange.html_text import html_to_text
from quiz.interchange.tags import TagMaker
from quiz.interchange.untrusted import (
    copy_capped,
    is_interrupted,
    open_member,
    open_untrusted,
    require_tables,
)

T = TypeVar("T")

# Newest first: a current Anki export also holds a stub collection.anki2 that only says
# "please update Anki", so the zstd-compressed collection.anki21b must win.
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
MAX_COLLECTION_BYTES = 256 * 1024 * 1024
_CLOZE_OPEN = re.compile(r"\{\{c\d+::")
# Notes exported by quiz carry the card's id, so a round trip keeps ids and so progress.
QUIZ_GUID = re.compile(r"^quiz:([a-z0-9-]+):([a-z0-9-]+)$")
_EXTRA_FIELDS = ("explanation", "back extra", "extra", "notes", "note")


def _cloze_gaps(text: str) -> list[tuple[int, int, str, int, str]]:
    """Each {{cN::answer::hint}} as (start, end, answer, N, hint), in one pass over the text."""
    # A gap ends at the first "}}" after it opens, its hint at the first "::" inside. Found with
    # str.find rather than a backtracking pattern, which took minutes on a page of "{{c1::".
    gaps = []
    at = 0
    while (opened := _CLOZE_OPEN.search(text, at)) is not None:
        close = text.find("}}", opened.end())
        if close < 0:
            break
        answer, _, hint = text[opened.end() : close].partition("::")
        digits = opened.group()[3:-2]
        number = int(digits) if len(digits) < 10 else 0  # a hostile number stays cheap
        gaps.append((opened.start(), close + 2, answer, number, hint))
        at = close + 2
    return gaps


def anki_cloze(text: str) -> str | None:
    """Anki's cloze text ({{c1::answer::hint}}) as quiz's, numbers and hints kept; None if unusable.

    An answer is one answer: a '|' in it is escaped, not quiz's "or". Each gap keeps its Anki
    number (written only when they are not simply 1, 2, 3... in order, which quiz gives gaps by
    their place anyway); deletions that share a number in Anki, one card there, become gaps of
    their own, the later ones numbered past every number the note uses.
    """
    gaps = _cloze_gaps(text)
    if not gaps:
        return None
    numbers = _stable_numbers([number for _, _, _, number, _ in gaps])
    positional = numbers == list(range(1, len(gaps) + 1))
    converted: list[str] = []
    outside: list[str] = []
    at = 0
    for (start, end, answer, _, hint), number in zip(gaps, numbers, strict=True):
        if not answer.strip():
            return None
        prefix = "" if positional else f"c{number}::"
        suffix = f"::{escape_hint(hint.strip())}" if hint.strip() else ""
        converted += [text[at:start], "{{", prefix, cloze_escape(answer.strip()), suffix, "}}"]
        outside.append(text[at:start])
        at = end
    converted.append(text[at:])
    outside.append(text[at:])
    rest = "".join(outside)
    if "{{" in rest or "}}" in rest:
        return None
    return "".join(converted)


def guid_id(guid: str) -> str:
    """A card id made from an Anki note's GUID, so editing the note in Anki keeps the id."""
    digest = base64.b32encode(hashlib.sha256(guid.encode()).digest()).decode().lower()
    return f"anki-{digest[:10]}"


def cloze_numbers(text: str) -> list[int]:
    """The Anki number (N of cN) of each gap, in the order quiz numbers them."""
    return [number for _, _, _, number, _ in _cloze_gaps(text)]


def _stable_numbers(written: list[int]) -> list[int]:
    """Each gap's quiz number: its Anki one, or a free one for a repeat or an unusable number."""
    usable = {n for n in written if 1 <= n <= MAX_GAP_NUMBER}
    free = itertools.count(max(usable, default=0) + 1)
    seen: set[int] = set()
    out = []
    for number in written:
        if number in usable and number not in seen:
            out.append(number)
            seen.add(number)
        else:
            out.append(next(free))
    return out


# --- Import ----------------------------------------------------------------------------------


class AnkiCard(NamedTuple):
    """One card of an Anki collection, as importing its history needs it."""

    id: int
    note_id: int
    ord: int  # which template (or which cloze number, less one) made it
    queue: int  # -1 suspended, -2 and -3 buried


@dataclass
class AnkiImport(ImportedDeck):
    """An Anki package's cards, with what attaches its review history to the study items."""

    # Each imported note's place in `cards`; a cloze's Anki gap numbers, gap by gap.
    note_places: dict[int, int] = field(default_factory=dict)
    cloze_numbers: dict[int, list[int]] = field(default_factory=dict)
    anki_cards: list[AnkiCard] = field(default_factory=list)
    revlog: list[RevlogRow] = field(default_factory=list)
    # The Anki deck path ('Geography::Europe') each card's note is in, card by card.
    deck_paths: list[str] = field(default_factory=list)
    with_history: bool = True  # False with --no-history: no reviews, and no marks either

    @property
    def has_history(self) -> bool:
        """True when a learner gets something: reviews, or cards Anki suspended or buried."""
        return self.with_history and bool(
            self.revlog or any(card.queue < 0 for card in self.anki_cards)
        )


def import_apkg(path: Path, *, history: bool = True) -> AnkiImport:
    """Read an Anki package: Basic and reversed notes as flashcards, Cloze notes as clozes."""

    def read(conn: sqlite3.Connection) -> AnkiImport:
        imported = _read_collection(conn, path)
        imported.with_history = history
        # A collection without a review log has no history (a view of that name is refused).
        present = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'revlog'").fetchone()
        if history and present:
            imported.revlog = _revlog_rows(conn)
        return imported

    return read_collection(path, read)


class RevlogRow(NamedTuple):
    """One row of an Anki collection's review log, as Anki stores it."""

    id_ms: int  # when, in milliseconds since the epoch
    card_id: int
    ease: int  # 1-4; 0 for entries that are not reviews
    interval: int
    duration_ms: int
    kind: int  # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual


def read_revlog(path: Path) -> list[RevlogRow]:
    """The review log of the collection inside an Anki package, card by card in time order."""
    return read_collection(path, _revlog_rows)


def _revlog_rows(conn: sqlite3.Connection) -> list[RevlogRow]:
    require_tables(conn, ("revlog",))
    query = "SELECT id, cid, ease, ivl, time, type FROM revlog ORDER BY cid, id"
    return [RevlogRow(*(int(v) for v in row)) for row in conn.execute(query)]


def read_collection(path: Path, read: Callable[[sqlite3.Connection], T]) -> T:
    """What `read` makes of the collection inside an Anki package, opened as untrusted SQLite."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "collection.sqlite"
        _extract_collection(path, db)
        try:
            conn = open_untrusted(db)
            try:
                return read(conn)
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if is_interrupted(exc):
                raise InterchangeError(
                    "the collection inside is refused: reading it takes far more work than "
                    "any Anki collection needs"
                ) from exc
            raise _unreadable(exc) from exc
        except (sqlite3.DatabaseError, KeyError, TypeError, ValueError, AttributeError) as exc:
            # ValueError covers bad JSON; the others, tables or rows not shaped as Anki's are.
            raise _unreadable(exc) from exc


def _unreadable(exc: Exception) -> InterchangeError:
    why = " ".join(str(exc).split())
    return InterchangeError(f"the collection inside is not a readable Anki database ({why})")


def _extract_collection(path: Path, db: Path) -> None:
    """Unpack the package's collection into `db`, counting bytes as they are inflated."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InterchangeError("not an Anki package: .apkg files are zip archives") from exc
    except OSError as exc:
        raise InterchangeError(f"cannot read file: {exc.strerror}") from exc
    what = "the Anki collection"
    with archive:
        names = set(archive.namelist())
        name = next((n for n in COLLECTIONS if n in names), None)
        if name is None:
            raise InterchangeError(
                "no Anki collection in the package (collection.anki2 or .anki21)"
            )
        try:
            with (
                open_member(archive, name, MAX_COLLECTION_BYTES, what) as member,
                db.open("wb") as out,
            ):
                if name.endswith("21b"):
                    _unzstd(member, out)
                else:
                    copy_capped(member, out, MAX_COLLECTION_BYTES, what)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InterchangeError(f"the package is damaged: {exc}") from exc


def _unzstd(member: IO[bytes], out: IO[bytes]) -> None:
    import zstandard

    what = "the Anki collection"
    try:
        with zstandard.ZstdDecompressor().stream_reader(member) as reader:
            copy_capped(reader, out, MAX_COLLECTION_BYTES, what)
    except zstandard.ZstdError as exc:
        raise InterchangeError(f"the package's collection is damaged: {exc}") from exc


def _read_collection(conn: sqlite3.Connection, path: Path) -> AnkiImport:
    require_tables(conn, ("notes", "cards"))
    types = note_types(conn)
    decks = deck_names(conn)
    card_ords: dict[int, set[int]] = {}
    deck_of_note: dict[int, tuple[int, int]] = {}  # note: (lowest card ord, its deck)
    spread: set[int] = set()  # notes with cards in more than one deck
    anki_cards = []
    # Only the history needs a card's id and queue: a bare collection without them still imports.
    columns = {row[1] for row in conn.execute("PRAGMA table_info(cards)")}
    wanted = "id, queue" if {"id", "queue"} <= columns else "NULL, 0"
    # A card in a filtered deck belongs to the deck it came from (odid), as Anki sees it.
    home = "CASE WHEN odid THEN odid ELSE did END" if "odid" in columns else "did"
    query = f"SELECT nid, ord, {home}, {wanted} FROM cards"
    for nid, ord_, did, cid, queue in conn.execute(query):
        card_ords.setdefault(nid, set()).add(ord_)
        if nid in deck_of_note and deck_of_note[nid][1] != did:
            spread.add(nid)
        if nid not in deck_of_note or ord_ < deck_of_note[nid][0]:
            deck_of_note[nid] = (ord_, did)
        if cid is not None:
            anki_cards.append(AnkiCard(int(cid), int(nid), int(ord_), int(queue)))
    note_decks = {nid: decks.get(did, "") for nid, (_, did) in deck_of_note.items()}
    used = sorted(set(note_decks.values()) - {""})
    title = common_deck(used) or path.stem
    imported = AnkiImport(title=title, anki_cards=anki_cards)
    unshown: Counter[str] = Counter()
    maker = TagMaker()
    rows = conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
    for number, (nid, guid, mid, tags, flds) in enumerate(rows, start=1):
        note_type = types.get(mid)
        if note_type is None:
            imported.skipped.append(f"note {number}: its note type is missing")
            continue
        card = _card(note_type, flds.split("\x1f"), card_ords.get(nid, set()), unshown)
        if isinstance(card, str):
            imported.skipped.append(f"note {number}: {card}")
            continue
        found = QUIZ_GUID.match(guid or "")
        if found:
            card["id"] = found.group(2)
        elif guid:
            card["id"] = guid_id(str(guid))
        card_tags = maker.tags(tags.split())
        if card_tags:
            card["tags"] = list(dict.fromkeys(card_tags))
            if why := past_limits(card):  # the tags were not there for _card's look
                imported.skipped.append(f"note {number}: {why}")
                continue
        imported.note_places[nid] = len(imported.cards)
        imported.deck_paths.append(note_decks.get(nid, ""))
        if note_type.cloze:
            text = [*flds.split("\x1f"), ""][note_type.cloze_field()]
            imported.cloze_numbers[nid] = cloze_numbers(html_to_text(text))
        imported.cards.append(card)
    imported.notes.extend(maker.notes())
    moved = len(spread & set(imported.note_places))
    if moved:
        imported.notes.append(
            f"{moved} note(s) have cards in more than one Anki deck: each goes with the deck "
            "of its first card"
        )
    for name, count in sorted(unshown.items()):
        imported.notes.append(
            f"field '{name}' left out of {count} note(s): no card template shows it"
        )
    if not imported.cards:
        reasons = f" ({imported.skipped[0]})" if imported.skipped else ""
        raise InterchangeError(f"no notes could be imported{reasons}")
    return imported


def _card(
    note_type: NoteType, fields: list[str], ords: set[int], unshown: Counter[str]
) -> dict[str, Any] | str:
    """The card a note becomes, or why it cannot be imported; what its templates show decides."""
    if note_type.templates and "image-occlusion" in note_type.templates[0][0]:
        return "an Image Occlusion note: quiz has no such card"
    texts = [html_to_text(f, media=True) for f in fields]
    texts += [""] * (max(len(note_type.fields), 2) - len(texts))
    names = [n.lower() for n in note_type.fields] + [""] * (len(texts) - len(note_type.fields))
    if note_type.cloze:
        main = note_type.cloze_field()
        question = [i for i in note_type.shown(0) if i != main]
    else:
        # Without templates (a bare collection), the first two fields are front and back.
        question = note_type.shown(0) or [0]
        main = question[0]
    answer = [i for i in (note_type.shown(1) or [1]) if i not in question and i != main]
    answer = [i for i in answer if i < len(texts)]
    shown = {main, *question, *answer}
    tested = note_type.tested()
    for index, name in enumerate(note_type.fields):
        if index not in shown and index not in tested and texts[index] and note_type.templates:
            unshown[name] += 1
    extra = [
        f"Source: {texts[i]}" if names[i] == "source" else texts[i]
        for i in answer
        if names[i] in (*_EXTRA_FIELDS, "source") and texts[i]
    ]
    rest = [texts[i] for i in answer if names[i] not in (*_EXTRA_FIELDS, "source") and texts[i]]
    card: dict[str, Any]
    if note_type.cloze:
        text = anki_cloze(texts[main]) if texts[main] else None
        if text is None:
            return "a cloze without usable gaps"
        header = [texts[i] for i in question if texts[i]]
        card = {"type": "cloze", "text": "\n".join([*header, text])}
        extra = [*extra, *rest]
    else:
        front = "\n".join(texts[i] for i in question if texts[i])
        if not front or not rest:
            return "the front or the back is empty"
        back = "\n".join(rest)
        if note_type.uses("type"):
            card = {"type": "typed", "question": front, "answer": back}
        else:
            card = {"front": front, "back": back}
            if any(o >= 1 for o in ords):
                card["reverse"] = True
    explanation = "\n".join(extra)
    if explanation and explanation not in (card.get("front"), card.get("back")):
        card["explanation"] = explanation
    # Past a deck's limits the note is left out and said, not the whole package refused.
    return past_limits(card) or card

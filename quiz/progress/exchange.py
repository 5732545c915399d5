"""Portable progress files: export a learner's reviews, and merge such files into a database."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from quiz.deck.model import Settings
from quiz.progress import validate
from quiz.progress.marks import MarkLineError, mark_line, read_mark
from quiz.progress.stats import ts
from quiz.scheduler import Scheduler
from quiz.store.database import Store
from quiz.store.marks import MarkEvent
from quiz.store.reviews import ImportedReview
from quiz.study.answering import replay_item
from quiz.study.learner import learner_scheduler

FORMAT = "quiz-progress"
VERSION = 1
# Version 3 adds mark lines (suspensions, burials, flags, leeches, forgets); a file without
# them keeps the version it had, so an older quiz still reads it.
WITH_MARKS = 3
REVIEW_KEYS = (
    "id",
    "deck_id",
    "item_key",
    "card_id",
    "reviewed_at",
    "rating",
    "outcome",
    "response",
    "duration_ms",
)
OUTCOMES = ("right", "partly", "wrong")
REVIEW_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class ProgressFileError(Exception):
    """A progress file cannot be read or written; the message is one line with its place."""


@dataclass(frozen=True)
class FileDeck:
    """A deck as the exporting database knew it."""

    id: str
    title: str | None
    content_hash: str | None


@dataclass(frozen=True)
class FileReview:
    """One review in a progress file."""

    id: str
    deck_id: str
    item_key: str
    card_id: str
    reviewed_at: datetime
    rating: int
    outcome: str | None
    response: Any
    duration_ms: int


@dataclass(frozen=True)
class ProgressFile:
    """A progress file, read and checked."""

    path: str
    learner: str
    exported_at: str
    decks: dict[str, FileDeck]
    reviews: list[FileReview]
    marks: list[MarkEvent] = field(default_factory=list)
    # Well-formed reviews out of range, left out: the reason, and the lines that had it.
    refused: dict[str, list[int]] = field(default_factory=dict)
    # Exam attempts (quiz/exams/exchange.py): each an attempt record and its responses.
    attempts: list[tuple[Any, list[Any]]] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """A line per reason reviews were refused, saying how many and where."""
        return validate.refused_lines(self.path, self.refused)


# Export


def export_progress(
    store: Store,
    learner: str,
    out: IO[str],
    now: datetime,
    decks: Sequence[str] | None = None,
) -> int:
    """Write every review of a learner (in these decks) as a progress file; the count written."""
    from quiz.exams.exchange import VERSION as WITH_ATTEMPTS
    from quiz.exams.exchange import attempt_lines

    rows = store.export_rows(learner, decks)
    attempts = attempt_lines(store, learner) if decks is None else []
    if not rows and not attempts:
        raise ProgressFileError(f"learner '{learner}' has no reviews to export in this database")
    marks = store.mark_events(learner, decks)
    used = sorted({row[1] for row in rows} | {m.deck_id for m in marks})
    known = {
        deck_id: FileDeck(deck_id, title, chash)
        for deck_id, (title, chash) in store.deck_versions(used).items()
    }
    header = {
        "format": FORMAT,
        # Attempts make a file version 2 and marks version 3, which older quiz refuse by name.
        "version": WITH_MARKS if marks else WITH_ATTEMPTS if attempts else VERSION,
        "learner": learner,
        "exported_at": ts(now),
        "decks": [
            {"id": d.id, "title": d.title, "content_hash": d.content_hash}
            for d in (known.get(i, FileDeck(i, None, None)) for i in used)
        ],
    }
    out.write(json.dumps(header, ensure_ascii=False) + "\n")
    for row in rows:
        review = dict(zip(REVIEW_KEYS, row, strict=True))
        review["response"] = _response_value(review["response"])
        out.write(json.dumps(review, ensure_ascii=False) + "\n")
    for attempt in attempts:
        out.write(json.dumps(attempt, ensure_ascii=False) + "\n")
    for m in marks:
        out.write(json.dumps(mark_line(m), ensure_ascii=False) + "\n")
    return len(rows)


def _response_value(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def write_progress_file(
    store: Store,
    learner: str,
    path: Path,
    now: datetime,
    decks: Sequence[str] | None = None,
) -> int:
    """Export to a file, replacing it only once the whole file is written."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        # A learner's reviews are theirs: readable by them alone, whatever the umask.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8", newline="\n") as out:
            count = export_progress(store, learner, out, now, decks)
        os.replace(temporary, path)
    except OSError as exc:
        raise ProgressFileError(f"{path}: cannot write the progress file: {exc.strerror}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return count


# Reading


def _fail(path: str, line: int, message: str, column: int = 1) -> ProgressFileError:
    return ProgressFileError(f"{path}:{line}:{column}: error: {message}")


def read_progress_file(path: Path, now: datetime | None = None) -> ProgressFile:
    """Read and check a whole progress file; any problem raises ProgressFileError."""
    # Reviews well formed but out of range (a time in the future, a duration over a day, an id
    # that is not a slug) are left out and counted in `refused`.
    name = str(path)
    now = now or datetime.now(UTC)
    try:
        with validate.open_bounded(name) as file:
            return _read(name, validate.lines(file), now)
    except validate.InvalidFile as exc:
        message = _header_message(exc)
        if not exc.line or message.startswith("not a quiz progress file"):
            # Not one at all is about the whole file: no line or column is meant.
            raise ProgressFileError(f"{name}: error: {message}") from exc
        raise _fail(name, exc.line, message, exc.column) from exc
    except OSError as exc:
        raise ProgressFileError(f"{name}: error: cannot read the file: {exc.strerror}") from exc


def _header_message(exc: validate.InvalidFile) -> str:
    foreign = "not a quiz progress file (export one with 'quiz progress export')"
    if exc.line == 1 and str(exc) == "it is not UTF-8 text":
        return f"{foreign}: it is not UTF-8 text"
    return str(exc)


def _read(name: str, lines: Iterator[tuple[int, str]], now: datetime) -> ProgressFile:
    foreign = "not a quiz progress file (export one with 'quiz progress export')"
    _, first = next(lines, (1, ""))
    try:
        header = validate.parse_line(first, 1)
    except validate.InvalidFile as exc:
        raise ProgressFileError(f"{name}: error: {foreign}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        # The file as a whole is not one: no line or column is meant.
        raise ProgressFileError(f"{name}: error: {foreign}")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(name, 1, "the header has no valid 'version'")
    from quiz.exams.exchange import VERSION as WITH_ATTEMPTS
    from quiz.exams.exchange import is_attempt_line, read_attempt

    if version > WITH_MARKS:
        raise _fail(
            name, 1, f"written by a newer quiz (format version {version}); upgrade quiz to read it"
        )
    learner = header.get("learner")
    problem = validate.learner_problem(learner)
    if problem is not None or not isinstance(learner, str):
        raise _fail(name, 1, problem or "the header has no learner name")
    decks = _read_decks(name, header.get("decks"))
    exported_at = header.get("exported_at")
    reviews: list[FileReview] = []
    marks: list[MarkEvent] = []
    refused: dict[str, list[int]] = {}
    attempts: list[tuple[Any, list[Any]]] = []
    seen: set[str] = set()
    for number, line in lines:
        if not line.strip():
            continue
        value = validate.parse_line(line, number)
        if version >= WITH_ATTEMPTS and is_attempt_line(value):
            try:
                attempts.append(read_attempt(value, learner))
            except ValueError as exc:
                raise _fail(name, number, str(exc)) from exc
            continue
        if isinstance(value, dict) and "mark" in value:
            try:
                marks.append(read_mark(value, learner, set(decks), now))
            except MarkLineError as exc:
                raise _fail(name, number, str(exc)) from exc
            continue
        review = _read_review(name, number, value, decks, now)
        if isinstance(review, str):
            refused.setdefault(review, []).append(number)
            continue
        if review.id in seen:
            raise _fail(name, number, f"review id '{review.id}' appears twice")
        seen.add(review.id)
        reviews.append(review)
    return ProgressFile(
        name, learner, str(exported_at or ""), decks, reviews, marks, refused, attempts
    )


def _read_decks(name: str, value: object) -> dict[str, FileDeck]:
    if not isinstance(value, list):
        raise _fail(name, 1, "the header has no list of 'decks'")
    decks: dict[str, FileDeck] = {}
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise _fail(name, 1, "each deck in the header needs an 'id'")
        title, chash = entry.get("title"), entry.get("content_hash")
        if not (title is None or isinstance(title, str)) or not (
            chash is None or isinstance(chash, str)
        ):
            raise _fail(name, 1, f"deck '{entry['id']}': 'title' and 'content_hash' must be text")
        decks[entry["id"]] = FileDeck(entry["id"], title, chash)
    return decks


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _read_review(
    name: str, number: int, value: object, decks: dict[str, FileDeck], now: datetime
) -> FileReview | str:
    """The review on a line, or why it is refused; a malformed one raises."""
    if not isinstance(value, dict):
        raise _fail(name, number, "a review must be a JSON object")
    missing = [k for k in REVIEW_KEYS if k not in value]
    if missing:
        raise _fail(name, number, f"review lacks '{missing[0]}'")
    unknown = sorted(set(value) - set(REVIEW_KEYS))
    if unknown:
        raise _fail(name, number, f"review has an unknown key '{unknown[0]}'")
    if not isinstance(value["id"], str) or not REVIEW_ID.fullmatch(value["id"]):
        raise _fail(name, number, "'id' must be 1 to 64 letters, digits, '-' or '_'")
    for key in ("deck_id", "item_key", "card_id"):
        if not isinstance(value[key], str) or not value[key]:
            raise _fail(name, number, f"'{key}' must be non-empty text")
    if value["deck_id"] not in decks:
        raise _fail(name, number, f"deck '{value['deck_id']}' is not listed in the header")
    at = value["reviewed_at"]
    when, unstorable = validate.parse_time(at) if isinstance(at, str) else (None, False)
    if when is None and not unstorable:
        raise _fail(name, number, "'reviewed_at' must be an ISO 8601 time with a UTC offset")
    if not _is_int(value["rating"]) or not 1 <= value["rating"] <= 4:
        raise _fail(name, number, "'rating' must be 1, 2, 3 or 4")
    if value["outcome"] is not None and value["outcome"] not in OUTCOMES:
        raise _fail(name, number, "'outcome' must be right, partly, wrong or null")
    if not _is_int(value["duration_ms"]) or value["duration_ms"] < 0:
        raise _fail(name, number, "'duration_ms' must be a whole number of at least 0")
    why = validate.refusal(value, when, now)
    if why is not None or when is None:
        return why or "a time quiz cannot store ('reviewed_at')"
    return FileReview(
        id=value["id"],
        deck_id=value["deck_id"],
        item_key=value["item_key"],
        card_id=value["card_id"],
        reviewed_at=when,
        rating=value["rating"],
        outcome=value["outcome"],
        response=value["response"],
        duration_ms=value["duration_ms"],
    )


# Importing


@dataclass
class ImportReport:
    """What importing one file did."""

    path: str
    learner: str
    added: int = 0
    duplicates: int = 0
    clashes: int = 0
    unknown_decks: dict[str, int] = field(default_factory=dict)  # reviews skipped per deck
    missing_items: dict[str, dict[str, int]] = field(default_factory=dict)  # deck: item: reviews
    other_versions: list[str] = field(default_factory=list)
    attempts_added: int = 0
    attempts_here: int = 0
    marks: int = 0  # mark events added

    def lines(self) -> list[str]:
        """One line per fact, for the terminal."""
        out = [
            f"{self.path}: {self.added} new review(s) for {self.learner}, "
            f"{self.duplicates} already here"
        ]
        if self.attempts_added or self.attempts_here:
            out.append(
                f"{self.path}: {self.attempts_added} new exam attempt(s), "
                f"{self.attempts_here} already here"
            )
        for deck_id, count in sorted(self.unknown_decks.items()):
            out.append(
                f"{self.path}: warning: deck '{deck_id}' is not in this database: {count} "
                "review(s) skipped; open the deck once (quiz decks PATH), then import again"
            )
        for deck_id in self.other_versions:
            out.append(
                f"{self.path}: warning: deck '{deck_id}' was exported from another version "
                "of the deck; reviews of items this version has were imported"
            )
        for deck_id, items in sorted(self.missing_items.items()):
            names = sorted(items)
            shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
            out.append(
                f"{self.path}: warning: deck '{deck_id}' here has no item {shown}: "
                f"{sum(items.values())} review(s) skipped"
            )
        if self.clashes:
            out.append(
                f"{self.path}: warning: {self.clashes} review id(s) are already used here by "
                "other reviews; the stored ones were kept"
            )
        return out


def import_progress(
    store: Store,
    files: Sequence[ProgressFile],
    now: datetime,
    voided: Sequence[tuple[str, str]] = (),
) -> list[ImportReport]:
    """Merge progress files into the store in one transaction, then rebuild touched items.

    `voided` lists (learner, review id) of reviews their learner took back (xAPI voiding):
    they are removed if present, in the same transaction.
    """
    with store.atomic():
        touched = _unmerge(store, voided)
        reports, added = _merge(store, files, now)
        _replay(store, touched | added)
    return reports


def _unmerge(store: Store, voided: Sequence[tuple[str, str]]) -> set[tuple[str, str, str]]:
    places = store.review_places([rid for _, rid in voided])
    touched = set()
    for learner, rid in voided:
        place = places.get(rid)
        # Only a learner's own statement can take their review back.
        if place is not None and place[0] == learner:
            store.delete_review(rid)
            touched.add(place[:3])
    return touched


def _merge(
    store: Store, files: Sequence[ProgressFile], now: datetime
) -> tuple[list[ImportReport], set[tuple[str, str, str]]]:
    wanted = sorted({d for f in files for d in f.decks})
    hashes = {deck_id: chash for deck_id, (_, chash) in store.deck_versions(wanted).items()}
    items = store.item_cards(wanted)
    reports = []
    touched: set[tuple[str, str, str]] = set()
    for f in files:
        report = ImportReport(f.path, f.learner)
        report.other_versions = [
            d.id
            for d in f.decks.values()
            if d.id in hashes and d.content_hash is not None and d.content_hash != hashes[d.id]
        ]
        candidates = []
        for r in f.reviews:
            if r.deck_id not in hashes:
                report.unknown_decks[r.deck_id] = report.unknown_decks.get(r.deck_id, 0) + 1
            elif (r.deck_id, r.item_key) not in items:
                missing = report.missing_items.setdefault(r.deck_id, {})
                missing[r.item_key] = missing.get(r.item_key, 0) + 1
            else:
                candidates.append(r)
        stored = store.review_places([r.id for r in candidates])
        rows = []
        for r in candidates:
            if r.id in stored:
                if stored[r.id] == (f.learner, r.deck_id, r.item_key, r.reviewed_at):
                    report.duplicates += 1
                else:
                    report.clashes += 1
                continue
            stored[r.id] = (f.learner, r.deck_id, r.item_key, r.reviewed_at)
            rows.append(
                ImportedReview(
                    id=r.id,
                    learner=f.learner,
                    deck_id=r.deck_id,
                    item_key=r.item_key,
                    card_id=items[(r.deck_id, r.item_key)],
                    reviewed_at=r.reviewed_at,
                    rating=r.rating,
                    outcome=r.outcome,
                    response=r.response,
                    duration_ms=r.duration_ms,
                )
            )
            touched.add((f.learner, r.deck_id, r.item_key))
        # States are filled in by the replay, which also decides which review came first.
        store.insert_imported(rows)
        report.added = len(rows)
        for record, responses in f.attempts:
            # By id, so importing a file again adds nothing; one already here is kept as it is.
            if store.import_exam_attempt(record, responses):
                report.attempts_added += 1
            else:
                report.attempts_here += 1
        marks = [m for m in f.marks if (m.deck_id, m.item_key) in items]
        if rows or marks or report.attempts_added:
            store.add_learner(f.learner, now)
        known = {m.id for m in store.mark_events(f.learner)}
        fresh = [m for m in marks if m.id not in known]
        report.marks = store.add_marks(fresh)
        # A forget changes where the replay of its item starts.
        touched.update((m.learner, m.deck_id, m.item_key) for m in fresh if m.kind == "forget")
        reports.append(report)
    return reports, touched


def _replay(store: Store, touched: set[tuple[str, str, str]]) -> None:
    # The learner's own FSRS for the deck (retention, steps, fitted parameters), as their study
    # uses; its fuzz is seeded by learner, item and review count (see replay_item), so the same
    # reviews give the same states on every machine, in any order, and the dues study stored.
    schedulers: dict[tuple[str, str], Scheduler] = {}
    for learner, deck_id, key in sorted(touched):
        if (learner, deck_id) not in schedulers:
            deck = store.deck_settings(deck_id) or Settings()
            schedulers[learner, deck_id] = learner_scheduler(store, learner, deck_id, deck)
        reviews = store.item_reviews(learner, deck_id, key)
        forgotten = store.last_forgotten(learner, deck_id, key)
        if forgotten is not None:
            # Sent back to new then: only the reviews since count for its state.
            reviews = [r for r in reviews if r[1] > forgotten]
        replay_item(store, schedulers[learner, deck_id], learner, deck_id, key, reviews, None)

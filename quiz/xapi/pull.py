"""Class reports from an LRS: statements read back and merged like progress files."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quiz.exams.exchange import read_attempt
from quiz.progress import validate
from quiz.progress.exchange import (
    REVIEW_ID,
    FileDeck,
    FileReview,
    ImportReport,
    ProgressFile,
    ProgressFileError,
    import_progress,
)
from quiz.safejson import loads as bounded_json
from quiz.store.database import Store
from quiz.store.exams import AttemptRecord, ResponseRecord
from quiz.xapi.client import LrsClient
from quiz.xapi.exams import read_exam_statement
from quiz.xapi.outbox import attempt_statements
from quiz.xapi.statements import (
    VOIDED,
    Profile,
    ReadReview,
    answered,
    read_answered,
    voided_target,
)

PAGE = 500
# A statement nests a few levels (result, extensions, the FSRS state), plus the response's.
STATEMENT_DEPTH = validate.MAX_DEPTH + 8
Attempt = tuple[AttemptRecord, list[ResponseRecord]]


@dataclass
class Gathered:
    """Statements sorted into each learner's reviews and the reviews taken back."""

    files: list[ProgressFile] = field(default_factory=list)
    voided: list[tuple[str, str]] = field(default_factory=list)  # (learner, review id)
    statements: int = 0
    exam_statements: int = 0  # of exam attempts; each submitted one is merged once
    ignored: int = 0  # not quiz's, or from another institution
    source: str = ""
    refused: dict[str, int] = field(default_factory=dict)  # quiz's, out of range: why, how many

    def warnings(self) -> list[str]:
        """A line per reason statements were refused, saying how many."""
        return [
            f"{self.source}: warning: {count} statement(s) refused, not imported: {why}"
            for why, count in sorted(self.refused.items())
        ]


def _refusal(review: ReadReview, now: datetime) -> str | None:
    """Why a review read from a statement cannot be stored, as for a progress file's."""
    problem = validate.learner_problem(review.learner)
    if problem is not None:
        return "an account name that is not a learner name"
    if not REVIEW_ID.fullmatch(review.id):
        return "a review id that is not 1 to 64 letters, digits, '-' or '_'"
    if not 1 <= review.rating <= 4:
        return "a rating outside 1 to 4"
    fields = {
        "duration_ms": review.duration_ms,
        "deck_id": review.deck_id,
        "item_key": review.item_key,
        "card_id": review.card_id,
    }
    return validate.refusal(fields, review.reviewed_at, now)


def gather(
    statements: Iterable[Mapping[str, Any]],
    source: str,
    home_page: str | None = None,
    now: datetime | None = None,
) -> Gathered:
    """Sort statements into per-learner progress (as files give it) and voided reviews."""
    # Statements come from elsewhere (an LRS, a file): each value is checked as a progress
    # file's are, and one out of range is counted and left out, never stored.
    now = now or datetime.now(UTC)
    out = Gathered(source=source)
    reviews: dict[str, ReadReview] = {}
    attempts: dict[str, dict[str, Attempt]] = {}  # learner: attempt id: the attempt
    voids: dict[str, str] = {}  # voided statement id: the learner who voided it
    for st in statements:
        out.statements += 1
        target = voided_target(st)
        if target is not None:
            name = st.get("actor", {}).get("account", {}).get("name")
            if isinstance(name, str):
                voids[target] = name
            continue
        exam = read_exam_statement(st)
        if exam is not None and (home_page is None or exam.home_page == home_page):
            out.exam_statements += 1
            if exam.attempt is not None:
                why = _attempt(exam.learner, exam.attempt, attempts)
                if why is not None:
                    out.refused[why] = out.refused.get(why, 0) + 1
            continue
        review = read_answered(st) if exam is None else None
        if review is None or (home_page is not None and review.home_page != home_page):
            out.ignored += 1
            continue
        why = _refusal(review, now)
        if why is not None:
            out.refused[why] = out.refused.get(why, 0) + 1
            continue
        reviews[str(st.get("id"))] = review
    for target, learner in voids.items():
        taken = reviews.pop(target, None)
        if taken is not None:
            out.voided.append((learner, taken.id))
        else:
            # Voided before this pull saw it: a quiz review id is its statement id's hex.
            try:
                out.voided.append((learner, uuid.UUID(target).hex))
            except ValueError:
                out.ignored += 1
    by_learner: dict[str, list[ReadReview]] = {}
    for review in reviews.values():
        by_learner.setdefault(review.learner, []).append(review)
    for learner in attempts:
        by_learner.setdefault(learner, [])
    for learner, mine in sorted(by_learner.items()):
        decks = {r.deck_id: FileDeck(r.deck_id, None, None) for r in mine}
        rows = [
            FileReview(
                r.id,
                r.deck_id,
                r.item_key,
                r.card_id,
                r.reviewed_at,
                r.rating,
                r.outcome,
                r.response,
                r.duration_ms,
            )
            for r in sorted(mine, key=lambda r: (r.reviewed_at, r.id))
        ]
        theirs = list(attempts.get(learner, {}).values())
        out.files.append(ProgressFile(source, learner, "", decks, rows, attempts=theirs))
    return out


def _attempt(learner: str, line: dict[str, Any], into: dict[str, dict[str, Attempt]]) -> str | None:
    """Read a submitted attempt as a progress file's line is read; why not, if it cannot be."""
    if validate.learner_problem(learner) is not None:
        return "an account name that is not a learner name"
    try:
        record, responses = read_attempt(line, learner)
    except ValueError as exc:
        return f"an exam attempt that does not read as one ({exc})"
    into.setdefault(learner, {})[record.id] = (record, responses)
    return None


def fetch(
    client: LrsClient, deck_iris: Sequence[str], since: datetime | None
) -> list[dict[str, Any]]:
    """The decks' statements and every voiding statement, from the LRS (paged)."""
    after = {"since": since.astimezone(UTC).isoformat()} if since else {}
    found: dict[str, dict[str, Any]] = {}
    for iri in deck_iris:
        query = {"activity": iri, "related_activities": "true", "limit": str(PAGE), **after}
        for st in client.statements(query):
            found.setdefault(str(st.get("id")), st)
    # Voiding statements point at statements, not activities, so they are asked for apart.
    for st in client.statements({"verb": VOIDED, "limit": str(PAGE), **after}):
        found.setdefault(str(st.get("id")), st)
    return list(found.values())


def pull(
    store: Store,
    client: LrsClient,
    now: datetime,
    *,
    decks: Sequence[str] | None = None,
    since: datetime | None = None,
) -> tuple[Gathered, list[ImportReport]]:
    """Read the class's statements for these decks (default: all here) and merge them."""
    end = client.endpoint
    profile = Profile(end.home_page, end.activity_base)
    chosen = list(decks) if decks is not None else store.deck_ids()
    statements = fetch(client, [profile.deck_iri(d) for d in chosen], since)
    gathered = gather(statements, end.url, end.home_page)
    wanted = set(chosen)
    gathered.files = [
        ProgressFile(
            f.path,
            f.learner,
            f.exported_at,
            {k: v for k, v in f.decks.items() if k in wanted},
            [r for r in f.reviews if r.deck_id in wanted],
            attempts=f.attempts,
        )
        for f in gathered.files
    ]
    return gathered, import_progress(store, gathered.files, now, gathered.voided)


# Statement files: for an LRS fed by upload, and read back by `quiz progress import`.


def learner_statements(
    store: Store, learner: str, profile: Profile, decks: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """A learner's reviews (in these decks) as statements, oldest first; all decks: exams too."""
    out = []
    for row in store.export_rows(learner, decks):
        review = store.review(row[0])
        item = store.stored_item(row[1], row[2])
        if review is not None and item is not None:
            out.append(answered(review, item, profile))
    # Exam attempts as progress files carry them: only in an export of every deck.
    if decks is None:
        for record in store.exam_attempts(learner=learner):
            out.extend(attempt_statements(store, record, profile) or [])
    return out


def write_statements_file(
    store: Store, learner: str, profile: Profile, path: Path | None, decks: Sequence[str] | None
) -> tuple[int, str]:
    """Write a learner's statements as a JSON array (to `path`, else return the text)."""
    statements = learner_statements(store, learner, profile, decks)
    if not statements:
        raise ProgressFileError(f"learner '{learner}' has no reviews to export in this database")
    text = json.dumps(statements, ensure_ascii=False, indent=1) + "\n"
    if path is None:
        return len(statements), text
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise ProgressFileError(f"{path}: cannot write the statements: {exc.strerror}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return len(statements), ""


def is_statements_file(path: Path) -> bool:
    """True when the file looks like xAPI statements (a JSON array or a statement result)."""
    try:
        # Opened as progress files are: a FIFO or a device is never waited on or read.
        with validate.open_bounded(str(path)) as f:
            start = f.read(64).lstrip()
    except (validate.InvalidFile, OSError):
        return False
    return start.startswith(b"[") or start.startswith(b'{"statements"')


def read_statements_file(path: Path) -> Gathered:
    """Read a file of xAPI statements; any problem raises ProgressFileError with its place."""
    try:
        with validate.open_bounded(str(path)) as file:
            raw = file.read(validate.MAX_FILE_BYTES + 1)
    except validate.InvalidFile as exc:
        raise ProgressFileError(f"{path}: error: {exc}") from exc
    if len(raw) > validate.MAX_FILE_BYTES:
        raise ProgressFileError(f"{path}: error: the file is over {validate.MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
        data = bounded_json(text, STATEMENT_DEPTH)
        # A lone surrogate (a \ud800 escape) is no character: no text can store or print it.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeError as exc:
        raise ProgressFileError(f"{path}:1:1: error: the file is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise ProgressFileError(f"{path}:{exc.lineno}:{exc.colno}: error: {exc.msg}") from exc
    except ValueError as exc:
        raise ProgressFileError(f"{path}:1:1: error: invalid JSON: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("statements")
    if not isinstance(data, list) or not all(isinstance(s, dict) for s in data):
        raise ProgressFileError(f"{path}:1:1: error: not a list of xAPI statements")
    gathered = gather(data, str(path))
    if not gathered.files and not gathered.voided and not gathered.refused:
        raise ProgressFileError(f"{path}:1:1: error: no quiz statements in the file")
    return gathered

"""Exam attempts and responses: their own tables, never the review log."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from quiz.store.base import StoreBase, dt, ts


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt at an exam, as stored."""

    id: str
    exam_id: str
    learner: str
    exam_title: str | None
    exam_path: str | None
    seed: int
    started_at: datetime
    deadline: datetime | None
    submitted_at: datetime | None
    submitted_by: str | None
    settings: dict[str, Any]
    score: float | None
    max_score: float | None

    @property
    def grade(self) -> float | None:
        """The share of the marks earned, once submitted."""
        if self.score is None or not self.max_score:
            return None
        return self.score / self.max_score


@dataclass(frozen=True)
class ResponseRecord:
    """One question of an attempt with the learner's answer so far."""

    attempt_id: str
    position: int
    deck_id: str
    item_key: str
    options: tuple[str, ...]
    response: Any  # None: unanswered
    flagged: bool
    answered_at: datetime | None
    changes: int
    seconds: float
    mark: float | None


_ATTEMPT_COLUMNS = (
    "id, exam_id, learner, exam_title, exam_path, seed, started_at, deadline, submitted_at, "
    "submitted_by, settings, score, max_score"
)
_RESPONSE_COLUMNS = (
    "attempt_id, position, deck_id, item_key, options, response, flagged, answered_at, changes, "
    "seconds, mark"
)


def _attempt(row: Sequence[Any]) -> AttemptRecord:
    started = dt(row[6])
    assert started is not None
    return AttemptRecord(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        int(row[5]),
        started,
        dt(row[7]),
        dt(row[8]),
        row[9],
        json.loads(row[10]),
        row[11],
        row[12],
    )


def _response(row: Sequence[Any]) -> ResponseRecord:
    return ResponseRecord(
        row[0],
        int(row[1]),
        row[2],
        row[3],
        tuple(json.loads(row[4])),
        json.loads(row[5]) if row[5] is not None else None,
        bool(row[6]),
        dt(row[7]),
        int(row[8]),
        float(row[9]),
        row[10],
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class ExamRecords(StoreBase):
    """The exam tables; every write in one `atomic` transaction."""

    def insert_exam_attempt(
        self, attempt: AttemptRecord, questions: Iterable[tuple[str, str, tuple[str, ...]]]
    ) -> None:
        """Store a new attempt with its questions (deck id, item key, options shown)."""
        with self.atomic():
            self.conn.execute(
                f"INSERT INTO exam_attempts ({_ATTEMPT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt.id,
                    attempt.exam_id,
                    attempt.learner,
                    attempt.exam_title,
                    attempt.exam_path,
                    attempt.seed,
                    ts(attempt.started_at),
                    ts(attempt.deadline),
                    ts(attempt.submitted_at),
                    attempt.submitted_by,
                    _json(attempt.settings),
                    attempt.score,
                    attempt.max_score,
                ),
            )
            self.conn.executemany(
                "INSERT INTO exam_responses (attempt_id, position, deck_id, item_key, options) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (attempt.id, position, deck_id, key, _json(list(options)))
                    for position, (deck_id, key, options) in enumerate(questions)
                ],
            )

    def save_exam_response(
        self, attempt_id: str, position: int, response: Any, at: datetime, seconds: float
    ) -> bool:
        """Save (None: clear) the answer to a question; False when the attempt is closed."""
        with self.atomic():
            if not self._is_open(attempt_id):
                return False
            self.conn.execute(
                "UPDATE exam_responses SET response = ?, answered_at = ?, changes = changes + 1, "
                "seconds = seconds + ? WHERE attempt_id = ? AND position = ?",
                (
                    _json(response) if response is not None else None,
                    ts(at),
                    max(0.0, seconds),
                    attempt_id,
                    position,
                ),
            )
            return True

    def add_exam_time(self, attempt_id: str, position: int, seconds: float) -> None:
        """Count time spent on a question the learner left without saving an answer."""
        with self.atomic(durable=False):
            if self._is_open(attempt_id):
                self.conn.execute(
                    "UPDATE exam_responses SET seconds = seconds + ? "
                    "WHERE attempt_id = ? AND position = ?",
                    (max(0.0, seconds), attempt_id, position),
                )

    def flag_exam_question(self, attempt_id: str, position: int, flagged: bool) -> None:
        """Flag a question for review, or clear the flag."""
        with self.atomic():
            if self._is_open(attempt_id):
                self.conn.execute(
                    "UPDATE exam_responses SET flagged = ? WHERE attempt_id = ? AND position = ?",
                    (int(flagged), attempt_id, position),
                )

    def finish_exam_attempt(
        self,
        attempt_id: str,
        submitted_at: datetime,
        submitted_by: str,
        marks: Sequence[float],
    ) -> bool:
        """Close an open attempt with each question's mark; False when it was closed already."""
        with self.atomic():
            if not self._is_open(attempt_id):
                return False
            self.conn.executemany(
                "UPDATE exam_responses SET mark = ? WHERE attempt_id = ? AND position = ?",
                [(mark, attempt_id, position) for position, mark in enumerate(marks)],
            )
            self.conn.execute(
                "UPDATE exam_attempts SET submitted_at = ?, submitted_by = ?, score = ?, "
                "max_score = ? WHERE id = ?",
                (ts(submitted_at), submitted_by, sum(marks), float(len(marks)), attempt_id),
            )
            return True

    def _is_open(self, attempt_id: str) -> bool:
        row = self.conn.execute(
            "SELECT submitted_at FROM exam_attempts WHERE id = ?", (attempt_id,)
        ).fetchone()
        return row is not None and row[0] is None

    def exam_attempt(self, attempt_id: str) -> AttemptRecord | None:
        """One attempt by id."""
        row = self.conn.execute(
            f"SELECT {_ATTEMPT_COLUMNS} FROM exam_attempts WHERE id = ?", (attempt_id,)
        ).fetchone()
        return _attempt(row) if row else None

    def open_exam_attempt(self, exam_id: str, learner: str) -> AttemptRecord | None:
        """The learner's attempt at the exam not yet submitted, if any."""
        row = self.conn.execute(
            f"SELECT {_ATTEMPT_COLUMNS} FROM exam_attempts "
            "WHERE exam_id = ? AND learner = ? AND submitted_at IS NULL "
            "ORDER BY started_at DESC LIMIT 1",
            (exam_id, learner),
        ).fetchone()
        return _attempt(row) if row else None

    def exam_attempts(
        self, exam_id: str | None = None, learner: str | None = None
    ) -> list[AttemptRecord]:
        """Attempts, oldest first, of one exam and learner or of all."""
        rows = self.conn.execute(
            f"SELECT {_ATTEMPT_COLUMNS} FROM exam_attempts "
            "WHERE (? IS NULL OR exam_id = ?) AND (? IS NULL OR learner = ?) "
            "ORDER BY exam_id, learner, started_at, id",
            (exam_id, exam_id, learner, learner),
        ).fetchall()
        return [_attempt(r) for r in rows]

    def exam_responses(self, attempt_id: str) -> list[ResponseRecord]:
        """An attempt's questions in the order asked."""
        rows = self.conn.execute(
            f"SELECT {_RESPONSE_COLUMNS} FROM exam_responses WHERE attempt_id = ? "
            "ORDER BY position",
            (attempt_id,),
        ).fetchall()
        return [_response(r) for r in rows]

    def exam_ids(self) -> list[str]:
        """Every exam with an attempt in the database."""
        rows = self.conn.execute("SELECT DISTINCT exam_id FROM exam_attempts ORDER BY exam_id")
        return [r[0] for r in rows]

    def import_exam_attempt(
        self, attempt: AttemptRecord, responses: Sequence[ResponseRecord]
    ) -> bool:
        """Add an attempt from a progress file unless its id is here already; True when added."""
        with self.atomic():
            known = self.conn.execute(
                "SELECT 1 FROM exam_attempts WHERE id = ?", (attempt.id,)
            ).fetchone()
            if known:
                return False
            self.insert_exam_attempt(
                attempt, [(r.deck_id, r.item_key, r.options) for r in responses]
            )
            self.conn.executemany(
                "UPDATE exam_responses SET response = ?, flagged = ?, answered_at = ?, "
                "changes = ?, seconds = ?, mark = ? WHERE attempt_id = ? AND position = ?",
                [
                    (
                        _json(r.response) if r.response is not None else None,
                        int(r.flagged),
                        ts(r.answered_at),
                        r.changes,
                        r.seconds,
                        r.mark,
                        attempt.id,
                        r.position,
                    )
                    for r in responses
                ],
            )
            return True

"""Exam attempts in progress files: one JSON line per submitted attempt, with its responses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from quiz.store.base import ts
from quiz.store.database import Store
from quiz.store.exams import AttemptRecord, ResponseRecord

KIND = "exam_attempt"
# The progress file version a file with attempts is written as; files without stay version 1.
VERSION = 2
ATTEMPT_KEYS = (
    "kind",
    "id",
    "exam_id",
    "exam_title",
    "exam_path",
    "seed",
    "started_at",
    "deadline",
    "submitted_at",
    "submitted_by",
    "settings",
    "score",
    "max_score",
    "responses",
)
RESPONSE_KEYS = (
    "position",
    "deck_id",
    "item_key",
    "options",
    "response",
    "flagged",
    "answered_at",
    "changes",
    "seconds",
    "mark",
)
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def attempt_lines(store: Store, learner: str) -> list[dict[str, Any]]:
    """The learner's submitted attempts as progress-file lines; open ones stay on this machine."""
    out = []
    for a in store.exam_attempts(learner=learner):
        if a.submitted_at is None:
            continue
        out.append(
            {
                "kind": KIND,
                "id": a.id,
                "exam_id": a.exam_id,
                "exam_title": a.exam_title,
                "exam_path": a.exam_path,
                "seed": a.seed,
                "started_at": ts(a.started_at),
                "deadline": ts(a.deadline),
                "submitted_at": ts(a.submitted_at),
                "submitted_by": a.submitted_by,
                "settings": a.settings,
                "score": a.score,
                "max_score": a.max_score,
                "responses": [
                    {
                        "position": r.position,
                        "deck_id": r.deck_id,
                        "item_key": r.item_key,
                        "options": list(r.options),
                        "response": r.response,
                        "flagged": r.flagged,
                        "answered_at": ts(r.answered_at),
                        "changes": r.changes,
                        "seconds": r.seconds,
                        "mark": r.mark,
                    }
                    for r in store.exam_responses(a.id)
                ],
            }
        )
    return out


def is_attempt_line(value: object) -> bool:
    """True for a progress-file line that holds an exam attempt rather than a review."""
    return isinstance(value, dict) and value.get("kind") == KIND


def _time(value: object, key: str, required: bool = True) -> datetime | None:
    if value is None and not required:
        return None
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise ValueError(f"'{key}' must be an ISO 8601 time with a UTC offset")
    return when


def _number(value: object, key: str, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"'{key}' must be a number")
    return float(value)


def _text(value: object, key: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"'{key}' must be non-empty text")
    return value


def read_attempt(value: dict[str, Any], learner: str) -> tuple[AttemptRecord, list[ResponseRecord]]:
    """An attempt line checked; ValueError says what is wrong with it."""
    missing = [k for k in ATTEMPT_KEYS if k not in value]
    if missing:
        raise ValueError(f"exam attempt lacks '{missing[0]}'")
    unknown = sorted(set(value) - set(ATTEMPT_KEYS))
    if unknown:
        raise ValueError(f"exam attempt has an unknown key '{unknown[0]}'")
    if not isinstance(value["id"], str) or not _ID.fullmatch(value["id"]):
        raise ValueError("'id' must be 1 to 64 letters, digits, '-' or '_'")
    if isinstance(value["seed"], bool) or not isinstance(value["seed"], int):
        raise ValueError("'seed' must be a whole number")
    if not isinstance(value["settings"], dict):
        raise ValueError("'settings' must be an object")
    submitted = _time(value["submitted_at"], "submitted_at")
    started = _time(value["started_at"], "started_at")
    assert started is not None
    record = AttemptRecord(
        id=value["id"],
        exam_id=_text(value["exam_id"], "exam_id") or "",
        learner=learner,
        exam_title=_text(value["exam_title"], "exam_title", optional=True),
        exam_path=_text(value["exam_path"], "exam_path", optional=True),
        seed=value["seed"],
        started_at=started,
        deadline=_time(value["deadline"], "deadline", required=False),
        submitted_at=submitted,
        submitted_by=_text(value["submitted_by"], "submitted_by", optional=True),
        settings=value["settings"],
        score=_number(value["score"], "score"),
        max_score=_number(value["max_score"], "max_score"),
    )
    if not isinstance(value["responses"], list) or not value["responses"]:
        raise ValueError("'responses' must be a list of the attempt's questions")
    responses = []
    for position, r in enumerate(value["responses"]):
        if not isinstance(r, dict) or sorted(r) != sorted(RESPONSE_KEYS):
            raise ValueError(
                f"response {position + 1} must have exactly {', '.join(RESPONSE_KEYS)}"
            )
        if r["position"] != position:
            raise ValueError(f"response {position + 1} is out of order")
        if not isinstance(r["options"], list) or not all(isinstance(o, str) for o in r["options"]):
            raise ValueError(f"response {position + 1}: 'options' must be a list of text")
        changes = r["changes"]
        if isinstance(changes, bool) or not isinstance(changes, int) or changes < 0:
            raise ValueError(f"response {position + 1}: 'changes' must be a whole number")
        responses.append(
            ResponseRecord(
                attempt_id=record.id,
                position=position,
                deck_id=_text(r["deck_id"], "deck_id") or "",
                item_key=_text(r["item_key"], "item_key") or "",
                options=tuple(r["options"]),
                response=r["response"],
                flagged=bool(r["flagged"]),
                answered_at=_time(r["answered_at"], "answered_at", required=False),
                changes=changes,
                seconds=_number(r["seconds"], "seconds") or 0.0,
                mark=_number(r["mark"], "mark", optional=True),
            )
        )
    return record, responses

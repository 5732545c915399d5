"""xAPI statements for exam attempts: attempted, completed, passed or failed, and each answer."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from quiz.deck.model import Item
from quiz.store.exams import AttemptRecord, ResponseRecord
from quiz.xapi.statements import (
    ANSWERED,
    ASSESSMENT,
    EXT,
    EXT_CARD,
    EXT_DECK,
    EXT_ITEM,
    EXT_RESPONSE,
    NAMESPACE,
    Profile,
    actor,
    deck_activity,
    interaction,
    iso_duration,
    item_activity,
    statement_id,
    timestamp,
)

VERBS = "http://adlnet.gov/expapi/verbs"
ATTEMPTED = f"{VERBS}/attempted"
COMPLETED = f"{VERBS}/completed"
PASSED = f"{VERBS}/passed"
FAILED = f"{VERBS}/failed"
EXAM_VERBS = (ATTEMPTED, COMPLETED, PASSED, FAILED)
EXT_ATTEMPT_ID = f"{EXT}/attempt-id"
EXT_EXAM = f"{EXT}/exam-id"
EXT_POSITION = f"{EXT}/position"
# The whole submitted attempt, as a progress file carries it: the instructor's database gets
# it back exactly, through the same reader and merge as progress files.
EXT_ATTEMPT = f"{EXT}/exam-attempt"


def registration(attempt_id: str) -> str:
    """The attempt's registration: its id when a UUID, else a UUID derived from it."""
    return statement_id(attempt_id)


def exam_statement_id(attempt_id: str, verb: str, position: int | None = None) -> str:
    """A stable id for one of an attempt's statements: the same on every try and machine."""
    name = verb.rsplit("/", 1)[-1]
    place = "" if position is None else f":{position}"
    return str(uuid.uuid5(NAMESPACE, f"exam:{attempt_id}:{name}{place}"))


def _exam(record: AttemptRecord, profile: Profile) -> dict[str, Any]:
    title = record.exam_title or record.exam_id
    return {
        "objectType": "Activity",
        "id": profile.exam_iri(record.exam_id),
        "definition": {"type": ASSESSMENT, "name": {"und": title[:500]}},
    }


def _context(
    record: AttemptRecord, profile: Profile, deck_ids: Sequence[str], **activities: Any
) -> dict[str, Any]:
    # The decks as grouping: an instructor's pull, which asks by deck, finds the attempt too.
    grouping = [deck_activity(d, profile) for d in sorted(set(deck_ids))]
    return {
        "registration": registration(record.id),
        "platform": "quiz",
        "contextActivities": {**activities, "grouping": grouping},
        "extensions": {EXT_ATTEMPT_ID: record.id, EXT_EXAM: record.exam_id},
    }


def _statement(
    record: AttemptRecord,
    profile: Profile,
    verb: str,
    deck_ids: Sequence[str],
    at: datetime,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": exam_statement_id(record.id, verb),
        "actor": actor(record.learner, profile.home_page),
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": _exam(record, profile),
        "context": _context(record, profile, deck_ids),
        "timestamp": timestamp(at),
    }
    if result is not None:
        statement["result"] = result
    return statement


def attempted(record: AttemptRecord, profile: Profile, deck_ids: Sequence[str]) -> dict[str, Any]:
    """The statement that the learner started an attempt."""
    return _statement(record, profile, ATTEMPTED, deck_ids, record.started_at)


def submission(
    record: AttemptRecord,
    responses: Sequence[ResponseRecord],
    items: Sequence[Item],
    profile: Profile,
    line: Mapping[str, Any],
    passed: bool | None,
) -> list[dict[str, Any]]:
    """A submitted attempt's statements: each answer, completed, then passed or failed."""
    at = record.submitted_at
    if at is None or record.score is None or record.max_score is None:
        return []
    decks = [r.deck_id for r in responses]
    out = [
        _question(record, r, item, profile, at)
        for r, item in zip(responses, items, strict=True)
        if r.response is not None
    ]
    score = {
        "raw": round(record.score, 4),
        "min": 0,
        "max": round(record.max_score, 4),
        "scaled": round(record.grade or 0.0, 4),
    }
    seconds = max(0, round((at - record.started_at).total_seconds() * 1000))
    result: dict[str, Any] = {
        "score": score,
        "completion": True,
        "duration": iso_duration(seconds),
        # The file's name only: the learner's folders say more about them than a report needs.
        "extensions": {EXT_ATTEMPT: _private(line)},
    }
    if passed is not None:
        result["success"] = passed
    out.append(_statement(record, profile, COMPLETED, decks, at, result))
    if passed is not None:
        verdict = {"score": score, "success": passed}
        out.append(_statement(record, profile, PASSED if passed else FAILED, decks, at, verdict))
    return out


def _private(line: Mapping[str, Any]) -> dict[str, Any]:
    path = line.get("exam_path")
    name = PurePath(path).name if isinstance(path, str) else ""
    return {**line, "exam_path": name or None}


def _question(
    record: AttemptRecord, r: ResponseRecord, item: Item, profile: Profile, at: datetime
) -> dict[str, Any]:
    """One answered question of a submitted attempt, for item analysis in the LRS."""
    about = interaction(item, r.response)
    mark = round(r.mark or 0.0, 4)
    result: dict[str, Any] = {
        "score": {"raw": mark, "min": 0, "max": 1, "scaled": mark},
        "success": mark >= 1.0,
        "duration": iso_duration(max(0, round(r.seconds * 1000))),
        "extensions": {EXT_RESPONSE: r.response},
    }
    if about.response is not None:
        result["response"] = about.response
    context = _context(record, profile, [r.deck_id], parent=[_exam(record, profile)])
    context["extensions"] |= {
        EXT_POSITION: r.position,
        EXT_DECK: r.deck_id,
        EXT_ITEM: r.item_key,
        EXT_CARD: item.card.id,
    }
    return {
        "id": exam_statement_id(record.id, ANSWERED, r.position),
        "actor": actor(record.learner, profile.home_page),
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": item_activity(item, about, profile),
        "result": result,
        "context": context,
        "timestamp": timestamp(r.answered_at or at),
    }


@dataclass(frozen=True)
class ReadExamStatement:
    """What pulling needs of one of an attempt's statements."""

    learner: str
    home_page: str
    verb: str
    attempt: dict[str, Any] | None  # the attempt's progress-file line, on `completed`


def read_exam_statement(statement: Mapping[str, Any]) -> ReadExamStatement | None:
    """An exam attempt's statement of quiz, read; None for any other statement."""
    try:
        if EXT_ATTEMPT_ID not in statement["context"]["extensions"]:
            return None
        verb = str(statement["verb"]["id"])
        account = statement["actor"]["account"]
        line = None
        if verb == COMPLETED:
            value = statement["result"]["extensions"][EXT_ATTEMPT]
            line = value if isinstance(value, dict) else None
        return ReadExamStatement(str(account["name"]), str(account["homePage"]), verb, line)
    except (KeyError, TypeError, AttributeError):
        return None

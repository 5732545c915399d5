"""Queueing statements with the reviews they describe, inside answering's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from quiz.deck.model import Item
from quiz.exams.exchange import attempt_lines
from quiz.store.database import Store
from quiz.store.exams import AttemptRecord
from quiz.store.reviews import ReviewRecord
from quiz.xapi.exams import attempted, submission
from quiz.xapi.statements import Profile, actor, answered, voiding

# Settings keys in the database (`quiz lrs set`); the credentials are kept elsewhere.
ENDPOINT = "endpoint"
HOME_PAGE = "home_page"
ACTIVITY_BASE = "activity_base"


def profile(settings: dict[str, str]) -> Profile | None:
    """The learner's xAPI profile, or None while no LRS is set (then nothing is queued)."""
    if ENDPOINT not in settings or HOME_PAGE not in settings:
        return None
    home = settings[HOME_PAGE]
    return Profile(home, settings.get(ACTIVITY_BASE) or default_activity_base(home))


def default_activity_base(home_page: str) -> str:
    """Where a quiz's activities live unless set: under the institution's home page."""
    return f"{home_page.rstrip('/')}/quiz"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def queue_review(store: Store, review: ReviewRecord, item: Item | None, now: datetime) -> None:
    """Queue a review's statement, inside the caller's transaction, if an LRS is set."""
    settings = profile(store.lrs_settings())
    if settings is None:
        return
    if item is None:
        item = store.stored_item(review.deck_id, review.item_key)
        if item is None:
            return
    statement = answered(review, item, settings)
    who = statement["actor"]
    store.queue_statement(
        statement["id"], review.id, review.learner, _json(who), _json(statement), now
    )


def queue_exam_start(store: Store, record: AttemptRecord, deck_ids: Sequence[str]) -> None:
    """Queue the `attempted` statement of a new attempt, inside the caller's transaction."""
    settings = profile(store.lrs_settings())
    if settings is not None:
        queue_exam_statement(
            store, record, attempted(record, settings, deck_ids), record.started_at
        )


def queue_exam_submission(store: Store, attempt_id: str, items: Sequence[Item]) -> None:
    """Queue a submitted attempt's statements, inside the transaction that submits it."""
    settings = profile(store.lrs_settings())
    record = store.exam_attempt(attempt_id)
    if settings is None or record is None or record.submitted_at is None:
        return
    for statement in submitted(store, record, items, settings):
        queue_exam_statement(store, record, statement, record.submitted_at)


def submitted(
    store: Store, record: AttemptRecord, items: Sequence[Item], settings: Profile
) -> list[dict[str, Any]]:
    """The statements of a submitted attempt (none for an open one), as stored now."""
    # Imported here: quiz.exams.attempt calls this module as it submits.
    from quiz.exams.attempt import passed

    if record.submitted_at is None:
        return []
    line = next(a for a in attempt_lines(store, record.learner) if a["id"] == record.id)
    responses = store.exam_responses(record.id)
    return submission(record, responses, items, settings, line, passed(record))


def attempt_statements(
    store: Store,
    record: AttemptRecord,
    settings: Profile,
    item: Callable[[str, str], Item | None] | None = None,
) -> list[dict[str, Any]] | None:
    """Every statement of an attempt as stored now; None if one of its items is gone."""
    find = item or store.stored_item
    responses = store.exam_responses(record.id)
    found = [find(r.deck_id, r.item_key) for r in responses]
    items = [i for i in found if i is not None]
    if len(items) < len(found):
        return None
    started = attempted(record, settings, [r.deck_id for r in responses])
    return [started, *submitted(store, record, items, settings)]


def queue_exam_statement(
    store: Store, record: AttemptRecord, statement: dict[str, Any], now: datetime
) -> None:
    """Queue one of an attempt's statements, inside the caller's transaction."""
    store.queue_statement(
        statement["id"], None, record.learner, _json(statement["actor"]), _json(statement), now
    )


def withdraw_review(store: Store, review_id: str, learner: str, now: datetime) -> None:
    """An undone review: drop its queued statement, or queue the voiding of the one sent."""
    sent = store.withdraw_statement(review_id)
    if sent is not None:
        queue_voiding(store, sent[0], sent[1], learner, now)


def queue_voiding(store: Store, target: str, who: str, learner: str, now: datetime) -> None:
    """Queue the statement voiding statement `target`, inside the caller's transaction."""
    statement = voiding(target, json.loads(who), now)
    store.queue_statement(statement["id"], None, learner, who, _json(statement), now)


def learner_actor(learner: str, home_page: str) -> str:
    """The actor JSON of a learner, as queued."""
    return _json(actor(learner, home_page))

"""Cramming: answers logged as practice, with feedback, that never change an item's schedule.

The same three functions as `quiz.study.answering`, so a session crams by answering through
this module instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from quiz.deck.model import Item
from quiz.grading import Grade, Response
from quiz.scheduler import Rating, Scheduler
from quiz.store.database import Store
from quiz.store.reviews import ReviewRecord
from quiz.study.answering import jsonable

_MS = timedelta(milliseconds=1)


def answer(
    store: Store,
    scheduler: Scheduler,
    learner: str,
    item: Item,
    rating: Rating,
    *,
    result: Grade | None,
    response: Response | None,
    shown_at: datetime | None,
    clock: Callable[[], datetime],
) -> ReviewRecord:
    """Log a practice answer; the item's stored state is read, and left as it was."""
    with store.atomic():
        before = store.state(learner, item.deck_id, item.key)
        now = clock()
        after = before or Scheduler.new_state(now)
        if after.is_learning:
            # Its stored steps are untouched; this session's queue must not bring it back now.
            after = replace(after, due=now + timedelta(days=1))
        shown = shown_at or now
        record = ReviewRecord(
            id=uuid.uuid4().hex,
            learner=learner,
            deck_id=item.deck_id,
            item_key=item.key,
            card_id=item.card.id,
            reviewed_at=now,
            rating=int(rating),
            outcome=result.outcome.value if result else None,
            response=jsonable(response),
            duration_ms=max(0, int(min(now - shown, scheduler.settings.answer_time_cap) / _MS)),
            first=False,
            state_before=before,
            state_after=after,
        )
        store.insert_practice(record)
    return record


def rerate(
    store: Store, scheduler: Scheduler, review_id: str, rating: Rating
) -> ReviewRecord | None:
    """Change a practice answer's rating (there is no schedule to replay)."""
    if not store.rerate_practice(review_id, int(rating)):
        return None
    return store.practice_record(review_id)


def undo(store: Store, scheduler: Scheduler, review_id: str) -> bool:
    """Take a practice answer back."""
    return store.delete_practice(review_id)

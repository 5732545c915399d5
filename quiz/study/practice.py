"""Cramming: answers logged as practice, with feedback, that never change an item's schedule.

The same three functions as `quiz.study.answering`, so a session crams by answering through
this module instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from quiz.deck.model import Item
from quiz.grading import Grade, Response
from quiz.scheduler import Rating, Scheduler
from quiz.store.database import Store
from quiz.store.reviews import ReviewRecord
from quiz.study.answering import new_record


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
        record = new_record(
            scheduler, learner, item, rating, result, response, shown_at, now, before, after
        )
        # Practice is never an item's first answer: that is kept for the real schedule.
        record = replace(record, first=False)
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

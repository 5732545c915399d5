"""Answering: each answer, rerating and undo is one transaction that reads, schedules and writes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from quiz.deck.model import Item
from quiz.grading import Grade, Response
from quiz.scheduler import CardState, Rating, Scheduler, fuzz_seed, utc_now
from quiz.store.database import Store
from quiz.store.reviews import ItemReview, ReviewRecord
from quiz.study.leeches import mark_leech
from quiz.xapi.outbox import queue_review, withdraw_review

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
    """Rate an item from its stored state and save the review and the new state."""
    with store.atomic():
        # Read inside the write lock, not taken from the queue: another session may have
        # reviewed the item since it was queued.
        before = store.state(learner, item.deck_id, item.key)
        # The clock too, so one item's reviews are stored in the order they happened.
        now = clock()
        # Fuzz seeded by learner and item (and, in the scheduler, the reviews so far), as the
        # preview on the rating was: what the learner was shown is what is stored.
        seed = fuzz_seed(learner, item.deck_id, item.key)
        after = scheduler.review(before or Scheduler.new_state(now), rating, now, seed=seed)
        review = new_record(
            scheduler, learner, item, rating, result, response, shown_at, now, before, after
        )
        store.insert_review(review)
        # In the same transaction: an answer never leaves a leech unmarked.
        mark_leech(store, scheduler.settings, learner, (item.deck_id, item.key), before, after, now)
        # The statement commits with the review or not at all (the transactional outbox).
        queue_review(store, review, item, now)
    return review


def new_record(
    scheduler: Scheduler,
    learner: str,
    item: Item,
    rating: Rating,
    result: Grade | None,
    response: Response | None,
    shown_at: datetime | None,
    now: datetime,
    before: CardState | None,
    after: CardState,
) -> ReviewRecord:
    """The record of an answer given `now` to an item shown at `shown_at`, under a new id."""
    shown = shown_at or now
    return ReviewRecord(
        id=uuid.uuid4().hex,
        learner=learner,
        deck_id=item.deck_id,
        item_key=item.key,
        card_id=item.card.id,
        reviewed_at=now,
        rating=int(rating),
        outcome=result.outcome.value if result else None,
        response=jsonable(response),
        # A card left open is not study time: the learner's cap (Anki's "maximum answer
        # time", 60 s by default) bounds what one answer adds to time spent.
        duration_ms=max(0, int(min(now - shown, scheduler.settings.answer_time_cap) / _MS)),
        first=before is None or before.is_new,
        state_before=before,
        state_after=after,
    )


def rerate(
    store: Store, scheduler: Scheduler, review_id: str, rating: Rating
) -> ReviewRecord | None:
    """Give a review another rating (under a new id); later reviews of its item are replayed."""
    with store.atomic():
        old = store.review(review_id)
        if old is None:
            return None
        later = store.later_reviews(old)
        states = scheduler.replay(
            [(old.reviewed_at, rating), *((at, r) for _, at, r in later)],
            old.state_before,
            seed=fuzz_seed(old.learner, old.deck_id, old.item_key),
        )
        new = replace(old, id=uuid.uuid4().hex, rating=int(rating), state_after=states[0][1])
        store.delete_review(review_id)
        store.insert_review(new, put_state=False)
        _rewrite(store, old.learner, old.deck_id, old.item_key, later, states[1:], new.state_after)
        # Under its new id the review is a new statement; the old one is voided or dropped.
        withdraw_review(store, review_id, old.learner, utc_now())
        queue_review(store, new, None, utc_now())
    return new


def undo(store: Store, scheduler: Scheduler, review_id: str) -> bool:
    """Remove a review and restore the item's state without it; False if not found."""
    with store.atomic():
        old = store.review(review_id)
        if old is None:
            return False
        later = store.later_reviews(old)
        store.delete_review(review_id)
        withdraw_review(store, review_id, old.learner, utc_now())
        replay_item(
            store, scheduler, old.learner, old.deck_id, old.item_key, later, old.state_before
        )
    return True


def replay_item(
    store: Store,
    scheduler: Scheduler,
    learner: str,
    deck_id: str,
    item_key: str,
    reviews: list[ItemReview],
    start: CardState | None,
) -> None:
    """Recompute an item's reviews (in time order) from `start`, inside the caller's transaction."""
    seed = fuzz_seed(learner, deck_id, item_key)
    states = scheduler.replay([(at, rating) for _, at, rating in reviews], start, seed=seed)
    _rewrite(store, learner, deck_id, item_key, reviews, states, start)


def _rewrite(
    store: Store,
    learner: str,
    deck_id: str,
    item_key: str,
    reviews: list[ItemReview],
    states: list[tuple[CardState | None, CardState]],
    start: CardState | None,
) -> None:
    replayed = [
        (rid, before, after) for (rid, _, _), (before, after) in zip(reviews, states, strict=True)
    ]
    end = states[-1][1] if states else start
    store.rewrite_history(learner, deck_id, item_key, replayed, end)


def jsonable(response: Response | None) -> object:
    """A response as the log keeps it (JSON-ready)."""
    if response is None or isinstance(response, str | bool):
        return response
    if isinstance(response, Mapping):
        return dict(response)
    return list(response)

"""Merging one learner into another: reviews and marks join, states are replayed."""

from __future__ import annotations

from quiz.deck.model import Settings
from quiz.scheduler import Scheduler
from quiz.store.database import Store
from quiz.study.answering import replay_item
from quiz.study.learner import learner_scheduler


def merge_learners(store: Store, into: str, source: str) -> list[str]:
    """Move `source`'s history to `into` and replay the items either studied, in one transaction.

    Returns the tables where some of `source`'s rows stayed under its name because `into` had the
    same row (a setting, fitted parameters): nothing is dropped.
    """
    with store.atomic():
        items = set(store.learner_items(source))
        # States and marks are rebuilt from the joined events, so the source's own are dropped.
        for deck_id, key in items:
            store.delete_state(source, deck_id, key)
        store.drop_item_marks(source)
        kept = store.move_learner_rows(source, into)
        # The merged learner's own FSRS for each deck (their settings, as moved in above, and
        # fitted parameters), with the fuzz seeded as study seeds it, as a progress import replays.
        schedulers: dict[str, Scheduler] = {}
        for deck_id, key in sorted(items):
            if deck_id not in schedulers:
                deck = store.deck_settings(deck_id) or Settings()
                schedulers[deck_id] = learner_scheduler(store, into, deck_id, deck)
            reviews = store.item_reviews(into, deck_id, key)
            forgotten = store.last_forgotten(into, deck_id, key)
            if forgotten is not None:
                reviews = [r for r in reviews if r[1] > forgotten]
            replay_item(store, schedulers[deck_id], into, deck_id, key, reviews, None)
            store.refold_marks(into, deck_id, key)
        if not kept:
            store.delete_learner(source)
    return kept

"""Backfilling: a learner's answers and exam attempts from before `quiz lrs set`, on request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quiz.deck.model import Item
from quiz.store.database import Store
from quiz.store.exams import AttemptRecord
from quiz.xapi.exams import ATTEMPTED, COMPLETED, exam_statement_id
from quiz.xapi.outbox import attempt_statements, profile, queue_exam_statement, queue_review


@dataclass
class Backfilled:
    """What a backfill queued, and what it could not."""

    reviews: int = 0
    attempts: int = 0
    skipped: int = 0  # reviews and attempts whose items are no longer in the database


def _key_ids(record: AttemptRecord) -> list[str]:
    """The statements that say an attempt was queued: `attempted`, and `completed` once done."""
    ids = [exam_statement_id(record.id, ATTEMPTED)]
    if record.submitted_at is not None:
        ids.append(exam_statement_id(record.id, COMPLETED))
    return ids


def _unqueued_attempts(store: Store, learner: str) -> list[AttemptRecord]:
    records = store.exam_attempts(learner=learner)
    known = store.known_statements([i for r in records for i in _key_ids(r)])
    return [r for r in records if not set(_key_ids(r)) <= known]


def earlier(store: Store, learner: str) -> tuple[int, int]:
    """How many of the learner's reviews and exam attempts were never queued nor sent."""
    return len(store.unqueued_reviews(learner)), len(_unqueued_attempts(store, learner))


def backfill(store: Store, learner: str, now: datetime) -> Backfilled:
    """Queue what the learner did before an LRS was set, in one transaction; once only."""
    # By id (a review's, an attempt's statements'), so a second backfill finds nothing left.
    # Undone reviews are gone from the log, so they never come back this way. Another
    # learner's reviews in this database (a class pulled here, say) are never sent in their
    # name. Nothing at all while no LRS is set.
    done = Backfilled()
    settings = profile(store.lrs_settings())
    if settings is None:
        return done
    items: dict[tuple[str, str], Item | None] = {}

    def item(deck_id: str, key: str) -> Item | None:
        if (deck_id, key) not in items:
            items[deck_id, key] = store.stored_item(deck_id, key)
        return items[deck_id, key]

    with store.atomic():
        for review_id in store.unqueued_reviews(learner):
            review = store.review(review_id)
            if review is None:
                continue
            found = item(review.deck_id, review.item_key)
            if found is None:
                # Its deck is no longer in the database: no question to describe it by.
                done.skipped += 1
                continue
            queue_review(store, review, found, now)
            done.reviews += 1
        for record in _unqueued_attempts(store, learner):
            statements = attempt_statements(store, record, settings, item)
            if statements is None:
                done.skipped += 1
                continue
            known = store.known_statements([s["id"] for s in statements])
            for statement in statements:
                if statement["id"] not in known:
                    queue_exam_statement(store, record, statement, now)
            done.attempts += 1
    return done

"""The practice log: answers given while cramming, kept apart from the reviews FSRS learns from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz.scheduler import CardState
from quiz.store.base import ts
from quiz.store.reviews import ReviewRecord, review_correct
from quiz.store.states import StateRecords


class PracticeRecords(StateRecords):
    """The practice table: written by cramming, read by statistics, never replayed."""

    def insert_practice(self, r: ReviewRecord) -> None:
        """Log a practice answer, inside the caller's transaction."""
        self.conn.execute(
            "INSERT INTO practice (id, learner, deck_id, item_key, card_id, practised_at, "
            "rating, outcome, correct, response, duration_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r.id,
                r.learner,
                r.deck_id,
                r.item_key,
                r.card_id,
                ts(r.reviewed_at),
                r.rating,
                r.outcome,
                review_correct(r.outcome),
                json.dumps(r.response, ensure_ascii=False),
                r.duration_ms,
            ),
        )

    def rerate_practice(self, practice_id: str, rating: int) -> bool:
        """Change a practice answer's rating; False when it is not there."""
        with self.atomic():
            cursor = self.conn.execute(
                "UPDATE practice SET rating = ? WHERE id = ?", (rating, practice_id)
            )
        return cursor.rowcount > 0

    def delete_practice(self, practice_id: str) -> bool:
        """Take a practice answer back; False when it is not there."""
        with self.atomic():
            cursor = self.conn.execute("DELETE FROM practice WHERE id = ?", (practice_id,))
        return cursor.rowcount > 0

    def practice_record(self, practice_id: str) -> ReviewRecord | None:
        """A practice answer as a review record; its states are the item's, unchanged."""
        row = self.conn.execute(
            "SELECT learner, deck_id, item_key, card_id, practised_at, rating, outcome, response, "
            "duration_ms FROM practice WHERE id = ?",
            (practice_id,),
        ).fetchone()
        if row is None:
            return None
        learner, deck_id, key, card_id, at, rating, outcome, response, ms = row
        when = datetime.fromisoformat(at)
        state = self.state(learner, deck_id, key)
        return ReviewRecord(
            id=practice_id,
            learner=learner,
            deck_id=deck_id,
            item_key=key,
            card_id=card_id,
            reviewed_at=when,
            rating=rating,
            outcome=outcome,
            response=json.loads(response) if response else None,
            duration_ms=ms,
            first=False,
            state_before=state,
            state_after=state or CardState(state="new", due=when),
        )

    def practice_count(self, learner: str) -> int:
        """How many practice answers the learner has given."""
        (n,) = self.conn.execute(
            "SELECT count(*) FROM practice WHERE learner = ?", (learner,)
        ).fetchone()
        return int(n)

    def practice_summary(
        self, learner: str, decks: Sequence[str], since: datetime
    ) -> PracticeSummary:
        """The learner's practice answers in these decks since `since` (statistics' cram line)."""
        marks = ", ".join("?" * len(decks)) or "NULL"
        n, right, graded, last = self.conn.execute(
            "SELECT count(*), coalesce(sum(correct = 1), 0), count(correct), max(practised_at) "
            f"FROM practice WHERE learner = ? AND deck_id IN ({marks}) AND practised_at >= ?",
            (learner, *decks, ts(since)),
        ).fetchone()
        return PracticeSummary(n, right, graded, datetime.fromisoformat(last) if last else None)


@dataclass(frozen=True)
class PracticeSummary:
    """Cram answers over a time: kept apart from the reviews, which alone feed FSRS."""

    answers: int
    right: int
    graded: int  # auto-graded answers (a flashcard's is rated, never right or wrong)
    last: datetime | None

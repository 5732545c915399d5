"""The review log: its one writer, and every read of it outside the reports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from quiz.scheduler import CardState
from quiz.store.base import state_from_json, state_to_json, ts
from quiz.store.states import StateRecords

# Ids asked about at once, well under SQLite's limit on parameters.
ID_CHUNK = 500
# An item's review as replaying it needs: (id, time, rating).
ItemReview = tuple[str, datetime, int]


def review_correct(outcome: str | None) -> int | None:
    """The review log's `correct` column: 1 for a right answer, 0 otherwise, None self-rated."""
    return None if outcome is None else int(outcome == "right")


@dataclass(frozen=True)
class ReviewRecord:
    """One answer, as written to the review log."""

    id: str
    learner: str
    deck_id: str
    item_key: str
    card_id: str
    reviewed_at: datetime
    rating: int
    outcome: str | None
    response: Any
    duration_ms: int
    first: bool
    state_before: CardState | None
    state_after: CardState


@dataclass(frozen=True)
class ImportedReview:
    """A review from another database, written before its states are replayed."""

    id: str
    learner: str
    deck_id: str
    item_key: str
    card_id: str
    reviewed_at: datetime
    rating: int
    outcome: str | None
    response: Any
    duration_ms: int


def _logged(r: ReviewRecord | ImportedReview) -> tuple[object, ...]:
    """What the log keeps of an answer, states aside, in `_INSERT`'s order."""
    response = json.dumps(r.response, ensure_ascii=False)
    return (
        r.id, r.learner, r.deck_id, r.item_key, r.card_id, ts(r.reviewed_at), r.rating,
        r.outcome, review_correct(r.outcome), response, r.duration_ms,
    )  # fmt: skip


_INSERT = (
    "INSERT INTO reviews (id, learner, deck_id, item_key, card_id, reviewed_at, rating, "
    "outcome, correct, response, duration_ms, first, state_before, state_after) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class ReviewLog(StateRecords):
    """The reviews table, written only here, always with the item's state in one transaction."""

    def record_review(self, review: ReviewRecord) -> None:
        """Append a review and save the item's new state, in one transaction."""
        with self.atomic():
            self.insert_review(review)

    def replace_review(self, old_id: str, review: ReviewRecord) -> None:
        """Swap a review for another (a changed rating) in one transaction."""
        with self.atomic():
            self.delete_review(old_id)
            self.insert_review(review)

    def insert_review(self, r: ReviewRecord, *, put_state: bool = True) -> None:
        """Append a review (and save its item's state), inside the caller's transaction."""
        states = (int(r.first), state_to_json(r.state_before), state_to_json(r.state_after))
        self.conn.execute(_INSERT, (*_logged(r), *states))
        if put_state:
            self.put_state(r.learner, r.deck_id, r.item_key, r.state_after)

    def insert_imported(self, reviews: Iterable[ImportedReview]) -> None:
        """Append reviews without states, for `rewrite_history` to fill in, in the caller's."""
        self.conn.executemany(_INSERT, ((*_logged(r), 0, None, None) for r in reviews))

    def delete_review(self, review_id: str) -> None:
        """Remove one review, inside the caller's transaction."""
        self.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))

    def rewrite_history(
        self,
        learner: str,
        deck_id: str,
        item_key: str,
        replayed: Sequence[tuple[str, CardState | None, CardState]],
        end: CardState | None,
    ) -> None:
        """Store replayed reviews (id, state before, after) and the item's state at the end."""
        self.conn.executemany(
            "UPDATE reviews SET first = ?, state_before = ?, state_after = ? WHERE id = ?",
            [
                (int(b is None or b.is_new), state_to_json(b), state_to_json(a), rid)
                for rid, b, a in replayed
            ],
        )
        if end is None:
            self.delete_state(learner, deck_id, item_key)
        else:
            self.put_state(learner, deck_id, item_key, end)

    def review(self, review_id: str) -> ReviewRecord | None:
        """One review by id, or None."""
        row = self.conn.execute(
            "SELECT id, learner, deck_id, item_key, card_id, reviewed_at, rating, outcome, "
            "response, duration_ms, first, state_before, state_after FROM reviews WHERE id = ?",
            (review_id,),
        ).fetchone()
        if row is None:
            return None
        rid, learner, deck_id, key, card_id, at, rating, outcome, response, ms, first, sb, sa = row
        when = datetime.fromisoformat(at)
        after = state_from_json(sa)
        return ReviewRecord(
            id=rid,
            learner=learner,
            deck_id=deck_id,
            item_key=key,
            card_id=card_id,
            reviewed_at=when,
            rating=rating,
            outcome=outcome,
            response=json.loads(response) if response else None,
            duration_ms=ms,
            first=bool(first),
            state_before=state_from_json(sb),
            state_after=after if after is not None else CardState(state="new", due=when),
        )

    def item_reviews(self, learner: str, deck_id: str, item_key: str) -> list[ItemReview]:
        """An item's reviews (id, time, rating) in time order; ties go by id, as on any machine."""
        rows = [
            (rid, datetime.fromisoformat(at), rating)
            for rid, at, rating in self.conn.execute(
                "SELECT id, reviewed_at, rating FROM reviews "
                "WHERE learner = ? AND deck_id = ? AND item_key = ?",
                (learner, deck_id, item_key),
            )
        ]
        return sorted(rows, key=lambda r: (r[1], r[0]))

    def later_reviews(self, review: ReviewRecord) -> list[ItemReview]:
        """Reviews of the same item after this one, in time order."""
        ordered = self.item_reviews(review.learner, review.deck_id, review.item_key)
        ids = [r[0] for r in ordered]
        return ordered[ids.index(review.id) + 1 :] if review.id in ids else []

    def today_counts(
        self, learner: str, deck_id: str, since: datetime
    ) -> tuple[int, int, set[str]]:
        """New items introduced, reviews done, and cards touched since the day began."""
        new = reviews = 0
        touched: set[str] = set()
        for first, card_id in self.conn.execute(
            "SELECT first, card_id FROM reviews WHERE learner = ? AND deck_id = ? "
            "AND reviewed_at >= ?",
            (learner, deck_id, ts(since)),
        ):
            if first:
                new += 1
            else:
                reviews += 1
            touched.add(card_id)
        return new, reviews, touched

    def reviews(self, learner: str | None = None) -> list[dict[str, Any]]:
        """Review log rows, oldest first (for tests and reports)."""
        where, args = ("WHERE learner = ?", [learner]) if learner else ("", [])
        return list(self.db.query(f"SELECT * FROM reviews {where} ORDER BY reviewed_at", args))

    def learners(self) -> list[str]:
        """Every learner with at least one review."""
        return [name for (name,) in self.conn.execute("SELECT DISTINCT learner FROM reviews")]

    def export_rows(self, learner: str, decks: Sequence[str] | None) -> list[tuple[Any, ...]]:
        """A learner's reviews (in these decks) as a progress file lists them, oldest first."""
        args: list[Any] = [learner]
        where = "learner = ?"
        if decks is not None:
            where += f" AND deck_id IN ({', '.join('?' * len(decks)) or 'NULL'})"
            args.extend(decks)
        return self.conn.execute(
            "SELECT id, deck_id, item_key, card_id, reviewed_at, rating, outcome, response, "
            f"duration_ms FROM reviews WHERE {where} ORDER BY reviewed_at, id",
            args,
        ).fetchall()

    def review_places(self, ids: Sequence[str]) -> dict[str, tuple[str, str, str, datetime]]:
        """For those of these ids already used: (learner, deck, item, time) of each."""
        out = {}
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            marks = ",".join("?" * len(chunk))
            for rid, learner, deck_id, key, at in self.conn.execute(
                "SELECT id, learner, deck_id, item_key, reviewed_at FROM reviews "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                out[rid] = (learner, deck_id, key, datetime.fromisoformat(at))
        return out

"""Learners' item states: what the queue reads, and what an answer leaves behind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from quiz.scheduler import LEARNING_STATES, CardState
from quiz.store.base import StoreBase, dt, ts


class DueState(NamedTuple):
    """A stored state that falls due soon, with only what building the queue reads."""

    state: str
    due: datetime
    last_review_day: float | None  # a Julian day number (`quiz.scheduler.julian_day`)
    stability: float | None

    @property
    def is_learning(self) -> bool:
        """True while in (re)learning steps, which are due within the day."""
        return self.state in LEARNING_STATES


_STATE_COLUMNS = "state, due, step, stability, difficulty, last_review, reps, lapses"


def _row_state(row: tuple[Any, ...]) -> CardState:
    state, due, step, stability, difficulty, last, reps, lapses = row
    return CardState(
        state,
        datetime.fromisoformat(due),
        step,
        stability,
        difficulty,
        dt(last),
        reps,
        lapses,
    )


class StateRecords(StoreBase):
    """The card_states table: one row per learner and item studied."""

    def ensure_learner(self, name: str, now: datetime) -> None:
        """Record a learner the first time they are seen."""
        with self.atomic():
            self.add_learner(name, now)

    def add_learner(self, name: str, now: datetime) -> None:
        """Record a learner unless known, inside the caller's transaction."""
        self.conn.execute(
            "INSERT OR IGNORE INTO learners (name, created_at) VALUES (?, ?)", (name, ts(now))
        )

    def states(self, learner: str, deck_id: str) -> dict[str, CardState]:
        """Every stored item state of a learner in a deck."""
        return {
            row[0]: _row_state(row[1:])
            for row in self.conn.execute(
                f"SELECT item_key, {_STATE_COLUMNS} "
                "FROM card_states WHERE learner = ? AND deck_id = ?",
                (learner, deck_id),
            )
        }

    def due_states(self, learner: str, deck_id: str, before: datetime) -> dict[str, DueState]:
        """What the queue needs of a learner's states in a deck that fall due before `before`."""
        # Ten thousand of these at a start with a big history: no CardState, and the last
        # review as a number SQLite computes, not a datetime.
        fromiso = datetime.fromisoformat
        return {
            key: DueState(state, fromiso(due), last_day, stability)
            for key, state, due, last_day, stability in self.conn.execute(
                "SELECT item_key, state, due, julianday(last_review), stability "
                "FROM card_states WHERE learner = ? AND deck_id = ? AND due < ?",
                (learner, deck_id, ts(before)),
            )
        }

    # Keys asked about at once: under SQLite's oldest limit of 999 parameters.
    STATED_BATCH = 900

    def stated_among(self, learner: str, deck_id: str, keys: Sequence[str]) -> set[str]:
        """Which of these items (at most `STATED_BATCH`) a learner has a state for."""
        marks = ", ".join("?" * len(keys))
        # One string from SQLite, split in C; item keys hold no line break (ids are slugs).
        (joined,) = self.conn.execute(
            "SELECT group_concat(item_key, char(10)) FROM card_states "
            f"WHERE learner = ? AND deck_id = ? AND item_key IN ({marks})",
            (learner, deck_id, *keys),
        ).fetchone()
        return set(joined.split("\n")) if joined else set()

    def state(self, learner: str, deck_id: str, item_key: str) -> CardState | None:
        """One item's stored state, or None when it was never reviewed."""
        row = self.conn.execute(
            f"SELECT {_STATE_COLUMNS} FROM card_states "
            "WHERE learner = ? AND deck_id = ? AND item_key = ?",
            (learner, deck_id, item_key),
        ).fetchone()
        return _row_state(row) if row else None

    def put_state(self, learner: str, deck_id: str, key: str, s: CardState) -> None:
        """Save an item's state, inside the caller's transaction."""
        self.conn.execute(
            # An upsert changes the row in place; REPLACE would delete it and insert it anew,
            # writing more pages to the log in every answer.
            "INSERT INTO card_states (learner, deck_id, item_key, state, step, "
            "stability, difficulty, due, last_review, reps, lapses) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (learner, deck_id, item_key) DO UPDATE SET state = excluded.state, "
            "step = excluded.step, stability = excluded.stability, "
            "difficulty = excluded.difficulty, due = excluded.due, "
            "last_review = excluded.last_review, reps = excluded.reps, lapses = excluded.lapses",
            (
                learner,
                deck_id,
                key,
                s.state,
                s.step,
                s.stability,
                s.difficulty,
                ts(s.due),
                ts(s.last_review),
                s.reps,
                s.lapses,
            ),
        )

    def delete_state(self, learner: str, deck_id: str, key: str) -> None:
        """Forget an item's state (it has no reviews left), inside the caller's transaction."""
        self.conn.execute(
            "DELETE FROM card_states WHERE learner = ? AND deck_id = ? AND item_key = ?",
            (learner, deck_id, key),
        )

    def next_due(self, learner: str, deck_ids: Iterable[str], after: datetime) -> datetime | None:
        """When the learner's next item in these decks falls due after `after`."""
        ids = list(deck_ids)
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        row = self.conn.execute(
            f"SELECT MIN(s.due) FROM card_states s JOIN cards c ON c.deck_id = s.deck_id "
            f"AND c.item_key = s.item_key AND c.archived = 0 "
            f"WHERE s.learner = ? AND s.deck_id IN ({marks}) AND s.due > ?",
            (learner, *ids, ts(after)),
        ).fetchone()
        return dt(row[0]) if row and row[0] else None

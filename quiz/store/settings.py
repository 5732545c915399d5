"""A learner's own study settings and fitted FSRS parameters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz.store.base import StoreBase, dt, ts

ALL_DECKS = ""  # the deck_id of a setting or parameter set for every deck


@dataclass(frozen=True)
class FittedParameters:
    """FSRS parameters fitted to a learner's reviews, with how well they predicted."""

    parameters: tuple[float, ...]
    fitted_at: datetime
    reviews: int
    metrics: dict[str, object]


class SettingRecords(StoreBase):
    """Rows of `learner_settings` and `fsrs_parameters`."""

    def learner_settings(self, learner: str, deck_id: str = ALL_DECKS) -> dict[str, str]:
        """The learner's settings (key: JSON value) for all decks, overridden by the deck's."""
        merged = self.own_settings(learner, ALL_DECKS)
        if deck_id != ALL_DECKS:
            merged.update(self.own_settings(learner, deck_id))
        return merged

    def own_settings(self, learner: str, deck_id: str) -> dict[str, str]:
        """The settings the learner set for exactly this scope (a deck, or '' for all)."""
        return dict(
            self.conn.execute(
                "SELECT key, value FROM learner_settings WHERE learner = ? AND deck_id = ?",
                (learner, deck_id),
            ).fetchall()
        )

    def set_learner_setting(
        self, learner: str, deck_id: str, key: str, value: str | None, now: datetime
    ) -> None:
        """Set (or, with None, remove) one of the learner's settings."""
        with self.atomic():
            if value is None:
                self.conn.execute(
                    "DELETE FROM learner_settings WHERE learner = ? AND deck_id = ? AND key = ?",
                    (learner, deck_id, key),
                )
                return
            self.conn.execute(
                "INSERT INTO learner_settings (learner, deck_id, key, value, set_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (learner, deck_id, key) "
                "DO UPDATE SET value = excluded.value, set_at = excluded.set_at",
                (learner, deck_id, key, value, ts(now)),
            )

    def fitted_parameters(
        self, learner: str, deck_id: str = ALL_DECKS
    ) -> FittedParameters | None:
        """The parameters fitted for the learner: the deck's own, else those for all decks."""
        row = self.conn.execute(
            "SELECT parameters, fitted_at, reviews, metrics FROM fsrs_parameters "
            "WHERE learner = ? AND deck_id IN ('', ?) ORDER BY deck_id = '' LIMIT 1",
            (learner, deck_id),
        ).fetchone()
        if row is None:
            return None
        parameters, fitted_at, reviews, metrics = row
        when = dt(fitted_at)
        assert when is not None
        return FittedParameters(tuple(json.loads(parameters)), when, reviews, json.loads(metrics))

    def save_parameters(
        self,
        learner: str,
        deck_id: str,
        parameters: Sequence[float],
        reviews: int,
        metrics: dict[str, object],
        now: datetime,
    ) -> None:
        """Adopt fitted parameters for the learner (and deck), replacing earlier ones."""
        with self.atomic():
            self.conn.execute(
                "INSERT INTO fsrs_parameters (learner, deck_id, parameters, fitted_at, reviews, "
                "metrics) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (learner, deck_id) DO UPDATE SET "
                "parameters = excluded.parameters, fitted_at = excluded.fitted_at, "
                "reviews = excluded.reviews, metrics = excluded.metrics",
                (learner, deck_id, json.dumps(list(parameters)), ts(now), reviews,
                 json.dumps(metrics)),
            )  # fmt: skip

    def clear_parameters(self, learner: str, deck_id: str = ALL_DECKS) -> bool:
        """Go back to FSRS's default parameters; False when there were none."""
        with self.atomic():
            done = self.conn.execute(
                "DELETE FROM fsrs_parameters WHERE learner = ? AND deck_id = ?", (learner, deck_id)
            )
        return done.rowcount > 0

    def review_log(
        self, learner: str, deck_id: str | None = None
    ) -> list[tuple[str, str, int, str, int]]:
        """The learner's reviews as (deck, item, rating, time, duration ms), oldest first."""
        where, args = ("AND deck_id = ?", (learner, deck_id)) if deck_id else ("", (learner,))
        return self.conn.execute(
            "SELECT deck_id, item_key, rating, reviewed_at, duration_ms FROM reviews "
            f"WHERE learner = ? {where} ORDER BY reviewed_at",
            args,
        ).fetchall()

    def collection_size(self, learner: str, deck_id: str | None = None) -> int:
        """The study items (not archived) of the decks the learner has studied, or of one deck."""
        if deck_id is not None:
            where, args = "deck_id = ?", (deck_id,)
        else:
            where = "deck_id IN (SELECT DISTINCT deck_id FROM card_states WHERE learner = ?)"
            args = (learner,)
        (count,) = self.conn.execute(
            f"SELECT COUNT(*) FROM cards WHERE archived = 0 AND {where}", args
        ).fetchone()
        return int(count)

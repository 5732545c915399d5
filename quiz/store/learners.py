"""The learners a database knows, with how much each has studied."""

from __future__ import annotations

from quiz.store.base import StoreBase


class LearnerRecords(StoreBase):
    """The learners table, and the counts `quiz learners` shows."""

    def known_learners(self) -> dict[str, int]:
        """Every learner recorded (or with reviews), with their review count, by name."""
        rows = self.conn.execute(
            "SELECT name, (SELECT count(*) FROM reviews r WHERE r.learner = l.name) "
            "FROM (SELECT name FROM learners UNION SELECT DISTINCT learner FROM reviews) l "
            "ORDER BY name"
        )
        return dict(rows.fetchall())

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

    def learner_tables(self) -> list[str]:
        """Every table with a learner column (the learners table itself aside)."""
        tables = [
            name
            for (name,) in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return [
            t
            for t in tables
            if any(col[1] == "learner" for col in self.conn.execute(f'PRAGMA table_info("{t}")'))
        ]

    def rename_learner(self, old: str, new: str) -> None:
        """Give a learner's every row another name, in one transaction."""
        with self.atomic():
            for table in self.learner_tables():
                self.conn.execute(f'UPDATE "{table}" SET learner = ? WHERE learner = ?', (new, old))
            self.conn.execute("UPDATE learners SET name = ? WHERE name = ?", (new, old))

    def delete_learner(self, name: str) -> None:
        """Remove a learner and everything recorded for them, in one transaction."""
        with self.atomic():
            for table in self.learner_tables():
                self.conn.execute(f'DELETE FROM "{table}" WHERE learner = ?', (name,))
            self.conn.execute("DELETE FROM learners WHERE name = ?", (name,))

    def move_learner_rows(self, source: str, target: str) -> list[str]:
        """Give `target` the source's rows that do not clash with its own, in the caller's
        transaction; the tables where some stayed with `source` (the target had the same key)."""
        kept = []
        for table in self.learner_tables():
            self.conn.execute(
                f'UPDATE OR IGNORE "{table}" SET learner = ? WHERE learner = ?', (target, source)
            )
            (left,) = self.conn.execute(
                f'SELECT count(*) FROM "{table}" WHERE learner = ?', (source,)
            ).fetchone()
            if left:
                kept.append(table)
        return kept

    def learner_items(self, learner: str) -> list[tuple[str, str]]:
        """The (deck, item) pairs a learner has reviews or marks for."""
        return self.conn.execute(
            "SELECT deck_id, item_key FROM reviews WHERE learner = ? UNION "
            "SELECT deck_id, item_key FROM mark_events WHERE learner = ?",
            (learner, learner),
        ).fetchall()

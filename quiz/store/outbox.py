"""The xAPI outbox: statements queued with their reviews, what was sent, and the LRS settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz.store.base import StoreBase, ts


@dataclass(frozen=True)
class Queued:
    """A statement waiting in the outbox."""

    seq: int
    statement_id: str
    review_id: str | None
    actor: str  # JSON
    statement: str  # JSON


@dataclass(frozen=True)
class OutboxStatus:
    """How the outbox stands, for `quiz lrs status` and the home screen."""

    waiting: int
    rejected: int
    sent: int
    last_error: str | None
    last_sent_at: str | None


class OutboxRecords(StoreBase):
    """The xapi_outbox, xapi_sent and xapi_settings tables."""

    def lrs_settings(self) -> dict[str, str]:
        """The stored LRS settings (endpoint, home page, ...); empty when none is set."""
        return {
            key: value
            for key, value in self.conn.execute("SELECT key, value FROM xapi_settings")
            if value is not None
        }

    def put_lrs_settings(self, values: dict[str, str | None]) -> None:
        """Set (or with None, remove) LRS settings, in one transaction."""
        with self.atomic():
            for key, value in values.items():
                if value is None:
                    self.conn.execute("DELETE FROM xapi_settings WHERE key = ?", (key,))
                else:
                    self.conn.execute(
                        "INSERT OR REPLACE INTO xapi_settings (key, value) VALUES (?, ?)",
                        (key, value),
                    )

    def queue_statement(
        self,
        statement_id: str,
        review_id: str | None,
        learner: str,
        actor: str,
        statement: str,
        now: datetime,
    ) -> None:
        """Put a statement in the outbox, inside the caller's transaction (once per id)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO xapi_outbox (statement_id, review_id, learner, actor, "
            "statement, queued_at) VALUES (?, ?, ?, ?, ?, ?)",
            (statement_id, review_id, learner, actor, statement, ts(now)),
        )

    def unqueued_reviews(self, learner: str) -> list[str]:
        """The learner's reviews never queued nor sent (from before `lrs set`), oldest first."""
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM reviews AS r WHERE learner = ? "
                "AND NOT EXISTS (SELECT 1 FROM xapi_outbox AS o WHERE o.review_id = r.id) "
                "AND NOT EXISTS (SELECT 1 FROM xapi_sent AS s WHERE s.review_id = r.id) "
                "ORDER BY reviewed_at, id",
                (learner,),
            )
        ]

    def known_statements(self, statement_ids: Sequence[str]) -> set[str]:
        """Which of these statements are queued or were sent."""
        known: set[str] = set()
        for start in range(0, len(statement_ids), 500):
            chunk = list(statement_ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            for table in ("xapi_outbox", "xapi_sent"):
                known.update(
                    row[0]
                    for row in self.conn.execute(
                        f"SELECT statement_id FROM {table} WHERE statement_id IN ({marks})", chunk
                    )
                )
        return known

    def withdraw_statement(self, review_id: str) -> tuple[str, str] | None:
        """Drop a review's queued statement; if it was sent already, its (id, actor) to void."""
        if self.conn.execute("DELETE FROM xapi_outbox WHERE review_id = ?", (review_id,)).rowcount:
            return None
        row = self.conn.execute(
            "SELECT statement_id, actor FROM xapi_sent WHERE review_id = ?", (review_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def outbox_batch(self, limit: int) -> list[Queued]:
        """The oldest statements waiting to be sent (the refused ones stay out)."""
        return [
            Queued(*row)
            for row in self.conn.execute(
                "SELECT seq, statement_id, review_id, actor, statement FROM xapi_outbox "
                "WHERE rejected = 0 ORDER BY seq LIMIT ?",
                (limit,),
            )
        ]

    def mark_sent(self, batch: Sequence[Queued], now: datetime) -> list[Queued]:
        """Record a delivered batch, in the caller's; those withdrawn meanwhile are returned."""
        withdrawn = []
        for q in batch:
            gone = not self.conn.execute("DELETE FROM xapi_outbox WHERE seq = ?", (q.seq,)).rowcount
            first = self.conn.execute(
                "INSERT OR IGNORE INTO xapi_sent (statement_id, review_id, actor, sent_at) "
                "VALUES (?, ?, ?, ?)",
                (q.statement_id, q.review_id, q.actor, ts(now)),
            ).rowcount
            # Gone from the outbox and not recorded by another sender: it was withdrawn.
            if gone and first and q.review_id is not None:
                withdrawn.append(q)
        self.conn.execute(
            "INSERT OR REPLACE INTO xapi_settings (key, value) VALUES ('last_sent_at', ?)",
            (ts(now),),
        )
        self.conn.execute("DELETE FROM xapi_settings WHERE key = 'last_error'")
        return withdrawn

    def mark_failed(self, seqs: Sequence[int], error: str, *, rejected: bool = False) -> None:
        """Count a failed try of these statements (refused: keep them out of later batches)."""
        with self.atomic():
            self.conn.executemany(
                "UPDATE xapi_outbox SET attempts = attempts + 1, last_error = ?, "
                "rejected = rejected OR ? WHERE seq = ?",
                [(error, int(rejected), seq) for seq in seqs],
            )
            self.conn.execute(
                "INSERT OR REPLACE INTO xapi_settings (key, value) VALUES ('last_error', ?)",
                (error,),
            )

    def retry_rejected(self) -> int:
        """Put the statements the LRS refused back in the queue; how many."""
        with self.atomic():
            return self.conn.execute(
                "UPDATE xapi_outbox SET rejected = 0 WHERE rejected = 1"
            ).rowcount

    def outbox_waiting(self) -> int:
        """How many statements wait to be sent."""
        (count,) = self.conn.execute(
            "SELECT count(*) FROM xapi_outbox WHERE rejected = 0"
        ).fetchone()
        return int(count)

    def outbox_status(self) -> OutboxStatus:
        """Queue length, refused statements, statements sent and the last error."""
        waiting, rejected = self.conn.execute(
            "SELECT count(*) - coalesce(sum(rejected), 0), coalesce(sum(rejected), 0) "
            "FROM xapi_outbox"
        ).fetchone()
        (sent,) = self.conn.execute("SELECT count(*) FROM xapi_sent").fetchone()
        settings = self.lrs_settings()
        return OutboxStatus(
            int(waiting),
            int(rejected),
            int(sent),
            settings.get("last_error"),
            settings.get("last_sent_at"),
        )

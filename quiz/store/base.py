"""The connection every part of the store shares: transactions, checkpoints, value encoding."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.scheduler import CardState

if TYPE_CHECKING:
    from sqlite_utils import Database


def ts(value: datetime | None) -> str | None:
    """A timestamp as stored in the database."""
    return value.isoformat() if value is not None else None


def dt(value: str | None) -> datetime | None:
    """The inverse of `ts`."""
    return datetime.fromisoformat(value) if value else None


def state_to_json(state: CardState | None) -> str | None:
    """A card state as JSON, for the review log."""
    if state is None:
        return None
    # A shallow copy: dataclasses.asdict deep-copies, which dominates replaying many reviews.
    data = dict(vars(state))
    data["due"] = ts(state.due)
    data["last_review"] = ts(state.last_review)
    return json.dumps(data)


def state_from_json(text: str | None) -> CardState | None:
    """The inverse of `state_to_json`."""
    if not text:
        return None
    data = json.loads(text)
    data["due"] = dt(data["due"])
    data["last_review"] = dt(data["last_review"])
    return CardState(**data)


class StoreBase:
    """One SQLite connection, and the one way to write through it: `atomic`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    @cached_property
    def db(self) -> Database:
        """The connection as a sqlite-utils Database, for migrations and ad hoc queries."""
        from sqlite_utils import Database

        # Whatever sqlite-utils plugins are installed stay out of the learners' database (and
        # finding them reads every installed package's metadata).
        return Database(self.conn, execute_plugins=False)

    def close(self) -> None:
        """Close the connection, first writing the log back as far as other readers allow."""
        # SQLite does this itself only when it closes the last connection to the file.
        with contextlib.suppress(sqlite3.Error):
            self.checkpoint()
        self.conn.close()

    def data_version(self) -> tuple[int, int]:
        """Changes so far, by this connection and by others: equal values mean nothing changed."""
        (other,) = self.conn.execute("PRAGMA data_version").fetchone()
        return self.conn.total_changes, other

    @contextmanager
    def atomic(self, *, durable: bool = True) -> Iterator[None]:
        """One transaction under the write lock; nested, a savepoint inside the outer one."""
        if self._depth:
            # Durability is the outermost transaction's to decide: it is the one committed.
            name = f"quiz_{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            self.conn.execute(f"RELEASE {name}")
            return
        if self.conn.in_transaction:
            # Someone wrote through the connection without committing: joining that transaction
            # would commit their writes with ours, or roll them back, without their say.
            raise RuntimeError("a transaction is open outside Store.atomic(); commit it first")
        if not durable:
            # Still atomic: the log keeps or drops the whole transaction. Only its fsync is
            # skipped, and the next durable commit (an answer) writes it to disk as well.
            self.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            # BEGIN IMMEDIATE takes the write lock before the first read, so a read-then-write
            # cannot interleave with another process's (no lost update, no SQLITE_BUSY deadlock).
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self.conn.rollback()
                raise
            finally:
                self._depth = 0
            self.conn.commit()
        finally:
            if not durable:
                self.conn.execute("PRAGMA synchronous = FULL")

    # Checkpoints: SQLite copies the write-ahead log back into the database every 1,000 pages,
    # inside whichever commit crosses the mark. While studying that is an answer the learner
    # waits for, so the study session moves them to moments the learner is not waiting.

    # Twice SQLite's default: a larger log makes every commit slower (pages are looked up in
    # it), a smaller one makes the checkpoints that do fall inside an answer more frequent.
    STUDY_CHECKPOINT_PAGES = 2_000

    def defer_checkpoints(self) -> None:
        """Checkpoint automatically only when the log is large; `checkpoint` does it before."""
        # A bound, so the log cannot grow without limit if nothing calls `checkpoint`.
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {self.STUDY_CHECKPOINT_PAGES}")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database as far as readers allow, without waiting."""
        if self.conn.in_transaction:
            return
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

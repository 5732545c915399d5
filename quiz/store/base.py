"""The connection every part of the store shares: transactions, checkpoints, value encoding."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.scheduler import CardState
from quiz.store.errors import NotRecorded, gone, not_recorded

if TYPE_CHECKING:
    from sqlite_utils import Database


# An item row's card content, in SQL over `cards c`: each content is stored once, by its hash
# (a cloze of N gaps is N item rows and one content).
CONTENT_OF_C = "(SELECT cc.content FROM card_contents cc WHERE cc.hash = c.content_hash)"


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
        # (st_dev, st_ino) of the file SQLite opened, set by open_store: a path that names
        # another file, or none, means the database was deleted or replaced under us.
        self.identity: tuple[int, int] | None = None
        # The last write that failed (the exit status says so), and the failure that stopped
        # recording for good (the file is gone): every later write raises it again.
        self.failure: NotRecorded | None = None
        self.stopped: NotRecorded | None = None
        # What opening the database found and set right, to be told to the learner.
        self.notices: list[str] = []

    @cached_property
    def db(self) -> Database:
        """The connection as a sqlite-utils Database, for migrations and ad hoc queries."""
        from sqlite_utils import Database

        # Whatever sqlite-utils plugins are installed stay out of the learners' database (and
        # finding them reads every installed package's metadata).
        return Database(self.conn, execute_plugins=False)

    def close(self) -> None:
        """Close the connection, first writing the log back as far as other readers allow."""
        # SQLite does this itself only when it closes the last connection to the file; a
        # connection closed already is closed again without a word, as before.
        with contextlib.suppress(sqlite3.ProgrammingError):
            self.checkpoint()
        self.conn.close()

    def still_ours(self) -> None:
        """Raise `NotRecorded` (and stop recording) if the database file was deleted or replaced."""
        if self.stopped is not None:
            raise self.stopped
        moved = self._moved()
        if moved is not None:
            self._stop(moved)

    def _moved(self) -> str | None:
        """"gone" or "replaced" when the path no longer names the file SQLite opened."""
        if self.path is None or self.identity is None:
            return None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "gone"
        except OSError:
            return None  # unreadable for a moment (a folder's mode changed): the next check tells
        return None if (st.st_dev, st.st_ino) == self.identity else "replaced"

    def _stop(self, moved: str) -> None:
        from quiz.store.rescue import rescue

        assert self.path is not None
        # The connection still reads the file it opened: what the session had is copied out.
        kept = rescue(self.conn, self.path)
        self.stopped = self.failure = gone(self.path, moved == "replaced", kept)
        raise self.stopped

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
        if self.stopped is not None:
            raise self.stopped
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
                # Checked before the commit, and after: a commit into a file no longer at
                # the path is in a log no later start reads, so it is not saved.
                moved = self._moved()
                if moved is None:
                    self.conn.commit()
                else:
                    self.conn.rollback()
            except BaseException:
                if self.conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.rollback()
                raise
            finally:
                self._depth = 0
            moved = moved or self._moved()
            if moved is not None:
                self._stop(moved)
        except sqlite3.Error as exc:
            # A full disk, a file made read-only, a lock held too long: not quiz's fault, and
            # said as such; anything else is a bug and stays a traceback.
            failure = not_recorded(self.path, exc)
            if failure is None:
                raise
            self.failure = failure
            raise failure from exc
        finally:
            if not durable:
                with contextlib.suppress(sqlite3.Error):
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

    def housekeeping(self) -> NotRecorded | None:
        """While the learner reads: check the file is ours, write the log back; never raises."""
        try:
            self.still_ours()
        except NotRecorded as exc:
            return exc
        return self.checkpoint()

    def checkpoint(self) -> NotRecorded | None:
        """Copy the write-ahead log into the database as far as readers allow; failures returned."""
        # Housekeeping never raises: a committed answer is safe in the log without it, so a
        # failure (a full disk) is only kept in `failure`, for the exit status, and returned.
        if self.conn.in_transaction or self.stopped is not None:
            return self.stopped
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            failure = not_recorded(self.path, exc, housekeeping=True) or NotRecorded(
                f"{self.path}: the database could not be tidied ({exc}); the answers so far "
                "are saved.",
                "io",
                housekeeping=True,
            )
            # An answer not saved is what the exit status tells, not a checkpoint after it.
            if self.failure is None or self.failure.housekeeping:
                self.failure = failure
            return failure
        return None

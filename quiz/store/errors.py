"""The store's exceptions, and how a failed SQLite write is told to the learner."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(Exception):
    """The database cannot be opened or used; the message says why and what to do."""


class NotRecorded(StoreError):
    """A write to the database did not happen: the answer in hand is not saved; `kind` says why."""

    def __init__(self, message: str, kind: str, *, housekeeping: bool = False) -> None:
        super().__init__(message)
        # "gone" or "replaced" (recording stopped for good), "full", "readonly", "locked", "io".
        self.kind = kind
        # A checkpoint that failed: every answer committed is still safe in the log.
        self.housekeeping = housekeeping

    def __rich__(self) -> str:
        """The message alone: Rich, and so Textual for one no screen caught, shows no traceback."""
        return f"Error: {self}"

    @property
    def stopped(self) -> bool:
        """True when nothing more can be recorded in this session (the file is not ours now)."""
        return self.kind in ("gone", "replaced")


def gone(path: Path, replaced: bool, kept: str) -> NotRecorded:
    """The database file was deleted or replaced under the open connection; `kept` says where."""
    what = "replaced by another file" if replaced else "deleted"
    return NotRecorded(
        f"{path}: the database file was {what} while quiz had it open. Nothing more is "
        f"recorded in this session; the last answer was not saved. {kept}",
        "replaced" if replaced else "gone",
    )


def not_recorded(
    path: Path | None, exc: sqlite3.Error, *, housekeeping: bool = False
) -> NotRecorded | None:
    """The learner's message for a write SQLite refused because of the disk or the file."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    # The primary result code, the low byte of an extended one.
    match code & 0xFF:
        case sqlite3.SQLITE_FULL:
            kind, why, fix = "full", "the disk is full", "Free some space"
        case sqlite3.SQLITE_READONLY:
            kind, why = "readonly", "the database is read-only now"
            fix = "Make it, its -wal and -shm files and its folder writable"
        case sqlite3.SQLITE_BUSY | sqlite3.SQLITE_LOCKED:
            kind, why = "locked", "another program kept the database locked for too long"
            fix = "Close it"
        case sqlite3.SQLITE_IOERR | sqlite3.SQLITE_CORRUPT | sqlite3.SQLITE_CANTOPEN:
            kind, why, fix = "io", f"the disk failed to write ({exc})", "Check the disk"
        case _:
            return None
    where = f"{path}: " if path is not None else ""
    if housekeeping:
        # A checkpoint: every committed answer is safe in the write-ahead log without it.
        return NotRecorded(
            f"{where}{why}: the answers so far are saved, but the database could not be "
            f"tidied. {fix}.",
            kind,
            housekeeping=True,
        )
    return NotRecorded(f"{where}not saved: {why}. {fix}, then try again.", kind)

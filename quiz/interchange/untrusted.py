"""Files inside packages from strangers: inflated under a size cap, opened as hostile SQLite."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Protocol

from quiz.interchange import InterchangeError

CHUNK = 1024 * 1024
# SQLite virtual-machine steps one import may take: a real collection of 100,000 notes needs
# a few million; a recursive view or a query built to be slow never ends without it.
STEP_BUDGET = 50_000_000
STEPS_PER_CALL = 10_000


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class TooLarge(InterchangeError):
    """An archive member inflated past its cap."""


def copy_capped(source: _Readable, out: IO[bytes], limit: int, what: str) -> int:
    """Copy a stream in chunks, stopping as soon as it passes `limit` bytes; the size copied."""
    size = 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"{what} is larger than {limit // (1024 * 1024)} MB once unpacked")
        out.write(chunk)
    return size


def open_member(archive: zipfile.ZipFile, name: str, limit: int, what: str) -> IO[bytes]:
    """An archive member to stream, refused at once when its declared size is over `limit`."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise TooLarge(f"{what} is larger than {limit // (1024 * 1024)} MB once unpacked")
    return archive.open(info)


def open_untrusted(path: Path) -> sqlite3.Connection:
    """Open a SQLite file from a stranger as SQLite advises: read-only, defensive, bounded."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        # Functions named in its schema (views, triggers, defaults) may not run with side effects.
        conn.execute("PRAGMA trusted_schema = OFF")
        setconfig: Callable[[int, bool], bool] | None = getattr(conn, "setconfig", None)
        defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
        if setconfig is not None and defensive is not None:  # Python 3.12 and later
            setconfig(defensive, True)
        steps = 0

        def budget() -> int:
            nonlocal steps
            steps += 1
            return int(steps * STEPS_PER_CALL > STEP_BUDGET)

        conn.set_progress_handler(budget, STEPS_PER_CALL)
    except BaseException:
        conn.close()
        raise
    return conn


def is_interrupted(exc: sqlite3.Error) -> bool:
    """True when the step budget stopped a query."""
    return "interrupted" in str(exc)


def require_tables(conn: sqlite3.Connection, names: Iterable[str]) -> None:
    """Refuse a collection where a table quiz reads is a view (or missing, or anything else)."""
    wanted = list(names)
    marks = ",".join("?" * len(wanted))
    kinds: dict[str, set[str]] = {}
    for name, kind in conn.execute(
        f"SELECT name, type FROM sqlite_master WHERE name IN ({marks})", wanted
    ):
        kinds.setdefault(name, set()).add(kind)
    for name in wanted:
        found = kinds.get(name, set())
        if found - {"table"}:
            kind = sorted(found - {"table"})[0]
            raise InterchangeError(
                f"the collection inside is refused: its '{name}' is a {kind}, not a table"
            )
        if not found:
            raise InterchangeError(f"the collection inside has no '{name}' table")

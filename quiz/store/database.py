"""Opening the quiz database: checks, backups and migrations; and the `Store` made of its parts."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import platformdirs

from quiz import __version__
from quiz.scheduler import utc_now
from quiz.store.backup import backed_up_on, backup_folder, list_backups, make_backup, prune
from quiz.store.base import state_from_json, state_to_json
from quiz.store.decks import DeckRecords, SyncReport
from quiz.store.errors import NotRecorded, StoreError
from quiz.store.exams import ExamRecords
from quiz.store.files import check_permissions, create_private, set_aside_orphans
from quiz.store.learners import LearnerRecords
from quiz.store.marks import MarkRecords
from quiz.store.outbox import OutboxRecords
from quiz.store.practice import PracticeRecords
from quiz.store.reviews import ReviewLog, ReviewRecord
from quiz.store.search import SearchRecords
from quiz.store.settings import SettingRecords
from quiz.store.states import DueState

__all__ = [
    "MIGRATIONS",
    "MIGRATION_SET",
    "DueState",
    "NotRecorded",
    "ReviewRecord",
    "Store",
    "StoreError",
    "SyncReport",
    "default_db_path",
    "open_store",
    "state_from_json",
    "state_to_json",
]

# The migrations of quiz/store/migrations.py by name, in order. A database that has exactly
# these opens without importing sqlite-utils and the migrations (a tenth of start-up); any
# other goes through sqlite-utils. tests/test_store.py checks that the two lists agree.
MIGRATION_SET = "quiz"
MIGRATIONS = (
    "m001_initial",
    "m002_progress_indexes",
    "m003_deck_snapshots",
    "m004_study_days_and_settings",
    "m005_exams",
    "m006_xapi_outbox",
    "m007_item_marks",
    "m008_card_contents",
    "m009_search_indexes",
    "m010_card_listing_index",
)


class Store(
    ReviewLog,
    DeckRecords,
    SettingRecords,
    ExamRecords,
    MarkRecords,
    SearchRecords,
    LearnerRecords,
    PracticeRecords,
    OutboxRecords,
):
    """Progress and decks in SQLite; every write goes through `atomic`, one transaction each."""


def default_db_path() -> Path:
    """The database file: $QUIZ_DB, else quiz.db in the platform's user data folder."""
    env = os.environ.get("QUIZ_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("quiz", appauthor=False)) / "quiz.db"


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _way_out(db_path: Path) -> str:
    backups = list_backups(db_path)
    if backups:
        return (
            f"Restore a backup with `quiz backup restore NAME` ({len(backups)} in "
            f"{backup_folder(db_path)}; `quiz backup` lists them), or use --db PATH for another "
            "database."
        )
    return (
        f"There are no backups in {backup_folder(db_path)}: move the file away to start afresh, "
        "or use --db PATH for another database."
    )


def _damaged(db_path: Path, why: str) -> StoreError:
    why = " ".join(why.split())  # SQLite's reports can span lines; the message is one
    return StoreError(
        f"{db_path}: cannot open the database: it is damaged ({why}). Nothing was changed. "
        f"{_way_out(db_path)}"
    )


def _check_file(db_path: Path) -> bool:
    """Refuse what is not a usable quiz database before SQLite touches it; True when new."""
    if db_path.is_dir():
        raise StoreError(
            f"{db_path}: cannot open the database: it is a folder; use --db PATH for a file"
        )
    folder = db_path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"{db_path}: cannot open the database: its folder is read-only. Make it "
            f"writable (chmod u+w {folder}), or use --db PATH for another database."
        )
    if not db_path.exists():
        return True
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        # SQLite opens a read-only log or index without a word, then fails the first write.
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            what = (
                "the file is"
                if path == db_path
                else f"its {path.name[len(db_path.name) :]} file is"
            )
            raise StoreError(
                f"{db_path}: cannot open the database: {what} read-only. Make it "
                f"writable (chmod u+rw {path}), or use --db PATH for another database."
            )
    # The log first, then the header, then the size: another process's checkpoint writes the
    # header's new page count before it grows the file, and deletes the log only after, so
    # read the other way round a checkpoint finishing in between looked like truncation.
    wal = Path(f"{db_path}-wal")
    had_wal = wal.exists()
    with db_path.open("rb") as f:
        header = f.read(100)
        size = os.fstat(f.fileno()).st_size
    if size == 0:
        # An empty file holds nothing to lose, unless it was once a database that has backups.
        if list_backups(db_path):
            raise _damaged(db_path, "the file is empty")
        return not (wal.exists() and wal.stat().st_size > 0)
    if not header.startswith(_SQLITE_MAGIC):
        raise StoreError(
            f"{db_path}: cannot open the database: the file is not SQLite, so not a quiz "
            f"database. Nothing was changed. {_way_out(db_path)}"
        )
    if len(header) < 100:
        raise _damaged(db_path, f"the file is truncated: {size} bytes")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when its change counter matches (see SQLite's file format).
    counted = header[24:28] == header[92:96]
    # With a write-ahead log left by a crash SQLite must recover first; it checks the rest.
    if counted and not had_wal and size < pages * page_size:
        raise _damaged(db_path, f"the file is truncated: {size} of {pages * page_size} bytes")
    return False


def _started_afresh(db_path: Path) -> list[str]:
    """What to tell when a new database is made where an old one had backups."""
    backups = list_backups(db_path)
    if not backups:
        return []
    return [
        f"{db_path}: there was no database here, so a new one was started; the one before "
        f"has {len(backups)} backup(s) in {backup_folder(db_path)}, the newest "
        f"{backups[0].name} (`quiz backup restore NAME` puts one back)."
    ]


def _applied_migrations(conn: sqlite3.Connection, db_path: Path) -> set[str]:
    """The migrations a database has; refuses one from a newer quiz."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if not exists:
        return set()
    applied = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
        )
    }
    unknown = sorted(applied - set(MIGRATIONS))
    if unknown:
        names = ", ".join(unknown)
        raise StoreError(
            f"{db_path}: cannot open the database: it was written by a newer version of quiz "
            f"(it has {names}, which quiz {__version__} does not know). Nothing was changed. "
            "Upgrade quiz, or use --db PATH for another database."
        )
    return applied


def _quick_check(conn: sqlite3.Connection, db_path: Path) -> None:
    rows = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if rows != ["ok"]:
        raise _damaged(db_path, "; ".join(rows))


def _backup(
    conn: sqlite3.Connection, db_path: Path, has_data: bool, upgrading: bool, now: datetime
) -> list[str]:
    """Back up before any migration, and otherwise once a day; what went wrong, told."""
    if not has_data:
        return []
    if upgrading:
        _quick_check(conn, db_path)
        try:
            make_backup(conn, db_path, "before-upgrade", now)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"{db_path}: cannot open the database: it needs an upgrade, but no backup "
                f"could be made first ({exc}). Nothing was changed."
            ) from exc
        prune(db_path)
    elif not backed_up_on(db_path, now):
        # Checked before copying, so a damaged file never pushes a good backup out.
        _quick_check(conn, db_path)
        # A daily backup that fails (a full disk) must not keep the learner from studying.
        try:
            make_backup(conn, db_path, "daily", now)
            prune(db_path)
        except (OSError, sqlite3.Error) as exc:
            why = exc.strerror if isinstance(exc, OSError) else str(exc)
            return [f"{db_path}: today's backup could not be made ({why}); studying goes on."]
    return []


def _migrate(store: Store) -> None:
    """Apply the pending migrations through sqlite-utils, under the write lock."""
    from quiz.store.migrations import migrations

    # Under the write lock, so two first starts at once do not both migrate.
    with store.atomic():
        migrations.apply(store.db)


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Put the database in write-ahead-log mode, waiting out another process doing the same."""
    # Two first starts at once both switch the new file to WAL, and SQLite refuses one of them
    # at once rather than through the busy timeout, so it is tried again here.
    deadline = time.monotonic() + 10
    delay = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("could not switch to write-ahead logging")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def open_store(
    path: Path | str | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    create: bool = True,
) -> Store:
    """Open (creating if needed) the database, back it up when due and bring it up to date."""
    db_path = Path(path) if path is not None else default_db_path()
    conn: sqlite3.Connection | None = None
    notices: list[str] = []
    if not create and not os.path.lexists(db_path):
        # A second connection of a running session (the LRS sender) must never start a new
        # database where the session's was deleted, nor set the session's live log aside.
        raise StoreError(f"{db_path}: no database here, and none is created by this step.")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        check_permissions(db_path)
        if _check_file(db_path):
            if not os.path.lexists(db_path):
                # A log with no database is kept, never replayed onto a new file or dropped.
                notices = set_aside_orphans(db_path, clock()) + _started_afresh(db_path)
            # Created owner-only from the start rather than narrowed after, and never
            # through a link planted where the file should be.
            create_private(db_path)
        conn = sqlite3.connect(db_path, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        applied = _applied_migrations(conn, db_path)
        # The file SQLite has open (it has read it by now), to tell later whether the path
        # still names it.
        st = os.stat(db_path)
        identity = (st.st_dev, st.st_ino)
        _enable_wal(conn)
        # FULL makes each committed answer survive a power cut too, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        upgrading = applied != set(MIGRATIONS)
        notices += _backup(conn, db_path, bool(applied), upgrading, clock())
        store = Store(conn, db_path)
        store.identity = identity
        store.notices = notices
        if upgrading:
            _migrate(store)
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, sqlite3.DatabaseError | OSError):
            raise _open_error(db_path, exc) from exc
        raise
    return store


def _open_error(db_path: Path, exc: sqlite3.DatabaseError | OSError) -> StoreError:
    """What went wrong opening the database, as one line that says what to do."""
    if isinstance(exc, OSError):
        return StoreError(f"{db_path}: cannot open the database: {exc.strerror}")
    if "readonly" in str(exc):
        return StoreError(
            f"{db_path}: cannot open the database: {exc}. Make it and its folder writable, "
            "or use --db PATH for another database."
        )
    if isinstance(exc, sqlite3.OperationalError):
        return StoreError(f"{db_path}: cannot open the database: {exc}")
    return _damaged(db_path, str(exc))

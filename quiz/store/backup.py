"""Copies of the database made with SQLite's backup API: listing, pruning and restoring them."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BACKUP_FOLDER = "backups"
KEEP = 7
_STAMP = "%Y-%m-%dT%H%M%SZ"
# `owner` is the database's whole file name (quiz.db); backups made before that was so carry
# only its stem (quiz), which two databases like quiz.db and quiz.sqlite share.
_NAME = re.compile(
    r"^(?P<owner>.+)-(?P<stamp>\d{4}-\d{2}-\d{2}T\d{6}Z)-(?P<reason>[a-z]+(?:-[a-z]+)*)"
    r"(?:-(?P<n>\d+))?\.db$"
)
# How long a restore waits for another process to let go of the database.
LOCK_WAIT = 1.0


class BackupError(Exception):
    """A backup could not be made, found or restored; the message says why."""


@dataclass(frozen=True)
class Backup:
    """One backup file of a database."""

    path: Path
    made_at: datetime
    reason: str  # daily, before-upgrade, before-restore or damaged
    # Named by the database's stem only, as quiz once did: it may be another database's.
    legacy: bool = False

    @property
    def name(self) -> str:
        """The file name, which `quiz backup restore` takes."""
        return self.path.name


def backup_folder(db_path: Path) -> Path:
    """Where a database's backups are kept: a backups/ folder next to it."""
    return db_path.parent / BACKUP_FOLDER


def _all_backups(db_path: Path) -> list[Backup]:
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    out = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match or match["owner"] not in (db_path.name, db_path.stem):
            continue
        with contextlib.suppress(OSError):
            # An empty file is a name taken by a copy that never finished.
            if path.is_file() and path.stat().st_size > 0:
                made = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
                legacy = match["owner"] != db_path.name
                out.append(Backup(path, made, match["reason"], legacy))
    return sorted(out, key=lambda b: (b.made_at, b.name), reverse=True)


def list_backups(db_path: Path) -> list[Backup]:
    """The database's backups, newest first, with any made under the old stem-only names."""
    return _all_backups(db_path)


def _own_backups(db_path: Path) -> list[Backup]:
    return [b for b in _all_backups(db_path) if not b.legacy]


def _private_file(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _candidates(folder: Path, db_path: Path, made: datetime, reason: str) -> Iterator[Path]:
    base = f"{db_path.name}-{made.strftime(_STAMP)}-{reason}"
    yield folder / f"{base}.db"
    for n in range(2, 10_000):
        yield folder / f"{base}-{n}.db"


def _publish(part: Path, candidates: Iterator[Path]) -> Path:
    """Give a finished copy the first free name; an existing backup is never replaced."""
    for target in candidates:
        try:
            os.link(part, target)
        except FileExistsError:
            continue
        except OSError:
            # No hard links here (some network and FAT file systems): claim the name first.
            try:
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                continue
            os.replace(part, target)
        part.unlink(missing_ok=True)
        _fsync(target.parent)
        return target
    raise BackupError(f"{part.parent}: no free backup name left")


def _copy_to_part(source: sqlite3.Connection, part: Path) -> None:
    """Copy a database into a private temporary file and sync it to disk."""
    _private_file(part)
    dest = sqlite3.connect(part)
    try:
        source.backup(dest)
        # A backup is one self-contained file, whatever the source's journal mode.
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    _fsync(part)


def _part_name(folder: Path, name: str) -> Path:
    return folder / f".{name}.{uuid.uuid4().hex[:8]}.part"


def make_backup(conn: sqlite3.Connection, db_path: Path, reason: str, now: datetime) -> Backup:
    """Copy the open database into its backups folder, readable by the owner only."""
    folder = backup_folder(db_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    made = now.astimezone(UTC).replace(microsecond=0)
    part = _part_name(folder, db_path.name)
    try:
        _copy_to_part(conn, part)
        target = _publish(part, _candidates(folder, db_path, made, reason))
    finally:
        part.unlink(missing_ok=True)
    return Backup(target, made, reason)


def prune(db_path: Path, keep: int = KEEP) -> list[Backup]:
    """Delete all but the newest `keep` backups; returns those deleted."""
    # Backups under the old stem-only names are left alone: they may be another database's.
    old = _own_backups(db_path)[keep:]
    for backup in old:
        backup.path.unlink(missing_ok=True)
        Path(f"{backup.path}-wal").unlink(missing_ok=True)
    # Copies cut short by a crash; a fresh one may belong to another process at work.
    for part in backup_folder(db_path).glob(".*.part"):
        with contextlib.suppress(OSError):
            if time.time() - part.stat().st_mtime > 3600:
                part.unlink()
    return old


def backed_up_on(db_path: Path, now: datetime) -> bool:
    """True when a backup of this very file was made on the same UTC day as `now`."""
    day = now.astimezone(UTC).date()
    return any(b.made_at.date() == day for b in _own_backups(db_path))


def find_backup(db_path: Path, name: str) -> Backup:
    """The backup with this file name."""
    for backup in list_backups(db_path):
        if backup.name == name:
            return backup
    folder = backup_folder(db_path)
    raise BackupError(f"no backup named '{name}' in {folder}; `quiz backup` lists them")


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _check(path: Path) -> None:
    try:
        conn = _read_only(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: the backup cannot be read ({exc})") from exc
    if not result or result[0] != "ok":
        raise BackupError(f"{path}: the backup is damaged ({result[0] if result else 'empty'})")


def _in_use(db_path: Path) -> BackupError:
    return BackupError(
        f"{db_path}: cannot restore: the database is open in another quiz (a study session, "
        "a report or an import). Close quiz there and try again. Nothing was changed."
    )


def _lock(db_path: Path, target: Path) -> sqlite3.Connection | None:
    """An exclusive lock on the database, held until closed; None when SQLite cannot read it."""
    conn = sqlite3.connect(target, timeout=LOCK_WAIT, isolation_level=None)
    try:
        # Kept until the connection closes: no other process reads or writes in between.
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
        # Out of write-ahead logging, which needs every other connection gone; the restored
        # file is then written in place under this lock.
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise _in_use(db_path) from exc
        return None
    except sqlite3.DatabaseError:
        # Not SQLite or damaged: no quiz can have it open, and it is copied byte for byte.
        conn.close()
        return None
    return conn


def _save_current(
    db_path: Path, target: Path, lock: sqlite3.Connection | None, now: datetime
) -> Backup | None:
    """Back up the database about to be replaced; a damaged one is copied byte for byte."""
    if not target.exists() or target.stat().st_size == 0:
        return None
    if lock is not None:
        try:
            if lock.execute("PRAGMA quick_check").fetchall() == [("ok",)]:
                return make_backup(lock, db_path, "before-restore", now)
        except sqlite3.DatabaseError:
            pass
    made = now.astimezone(UTC).replace(microsecond=0)
    folder = backup_folder(db_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    part = _part_name(folder, db_path.name)
    try:
        # Its write-ahead log goes alongside under the name SQLite looks for, so nothing is lost.
        wal = Path(f"{target}-wal")
        part_wal = Path(f"{part}-wal")
        _private_file(part)
        shutil.copyfile(target, part)
        _fsync(part)
        if wal.exists():
            _private_file(part_wal)
            shutil.copyfile(wal, part_wal)
            _fsync(part_wal)
        saved = _publish(part, _candidates(folder, db_path, made, "damaged"))
        if part_wal.exists():
            os.replace(part_wal, f"{saved}-wal")
    finally:
        part.unlink(missing_ok=True)
        Path(f"{part}-wal").unlink(missing_ok=True)
    return Backup(saved, made, "damaged")


def _replace_file(source: sqlite3.Connection, target: Path) -> None:
    """Put a copy in place of a file SQLite cannot use, through a temporary file."""
    part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.restoring")
    try:
        _copy_to_part(source, part)
        # The old write-ahead log must not be replayed onto the restored file.
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(part, target)
        _fsync(target.parent)
    finally:
        part.unlink(missing_ok=True)


def restore_backup(db_path: Path, name: str, now: datetime) -> tuple[Backup, Backup | None]:
    """Back up the database, then put a backup in its place: (restored, the copy saved)."""
    # Locked first, so a restore never happens under an open session; a symbolic link is
    # followed, so the file it points to is restored and the link kept.
    backup = find_backup(db_path, name)
    _check(backup.path)
    target = Path(os.path.realpath(db_path))
    try:
        lock = _lock(db_path, target) if target.exists() else None
        try:
            saved = _save_current(db_path, target, lock, now)
            source = _read_only(backup.path)
            try:
                if lock is not None:
                    try:
                        # Written in place under the lock: any process waiting to open the
                        # database sees the restored content once the lock is let go.
                        source.backup(lock)
                        lock.execute("PRAGMA integrity_check").fetchone()
                    except sqlite3.DatabaseError:
                        lock.close()
                        lock = None
                if lock is None:
                    _replace_file(source, target)
            finally:
                source.close()
        finally:
            if lock is not None:
                lock.close()
    except OSError as exc:
        raise BackupError(f"{db_path}: cannot restore {name}: {exc.strerror}") from exc
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{db_path}: cannot restore {name}: {exc}") from exc
    return backup, saved

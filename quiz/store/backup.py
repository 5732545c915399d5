"""Copies of the database made with SQLite's backup API: listing, pruning and restoring them."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BACKUP_FOLDER = "backups"
KEEP = 7
_STAMP = "%Y-%m-%dT%H%M%SZ"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{4}-\d{2}-\d{2}T\d{6}Z)-(?P<reason>[a-z-]+)\.db$")


class BackupError(Exception):
    """A backup could not be made, found or restored; the message says why."""


@dataclass(frozen=True)
class Backup:
    """One backup file of a database."""

    path: Path
    made_at: datetime
    reason: str  # daily, before-upgrade or before-restore

    @property
    def name(self) -> str:
        """The file name, which `quiz backup restore` takes."""
        return self.path.name


def backup_folder(db_path: Path) -> Path:
    """Where a database's backups are kept: a backups/ folder next to it."""
    return db_path.parent / BACKUP_FOLDER


def list_backups(db_path: Path) -> list[Backup]:
    """The database's backups, newest first."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    out = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and match["stem"] == db_path.stem and path.is_file():
            made = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
            out.append(Backup(path, made, match["reason"]))
    return sorted(out, key=lambda b: (b.made_at, b.name), reverse=True)


def _private_file(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_into(source: sqlite3.Connection, target: Path) -> None:
    """Copy a database into `target` through a temporary file, so no half copy is ever seen."""
    part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    _private_file(part)
    try:
        dest = sqlite3.connect(part)
        try:
            source.backup(dest)
            # A backup is one self-contained file, whatever the source's journal mode.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        _fsync(part)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def make_backup(conn: sqlite3.Connection, db_path: Path, reason: str, now: datetime) -> Backup:
    """Copy the open database into its backups folder, readable by the owner only."""
    folder = backup_folder(db_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    made = now.astimezone(UTC).replace(microsecond=0)
    target = folder / f"{db_path.stem}-{made.strftime(_STAMP)}-{reason}.db"
    _copy_into(conn, target)
    return Backup(target, made, reason)


def prune(db_path: Path, keep: int = KEEP) -> list[Backup]:
    """Delete all but the newest `keep` backups; returns those deleted."""
    old = list_backups(db_path)[keep:]
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
    """True when a backup was made on the same UTC day as `now`."""
    day = now.astimezone(UTC).date()
    return any(b.made_at.date() == day for b in list_backups(db_path))


def find_backup(db_path: Path, name: str) -> Backup:
    """The backup with this file name."""
    for backup in list_backups(db_path):
        if backup.name == name:
            return backup
    folder = backup_folder(db_path)
    raise BackupError(f"no backup named '{name}' in {folder}; `quiz backup` lists them")


def _check(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: the backup cannot be read ({exc})") from exc
    if not result or result[0] != "ok":
        raise BackupError(f"{path}: the backup is damaged ({result[0] if result else 'empty'})")


def _save_current(db_path: Path, now: datetime) -> Backup | None:
    """Back up the database about to be replaced; a damaged one is copied byte for byte."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("PRAGMA quick_check").fetchall()
            return make_backup(conn, db_path, "before-restore", now)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        pass
    made = now.astimezone(UTC).replace(microsecond=0)
    folder = backup_folder(db_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    target = folder / f"{db_path.stem}-{made.strftime(_STAMP)}-damaged.db"
    # Its write-ahead log goes alongside under the name SQLite looks for, so nothing is lost.
    for suffix in ("", "-wal"):
        source = Path(f"{db_path}{suffix}")
        if source.exists():
            copy = Path(f"{target}{suffix}")
            _private_file(copy)
            shutil.copyfile(source, copy)
    return Backup(target, made, "damaged")


def restore_backup(db_path: Path, name: str, now: datetime) -> tuple[Backup, Backup | None]:
    """Put a backup in place of the database, after backing up the database itself.

    Returns the backup restored and the backup made of the file it replaced (if any).
    """
    backup = find_backup(db_path, name)
    _check(backup.path)
    part = db_path.with_name(f".{db_path.name}.{uuid.uuid4().hex[:8]}.restoring")
    try:
        source = sqlite3.connect(f"{backup.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _copy_into(source, part)
        finally:
            source.close()
        saved = _save_current(db_path, now)
        # The old write-ahead log must not be replayed onto the restored file.
        for suffix in ("-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(part, db_path)
    except OSError as exc:
        raise BackupError(f"{db_path}: cannot restore {name}: {exc.strerror}") from exc
    finally:
        part.unlink(missing_ok=True)
    return backup, saved

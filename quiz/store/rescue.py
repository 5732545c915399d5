"""What a session had, copied out when its database file is deleted or replaced under it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from quiz.scheduler import utc_now
from quiz.store.backup import BackupError, make_backup


def rescue(conn: sqlite3.Connection, db_path: Path) -> str:
    """Back up what the open connection still reads; a sentence saying where it went."""
    try:
        backup = make_backup(conn, db_path, "rescued", utc_now())
    except (OSError, sqlite3.Error, BackupError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        return f"No copy of this session could be made ({why})."
    return f"What this session had is kept in {backup.path} (`quiz backup restore {backup.name}`)."

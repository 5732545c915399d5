"""The database's files before SQLite opens them: who may write them, logs left by no database."""

from __future__ import annotations

import grp
import os
import pwd
import stat
from datetime import UTC, datetime
from pathlib import Path

from quiz.store.errors import StoreError

LOG_SUFFIXES = ("-wal", "-shm")


def _others_can_write(st: os.stat_result) -> bool:
    """Writable by other users: by all, or by a group that is not ours alone."""
    if st.st_mode & stat.S_IWOTH:
        return True
    if not st.st_mode & stat.S_IWGRP:
        return False
    # A user private group (named after the user, no other members, as many systems make
    # with umask 002) is the user alone. The name counts too: a group's entry does not list
    # the users whose primary group it is, so a shared one can look empty.
    try:
        group = grp.getgrgid(st.st_gid)
        user = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return True
    return st.st_gid != os.getegid() or group.gr_name != user or bool(group.gr_mem)


def _refuse(db_path: Path, why: str) -> StoreError:
    return StoreError(f"{db_path}: cannot open the database: {why}")


def check_permissions(db_path: Path) -> None:
    """Refuse a database others could read or change through its folder or its files."""
    real = Path(os.path.realpath(db_path))
    me = os.geteuid()
    shared = False
    for folder in dict.fromkeys((db_path.parent, real.parent)):
        try:
            st = folder.stat()
        except OSError:
            continue  # made by open_store, owner-only
        if _others_can_write(st):
            if not st.st_mode & stat.S_ISVTX:
                raise _refuse(
                    db_path,
                    f"its folder {folder} can be written by others, who could replace the "
                    f"database or plant its log files. Make the folder yours alone (chmod "
                    f"go-w {folder}), or use --db PATH in a folder only you can write.",
                )
            # Sticky (like /tmp): others cannot replace our files, but can plant their own.
            shared = True
    names = [db_path] if db_path != real else []
    names += [real, *(Path(f"{real}{suffix}") for suffix in LOG_SUFFIXES)]
    for path in names:
        try:
            st = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode) and not shared:
            continue  # the file it names is checked in turn
        if st.st_uid != me:
            raise _refuse(
                db_path,
                f"{path} belongs to another user (uid {st.st_uid}), who could read or change "
                f"the progress in it. Move it away if it is not yours, or use --db PATH for "
                "another database.",
            )
        if not stat.S_ISLNK(st.st_mode) and _others_can_write(st):
            raise _refuse(
                db_path,
                f"{path} can be written by others, who could change the progress in it. "
                f"Make it yours alone (chmod go-w {path}), or use --db PATH for another "
                "database.",
            )


def create_private(db_path: Path, *, follow: bool = True) -> None:
    """Create the new database file, owner-only, never through a link someone else left there."""
    try:
        fd = os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        try:
            st = db_path.lstat()
        except FileNotFoundError:
            st = None
        if st is None or not stat.S_ISLNK(st.st_mode):
            return  # another quiz starting at the same moment made it
        if st.st_uid == os.geteuid() and follow:
            # Our own link to a database yet to be made: it is made where the link points.
            create_private(Path(os.path.realpath(db_path)), follow=False)
            return
        who = (
            f"made by another user (uid {st.st_uid})"
            if st.st_uid != os.geteuid()
            else "through another link"
        )
        raise _refuse(
            db_path,
            f"it is a symbolic link to {os.readlink(db_path)}, which does not exist, {who}; "
            "quiz does not create a database where someone else points. Remove the link, or "
            "use --db PATH for another database.",
        ) from None
    os.close(fd)


def _free_name(path: Path, made: datetime) -> Path:
    base = f"{path.name}.orphaned-{made.strftime('%Y-%m-%dT%H%M%SZ')}"
    for n in range(1, 10_000):
        candidate = path.with_name(base if n == 1 else f"{base}-{n}")
        if not os.path.lexists(candidate):
            return candidate
    raise StoreError(f"{path}: no free name left to keep it aside")


def set_aside_orphans(db_path: Path, now: datetime) -> list[str]:
    """Move aside a `-wal` or `-shm` left by a database that is gone; what was kept, told."""
    notices = []
    made = now.astimezone(UTC)
    for suffix in LOG_SUFFIXES:
        log = Path(f"{db_path}{suffix}")
        if not os.path.lexists(log):
            continue
        while True:
            target = _free_name(log, made)
            try:
                # A hard link never replaces a file: a name taken meanwhile is tried again.
                os.link(log, target, follow_symlinks=False)
            except FileExistsError:
                continue
            except OSError:
                os.rename(log, target)
            else:
                log.unlink()
            break
        what = (
            "its write-ahead log, which may hold answers of a session whose database was "
            "deleted or moved"
            if suffix == "-wal"
            else "its shared-memory index (SQLite rebuilds it; kept for completeness)"
        )
        notices.append(
            f"{db_path}: the database file is missing but {log.name} was there: {what}. "
            f"Nothing was deleted: it is kept as {target}, and a new database was started."
        )
    return notices

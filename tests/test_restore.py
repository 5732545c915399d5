"""Restoring backups: never over an open session, never losing the file replaced, links kept."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from conftest import TEST_DECKS, FakeClock

from quiz.cli import main
from quiz.library import open_deck
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store import open_store
from quiz.store.backup import backed_up_on, list_backups, restore_backup

DAY1 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


def study(path: Path, clock: FakeClock, learner: str, answers: int) -> None:
    store = open_store(path, clock=clock)
    try:
        deck, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
        assert deck is not None, problems
        session = StudySession(store, [deck], learner, clock=clock, rng=random.Random(1))
        session.start()
        for _ in range(answers):
            shown = session.next()
            assert shown is not None
            if shown.item.card.type == "flashcard":
                session.rate(Rating.GOOD)
            else:
                session.submit("Moscow")
    finally:
        store.close()


def reviews(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT id, learner FROM reviews ORDER BY id").fetchall()
    finally:
        conn.close()


def with_a_backup(path: Path, clock: FakeClock) -> str:
    """A database studied on day one, backed up on day two and studied again after."""
    study(path, clock, "ada", 3)
    clock.advance(days=1)
    open_store(path, clock=clock).close()
    (backup,) = list_backups(path)
    clock.advance(hours=1)
    study(path, clock, "ada", 4)
    return backup.name


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_two_restores_in_one_second_keep_both_files_they_replaced(tmp_path: Path) -> None:
    db = tmp_path / "quiz.db"
    clock = FakeClock(DAY1)
    name = with_a_backup(db, clock)
    original = reviews(db)
    restore_backup(db, name, clock())
    # The same second: before, this copy overwrote the one holding the original database.
    restore_backup(db, name, clock())
    saved = [b for b in list_backups(db) if b.reason == "before-restore"]
    assert len(saved) == 2
    assert len({b.name for b in saved}) == 2
    assert original in [reviews(b.path) for b in saved]


def test_a_restore_is_refused_while_a_session_has_the_database_open(tmp_path: Path) -> None:
    db = tmp_path / "quiz.db"
    clock = FakeClock(DAY1)
    name = with_a_backup(db, clock)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from quiz.store import open_store\n"
            f"store = open_store({str(db)!r})\n"
            "store.conn.execute('SELECT count(*) FROM reviews').fetchone()\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n"
            "store.close()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        before = reviews(db)
        code, output = cli("backup", "restore", name, "--db", str(db))
        assert code == 1
        assert "the database is open in another quiz" in output
        assert "Nothing was changed" in output
        assert reviews(db) == before
        assert not [b for b in list_backups(db) if b.reason == "before-restore"]
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    code, output = cli("backup", "restore", name, "--db", str(db))
    assert code == 0, output
    (backup,) = [b for b in list_backups(db) if b.name == name]
    assert reviews(db) == reviews(backup.path)


def test_a_restored_database_is_studied_on(tmp_path: Path) -> None:
    db = tmp_path / "quiz.db"
    clock = FakeClock(DAY1)
    name = with_a_backup(db, clock)
    restore_backup(db, name, clock())
    # Written in place, out of write-ahead logging: the next start takes it up again.
    study(db, clock, "ben", 2)
    assert len([r for r in reviews(db) if r[1] == "ben"]) == 2


def test_a_restore_through_a_symlink_restores_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real" / "quiz.db"
    real.parent.mkdir()
    clock = FakeClock(DAY1)
    link = tmp_path / "quiz.db"
    link.symlink_to(real)
    name = with_a_backup(link, clock)
    (backup,) = list_backups(link)
    code, output = cli("backup", "restore", name, "--db", str(link))
    assert code == 0, output
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert reviews(real) == reviews(backup.path)


def test_databases_sharing_a_stem_keep_their_own_backups(tmp_path: Path) -> None:
    clock = FakeClock(DAY1)
    first, second = tmp_path / "quiz.db", tmp_path / "quiz.sqlite"
    study(first, clock, "ada", 3)
    study(second, clock, "ben", 2)
    clock.advance(days=1)
    open_store(first, clock=clock).close()
    # Before, quiz.db's backup counted as quiz.sqlite's: it skipped its own daily backup.
    assert not backed_up_on(second, clock())
    open_store(second, clock=clock).close()
    (mine,) = list_backups(second)
    (theirs,) = list_backups(first)
    assert {r[1] for r in reviews(mine.path)} == {"ben"}
    assert {r[1] for r in reviews(theirs.path)} == {"ada"}
    # The other's backup cannot be put in place of this one.
    code, output = cli("backup", "restore", theirs.name, "--db", str(second))
    assert code == 1
    assert f"no backup named '{theirs.name}'" in output
    assert {r[1] for r in reviews(second)} == {"ben"}


def test_backups_with_the_old_stem_only_names_are_still_found(tmp_path: Path) -> None:
    clock = FakeClock(DAY1)
    db = tmp_path / "quiz.db"
    study(db, clock, "ada", 3)
    clock.advance(days=1)
    open_store(db, clock=clock).close()
    (made,) = list_backups(db)
    old = made.path.with_name("quiz-2026-03-01T120000Z-daily.db")
    shutil.copyfile(made.path, old)
    found = {b.name: b for b in list_backups(db)}
    assert found[old.name].legacy
    assert not found[made.name].legacy
    # Seven days on, pruning keeps the old-named one: it may be another database's.
    for _ in range(8):
        clock.advance(days=1)
        open_store(db, clock=clock).close()
    assert old.exists()
    restored, _ = restore_backup(db, old.name, clock() + timedelta(seconds=1))
    assert restored.path == old

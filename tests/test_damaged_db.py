"""Damaged, foreign, newer and read-only databases; automatic backups; upgrading old files."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from testkit import TEST_DECKS, FakeClock

from quiz.cli import main
from quiz.library import open_deck
from quiz.scheduler import Rating, Scheduler
from quiz.session import StudySession
from quiz.store import Store, StoreError, open_store
from quiz.store.backup import KEEP, list_backups, restore_backup
from quiz.store.migrations import migrations

FIXTURES = Path(__file__).parent / "fixtures"
FIRST_SCHEMA = FIXTURES / "first-schema.db"
DAY1 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TABLES = ("learners", "decks", "cards", "card_states", "reviews")


def fill(path: Path, clock: FakeClock, answers: int = 6) -> None:
    """A database with a learner, a deck and some answers."""
    store = open_store(path, clock=clock)
    try:
        deck, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
        assert deck is not None, problems
        session = StudySession(store, [deck], "ada", clock=clock, rng=random.Random(1))
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


def rows(path: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    finally:
        conn.close()


def everything(path: Path) -> dict[str, list[tuple[object, ...]]]:
    return {table: rows(path, table) for table in TABLES}


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(DAY1)


@pytest.fixture
def db(tmp_path: Path, clock: FakeClock) -> Path:
    path = tmp_path / "data" / "quiz.db"
    fill(path, clock)
    return path


# A clear message and a way out, never a silent reset


def test_a_truncated_database_is_refused_and_left_as_it_is(db: Path, clock: FakeClock) -> None:
    clock.advance(days=1)
    open_store(db, clock=clock).close()  # makes the day's backup, the way out
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])

    with pytest.raises(StoreError) as info:
        open_store(db, clock=clock)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{db}: cannot open the database: it is damaged (the file is ")
    assert f"truncated: {len(data) // 2} of {len(data)} bytes). Nothing was changed." in message
    assert "`quiz backup restore NAME`" in message
    assert db.read_bytes() == data[: len(data) // 2]

    code, output = cli("decks", "--db", str(db))
    assert code == 1
    assert output.startswith(f"Error: {db}: cannot open the database: it is damaged")
    assert db.read_bytes() == data[: len(data) // 2]


def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    path.write_text("my shopping list\n" * 200, encoding="utf-8")
    code, output = cli("decks", "--db", str(path))
    assert code == 1
    assert output.splitlines() == [
        f"Error: {path}: cannot open the database: the file is not SQLite, so not a quiz "
        f"database. Nothing was changed. There are no backups in {tmp_path / 'backups'}: move "
        "the file away to start afresh, or use --db PATH for another database."
    ]
    assert path.read_text(encoding="utf-8") == "my shopping list\n" * 200


def test_damage_inside_the_file_is_found_before_the_daily_backup(
    db: Path, clock: FakeClock
) -> None:
    clock.advance(days=1)
    open_store(db, clock=clock).close()
    backups = list_backups(db)
    # Garble the pages after the first, keeping the file's size: only a check of its
    # structure can tell.
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    noise = random.Random(3).randbytes(len(data) - page)
    data[page:] = noise
    db.write_bytes(bytes(data))

    clock.advance(days=1)
    with pytest.raises(StoreError, match="cannot open the database: it is damaged") as info:
        open_store(db, clock=clock)
    assert "quiz backup restore" in str(info.value)
    # No backup of the damaged file pushed a good one out.
    assert list_backups(db) == backups
    assert db.read_bytes() == bytes(data)


def test_a_database_from_a_newer_quiz_is_refused_and_left_as_it_is(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('quiz', 'm999_from_the_future', '2027-01-01')"
        )
    conn.close()
    before = everything(db)
    data = db.read_bytes()

    code, output = cli("decks", "--db", str(db))
    assert code == 1
    assert output.splitlines() == [
        f"Error: {db}: cannot open the database: it was written by a newer version of quiz "
        "(it has m999_from_the_future, which quiz 0.1.0 does not know). Nothing was changed. "
        "Upgrade quiz, or use --db PATH for another database."
    ]
    assert db.read_bytes() == data
    assert everything(db) == before


def test_an_empty_file_that_had_backups_is_not_silently_started_afresh(
    db: Path, clock: FakeClock
) -> None:
    clock.advance(days=1)
    open_store(db, clock=clock).close()
    db.write_bytes(b"")
    with pytest.raises(StoreError, match=r"it is damaged \(the file is empty\)"):
        open_store(db, clock=clock)
    assert db.read_bytes() == b""


def test_an_empty_file_without_backups_is_a_new_database(tmp_path: Path) -> None:
    # What a kill during the very first start leaves behind: nothing to lose.
    path = tmp_path / "quiz.db"
    path.write_bytes(b"")
    open_store(path).close()
    assert rows(path, "learners") == []


def test_a_folder_given_as_the_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the database: it is a folder"):
        open_store(tmp_path)
    code, output = cli("decks", "--db", str(tmp_path))
    assert code == 2
    assert "is a directory" in output


def as_restricted_user(args: list[str]) -> list[str]:
    """The command run so that file permissions apply, even when the tests run as root."""
    if os.geteuid() != 0:
        return args
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *args]


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    # Outside pytest's private tmp folder, so that a restricted process can reach it.
    path = Path(tempfile.mkdtemp(prefix="quiz-readonly-"))
    try:
        yield path
    finally:
        for sub in (path, *path.rglob("*")):
            if sub.is_dir():
                sub.chmod(0o700)
        shutil.rmtree(path)


def quiz_decks(db: Path) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "quiz", "decks", "--db", str(db), str(TEST_DECKS)]
    return subprocess.run(as_restricted_user(args), capture_output=True, text=True, timeout=60)


def test_a_read_only_database_file_is_a_clear_error(shared_dir: Path, clock: FakeClock) -> None:
    db = shared_dir / "quiz.db"
    fill(db, clock)
    data = db.read_bytes()
    db.chmod(0o400)
    result = quiz_decks(db)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"Error: {db}: cannot open the database: the file is read-only. Make it writable "
        f"(chmod u+rw {db}), or use --db PATH for another database."
    ]
    assert db.read_bytes() == data


def test_a_database_in_a_read_only_folder_is_a_clear_error(
    shared_dir: Path, clock: FakeClock
) -> None:
    folder = shared_dir / "data"
    db = folder / "quiz.db"
    fill(db, clock)
    data = db.read_bytes()
    folder.chmod(0o500)
    result = quiz_decks(db)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"Error: {db}: cannot open the database: its folder is read-only. Make it writable "
        f"(chmod u+w {folder}), or use --db PATH for another database."
    ]
    assert db.read_bytes() == data


# Owner-only files


def test_the_database_its_log_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "quiz.db"
    store = open_store(path)
    try:
        store.ensure_learner("ada", DAY1)
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        # SQLite gives its write-ahead log and shared-memory files the database's mode.
        for suffix in ("-wal", "-shm"):
            assert stat.S_IMODE(Path(f"{path}{suffix}").stat().st_mode) == 0o600
    finally:
        store.close()


# Automatic backups


def test_backups_are_made_once_a_day_and_the_last_seven_kept(db: Path, clock: FakeClock) -> None:
    # The first day's start made the database: there was nothing to back up.
    assert list_backups(db) == []
    open_store(db, clock=clock).close()
    assert [b.reason for b in list_backups(db)] == ["daily"]
    # At most once a day, however often quiz starts.
    for _ in range(3):
        clock.advance(hours=1)
        open_store(db, clock=clock).close()
    assert len(list_backups(db)) == 1

    for _ in range(10):
        clock.advance(days=1)
        open_store(db, clock=clock).close()
    backups = list_backups(db)
    assert len(backups) == KEEP
    assert backups[0].made_at == clock().replace(microsecond=0)
    assert [b.made_at.date() for b in backups] == [
        (clock() - timedelta(days=i)).date() for i in range(KEEP)
    ]
    folder = db.parent / "backups"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for backup in backups:
        assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == sorted(b.name for b in backups)


def test_a_backup_holds_what_is_still_in_the_write_ahead_log(db: Path, clock: FakeClock) -> None:
    # A session is open, its answers committed to the log but not yet to the main file.
    busy = open_store(db, clock=clock)
    try:
        deck, _ = open_deck(busy, TEST_DECKS / "every-type.yaml", clock())
        assert deck is not None
        session = StudySession(busy, [deck], "ben", clock=clock, rng=random.Random(2))
        session.start()
        for _ in range(3):
            shown = session.next()
            assert shown is not None
            if shown.item.card.type == "flashcard":
                session.rate(Rating.GOOD)
            else:
                session.submit("Moscow")
        assert Path(f"{db}-wal").stat().st_size > 0
        clock.advance(days=1)
        open_store(db, clock=clock).close()
        backup = list_backups(db)[0]
        assert backup.made_at == clock()
        assert rows(backup.path, "reviews") == rows(db, "reviews")
        assert len([r for r in rows(backup.path, "reviews") if r[1] == "ben"]) == 3
        # A backup is one self-contained file.
        assert not Path(f"{backup.path}-wal").exists()
    finally:
        busy.close()


def test_quiz_backup_lists_and_restores(db: Path, clock: FakeClock) -> None:
    clock.advance(days=1)
    open_store(db, clock=clock).close()
    (good,) = list_backups(db)
    kept = everything(db)

    code, output = cli("backup", "--db", str(db))
    assert code == 0
    (line,) = output.splitlines()
    assert line.startswith(f"{good.name}  2026-03-03 12:00 UTC  daily")

    # Months of work go astray: the file is cut short.
    data = db.read_bytes()
    db.write_bytes(data[:4096])
    code, output = cli("decks", "--db", str(db))
    assert code == 1
    assert "quiz backup restore NAME" in output

    code, output = cli("backup", "restore", good.name, "--db", str(db))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == f"restored {good.name} to {db}"
    assert lines[1].startswith("the file it replaced is kept as quiz.db-")
    assert everything(db) == kept
    # The damaged file was backed up byte for byte before it was replaced.
    damaged = next(b for b in list_backups(db) if b.reason == "damaged")
    assert damaged.path.read_bytes() == data[:4096]
    assert stat.S_IMODE(damaged.path.stat().st_mode) == 0o600
    code, output = cli("decks", "--db", str(db), "--learner", "ada", str(TEST_DECKS))
    assert code == 0, output


def test_restoring_over_a_sound_database_backs_it_up_first(db: Path, clock: FakeClock) -> None:
    clock.advance(days=1)
    open_store(db, clock=clock).close()
    (old,) = list_backups(db)
    clock.advance(hours=1)
    fill(db, clock, answers=3)
    newer = everything(db)

    restored, saved = restore_backup(db, old.name, clock())
    assert restored == old
    assert saved is not None
    assert saved.reason == "before-restore"
    assert everything(saved.path) == newer
    assert everything(db) == everything(old.path)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_restoring_an_unknown_backup_changes_nothing(db: Path) -> None:
    data = db.read_bytes()
    for name in ("nope.db", "../quiz.db", str(db)):
        code, output = cli("backup", "restore", name, "--db", str(db))
        assert code == 1
        assert f"no backup named '{name}'" in output
    assert db.read_bytes() == data


# Migrations


def test_the_first_schema_opens_upgrades_and_keeps_all_its_data(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    shutil.copy(FIRST_SCHEMA, path)
    assert [r[2] for r in rows(path, "_sqlite_migrations")] == ["m001_initial"]
    before = everything(path)
    assert len(before["reviews"]) > 20
    assert {r[0] for r in before["learners"]} == {"ada", "ben"}

    clock = FakeClock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    store = open_store(path, clock=clock)
    try:
        known = [m.name for m in migrations.pending(store.db.__class__(memory=True))]
        applied = [r["name"] for r in store.db.query("SELECT name FROM _sqlite_migrations")]
        assert applied == known
        # Every row of every table is still there, unchanged but for the FSRS states, which
        # the upgrade to study days recomputes from the review log.
        for table, old in before.items():
            columns = len(old[0]) if old else 0
            kept = KEPT_BY_UPGRADE.get(table, slice(0, columns))
            new = rows(path, table)
            if table == "cards":
                # Each card's content moves, once, to card_contents under the row's hash.
                contents = dict(rows(path, "card_contents"))
                assert [contents[r[8]] for r in new] == [r[7] for r in old]
                new = [(*r[:7], old_row[7], *r[8:]) for r, old_row in zip(new, old, strict=True)]
            assert [r[kept] for r in new] == [r[kept] for r in old], table
        assert_states_replayed(store)
        continue_studying(store, clock)
    finally:
        store.close()
    # The file as the first version left it was backed up before the upgrade.
    (backup,) = [b for b in list_backups(path) if b.reason == "before-upgrade"]
    assert everything(backup.path) == before
    assert [r[2] for r in rows(backup.path, "_sqlite_migrations")] == ["m001_initial"]


# What m004 keeps of each row: a review's all but its states before and after (id, who, what,
# when, rating, outcome, response, duration, first), and whose state of what item.
KEPT_BY_UPGRADE = {"reviews": slice(0, 12), "card_states": slice(0, 3)}


def assert_states_replayed(store: Store) -> None:
    """Every item's states are what its reviews give when replayed in study days."""
    items = {(r["learner"], r["deck_id"], r["item_key"]) for r in store.reviews()}
    assert items
    for learner, deck_id, key in items:
        reviews = store.item_reviews(learner, deck_id, key)
        replayed = Scheduler().replay([(at, rating) for _, at, rating in reviews])
        end = replayed[-1][1]
        stored = store.state(learner, deck_id, key)
        assert stored is not None
        assert (stored.stability, stored.difficulty, stored.reps, stored.lapses) == pytest.approx(
            (end.stability, end.difficulty, end.reps, end.lapses)
        )


def continue_studying(store: Store, clock: FakeClock) -> None:
    """The upgraded database serves a session that picks up the old progress."""
    deck, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    assert deck is not None, problems
    old = store.states("ada", deck.id)
    assert old
    session = StudySession(store, [deck], "ada", clock=clock, fuzz=False)
    session.start()
    shown = session.next()
    assert shown is not None
    if shown.item.card.type == "flashcard":
        answer = session.rate(Rating.GOOD)
    else:
        answer = session.submit("Moscow")
    assert answer.review.state_before == old.get(shown.item.key)

"""A database file deleted or replaced under an open session, and the log it leaves behind."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from testkit import TEST_DECKS, FakeClock

from quiz.cli import main
from quiz.library import open_deck
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store import open_store
from quiz.store.backup import list_backups
from quiz.store.database import NotRecorded
from quiz.tui.app import make_app
from quiz.tui.screens.study import Phase, StudyScreen

ROOT = Path(__file__).parent.parent
CARD = "  - {{id: c{0}, type: flashcard, front: 'Front {0}', back: 'Back {0}'}}\n"
FLASHCARDS = textwrap.dedent(
    """\
    deck: cards
    title: Flashcards
    settings: {new_per_day: 50}
    lint: {ignore: [missing-explanation, missing-source]}
    cards:
    """
) + "".join(CARD.format(n) for n in range(30))


def answer(session: StudySession) -> str:
    """Answer the item on screen (showing the next one first if none is); its review id."""
    shown = session.current or session.next()
    assert shown is not None
    if shown.item.card.type == "flashcard":
        return session.rate(Rating.GOOD).review.id
    return session.submit("Moscow").review.id


def reviews_in(path: Path) -> set[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM reviews")}
    finally:
        conn.close()


@pytest.fixture
def session(tmp_path: Path, clock: FakeClock) -> StudySession:
    store = open_store(tmp_path / "quiz.db", clock=clock)
    deck, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    assert deck is not None, problems
    session = StudySession(store, [deck], "ada", clock=clock, rng=random.Random(1))
    session.start()
    yield session
    store.close()


def test_an_answer_after_the_database_was_deleted_is_not_saved(session: StudySession) -> None:
    store = session.store
    assert store.path is not None
    saved = {answer(session), answer(session)}
    shown = session.next()
    assert shown is not None
    store.path.unlink()
    # Before, this answer (and every later one) was shown as saved, into a file gone.
    with pytest.raises(NotRecorded) as caught:
        answer(session)
    failure = caught.value
    assert failure.kind == "gone" and failure.stopped
    assert "the database file was deleted while quiz had it open" in str(failure)
    assert "the last answer was not saved" in str(failure)
    # The card is still the one to answer, and the answer is nowhere.
    assert session.current == shown
    assert {r["id"] for r in store.reviews()} == saved
    # What the session had is kept as a backup, named in the message, that restores as usual.
    (rescued,) = [b for b in list_backups(store.path) if b.reason == "rescued"]
    assert f"kept in {rescued.path}" in str(failure)
    assert f"quiz backup restore {rescued.name}" in str(failure)
    assert reviews_in(rescued.path) == saved
    # Recording has stopped: a later answer is refused at once, and so is any write.
    with pytest.raises(NotRecorded):
        answer(session)
    assert store.failure is failure


def test_an_answer_after_the_database_was_replaced_is_not_saved(
    session: StudySession, tmp_path: Path
) -> None:
    store = session.store
    assert store.path is not None
    answer(session)
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    os.replace(other, store.path)
    before = store.path.read_bytes()
    with pytest.raises(NotRecorded) as caught:
        answer(session)
    assert caught.value.kind == "replaced"
    assert "was replaced by another file" in str(caught.value)
    # The file now at the path is someone else's: it is left as it is.
    assert store.path.read_bytes() == before


def test_the_lrs_sender_never_starts_a_database_where_the_sessions_was_deleted(
    session: StudySession,
) -> None:
    from quiz.xapi.background import BackgroundSender

    store = session.store
    assert store.path is not None
    answer(session)
    log = Path(f"{store.path}-wal")
    assert log.exists()
    store.path.unlink()
    # The sender opens its own connection every half minute; before, that made a new empty
    # database at the path and moved the session's live log aside as an orphan.
    assert BackgroundSender(store.path).send() is None
    assert not store.path.exists()
    assert log.exists()
    assert not list(store.path.parent.glob("*orphaned*"))


def test_housekeeping_notices_the_deletion_without_raising(session: StudySession) -> None:
    store = session.store
    assert store.path is not None
    answer(session)
    assert session.idle() is None
    store.path.unlink()
    failure = session.idle()
    assert isinstance(failure, NotRecorded) and failure.kind == "gone"
    with pytest.raises(NotRecorded):
        answer(session)


KILLED_AFTER_DELETE = """
import os, random, sys
from pathlib import Path
from quiz.library import open_deck
from quiz.scheduler import Rating, utc_now
from quiz.session import StudySession
from quiz.store import open_store

db = Path(sys.argv[1])
store = open_store(db)
deck, _ = open_deck(store, Path(sys.argv[2]), utc_now())
session = StudySession(store, [deck], "ada", rng=random.Random(1))
session.start()
for _ in range(3):
    session.next()
    session.rate(Rating.GOOD)
db.unlink()
os._exit(9)  # as if killed: SQLite never closes, and the log stays
"""


def test_a_log_left_by_a_deleted_database_is_kept_aside_and_reported(tmp_path: Path) -> None:
    deck = tmp_path / "cards.yaml"
    deck.write_text(FLASHCARDS)
    db = tmp_path / "quiz.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_DELETE, str(db), str(deck)], env=env, timeout=60
    )
    assert run.returncode == 9
    wal = Path(f"{db}-wal")
    assert not db.exists() and wal.stat().st_size > 0
    log = wal.read_bytes()
    result = CliRunner().invoke(main, ["decks", "--db", str(db), str(deck)])
    assert result.exit_code == 0, result.output
    # Before, the next start made a new database and the log (three answers) was dropped.
    (kept,) = tmp_path.glob("quiz.db-wal.orphaned-*")
    assert kept.read_bytes() == log
    assert list(tmp_path.glob("quiz.db-shm.orphaned-*"))
    warnings = [line for line in result.output.splitlines() if line.startswith("Warning:")]
    assert any(
        f"{db}: the database file is missing but quiz.db-wal was there" in line
        and f"it is kept as {kept}" in line
        and "write-ahead log" in line
        for line in warnings
    ), warnings
    # The new database holds nothing from the old log.
    assert reviews_in(db) == set()
    # And a second start has nothing more to say.
    again = CliRunner().invoke(main, ["decks", "--db", str(db), str(deck)])
    assert "Warning:" not in again.output


async def test_the_study_screen_says_the_database_is_gone_and_keeps_the_card(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text(FLASHCARDS)
    store = open_store(tmp_path / "quiz.db", clock=clock)
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    app = make_app(store, [deck], "ada", study=["cards"], clock=clock, rng=random.Random(3))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        await pilot.press("space", "3")
        await pilot.pause()
        assert len(store.reviews()) == 1
        await pilot.press("space")
        await pilot.pause()
        shown = app.session.current
        assert store.path is not None
        store.path.unlink()
        await pilot.press("3")
        await pilot.pause()
        # Still the same card, its answer revealed, to be rated again; nothing counted.
        assert app.screen is screen
        assert app.session.current == shown
        assert screen.phase is Phase.REVEALED
        assert screen.done == 1
        assert len(store.reviews()) == 1
        toasts = [n.message for n in app._notifications]
        assert any("the database file was deleted" in t for t in toasts), toasts
        assert store.failure is not None and store.failure.kind == "gone"


def test_a_session_that_lost_its_database_exits_non_zero(tmp_path: Path) -> None:
    # Driven as `quiz study` is, through the CLI's own run_app, with the app replaced by one
    # that deletes the database and answers.
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from quiz.cli import main
        import quiz.tui.app as tui

        class Scripted:
            def __init__(self, app):
                self.app = app
            def run(self):
                session = self.app.session
                session.start()
                session.store.path.unlink()
                session.next()
                try:
                    session.rate(3)
                except Exception as exc:
                    print("raised", type(exc).__name__)

        make = tui.make_app
        tui.make_app = lambda *a, **k: Scripted(make(*a, **k))
        main(["study", "--db", sys.argv[1], sys.argv[2]])
        """
    )
    deck = tmp_path / "cards.yaml"
    deck.write_text(FLASHCARDS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "quiz.db"), str(deck)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.strip() == "raised NotRecorded"
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"Error: during the session: {tmp_path / 'quiz.db'}: the database")


def test_a_checkpoint_finishing_while_quiz_opens_is_not_truncation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    # Another process's checkpoint writes page 1 (the new page count) first and grows the file
    # page by page, then deletes the log. Opened at that moment, the file is short of its
    # header's count while the log is there; here the checkpoint ends as quiz opens the file.
    from quiz.store import database

    db = tmp_path / "quiz.db"
    store = open_store(db, clock=clock)
    open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    store.close()
    whole = db.read_bytes()
    db.write_bytes(whole[: len(whole) // 2])
    wal = Path(f"{db}-wal")
    wal.write_bytes(b"")
    real_open = Path.open

    def checkpoint_ends(self: Path, *args: object, **kwargs: object) -> object:
        if self == db and wal.exists():
            wal.unlink()
            db.write_bytes(whole)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", checkpoint_ends)
    # Before: "the file is truncated", from a size read before and a log looked for after.
    assert database._check_file(db) is False


def test_a_failed_write_no_screen_caught_ends_the_app_without_a_traceback() -> None:
    # Screens other than the study screen do not catch it: Textual then shows the message
    # (the exception's __rich__) instead of a traceback, and the app's status is 1.
    script = textwrap.dedent(
        """
        from textual.app import App
        from quiz.store.errors import NotRecorded

        class Writes(App):
            def on_mount(self):
                self.set_timer(0.1, self.write)

            def write(self):
                raise NotRecorded("/data/quiz.db: not saved: the disk is full.", "full")

        app = Writes()
        app.run(headless=True)
        print("status", app.return_code)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = run.stdout + run.stderr
    assert "Traceback" not in out
    assert "Error: /data/quiz.db: not saved: the disk is full." in out
    assert "status 1" in out


def test_the_next_start_after_the_deletion_points_at_the_rescued_copy(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = open_store(tmp_path / "quiz.db", clock=clock)
    deck, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    assert deck is not None, problems
    session = StudySession(store, [deck], "ada", clock=clock, rng=random.Random(1))
    session.start()
    assert store.path is not None
    saved = {answer(session)}
    store.path.unlink()
    with pytest.raises(NotRecorded):
        answer(session)
    store.close()
    (rescued,) = [b for b in list_backups(store.path) if b.reason == "rescued"]
    result = CliRunner().invoke(main, ["decks", "--db", str(store.path)])
    assert result.exit_code == 0, result.output
    # Before, a new empty database was started without a word.
    assert (
        f"Warning: {store.path}: there was no database here, so a new one was started; the one "
        f"before has 1 backup(s) in {store.path.parent / 'backups'}, the newest {rescued.name} "
        "(`quiz backup restore NAME` puts one back)."
    ) in result.output.splitlines()
    assert reviews_in(rescued.path) == saved

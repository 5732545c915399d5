"""A full disk while studying and at the next start, on a real tiny file system (tmpfs)."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_db_identity import FLASHCARDS, reviews_in
from testkit import FakeClock

from quiz.cli import main
from quiz.library import open_deck
from quiz.store import Store, open_store
from quiz.store.database import NotRecorded
from quiz.tui.app import make_app
from quiz.tui.screens.study import Phase, StudyScreen

ROOT = Path(__file__).parent.parent
FULL = "not saved: the disk is full. Free some space, then try again."


@pytest.fixture
def tiny_fs() -> Iterator[Path]:
    """A 2 MB tmpfs of its own, mounted for the test (root only) and unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("not root: cannot mount a small tmpfs, so the disk-full tests are skipped")
    path = Path(tempfile.mkdtemp(prefix="quiz-full-"))
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mount.returncode != 0:
        path.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({mount.stderr.strip()}): disk-full tests skipped")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
        path.rmdir()


def fill(folder: Path) -> Path:
    """Take every free byte of the file system with one file, returned to free it again."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1 << 9, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "cards.yaml"
    path.write_text(FLASHCARDS)
    return path


async def test_a_full_disk_is_said_on_the_study_screen_and_the_card_kept(
    tiny_fs: Path, tmp_path: Path, clock: FakeClock
) -> None:
    store = open_store(tiny_fs / "quiz.db", clock=clock)
    deck, problems = open_deck(store, deck_file(tmp_path), clock())
    assert deck is not None, problems
    app = make_app(store, [deck], "ada", study=["cards"], clock=clock, rng=random.Random(3))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        await pilot.press("space", "3")
        await pilot.pause()
        filler = fill(tiny_fs)

        # The log has room for some answers (its pages are reused; about 20 here), then SQLite
        # needs more.
        # Checkpoints fail first (said too, as the answers so far being safe).
        def toasts() -> list[str]:
            return [n.message for n in app._notifications]

        for _ in range(100):
            await pilot.press("space", "3")
            await pilot.pause()
            if any(FULL in t for t in toasts()):
                break
        failure = store.failure
        assert failure is not None and failure.kind == "full", failure
        # Said on the screen, in place of the hint under the card and as a toast; the card
        # is still there, revealed, to be rated again; nothing shown as recorded is missing.
        assert app.screen is screen
        assert screen.phase is Phase.REVEALED
        shown = app.session.current
        assert shown is not None
        assert any(FULL in t for t in toasts()), toasts()
        assert screen.done == len(store.reviews())
        # Space freed, the same key saves the answer and the next card follows.
        filler.unlink()
        await pilot.press("3")
        await pilot.pause()
        assert screen.done == len(store.reviews())
        assert shown.item.key in {r["item_key"] for r in store.reviews()}
        assert app.session.current != shown
    store.close()


def test_the_next_start_on_a_full_disk_explains_itself(tiny_fs: Path, tmp_path: Path) -> None:
    db = tiny_fs / "quiz.db"
    deck = deck_file(tmp_path)
    assert CliRunner().invoke(main, ["decks", "--db", str(db), str(deck)]).exit_code == 0
    before = reviews_in(db)
    fill(tiny_fs)
    # A new deck to sync: the start has to write.
    other = tmp_path / "other.yaml"
    other.write_text(FLASHCARDS.replace("deck: cards", "deck: other"))
    result = subprocess.run(
        [sys.executable, "-m", "quiz", "decks", "--db", str(db), str(other)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Before: a traceback from the deck sync.
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith("Warning:")]
    assert errors == [f"Error: {db}: {FULL}"]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    assert reviews_in(db) == before


def test_housekeeping_on_a_full_disk_never_raises(tiny_fs: Path, clock: FakeClock) -> None:
    store = open_store(tiny_fs / "quiz.db", clock=clock)
    try:
        store.ensure_learner("ada", clock())
        fill(tiny_fs)
        # Enough writes that the log must grow: some fail, none escapes as anything else.
        failures = 0
        for n in range(200):
            try:
                store.set_learner_setting("ada", "*", f"k{n}", "x" * 2000, clock())
            except NotRecorded as exc:
                assert exc.kind == "full"
                failures += 1
            tidied = store.housekeeping()
            assert tidied is None or (tidied.housekeeping and tidied.kind == "full"), tidied
        assert failures > 0
        # The exit status tells of the answers not saved, not of a checkpoint after them.
        assert store.failure is not None and not store.failure.housekeeping
    finally:
        store.close()


class Terminal:
    """`quiz study` in tmux, on its own server socket."""

    def __init__(self, socket: Path, script: str, env: dict[str, str]) -> None:
        self.base = ["tmux", "-S", str(socket)]
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", "q", "-x", "100", "-y", "30", script],
            check=True,
            env=env,
        )

    def screen(self) -> str:
        return subprocess.run(
            [*self.base, "capture-pane", "-p", "-J", "-t", "q"], capture_output=True, text=True
        ).stdout

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while text not in (shown := self.screen()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")
            time.sleep(0.05)
        return shown

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "q", *keys], check=True)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_quiz_study_on_a_disk_that_fills_up_exits_non_zero(tiny_fs: Path, tmp_path: Path) -> None:
    db = tiny_fs / "quiz.db"
    deck = deck_file(tmp_path)
    status = tmp_path / "status"
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    script = f'{sys.executable} -m quiz study --db {db} {deck}; echo "exit $?" > {status}; sleep 60'
    terminal = Terminal(tmp_path / "tmux.sock", script, env)
    try:
        terminal.wait_for("Front")
        terminal.keys("Space", "3")
        terminal.wait_for("1 done")
        fill(tiny_fs)
        for _ in range(100):
            terminal.keys("Space", "3")
            time.sleep(0.3)
            if "Not saved" in terminal.screen():
                break
        shown = terminal.wait_for("Not saved")
        assert "Traceback" not in shown
        terminal.keys("q")
        terminal.wait_for("answers")  # the summary
        terminal.keys("C-q")
        deadline = time.monotonic() + 30
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        # Before: a traceback from a checkpoint, and exit status 0.
        assert status.read_text().strip() == "exit 1"
        after = terminal.screen()
        assert f"Error: during the session: {db}: {FULL}" in after
        assert "Traceback" not in after
    finally:
        terminal.close()


class ReadOnly:
    """SQLite refusing writes as for a read-only file (`query_only` gives SQLITE_READONLY)."""

    message = "not saved: the database is read-only now."

    def __init__(self, store: Store) -> None:
        self.store = store

    def start(self) -> None:
        self.store.conn.execute("PRAGMA query_only = ON")

    def stop(self) -> None:
        self.store.conn.execute("PRAGMA query_only = OFF")


class Locked:
    """Another program holding the write lock; the wait shortened from 10 s to a tenth."""

    message = "not saved: another program kept the database locked for too long. Close it"

    def __init__(self, store: Store) -> None:
        self.store = store
        assert store.path is not None
        self.other = sqlite3.connect(store.path, isolation_level=None)

    def start(self) -> None:
        self.store.conn.execute("PRAGMA busy_timeout = 100")
        self.other.execute("BEGIN IMMEDIATE")

    def stop(self) -> None:
        self.other.execute("ROLLBACK")
        self.other.close()


@pytest.mark.parametrize("trouble", [ReadOnly, Locked], ids=["read-only", "locked"])
async def test_a_refused_write_is_said_on_the_study_screen_and_the_card_kept(
    tmp_path: Path, clock: FakeClock, trouble: type[ReadOnly | Locked]
) -> None:
    store = open_store(tmp_path / "quiz.db", clock=clock)
    deck, problems = open_deck(store, deck_file(tmp_path), clock())
    assert deck is not None, problems
    app = make_app(store, [deck], "ada", study=["cards"], clock=clock, rng=random.Random(3))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        await pilot.press("space", "3", "space")
        await pilot.pause()
        shown = app.session.current
        problem = trouble(store)
        problem.start()
        await pilot.press("3")
        await pilot.pause()
        assert screen.phase is Phase.REVEALED and app.session.current == shown
        assert screen.done == len(store.reviews()) == 1
        toasts = [n.message for n in app._notifications]
        assert any(problem.message in t for t in toasts), toasts
        problem.stop()
        await pilot.press("3")
        await pilot.pause()
        assert screen.done == len(store.reviews()) == 2
        assert app.session.current != shown
    store.close()

"""`quiz exam` in a real terminal (tmux): answer, get killed, resume, submit, read the results."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from testkit import TEST_DECKS

from quiz.grading import is_self_rated
from quiz.library import open_deck
from quiz.scheduler import Rating, utc_now
from quiz.session import StudySession
from quiz.store import open_store

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

EXAM = """\
exam: tmux-test
title: "Two questions"
from:
  - card: every-type/capital
  - card: every-type/un-observer
time_limit: 10m
shuffle: false
pass_mark: 50%
"""
ROOT = Path(__file__).parent.parent


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10)
    return done.stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, text: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


def start(session: str, env: dict[str, str], exam: Path) -> None:
    command = f"{sys.executable} -m quiz exam {exam} --learner ann"
    tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "80",
        "-y",
        "24",
        "-e",
        f"QUIZ_DB={env['QUIZ_DB']}",
        "-e",
        f"PYTHONPATH={ROOT}",
        command,
    )


def states(db: Path) -> list[tuple[object, ...]]:
    store = open_store(db)
    try:
        return store.conn.execute("SELECT * FROM card_states ORDER BY item_key").fetchall()
    finally:
        store.close()


def test_take_an_exam_in_tmux_killed_and_resumed(tmp_path: Path) -> None:
    deck_path = tmp_path / "every-type.yaml"
    shutil.copy(TEST_DECKS / "every-type.yaml", deck_path)
    exam = tmp_path / "small.exam.yaml"
    exam.write_text(EXAM, encoding="utf-8")
    db = tmp_path / "quiz.db"
    # Some studying first, so there is a schedule that the exam must leave alone.
    store = open_store(db)
    deck, problems = open_deck(store, deck_path, utc_now())
    assert deck is not None, problems
    session = StudySession(store, [deck], "ann")
    session.start()
    shown = session.next()
    assert shown is not None
    if is_self_rated(shown.item):
        session.rate(Rating.GOOD)
    else:
        session.submit("x")
    store.close()
    before = states(db)
    assert before
    env = {"QUIZ_DB": str(db)}
    name = f"quiz-exam-{uuid.uuid4().hex[:8]}"
    try:
        start(name, env, exam)
        wait_for(name, "Question 1 of 2")
        tmux("send-keys", "-t", name, "1", "Enter")
        wait_for(name, "Question 2 of 2")
        # The terminal goes away mid-attempt.
        tmux("kill-session", "-t", name)
        time.sleep(0.5)
        start(name, env, exam)
        shown_again = wait_for(name, "Question 2 of 2")
        assert "1 answered" in shown_again
        tmux("send-keys", "-t", name, "t", "Enter")
        wait_for(name, "Submit the attempt?")
        tmux("send-keys", "-t", name, "y")
        result = wait_for(name, "Score 2 / 2")
        assert "Passed" in result
        tmux("send-keys", "-t", name, "q")
        deadline = time.monotonic() + 15
        while (
            name in tmux("list-sessions", "-F", "#{session_name}") and time.monotonic() < deadline
        ):
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True, timeout=10)
    out = subprocess.run(
        [sys.executable, "-m", "quiz", "exam", "results", "tmux-test", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    data = json.loads(out.stdout)
    [learner] = data["learners"]
    assert learner["learner"] == "ann" and learner["counted_grade"] == 1.0
    [attempt] = learner["attempts"]
    assert attempt["score"] == 2 and attempt["submitted_by"] == "learner"
    assert states(db) == before

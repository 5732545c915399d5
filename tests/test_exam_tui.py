"""The exam screen, driven by Pilot: answering, going back, flags, submitting, time, resuming."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit import TEST_DECKS, FakeClock

from quiz.deck.loader import load_deck
from quiz.deck.model import Deck
from quiz.exams.attempt import ExamAttempt
from quiz.exams.loader import parse_exam
from quiz.exams.spec import ExamSpec
from quiz.store import Store, open_store
from quiz.tui.exam_app import make_exam_app
from quiz.tui.screens.exam import ConfirmSubmit, ExamResultScreen, ExamScreen

EXAM = """\
exam: tui-test
title: "A test on every type"
from:
  - card: every-type/capital
  - card: every-type/members
  - card: every-type/un-observer
  - card: every-type/troops
time_limit: 10m
shuffle: false
pass_mark: 50%
"""


def spec_of(text: str = EXAM) -> ExamSpec:
    spec, problems, _ = parse_exam(text, "tui.exam.yaml")
    assert spec is not None, problems
    return spec


@pytest.fixture
def deck() -> Deck:
    return load_deck(TEST_DECKS / "every-type.yaml")


def begin(store: Store, deck: Deck, clock: FakeClock, text: str = EXAM) -> ExamAttempt:
    return ExamAttempt.begin(store, spec_of(text), [deck], "ann", clock, seed=1)


async def test_an_exam_is_taken_through_to_submission(
    store: Store, deck: Deck, clock: FakeClock
) -> None:
    attempt = begin(store, deck, clock)
    app = make_exam_app(attempt)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        # 1: capital (Moscow is the first choice); Enter saves and goes on.
        await pilot.press("2", "enter")
        assert screen.position == 1
        # 2: members, Armenia only, then flag it for review.
        await pilot.press("1", "enter")
        await pilot.press("pageup", "ctrl+r")
        assert attempt.question(1).flagged
        # Back to 1, change the answer to Moscow.
        await pilot.press("pageup", "1", "enter")
        assert attempt.question(0).response == "Moscow"
        # 3: true; leave 4 unanswered, then ask to submit.
        await pilot.press("pagedown", "t", "enter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmSubmit)
        assert confirm.unanswered == [3] and confirm.flagged == [1]
        await pilot.press("n")
        assert isinstance(app.screen, ExamScreen) and not attempt.submitted
        await pilot.press("ctrl+s", "y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
    record = store.exam_attempt(attempt.record.id)
    assert record is not None and record.submitted_by == "learner"
    marks = [r.mark for r in store.exam_responses(record.id)]
    assert marks == [1.0, 0.5, 1.0, 0.0]
    assert record.grade == pytest.approx(2.5 / 4)


async def test_the_time_limit_submits_the_attempt(
    store: Store, deck: Deck, clock: FakeClock
) -> None:
    attempt = begin(store, deck, clock)
    app = make_exam_app(attempt)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "enter")
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        clock.advance(minutes=9, seconds=30)
        await screen.tick()
        assert "time left 0:30" in str(screen.query_one("#exam-status").render())
        # Picked, not yet saved with Enter: the answer on screen counts as it stands.
        await pilot.press("1")
        clock.advance(seconds=31)
        await screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
    assert attempt.submitted and attempt.record.submitted_by == "time"
    assert attempt.record.submitted_at == attempt.record.deadline
    assert [r.response for r in store.exam_responses(attempt.record.id)] == [
        "Moscow",
        ["Armenia"],
        None,
        None,
    ]


async def test_an_attempt_resumes_in_a_fresh_app_after_a_kill(
    tmp_path: Path, deck: Deck, clock: FakeClock
) -> None:
    db = tmp_path / "quiz.db"
    store = open_store(db)
    attempt = begin(store, deck, clock)
    app = make_exam_app(attempt)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "enter", "2", "ctrl+r")
        # The app dies here: no leave, no submit, the connection simply dropped.
    store.conn.close()
    clock.advance(minutes=3)
    again_store = open_store(db)
    again = ExamAttempt.begin(again_store, spec_of(), [deck], "ann", clock)
    assert again.record.id == attempt.record.id
    assert again.time_left() == 7 * 60  # wall time: the clock ran on while it was closed
    assert again.question(0).response == "Moscow"
    assert again.question(1).flagged
    app = make_exam_app(again)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        assert screen.position == 1  # the first unanswered question
        await pilot.press("1", "2", "enter", "f", "enter", *"2500", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSubmit)
        assert app.screen.unanswered == []
        await pilot.press("enter")
        await pilot.pause()
    assert again.submitted and again.grade == pytest.approx(3 / 4)
    again_store.close()


async def test_after_each_feedback_shows_and_locks_an_answer(
    store: Store, deck: Deck, clock: FakeClock
) -> None:
    attempt = begin(store, deck, clock, EXAM + "feedback: after-each\n")
    app = make_exam_app(attempt)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "enter")
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        assert screen.position == 0 and screen.widget is None
        shown = str(screen.query_one("#exam-feedback").render())
        assert "Right answer: Moscow" in shown
        await pilot.press("pagedown")
        assert screen.position == 1 and screen.widget is not None


def test_exam_screen_snapshot(snap_compare, store: Store, deck: Deck, clock: FakeClock) -> None:
    app = make_exam_app(begin(store, deck, clock))
    assert snap_compare(app, press=["2", "enter", "1", "ctrl+r"], terminal_size=(80, 24))


def test_exam_confirm_snapshot(snap_compare, store: Store, deck: Deck, clock: FakeClock) -> None:
    app = make_exam_app(begin(store, deck, clock))
    assert snap_compare(app, press=["1", "enter", "ctrl+s"], terminal_size=(80, 24))


def test_exam_result_snapshot(snap_compare, store: Store, deck: Deck, clock: FakeClock) -> None:
    app = make_exam_app(begin(store, deck, clock))
    keys = ["1", "enter", "1", "2", "enter", "t", "enter", *"2400", "enter", "y"]
    assert snap_compare(app, press=keys, terminal_size=(80, 24))


def instructor_app(store: Store, deck: Deck, clock: FakeClock) -> object:
    from quiz.library import open_deck
    from quiz.tui.app import make_app

    opened, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    assert opened is not None, problems
    answers = {
        "ann": ("Moscow", ["Armenia", "Belarus"], True, "2500"),
        "bob": ("Moscow", ["Armenia"], False, "9"),
        "cy": ("Minsk", None, False, None),
    }
    for learner, responses in answers.items():
        attempt = ExamAttempt.begin(store, spec_of(), [opened], learner, clock, seed=2)
        for position, response in enumerate(responses):
            attempt.save(position, response)
        clock.advance(minutes=4)
        attempt.submit()
    return make_app(store, [opened], "ann", clock=clock, fuzz=False)


async def test_the_instructor_screen_has_an_exams_tab(
    store: Store, deck: Deck, clock: FakeClock
) -> None:
    from textual.widgets import DataTable

    app = instructor_app(store, deck, clock)
    async with app.run_test(size=(80, 24)) as pilot:  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("i", "e")
        await pilot.pause()
        screen = app.screen  # type: ignore[attr-defined]
        exams = screen.query_one("#exam-list", DataTable)
        assert [str(c) for c in exams.get_row_at(0)] == ["tui-test", "3", "3", "46%", "1/3"]
        learners = screen.query_one("#exam-learners", DataTable)
        rows = [[str(c) for c in learners.get_row_at(i)] for i in range(learners.row_count)]
        assert rows[0] == ["ann", "1", "100%", "4:00", "100%", "yes"]
        questions = screen.query_one("#exam-questions", DataTable)
        first = [str(c) for c in questions.get_row_at(0)]
        assert first[:3] == ["every-type/capital", "3", "67%"]
        assert first[4].endswith("every-type.yaml:29")


def test_exams_tab_snapshot(snap_compare, store: Store, deck: Deck, clock: FakeClock) -> None:
    app = instructor_app(store, deck, clock)
    assert snap_compare(app, press=["i", "e"], terminal_size=(80, 24))


async def test_an_attempt_resumed_after_its_deadline_is_submitted_at_once(
    tmp_path: Path, deck: Deck, clock: FakeClock
) -> None:
    db = tmp_path / "quiz.db"
    first, second = open_store(db), open_store(db)
    attempt = begin(first, deck, clock)
    attempt.save(0, "Moscow")
    # Another terminal opening the exam meanwhile shares the attempt.
    assert begin(second, deck, clock).record.id == attempt.record.id
    first.close()
    clock.advance(hours=1)
    again = begin(second, deck, clock)
    app = make_exam_app(again)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
    assert again.record.submitted_by == "time"
    assert again.record.submitted_at == again.record.deadline
    assert again.grade == pytest.approx(1 / 4)
    second.close()

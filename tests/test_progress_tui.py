"""The statistics and instructor screens, driven with Pilot and pinned as snapshots at 80x24."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from progress_helpers import study_days
from testkit import TEST_DECKS, FakeClock
from textual.widgets import DataTable, Static, TabbedContent

from quiz.library import open_deck
from quiz.progress.stats import learner_stats
from quiz.store import open_store
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.help import HelpScreen
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.instructor import InstructorScreen
from quiz.tui.screens.stats import StatsScreen

# The `clock` fixture's time; the module-wide history is built before any test has a clock.
END = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def class_db(tmp_path_factory) -> Path:
    """A class studied over five weeks up to the test clock's time."""
    path = tmp_path_factory.mktemp("class") / "quiz.db"
    end = END
    store = open_store(path)
    deck, problems = open_deck(store, TEST_DECKS / "class.yaml", end - timedelta(days=40))
    assert deck is not None, problems
    # ann studies most days, and from day 30 forgets each card she is shown, so that it is
    # due again the next day and her streak runs to today; bob stopped after a week; cy comes
    # back every few days.
    clock = FakeClock(end - timedelta(days=35))
    study_days(
        store, deck, "ann", clock, 35, lambda d, k: (3 * d + len(k)) % 4 == 0 or d >= 30
    )
    study_days(
        store, deck, "bob", FakeClock(end - timedelta(days=35)), 7, lambda d, k: k == "members"
    )
    study_days(
        store,
        deck,
        "cy",
        FakeClock(end - timedelta(days=30)),
        28,
        lambda d, k: (d + len(k)) % 4 == 0,
        every=4,
    )
    store.close()
    return path


@pytest.fixture
def app(class_db, tmp_path, clock) -> QuizApp:
    assert clock() == END
    db = tmp_path / "quiz.db"
    shutil.copy(class_db, db)
    store = open_store(db)
    deck, _ = open_deck(store, TEST_DECKS / "class.yaml", clock())
    return make_app(store, [deck], "ann", clock=clock, fuzz=False)


def text_of(app: QuizApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_statistics_screen_opens_from_home_and_shows_the_learner(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        session = app.session
        stats = learner_stats(session.store, "ann", ["class"], session.clock())
        intro = text_of(app, "#stats-intro")
        assert "all decks" in intro
        assert f"{stats.mastered} of {stats.total} mastered" in intro
        assert f"streak {stats.streak} days" in intro and stats.streak >= 2
        mastery = app.screen.query_one("#mastery-table", DataTable)
        # One deck, then its five topic tags.
        assert mastery.row_count == 1 + len(stats.by_tag) == 6
        hardest = app.screen.query_one("#hardest-table", DataTable)
        assert hardest.row_count == len(stats.hardest) > 0
        # Tabs switch with the arrow keys; d goes to the single deck and back to all.
        await pilot.press("right")
        assert app.screen.query_one(TabbedContent).active == "tab-calendar"
        assert "of the last 365 days" in text_of(app, "#calendar-note")
        await pilot.press("d")
        assert "class" in text_of(app, "#stats-intro").split("\n")[0]
        await pilot.press("d")
        assert "all decks" in text_of(app, "#stats-intro")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_instructor_screen_shows_every_learner_and_who_is_behind(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InstructorScreen)
        learners = app.screen.query_one("#class-learners", DataTable)
        names = [str(learners.get_row_at(i)[0]) for i in range(learners.row_count)]
        # bob stopped four weeks ago with items overdue: he comes first.
        assert names == ["bob", "ann", "cy"]
        assert "1 falling behind" in text_of(app, "#class-intro")
        assert str(learners.get_row_at(0)[5]) == "class"
        decks = app.screen.query_one("#class-decks", DataTable)
        assert text_of(app, "#class-detail").startswith("bob")
        assert "overdue" in str(decks.get_row_at(0)[6])
        await pilot.press("down")
        await pilot.pause()
        assert text_of(app, "#class-detail").startswith("ann")
        assert str(decks.get_row_at(0)[6]) == "on track"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_both_screens_open_on_an_empty_database(store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert "0 of 10 mastered" in text_of(app, "#stats-intro")
        await pilot.press("escape", "i")
        await pilot.pause()
        assert "No learner has reviews yet" in text_of(app, "#class-detail")


def test_statistics_snapshot(snap_compare, app):
    assert snap_compare(app, press=["s"], terminal_size=(80, 24))


def test_statistics_calendar_snapshot(snap_compare, app):
    assert snap_compare(app, press=["s", "right"], terminal_size=(80, 24))


def test_statistics_retention_snapshot(snap_compare, app):
    assert snap_compare(app, press=["s", "right", "right", "right"], terminal_size=(80, 24))


def test_statistics_mastery_snapshot(snap_compare, app):
    assert snap_compare(app, press=["s", *["right"] * 4], terminal_size=(80, 24))


def test_instructor_snapshot(snap_compare, app):
    assert snap_compare(app, press=["i"], terminal_size=(80, 24))

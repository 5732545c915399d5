"""Rows stored before imports refused them: reports still work, screens show data inert."""

from __future__ import annotations

import sqlite3

from testkit import TEST_DECKS, FakeClock
from textual.widgets import DataTable

from quiz.library import open_deck
from quiz.progress.stats import class_report, learner_stats
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store import Store, open_store
from quiz.tui.app import make_app
from quiz.tui.screens.instructor import InstructorScreen

NAME = "eve\x1b]52;c;aGk=\x07\nforged line"


def poisoned(store: Store, clock: FakeClock) -> None:
    """A learner whose name drives the terminal, with reviews of absurd durations and dates."""
    deck, problems = open_deck(store, TEST_DECKS / "class.yaml", clock())
    assert deck is not None, problems
    session = StudySession(store, [deck], NAME, clock=clock, fuzz=False)
    session.start()
    shown = session.next()
    assert shown is not None
    if shown.item.card.type == "flashcard":
        session.rate(Rating.GOOD)
    else:
        session.submit("x")
    conn: sqlite3.Connection = store.conn
    conn.execute("UPDATE reviews SET duration_ms = ?", (2**63 - 1,))
    columns = [r[1] for r in conn.execute("PRAGMA table_info(reviews)")]
    row = dict(zip(columns, conn.execute("SELECT * FROM reviews").fetchone(), strict=True))
    for number, when in enumerate(("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00")):
        row.update(id=f"bad{number}", reviewed_at=when)
        marks = ", ".join("?" * len(row))
        conn.execute(f"INSERT INTO reviews ({', '.join(row)}) VALUES ({marks})", list(row.values()))
    conn.commit()


def test_reports_survive_rows_no_import_would_take(tmp_path, clock) -> None:
    store = open_store(tmp_path / "quiz.db")
    try:
        poisoned(store, clock)
        stats = learner_stats(store, NAME, ["class"], clock())
        assert sum(stats.daily.values()) == 1  # the two out-of-range reviews are not counted
        (row,) = [r for r in class_report(store, clock()) if r.learner == NAME]
        assert row.seconds <= 86400  # one answer adds a day at most to time spent
    finally:
        store.close()


async def test_a_hostile_learner_name_reaches_no_screen_raw(tmp_path, clock) -> None:
    store = open_store(tmp_path / "quiz.db")
    poisoned(store, clock)
    deck, _ = open_deck(store, TEST_DECKS / "class.yaml", clock())
    assert deck is not None
    app = make_app(store, [deck], NAME, clock=clock, fuzz=False)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "\x1b" not in app.sub_title and "\n" not in app.sub_title
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InstructorScreen)
        table = app.screen.query_one(DataTable)
        cells = [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
        assert any("eve" in c for c in cells)
        assert not any("\x1b" in c or "\n" in c or "\x07" in c for c in cells)
    store.close()

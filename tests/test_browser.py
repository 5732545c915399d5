"""The browser screen: search, the detail pane, and acting on the selected item (pilot tests)."""

from __future__ import annotations

import io
import textwrap

from rich.console import Console
from textual.widgets import DataTable, Input, Static

from quiz.library import open_deck
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.tui.app import make_app
from quiz.tui.screens.browser import BrowserScreen
from quiz.tui.screens.confirm import Confirm


def detail(app) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#browse-detail", Static).content)
    return console.export_text()


async def _open(pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("b")
    await pilot.pause()
    box = pilot.app.screen.query_one("#browse-query", Input)
    box.value = query
    await pilot.press("enter")
    await pilot.pause()


async def test_search_shows_matches_and_the_selected_item(store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "type:choice")
        assert isinstance(app.screen, BrowserScreen)
        table = app.screen.query_one("#browse-table", DataTable)
        assert table.row_count == 2
        assert "Multiple choice" in detail(app) and "0 reviews" in detail(app)
        app.screen.query_one("#browse-query", Input).value = "prop:rr<1"
        await pilot.press("slash", "enter")
        await pilot.pause()
        assert table.row_count == 2  # a bad query leaves the table as it was


async def test_suspend_bury_flag_and_undo_on_the_selected_item(store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "id:treaty-year")
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert store.marks("ann", "every-type")["treaty-year"].suspended
        await pilot.press("u")
        await pilot.pause()
        assert "treaty-year" not in store.marks("ann", "every-type")
        await pilot.press("3")
        await pilot.pause()
        assert store.marks("ann", "every-type")["treaty-year"].flag == 3
        await pilot.press("minus")
        await pilot.pause()
        assert store.marks("ann", "every-type")["treaty-year"].buried_until is not None
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BrowserScreen)


async def test_the_detail_pane_lists_the_review_history(store, every_type, clock):
    session = StudySession(store, [every_type], "ann", clock=clock, fuzz=False)
    session.start()
    p = session.next()
    assert p is not None and p.item.key == "treaty-year"
    session.rate(Rating.GOOD)
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "rated:1")
        text = detail(app)
        assert "1 reviews" in text and "good" in text
        assert "time" in text and "response" in text and "ivl after" in text


async def test_the_history_shows_each_response(store, every_type, clock):
    session = StudySession(store, [every_type], "ann", clock=clock, fuzz=False)
    session.start()
    while (p := session.next()) is not None and p.item.key != "otunbayeva":
        session.rate(Rating.GOOD) if p.item.key in ("treaty-year",) else session.submit("x")
    assert p is not None
    clock.advance(seconds=4)
    session.submit("Roza Otunbayeva")
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "id:otunbayeva")
        text = detail(app)
        assert "Roza Otunbayeva" in text and "4s" in text


def test_browser_snapshot(snap_compare, store, every_type, clock):
    session = StudySession(store, [every_type], "ann", clock=clock, fuzz=False)
    session.start()
    for rating in (Rating.AGAIN, Rating.GOOD):
        p = session.next()
        assert p is not None and p.item.key == "treaty-year"
        clock.advance(seconds=5)
        session.rate(rating)
        clock.advance(minutes=2)
    from quiz.study import marking

    marking.mark(store, "ann", [("every-type", "capital")], "flag", clock(), "1")
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, "tag:csto -type:cloze")

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


async def test_bang_suspends_the_card_being_studied_and_the_next_one_follows(
    store, every_type, clock
):
    app = make_app(store, [every_type], "ann", study=[every_type.id], clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = app.session.current
        assert first is not None and first.item.key == "treaty-year"
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert store.marks("ann", "every-type")["treaty-year"].suspended
        shown = app.session.current
        assert shown is not None and shown.item.key != "treaty-year"
        await pilot.press("minus")
        await pilot.pause()
        assert store.marks("ann", "every-type")[shown.item.key].buried_until is not None


async def test_l_on_the_statistics_screen_browses_the_leeches(store, every_type, clock):
    from quiz.study import marking

    marking.mark(store, "ann", [("every-type", "capital")], "leech", clock())
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.query_one("#browse-query", Input).value == "is:leech"
        assert [r.item_key for r in app.screen.rows] == ["capital"]


def many(store, tmp_path, clock, n: int):  # type: ignore[no-untyped-def]
    cards = "".join(f'  - {{id: c{i}, front: "front {i}", back: "back {i}"}}\n' for i in range(n))
    path = tmp_path / "many.yaml"
    path.write_text(textwrap.dedent(f"deck: many\ntitle: Many\ncards:\n{cards}"), "utf-8")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    return deck


async def test_a_on_all_matches_asks_before_changing_more_than_50(store, tmp_path, clock):
    deck = many(store, tmp_path, clock, 60)
    app = make_app(store, [deck], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _open(pilot, "deck:many")
        await pilot.press("a", "exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.pause()
        assert store.marks("ann", "many") == {}
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        marks = store.marks("ann", "many")
        assert len(marks) == 60 and all(m.suspended for m in marks.values())
        assert any("60 of 60 items: suspended" in n.message for n in app._notifications)
        await pilot.press("u")
        await pilot.pause()
        assert store.marks("ann", "many") == {}
        # 50 or fewer are changed at once; `a` again is back to the highlighted item.
        box = app.screen.query_one("#browse-query", Input)
        box.value = 'deck:many "front 1"'
        await pilot.press("slash", "enter")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        flagged = {"c1", *(f"c1{i}" for i in range(10))}
        assert {k for k, m in store.marks("ann", "many").items() if m.flag == 2} == flagged
        await pilot.press("a", "0")
        await pilot.pause()
        assert set(store.marks("ann", "many")) == flagged - {"c1"}

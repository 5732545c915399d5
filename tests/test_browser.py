"""The browser screen: search, the detail pane, and acting on the selected item (pilot tests)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.tui.app import make_app
from quiz.tui.screens.browser import BrowserScreen


def detail(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#browse-detail", Static).content)


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
        assert "1 reviews" in detail(app) and "good" in detail(app)


def test_browser_snapshot(snap_compare, store, every_type, clock):
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

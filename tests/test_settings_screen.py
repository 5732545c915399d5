"""The settings screen: each setting in force, changed in place, and what retention costs."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from quiz.tui.app import make_app
from quiz.tui.screens.settings import SettingsScreen


def text(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).content)


async def test_a_setting_is_changed_refused_and_reset_in_place(store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        table = app.screen.query_one("#settings-table", DataTable)
        assert table.row_count == 10  # eight, and the two leech settings
        # new_per_day is the second row; a value out of range is refused where it was typed.
        await pilot.press("down", "enter")
        box = app.screen.query_one("#setting-input", Input)
        assert box.has_focus and box.value == "20"
        await pilot.press(*["backspace"] * 2, "a", "b", "enter")
        assert "new_per_day: expected a whole number from 0 to 9999, not 'ab'" in text(
            app, "#setting-error"
        )
        assert store.own_settings("ann", "") == {}
        await pilot.press("backspace", "backspace", "7", "enter")
        await pilot.pause()
        assert store.own_settings("ann", "") == {"new_per_day": "7"}
        assert app.session.settings_of(every_type.id).new_per_day == 7  # in force at once
        assert "yours" in str(table.get_row("new_per_day")[2])
        # Delete goes back to the deck's value.
        await pilot.press("delete")
        await pilot.pause()
        assert store.own_settings("ann", "") == {}
        assert app.session.settings_of(every_type.id).new_per_day == 20
        # Esc leaves an edit, then the screen.
        await pilot.press("enter", "escape")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, SettingsScreen)


async def test_the_cost_of_retention_is_shown_once_the_learner_has_items(store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert "Study a deck to see" in text(app, "#retention-costs")
        await pilot.press("escape", "enter")  # study the deck: one answer
        await pilot.pause()
        await pilot.press("space", "3")
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        costs = text(app, "#retention-costs")
        assert "for your 10 items" in costs
        assert "0.90" in costs and "← yours" in costs


def test_settings_screen(snap_compare, store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    assert snap_compare(app, press=["o"], terminal_size=(80, 24))

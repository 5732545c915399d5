"""Status lines and the footer at narrow widths: what gives way, and in which order."""

from __future__ import annotations

import random

from rich.text import Text

from quiz.study.records import QueueCounts
from quiz.tui.app import make_app
from quiz.tui.screens.study import progress_line
from quiz.tui.widgets.status import FittingFooter, Part, StatusLine, fit


def parts() -> list[Part]:
    return [
        Part(Text("12 done"), keep=0),
        Part(Text("40 to go"), keep=2, sep="  ·  ", tight=" · "),
        Part(Text("30 new  5 learning  5 review"), keep=1, sep="    ", tight="  "),
    ]


def test_a_line_that_fits_is_shown_whole():
    assert fit(parts(), 80).plain == "12 done  ·  40 to go    30 new  5 learning  5 review"


def test_a_line_squeezes_before_it_drops_anything():
    assert fit(parts(), 48).plain == "12 done · 40 to go  30 new  5 learning  5 review"


def test_the_least_kept_part_goes_first_then_the_next():
    assert fit(parts(), 40).plain == "40 to go  30 new  5 learning  5 review"
    assert fit(parts(), 20).plain == "40 to go"


def test_a_single_part_too_long_is_kept_whole_to_wrap():
    line = [Part(Text("Put the items in order first (Shift+↑↓ moves), then Enter"))]
    assert fit(line, 30).plain.endswith("then Enter")


def test_among_equals_the_rightmost_goes():
    line = [Part(Text("aaaa"), keep=1), Part(Text("bbbb"), keep=1), Part(Text("cccc"), keep=1)]
    assert fit(line, 10).plain == "aaaa bbbb"


def study_app(store, deck, clock):
    return make_app(
        store, [deck], "ann", study=[deck.id], clock=clock, rng=random.Random(5), fuzz=False
    )


def rendered(line: StatusLine) -> str:
    return str(line.render())


async def test_at_50_columns_every_study_status_line_fits(store, every_type, clock):
    app = study_app(store, every_type, clock)
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        await pilot.press("space")  # the flashcard's answer: the ratings with their intervals
        await pilot.pause()
        screen = app.screen
        for selector in ("#progress", "#ratings"):
            line = screen.query_one(selector, StatusLine)
            assert len(rendered(line)) <= line.content_region.width, selector
        assert "to go" in rendered(screen.query_one("#progress", StatusLine))
        assert "4 Easy" in rendered(screen.query_one("#ratings", StatusLine))
        # The whole line is still the content, as tests and a wide terminal read it.
        assert "Space or Enter: Good" in str(screen.query_one("#ratings", StatusLine).content)
        footer = screen.query_one(FittingFooter)
        shown = [key for key in footer.children if key.display]
        assert sum(key.region.width + 1 for key in shown) <= 50
        assert any(getattr(key, "action", "") == "help" for key in shown)


async def test_the_footer_hides_keys_only_while_narrow(store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(FittingFooter)
        hidden = {key.action for key in footer.children if not key.display}  # type: ignore[attr-defined]
        assert hidden and "app.help" not in hidden and "app.quit" not in hidden
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        footer = app.screen.query_one(FittingFooter)
        assert all(key.display for key in footer.children)


def test_progress_counts_the_item_on_screen():
    line = progress_line(3, QueueCounts(new=1, learning=2, review=4), "new")
    assert fit(line, 200).plain == "3 done  ·  8 to go    2 new  2 learning  4 review"


async def test_at_50_columns_the_footer_keeps_help_from_card_to_card(store, every_type, clock):
    app = study_app(store, every_type, clock)
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        # Each card's keys differ (Submit, t/f, F1): the fit must hold after each change, not
        # only on the first card (a footer changed in place once kept every key and lost Help).
        for _ in range(6):
            for key in ("space", "enter", "1", "enter", "enter"):
                await pilot.press(key)
                await pilot.pause()
                footer = app.screen.query_one(FittingFooter)
                shown = [k for k in footer.children if k.display]
                assert sum(k.region.width + 1 for k in shown) <= 50
                assert any(getattr(k, "action", "") in ("help", "typing_help") for k in shown)

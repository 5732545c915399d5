"""Live reload: saving a deck file while the app runs brings the edit in, or shows its problems."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from textual.widgets import Static

from quiz.deck.snapshot import CardShelf
from quiz.library import load_library
from quiz.scheduler import Rating
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.home import HomeScreen

DECK = """\
deck: live
title: Live
cards:
  - {id: one, front: "First front", back: "First back"}
  - {id: two, front: "Second front", back: "Second back"}
  - {id: three, front: "Third front", back: "Third back"}
"""


def live_app(
    store, tmp_path: Path, clock, study: bool = True, reopened: bool = False
) -> tuple[QuizApp, Path]:
    path = tmp_path / "live.yaml"
    path.write_text(DECK, encoding="utf-8")
    library = load_library(store, [path], clock())
    if reopened:
        # As at every start after the first: the deck comes from the store, cards unbuilt.
        library = load_library(store, [path], clock())
        assert isinstance(library.decks[0].cards, CardShelf)
    app = make_app(
        store,
        library.decks,
        "ann",
        study=["live"] if study else None,
        watch=library.paths,
        clock=clock,
        rng=random.Random(1),
    )
    app.RELOAD_SECONDS = 0.05
    return app, path


def prompt(app: QuizApp) -> str:
    return str(app.screen.query_one("#prompt", Static).content)


@pytest.mark.parametrize("reopened", [False, True], ids=["parsed", "reopened"])
async def test_a_valid_edit_appears_without_losing_the_session(store, tmp_path, clock, reopened):
    app, path = live_app(store, tmp_path, clock, reopened=reopened)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("space", "3")
        await pilot.pause()
        assert prompt(app) == "Second front"
        path.write_text(DECK.replace("Second front", "Second front, edited"), encoding="utf-8")
        await pilot.pause(0.3)
        assert prompt(app) == "Second front, edited"
        await pilot.press("space", "4")
        await pilot.pause()
        assert prompt(app) == "Third front"
    assert [(r["item_key"], r["rating"]) for r in store.reviews("ann")] == [("one", 3), ("two", 4)]


async def test_an_invalid_edit_shows_its_problems_and_keeps_the_last_good_deck(
    store, tmp_path, clock
):
    app, path = live_app(store, tmp_path, clock)
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        path.write_text(DECK.replace("First front", "Broken").replace("front:", "frnt:"), "utf-8")
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
        assert any("unknown key 'frnt' (did you mean 'front'?)" in m for m in messages)
        assert any("last good version" in m for m in messages)
        assert prompt(app) == "First front"
        assert app.session.decks[0].cards[0].front == "First front"
        await pilot.press("space", "3")
        await pilot.pause()
        assert prompt(app) == "Second front"
    assert [r["item_key"] for r in store.reviews("ann")] == ["one"]


async def test_removing_the_card_on_screen_moves_on_and_archives_it(store, tmp_path, clock):
    app, path = live_app(store, tmp_path, clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert prompt(app) == "First front"
        lines = DECK.splitlines(keepends=True)
        path.write_text("".join(line for line in lines if "id: one" not in line), "utf-8")
        await pilot.pause(0.3)
        assert prompt(app) == "Second front"
    archived = store.conn.execute("SELECT item_key FROM cards WHERE archived = 1").fetchall()
    assert archived == [("one",)]


async def test_home_counts_follow_an_added_card(store, tmp_path, clock):
    app, path = live_app(store, tmp_path, clock, study=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        path.write_text(DECK + '  - {id: four, front: "4", back: "4"}\n', encoding="utf-8")
        await pilot.pause(0.3)
        assert app.session.overview()[0].total == 4
        assert str(app.screen.query_one("DataTable").get_row_at(0)[2]) == "4"


def test_reloaded_deck_keeps_progress_of_edited_cards(store, tmp_path, clock):
    app, path = live_app(store, tmp_path, clock)
    session = app.session
    session.start(["live"])
    session.next()
    session.rate(Rating.GOOD)
    path.write_text(DECK.replace("First back", "First back, edited"), encoding="utf-8")
    reloads = app.reloader.poll(clock())
    assert [r.deck is not None for r in reloads] == [True]
    session.replace_deck(reloads[0].deck)
    assert store.states("ann", "live")["one"].reps == 1


@pytest.mark.parametrize("fixed", [DECK, DECK.replace("First front", "Fixed front")])
async def test_fixing_a_broken_edit_clears_its_error_and_says_reloaded(
    store, tmp_path, clock, fixed
):
    # Putting the file back as it was is a fix too, though its content is the cached deck's.
    app, path = live_app(store, tmp_path, clock)
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        path.write_text(DECK.replace("front:", "frnt:"), "utf-8")
        await pilot.pause(0.3)
        assert any("last good version" in n.message for n in app._notifications)
        path.write_text(fixed, "utf-8")
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
        assert not any("last good version" in m for m in messages)
        assert f"Reloaded {path.name}" in messages


async def test_a_deck_file_left_out_for_errors_is_said_on_the_screen(store, tmp_path, clock):
    # `quiz study bad.yaml good.yaml`: the errors printed first are covered by the app.
    good, bad = tmp_path / "live.yaml", tmp_path / "bad.yaml"
    good.write_text(DECK, encoding="utf-8")
    bad.write_text("deck: bad\ntitle: Bad\ncards:\n  - {id: a, front: F}\n", encoding="utf-8")
    library = load_library(store, [bad, good], clock())
    assert [d.id for d in library.decks] == ["live"]
    app = make_app(
        store, library.decks, "ann", study=["live"], clock=clock, problems=library.problems
    )
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        (notice,) = app._notifications
        assert notice.title == "1 deck file(s) left out for errors"
        assert f"{bad}:4:5: error: card 'a': missing required key 'back'" in notice.message
        assert prompt(app) == "First front"

"""Keys on the card being studied: suspend, bury, flag, edit, card info, leeches; `u` for each."""

from __future__ import annotations

import io
import random
import stat
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Static

from quiz.library import load_library, open_deck
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store.database import open_store
from quiz.store.marks import Marks
from quiz.study import marking
from quiz.study.info import item_info
from quiz.tui.app import QuizApp, make_app
from quiz.tui.card_info import CardInfoScreen
from quiz.tui.editing import editor_command
from quiz.tui.study_keys import FlagPicker

DECK = """\
deck: keys
title: Keys
cards:
  - {id: one, front: "First front", back: "First back"}
  - {id: typed-one, type: typed, question: "Who wrote it?", answer: "Ann"}
  - {id: three, front: "Third front", back: "Third back"}
"""


def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


def keys_app(store, tmp_path: Path, clock, watch: bool = False) -> QuizApp:
    path = deck_file(tmp_path)
    library = load_library(store, [path], clock())
    app = make_app(
        store,
        library.decks,
        "ann",
        study=["keys"],
        watch=library.paths if watch else None,
        clock=clock,
        rng=random.Random(1),
        fuzz=False,
    )
    app.RELOAD_SECONDS = 60  # the edit test reloads through the edit key, not the timer
    return app


def shown(app: QuizApp) -> str | None:
    current = app.session.current
    return current.item.key if current is not None else None


def toasts(app: QuizApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_bang_suspends_and_u_brings_the_card_back(store, tmp_path, clock):
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert shown(app) == "one"
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert store.marks("ann", "keys")["one"].suspended
        assert shown(app) == "typed-one"
        assert any("one suspended" in t and "u undoes it" in t for t in toasts(app))
        # The text box has the focus: Ctrl+Z is `u` there, and it takes the suspension back.
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "one" not in store.marks("ann", "keys")
        assert shown(app) == "one"
        await pilot.press("space", "3")
        await pilot.pause()
        assert shown(app) == "typed-one"
        assert store.state("ann", "keys", "one") is not None


async def test_chords_suspend_and_bury_while_typing_an_answer(store, tmp_path, clock):
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("minus")  # no text box: `-` buries the flashcard
        await pilot.pause()
        assert store.marks("ann", "keys")["one"].buried_until is not None
        assert shown(app) == "typed-one"
        box = app.screen.query_one(Input)
        assert app.focused is box
        await pilot.press("a", "exclamation_mark", "minus")  # typed, not acted on
        assert box.value == "a!-"
        assert "typed-one" not in store.marks("ann", "keys")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.marks("ann", "keys")["typed-one"].suspended
        assert shown(app) == "three"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert store.marks("ann", "keys")["three"].buried_until is not None
        assert any("buried until the next study day" in t for t in toasts(app))


async def test_u_takes_back_the_last_action_a_mark_or_an_answer(store, tmp_path, clock):
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")  # answer "one"
        await pilot.pause()
        assert shown(app) == "typed-one"
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, FlagPicker)
        await pilot.press("2")
        await pilot.pause()
        assert store.marks("ann", "keys")["typed-one"].flag == 2
        assert any("flag 2 (orange)" in t for t in toasts(app))
        assert app.screen.query_one(Input).value == ""  # the digit went to the picker
        await pilot.press("ctrl+z")  # the flag, the last thing done
        await pilot.pause()
        assert "typed-one" not in store.marks("ann", "keys")
        assert store.state("ann", "keys", "one") is not None
        await pilot.press("ctrl+z")  # then the answer
        await pilot.pause()
        assert store.state("ann", "keys", "one") is None
        assert shown(app) == "one"


@pytest.mark.parametrize("chord", ["ctrl+s", "ctrl+t"])
async def test_a_mark_after_the_answer_undone_puts_the_item_back_in_line(
    store, tmp_path, clock, chord
):
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")  # "one": Good, its next step in 10 minutes
        await pilot.pause()
        assert shown(app) == "typed-one"
        await pilot.press("B", "o", "b", "enter")  # wrong: Again, back in a minute
        await pilot.pause()
        await pilot.press(chord)  # suspended or buried from its feedback
        await pilot.pause()
        assert "typed-one" in store.marks("ann", "keys")
        assert shown(app) == "three"
        await pilot.press("ctrl+z")  # the mark, not an answer
        await pilot.pause()
        assert "typed-one" not in store.marks("ann", "keys")
        assert shown(app) == "three"
        clock.advance(minutes=2)
        await pilot.press("space", "3")
        await pilot.pause()
        # Due again, and in this session's line, as if it had never been marked.
        assert shown(app) == "typed-one"


async def test_the_footer_and_help_show_the_flag_chord(store, tmp_path, clock):
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = [b.key for _, b, _, _ in app.screen.active_bindings.values() if b.show]
        assert "ctrl+f" in footer
        await pilot.press("question_mark")
        await pilot.pause()
        text = plain(app.screen.query_one(Static).content)
        assert "Ctrl+F" in text and "Ctrl+S" in text and "Ctrl+T" in text


def plain(renderable) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def test_i_shows_the_card_info_with_its_history(store, tmp_path, clock):
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")  # "one" rated Good
        await pilot.pause()
        await pilot.press("A", "n", "n", "enter")  # typed-one answered: its verdict is shown
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, CardInfoScreen)
        body = plain(app.screen.query_one("#info-body", Static).content)
        assert "Who wrote it?" in body and "keys.yaml:5" in body
        assert "learning" in body and "1 reviews · 0 lapses" in body
        assert "Ann" in body and "good" in body  # the response and the rating
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CardInfoScreen)


def test_card_info_snapshot(snap_compare, store, tmp_path, clock):
    path = deck_file(tmp_path)
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    session = StudySession(store, [deck], "ann", clock=clock, rng=random.Random(1), fuzz=False)
    session.start()
    for rating in (Rating.AGAIN, Rating.GOOD, Rating.GOOD):
        p = session.next()
        assert p is not None and p.item.key == "one"
        clock.advance(seconds=7)
        session.rate(rating)
        clock.advance(minutes=11)
    marking.mark(store, "ann", [("keys", "one")], "flag", clock(), "3")
    app = keys_app(store, tmp_path, clock)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        now = clock()
        info = item_info(store, "ann", deck, "one", now)
        app.push_screen(CardInfoScreen(deck, info, now))
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def fake_editor(tmp_path: Path) -> Path:
    """An editor that records its arguments and rewrites the line it is sent to."""
    script = tmp_path / "fake-editor"
    script.write_text(
        textwrap.dedent(f"""\
            #!{sys.executable}
            import sys
            from pathlib import Path
            line, path = int(sys.argv[1].lstrip("+")), Path(sys.argv[2])
            Path({str(tmp_path / "args")!r}).write_text(" ".join(sys.argv[1:]))
            lines = path.read_text().splitlines(keepends=True)
            lines[line - 1] = lines[line - 1].replace("First front", "Edited front")
            path.write_text("".join(lines))
            """),
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


async def test_e_opens_the_editor_at_the_card_and_the_edit_is_shown(
    store, tmp_path, clock, monkeypatch
):
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path)))
    monkeypatch.delenv("VISUAL", raising=False)
    app = keys_app(store, tmp_path, clock, watch=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert "First front" in str(app.screen.query_one("#prompt", Static).content)
        await pilot.press("e")
        await pilot.pause()
        path = tmp_path / "keys.yaml"
        assert (tmp_path / "args").read_text() == f"+4 {path}"
        assert "Edited front" in path.read_text()
        assert "Edited front" in str(app.screen.query_one("#prompt", Static).content)
        assert any("Reloaded keys.yaml" in t for t in toasts(app))


async def test_an_editor_that_cannot_start_is_a_note_not_a_crash(
    store, tmp_path, clock, monkeypatch
):
    monkeypatch.setenv("VISUAL", str(tmp_path / "no-such-editor"))
    app = keys_app(store, tmp_path, clock, watch=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert any("could not be started" in t for t in toasts(app))
        assert shown(app) == "one"


def test_the_editor_command_suits_the_editor():
    path = Path("/d/deck.yaml")
    assert editor_command(path, 7, {"EDITOR": "vim"}) == ["vim", "+7", "/d/deck.yaml"]
    assert editor_command(path, 7, {"EDITOR": "vim", "VISUAL": "emacs -nw"}) == [
        "emacs",
        "-nw",
        "+7",
        "/d/deck.yaml",
    ]
    assert editor_command(path, 7, {"VISUAL": "code --wait"}) == [
        "code",
        "--wait",
        "--goto",
        "/d/deck.yaml:7",
    ]
    assert editor_command(path, 7, {"EDITOR": "/usr/bin/subl -w"}) == [
        "/usr/bin/subl",
        "-w",
        "/d/deck.yaml:7",
    ]
    assert editor_command(path, 0, {"EDITOR": "nano"}) == ["nano", "/d/deck.yaml"]
    assert editor_command(path, 3, {})[1:] == ["+3", "/d/deck.yaml"]


async def test_a_lapse_to_the_leech_threshold_says_so_and_u_undoes_both(store, tmp_path, clock):
    store.set_learner_setting("ann", "", "leech_threshold", "1", clock())
    path = deck_file(tmp_path)
    deck, _ = open_deck(store, path, clock())
    assert deck is not None
    session = StudySession(store, [deck], "ann", clock=clock, rng=random.Random(1), fuzz=False)
    session.start()
    p = session.next()
    assert p is not None and p.item.key == "one"
    session.rate(Rating.EASY)
    clock.advance(days=60)
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert shown(app) == "one"
        await pilot.press("space", "1")
        await pilot.pause()
        marks = store.marks("ann", "keys")["one"]
        assert marks.leech and marks.suspended
        [note] = [t for t in toasts(app) if "leech" in t]
        assert "forgotten 1 time," in note and "leech_threshold is 1" in note
        assert "quiz unsuspend id:one" in note and "u undoes" in note
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "one" not in store.marks("ann", "keys")
        state = store.state("ann", "keys", "one")
        assert state is not None and state.lapses == 0
        assert shown(app) == "one"


def _typed_in_review(store, tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    store.set_learner_setting("ann", "", "leech_threshold", "1", clock())
    deck, _ = open_deck(store, deck_file(tmp_path), clock())
    assert deck is not None
    session = StudySession(store, [deck], "ann", clock=clock, rng=random.Random(1), fuzz=False)
    session.start()
    while (p := session.next()) is not None and p.item.key != "typed-one":
        session.rate(Rating.EASY)
    session.submit("Ann")
    session.rerate(Rating.EASY)
    state = store.state("ann", "keys", "typed-one")
    assert state is not None and state.state == "review"
    clock.advance(days=60)


async def test_a_changed_rating_takes_a_leech_back_or_makes_one(store, tmp_path, clock):
    _typed_in_review(store, tmp_path, clock)
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        if shown(app) == "one":  # due as well: buried, out of the way
            await pilot.press("minus")
            await pilot.pause()
        assert shown(app) == "typed-one"
        await pilot.press("B", "o", "b", "enter")  # wrong: Again proposed, a lapse, a leech
        await pilot.pause()
        assert store.marks("ann", "keys")["typed-one"] == Marks(suspended=True, leech=True)
        await pilot.press("2")  # Hard is no lapse: the leech mark goes with it
        await pilot.pause()
        assert "typed-one" not in store.marks("ann", "keys")
        assert any("not a leech after all" in t for t in toasts(app))
        await pilot.press("ctrl+z")  # the answer itself
        await pilot.pause()
        assert shown(app) == "typed-one"
        await pilot.press("A", "n", "n", "enter")  # right this time; then rated Again
        await pilot.pause()
        assert "typed-one" not in store.marks("ann", "keys")
        await pilot.press("1")
        await pilot.pause()
        assert store.marks("ann", "keys")["typed-one"] == Marks(suspended=True, leech=True)


async def test_i_and_e_in_the_browser(store, tmp_path, clock, monkeypatch):
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path)))
    monkeypatch.delenv("VISUAL", raising=False)
    library = load_library(store, [deck_file(tmp_path)], clock())
    app = make_app(store, library.decks, "ann", watch=library.paths, clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        app.screen.query_one("#browse-query", Input).value = "id:one"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert (tmp_path / "args").read_text() == f"+4 {tmp_path / 'keys.yaml'}"
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, CardInfoScreen)
        assert "Edited front" in plain(app.screen.query_one("#info-body", Static).content)


async def test_a_mark_that_cannot_be_saved_is_said_and_keeps_the_card(tmp_path, clock):
    store = open_store(tmp_path / "quiz.db", clock=clock)
    app = keys_app(store, tmp_path, clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert shown(app) == "one"
        assert store.path is not None
        store.path.unlink()
        await pilot.press("exclamation_mark")
        await pilot.pause()
        # Not suspended, not moved on, and nothing for u to take back.
        assert shown(app) == "one"
        assert app.screen.marks_done == []
        assert any("the database file was deleted" in t for t in toasts(app))
    store.close()

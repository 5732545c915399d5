"""The TUI driven with Pilot: whole sessions, keys, and what is stored after."""

from __future__ import annotations

import itertools
import random
import textwrap

from testkit import TEST_DECKS, FakeClock
from textual.widgets import DataTable, Static

from quiz.deck.model import CARD_TYPES
from quiz.grading import is_self_rated
from quiz.library import open_deck
from quiz.session import Presentation
from quiz.tui.app import QuizApp, make_app
from quiz.tui.card_views import card_view
from quiz.tui.screens.help import HelpScreen
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.study import Phase, StudyScreen
from quiz.tui.screens.summary import SummaryScreen


def build_app(store, decks, clock: FakeClock, study: list[str] | None = None) -> QuizApp:
    return make_app(store, decks, "ann", study=study, clock=clock, rng=random.Random(3), fuzz=False)


def shown_text(app: QuizApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_a_whole_session_of_every_type_is_stored(store, every_type, clock):
    app = build_app(store, [every_type], clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        # flashcard: reveal, rate Good
        await pilot.press("space", "3")
        # choice, select all: pick 1 and 2 (shuffle is off), submit, accept the proposal
        await pilot.press("1", "2", "enter", "enter")
        # choice, single: pick 3 (Astana, wrong), submit, overrule to Hard
        await pilot.press("3", "enter", "2")
        # true/false: true
        await pilot.press("t", "enter", "enter")
        # cloze gap 1, with its alternative spelled out
        await pilot.press(*"four", "enter", "enter")
        # typed, with a typo: a near miss still counts as right
        await pilot.press(*"otunbaeva", "enter", "enter")
        # numeric within 10%
        await pilot.press(*"2,400", "enter", "enter")
        await pilot.pause()
    rows = {r["item_key"]: r for r in store.reviews("ann")}
    assert rows["treaty-year"]["rating"] == 3 and rows["treaty-year"]["outcome"] is None
    assert rows["members"]["outcome"] == "right"
    assert rows["members"]["response"] == '["Armenia", "Belarus"]'
    assert (rows["capital"]["outcome"], rows["capital"]["rating"]) == ("wrong", 2)
    assert rows["un-observer"]["response"] == "true"
    assert rows["articles::c1"]["outcome"] == "right"
    assert rows["otunbayeva"]["outcome"] == "right"
    assert rows["troops"]["response"] == '"2,400"'
    assert len(rows) == 7


async def test_order_and_match_by_keyboard(store, tmp_path, clock):
    path = tmp_path / "om.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            deck: om
            title: Order and match
            cards:
              - {id: o, type: order, question: "Order", items: ["a1", "b2", "c3"]}
              - id: m
                type: match
                question: "Match"
                pairs: {"x": "1", "y": "2", "z": "3"}
            """
        )
    )
    deck, _ = open_deck(store, path, clock())
    app = build_app(store, [deck], clock, study=["om"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        session = app.session
        # Move each item into place with the keyboard: select it, carry it up with Shift+Up.
        keys: list[str] = []
        current = list(session.current.options)
        for target, item in enumerate(["a1", "b2", "c3"]):
            index = current.index(item)
            keys += ["up"] * 5 + ["down"] * index + ["shift+up"] * (index - target)
            current.insert(target, current.pop(index))
        await pilot.press(*keys, "enter")
        await pilot.pause()
        assert session.last_answer.grade.correct
        await pilot.press("enter")
        await pilot.pause()
        rights = session.current.options
        letters = "abc"
        await pilot.press(*(letters[rights.index(r)] for r in ("1", "2", "3")), "enter")
        await pilot.pause()
        assert session.last_answer.grade.correct
    stored = {r["item_key"]: r["outcome"] for r in store.reviews("ann")}
    assert stored == {"o": "right", "m": "right"}


async def test_undo_key_removes_the_last_review(store, every_type, clock):
    app = build_app(store, [every_type], clock, study=["every-type"])
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("space", "4")
        await pilot.pause()
        assert len(store.reviews("ann")) == 1
        await pilot.press("u")
        await pilot.pause()
        assert store.reviews("ann") == []
        assert app.session.current.item.key == "treaty-year"


async def test_leaving_shows_the_summary_and_keeps_answers(store, every_type, clock):
    app = build_app(store, [every_type], clock, study=["every-type"])
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("space", "3", "escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.summary.answers == 1
        # The study screen dismissed itself with the summary; it is not kept underneath.
        assert not any(isinstance(s, StudyScreen) for s in app.screen_stack)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[1]) == "8"  # new left today: 9 items, one studied
    assert len(store.reviews("ann")) == 1


async def test_help_opens_and_closes(store, every_type, clock):
    app = build_app(store, [every_type], clock)
    async with app.run_test() as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_study_all_due_with_nothing_due_shows_an_empty_summary(store, every_type, clock):
    app = build_app(store, [every_type], clock)
    async with app.run_test() as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.summary.answers == 0


async def test_deck_markup_and_escapes_are_shown_literally(store, tmp_path, clock):
    path = tmp_path / "hostile.yaml"
    path.write_text(
        'deck: hostile\ntitle: "[bold]Title[/bold]"\ncards:\n'
        '  - {id: x, front: "[@click=app.quit]Click[/] [red]me\\e[31m\\a", back: "b"}\n',
        encoding="utf-8",
    )
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    app = build_app(store, [deck], clock, study=["hostile"])
    async with app.run_test() as pilot:
        await pilot.pause()
        assert shown_text(app, "#prompt") == "[@click=app.quit]Click[/] [red]me"
        await pilot.click("#prompt")
        await pilot.pause()
        assert app.is_running


def test_every_test_deck_loads(store, clock):
    for path in TEST_DECKS.glob("*.yaml"):
        deck, problems = open_deck(store, path, clock())
        assert deck is not None, problems


async def test_the_footer_is_rebuilt_only_when_its_keys_change(store, every_type, clock):
    from quiz.tui.widgets.footer import KeyFooter, shown_keys

    app = build_app(store, [every_type], clock, study=[every_type.id])
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        rebuilds = []
        refreshes: list[tuple[object, ...]] = [shown_keys(app.screen)]
        real_recompose, real_changed = footer.recompose, footer.bindings_changed

        async def counting() -> None:
            rebuilds.append(1)
            await real_recompose()

        def watching(screen) -> None:
            refreshes.append(shown_keys(screen))
            real_changed(screen)

        footer.recompose = counting  # type: ignore[method-assign]
        app.screen.bindings_updated_signal.unsubscribe(footer)
        app.screen.bindings_updated_signal.subscribe(footer, watching)

        def keys_shown() -> list[str]:
            return [str(key.description) for key in footer.query("FooterKey")]

        assert "Undo" not in keys_shown()
        # Flashcard, select-all choice, single choice: answered, then the next card shown.
        await pilot.press("space", "3", "1", "2", "enter", "enter", "3", "enter", "enter")
        await pilot.pause()
        assert len(store.reviews("ann")) == 3
        # The first answer made Undo available, and the footer shows it.
        assert "Undo" in keys_shown()
        changes = sum(1 for a, b in itertools.pairwise(refreshes) if a != b)
        assert changes >= 1
        assert len(rebuilds) == changes
        # Textual refreshes the bindings several times per card; most change nothing.
        assert len(refreshes) - 1 > 2 * changes


def test_every_card_type_has_its_own_view(every_type):
    views = {}
    for item in every_type.items():
        view = card_view(Presentation(item, ("a", "b")))
        assert (view.answer is None) == is_self_rated(item)
        views[item.card.type] = view.label
    assert set(views) == set(CARD_TYPES)
    assert len(set(views.values())) == len(CARD_TYPES)


async def test_the_study_phase_drives_what_is_shown(store, every_type, clock):
    app = build_app(store, [every_type], clock, study=["every-type"])
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        feedback = screen.query_one("#feedback")
        assert (screen.phase, feedback.display) == (Phase.ASKING, False)
        await pilot.press("space")
        assert (screen.phase, feedback.display) == (Phase.REVEALED, True)
        await pilot.press("3")
        await pilot.pause()
        assert (screen.phase, feedback.display) == (Phase.ASKING, False)
        assert screen.focused is screen.query_one(".answer")
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert (screen.phase, feedback.display) == (Phase.ANSWERED, True)
        assert screen.query_one(".answer").disabled and screen.focused is None
        assert "Enter keeps Good" in shown_text(app, "#ratings")


def test_summary_says_a_step_seconds_away_is_not_due_now() -> None:
    from datetime import UTC, datetime, timedelta

    from quiz.tui.screens.summary import humanize_wait

    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    # A learning card due in 30 s is not "now": the same screen says "Due now 0".
    assert humanize_wait(now + timedelta(seconds=30), now) == "in under a minute"
    assert humanize_wait(now, now) == "now"
    assert humanize_wait(now + timedelta(minutes=10), now) == "in 10 minutes"
    assert humanize_wait(None, now) == "nothing scheduled"

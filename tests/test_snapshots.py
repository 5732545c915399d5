"""Pinned looks of every screen and card type at 80x24 (pytest-textual-snapshot)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from testkit import TEST_DECKS, FakeClock

from quiz.library import open_deck
from quiz.tui.app import QuizApp, make_app

CARDS = yaml.safe_load((TEST_DECKS / "every-type.yaml").read_text(encoding="utf-8"))


def single_card_app(store, tmp_path: Path, clock: FakeClock, card_id: str) -> QuizApp:
    data = dict(CARDS, cards=[c for c in CARDS["cards"] if c["id"] == card_id])
    path = tmp_path / f"{card_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    return make_app(
        store, [deck], "ann", study=[deck.id], clock=clock, rng=random.Random(5), fuzz=False
    )


@pytest.mark.parametrize("card_id", [c["id"] for c in CARDS["cards"]])
def test_card_type_screen(snap_compare, store, tmp_path, clock, card_id):
    assert snap_compare(single_card_app(store, tmp_path, clock, card_id), terminal_size=(80, 24))


def test_flashcard_revealed(snap_compare, store, tmp_path, clock):
    app = single_card_app(store, tmp_path, clock, "treaty-year")
    assert snap_compare(app, press=["space"], terminal_size=(80, 24))


def test_choice_partly_right_feedback(snap_compare, store, tmp_path, clock):
    app = single_card_app(store, tmp_path, clock, "members")
    assert snap_compare(app, press=["1", "enter"], terminal_size=(80, 24))


def test_typed_near_miss_feedback(snap_compare, store, tmp_path, clock):
    app = single_card_app(store, tmp_path, clock, "otunbayeva")
    assert snap_compare(app, press=[*"otunbaeva", "enter"], terminal_size=(80, 24))


def test_home_screen(snap_compare, store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    assert snap_compare(app, terminal_size=(80, 24))


def test_home_screen_wide(snap_compare, store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    assert snap_compare(app, terminal_size=(140, 40))


def test_summary_screen(snap_compare, store, tmp_path, clock):
    app = single_card_app(store, tmp_path, clock, "un-observer")
    assert snap_compare(app, press=["t", "enter", "escape"], terminal_size=(80, 24))


def test_help_screen(snap_compare, store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    assert snap_compare(app, press=["question_mark"], terminal_size=(80, 24))


def test_hostile_text_is_shown_literally(snap_compare, store, tmp_path, clock):
    path = tmp_path / "hostile.yaml"
    path.write_text(
        'deck: hostile\ntitle: "[bold]Not bold[/bold]"\ncards:\n'
        "  - id: x\n"
        '    front: "[@click=app.quit]Click[/] [red]not red[/red] \\e]52;c;aGk=\\a'
        '\\e[31mplain \\u202eevil\\u202c done"\n'
        '    back: "b"\n',
        encoding="utf-8",
    )
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    app = make_app(store, [deck], "ann", study=["hostile"], clock=clock, fuzz=False)
    assert snap_compare(app, terminal_size=(80, 24))


def longest_bundled_app(store, tmp_path: Path, clock: FakeClock) -> QuizApp:
    # The bundled card with the longest feedback (a six-pair match with a long explanation).
    bundled = Path(__file__).parent.parent / "decks" / "csto-synthesis.yaml"
    data = yaml.safe_load(bundled.read_text(encoding="utf-8"))
    data["cards"] = [c for c in data["cards"] if c["id"] == "reports-verdicts-match"]
    path = tmp_path / "longest.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    return make_app(
        store, [deck], "ann", study=[deck.id], clock=clock, rng=random.Random(5), fuzz=False
    )


def test_longest_bundled_feedback_scrolls_to_its_explanation(snap_compare, store, tmp_path, clock):
    # Answered with one pair: End brings the explanation and source into view at 80x24.
    app = longest_bundled_app(store, tmp_path, clock)
    assert snap_compare(app, press=["a", "enter", "end"], terminal_size=(80, 24))


def test_longest_bundled_feedback_at_50x16(snap_compare, store, tmp_path, clock):
    # The same at 50x16: the source, the last line of the feedback, is reached with End.
    app = longest_bundled_app(store, tmp_path, clock)
    assert snap_compare(app, press=["a", "enter", "end"], terminal_size=(50, 16))


# The other two sizes issue 13 was tried at: a small tmux pane, and a big terminal where the
# card column stays centred at a readable width.
SIZES = {"50x16": (50, 16), "200x50": (200, 50)}

# Keys that answer each card of every-type.yaml, partly or wholly wrong where the card marks
# its choices, pairs or positions, so the feedback shows the most it can.
ANSWERS = {
    "treaty-year": ["space"],
    "members": ["1", "3", "enter"],
    "capital": ["2", "enter"],
    "un-observer": ["f", "enter"],
    "articles": ["4", "enter"],
    "otunbayeva": [*"otunbaeva", "enter"],
    "troops": [*"2400", "enter"],
    "chronology": ["right_square_bracket", "enter"],
    "leaders": ["b", "a", "enter"],
}


def test_every_card_type_has_answer_keys():
    assert set(ANSWERS) == {c["id"] for c in CARDS["cards"]}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("card_id", [c["id"] for c in CARDS["cards"]])
def test_card_type_question_at_size(snap_compare, store, tmp_path, clock, card_id, size):
    app = single_card_app(store, tmp_path, clock, card_id)
    assert snap_compare(app, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("card_id", [c["id"] for c in CARDS["cards"]])
def test_card_type_feedback_at_size(snap_compare, store, tmp_path, clock, card_id, size):
    app = single_card_app(store, tmp_path, clock, card_id)
    assert snap_compare(app, press=ANSWERS[card_id], terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_home_screen_at_size(snap_compare, store, every_type, clock, size):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    assert snap_compare(app, terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_help_screen_at_size(snap_compare, store, every_type, clock, size):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    assert snap_compare(app, press=["question_mark"], terminal_size=SIZES[size])


@pytest.mark.parametrize("size", SIZES)
def test_summary_screen_at_size(snap_compare, store, tmp_path, clock, size):
    app = single_card_app(store, tmp_path, clock, "un-observer")
    assert snap_compare(app, press=["t", "enter", "escape"], terminal_size=SIZES[size])


def test_flag_picker_at_50x16(snap_compare, store, tmp_path, clock):
    app = single_card_app(store, tmp_path, clock, "treaty-year")
    assert snap_compare(app, press=["ctrl+f"], terminal_size=(50, 16))

"""The cloze format: hints, escapes, stable gap numbers, and clozes written before them."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from quiz.deck import cloze
from quiz.deck.lint import lint_deck
from quiz.deck.loader import parse_deck
from quiz.deck.model import Cloze, Item
from quiz.grading import Outcome, grade
from quiz.library import open_deck
from quiz.scheduler import Rating
from quiz.tui.app import make_app


def one_cloze(text: str) -> tuple[Cloze | None, list[str]]:
    deck, problems = parse_deck(
        f"deck: d\ntitle: D\ncards:\n  - id: z\n    type: cloze\n    text: '{text}'\n", "d.yaml"
    )
    card = deck.cards[0] if deck is not None else None
    assert card is None or isinstance(card, Cloze)
    return card, [str(p) for p in problems if p.severity.value == "error"]


def test_a_numbered_gap_with_alternatives_and_a_hint() -> None:
    card, errors = one_cloze("The capital is {{c3::Paris|Paname::a city on the Seine}}.")
    assert card is not None, errors
    assert card.gaps == (("Paris", "Paname"),)
    assert card.numbers == (3,)
    assert card.hints == ("a city on the Seine",)
    assert card.variants() == ("c3",)
    item = Item("d", card, "c3")
    assert item.gap_index == 0
    assert item.question() == "The capital is [a city on the Seine]."
    assert card.with_gap(0, "[ … ]") == "The capital is [a city on the Seine]."
    # Cut-out blanks (lint's, the feedback's) never take the hint.
    assert card.with_gap(0, "\0") == "The capital is \0."


@pytest.mark.parametrize(
    ("written", "answers", "hint"),
    [
        (r"{{a\|b}}", ("a|b",), None),
        (r"{{a\|b|c}}", ("a|b", "c"), None),
        (r"{{a\::b}}", ("a::b",), None),
        (r"{{x\}\}y}}", ("x}}y",), None),
        (r"{{x\{\{y}}", ("x{{y",), None),
        (r"{{back\\slash}}", ("back\\slash",), None),
        (r"{{C:\path}}", ("C:\\path",), None),
        (r"{{one|two::a \| b}}", ("one", "two"), "a | b"),
        (r"{{a::hint :: with colons}}", ("a",), "hint :: with colons"),
        (r"{{c1\::x}}", ("c1::x",), None),
    ],
)
def test_escapes_make_separators_literal(
    written: str, answers: tuple[str, ...], hint: str | None
) -> None:
    card, errors = one_cloze(f"Say {written} now")
    assert card is not None, errors
    assert card.gaps == (answers,)
    assert card.hints == ((hint,) if hint else ())
    assert card.numbers == ()


def test_escape_reads_back_as_itself() -> None:
    for text in ("a|b", "x::y", "}}{{", "C:\\dir\\", "plain", "a:", ":::", "10:30", "c1::x"):
        assert cloze.parse_gap(cloze.escape(text)).answers == (text,)


def test_unnumbered_gaps_keep_their_place_as_their_number() -> None:
    card, errors = one_cloze("{{a}} {{b}} {{c}}")
    assert card is not None, errors
    assert card.variants() == ("c1", "c2", "c3")
    assert "numbers" not in card.to_dict() and "hints" not in card.to_dict()
    card, errors = one_cloze("{{a}} {{c7::b}} {{c}}")
    assert card is not None, errors
    assert card.variants() == ("c1", "c7", "c3")
    assert Item("d", card, "c7").gap_index == 1
    assert Item("d", card, "c2").gap_index is None


def test_two_gaps_of_one_number_are_an_error_with_the_free_number() -> None:
    deck, problems = parse_deck(
        "deck: d\ntitle: D\ncards:\n  - id: z\n    type: cloze\n    text: '{{c2::a}} {{b}}'\n",
        "d.yaml",
    )
    assert deck is None
    (problem,) = [p for p in problems if p.rule == "cloze-duplicate-number"]
    assert str(problem) == (
        "d.yaml:6:11: error: card 'z': two gaps are numbered c2 (gap 2 is c2 by its place) "
        "[cloze-duplicate-number]"
    )
    assert problem.hint == "give one of them a number of its own: c3 is free"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{{a::}}", "has an empty hint"),
        ("{{c0::a}}", "has the number 0"),
        ("{{c3::}}", "has an empty answer"),
        ("{{a\\}}", "unclosed"),
    ],
)
def test_bad_gaps_are_errors(text: str, says: str) -> None:
    card, errors = one_cloze(text)
    assert card is None
    assert any(says in e for e in errors), errors


def test_a_hint_that_gives_the_answer_away_is_a_warning() -> None:
    text = (
        "deck: d\ntitle: D\ncards:\n  - id: z\n    type: cloze\n"
        "    text: 'It is {{Paris::Paris, France}}.'\n    explanation: x\n"
    )
    deck, _ = parse_deck(text, "d.yaml")
    assert deck is not None
    said = [p.message for p in lint_deck(deck, text, "d.yaml") if p.rule == "answer-in-question"]
    assert said == ["card 'z': gap 1's hint 'Paris, France' gives its answer 'Paris'"]


def test_a_literal_bar_is_graded_as_one_answer() -> None:
    card, errors = one_cloze(r"Pipe: {{a\|b}}")
    assert card is not None, errors
    item = Item("d", card, "c1")
    assert grade(item, "a|b").outcome is Outcome.RIGHT
    assert grade(item, "a").outcome is Outcome.WRONG


def deck_text(text: str) -> str:
    return (
        "deck: gaps\ntitle: Gaps\ncards:\n  - id: z\n    type: cloze\n"
        f"    text: '{text}'\n    explanation: x\n"
    )


def test_a_gap_inserted_before_numbered_gaps_moves_no_progress(store, tmp_path, clock) -> None:
    path = tmp_path / "gaps.yaml"
    path.write_text(deck_text("{{c1::one}} and {{c2::two}}"), encoding="utf-8")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    assert deck.item_index.keys == ["z::c1", "z::c2"]
    path.write_text(deck_text("{{c3::zero}}, {{c1::one}} and {{c2::two}}"), encoding="utf-8")
    deck, problems = open_deck(store, path, clock() + timedelta(minutes=1))
    assert deck is not None, problems
    assert deck.item_index.keys == ["z::c3", "z::c1", "z::c2"]
    # c2 still asks for "two", so its schedule stays with the fact it was made for.
    item = store.stored_item("gaps", "z::c2")
    assert item is not None and item.question() == "zero, one and [...]"
    assert store.archived_keys("gaps") == set()


async def test_the_study_screen_shows_the_hint_and_keys_the_review_by_number(
    store, tmp_path: Path, clock
) -> None:
    path = tmp_path / "gaps.yaml"
    path.write_text(deck_text(r"Pipes: {{c4::a\|b::two letters}}."), encoding="utf-8")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    app = make_app(store, [deck], "ann", study=["gaps"], clock=clock, rng=random.Random(1))
    async with app.run_test() as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#prompt", Static).content)
        assert shown == "Pipes: [two letters]."
        await pilot.press(*"a|b", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    (row,) = store.reviews("ann")
    assert (row["item_key"], row["outcome"], row["rating"]) == ("z::c4", "right", Rating.GOOD)


def test_a_gift_missing_word_keeps_colons_and_backslashes_in_its_answers(tmp_path: Path) -> None:
    from quiz.interchange.gift_import import import_gift

    source = tmp_path / "bank.gift"
    source.write_text("Scope is {=std\\:\\:vector =C\\\\dir} here.\n", encoding="utf-8")
    (card,) = import_gift(source).cards
    deck, problems = parse_deck(
        f"deck: d\ntitle: D\ncards:\n  - id: z\n    type: cloze\n    text: '{card['text']}'\n",
        "d.yaml",
    )
    assert deck is not None, problems
    gap = deck.cards[0]
    assert isinstance(gap, Cloze)
    # Before escaping, '::' made 'vector' a hint and the answer 'std'.
    assert gap.gaps == (("std::vector", "C\\dir"),)
    assert gap.hints == ()


def test_an_export_that_cannot_keep_hints_says_so(tmp_path: Path) -> None:
    from quiz.interchange.convert import export_deck

    path = tmp_path / "gaps.yaml"
    path.write_text(deck_text("{{a::first}} and {{b}} and {{c::third}}"), encoding="utf-8")
    deck, problems = parse_deck(path.read_text(encoding="utf-8"), str(path))
    assert deck is not None, problems
    for suffix, name in ((".gift", "GIFT"), (".xml", "Moodle XML"), (".csv", "CSV")):
        report = export_deck(deck, tmp_path / f"out{suffix}", None)
        assert f"2 cloze hint(s) left out: {name} has no place for them" in report.notes
    assert not any("hint" in n for n in export_deck(deck, tmp_path / "out.apkg", None).notes)

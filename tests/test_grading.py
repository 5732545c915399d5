"""Grading responses to study items, for every auto-graded card type."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from quiz.deck import Deck, Item, parse_deck
from quiz.grading import (
    Grade,
    Outcome,
    expected_answer,
    grade,
    is_self_rated,
    normalize,
)
from quiz.scheduler import Rating

RIGHT, PARTLY, WRONG = Outcome.RIGHT, Outcome.PARTLY, Outcome.WRONG

DECK = """\
deck: grading
title: Grading
cards:
  - id: treaty
    front: "In which year was the treaty signed?"
    back: "1992"
    reverse: true
  - id: capital
    type: choice
    question: "Where is the secretariat?"
    choices: [Moscow, Minsk, Astana]
    answer: Moscow
  - id: members
    type: choice
    question: "Which of these are members?"
    choices: [Armenia, Belarus, Kazakhstan, Uzbekistan, Azerbaijan]
    answer: [Armenia, Belarus, Kazakhstan]
  - id: un-observer
    type: true_false
    statement: "The CSTO is an observer at the UN General Assembly."
    answer: true
  - id: nato-member
    type: true_false
    statement: "The CSTO is a member of NATO."
    answer: false
  - id: articles
    type: cloze
    text: "Article {{4|four}} is collective defence; it was signed in {{Tashkent|Toshkent}}."
  - id: otunbayeva
    type: typed
    question: "Who led Kyrgyzstan's interim government in 2010?"
    answer: "Roza Otunbayeva"
    accept: ["Otunbayeva"]
  - id: treaty-year
    type: typed
    question: "In which year was the treaty signed?"
    answer: 1992
  - id: union
    type: typed
    question: "Which bloc is the CSTO often compared with, besides NATO?"
    answer: EU
  - id: troops
    type: numeric
    question: "How many troops were sent to Kazakhstan?"
    answer: 2500
    tolerance: "10%"
    unit: troops
  - id: founded
    type: numeric
    question: "In which year was the CSTO founded?"
    answer: 2002
    tolerance: 2
  - id: version
    type: numeric
    question: "Which version?"
    answer: 3.10
  - id: chronology
    type: order
    question: "Earliest first."
    items: [Treaty, Founding, Uzbekistan leaves, Kazakhstan deployment]
  - id: leaders
    type: match
    question: "Match each person to a role."
    pairs:
      Tokayev: President of Kazakhstan
      Pashinyan: Prime Minister of Armenia
      Putin: President of Russia
      Lukashenko: President of Belarus
"""

CHRONOLOGY = ["Treaty", "Founding", "Uzbekistan leaves", "Kazakhstan deployment"]
LEADERS = {
    "Tokayev": "President of Kazakhstan",
    "Pashinyan": "Prime Minister of Armenia",
    "Putin": "President of Russia",
    "Lukashenko": "President of Belarus",
}


@cache
def deck() -> Deck:
    loaded, problems = parse_deck(DECK, "grading.yaml")
    assert problems == []
    assert loaded is not None
    return loaded


def item(card_id: str, variant: str = "") -> Item:
    (card,) = [c for c in deck().cards if c.id == card_id]
    assert variant in card.variants()
    return Item(deck().id, card, variant)


def check(card_id: str, response: Any, outcome: Outcome, variant: str = "") -> Grade:
    result = grade(item(card_id, variant), response)
    assert result.outcome is outcome, (card_id, variant, response)
    return result


# --- Choice ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "outcome"),
    [("Moscow", RIGHT), ("Minsk", WRONG), ("Astana", WRONG), ("moscow", WRONG), ("", WRONG)],
)
def test_single_choice(response: str, outcome: Outcome) -> None:
    result = check("capital", response, outcome)
    assert result.near_miss is False
    assert result.correct is (outcome is RIGHT)


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        (["Armenia", "Belarus", "Kazakhstan"], RIGHT),
        (["Kazakhstan", "Armenia", "Belarus"], RIGHT),
        (("Armenia", "Belarus", "Kazakhstan"), RIGHT),
        (["Armenia"], PARTLY),
        (["Armenia", "Kazakhstan"], PARTLY),
        (["Armenia", "Uzbekistan"], WRONG),
        (["Armenia", "Belarus", "Kazakhstan", "Azerbaijan"], WRONG),
        (["Uzbekistan"], WRONG),
        ([], WRONG),
    ],
)
def test_select_all(response: list[str], outcome: Outcome) -> None:
    check("members", response, outcome)


# --- True or false ---------------------------------------------------------------------------


def test_true_false() -> None:
    check("un-observer", True, RIGHT)
    check("un-observer", False, WRONG)
    check("nato-member", False, RIGHT)
    check("nato-member", True, WRONG)


# --- Typed -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        "Roza Otunbayeva",
        "  roza  OTUNBAYEVA!",
        "Rōza Otunbayeva",
        "ROZA-OTUNBAYEVA",
        "roza otunbayeva.",
        "Otunbayeva",  # an accepted alternative
        "otunbayeva",
    ],
)
def test_typed_exact_after_normalizing(response: str) -> None:
    result = check("otunbayeva", response, RIGHT)
    assert result.near_miss is False


@pytest.mark.parametrize("response", ["Roza Otunbaeva", "Roza Otunbayeve", "Otunbaeva"])
def test_typed_small_typo_is_a_near_miss(response: str) -> None:
    result = check("otunbayeva", response, RIGHT)
    assert result.near_miss is True
    assert result.proposed is Rating.GOOD


@pytest.mark.parametrize("response", ["Boris Yeltsin", "Roza", "Otun", "Askar Akayev"])
def test_typed_far_answer_is_wrong(response: str) -> None:
    result = check("otunbayeva", response, WRONG)
    assert result.near_miss is False


@pytest.mark.parametrize("response", ["", "   ", "?!", "..."])
def test_typed_empty_answer_is_wrong(response: str) -> None:
    result = check("otunbayeva", response, WRONG)
    assert result.near_miss is False


def test_typed_digits_must_match() -> None:
    assert check("treaty-year", "1992", RIGHT).near_miss is False
    assert check("treaty-year", " 1992. ", RIGHT).near_miss is False
    # One edit away, but a different year is a different fact.
    assert check("treaty-year", "1993", WRONG).near_miss is False
    assert check("treaty-year", "1982", WRONG).near_miss is False


def test_typed_short_answers_allow_no_typo() -> None:
    check("union", "eu", RIGHT)
    check("union", " EU! ", RIGHT)
    check("union", "EV", WRONG)


def test_typed_punctuation_inside_an_abbreviation_is_ignored() -> None:
    # "E.U." differs from "EU" only in punctuation, which matching ignores.
    assert check("union", "E.U.", RIGHT).near_miss is False


# --- Cloze -----------------------------------------------------------------------------------


def test_cloze_first_gap() -> None:
    check("articles", "4", RIGHT, "c1")
    check("articles", "four", RIGHT, "c1")
    check("articles", " Four ", RIGHT, "c1")
    check("articles", "Tashkent", WRONG, "c1")
    check("articles", "7", WRONG, "c1")


def test_cloze_second_gap() -> None:
    assert check("articles", "Tashkent", RIGHT, "c2").near_miss is False
    assert check("articles", "Toshkent", RIGHT, "c2").near_miss is False
    assert check("articles", "Tashkemt", RIGHT, "c2").near_miss is True
    check("articles", "4", WRONG, "c2")
    check("articles", "four", WRONG, "c2")
    check("articles", "", WRONG, "c2")


# --- Numeric ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        ("2500", RIGHT),
        ("2750", RIGHT),  # the edge of 10%
        ("2250", RIGHT),
        ("2600", RIGHT),
        ("2751", WRONG),
        ("2249", WRONG),
        ("5000", WRONG),
        ("2,500", RIGHT),
        ("2500 troops", RIGHT),
        ("2 500", RIGHT),
        ("  2500  ", RIGHT),
        ("lots", WRONG),
        ("about", WRONG),
        ("", WRONG),
    ],
)
def test_numeric_percentage_tolerance(response: str, outcome: Outcome) -> None:
    check("troops", response, outcome)


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        ("2002", RIGHT),
        ("2004", RIGHT),
        ("2000", RIGHT),
        ("2005", WRONG),
        ("1999", WRONG),
        ("-2002", WRONG),
    ],
)
def test_numeric_absolute_tolerance(response: str, outcome: Outcome) -> None:
    check("founded", response, outcome)


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        ("3.10", RIGHT),
        ("3.1", RIGHT),
        ("+3.1", RIGHT),
        ("3.100", RIGHT),
        ("3.11", WRONG),
        ("3", WRONG),
        ("-3.1", WRONG),
        ("three", WRONG),
    ],
)
def test_numeric_exact(response: str, outcome: Outcome) -> None:
    check("version", response, outcome)


# --- Order -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        (CHRONOLOGY, RIGHT),
        (tuple(CHRONOLOGY), RIGHT),
        # Two of four in place: at least half.
        (["Treaty", "Founding", "Kazakhstan deployment", "Uzbekistan leaves"], PARTLY),
        (["Founding", "Treaty", "Uzbekistan leaves", "Kazakhstan deployment"], PARTLY),
        # One of four in place.
        (["Treaty", "Uzbekistan leaves", "Kazakhstan deployment", "Founding"], WRONG),
        (list(reversed(CHRONOLOGY)), WRONG),
        ([], WRONG),
    ],
)
def test_order(response: list[str], outcome: Outcome) -> None:
    check("chronology", response, outcome)


# --- Match -----------------------------------------------------------------------------------


def _swapped(pairs: dict[str, str], *lefts: str) -> dict[str, str]:
    """The pairs with the rights of the given lefts rotated among them."""
    out = dict(pairs)
    rights = [pairs[left] for left in lefts]
    for left, right in zip(lefts, rights[1:] + rights[:1], strict=True):
        out[left] = right
    return out


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        (LEADERS, RIGHT),
        (dict(reversed(list(LEADERS.items()))), RIGHT),
        (_swapped(LEADERS, "Putin", "Lukashenko"), PARTLY),  # two of four right
        (_swapped(LEADERS, "Pashinyan", "Putin", "Lukashenko"), WRONG),  # one of four
        (_swapped(LEADERS, "Tokayev", "Pashinyan", "Putin", "Lukashenko"), WRONG),
        ({"Tokayev": "President of Kazakhstan", "Pashinyan": "Prime Minister of Armenia"}, PARTLY),
        ({"Tokayev": "President of Kazakhstan"}, WRONG),
        ({}, WRONG),
    ],
)
def test_match(response: dict[str, str], outcome: Outcome) -> None:
    check("leaders", response, outcome)


# --- Proposed ratings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "rating"),
    [(RIGHT, Rating.GOOD), (PARTLY, Rating.HARD), (WRONG, Rating.AGAIN)],
)
def test_proposed_rating(outcome: Outcome, rating: Rating) -> None:
    assert Grade(outcome, "x").proposed is rating


def test_proposed_rating_from_grades() -> None:
    assert grade(item("members"), ["Armenia", "Belarus", "Kazakhstan"]).proposed is Rating.GOOD
    assert grade(item("members"), ["Armenia"]).proposed is Rating.HARD
    assert grade(item("members"), ["Uzbekistan"]).proposed is Rating.AGAIN
    assert grade(item("otunbayeva"), "Roza Otunbaeva").proposed is Rating.GOOD


# --- Expected answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card_id", "variant", "expected"),
    [
        ("treaty", "", "1992"),
        ("treaty", "reverse", "In which year was the treaty signed?"),
        ("capital", "", "Moscow"),
        ("members", "", "Armenia; Belarus; Kazakhstan"),
        ("un-observer", "", "True"),
        ("nato-member", "", "False"),
        ("articles", "c1", "4"),
        ("articles", "c2", "Tashkent"),
        ("otunbayeva", "", "Roza Otunbayeva"),
        ("treaty-year", "", "1992"),
        ("troops", "", "2500 troops (±10%)"),
        ("founded", "", "2002 (±2)"),
        ("version", "", "3.10"),
        (
            "chronology",
            "",
            "Treaty → Founding → Uzbekistan leaves → Kazakhstan deployment",
        ),
        (
            "leaders",
            "",
            "Tokayev → President of Kazakhstan; Pashinyan → Prime Minister of Armenia; "
            "Putin → President of Russia; Lukashenko → President of Belarus",
        ),
    ],
)
def test_expected_answer(card_id: str, variant: str, expected: str) -> None:
    assert expected_answer(item(card_id, variant)) == expected


@pytest.mark.parametrize(
    ("card_id", "variant", "response"),
    [
        ("capital", "", "Minsk"),
        ("members", "", ["Armenia"]),
        ("un-observer", "", False),
        ("articles", "c2", "Minsk"),
        ("otunbayeva", "", "nobody"),
        ("troops", "", "1"),
        ("chronology", "", []),
        ("leaders", "", {}),
    ],
)
def test_grade_carries_the_expected_answer(card_id: str, variant: str, response: Any) -> None:
    it = item(card_id, variant)
    assert grade(it, response).expected == expected_answer(it)


def test_only_flashcards_are_self_rated() -> None:
    assert is_self_rated(item("treaty"))
    assert is_self_rated(item("treaty", "reverse"))
    for card_id in ("capital", "un-observer", "otunbayeva", "troops", "chronology", "leaders"):
        assert not is_self_rated(item(card_id))


# --- normalize -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Roza Otunbayeva", "roza otunbayeva"),
        ("  roza  OTUNBAYEVA!", "roza otunbayeva"),
        ("Rōza Otunbáyeva", "roza otunbayeva"),
        ("Kassym-Jomart Tokayev", "kassym jomart tokayev"),
        ("snake_case", "snake case"),
        ("Straße", "strasse"),
        ("\tline\none ", "line one"),
        ("...", ""),
        ("", ""),
        ("1992", "1992"),
    ],
)
def test_normalize(text: str, normalized: str) -> None:
    assert normalize(text) == normalized


# --- Odd responses never raise ---------------------------------------------------------------

AUTO_GRADED = [
    ("capital", ""),
    ("members", ""),
    ("un-observer", ""),
    ("articles", "c1"),
    ("otunbayeva", ""),
    ("troops", ""),
    ("chronology", ""),
    ("leaders", ""),
]

ODD_RESPONSES = [
    None,
    0,
    3.5,
    {},
    {"Moscow": "Moscow"},
    [],
    [None, 3, ["Moscow"]],
    "",
    "Treaty",
    b"Moscow",
    object(),
]


@pytest.mark.parametrize(("card_id", "variant"), AUTO_GRADED)
@pytest.mark.parametrize(
    "response", ODD_RESPONSES, ids=[f"{type(r).__name__}-{i}" for i, r in enumerate(ODD_RESPONSES)]
)
def test_odd_responses_are_wrong_and_never_raise(card_id: str, variant: str, response: Any) -> None:
    result = grade(item(card_id, variant), response)
    assert result.outcome is WRONG
    assert result.proposed is Rating.AGAIN


def test_named_wrong_types() -> None:
    check("otunbayeva", {"answer": "Roza Otunbayeva"}, WRONG)
    check("otunbayeva", ["Roza Otunbayeva"], WRONG)
    check("chronology", "Treaty Founding Uzbekistan leaves Kazakhstan deployment", WRONG)
    check("leaders", list(LEADERS.items()), WRONG)
    check("troops", ["2500"], WRONG)
    check("un-observer", None, WRONG)
    check("un-observer", ["True"], WRONG)

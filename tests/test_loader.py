"""The deck loader: every rule of the deck format, each problem at its line and column."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from textwrap import dedent

import pytest

import quiz.deck.files as files
import quiz.deck.vocabulary as vocabulary
import quiz.deck.yaml_safe as yaml_safe
from quiz.deck import DeckError, Problem, Severity, check_deck, load_deck, parse_deck
from quiz.deck.model import (
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Match,
    Numeric,
    Order,
    Settings,
    Source,
    SourceRef,
    TrueFalse,
    Typed,
)

ERROR = Severity.ERROR
WARNING = Severity.WARNING

# Three lines of deck header, so the first card written after it starts on line 4. Cards are
# written as unindented list items ("- id: a"), so a card's own keys start in column 3.
HEADER = "deck: d\ntitle: T\ncards:\n"


def parse(src: str) -> tuple[Deck | None, list[Problem]]:
    return parse_deck(dedent(src), "x.yaml")


def parse_cards(src: str) -> tuple[Deck | None, list[Problem]]:
    return parse_deck(HEADER + dedent(src), "x.yaml")


def found(problems: list[Problem]) -> list[tuple[int, int, str, str]]:
    """Problems as (line, column, severity, message), easy to compare."""
    return [(p.line, p.column, p.severity.value, p.message) for p in problems]


def loads(src: str) -> Deck:
    deck, problems = parse(src)
    assert problems == []
    assert deck is not None
    return deck


def card_of(src: str) -> object:
    """The only card of a deck made of the given cards, which must load cleanly."""
    deck, problems = parse_cards(src)
    assert problems == []
    assert deck is not None
    (card,) = deck.cards
    return card


# --- A valid deck of every card type ----------------------------------------------------------

EVERY_TYPE = """\
deck: all-types
title: "Every type"
description: "One card of each type."
sources:
  weitz:
    title: "Past Struggles and Future Prospects"
    author: "Richard Weitz"
tags: [csto]
settings: {new_per_day: 5, reviews_per_day: 50, desired_retention: 0.85}
cards:
  - id: treaty-year
    front: "In which year was the treaty signed?"
    back: 1992
    reverse: true
    explanation: "Ten years before the organisation."
    source: {ref: weitz, section: "Origins"}
    tags: [history, treaty]
  - id: capital
    type: choice
    question: "Where is the secretariat?"
    choices: [Moscow, Minsk, Astana]
    answer: Moscow
    shuffle: false
  - id: members
    type: choice
    question: "Which of these are members?"
    choices: [Armenia, Belarus, Uzbekistan, Azerbaijan]
    answer: [Armenia, Belarus]
    source: weitz
  - id: un-observer
    type: true_false
    statement: "The CSTO is an observer at the UN General Assembly."
    answer: true
  - id: articles
    type: cloze
    text: "Article {{4|four}} is collective defence; Article {{7|seven}} covers bases."
  - id: otunbayeva
    type: typed
    question: "Who led the interim government?"
    answer: "Roza Otunbayeva"
    accept: [Otunbayeva]
  - id: troops
    type: numeric
    question: "How many troops were sent?"
    answer: 2500
    tolerance: "10%"
    unit: troops
  - id: founded
    type: numeric
    question: "When was the CSTO founded?"
    answer: 2002
    tolerance: 1
  - id: chronology
    type: order
    question: "Earliest first."
    items: ["Treaty signed", "CSTO founded", "Uzbekistan leaves"]
  - id: leaders
    type: match
    question: "Match each person to a role."
    pairs:
      Kassym-Jomart Tokayev: "President of Kazakhstan"
      Nikol Pashinyan: "Prime Minister of Armenia"
"""


@pytest.fixture
def every_type_deck() -> Deck:
    deck, problems = parse_deck(EVERY_TYPE, "every.yaml")
    assert problems == []
    assert deck is not None
    return deck


def test_every_type_deck_metadata(every_type_deck: Deck) -> None:
    deck = every_type_deck
    assert deck.id == "all-types"
    assert deck.title == "Every type"
    assert deck.description == "One card of each type."
    assert deck.tags == ("csto",)
    assert deck.settings == Settings(new_per_day=5, reviews_per_day=50, desired_retention=0.85)
    assert deck.sources == {
        "weitz": Source(
            key="weitz", title="Past Struggles and Future Prospects", author="Richard Weitz"
        )
    }
    assert deck.path == "every.yaml"
    # Each card remembers the line its mapping starts on.
    assert {c.id: c.line for c in deck.cards} == {
        "treaty-year": 11,
        "capital": 18,
        "members": 24,
        "un-observer": 30,
        "articles": 34,
        "otunbayeva": 37,
        "troops": 42,
        "founded": 48,
        "chronology": 53,
        "leaders": 57,
    }


def test_every_type_deck_items(every_type_deck: Deck) -> None:
    assert [item.key for item in every_type_deck.items()] == [
        "treaty-year",
        "treaty-year::reverse",
        "capital",
        "members",
        "un-observer",
        "articles::c1",
        "articles::c2",
        "otunbayeva",
        "troops",
        "founded",
        "chronology",
        "leaders",
    ]


def test_flashcard_fields(every_type_deck: Deck) -> None:
    card = every_type_deck.cards[0]
    assert isinstance(card, Flashcard)
    assert card.type == "flashcard"  # the default when 'type' is omitted
    assert card.front == "In which year was the treaty signed?"
    assert card.back == "1992"
    assert card.reverse is True
    assert card.variants() == ("", "reverse")
    assert card.explanation == "Ten years before the organisation."
    assert card.source == SourceRef("weitz", "Origins")
    assert card.tags == ("history", "treaty")


def test_flashcard_without_reverse_gives_one_item() -> None:
    card = card_of(
        """\
        - id: q
          front: F
          back: B
        """
    )
    assert isinstance(card, Flashcard)
    assert card.reverse is False
    assert card.variants() == ("",)


def test_choice_fields(every_type_deck: Deck) -> None:
    single, multi = every_type_deck.cards[1], every_type_deck.cards[2]
    assert isinstance(single, Choice)
    assert single.question == "Where is the secretariat?"
    assert single.choices == ("Moscow", "Minsk", "Astana")
    assert single.answers == ("Moscow",)
    assert single.multiple is False
    assert single.shuffle is False
    assert isinstance(multi, Choice)
    assert multi.choices == ("Armenia", "Belarus", "Uzbekistan", "Azerbaijan")
    assert multi.answers == ("Armenia", "Belarus")
    assert multi.multiple is True
    assert multi.shuffle is True  # shuffled unless 'shuffle: false'
    assert multi.source == SourceRef("weitz")


def test_choice_list_with_one_answer_is_still_multiple() -> None:
    card = card_of(
        """\
        - id: c
          type: choice
          question: Q
          choices: [A, B]
          answer: [A]
        """
    )
    assert isinstance(card, Choice)
    assert card.answers == ("A",)
    assert card.multiple is True


def test_true_false_fields(every_type_deck: Deck) -> None:
    card = every_type_deck.cards[3]
    assert isinstance(card, TrueFalse)
    assert card.statement == "The CSTO is an observer at the UN General Assembly."
    assert card.answer is True


def test_cloze_fields(every_type_deck: Deck) -> None:
    card = every_type_deck.cards[4]
    assert isinstance(card, Cloze)
    assert card.text == (
        "Article {{4|four}} is collective defence; Article {{7|seven}} covers bases."
    )
    assert card.segments == ("Article ", " is collective defence; Article ", " covers bases.")
    assert card.gaps == (("4", "four"), ("7", "seven"))
    assert card.variants() == ("c1", "c2")
    assert card.with_gap(0) == "Article [...] is collective defence; Article 7 covers bases."
    assert card.with_gap(1) == "Article 4 is collective defence; Article [...] covers bases."


def test_cloze_gap_alternatives_are_trimmed() -> None:
    card = card_of(
        """\
        - id: z
          type: cloze
          text: "Signed in {{ Tashkent | Toshkent }}."
        """
    )
    assert isinstance(card, Cloze)
    assert card.gaps == (("Tashkent", "Toshkent"),)
    assert card.segments == ("Signed in ", ".")


def test_typed_fields(every_type_deck: Deck) -> None:
    card = every_type_deck.cards[5]
    assert isinstance(card, Typed)
    assert card.question == "Who led the interim government?"
    assert card.answer == "Roza Otunbayeva"
    assert card.accept == ("Otunbayeva",)


def test_numeric_fields(every_type_deck: Deck) -> None:
    percent, absolute = every_type_deck.cards[6], every_type_deck.cards[7]
    assert isinstance(percent, Numeric)
    assert percent.answer == 2500
    assert percent.answer_text == "2500"
    assert percent.tolerance == 10
    assert percent.tolerance_is_percent is True
    assert percent.unit == "troops"
    assert percent.allowed_error() == pytest.approx(250)
    assert isinstance(absolute, Numeric)
    assert absolute.answer == 2002
    assert absolute.tolerance == 1
    assert absolute.tolerance_is_percent is False
    assert absolute.unit is None
    assert absolute.allowed_error() == 1


def test_numeric_without_tolerance_is_exact() -> None:
    card = card_of(
        """\
        - id: n
          type: numeric
          question: Q
          answer: -3.5
        """
    )
    assert isinstance(card, Numeric)
    assert card.answer == -3.5
    assert card.tolerance == 0
    assert card.allowed_error() == 0


def test_order_fields(every_type_deck: Deck) -> None:
    card = every_type_deck.cards[8]
    assert isinstance(card, Order)
    assert card.question == "Earliest first."
    assert card.items == ("Treaty signed", "CSTO founded", "Uzbekistan leaves")


def test_match_fields(every_type_deck: Deck) -> None:
    card = every_type_deck.cards[9]
    assert isinstance(card, Match)
    assert card.question == "Match each person to a role."
    assert card.pairs == (
        ("Kassym-Jomart Tokayev", "President of Kazakhstan"),
        ("Nikol Pashinyan", "Prime Minister of Armenia"),
    )


def test_check_deck_loads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "every.yaml"
    path.write_text(EVERY_TYPE, encoding="utf-8")
    deck, problems = check_deck(path)
    assert problems == []
    assert deck is not None
    assert deck.id == "all-types"
    assert deck.path == str(path)
    assert load_deck(path) == deck


# --- Scalars are kept exactly as written ------------------------------------------------------


def test_scalars_are_kept_as_written() -> None:
    deck, problems = parse_cards(
        """\
        - id: version
          type: typed
          question: "Which version?"
          answer: 3.10
          accept: [3.1.0, yes, 0x1F]
        - id: nato
          type: typed
          question: "Is it in NATO?"
          answer: no
        - id: treaty
          front: 1992
          back: 1992
        - id: switch
          front: off
          back: on
        - id: pick
          type: choice
          question: Q
          choices: [yes, no]
          answer: no
        - id: pi
          type: numeric
          question: Q
          answer: 3.10
        """
    )
    assert problems == []
    assert deck is not None
    cards = {c.id: c for c in deck.cards}
    version, nato, treaty, switch, pick, pi = cards.values()
    assert isinstance(version, Typed)
    assert version.answer == "3.10"
    assert version.accept == ("3.1.0", "yes", "0x1F")
    assert isinstance(nato, Typed)
    assert nato.answer == "no"
    assert isinstance(treaty, Flashcard)
    assert (treaty.front, treaty.back) == ("1992", "1992")
    assert isinstance(switch, Flashcard)
    assert (switch.front, switch.back) == ("off", "on")
    assert isinstance(pick, Choice)
    assert pick.choices == ("yes", "no")
    assert pick.answers == ("no",)
    assert isinstance(pi, Numeric)
    assert pi.answer_text == "3.10"
    assert pi.answer == pytest.approx(3.1)


def test_deck_title_written_as_a_number_is_text() -> None:
    deck = loads(
        """\
        deck: "2024"
        title: 2024
        cards:
        - id: q
          front: F
          back: B
        """
    )
    assert deck.id == "2024"
    assert deck.title == "2024"


def test_explicit_safe_tags_are_accepted() -> None:
    card = card_of(
        """\
        - id: q
          front: !!str 3.10
          back: !!str yes
        """
    )
    assert isinstance(card, Flashcard)
    assert (card.front, card.back) == ("3.10", "yes")


# --- Missing keys ----------------------------------------------------------------------------


def test_missing_deck_keys() -> None:
    deck, problems = parse('description: "no id, title or cards"\n')
    assert deck is None
    assert found(problems) == [
        (1, 1, "error", "deck: missing required key 'deck'"),
        (1, 1, "error", "deck: missing required key 'title'"),
        (1, 1, "error", "deck: missing required key 'cards'"),
    ]


def test_missing_title_alone() -> None:
    deck, problems = parse(
        """\
        # a comment first, so the deck mapping starts on line 2
        deck: d
        cards:
        - id: q
          front: F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [(2, 1, "error", "deck: missing required key 'title'")]


def test_deck_without_cards() -> None:
    deck, problems = parse("deck: d\ntitle: T\ncards: []\n")
    assert deck is None
    assert found(problems) == [(3, 8, "error", "cards: the deck has no cards")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("front: F", "card 'q': missing required key 'back'"),
        ("back: B", "card 'q': missing required key 'front'"),
        (
            "type: choice\n  question: Q\n  answer: A",
            "card 'q': missing required key 'choices'",
        ),
        (
            "type: choice\n  question: Q\n  choices: [A, B]",
            "card 'q': missing required key 'answer'",
        ),
        (
            "type: choice\n  choices: [A, B]\n  answer: A",
            "card 'q': missing required key 'question'",
        ),
        ("type: true_false\n  statement: S", "card 'q': missing required key 'answer'"),
        (
            "type: true_false\n  answer: true",
            "card 'q': missing required key 'statement'",
        ),
        ("type: cloze", "card 'q': missing required key 'text'"),
        ("type: typed\n  question: Q", "card 'q': missing required key 'answer'"),
        ("type: typed\n  answer: A", "card 'q': missing required key 'question'"),
        ("type: numeric\n  question: Q", "card 'q': missing required key 'answer'"),
        ("type: numeric\n  answer: 3", "card 'q': missing required key 'question'"),
        ("type: order\n  question: Q", "card 'q': missing required key 'items'"),
        ("type: order\n  items: [A, B]", "card 'q': missing required key 'question'"),
        ("type: match\n  question: Q", "card 'q': missing required key 'pairs'"),
        ("type: match\n  pairs: {A: B, C: D}", "card 'q': missing required key 'question'"),
    ],
)
def test_missing_card_keys(body: str, message: str) -> None:
    deck, problems = parse_deck(f"{HEADER}- id: q\n  {body}\n", "x.yaml")
    assert deck is None
    # Reported at the card's mapping, which starts after "- " on line 4.
    assert found(problems) == [(4, 3, "error", message)]


# --- Unknown keys and types ------------------------------------------------------------------


def test_unknown_card_key_with_suggestion() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          type: typed
          qustion: "Q?"
          answer: A
        """
    )
    assert deck is None
    assert found(problems) == [
        (4, 3, "error", "card 'q': missing required key 'question'"),
        (6, 3, "error", "card 'q': unknown key 'qustion' (did you mean 'question'?)"),
    ]


def test_unknown_card_key_without_suggestion() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          front: F
          back: B
          colour: red
        """
    )
    assert deck is None
    assert found(problems) == [(7, 3, "error", "card 'q': unknown key 'colour'")]


def test_key_of_another_type_hints_at_type() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          front: F
          back: B
          choices: [A, B]
        """
    )
    assert deck is None
    assert found(problems) == [
        (
            7,
            3,
            "error",
            "card 'q': unknown key 'choices' "
            "(did you mean 'choices'? flashcard cards have none: check 'type')",
        )
    ]


def test_unknown_deck_key_with_suggestion() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: T
        descripton: D
        cards:
        - id: q
          front: F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [
        (3, 1, "error", "deck: unknown key 'descripton' (did you mean 'description'?)")
    ]


def test_unknown_settings_and_source_keys() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: T
        sources:
          weitz:
            autor: Weitz
        settings:
          new_per_dya: 3
        cards:
        - id: q
          front: F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [
        (5, 5, "error", "source 'weitz': unknown key 'autor' (did you mean 'author'?)"),
        (7, 3, "error", "settings: unknown key 'new_per_dya' (did you mean 'new_per_day'?)"),
    ]


def test_unknown_card_type_with_suggestion() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          type: flashcrad
          front: F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [
        (5, 9, "error", "card 'q': unknown card type 'flashcrad' (did you mean 'flashcard'?)")
    ]


def test_unknown_card_type_without_suggestion() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          type: essay
          front: F
        """
    )
    assert deck is None
    assert found(problems) == [(5, 9, "error", "card 'q': unknown card type 'essay'")]


# --- Duplicates ------------------------------------------------------------------------------


def test_duplicate_card_key() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          front: A
          front: B
          back: C
        """
    )
    assert deck is None
    assert found(problems) == [(6, 3, "error", "card #1: duplicate key 'front' (first on line 5)")]


def test_duplicate_deck_key() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: A
        title: B
        cards:
        - id: q
          front: F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [
        (3, 1, "error", "deck file: duplicate key 'title' (first on line 2)")
    ]


def test_duplicate_card_ids_name_the_first_line() -> None:
    deck, problems = parse_cards(
        """\
        - id: same
          front: A
          back: B
        - id: other
          front: C
          back: D
        - id: same
          front: E
          back: F
        """
    )
    assert deck is None
    assert found(problems) == [(10, 3, "error", "duplicate card id 'same' (first on line 4)")]


# --- Choice rules ----------------------------------------------------------------------------


def test_choice_answer_not_among_choices() -> None:
    deck, problems = parse_cards(
        """\
        - id: b2
          type: choice
          question: "Capital?"
          choices: [Moscow, Astana]
          answer: Minsk
        """
    )
    assert deck is None
    assert found(problems) == [
        (8, 11, "error", "card 'b2': answer 'Minsk' is not one of the choices")
    ]


def test_choice_answer_not_among_choices_with_suggestion() -> None:
    deck, problems = parse_cards(
        """\
        - id: b2
          type: choice
          question: "Capital?"
          choices: [Moscow, Astana]
          answer: Moskow
        """
    )
    assert deck is None
    assert found(problems) == [
        (
            8,
            11,
            "error",
            "card 'b2': answer 'Moskow' is not one of the choices (did you mean 'Moscow'?)",
        )
    ]


def test_choice_list_answer_not_among_choices() -> None:
    deck, problems = parse_cards(
        """\
        - id: b2
          type: choice
          question: "Capitals?"
          choices: [Moscow, Astana]
          answer: [Moscow, Minsk]
        """
    )
    assert deck is None
    # "  answer: [Moscow, " is 19 characters, so Minsk is in column 20.
    assert found(problems) == [
        (8, 20, "error", "card 'b2': answer 'Minsk' is not one of the choices")
    ]


def test_duplicate_choices() -> None:
    deck, problems = parse_cards(
        """\
        - id: c
          type: choice
          question: Q
          choices: [Moscow, Astana, Moscow]
          answer: Astana
        """
    )
    assert deck is None
    assert found(problems) == [(7, 29, "error", "card 'c': choice 'Moscow' appears twice")]


def test_fewer_than_two_choices() -> None:
    deck, problems = parse_cards(
        """\
        - id: c
          type: choice
          question: Q
          choices: [Moscow]
          answer: Moscow
        """
    )
    assert deck is None
    assert found(problems) == [
        (7, 12, "error", "card 'c': choices needs at least 2 entries, found 1")
    ]


# --- Cloze rules -----------------------------------------------------------------------------


def test_cloze_without_gaps() -> None:
    deck, problems = parse_cards(
        """\
        - id: z
          type: cloze
          text: "No gaps here."
        """
    )
    assert deck is None
    assert found(problems) == [
        (6, 9, "error", "card 'z': text has no gaps; write them as {{answer}}")
    ]


@pytest.mark.parametrize("gap", ["{{}}", "{{ }}", "{{4|}}", "{{|4}}"])
def test_cloze_with_an_empty_gap(gap: str) -> None:
    deck, problems = parse_deck(
        f'{HEADER}- id: z\n  type: cloze\n  text: "Article {gap} and {{{{7}}}}."\n', "x.yaml"
    )
    assert deck is None
    assert found(problems) == [(6, 9, "error", f"card 'z': gap '{gap}' has an empty answer")]


def test_cloze_with_an_unclosed_gap() -> None:
    deck, problems = parse_cards(
        """\
        - id: z
          type: cloze
          text: "Article {{4}} and {{7."
        """
    )
    assert deck is None
    # At the '{{' that is never closed, not at the start of the text.
    assert found(problems) == [
        (6, 28, "error", "card 'z': text has an unclosed '{{' or a stray '}}'")
    ]


# --- Numeric rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["lots", "12 troops", "2,500", "nan", "inf"])
def test_bad_numeric_answer(answer: str) -> None:
    deck, problems = parse_deck(
        f"{HEADER}- id: n\n  type: numeric\n  question: Q\n  answer: {answer}\n", "x.yaml"
    )
    assert deck is None
    assert [(p.line, p.column, p.severity) for p in problems] == [(7, 11, ERROR)]
    assert problems[0].message.startswith("card 'n': answer must be a")
    assert f"'{answer}'" in problems[0].message


def test_bad_numeric_answer_message() -> None:
    deck, problems = parse_cards(
        """\
        - id: n
          type: numeric
          question: Q
          answer: lots
        """
    )
    assert deck is None
    assert found(problems) == [(7, 11, "error", "card 'n': answer must be a number, not 'lots'")]


def test_bad_tolerance_not_a_number() -> None:
    deck, problems = parse_cards(
        """\
        - id: n
          type: numeric
          question: Q
          answer: 2500
          tolerance: lots
        """
    )
    assert deck is None
    assert found(problems) == [
        (
            8,
            14,
            "error",
            "card 'n': tolerance must be a number or a percentage like '5%', not 'lots'",
        )
    ]


@pytest.mark.parametrize("tolerance", ["-5", '"-5%"', "nan", "inf"])
def test_bad_tolerance_out_of_range(tolerance: str) -> None:
    deck, problems = parse_deck(
        f"{HEADER}- id: n\n  type: numeric\n  question: Q\n  answer: 2500\n"
        f"  tolerance: {tolerance}\n",
        "x.yaml",
    )
    assert deck is None
    assert found(problems) == [(8, 14, "error", "card 'n': tolerance must be 0 or more")]


@pytest.mark.parametrize(
    ("tolerance", "value", "percent"),
    [
        ("0", 0.0, False),
        ("50", 50.0, False),
        ("2.5", 2.5, False),
        ('"5%"', 5.0, True),
        ("5 %", 5.0, True),
    ],
)
def test_good_tolerances(tolerance: str, value: float, percent: bool) -> None:
    card = card_of(
        f"- id: n\n  type: numeric\n  question: Q\n  answer: 10\n  tolerance: {tolerance}\n"
    )
    assert isinstance(card, Numeric)
    assert card.tolerance == value
    assert card.tolerance_is_percent is percent


# --- True/false rules ------------------------------------------------------------------------


def test_true_false_answer_not_boolean() -> None:
    deck, problems = parse_cards(
        """\
        - id: t
          type: true_false
          statement: "S."
          answer: maybe
        """
    )
    assert deck is None
    assert found(problems) == [
        (7, 11, "error", "card 't': answer must be true or false, not 'maybe'")
    ]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("true", True),
        ("True", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("off", False),
    ],
)
def test_true_false_answers(written: str, value: bool) -> None:
    card = card_of(f"- id: t\n  type: true_false\n  statement: S\n  answer: {written}\n")
    assert isinstance(card, TrueFalse)
    assert card.answer is value


def test_reverse_not_boolean() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          front: F
          back: B
          reverse: sometimes
        """
    )
    assert deck is None
    assert found(problems) == [
        (7, 12, "error", "card 'q': reverse must be true or false, not 'sometimes'")
    ]


# --- Order and match rules -------------------------------------------------------------------


def test_order_needs_two_distinct_items() -> None:
    deck, problems = parse_cards(
        """\
        - id: o
          type: order
          question: Q
          items: [A]
        - id: p
          type: order
          question: Q
          items: [A, B, A]
        """
    )
    assert deck is None
    assert found(problems) == [
        (7, 10, "error", "card 'o': items needs at least 2 entries, found 1"),
        (11, 17, "error", "card 'p': item 'A' appears twice"),
    ]


def test_match_rules() -> None:
    deck, problems = parse_cards(
        """\
        - id: m
          type: match
          question: Q
          pairs: {A: X}
        - id: n
          type: match
          question: Q
          pairs:
            A: X
            B: X
        """
    )
    assert deck is None
    assert found(problems) == [
        (7, 10, "error", "card 'm': pairs needs at least 2 entries, found 1"),
        (13, 8, "error", "card 'n': 'X' is the match of two items"),
    ]


# --- Slugs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deck_id", ["My Deck", "csto_basics", "-leading", "trailing-", "double--dash", "été"]
)
def test_non_slug_deck_id(deck_id: str) -> None:
    deck, problems = parse_deck(f"deck: {deck_id}\ntitle: T\ncards:\n- front: F\n  back: B\n", "x")
    assert deck is None
    errors = [p for p in problems if p.severity is ERROR]
    assert found(errors) == [
        (1, 7, "error", f"deck id '{deck_id}' must be a slug like 'csto-basics'")
    ]


def test_non_slug_card_id() -> None:
    deck, problems = parse_cards(
        """\
        - id: Bad_Id
          front: F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [
        (4, 7, "error", "card 'Bad_Id': id must be a slug like 'first-deployment'")
    ]


TAG_RULE = "must be lowercase words joined by hyphens, like 'kazakhstan-2022' or 'столицы'"


def test_non_slug_tags() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: T
        tags: [Csto]
        cards:
        - id: q
          front: F
          back: B
          tags: [ok, Not OK]
        """
    )
    assert deck is None
    assert found(problems) == [
        (3, 8, "error", f"tag 'Csto' {TAG_RULE}"),
        (8, 14, "error", f"tag 'Not OK' {TAG_RULE}"),
    ]


def test_slugs_accepted() -> None:
    deck = loads(
        """\
        deck: csto-2022
        title: T
        tags: [csto, kazakhstan-2022]
        cards:
        - id: 1st-deployment
          front: F
          back: B
          tags: [a1, csto]
        """
    )
    assert deck.id == "csto-2022"
    assert deck.tags == ("csto", "kazakhstan-2022")
    assert deck.cards[0].id == "1st-deployment"
    assert deck.cards[0].tags == ("a1", "csto")


# --- Settings --------------------------------------------------------------------------------


def test_settings_out_of_range() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: T
        settings:
          new_per_day: -1
          reviews_per_day: -5
          desired_retention: 1.5
        cards:
        - id: q
          front: F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [
        (4, 16, "error", "new_per_day must be 0 or more"),
        (5, 20, "error", "reviews_per_day must be 0 or more"),
        (6, 22, "error", "desired_retention must be 0.7 to 0.99"),
    ]


@pytest.mark.parametrize("retention", ["0.5", "0.69", "0.995", "1", "nan"])
def test_desired_retention_out_of_range(retention: str) -> None:
    deck, problems = parse_deck(
        f"deck: d\ntitle: T\nsettings:\n  desired_retention: {retention}\n"
        "cards:\n- id: q\n  front: F\n  back: B\n",
        "x.yaml",
    )
    assert deck is None
    assert [(p.line, p.column, p.severity) for p in problems] == [(4, 22, ERROR)]
    assert problems[0].message.startswith("desired_retention must be")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("{new_per_day: 0}", Settings(new_per_day=0)),
        ("{reviews_per_day: 0}", Settings(reviews_per_day=0)),
        ("{desired_retention: 0.7}", Settings(desired_retention=0.7)),
        ("{desired_retention: 0.99}", Settings(desired_retention=0.99)),
        ("{}", Settings()),
    ],
)
def test_settings_in_range(settings: str, expected: Settings) -> None:
    deck = loads(
        f"deck: d\ntitle: T\nsettings: {settings}\ncards:\n- id: q\n  front: F\n  back: B\n"
    )
    assert deck.settings == expected


def test_settings_not_a_number() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: T
        settings:
          new_per_day: lots
        cards:
        - id: q
          front: F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [(4, 16, "error", "new_per_day must be a number, not 'lots'")]


def test_default_settings() -> None:
    deck = loads("deck: d\ntitle: T\ncards:\n- id: q\n  front: F\n  back: B\n")
    assert deck.settings == Settings(new_per_day=20, reviews_per_day=200, desired_retention=0.9)


# --- Wrong types -----------------------------------------------------------------------------


def test_list_where_text_is_expected() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          front: [a, b]
          back: {a: b}
        """
    )
    assert deck is None
    assert found(problems) == [
        (5, 10, "error", "card 'q': front must be text, not a list"),
        (6, 9, "error", "card 'q': back must be text, not a mapping"),
    ]


def test_mapping_where_a_list_is_expected() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          type: typed
          question: Q
          answer: A
          accept: {a: b}
        - id: o
          type: order
          question: Q
          items: {a: b}
        """
    )
    assert deck is None
    assert found(problems) == [
        (8, 11, "error", "card 'q': accept must be a list"),
        (12, 10, "error", "card 'o': items must be a list"),
    ]


def test_cards_and_tags_not_lists() -> None:
    deck, problems = parse("deck: d\ntitle: T\ntags: csto\ncards: {a: b}\n")
    assert deck is None
    assert found(problems) == [
        (3, 7, "error", "deck tags must be a list"),
        (4, 8, "error", "cards must be a list"),
    ]


def test_card_and_deck_that_are_not_mappings() -> None:
    deck, problems = parse_cards("- just a string\n")
    assert deck is None
    assert found(problems) == [(4, 3, "error", "card #1 must be a mapping")]
    deck, problems = parse("- a\n- b\n")
    assert deck is None
    assert found(problems) == [(1, 1, "error", "deck file must be a mapping")]


def test_pairs_not_a_mapping() -> None:
    deck, problems = parse_cards(
        """\
        - id: m
          type: match
          question: Q
          pairs: [A, B]
        """
    )
    assert deck is None
    assert found(problems) == [(7, 10, "error", "card 'm': pairs must be a mapping")]


def test_empty_text_is_an_error() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          front: ""
          back: "   "
        """
    )
    assert deck is None
    assert found(problems) == [
        (5, 10, "error", "card 'q': front must not be empty"),
        (6, 9, "error", "card 'q': back must not be empty"),
    ]


# --- Unsafe YAML -----------------------------------------------------------------------------


ALIAS_IN_DECK = """\
deck: d
title: &t "Title"
description: *t
cards:
- id: q
  front: F
  back: B
"""

ALIAS_IN_CARD = """\
- id: q
  front: &f "Same"
  back: *f
"""


def test_aliases_are_refused() -> None:
    for deck, problems in (parse(ALIAS_IN_DECK), parse_cards(ALIAS_IN_CARD)):
        assert deck is None
        assert [(p.severity, p.message) for p in problems] == [
            (ERROR, "YAML aliases are not supported in decks")
        ]


def test_anchor_without_alias_is_harmless() -> None:
    card = card_of('- id: q\n  front: &f "Front"\n  back: B\n')
    assert isinstance(card, Flashcard)
    assert card.front == "Front"


def test_alias_error_is_at_the_alias() -> None:
    # "description: " is 13 characters, so the alias '*t' is at 3:14 (the anchor is at 2:8).
    _, problems = parse(ALIAS_IN_DECK)
    assert found(problems) == [(3, 14, "error", "YAML aliases are not supported in decks")]
    # "  back: " is 8 characters: the alias '*f' is at 6:9 (the anchor is at 5:10).
    _, problems = parse_cards(ALIAS_IN_CARD)
    assert found(problems) == [(6, 9, "error", "YAML aliases are not supported in decks")]


def _tag_deck(marker: Path) -> str:
    return (
        "deck: d\n"
        f'title: !!python/object/apply:os.system ["touch {marker}"]\n'
        "cards:\n"
        "- id: q\n"
        "  front: F\n"
        "  back: B\n"
    )


def test_python_tags_are_refused_and_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    deck, problems = parse_deck(_tag_deck(marker), "x.yaml")
    assert deck is None
    assert found(problems) == [
        (2, 8, "error", "unsupported YAML tag '!!python/object/apply:os.system'")
    ]
    assert not marker.exists()


def test_python_tags_in_a_file_are_refused_and_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(_tag_deck(marker), encoding="utf-8")
    deck, problems = check_deck(path)
    assert deck is None
    assert [(p.line, p.column, p.severity) for p in problems] == [(2, 8, ERROR)]
    assert "!!python/object/apply:os.system" in problems[0].message
    with pytest.raises(DeckError):
        load_deck(path)
    assert not marker.exists()


def test_python_tag_on_the_whole_document(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    deck, problems = parse_deck(
        f'!!python/object/apply:os.system\nargs: ["touch {marker}"]\n', "x.yaml"
    )
    assert deck is None
    assert found(problems) == [
        (1, 1, "error", "unsupported YAML tag '!!python/object/apply:os.system'")
    ]
    assert not marker.exists()


def test_local_tags_are_refused() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          front: !custom F
          back: B
        """
    )
    assert deck is None
    assert found(problems) == [(5, 10, "error", "unsupported YAML tag '!custom'")]


# --- Files that are not decks ----------------------------------------------------------------


def test_invalid_yaml_reported_with_its_line() -> None:
    deck, problems = parse_cards(
        """\
        - id: q
          front: a: b
          back: B
        """
    )
    assert deck is None
    assert len(problems) == 1
    (problem,) = problems
    assert (problem.line, problem.column, problem.severity) == (5, 11, ERROR)
    assert problem.message.startswith("invalid YAML: ")


def test_invalid_yaml_unclosed_quote_reported_with_its_line() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: T
        description: "unterminated
        cards: []
        """
    )
    assert deck is None
    # The quote is closed where its line ends to read on: the rest of the file's problems follow.
    assert [(p.line, p.rule or p.check_rule) for p in problems] == [
        (3, "yaml-unclosed-quote"),
        (4, "no-cards"),
    ]
    assert problems[0].severity is ERROR
    assert problems[0].message.startswith("invalid YAML: ")


@pytest.mark.parametrize("quote", ['"', "'"])
def test_an_unclosed_quote_is_reported_where_it_opens(quote: str) -> None:
    # The example: PyYAML gives up at the end of the file, three lines further on.
    text = f"deck: d\ntitle: T\ncards:\n  - id: x\n    front: {quote}unclosed\n    back: y\n"
    text += "  - id: z\n"
    deck, problems = parse_deck(text, "bad.yaml")
    assert deck is None
    assert problems[0] == Problem(
        "bad.yaml",
        5,
        12,
        ERROR,
        f"invalid YAML: a string opened with {quote} on line 5 is never closed: it runs"
        f" to the end of the file (close it with {quote} where its value ends)",
    )
    assert problems[0].hint == f"add {quote} at the end of line 5"
    # Read on with the quote closed, card 'z' is found to have no front and no back.
    assert [(p.line, p.rule) for p in problems[1:]] == [(7, "missing-key"), (7, "missing-key")]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_text(text: str) -> None:
    assert parse_deck(text, "x.yaml") == (
        None,
        [Problem("x.yaml", 0, 0, ERROR, "the file is empty")],
    )


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    deck, problems = check_deck(path)
    assert deck is None
    assert found(problems) == [(0, 0, "error", "the file is empty")]
    assert problems[0].path == str(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"deck: d\ntitle: caf\xe9\ncards: []\n")
    deck, problems = check_deck(path)
    assert deck is None
    # "title: caf" is 10 bytes, so the bad byte is in column 11 of line 2.
    assert found(problems) == [(2, 11, "error", "file is not UTF-8 text (byte 0xe9)")]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + EVERY_TYPE.encode("utf-8"))
    deck, problems = check_deck(path)
    assert problems == []
    assert deck is not None
    assert deck.id == "all-types"
    assert len(deck.cards) == 10


def test_utf8_bom_does_not_shift_columns(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(
        b"\xef\xbb\xbfdeck: Bad Id\ntitle: T\ncards:\n- id: q\n  front: F\n  back: B\n"
    )
    deck, problems = check_deck(path)
    assert deck is None
    assert found(problems) == [
        (1, 7, "error", "deck id 'Bad Id' must be a slug like 'csto-basics'")
    ]


def test_directory_given_as_a_deck(tmp_path: Path) -> None:
    deck, problems = check_deck(tmp_path)
    assert deck is None
    assert problems == [Problem(str(tmp_path), 0, 0, ERROR, "is a directory, not a deck file")]


def test_missing_file(tmp_path: Path) -> None:
    deck, problems = check_deck(tmp_path / "nope.yaml")
    assert deck is None
    assert [(p.line, p.column, p.severity) for p in problems] == [(0, 0, ERROR)]
    assert problems[0].message.startswith("cannot read file")


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(EVERY_TYPE, encoding="utf-8")
    size = path.stat().st_size
    monkeypatch.setattr(files, "MAX_FILE_BYTES", size - 1)
    deck, problems = check_deck(path)
    assert deck is None
    assert [(p.line, p.column, p.severity) for p in problems] == [(0, 0, ERROR)]
    assert "decks are limited to" in problems[0].message
    # A file of exactly the limit is fine.
    monkeypatch.setattr(files, "MAX_FILE_BYTES", size)
    deck, problems = check_deck(path)
    assert problems == []
    assert deck is not None


# --- Every problem at once -------------------------------------------------------------------


def test_all_problems_reported_at_once_in_line_order() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: T
        cards:
        - id: a
          type: true_false
          statement: "S."
          answer: maybe
        - id: b
          front: F
          back: B
          tags: [Bad Tag]
        colour: red
        """
    )
    assert deck is None
    assert found(problems) == [
        (7, 11, "error", "card 'a': answer must be true or false, not 'maybe'"),
        (11, 10, "error", f"tag 'Bad Tag' {TAG_RULE}"),
        (12, 1, "error", "deck: unknown key 'colour'"),
    ]


def test_load_deck_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("deck: Bad Id\ntitle: T\ncards: []\n", encoding="utf-8")
    with pytest.raises(DeckError) as info:
        load_deck(path)
    assert found(info.value.problems) == [
        (1, 7, "error", "deck id 'Bad Id' must be a slug like 'csto-basics'"),
        (3, 8, "error", "cards: the deck has no cards"),
    ]
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)


# --- Warnings --------------------------------------------------------------------------------

NO_ID_CARD = """\
- front: "What is the CSTO?"
  back: "A military alliance"
"""


def test_missing_id_is_a_warning() -> None:
    deck, problems = parse_cards(NO_ID_CARD)
    assert deck is not None
    assert found(problems) == [
        (
            4,
            3,
            "warning",
            "card #1: card has no id; progress is keyed on a hash of its content, "
            "so any edit resets it",
        )
    ]
    assert problems[0].rule == "missing-id"
    (card,) = deck.cards
    assert vocabulary.SLUG.match(card.id)


def test_missing_id_is_stable() -> None:
    first, _ = parse_cards(NO_ID_CARD)
    again, _ = parse_cards(NO_ID_CARD)
    # The same card after another card, on other lines, keeps its id.
    moved, problems = parse_cards("- id: other\n  front: A\n  back: B\n" + NO_ID_CARD)
    edited, _ = parse_cards(NO_ID_CARD.replace("military alliance", "treaty organisation"))
    assert first is not None
    assert again is not None
    assert moved is not None
    assert edited is not None
    assert [p.rule for p in problems] == ["missing-id"]
    assert first.cards[0].id == again.cards[0].id == moved.cards[1].id
    assert edited.cards[0].id != first.cards[0].id


def test_unknown_source_is_a_warning() -> None:
    deck, problems = parse(
        """\
        deck: d
        title: T
        sources:
          weitz:
            title: W
        cards:
        - id: a
          front: F
          back: B
          source: wietz
        - id: b
          front: F
          back: B
          source: {ref: nobody, section: S}
        """
    )
    assert deck is not None
    assert found(problems) == [
        (
            10,
            11,
            "warning",
            "card 'a': source 'wietz' is not defined in sources (did you mean 'weitz'?)",
        ),
        (14, 17, "warning", "card 'b': source 'nobody' is not defined in sources"),
    ]
    assert [p.rule for p in problems] == ["unknown-source", "unknown-source"]
    assert deck.cards[0].source == SourceRef("wietz")
    assert deck.cards[1].source == SourceRef("nobody", "S")


def test_source_ref_without_ref() -> None:
    deck, problems = parse_cards(
        """\
        - id: a
          front: F
          back: B
          source: {section: S}
        """
    )
    assert deck is None
    assert found(problems) == [(7, 11, "error", "card 'a': source needs a 'ref'")]


# --- Problem formatting ----------------------------------------------------------------------


def test_problem_str_format() -> None:
    assert str(Problem("decks/a.yaml", 3, 5, ERROR, "something is wrong")) == (
        "decks/a.yaml:3:5: error: something is wrong"
    )
    assert str(Problem("a.yaml", 12, 1, WARNING, "look here")) == "a.yaml:12:1: warning: look here"


def test_problem_str_from_a_parse() -> None:
    _, problems = parse_cards("- id: Bad_Id\n  front: F\n  back: B\n")
    assert [str(p) for p in problems] == [
        "x.yaml:4:7: error: card 'Bad_Id': id must be a slug like 'first-deployment' [bad-slug]"
    ]
    _, problems = parse_cards(NO_ID_CARD)
    (warning,) = problems
    assert str(warning).startswith(f"x.yaml:4:3: warning: {warning.message}")


# --- Text cleaning ---------------------------------------------------------------------------


def test_terminal_escapes_are_removed() -> None:
    # YAML double-quoted escapes: \e is ESC, \a is BEL.
    card = card_of(
        r"""
        - id: q
          front: "\e[31mred\e[0m text"
          back: "copy\e]52;c;ZXZpbA==\a this"
          explanation: "bell\a ring \u202Eevil \e]0;title\e\\done"
        """
    )
    assert isinstance(card, Flashcard)
    assert card.front == "red text"
    assert card.back == "copy this"
    assert card.explanation == "bell ring evil done"


def test_raw_bidi_override_is_removed() -> None:
    card = card_of('- id: q\n  front: "abc\u202edef"\n  back: "x\u2066y\u2069"\n')
    assert isinstance(card, Flashcard)
    assert card.front == "abcdef"
    assert card.back == "xy"


def test_escapes_removed_from_every_kind_of_text() -> None:
    deck, problems = parse(
        r"""
        deck: d
        title: "\e[1mTitle"
        description: "\e[2JDesc\a"
        sources:
          w:
            title: "\e]52;c;eA==\aSource"
        cards:
        - id: c
          type: choice
          question: "\e[5mQ"
          choices: ["\e[31mMoscow", Astana]
          answer: Moscow
        - id: m
          type: match
          question: Q
          pairs:
            "\e[31mTokayev": "\u202EPresident"
            Pashinyan: "Prime \e[7mMinister"
        - id: o
          type: order
          question: Q
          items: ["\e[1mA", "B\a"]
        - id: z
          type: cloze
          text: "Article {{\e[31m4|four}} holds."
        """
    )
    assert problems == []
    assert deck is not None
    assert deck.title == "Title"
    assert deck.description == "Desc"
    assert deck.sources["w"].title == "Source"
    choice, match, order, cloze = deck.cards
    assert isinstance(choice, Choice)
    assert (choice.question, choice.choices, choice.answers) == (
        "Q",
        ("Moscow", "Astana"),
        ("Moscow",),
    )
    assert isinstance(match, Match)
    assert match.pairs == (("Tokayev", "President"), ("Pashinyan", "Prime Minister"))
    assert isinstance(order, Order)
    assert order.items == ("A", "B")
    assert isinstance(cloze, Cloze)
    assert cloze.gaps == (("4", "four"),)

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return strings(dataclasses.asdict(value))
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in strings(k) + strings(v)]
        if isinstance(value, list | tuple):
            return [s for v in value for s in strings(v)]
        return []

    for text in strings(deck):
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "\u202e" not in text


def test_text_that_is_only_escapes_is_empty() -> None:
    deck, problems = parse_cards('- id: q\n  front: "\\e[31m\\e[0m"\n  back: B\n')
    assert deck is None
    assert found(problems) == [(5, 10, "error", "card 'q': front must not be empty")]


def test_rich_markup_is_kept_literally() -> None:
    card = card_of(
        """\
        - id: q
          front: "[bold]x[/bold]"
          back: "[@click=app.quit]quit[/]"
        """
    )
    assert isinstance(card, Flashcard)
    assert card.front == "[bold]x[/bold]"
    assert card.back == "[@click=app.quit]quit[/]"


def test_newlines_and_tabs_are_kept() -> None:
    card = card_of('- id: q\n  front: "line one\\nline\\ttwo"\n  back: B\n')
    assert isinstance(card, Flashcard)
    assert card.front == "line one\nline\ttwo"


@pytest.mark.parametrize(
    "value",
    [
        "<<",
        "=",
        "",
        "~",
        "null",
        "yes",
        "Off",
        "1_000",
        "0x1F",
        "0o17",
        "-.inf",
        ".NaN",
        "1e3",
        "2001-12-14",
        "2001-12-14t21:59:43.10-05:00",
        "1:20",
        "=x",
        "<<<",
        "< <",
        "==",
        "'='",
    ],
)
def test_plain_scalars_are_refused_exactly_when_pyyaml_tags_them_unsafely(value: str) -> None:
    # The loader skips PyYAML's implicit resolver for scalars it reads as text; what it refuses
    # must still be what PyYAML's own resolver would tag outside the safe tags.
    import yaml

    tag = yaml.SafeLoader("").resolve(yaml.ScalarNode, value, (True, False))
    head = "deck: d\ntitle: T\ncards:\n  - id: a\n    front: x\n    back: x\n"
    text = f"{head}    explanation: {value}\n"
    _, problems = parse_deck(text, "d.yaml")
    refused = any(p.rule == "yaml-tag" for p in problems)
    assert refused == (tag not in yaml_safe.SAFE_TAGS)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("deck: [d\n", "yaml-unclosed-bracket"),
        ("deck: d\ntitle: 'T\n", "yaml-unclosed-quote"),
        ("deck: d\ntitle: T\n  x: 1\n", "yaml-indentation"),
        ("- a\n- b\n---\n- c\n", "yaml-syntax"),
        ("x:\n" + "  - " * 40 + "a\n", "yaml-syntax"),
        ("deck: &a d\ntitle: *a\ncards: []\n", "yaml-alias"),
        ("# nothing\n", "empty-file"),
    ],
)
def test_problems_of_reading_yaml_carry_the_rule_quiz_check_names_them_by(
    text: str, rule: str
) -> None:
    _, problems = parse_deck(text, "x.yaml")
    problem = next(p for p in problems if p.check_rule)
    # Loading shows them without a rule, as it always has; `quiz check` shows the one given.
    assert problem.rule is None and not str(problem).endswith("]")
    assert problem.check_rule == rule
    assert str(problem.named()) == f"{problem} [{rule}]"


def test_problems_of_reading_the_file_carry_their_rule(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"deck: caf\xe9\n")
    _, unreadable = check_deck(tmp_path / "missing.yaml")
    _, not_utf8 = check_deck(tmp_path / "latin1.yaml")
    assert [p.check_rule for p in unreadable + not_utf8] == ["unreadable-file", "not-utf8"]
    assert all(p.rule is None for p in unreadable + not_utf8)


def test_every_card_type_has_its_keys_and_a_reader_of_its_fields() -> None:
    from quiz.deck.card_fields import FIELD_READERS
    from quiz.deck.model import CARD_TYPES

    assert list(vocabulary.TYPE_KEYS) == list(CARD_TYPES)
    assert set(FIELD_READERS) == set(CARD_TYPES.values())
    for card_type, keys in vocabulary.CARD.items():
        assert keys.allowed == (*vocabulary.COMMON_KEYS, *vocabulary.TYPE_KEYS[card_type])
        assert set(keys.required) <= set(keys.allowed)

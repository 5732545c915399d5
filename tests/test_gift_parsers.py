"""GIFT export read by independent parsers: gift-pegjs (npm) and pygiftparser (PyPI)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from gift_parsers import parse_with_pegjs, parse_with_pygiftparser
from interchange_helpers import load

from quiz.deck.model import Card, Choice, Cloze, Deck, Match, Numeric, TrueFalse, Typed
from quiz.interchange.front_back import with_source
from quiz.interchange.gift import export_gift
from quiz.library import bundled_decks_dir

STRESS = Path(__file__).parent / "fixtures" / "gift-stress.yaml"
PEGJS_TYPES = {
    "choice": "MC",
    "true_false": "TF",
    "typed": "Short",
    "numeric": "Numerical",
    "match": "Matching",
    "cloze": "Short",
}


def _shown(text: str) -> str:
    """An [html] text as Moodle shows it: entities decoded, <br> a line break."""
    return unescape(text.replace("<br>", "\n"))


def _plain(text: str) -> str:
    # gift-pegjs writes an escaped character in a matched answer as "&&NNN;" (its own quirk);
    # Moodle reads "\#" as "#".
    return re.sub(r"&&(\d+);", lambda m: chr(int(m.group(1))), text).strip()


def _gift_cards(deck: Deck, notes: list[str]) -> list[tuple[str, Card]]:
    """(title, card) of each question the export writes, in order."""
    text, _ = export_gift(deck, notes)
    titles = re.findall(r"^::((?:[^:\\]|\\.)*)::", text, re.MULTILINE)
    by_id = {card.id: card for card in deck.cards}
    out = []
    for title in titles:
        card_id = title if title in by_id else title.rsplit("-", 1)[0]
        out.append((title, by_id[card_id]))
    return out


def _check_pegjs(question: dict[str, Any], title: str, card: Card, deck: Deck) -> None:
    assert question["title"] == title
    assert question["type"] == PEGJS_TYPES[card.type], (title, question["type"])
    assert question["stem"]["format"] == "html"
    feedback = question.get("globalFeedback")
    expected = with_source(deck, card) or None  # the source follows the explanation
    assert (_shown(feedback["text"]) if feedback else None) == expected, title
    stem = _shown(question["stem"]["text"])
    match card:
        case Choice():
            assert stem == card.question
            choices = question["choices"]
            assert [_shown(c["text"]["text"]) for c in choices] == list(card.choices)
            if card.multiple:
                weights = [c["weight"] for c in choices]
                right = [w for w, c in zip(weights, card.choices, strict=True) if c in card.answers]
                assert sum(right) == pytest.approx(100, abs=0.001), title
                assert all(w == -100 for w, c in zip(weights, card.choices, strict=True)
                           if c not in card.answers)  # fmt: skip
            else:
                marked = [_shown(c["text"]["text"]) for c in choices
                          if c["isCorrect"] or c["weight"] == 100]  # fmt: skip
                assert marked == list(card.answers)
        case TrueFalse():
            assert (stem, question["isTrue"]) == (card.statement, card.answer)
        case Typed():
            assert stem == card.question
            answers = [c["text"]["text"] for c in question["choices"]]
            assert answers == [a for a in (card.answer, *card.accept) if "->" not in a]
        case Numeric():
            unit = f" ({card.unit})" if card.unit else ""
            assert stem == card.question + unit
            value = question["choices"]
            assert value["number"] == pytest.approx(card.answer)
            assert value.get("range", 0) == pytest.approx(card.allowed_error())
        case Match():
            assert stem == card.question
            pairs = [(_shown(p["subquestion"]["text"]), _plain(p["subanswer"]))
                     for p in question["matchPairs"]]  # fmt: skip
            assert pairs == list(card.pairs)
        case Cloze():
            assert question["hasEmbeddedAnswers"]
            index = int(title.rsplit("-", 1)[1]) - 1 if len(card.gaps) > 1 else 0
            # gift-pegjs puts its blank in with spaces of its own around it.
            def blank(text: str) -> str:
                return re.sub(r"\s*_____\s*", "_____", text)

            assert blank(stem) == blank(card.with_gap(index, "_____"))
            answers = [c["text"]["text"] for c in question["choices"]]
            assert answers == [a for a in card.gaps[index] if "->" not in a]
        case _:
            raise AssertionError(card.type)


def _decks() -> list[Path]:
    return [STRESS, *sorted(bundled_decks_dir().glob("*.yaml"))]


def test_stress_deck_notes_say_what_changed() -> None:
    notes: list[str] = []
    _gift_cards(load(STRESS), notes)
    assert notes == [
        "many-right: its right answers weigh 10% or 5%, not all the same",
        "twelve-right: its right answers weigh 10% or 5%, not all the same",
        "left out of arrow-typed: an answer with '->' (Moodle reads a matching question)",
        "left out of gaps-3: an answer with '->' (Moodle reads a matching question)",
    ]


@pytest.mark.parametrize("path", _decks(), ids=lambda p: p.stem)
def test_gift_pegjs_reads_every_question_as_exported(path: Path) -> None:
    deck = load(path)
    text, _ = export_gift(deck)
    questions = parse_with_pegjs(text)
    expected = _gift_cards(deck, [])
    assert len(questions) == len(expected)
    for question, (title, card) in zip(questions, expected, strict=True):
        _check_pegjs(question, title, card, deck)


def _pygift_limit(card: Card) -> bool:
    match card:
        case Numeric():
            return card.answer < 0
        case Choice():
            return card.multiple and len(card.answers) == 6
        case _:
            return False


PYGIFT_KINDS = {
    "choice": ("SelectSet", "MultipleChoicesSet"),
    "true_false": ("TrueFalseSet",),
    "typed": ("ShortSet",),
    "numeric": ("NumericAnswerSet",),
    "match": ("MatchingSet",),
    "cloze": ("ShortSet",),
}


@pytest.mark.parametrize("path", _decks(), ids=lambda p: p.stem)
def test_pygiftparser_reads_every_question_as_exported(path: Path, tmp_path: Path) -> None:
    deck = load(path)
    text, _ = export_gift(deck)
    questions = parse_with_pygiftparser(text, tmp_path)
    expected = _gift_cards(deck, [])
    assert len(questions) == len(expected)
    for question, (title, card) in zip(questions, expected, strict=True):
        assert question.title == title
        if not question.valid:
            # pygiftparser's own limits, not Moodle's: its numbers have no sign, and it wants
            # weights summing to at most 100, where Moodle rounds (6 x 16.66667% is 100%).
            assert _pygift_limit(card), title
            continue
        assert type(question.answers).__name__ in PYGIFT_KINDS[card.type], title

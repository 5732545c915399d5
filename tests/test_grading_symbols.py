"""Typed answers where punctuation is the answer, or the difference between two answers."""

from __future__ import annotations

import pytest

from quiz.deck.model import Cloze, Item, Typed
from quiz.grading import Outcome, grade


def typed(answer: str, *accept: str) -> Item:
    return Item("symbols", Typed("card", question="?", answer=answer, accept=accept))


@pytest.mark.parametrize(
    ("answer", "response", "outcome"),
    [
        # Answers made only of punctuation: before, each was graded wrong even typed exactly.
        ("[/]", "[/]", Outcome.RIGHT),
        (":-)", ":-)", Outcome.RIGHT),
        (":-)", " : - ) ", Outcome.RIGHT),
        (":-)", ":-(", Outcome.WRONG),
        ("[/]", "", Outcome.WRONG),
        ("[/]", "slash", Outcome.WRONG),
        ("...", "...", Outcome.RIGHT),
        # Punctuation is the difference: before, "C" was accepted for both.
        ("C++", "C", Outcome.WRONG),
        ("C#", "C", Outcome.WRONG),
        ("C", "C++", Outcome.WRONG),
        ("C#", "C++", Outcome.WRONG),
        ("C++", "c++", Outcome.RIGHT),
        ("C#", " C# ", Outcome.RIGHT),
        ("AT&T", "ATT", Outcome.WRONG),
        ("AT&T", "at&t", Outcome.RIGHT),
        # Punctuation that only separates words is still ignored.
        ("EU", "E.U.", Outcome.RIGHT),
        ("Kassym-Jomart", "kassym jomart", Outcome.RIGHT),
        ("Roza Otunbayeva", "roza otunbayeva!", Outcome.RIGHT),
    ],
)
def test_punctuation_is_kept_where_it_is_the_answer(
    answer: str, response: str, outcome: Outcome
) -> None:
    assert grade(typed(answer), response).outcome is outcome


def test_an_accepted_alternative_of_punctuation_only() -> None:
    item = typed("smiley", ":-)", ":)")
    assert grade(item, ":)").outcome is Outcome.RIGHT
    assert grade(item, "Smiley!").outcome is Outcome.RIGHT
    assert grade(item, ":(").outcome is Outcome.WRONG


def test_a_cloze_gap_of_symbols() -> None:
    card = Cloze(
        "langs", text="{{C++}} and {{C#}}", segments=("", " and ", ""), gaps=(("C++",), ("C#",))
    )
    assert grade(Item("d", card, "c1"), "C++").outcome is Outcome.RIGHT
    assert grade(Item("d", card, "c1"), "C").outcome is Outcome.WRONG
    assert grade(Item("d", card, "c2"), "c#").outcome is Outcome.RIGHT

"""Marks for one exam answer, per card type, following Moodle's rules where Moodle has the type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

from quiz.deck.model import (
    Choice,
    Cloze,
    Flashcard,
    Item,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.grading import Outcome, Response, grade


def _strings(response: object) -> list[str]:
    if isinstance(response, list | tuple):
        return [r for r in response if isinstance(r, str)]
    return []


def select_all_score(card: Choice, picked: set[str]) -> float:
    """Moodle's partial credit: +1/k per right choice picked, -1/k per wrong, floored at 0."""
    right = set(card.answers)
    k = len(right)
    if not k:
        return 0.0
    hits = len(picked & right)
    misses = len(picked - right)
    return max(0.0, min(1.0, (hits - misses) / k))


def score(item: Item, response: Response | None) -> float:
    """The mark from 0 to 1 an answer earns; no answer (None) earns 0."""
    if response is None:
        return 0.0
    card = item.card
    match card:
        case Flashcard():
            raise TypeError("flashcards are rated by the learner and never asked in exams")
        case Choice():
            if card.multiple:
                return select_all_score(card, set(_strings(response)))
            # Single choice: all or nothing.
            return 1.0 if isinstance(response, str) and response in card.answers else 0.0
        case TrueFalse():
            return 1.0 if response is card.answer else 0.0
        case Cloze() | Typed() | Numeric():
            # The study grading, near misses included: a forgiven typo is right in both.
            return 1.0 if grade(item, response).outcome is Outcome.RIGHT else 0.0
        case Order():
            given = _strings(response)
            right = sum(1 for a, b in zip(given, card.items, strict=False) if a == b)
            return right / len(card.items) if card.items else 0.0
        case Match():
            chosen = response if isinstance(response, Mapping) else {}
            right = sum(1 for left, answer in card.pairs if chosen.get(left) == answer)
            return right / len(card.pairs) if card.pairs else 0.0
        case _:
            assert_never(card)

"""Any card as a front and a back, for formats that only have flashcards."""

from __future__ import annotations

import random
from typing import assert_never

from quiz.deck.model import (
    Card,
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)


def number(value: float) -> str:
    """A number written briefly: 2500, not 2500.0."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.12g}"  # 12 digits hide float noise such as 88.49000000000001


def numeric_answer(card: Numeric) -> str:
    """A numeric card's answer with its unit and tolerance, as a person would write it."""
    text = card.answer_text + (f" {card.unit}" if card.unit else "")
    if card.tolerance:
        spread = (
            f"{number(card.tolerance)}%" if card.tolerance_is_percent else number(card.tolerance)
        )
        text += f" (± {spread})"
    return text


def front_back(card: Card) -> tuple[str, str]:
    """The card's question and its answer as plain text."""
    match card:
        case Flashcard():
            return card.front, card.back
        case Choice():
            choices = "\n".join(f"- {c}" for c in shuffled_choices(card))
            return f"{card.question}\n{choices}", "\n".join(card.answers)
        case TrueFalse():
            return f"{card.statement}\n(true or false?)", "true" if card.answer else "false"
        case Cloze():
            return _all_blank(card), "\n".join(answers[0] for answers in card.gaps)
        case Typed():
            also = f"\n(also accepted: {', '.join(card.accept)})" if card.accept else ""
            return card.question, card.answer + also
        case Numeric():
            return card.question, numeric_answer(card)
        case Order():
            # Sorted, so the front does not give the order away.
            items = "\n".join(f"- {item}" for item in sorted(card.items, key=str.casefold))
            return f"{card.question}\n{items}", "\n".join(
                f"{i}. {item}" for i, item in enumerate(card.items, start=1)
            )
        case Match():
            lefts = "\n".join(f"- {left}" for left, _ in card.pairs)
            return f"{card.question}\n{lefts}", "\n".join(
                f"{left}: {right}" for left, right in card.pairs
            )
        case _:
            assert_never(card)


def source_text(deck: Deck, card: Card) -> str:
    """The source a card cites, as one line for formats without sources: '' when none."""
    if card.source is None:
        return ""
    source = deck.source_for(card)
    parts = [source.citation() if source else card.source.ref]
    if source and source.date:
        parts[0] += f" ({source.date})"
    if card.source.section:
        parts.append(card.source.section)
    if source and source.url:
        parts.append(source.url)
    return ", ".join(parts)


def with_source(deck: Deck, card: Card) -> str:
    """The card's explanation with its source after it, for formats with one feedback text."""
    source = source_text(deck, card)
    explanation = card.explanation or ""
    if not source:
        return explanation
    return f"{explanation}\n\nSource: {source}" if explanation else f"Source: {source}"


def shuffled_choices(card: Choice) -> list[str]:
    """The choices in an order of their own, the same at every export (seeded by the card id)."""
    # Decks often list the right answers first; a front listing them so gives them away.
    choices = list(card.choices)
    random.Random(f"quiz:{card.id}").shuffle(choices)
    return choices


def has_reverse(card: Card) -> bool:
    """True for a card studied both ways round (a flashcard with `reverse`)."""
    match card:
        case Flashcard():
            return card.reverse
        case Choice() | TrueFalse() | Cloze() | Typed() | Numeric() | Order() | Match():
            return False
        case _:
            assert_never(card)


def _all_blank(card: Cloze) -> str:
    out = [card.segments[0]]
    for segment in card.segments[1:]:
        out.extend(("[...]", segment))
    return "".join(out)

"""Moodle GIFT: the card types GIFT has, with the explanation as general feedback."""

from __future__ import annotations

import re
from collections import Counter
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
from quiz.interchange.front_back import number

# GIFT's special characters, and the backslash that escapes them.
_SPECIAL = re.compile(r"([\\~=#{}:])")
# Moodle accepts only these weights (in percent) for an answer.
_WEIGHTS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
            16.66667, 14.28571, 12.5, 11.11111, 10, 5)  # fmt: skip


def escape(text: str) -> str:
    """Text with GIFT's special characters escaped; a newline as GIFT's \\n."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r\n", "\n").replace("\n", r"\n")


def _weight(count: int) -> str:
    """The weight of one of `count` right answers, as the nearest weight Moodle allows."""
    share = min(_WEIGHTS, key=lambda w: abs(w - 100 / count))
    return f"{share:.5f}".rstrip("0").rstrip(".")


def _feedback(card: Card) -> str:
    return f"####{escape(card.explanation)}" if card.explanation else ""


def _block(answers: list[str], card: Card) -> str:
    lines = [*answers, _feedback(card)]
    return "{\n" + "".join(f"{line}\n" for line in lines if line) + "}"


def _inline(answer: str, card: Card) -> str:
    feedback = _feedback(card)
    return "{" + answer + (f" {feedback}" if feedback else "") + "}"


def _questions(card: Card) -> list[tuple[str, str]]:
    """(title, question) pairs in GIFT for a card; none for types GIFT does not have."""
    title = card.id
    match card:
        case Choice(multiple=False):
            answers = [("=" if c in card.answers else "~") + escape(c) for c in card.choices]
            return [(title, f"{escape(card.question)} {_block(answers, card)}")]
        case Choice():
            right = _weight(len(card.answers))
            answers = [
                (f"~%{right}%" if c in card.answers else "~%-100%") + escape(c)
                for c in card.choices
            ]
            return [(title, f"{escape(card.question)} {_block(answers, card)}")]
        case TrueFalse():
            answer = _inline("T" if card.answer else "F", card)
            return [(title, f"{escape(card.statement)} {answer}")]
        case Typed():
            answers = [f"={escape(a)}" for a in dict.fromkeys((card.answer, *card.accept))]
            return [(title, f"{escape(card.question)} {_block(answers, card)}")]
        case Numeric():
            spread = card.allowed_error()
            answer = f"#{number(card.answer)}" + (f":{number(spread)}" if spread else "")
            unit = f" ({escape(card.unit)})" if card.unit else ""
            return [(title, f"{escape(card.question)}{unit} {_inline(answer, card)}")]
        case Match():
            answers = [f"={escape(left)} -> {escape(right)}" for left, right in card.pairs]
            return [(title, f"{escape(card.question)} {_block(answers, card)}")]
        case Cloze():
            return _cloze_questions(card)
        case Flashcard() | Order():
            return []
        case _:
            assert_never(card)


def _cloze_questions(card: Cloze) -> list[tuple[str, str]]:
    # GIFT's missing-word question has one gap: one question per gap, the others filled in.
    out = []
    for index, gap_answers in enumerate(card.gaps):
        before = (
            "".join(card.segments[i] + card.gaps[i][0] for i in range(index)) + card.segments[index]
        )
        after = card.segments[index + 1] + "".join(
            card.gaps[i][0] + card.segments[i + 1] for i in range(index + 1, len(card.gaps))
        )
        gap = " ".join(f"={escape(a)}" for a in gap_answers)
        feedback = f" {_feedback(card)}" if card.explanation else ""
        question = f"{escape(before)}{{{gap}{feedback}}}{escape(after)}"
        out.append((f"{card.id}-{index + 1}" if len(card.gaps) > 1 else card.id, question))
    return out


def export_gift(deck: Deck) -> tuple[str, Counter[str]]:
    """The deck in GIFT, and how many cards of each type GIFT had no question type for."""
    skipped: Counter[str] = Counter()
    blocks = []
    for card in deck.cards:
        questions = _questions(card)
        if not questions:
            skipped[card.type] += 1
        tags = list(dict.fromkeys((*card.tags, *deck.tags)))
        comment = "// " + " ".join(f"[tag:{t}]" for t in tags) + "\n" if tags else ""
        for title, question in questions:
            blocks.append(f"{comment}::{escape(title)}::{question}\n")
    header = (
        f"// {deck.title.replace(chr(10), ' ')}\n"
        f"// Exported from the quiz deck '{deck.id}' by `quiz export`.\n"
        f"$CATEGORY: {deck.id}\n"
    )
    return header + "\n" + "\n".join(blocks), skipped

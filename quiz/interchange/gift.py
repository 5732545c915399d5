"""Moodle GIFT: the card types GIFT has, with the explanation as general feedback."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
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
from quiz.interchange.front_back import number, with_source

# GIFT's special characters, and the backslash that escapes them.
_SPECIAL = re.compile(r"([\\~=#{}:])")
# Moodle accepts only these weights (in percent) for an answer.
_WEIGHTS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
            16.66667, 14.28571, 12.5, 11.11111, 10, 5)  # fmt: skip
# Every question's text is marked HTML and written escaped: quiz text is plain, so '<b>' must
# show as typed, and an entity is the one way to write '->' where Moodle would split at it.
FORMAT = "[html]"


def escape(text: str) -> str:
    """Text with GIFT's special characters escaped; a newline as GIFT's \\n."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r\n", "\n").replace("\n", r"\n")


def escape_html(text: str) -> str:
    """Plain text as a GIFT [html] text: markup escaped, line breaks as <br>."""
    marked = html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")
    return escape(marked)  # '>' is '&gt;' now, so no '->' is left for Moodle to split at


def _weighted(mark: str, weight: str | None, text: str) -> str:
    """An answer with its mark; one that starts with '%' gets its weight spelled out."""
    # Moodle reads a leading %n% as the weight and there is no escape for '%': with a weight
    # written first, the rest is the answer.
    if weight is None and text.startswith("%"):
        weight = "100" if mark == "=" else "0"
    return mark + (f"%{weight}%" if weight is not None else "") + text


def select_all_weights(count: int) -> list[str] | None:
    """Weights Moodle allows for `count` right answers, summing to 100%; None past 20."""
    if count <= 10:
        share = min(_WEIGHTS, key=lambda w: abs(w - 100 / count))
        return [f"{share:.5f}".rstrip("0").rstrip(".")] * count
    if count <= 20:
        # 10% and 5% are the only allowed weights that can make 100 with 11 to 20 answers.
        tens = 20 - count
        return ["10"] * tens + ["5"] * (count - tens)
    return None


def _feedback(card: Card) -> str:
    return f"####{escape_html(card.explanation)}" if card.explanation else ""


def _block(answers: list[str], card: Card) -> str:
    lines = [*answers, _feedback(card)]
    return "{\n" + "".join(f"{line}\n" for line in lines if line) + "}"


def _inline(answer: str, card: Card) -> str:
    feedback = _feedback(card)
    return "{" + answer + (f" {feedback}" if feedback else "") + "}"


def _typed_answers(answers: Iterable[str], what: str, notes: list[str]) -> list[str]:
    """Short answers GIFT can carry: one with '->' would make Moodle read a matching question."""
    kept = [a for a in dict.fromkeys(answers) if "->" not in a]
    if len(kept) < len(dict.fromkeys(answers)):
        notes.append(f"left out of {what}: an answer with '->' (Moodle reads a matching question)")
    return kept


def _questions(card: Card, notes: list[str]) -> list[tuple[str, str]]:
    """(title, question) pairs in GIFT for a card; none for types GIFT does not have."""
    title = card.id
    match card:
        case Choice(multiple=False):
            answers = [
                _weighted("=" if c in card.answers else "~", None, escape_html(c))
                for c in card.choices
            ]
            return [(title, f"{escape_html(card.question)} {_block(answers, card)}")]
        case Choice():
            weights = select_all_weights(len(card.answers))
            if weights is None:
                notes.append(f"left out {card.id}: more than 20 right answers add up past 100%")
                return []
            if len(set(weights)) > 1:
                notes.append(f"{card.id}: its right answers weigh 10% or 5%, not all the same")
            shares = iter(weights)
            answers = [
                _weighted("~", next(shares) if c in card.answers else "-100", escape_html(c))
                for c in card.choices
            ]
            return [(title, f"{escape_html(card.question)} {_block(answers, card)}")]
        case TrueFalse():
            answer = _inline("T" if card.answer else "F", card)
            return [(title, f"{escape_html(card.statement)} {answer}")]
        case Typed():
            kept = _typed_answers((card.answer, *card.accept), card.id, notes)
            if not kept:
                return []
            answers = [_weighted("=", None, escape(a)) for a in kept]
            return [(title, f"{escape_html(card.question)} {_block(answers, card)}")]
        case Numeric():
            spread = card.allowed_error()
            # Moodle cannot read {#0}: an answer of 0 needs its tolerance written.
            tolerance = f":{number(spread)}" if spread or card.answer == 0 else ""
            answer = f"#{number(card.answer)}{tolerance}"
            unit = f" ({escape_html(card.unit)})" if card.unit else ""
            return [(title, f"{escape_html(card.question)}{unit} {_inline(answer, card)}")]
        case Match():
            if len(card.pairs) < 3:
                notes.append(f"left out {card.id}: Moodle needs three pairs in a matching question")
                return []
            answers = [f"={escape_html(left)} -> {escape(right)}" for left, right in card.pairs]
            return [(title, f"{escape_html(card.question)} {_block(answers, card)}")]
        case Cloze():
            return _cloze_questions(card, notes)
        case Flashcard() | Order():
            return []
        case _:
            assert_never(card)


def _cloze_questions(card: Cloze, notes: list[str]) -> list[tuple[str, str]]:
    # GIFT's missing-word question has one gap: one question per gap, the others filled in.
    out = []
    for index, gap_answers in enumerate(card.gaps):
        before = (
            "".join(card.segments[i] + card.gaps[i][0] for i in range(index)) + card.segments[index]
        )
        after = card.segments[index + 1] + "".join(
            card.gaps[i][0] + card.segments[i + 1] for i in range(index + 1, len(card.gaps))
        )
        title = f"{card.id}-{index + 1}" if len(card.gaps) > 1 else card.id
        kept = _typed_answers(gap_answers, title, notes)
        if not kept:
            continue
        gap = " ".join(_weighted("=", None, escape(a)) for a in kept)
        feedback = f" {_feedback(card)}" if card.explanation else ""  # with its source
        question = f"{escape_html(before)}{{{gap}{feedback}}}{escape_html(after)}"
        out.append((title, question))
    return out


def export_gift(deck: Deck, notes: list[str] | None = None) -> tuple[str, Counter[str]]:
    """The deck in GIFT, and how many cards of each type GIFT had no question type for."""
    # `notes` collects what was changed or left out of cards GIFT has a type for.
    notes = [] if notes is None else notes
    skipped: Counter[str] = Counter()
    blocks = []
    for card in deck.cards:
        before = len(notes)
        # GIFT has one feedback text: the source goes after the explanation.
        questions = _questions(replace(card, explanation=with_source(deck, card) or None), notes)
        if not questions and len(notes) == before:
            skipped[card.type] += 1
        tags = list(dict.fromkeys((*card.tags, *deck.tags)))
        comment = "// " + " ".join(f"[tag:{t}]" for t in tags) + "\n" if tags else ""
        for title, question in questions:
            blocks.append(f"{comment}::{escape(title)}::{FORMAT}{question}\n")
    header = (
        f"// {deck.title.replace(chr(10), ' ')}\n"
        f"// Exported from the quiz deck '{deck.id}' by `quiz export`.\n"
        f"$CATEGORY: {deck.id}\n"
    )
    return header + "\n" + "\n".join(blocks), skipped

"""Each card type's own fields, read from a card's YAML entries: one function per type."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from yaml.nodes import SequenceNode

from quiz.deck import cloze as cloze_text
from quiz.deck.limits import ACCEPTED, CHOICES, GAPS, ITEMS, PAIRS, TEXT
from quiz.deck.model import (
    Card,
    Choice,
    Cloze,
    Flashcard,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.deck.reader import Entries, Reader, optional, suggestion
from quiz.deck.text import clean_text

Fields = dict[str, Any]
# Reads a type's own fields (the caller has checked that its required keys are there), or
# None when they cannot be read; every problem goes to the reader.
FieldReader = Callable[[Reader, Entries, str], Fields | None]


def flashcard(r: Reader, e: Entries, name: str) -> Fields | None:
    front = r.text(e["front"][1], f"{name}: front")
    back = r.text(e["back"][1], f"{name}: back")
    reverse = optional(e, "reverse", r.boolean, f"{name}: reverse") or False
    return {"front": front, "back": back, "reverse": reverse}


def choice(r: Reader, e: Entries, name: str) -> Fields | None:
    question = r.text(e["question"][1], f"{name}: question")
    if not r.within(e["choices"][1], CHOICES, name):
        return None
    choices = r.text_list(e["choices"][1], f"{name}: choices", minimum=2)
    texts = [c for c, _ in choices]
    seen: set[str] = set()
    for text, choice_node in choices:
        if text in seen:
            r.error(choice_node, f"{name}: choice '{text}' appears twice", "duplicate-choice")
        seen.add(text)
    answer_node = e["answer"][1]
    multiple = isinstance(answer_node, SequenceNode)
    if multiple and not r.within(answer_node, CHOICES, f"{name}: answer"):
        return None
    if multiple:
        answers = r.text_list(answer_node, f"{name}: answer", minimum=1)
    else:
        single = r.text(answer_node, f"{name}: answer")
        answers = [(single, answer_node)] if single is not None else []
    for text, node in answers:
        if text not in seen:
            hint = suggestion(text, texts)
            r.error(
                node,
                f"{name}: answer '{text}' is not one of the choices{hint}",
                "answer-not-a-choice",
            )
    shuffle = optional(e, "shuffle", r.boolean, f"{name}: shuffle")
    return {
        "question": question,
        "choices": tuple(texts),
        "answers": tuple(dict.fromkeys(a for a, _ in answers)),
        "multiple": multiple,
        "shuffle": True if shuffle is None else shuffle,
    }


def true_false(r: Reader, e: Entries, name: str) -> Fields | None:
    statement = r.text(e["statement"][1], f"{name}: statement")
    answer = r.boolean(e["answer"][1], f"{name}: answer")
    return {"statement": statement, "answer": answer}


def cloze(r: Reader, e: Entries, name: str) -> Fields | None:
    node = e["text"][1]
    text = r.text(node, f"{name}: text")
    if text is None:
        return None
    if cloze_text.gap_count(text) > GAPS.most:
        # Counted before splitting: every gap becomes a study item, a row and a rendering.
        r.error(node, GAPS.message(name, cloze_text.gap_count(text)), GAPS.rule)
        return None
    segments, raw_gaps = cloze_text.split(text)
    if not raw_gaps:
        r.error(node, f"{name}: text has no gaps; write them as {{{{answer}}}}", "cloze-no-gap")
    gaps, written, hints = [], [], []
    for raw in raw_gaps:
        gap = cloze_text.parse_gap(raw)
        if gap.problem is not None:
            r.error(node, f"{name}: gap '{{{{{raw}}}}}' {gap.problem}", gap.rule)
        elif len(gap.answers) > ACCEPTED.most:
            r.error(node, ACCEPTED.message(f"{name}: a gap", len(gap.answers)), ACCEPTED.rule)
        gaps.append(gap.answers)
        written.append(gap.number)
        hints.append(gap.hint)
    numbers, duplicates = cloze_text.resolve_numbers(written)
    for index, number in duplicates:
        unnumbered = (
            "" if written[index] is not None else f" (gap {index + 1} is c{number} by its place)"
        )
        r.error(
            node,
            f"{name}: two gaps are numbered c{number}{unnumbered}",
            "cloze-duplicate-number",
            hint=f"give one of them a number of its own: c{cloze_text.next_free(numbers)} is free",
        )
    stray = _stray_brace(segments)
    if stray is not None:
        needle, occurrence = stray
        message = f"{name}: text has an unclosed '{{{{' or a stray '}}}}'"
        r.error_inside(node, needle, occurrence, message, "cloze-syntax")
    any_number = any(n is not None for n in written)
    return {
        "text": text,
        "segments": tuple(segments),
        "gaps": tuple(gaps),
        "numbers": tuple(numbers) if any_number else (),
        "hints": tuple(hints) if any(h is not None for h in hints) else (),
    }


def _stray_brace(segments: list[str]) -> tuple[str, int] | None:
    """The first '{{' or '}}' outside a gap, and how many of it come before it in the text."""
    # Every gap holds one '{{' and one '}}': those before the stray one count among its kind.
    for index, segment in enumerate(segments):
        opening, closing = segment.find("{{"), segment.find("}}")
        if opening < 0 and closing < 0:
            continue
        needle = "{{" if closing < 0 or 0 <= opening < closing else "}}"
        within = segment[: segment.find(needle)].count(needle)
        before = sum(s.count(needle) for s in segments[:index])
        return needle, index + before + within
    return None


def typed(r: Reader, e: Entries, name: str) -> Fields | None:
    question = r.text(e["question"][1], f"{name}: question")
    answer = r.text(e["answer"][1], f"{name}: answer")
    if "accept" in e and not r.within(e["accept"][1], ACCEPTED, name):
        return None
    accept = r.text_list(e["accept"][1], f"{name}: accept") if "accept" in e else []
    return {"question": question, "answer": answer, "accept": tuple(a for a, _ in accept)}


def numeric(r: Reader, e: Entries, name: str) -> Fields | None:
    question = r.text(e["question"][1], f"{name}: question")
    answer_text = r.text(e["answer"][1], f"{name}: answer", "a number", "not-a-number")
    answer = None
    if answer_text is not None:
        try:
            answer = float(answer_text.replace("_", ""))
        except ValueError:
            answer = None
        if answer is None or not math.isfinite(answer):
            r.error(
                e["answer"][1],
                f"{name}: answer must be a number, not '{answer_text}'",
                "not-a-number",
            )
    tolerance, percent = 0.0, False
    if "tolerance" in e:
        tol_node = e["tolerance"][1]
        raw = r.text(tol_node, f"{name}: tolerance", "a number or a percentage", "not-a-number")
        if raw is not None:
            percent = raw.endswith("%")
            try:
                tolerance = float(raw.rstrip("%").strip())
            except ValueError:
                r.error(
                    tol_node,
                    f"{name}: tolerance must be a number or a percentage like '5%', not '{raw}'",
                    "not-a-number",
                )
            if tolerance < 0 or not math.isfinite(tolerance):
                r.error(tol_node, f"{name}: tolerance must be 0 or more", "out-of-range")
    unit = optional(e, "unit", r.text, f"{name}: unit")
    return {
        "question": question,
        "answer": answer,
        "answer_text": answer_text,
        "tolerance": tolerance,
        "tolerance_is_percent": percent,
        "unit": unit,
    }


def order(r: Reader, e: Entries, name: str) -> Fields | None:
    question = r.text(e["question"][1], f"{name}: question")
    if not r.within(e["items"][1], ITEMS, name):
        return None
    items = r.text_list(e["items"][1], f"{name}: items", minimum=2)
    texts = [t for t, _ in items]
    seen: set[str] = set()
    for text, node in items:
        if text in seen:
            r.error(node, f"{name}: item '{text}' appears twice", "duplicate-item")
        seen.add(text)
    return {"question": question, "items": tuple(texts)}


def match(r: Reader, e: Entries, name: str) -> Fields | None:
    question = r.text(e["question"][1], f"{name}: question")
    pairs_node = e["pairs"][1]
    if not r.within(pairs_node, PAIRS, name):
        return None
    entries = r.mapping(pairs_node, f"{name}: pairs")
    if entries is None:
        return None
    if len(entries) < 2:
        r.error(
            pairs_node,
            f"{name}: pairs needs at least 2 entries, found {len(entries)}",
            "too-few-entries",
        )
    pairs: list[tuple[str, str]] = []
    rights: set[str] = set()
    for left, (key_node, value_node) in entries.items():
        if len(left) > TEXT.most:
            r.error(key_node, TEXT.message(f"{name}: pair", len(left)), TEXT.rule)
            continue
        left_text = clean_text(left).strip()
        right = r.text(value_node, f"{name}: pair '{left_text}'")
        if right is None:
            continue
        if right in rights:
            r.error(value_node, f"{name}: '{right}' is the match of two items", "duplicate-item")
        pairs.append((left_text, right))
        rights.add(right)
    return {"question": question, "pairs": tuple(pairs)}


# Keyed by class, as in `model.CARD_TYPES`; a test checks that every card class has one.
FIELD_READERS: dict[type[Card], FieldReader] = {
    Flashcard: flashcard,
    Choice: choice,
    TrueFalse: true_false,
    Cloze: cloze,
    Typed: typed,
    Numeric: numeric,
    Order: order,
    Match: match,
}

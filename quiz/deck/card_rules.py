"""Lint rules on one deck's cards: what the format allows but is likely a mistake."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import assert_never

from yaml.nodes import Node, ScalarNode, SequenceNode

from quiz.deck.layout import Layout, at, value
from quiz.deck.leaks import find_leaks
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
from quiz.deck.phrases import contains_words
from quiz.deck.problems import Problem, Severity
from quiz.deck.reader import closest
from quiz.deck.rules import RULES

MIN_DISTRACTORS = 3
_WORD = re.compile(r"\w+")
MIN_ITEMS = 3


def card_name(card: Card, layout: Layout | None = None) -> str:
    """How a problem names its card: by its id, or by its place when it was written without."""
    return layout.name(card) if layout is not None else f"card '{card.id}'"


def words(text: str) -> str:
    """Text folded for comparing: case, accents, spacing and punctuation ignored."""
    text = text.casefold()
    # ASCII text has no accents to take off: most questions skip the character walk.
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_WORD.findall(text))


def prompt_key(card: Card) -> str:
    """The key of the text that asks a card's question."""
    match card:
        case Flashcard():
            return "front"
        case TrueFalse():
            return "statement"
        case Cloze():
            return "text"
        case Choice() | Typed() | Numeric() | Order() | Match():
            return "question"
        case _:
            assert_never(card)


def _missing_parts(path: str, card: Card, layout: Layout) -> Iterator[Problem]:
    if card.explanation and card.source is not None:
        return
    node = layout.card(card)
    name = card_name(card, layout)
    if not card.explanation:
        yield at(path, node, card, "missing-explanation", f"{name}: no explanation")
    if card.source is None:
        yield at(path, node, card, "missing-source", f"{name}: cites no source")


def _choice_rules(path: str, card: Choice, layout: Layout) -> Iterator[Problem]:
    choices_node = layout.field(card, "choices")
    wrong = [c for c in card.choices if c not in card.answers]
    # Guessing one answer of four is 1 in 4; guessing which of four choices apply is 1 in 16
    # (2^4), so select-all-that-apply needs four choices in all, of which one or more wrong.
    if card.multiple and (len(card.choices) < MIN_DISTRACTORS + 1 or not wrong):
        message = (
            f"{len(card.choices)} choices, {len(wrong)} wrong; select-all-that-apply needs "
            f"at least {MIN_DISTRACTORS + 1} choices with one or more wrong"
        )
    elif not card.multiple and len(wrong) < MIN_DISTRACTORS:
        message = f"{len(wrong)} wrong choice(s); at least {MIN_DISTRACTORS} make guessing unlikely"
    else:
        message = ""
    if message:
        yield at(
            path, choices_node, card, "few-distractors", f"{card_name(card, layout)}: {message}"
        )
    seen: dict[str, str] = {}
    for index, choice in enumerate(card.choices):
        key = words(choice)
        if key in seen:
            node = (
                choices_node.value[index]
                if isinstance(choices_node, SequenceNode) and index < len(choices_node.value)
                else choices_node
            )
            yield at(
                path,
                node,
                card,
                "similar-choices",
                f"{card_name(card, layout)}: choice '{choice}' differs from '{seen[key]}' "
                "only in case, spacing or punctuation",
            )
        else:
            seen[key] = choice


def _answers_in_question(card: Card) -> Iterator[tuple[str, str, str]]:
    """(key of the shown text, answer, how to say it) for answers shown in their own question."""
    match card:
        case Flashcard():
            if contains_words(card.front, card.back):
                yield "front", card.back, f"the back '{card.back}' appears in the front"
            if card.reverse and contains_words(card.back, card.front):
                yield "back", card.front, f"the front '{card.front}' appears in the back (reversed)"
        case Typed():
            for answer in (card.answer, *card.accept):
                if contains_words(card.question, answer):
                    yield "question", answer, f"the answer '{answer}' appears in the question"
                    break
        case Numeric():
            if contains_words(card.question, card.answer_text):
                shown = card.answer_text
                yield "question", shown, f"the answer '{shown}' appears in the question"
        case Choice():
            # A question that lists its choices shows the wrong ones too: that gives nothing away.
            listed = [c for c in card.choices if contains_words(card.question, c)]
            if listed and all(c in card.answers for c in listed):
                yield "question", listed[0], f"the answer '{listed[0]}' appears in the question"
        case Cloze():
            for index, answers in enumerate(card.gaps):
                visible = card.with_gap(index, blank=" ")
                hint = card.hint(index)
                for answer in answers:
                    if contains_words(visible, answer):
                        message = (
                            f"gap {index + 1}'s answer '{answer}' is shown in the rest of the text"
                        )
                        yield "text", answer, message
                        break
                    if hint and contains_words(hint, answer):
                        message = f"gap {index + 1}'s hint '{hint}' gives its answer '{answer}'"
                        yield "text", answer, message
                        break
        case TrueFalse() | Order() | Match():
            # Their answers are not text that a question could give away.
            pass
        case _:
            assert_never(card)


def _answer_rules(path: str, card: Card, layout: Layout) -> Iterator[Problem]:
    for key, _, message in _answers_in_question(card):
        node = layout.field(card, key)
        yield at(path, node, card, "answer-in-question", f"{card_name(card, layout)}: {message}")


def _item_rules(path: str, card: Card, layout: Layout) -> Iterator[Problem]:
    match card:
        case Order():
            count, key = len(card.items), "items"
        case Match():
            count, key = len(card.pairs), "pairs"
        case Flashcard() | Choice() | TrueFalse() | Cloze() | Typed() | Numeric():
            return
        case _:
            assert_never(card)
    if count >= MIN_ITEMS:
        return
    yield at(
        path,
        layout.field(card, key),
        card,
        "few-items",
        f"{card_name(card, layout)}: {count} {key}; "
        f"at least {MIN_ITEMS} make it more than a coin toss",
    )


def _type_rules(path: str, card: Card, layout: Layout) -> Iterator[Problem]:
    match card:
        case Choice():
            yield from _choice_rules(path, card, layout)
        case Flashcard() | TrueFalse() | Cloze() | Typed() | Numeric() | Order() | Match():
            pass
        case _:
            assert_never(card)


def unknown_rules(path: str, lint_node: Node | None) -> Iterator[Problem]:
    """A warning at each name in a `lint: {ignore: [...]}` mapping that is no rule."""
    ignore = value(lint_node, "ignore")
    for entry in ignore.value if isinstance(ignore, SequenceNode) else []:
        name = entry.value.strip() if isinstance(entry, ScalarNode) else ""
        if name and name not in RULES:
            mark = entry.start_mark
            yield unknown_rule(path, mark.line + 1, mark.column + 1, name)


def unknown_rule(path: str, line: int, column: int, name: str) -> Problem:
    """The warning that a rule name to ignore does not exist."""
    close = closest(name, list(RULES))
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return Problem(
        path,
        line,
        column,
        Severity.WARNING,
        f"unknown rule '{name}' to ignore{hint}",
        "unknown-rule",
    )


def deck_rules(deck: Deck, layout: Layout, path: str) -> list[Problem]:
    """The problems of a loaded deck's own rules, deck first, then card by card."""
    problems: list[Problem] = []
    problems.extend(unknown_rules(path, value(layout.root, "lint")))
    for card in deck.cards:
        problems.extend(_missing_parts(path, card, layout))
        problems.extend(_type_rules(path, card, layout))
        problems.extend(_answer_rules(path, card, layout))
        problems.extend(_item_rules(path, card, layout))
        problems.extend(unknown_rules(path, layout.field(card, "lint")))
    problems.extend(_answer_leaks(path, deck, layout))
    return problems


def _answer_leaks(path: str, deck: Deck, layout: Layout) -> Iterator[Problem]:
    cards = deck.cards
    severity = RULES["answer-leak"].severity
    # A card may give many answers away, and one answer be given away by many cards: each
    # text's place and name, and each card named as the other, are made once, not once per
    # warning (the synthetic 100,000-card deck gives half a million warnings). A message is
    # the text's part, then the answer, then the other card's part.
    befores: dict[tuple[int, bool], tuple[str, int, int]] = {}
    afters: dict[int, str] = {}
    for leak in find_leaks(cards):
        at_card, in_prompt = leak.at, leak.in_prompt
        before = befores.get((at_card, in_prompt))
        if before is None:
            card = cards[at_card]
            node = layout.field(card, prompt_key(card) if in_prompt else "explanation")
            # Where `at` puts a problem: at the text's value, else at the card's first line.
            line, column = (
                (node.start_mark.line + 1, node.start_mark.column + 1)
                if node is not None
                else (card.line, 1)
            )
            where = "question" if in_prompt else "explanation"
            before = f"{card_name(card, layout)}: its {where} shows '", line, column
            befores[at_card, in_prompt] = before
        after = afters.get(leak.of)
        if after is None:
            other = cards[leak.of]
            after = afters[leak.of] = (
                f"', the answer of {card_name(other, layout)} (line {other.line})"
            )
        message = before[0] + leak.answer + after
        yield Problem(path, before[1], before[2], severity, message, "answer-leak")

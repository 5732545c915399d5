"""What an exam can ask, resolved against the decks, and one attempt's questions drawn by seed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from quiz.deck.model import (
    Card,
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Item,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.deck.problems import Problem, Severity
from quiz.deck.reader import suggestion
from quiz.exams.spec import CardDraw, DeckDraw, ExamSpec, QueryDraw


@dataclass(frozen=True)
class Question:
    """One question of an attempt: the item asked and the order its options were shown in."""

    deck_id: str
    item_key: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pool:
    """One `from:` entry resolved: the cards it may draw and how many."""

    cards: tuple[tuple[Deck, Card], ...]
    count: int
    fixed: bool = False


def auto_graded(card: Card) -> bool:
    """True for the cards an exam can ask: every type but the self-rated flashcard."""
    match card:
        case Flashcard():
            return False
        case Choice() | TrueFalse() | Cloze() | Typed() | Numeric() | Order() | Match():
            return True
        case _:
            assert_never(card)


def resolve(spec: ExamSpec, decks: Sequence[Deck]) -> tuple[list[Pool], list[Problem]]:
    """Each draw's cards in the decks, with a problem at the draw's place for each it lacks."""
    by_id = {d.id: d for d in decks}
    path = spec.path or spec.id
    pools: list[Pool] = []
    problems: list[Problem] = []

    def error(line: int, column: int, message: str, rule: str) -> None:
        problems.append(Problem(path, line, column, Severity.ERROR, message, rule))

    def deck_of(draw: DeckDraw | CardDraw, what: str) -> Deck | None:
        deck = by_id.get(draw.deck)
        if deck is None:
            hint = suggestion(draw.deck, sorted(by_id))
            error(draw.line, draw.column, f"{what}: no deck '{draw.deck}'{hint}", "unknown-deck")
        return deck

    for number, draw in enumerate(spec.draws, start=1):
        what = f"from #{number}"
        match draw:
            case DeckDraw():
                deck = deck_of(draw, what)
                if deck is None:
                    continue
                cards = tuple((deck, c) for c in deck.cards if auto_graded(c))
                if draw.count > len(cards):
                    error(
                        draw.line,
                        draw.column,
                        f"{what}: count {draw.count} is more than the {len(cards)} auto-graded "
                        f"cards of deck '{deck.id}'",
                        "too-few-cards",
                    )
                    continue
                pools.append(Pool(cards, draw.count))
            case CardDraw():
                deck = deck_of(draw, what)
                if deck is None:
                    continue
                card = next((c for c in deck.cards if c.id == draw.card), None)
                if card is None:
                    hint = suggestion(draw.card, [c.id for c in deck.cards])
                    error(
                        draw.line,
                        draw.column,
                        f"{what}: deck '{deck.id}' has no card '{draw.card}'{hint}",
                        "unknown-card",
                    )
                    continue
                if not auto_graded(card):
                    error(
                        draw.line,
                        draw.column,
                        f"{what}: card '{draw.card}' is a {card.type}, which learners rate "
                        "themselves: exams ask only auto-graded cards",
                        "not-auto-graded",
                    )
                    continue
                pools.append(Pool(((deck, card),), 1, fixed=True))
            case QueryDraw():
                cards = tuple(
                    (deck, c)
                    for deck in decks
                    for c in deck.cards
                    if auto_graded(c) and draw.query.matches(deck, c)
                )
                if draw.count > len(cards):
                    error(
                        draw.line,
                        draw.column,
                        f"{what}: count {draw.count} is more than the {len(cards)} auto-graded "
                        f"cards matching '{draw.query.text}'",
                        "too-few-cards",
                    )
                    continue
                pools.append(Pool(cards, draw.count))
            case _:
                assert_never(draw)
    return pools, problems


def _shuffled(rng: random.Random, values: tuple[str, ...], avoid: bool) -> tuple[str, ...]:
    out = list(values)
    for _ in range(10):
        rng.shuffle(out)
        # An order shown already in order gives the answer away.
        if not avoid or tuple(out) != values or len(set(values)) < 2:
            break
    return tuple(out)


def options_for(card: Card, rng: random.Random, shuffle: bool) -> tuple[str, ...]:
    """The options as shown: choices (shuffled if both exam and card allow), items, right sides."""
    match card:
        case Choice():
            return _shuffled(rng, card.choices, False) if shuffle and card.shuffle else card.choices
        case Order():
            # Always shuffled: in order, the question would answer itself.
            return _shuffled(rng, card.items, True)
        case Match():
            return _shuffled(rng, tuple(r for _, r in card.pairs), True)
        case Flashcard() | TrueFalse() | Cloze() | Typed() | Numeric():
            return ()
        case _:
            assert_never(card)


def draw(spec: ExamSpec, pools: Sequence[Pool], seed: int) -> list[Question]:
    """The questions of the attempt with this seed: the same seed draws the same exam."""
    rng = random.Random(seed)
    chosen: list[tuple[Deck, Card]] = []
    taken: set[tuple[str, str]] = set()
    # Fixed cards first, so a random draw never asks one of them a second time.
    for pool in sorted(pools, key=lambda p: not p.fixed):
        free = [(d, c) for d, c in pool.cards if (d.id, c.id) not in taken]
        picked = free if pool.fixed else rng.sample(free, min(pool.count, len(free)))
        for deck, card in picked:
            taken.add((deck.id, card.id))
            chosen.append((deck, card))
    if spec.shuffle:
        rng.shuffle(chosen)
    out = []
    for deck, card in chosen:
        variants = card.variants()
        # A card of several items (a cloze of several gaps) is asked by one of them.
        variant = variants[0] if len(variants) == 1 else rng.choice(variants)
        item = Item(deck.id, card, variant)
        out.append(Question(deck.id, item.key, options_for(card, rng, spec.shuffle)))
    return out


def question_count(pools: Sequence[Pool]) -> int:
    """How many questions an attempt asks at most."""
    return sum(p.count for p in pools)

"""Answers one card gives away in another card's question or explanation, in the same deck."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple, assert_never

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
from quiz.deck.phrases import Phrase, Phrases

# An answer shorter than this (letters and digits) matches too much to mean anything ...
MIN_CHARACTERS = 4
# ... except a number, which matches only itself: "36" is specific, "4" is not.
MIN_DIGITS = 2
# ... and one longer than this many words is a passage, which another card quotes only on
# purpose; each word past it would be a step of the deck's automaton to build and to read.
MAX_WORDS = 32
# Answers made only of these words say nothing when another card uses them (small numbers
# written out are as unspecific as one digit).
COMMON_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "both", "but", "by", "either", "false", "for",
    "from", "in", "is", "it", "its", "neither", "no", "none", "nor", "not", "of", "on", "or",
    "other", "others", "that", "the", "these", "this", "those", "to", "true", "with", "yes",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
})  # fmt: skip
# A word answer shown in more than this share of a deck's cards (and in at least
# MIN_COMMON_CARDS) is what the deck is about, not a giveaway; numbers are always specific.
COMMON_SHARE = 0.1
MIN_COMMON_CARDS = 5
_ARTICLES = frozenset({"a", "an", "the"})
# Whole numbers ("1,850" is one number, "24.5" is not 24 and 5) and runs of letters.
_ASCII_DIGIT = re.compile("[0-9]")
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[^\W\d_]+")


class Leak(NamedTuple):
    """Card `at` (its prompt, or else its explanation) shows the answer of card `of`."""

    # A tuple, not a frozen dataclass: half a million of them at 100,000 cards, each made
    # by a frozen dataclass's __init__ field by field.
    at: int
    in_prompt: bool
    of: int
    answer: str


def tokens(text: str) -> Phrase:
    """Text as words and whole numbers: case and accents folded, numbers written one way."""
    text = text.casefold()
    # ASCII text has no accents to fold: most texts skip the walk over their characters.
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    found = _TOKEN.findall(text)
    # Most texts have no number to write one way: they skip the walk over their words.
    if text.isascii() and _ASCII_DIGIT.search(text) is None:
        return tuple(found)
    return tuple(_number(t) if t[0].isdigit() else t for t in found)


def _number(token: str) -> str:
    token = token.replace(",", "")
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    return token.lstrip("0") or "0"


def phrase(answer: str) -> Phrase | None:
    """The answer as the words to look for, or None when it is too short or too common."""
    words = tokens(answer)
    while words and words[0] in _ARTICLES:
        words = words[1:]
    if not words or len(words) > MAX_WORDS or all(w in COMMON_WORDS for w in words):
        return None
    if len(words) == 1 and words[0][0].isdigit():
        return words if sum(c.isdigit() for c in words[0]) >= MIN_DIGITS else None
    return words if sum(len(w) for w in words) >= MIN_CHARACTERS else None


def _answer_items(card: Card) -> list[list[tuple[str, ...]]]:
    """The card's study items, each the parts all shown for it to leak, each its alternatives."""
    match card:
        case Flashcard():
            return [[(card.back,)], [(card.front,)]] if card.reverse else [[(card.back,)]]
        case Typed():
            return [[(card.answer, *card.accept)]]
        case Numeric():
            return [[(card.answer_text,)]]
        case Cloze():
            return [[gap] for gap in card.gaps]
        case Choice():
            # Select-all leaks only when every right choice is shown: one name alone says little.
            if card.multiple:
                return [[(answer,) for answer in card.answers]]
            return [[(answer,) for answer in card.answers[:1]]]
        case TrueFalse() | Order() | Match():
            return []
        case _:
            assert_never(card)


class _Item(NamedTuple):
    card: int
    parts: tuple[tuple[tuple[Phrase, str], ...], ...]  # per part: (phrase, answer as written)


def find_leaks(cards: Sequence[Card]) -> Iterator[Leak]:
    """Every card whose prompt or explanation shows another card's answer, in deck order."""
    items: list[_Item] = []
    own: list[set[Phrase]] = [set() for _ in cards]
    # Answers repeat across a deck's cards (a year, a name): each is made a phrase once.
    phrase_of: dict[str, Phrase | None] = {}

    def _remember(text: str) -> Phrase | None:
        words = phrase_of[text] = phrase(text)
        return words

    for place, card in enumerate(cards):
        for answer_item in _answer_items(card):
            parts = []
            for alternatives in answer_item:
                usable = tuple(
                    (words, text)
                    for text in alternatives
                    if (words := phrase_of[text] if text in phrase_of else _remember(text))
                    is not None
                )
                if usable:
                    parts.append(usable)
                    own[place].update(words for words, _ in usable)
            if parts:
                items.append(_Item(place, tuple(parts)))
    # The items each phrase answers, with the answer as written: items of one part leak
    # wherever the phrase is shown, items of several parts only where all parts are.
    single: dict[Phrase, list[tuple[int, str]]] = {}
    multi: dict[Phrase, set[int]] = {}
    for number, item in enumerate(items):
        for part in item.parts:
            for words, text in part:
                if len(item.parts) == 1:
                    single.setdefault(words, []).append((number, text))
                else:
                    multi.setdefault(words, set()).add(number)
    # One automaton per deck: each text is read once, a step per word.
    index = Phrases([*single, *multi])
    if not index:
        return
    # Texts repeat too (an explanation shared by a run of cards): each is read once.
    shown_in: dict[str, set[Phrase]] = {}
    texts: list[tuple[int, bool, set[Phrase]]] = []
    for place, card in enumerate(cards):
        for in_prompt, text in (
            *((True, q) for q in _questions(card)),
            *(((False, card.explanation),) if card.explanation else ()),
        ):
            seen = shown_in.get(text)
            if seen is None:
                seen = shown_in[text] = _shown(tokens(text), index)
            if seen and (shown := seen - own[place]):
                texts.append((place, in_prompt, shown))
    # How many cards show each phrase: a card's texts are next to each other in `texts`.
    cards_showing: Counter[Phrase] = Counter()
    for _, group in groupby(texts, key=itemgetter(0)):
        cards_showing.update(set().union(*(shown for _, _, shown in group)))
    limit = max(MIN_COMMON_CARDS, COMMON_SHARE * len(cards))
    common = {
        words
        for words, count in cards_showing.items()
        if count > limit and not words[0][0].isdigit()
    }
    # For each phrase: its rank (so the same answer is named on every run), its first item's
    # card, that item, and the first item of another card than that one's: whichever card
    # shows the phrase, one of the two items is another card's.
    rank = {words: number for number, words in enumerate(sorted({*single, *multi}))}
    card_of = [item.card for item in items]
    firsts: dict[Phrase, tuple[int, int, tuple[int, str], tuple[int, str] | None]] = {}
    for words, entries in single.items():
        owner = card_of[entries[0][0]]
        other_first = next((e for e in entries if card_of[e[0]] != owner), None)
        firsts[words] = (rank[words], owner, entries[0], other_first)
    reported: set[tuple[int, int]] = set()
    for place, in_prompt, shown in texts:
        # Each item's answer as written, from the lowest-ranked phrase that names it: what
        # taking the phrases in rank order gives, without sorting them for every text.
        found: dict[int, tuple[int, str]] = {}
        for words in shown - common if common else shown:
            entry = firsts.get(words)
            if entry is None:
                continue
            # The first other card with this answer is named, not each of them: a year that
            # fifty cards answer would otherwise give fifty warnings, and a deck's warnings
            # would grow as the square of its size.
            order, owner, first, second = entry
            chosen = first if owner != place else second
            if chosen is not None:
                number, text = chosen
                kept = found.get(number)
                if kept is None or order < kept[0]:
                    found[number] = (order, text)
        # Several right choices shown together are specific even when each is common.
        if multi:
            for number in {n for words in multi.keys() & shown for n in multi[words]}:
                answers = [
                    next((t for w, t in part if w in shown), None) for part in items[number].parts
                ]
                if all(answers):
                    found[number] = (-1, ", ".join(t for t in answers if t))
        for number in sorted(found) if len(found) > 1 else found:
            other = card_of[number]
            if other != place and (place, other) not in reported:
                reported.add((place, other))
                yield Leak(place, in_prompt, other, found[number][1])


def _questions(card: Card) -> list[str]:
    """The card's question as learners see it: a cloze once per gap, that gap left out."""
    match card:
        case Cloze():
            # Each side of the blank on its own, so no phrase is matched across it.
            return [
                side
                for index in range(len(card.gaps))
                for side in card.with_gap(index, blank="\0").split("\0")
            ]
        case Flashcard() | Choice() | TrueFalse() | Typed() | Numeric() | Order() | Match():
            return [card.prompt()]
        case _:
            assert_never(card)


def _shown(words: Phrase, index: Phrases) -> set[Phrase]:
    # Most texts share no word with any answer's first: a set test skips reading them.
    return index.found(words) if not index.first.isdisjoint(words) else set()

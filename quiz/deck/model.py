"""The deck model: decks, their cards of each type, and the study items cards give."""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, TypeAlias, assert_never

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
DEFAULT_DESIRED_RETENTION = 0.9
# One encoder for every card: json.dumps with options builds a new one on each call.
_CONTENT_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Source:
    """A work that cards cite, as the deck describes it."""

    key: str
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    date: str | None = None
    note: str | None = None
    url: str | None = None

    def citation(self) -> str:
        """Author and title as one short line."""
        parts = [p for p in (self.author, self.title) if p]
        return ", ".join(parts) if parts else self.key


@dataclass(frozen=True)
class SourceRef:
    """A card's pointer into a source: its key and optionally a section."""

    ref: str
    section: str | None = None


@dataclass(frozen=True)
class Settings:
    """Per-deck study defaults."""

    new_per_day: int = DEFAULT_NEW_PER_DAY
    reviews_per_day: int = DEFAULT_REVIEWS_PER_DAY
    desired_retention: float = DEFAULT_DESIRED_RETENTION


@dataclass(frozen=True)
class CardBase:
    """Fields every card type has; each type in `Card` adds its own."""

    TYPE: ClassVar[str] = ""
    id: str
    explanation: str | None = field(default=None, kw_only=True)
    source: SourceRef | None = field(default=None, kw_only=True)
    tags: tuple[str, ...] = field(default=(), kw_only=True)
    line: int = field(default=0, kw_only=True, compare=False)
    # Lint rules silenced for this card: authoring metadata, not content a learner sees.
    lint_ignore: tuple[str, ...] = field(default=(), kw_only=True, compare=False)

    @property
    def type(self) -> str:
        """The card's type name as written in decks."""
        return self.TYPE

    def variants(self) -> tuple[str, ...]:
        """The study items this card gives: '' is the card itself."""
        return ("",)

    def prompt(self) -> str:
        """The text that asks the question."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The card as plain data, for storing and hashing."""
        # Shallow: dataclasses.asdict deep-copies every tuple, a third of syncing a deck.
        values = self.__dict__
        data = {name: values[name] for name in content_fields(type(self))}
        if self.source is not None:
            data["source"] = {"ref": self.source.ref, "section": self.source.section}
        data["type"] = self.TYPE
        return data

    def content_json(self) -> str:
        """`to_dict` as JSON with sorted keys: what is stored and what `content_hash` hashes."""
        return _CONTENT_ENCODER.encode(self.to_dict())

    def content_hash(self) -> str:
        """A hash of everything a learner sees, so edits can be detected."""
        return hash_content_json(self.content_json())


@dataclass(frozen=True)
class Flashcard(CardBase):
    """Front and back; the learner rates their own recall."""

    TYPE: ClassVar[str] = "flashcard"
    front: str
    back: str
    reverse: bool = False

    def variants(self) -> tuple[str, ...]:
        return ("", "reverse") if self.reverse else ("",)

    def prompt(self) -> str:
        return self.front


@dataclass(frozen=True)
class Choice(CardBase):
    """Pick one choice, or all that apply."""

    TYPE: ClassVar[str] = "choice"
    question: str
    choices: tuple[str, ...]
    answers: tuple[str, ...]
    multiple: bool = False
    shuffle: bool = True

    def prompt(self) -> str:
        return self.question


@dataclass(frozen=True)
class TrueFalse(CardBase):
    """Is the statement true or false?"""

    TYPE: ClassVar[str] = "true_false"
    statement: str
    answer: bool

    def prompt(self) -> str:
        return self.statement


@dataclass(frozen=True)
class Cloze(CardBase):
    """Text with gaps; each gap is its own study item, keyed by its number."""

    TYPE: ClassVar[str] = "cloze"
    text: str
    # Text between gaps: len(segments) == len(gaps) + 1.
    segments: tuple[str, ...]
    gaps: tuple[tuple[str, ...], ...]
    # Each gap's number when the text numbers any gap (`{{c3::...}}`); empty when every gap is
    # numbered by its place, as every cloze was before numbers could be written.
    numbers: tuple[int, ...] = ()
    # Each gap's hint (None for none) when any gap has one; empty when none has.
    hints: tuple[str | None, ...] = ()

    def variants(self) -> tuple[str, ...]:
        return tuple(f"c{n}" for n in self.gap_numbers())

    def gap_numbers(self) -> Sequence[int]:
        """Each gap's number, in the order of the text: what its item's key is made of."""
        return self.numbers or range(1, len(self.gaps) + 1)

    def gap_at(self, variant: str) -> int | None:
        """The place in the text of the gap whose item is `variant` ('c3'), or None."""
        digits = variant[1:]
        if not variant.startswith("c") or not digits.isdigit():
            return None
        number = int(digits)
        if not self.numbers:
            return number - 1 if 1 <= number <= len(self.gaps) else None
        try:
            return self.numbers.index(number)
        except ValueError:
            return None

    def hint(self, index: int) -> str | None:
        """The hint of gap `index`, shown in its blank."""
        return self.hints[index] if index < len(self.hints) else None

    def prompt(self) -> str:
        return self.with_gap(None)

    def with_gap(self, index: int | None, blank: str = "[...]") -> str:
        """The text with gap `index` blanked and the others filled in.

        A bracketed blank (`[...]`) shows the gap's hint in its place (`[hint]`), as Anki does;
        any other blank is put in as it is.
        """
        if index is not None and len(blank) > 1 and blank[0] == "[" and blank[-1] == "]":
            hint = self.hint(index)
            if hint:
                blank = f"[{hint}]"
        out = [self.segments[0]]
        for i, answers in enumerate(self.gaps):
            out.append(blank if i == index else answers[0])
            out.append(self.segments[i + 1])
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        # Left out when unused, so a cloze that writes neither keeps its content hash, and the
        # auto-generated id cut from it.
        for name in ("numbers", "hints"):
            if not data[name]:
                del data[name]
        return data


@dataclass(frozen=True)
class Typed(CardBase):
    """Type the answer; small typos are forgiven."""

    TYPE: ClassVar[str] = "typed"
    question: str
    answer: str
    accept: tuple[str, ...] = ()

    def prompt(self) -> str:
        return self.question


@dataclass(frozen=True)
class Numeric(CardBase):
    """Type a number, within a tolerance."""

    TYPE: ClassVar[str] = "numeric"
    question: str
    answer: float
    answer_text: str
    tolerance: float = 0.0
    tolerance_is_percent: bool = False
    unit: str | None = None

    def prompt(self) -> str:
        return self.question

    def allowed_error(self) -> float:
        """The largest difference from the answer still counted right."""
        if self.tolerance_is_percent:
            return abs(self.answer) * self.tolerance / 100
        return self.tolerance


@dataclass(frozen=True)
class Order(CardBase):
    """Put the items in order."""

    TYPE: ClassVar[str] = "order"
    question: str
    items: tuple[str, ...]

    def prompt(self) -> str:
        return self.question


@dataclass(frozen=True)
class Match(CardBase):
    """Match each left item to its right item."""

    TYPE: ClassVar[str] = "match"
    question: str
    pairs: tuple[tuple[str, str], ...]

    def prompt(self) -> str:
        return self.question


# Every card type, as one union: code that depends on the type matches on it and ends with
# `assert_never`, so that mypy names each place a new type must be handled.
Card: TypeAlias = Flashcard | Choice | TrueFalse | Cloze | Typed | Numeric | Order | Match

CARD_TYPES: dict[str, type[Card]] = {
    cls.TYPE: cls for cls in (Flashcard, Choice, TrueFalse, Cloze, Typed, Numeric, Order, Match)
}

# The fields whose values are tuples of tuples, which JSON gives back as lists of lists.
TUPLE_OF_TUPLES = frozenset({"gaps", "pairs"})
_NOT_CONTENT = ("line", "lint_ignore")
_CONTENT_FIELDS: dict[type[CardBase], tuple[str, ...]] = {}


def content_fields(cls: type[CardBase]) -> tuple[str, ...]:
    """The fields of a card class that `to_dict` keeps: everything a learner sees."""
    names = _CONTENT_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _NOT_CONTENT)
        _CONTENT_FIELDS[cls] = names
    return names


def card_from_dict(data: dict[str, Any], line: int = 0) -> Card:
    """Rebuild a card from `Card.to_dict` output."""
    data = dict(data)
    cls = CARD_TYPES[data.pop("type")]
    for key, value in data.items():
        if isinstance(value, list):
            data[key] = tuple(tuple(v) if key in TUPLE_OF_TUPLES else v for v in value)
    if data.get("source") is not None:
        data["source"] = SourceRef(**data["source"])
    return cls(**data, line=line)


def hash_content_json(content_json: str) -> str:
    """`Card.content_hash` from the card's `content_json`, for callers that have it already."""
    # Auto-generated card ids are cut from this hash, so it must never change for a card.
    return hashlib.sha256(content_json.encode()).hexdigest()[:16]


_ONE_ITEM = ("",)


@dataclass(frozen=True)
class ItemIndex:
    """A deck's study items in deck order, numbered, so a queue is built without any card.

    Most cards are one item, keyed by the card id; a card of several items (a reversed side,
    cloze gaps) is listed with the number of its first item, so nothing is kept per item but
    its key.
    """

    keys: list[str]  # every item's key, in deck order: the item's number is its place here
    card_count: int
    # The cards of several items: the number of the first, the card's place, its variants.
    starts: list[int]
    multi_places: list[int]
    multi_variants: list[tuple[str, ...]]

    @classmethod
    def of(cls, card_ids: list[str], variants: Mapping[int, Sequence[str]]) -> ItemIndex:
        """The index of cards with these ids; `variants` has the cards that are not one item."""
        keys: list[str] = []
        starts: list[int] = []
        places: list[int] = []
        names: list[tuple[str, ...]] = []
        done = 0
        # Single-item cards are copied in runs, not one by one.
        for place in sorted(variants):
            keys += card_ids[done:place]
            card_id = card_ids[place]
            starts.append(len(keys))
            places.append(place)
            names.append(tuple(variants[place]))
            keys += [item_key(card_id, variant) for variant in variants[place]]
            done = place + 1
        keys += card_ids[done:]
        return cls(keys, len(card_ids), starts, places, names)

    @classmethod
    def of_keys(cls, keys: list[str], multi: Sequence[Sequence[Any]]) -> ItemIndex:
        """The index from every item key and, per card of several items, [place, *variants]."""
        places = [int(entry[0]) for entry in multi]
        names = [tuple(entry[1:]) for entry in multi]
        # A card's first item comes after every earlier card's items: one each, plus the
        # extra ones of the cards of several items before it.
        extras = itertools.accumulate((len(n) - 1 for n in names), initial=0)
        starts = [place + extra for place, extra in zip(places, extras, strict=False)]
        card_count = len(keys) - sum(len(n) - 1 for n in names)
        if places != sorted(set(places)) or any(not n for n in names):
            raise ValueError("the stored cards of several items are out of order")
        if places and not places[-1] < card_count:
            raise ValueError("a stored card of several items has no place")
        return cls(keys, card_count, starts, places, names)

    @classmethod
    def of_cards(cls, cards: Sequence[Card]) -> ItemIndex:
        """The index of a deck's built cards."""
        variants = {}
        for place, card in enumerate(cards):
            names = card.variants()
            if names != _ONE_ITEM:
                variants[place] = names
        return cls.of([card.id for card in cards], variants)

    def locate(self, number: int) -> tuple[int, str]:
        """The place of item `number`'s card in the deck, and the item's variant."""
        if not 0 <= number < len(self.keys):
            raise IndexError(number)
        at = bisect.bisect_right(self.starts, number) - 1
        if at < 0:
            return number, ""
        start, place, names = self.starts[at], self.multi_places[at], self.multi_variants[at]
        if number < start + len(names):
            return place, names[number - start]
        # A single-item card after the multi-item card at `at`: count back from that card.
        return place + number - (start + len(names) - 1), ""

    def find(self, key: str) -> int | None:
        """The number of the item with this key, in deck order."""
        try:
            return self.keys.index(key)
        except ValueError:
            return None


def item_key(card_id: str, variant: str) -> str:
    """A study item's id in its deck: the card id, or card id::variant for a sibling."""
    return f"{card_id}::{variant}" if variant else card_id


def card_of_key(key: str) -> str:
    """The card id in a study item's key (card ids are slugs, so they hold no '::')."""
    return key.partition("::")[0]


@dataclass(frozen=True)
class Item:
    """One thing to study: a card, or one variant of it (a reversed side, a cloze gap)."""

    deck_id: str
    card: Card
    variant: str = ""

    @property
    def key(self) -> str:
        """The item's id in its deck, which progress is keyed on."""
        return item_key(self.card.id, self.variant)

    @property
    def gap_index(self) -> int | None:
        """For a cloze item, the place of its gap in the text."""
        card = self.card
        match card:
            case Cloze():
                return card.gap_at(self.variant)
            case Flashcard() | Choice() | TrueFalse() | Typed() | Numeric() | Order() | Match():
                return None
            case _:
                assert_never(card)

    def question(self, blank: str = "[...]") -> str:
        """What the item asks: a reversed flashcard its back, a cloze item its own gap blank."""
        card = self.card
        match card:
            case Flashcard():
                return card.back if self.variant == "reverse" else card.front
            case Cloze():
                return card.with_gap(self.gap_index, blank)
            case Choice() | TrueFalse() | Typed() | Numeric() | Order() | Match():
                return card.prompt()
            case _:
                assert_never(card)


@dataclass(frozen=True)
class Deck:
    """A loaded deck."""

    id: str
    title: str
    # A tuple when parsed from a file; a `snapshot.CardShelf` when re-opened from the store.
    cards: Sequence[Card]
    description: str | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    settings: Settings = Settings()
    path: str | None = None
    lint_ignore: tuple[str, ...] = ()

    def items(self) -> list[Item]:
        """Every study item of the deck, in deck order."""
        return [Item(self.id, card, v) for card in self.cards for v in card.variants()]

    @cached_property
    def item_index(self) -> ItemIndex:
        """The deck's study items in deck order, without building its cards."""
        # Cards re-opened from the store keep their index with them (`snapshot.CardShelf`).
        index = getattr(self.cards, "item_index", None)
        return index if isinstance(index, ItemIndex) else ItemIndex.of_cards(self.cards)

    def item(self, number: int) -> Item:
        """The study item with this number in deck order (see `item_index`)."""
        place, variant = self.item_index.locate(number)
        return Item(self.id, self.cards[place], variant)

    def source_for(self, card: Card) -> Source | None:
        """The source a card cites, if the deck defines it."""
        return self.sources.get(card.source.ref) if card.source else None

"""The deck model: decks, their cards of each type, and the study items cards give."""

from __future__ import annotations

import array
import bisect
import dataclasses
import hashlib
import itertools
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, TypeAlias, cast, overload

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
DEFAULT_DESIRED_RETENTION = 0.9
# One encoder for every card: json.dumps with options builds a new one on each call.
_CONTENT_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# What `snapshot_bytes` writes; a stored snapshot of another format is parsed from its file again.
SNAPSHOT_FORMAT = 6


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
        data = {name: values[name] for name in _layout(type(self)).content}
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
    """Text with gaps; each gap is its own study item."""

    TYPE: ClassVar[str] = "cloze"
    text: str
    # Text between gaps: len(segments) == len(gaps) + 1.
    segments: tuple[str, ...]
    gaps: tuple[tuple[str, ...], ...]

    def variants(self) -> tuple[str, ...]:
        return tuple(f"c{i + 1}" for i in range(len(self.gaps)))

    def prompt(self) -> str:
        return self.with_gap(None)

    def with_gap(self, index: int | None, blank: str = "[...]") -> str:
        """The text with gap `index` blanked and the others filled in."""
        out = [self.segments[0]]
        for i, answers in enumerate(self.gaps):
            out.append(blank if i == index else answers[0])
            out.append(self.segments[i + 1])
        return "".join(out)


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

_TUPLE_OF_TUPLES = {"gaps", "pairs"}


def card_from_dict(data: dict[str, Any], line: int = 0) -> Card:
    """Rebuild a card from `Card.to_dict` output."""
    data = dict(data)
    cls = CARD_TYPES[data.pop("type")]
    for key, value in data.items():
        if isinstance(value, list):
            data[key] = tuple(tuple(v) if key in _TUPLE_OF_TUPLES else v for v in value)
    if data.get("source") is not None:
        data["source"] = SourceRef(**data["source"])
    return cls(**data, line=line)


def hash_content_json(content_json: str) -> str:
    """`Card.content_hash` from the card's `content_json`, for callers that have it already."""
    # Auto-generated card ids are cut from this hash, so it must never change for a card.
    return hashlib.sha256(content_json.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class _Layout:
    """Where a card class keeps its fields, for turning cards into rows of values and back."""

    cls: type[Card]
    names: tuple[str, ...]  # every field, in declaration order: the order of a card's row
    content: tuple[str, ...]  # the fields `to_dict` keeps (what a learner sees)
    # Indexes into a card's row: tuples (JSON gives lists), tuples of tuples, the source.
    tuples: tuple[int, ...]
    nested: tuple[int, ...]
    source_at: int


_LAYOUTS: dict[type[CardBase], _Layout] = {}


def _layout(cls: type[CardBase]) -> _Layout:
    layout = _LAYOUTS.get(cls)
    if layout is None:
        # Annotations are strings here (postponed evaluation), which is all this needs.
        kinds = [(f.name, str(f.type)) for f in dataclasses.fields(cls)]
        names = tuple(name for name, _ in kinds)
        layout = _Layout(
            cls=cast("type[Card]", cls),  # every card class that is built is one of `Card`
            names=names,
            content=tuple(n for n in names if n not in ("line", "lint_ignore")),
            tuples=tuple(
                i
                for i, (n, k) in enumerate(kinds)
                if k.startswith("tuple[") and n not in _TUPLE_OF_TUPLES
            ),
            nested=tuple(i for i, n in enumerate(names) if n in _TUPLE_OF_TUPLES),
            source_at=names.index("source"),
        )
        _LAYOUTS[cls] = layout
    return layout


def card_to_row(card: Card) -> str:
    """A card as one line of JSON: its type, then every field's value in declaration order."""
    layout = _layout(type(card))
    values = card.__dict__
    row = [card.TYPE, *(values[name] for name in layout.names)]
    if card.source is not None:
        row[layout.source_at + 1] = [card.source.ref, card.source.section]
    # Values only: a row with every field name, as `content_json` has, is 60% larger to store,
    # read and keep.
    return _ROW_ENCODER.encode(row)


def card_from_row(row: str | bytes) -> Card:
    """Rebuild a card from `card_to_row` output."""
    # Decoded first: json.loads would look for a UTF-16 or UTF-32 mark in bytes, a fifth of this.
    values = json.loads(row.decode() if isinstance(row, bytes) else row)
    if not isinstance(values, list) or not values or values[0] not in CARD_TYPES:
        raise ValueError("a stored card row has no known card type")
    layout = _layout(CARD_TYPES[values.pop(0)])
    if len(values) != len(layout.names):
        raise ValueError(f"a stored {layout.cls.TYPE} card does not match its fields")
    for i in layout.tuples:
        values[i] = tuple(values[i])
    for i in layout.nested:
        values[i] = tuple(map(tuple, values[i]))
    source = values[layout.source_at]
    if source is not None:
        values[layout.source_at] = SourceRef(*source)
    # Bypasses the frozen dataclass's __init__, which sets each field through
    # object.__setattr__; the values were checked when the card was first loaded.
    card = object.__new__(layout.cls)
    card.__dict__.update(zip(layout.names, values, strict=True))
    return card


class CardShelf(Sequence[Card]):
    """A deck's cards kept as their stored rows, each built when asked for: a deck opens at once.

    The rows stay in the one bytes object read from the store, found by their offsets, so a
    deck of 100,000 cards is not 100,000 strings either.
    """

    __slots__ = ("_data", "_offsets", "item_index")

    def __init__(self, data: bytes, offsets: list[int], index: ItemIndex) -> None:
        # offsets[n] is where row n starts and offsets[n + 1] - 1 where it ends (at its "\n").
        if index.card_count != len(offsets) - 1:
            raise ValueError("the stored cards do not match their index")
        self._data = data
        self._offsets = offsets
        self.item_index = index

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def row(self, at: int) -> bytes:
        """Card `at`'s stored row (`card_to_row` output, as UTF-8)."""
        if not -len(self) <= at < len(self):
            raise IndexError(at)
        at %= len(self)
        return self._data[self._offsets[at] : self._offsets[at + 1] - 1]

    @overload
    def __getitem__(self, at: int) -> Card: ...

    @overload
    def __getitem__(self, at: slice) -> tuple[Card, ...]: ...

    def __getitem__(self, at: int | slice) -> Card | tuple[Card, ...]:
        if isinstance(at, slice):
            return tuple(card_from_row(self.row(i)) for i in range(len(self))[at])
        return card_from_row(self.row(at))

    def __iter__(self) -> Iterator[Card]:
        return (card_from_row(self.row(i)) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CardShelf({len(self)} cards)"


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


def snapshot_bytes(deck: Deck) -> bytes:
    """A deck's cards as stored: a header, the item keys, the rows' lengths, a row per card.

    The header is a line of JSON (format, lint rules, the cards of several items, sizes); the
    keys are one tab-separated UTF-8 string (keys are slugs); the lengths are little-endian
    32-bit numbers; each row is `card_to_row` output and a line break. Re-opening a deck reads
    the keys and lengths as they are, without decoding a JSON list of 100,000.
    """
    cards = deck.cards
    if isinstance(cards, CardShelf):
        rows = [cards.row(i) for i in range(len(cards))]
    else:
        rows = [card_to_row(card).encode() for card in cards]
    index = deck.item_index
    keys = "\t".join(index.keys).encode()
    lengths = array.array("I", [len(row) + 1 for row in rows])
    if sys.byteorder != "little":
        lengths.byteswap()
    header = {
        "format": SNAPSHOT_FORMAT,
        "lint_ignore": list(deck.lint_ignore),
        "variants": [
            [place, *names]
            for place, names in zip(index.multi_places, index.multi_variants, strict=True)
        ],
        "keys_size": len(keys),
        "cards": len(rows),
    }
    # JSON escapes every line break inside a value, so each card stays on its own line.
    head = [_ROW_ENCODER.encode(header).encode(), b"\n", keys, lengths.tobytes()]
    return b"".join([*head, *(row + b"\n" for row in rows)])


def read_snapshot(data: object) -> tuple[CardShelf, tuple[str, ...]] | None:
    """The cards and deck-wide lint ignores of `snapshot_bytes` output; None for another format."""
    if not isinstance(data, bytes):
        return None
    end = data.find(b"\n")
    header = json.loads(data[:end] if end >= 0 else data)
    if not isinstance(header, dict) or header.get("format") != SNAPSHOT_FORMAT:
        return None
    keys_at = end + 1
    lengths_at = keys_at + header["keys_size"]
    rows_at = lengths_at + 4 * header["cards"]
    keys = data[keys_at:lengths_at].decode().split("\t") if header["keys_size"] else []
    index = ItemIndex.of_keys(keys, header["variants"])
    lengths = array.array("I")
    if lengths.itemsize != 4:
        raise ValueError("this platform has no 32-bit array of lengths")
    lengths.frombytes(data[lengths_at:rows_at])
    if sys.byteorder != "little":
        lengths.byteswap()
    offsets = list(itertools.accumulate(lengths, initial=rows_at))
    if offsets[-1] != len(data) or min(lengths, default=1) < 1:
        raise ValueError("the stored cards do not fill the snapshot")
    return CardShelf(data, offsets, index), tuple(header["lint_ignore"])


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
        """For a cloze item, the index of its gap."""
        return int(self.variant[1:]) - 1 if self.variant.startswith("c") else None


@dataclass(frozen=True)
class Deck:
    """A loaded deck."""

    id: str
    title: str
    # A tuple when parsed from a file; a CardShelf when re-opened from the store.
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
        cards = self.cards
        return cards.item_index if isinstance(cards, CardShelf) else ItemIndex.of_cards(cards)

    def item(self, number: int) -> Item:
        """The study item with this number in deck order (see `item_index`)."""
        place, variant = self.item_index.locate(number)
        return Item(self.id, self.cards[place], variant)

    def source_for(self, card: Card) -> Source | None:
        """The source a card cites, if the deck defines it."""
        return self.sources.get(card.source.ref) if card.source else None

"""The deck model: decks, their cards of each type, and the study items cards give."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, overload

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
DEFAULT_DESIRED_RETENTION = 0.9
# One encoder for every card: json.dumps with options builds a new one on each call.
_CONTENT_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# What `snapshot_text` writes; a stored snapshot of another format is parsed from its file again.
SNAPSHOT_FORMAT = 3


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
class Card:
    """Fields every card type has; subclasses add their own."""

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
class Flashcard(Card):
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
class Choice(Card):
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
class TrueFalse(Card):
    """Is the statement true or false?"""

    TYPE: ClassVar[str] = "true_false"
    statement: str
    answer: bool

    def prompt(self) -> str:
        return self.statement


@dataclass(frozen=True)
class Cloze(Card):
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
class Typed(Card):
    """Type the answer; small typos are forgiven."""

    TYPE: ClassVar[str] = "typed"
    question: str
    answer: str
    accept: tuple[str, ...] = ()

    def prompt(self) -> str:
        return self.question


@dataclass(frozen=True)
class Numeric(Card):
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
class Order(Card):
    """Put the items in order."""

    TYPE: ClassVar[str] = "order"
    question: str
    items: tuple[str, ...]

    def prompt(self) -> str:
        return self.question


@dataclass(frozen=True)
class Match(Card):
    """Match each left item to its right item."""

    TYPE: ClassVar[str] = "match"
    question: str
    pairs: tuple[tuple[str, str], ...]

    def prompt(self) -> str:
        return self.question


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
    """Which fields of a card class are content and which JSON turns from tuples into lists."""

    cls: type[Card]
    content: tuple[str, ...]  # the fields `to_dict` keeps (what a learner sees), in order
    content_names: frozenset[str]
    tuples: tuple[str, ...]
    nested: tuple[str, ...]  # tuples of tuples


_LAYOUTS: dict[type[Card], _Layout] = {}


def _layout(cls: type[Card]) -> _Layout:
    layout = _LAYOUTS.get(cls)
    if layout is None:
        # Annotations are strings here (postponed evaluation), which is all this needs.
        kinds = [(f.name, str(f.type)) for f in dataclasses.fields(cls)]
        content = tuple(n for n, _ in kinds if n not in ("line", "lint_ignore"))
        layout = _Layout(
            cls=cls,
            content=content,
            content_names=frozenset(content),
            tuples=tuple(
                n
                for n, k in kinds
                if k.startswith("tuple[") and n in content and n not in _TUPLE_OF_TUPLES
            ),
            nested=tuple(n for n in content if n in _TUPLE_OF_TUPLES),
        )
        _LAYOUTS[cls] = layout
    return layout


def card_to_row(card: Card, content_json: str | None = None) -> str:
    """A card as one line of JSON: its line, its silenced lint rules and its `content_json`."""
    content = card.content_json() if content_json is None else content_json
    ignore = _ROW_ENCODER.encode(card.lint_ignore) if card.lint_ignore else "[]"
    # The content is JSON already (a sync has it for the cards table): it is not encoded twice.
    return f"[{card.line},{ignore},{content}]"


def card_from_row(row: str) -> Card:
    """Rebuild a card from `card_to_row` output."""
    values = json.loads(row)
    if not isinstance(values, list) or len(values) != 3 or not isinstance(values[2], dict):
        raise ValueError("a stored card row is not [line, lint rules, content]")
    line, ignore, data = values
    cls = CARD_TYPES.get(data.pop("type", None))
    if cls is None:
        raise ValueError("a stored card row has no known card type")
    layout = _layout(cls)
    if data.keys() != layout.content_names:
        raise ValueError(f"a stored {cls.TYPE} card does not match its fields")
    for name in layout.tuples:
        data[name] = tuple(data[name])
    for name in layout.nested:
        data[name] = tuple(map(tuple, data[name]))
    source = data["source"]
    if source is not None:
        data["source"] = SourceRef(source["ref"], source["section"])
    data["line"] = line
    data["lint_ignore"] = tuple(ignore)
    # Bypasses the frozen dataclass's __init__, which sets each field through
    # object.__setattr__; the values were checked when the card was first loaded.
    card = object.__new__(cls)
    card.__dict__.update(data)
    return card


class CardShelf(Sequence[Card]):
    """A deck's cards kept as stored rows, each built when asked for: a big deck opens at once."""

    __slots__ = ("item_index", "rows")

    def __init__(self, rows: list[str], index: ItemIndex) -> None:
        if len(index.card_ids_by_place) != len(rows):
            raise ValueError("the stored cards do not match their index")
        self.rows = rows
        self.item_index = index

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, at: int) -> Card: ...

    @overload
    def __getitem__(self, at: slice) -> tuple[Card, ...]: ...

    def __getitem__(self, at: int | slice) -> Card | tuple[Card, ...]:
        if isinstance(at, slice):
            return tuple(map(card_from_row, self.rows[at]))
        return card_from_row(self.rows[at])

    def __iter__(self) -> Iterator[Card]:
        return map(card_from_row, self.rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CardShelf({len(self.rows)} cards)"


_ONE_ITEM = ("",)


@dataclass(frozen=True)
class ItemIndex:
    """A deck's study items in deck order as parallel lists, so a queue is built without cards."""

    keys: list[str]
    places: list[int]  # the item's card, as its place in the deck
    card_ids: list[str]
    variants: list[str]
    card_ids_by_place: list[str]

    @classmethod
    def of(cls, card_ids: Sequence[str], variants: Mapping[int, Sequence[str]]) -> ItemIndex:
        """The index of cards with these ids; `variants` has the cards that are not one item."""
        keys: list[str] = []
        places: list[int] = []
        ids: list[str] = []
        names: list[str] = []
        done = 0
        # Most cards are one item: they are copied in runs, not one by one.
        for place in sorted(variants):
            keys += card_ids[done:place]
            ids += card_ids[done:place]
            places += range(done, place)
            names += _ONE_ITEM * (place - done)
            card_id = card_ids[place]
            for variant in variants[place]:
                keys.append(item_key(card_id, variant))
                ids.append(card_id)
                places.append(place)
                names.append(variant)
            done = place + 1
        rest = len(card_ids)
        keys += card_ids[done:rest]
        ids += card_ids[done:rest]
        places += range(done, rest)
        names += _ONE_ITEM * (rest - done)
        return cls(keys, places, ids, names, list(card_ids))

    @classmethod
    def of_cards(cls, cards: Sequence[Card]) -> ItemIndex:
        """The index of a deck's built cards."""
        variants = {}
        for place, card in enumerate(cards):
            names = card.variants()
            if names != _ONE_ITEM:
                variants[place] = names
        return cls.of([card.id for card in cards], variants)

    def find(self, key: str) -> int | None:
        """The number of the item with this key, in deck order."""
        try:
            return self.keys.index(key)
        except ValueError:
            return None


def snapshot_text(deck: Deck, rows: list[str] | None = None) -> str:
    """A deck's cards as stored text: a header line with the ids and variants, a line per card.

    `rows` are the cards' `card_to_row` lines when the caller has them already.
    """
    cards = deck.cards
    if rows is None:
        rows = cards.rows if isinstance(cards, CardShelf) else [card_to_row(c) for c in cards]
    index = deck.item_index
    variants: dict[int, list[str]] = {}
    for place, variant in zip(index.places, index.variants, strict=True):
        variants.setdefault(place, []).append(variant)
    header = {
        "format": SNAPSHOT_FORMAT,
        "lint_ignore": list(deck.lint_ignore),
        "ids": index.card_ids_by_place,
        "variants": [[place, *names] for place, names in variants.items() if names != [""]],
    }
    # JSON escapes every line break inside a value, so each card stays on its own line.
    return "\n".join([_ROW_ENCODER.encode(header), *rows])


def read_snapshot(text: str) -> tuple[CardShelf, tuple[str, ...]] | None:
    """The cards and deck-wide lint ignores of `snapshot_text` output; None for another format."""
    lines = text.split("\n")
    header = json.loads(lines[0])
    if not isinstance(header, dict) or header.get("format") != SNAPSHOT_FORMAT:
        return None
    del lines[0]
    variants = {int(place): tuple(names) for place, *names in header["variants"]}
    if any(not 0 <= place < len(header["ids"]) for place in variants):
        raise ValueError("a stored card variant has no card")
    index = ItemIndex.of(header["ids"], variants)
    return CardShelf(lines, index), tuple(header["lint_ignore"])


def item_key(card_id: str, variant: str) -> str:
    """A study item's id in its deck: the card id, or card id::variant for a sibling."""
    return f"{card_id}::{variant}" if variant else card_id


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
        index = self.item_index
        return Item(self.id, self.cards[index.places[number]], index.variants[number])

    def source_for(self, card: Card) -> Source | None:
        """The source a card cites, if the deck defines it."""
        return self.sources.get(card.source.ref) if card.source else None

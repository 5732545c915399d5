"""The deck model: decks, their cards of each type, and the study items cards give."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

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
    """Where a card class keeps its fields, for turning cards into plain rows and back."""

    cls: type[Card]
    names: tuple[str, ...]  # every field, in declaration order: the order of a card's row
    content: tuple[str, ...]  # the fields `to_dict` keeps (what a learner sees)
    # Indexes into a card's row: tuples (JSON gives lists), tuples of tuples, the source.
    tuples: tuple[int, ...]
    nested: tuple[int, ...]
    source_at: int


_LAYOUTS: dict[type[Card], _Layout] = {}


def _layout(cls: type[Card]) -> _Layout:
    layout = _LAYOUTS.get(cls)
    if layout is None:
        # Annotations are strings here (postponed evaluation), which is all this needs.
        kinds = [(f.name, str(f.type)) for f in dataclasses.fields(cls)]
        names = tuple(name for name, _ in kinds)
        layout = _Layout(
            cls=cls,
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


def _card_row(card: Card) -> list[Any]:
    """Every field of a card in declaration order, as JSON-ready values."""
    layout = _layout(type(card))
    values = card.__dict__
    row = [values[name] for name in layout.names]
    if card.source is not None:
        row[layout.source_at] = [card.source.ref, card.source.section]
    return row


def cards_to_snapshot(cards: Iterable[Card]) -> dict[str, Any]:
    """Cards as compact JSON-ready data: per type, their places in order and their fields."""
    groups: dict[str, dict[str, list[Any]]] = {}
    count = 0
    for at, card in enumerate(cards):
        group = groups.setdefault(card.TYPE, {"at": [], "rows": []})
        group["at"].append(at)
        group["rows"].append(_card_row(card))
        count = at + 1
    return {"count": count, "groups": groups}


def cards_from_snapshot(snapshot: dict[str, Any]) -> tuple[Card, ...]:
    """Rebuild the cards from `cards_to_snapshot` output (after a JSON round trip)."""
    groups = snapshot["groups"]
    if snapshot["count"] != sum(len(group["at"]) for group in groups.values()):
        raise ValueError("the snapshot does not count its cards")
    out: list[Card | None] = [None] * snapshot["count"]
    for type_name, group in groups.items():
        layout = _layout(CARD_TYPES[type_name])
        places, rows = group["at"], group["rows"]
        # Converted column by column, so that each conversion runs over a type's cards in C.
        columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
        if len(places) != len(rows) or len(columns) != len(layout.names):
            raise ValueError(f"the {type_name} cards do not match their fields")
        for i in layout.tuples:
            columns[i] = map(tuple, columns[i])
        for i in layout.nested:
            columns[i] = [tuple(map(tuple, value)) for value in columns[i]]
        columns[layout.source_at] = [
            None if s is None else SourceRef(*s) for s in columns[layout.source_at]
        ]
        names = layout.names
        for at, values in zip(places, zip(*columns, strict=True), strict=True):
            # Bypasses the frozen dataclass's __init__, which sets each field through
            # object.__setattr__: that would be most of the time re-opening a big deck takes.
            card = object.__new__(layout.cls)
            card.__dict__.update(zip(names, values, strict=True))
            out[at] = card
    cards = tuple(c for c in out if c is not None)
    if len(cards) != len(out):
        raise ValueError("the cards do not fill their places")
    return cards


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
    cards: tuple[Card, ...]
    description: str | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    settings: Settings = Settings()
    path: str | None = None
    lint_ignore: tuple[str, ...] = ()

    def items(self) -> list[Item]:
        """Every study item of the deck, in deck order."""
        return [Item(self.id, card, v) for card in self.cards for v in card.variants()]

    def source_for(self, card: Card) -> Source | None:
        """The source a card cites, if the deck defines it."""
        return self.sources.get(card.source.ref) if card.source else None

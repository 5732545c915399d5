"""The deck model: decks, their cards of each type, and the study items cards give."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

DEFAULT_NEW_PER_DAY = 20
DEFAULT_REVIEWS_PER_DAY = 200
DEFAULT_DESIRED_RETENTION = 0.9


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
        data = dataclasses.asdict(self)
        data["type"] = self.TYPE
        del data["line"]
        del data["lint_ignore"]
        return data

    def content_hash(self) -> str:
        """A hash of everything a learner sees, so edits can be detected."""
        raw = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


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


@dataclass(frozen=True)
class Item:
    """One thing to study: a card, or one variant of it (a reversed side, a cloze gap)."""

    deck_id: str
    card: Card
    variant: str = ""

    @property
    def key(self) -> str:
        """The item's id in its deck, which progress is keyed on."""
        return f"{self.card.id}::{self.variant}" if self.variant else self.card.id

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

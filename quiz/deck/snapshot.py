"""A deck's stored compact copy: what an unchanged deck re-opens from without its file."""

# Cards are rows of values, kept as the bytes read until each is asked for; `SNAPSHOT_FORMAT`
# changes whenever the bytes `snapshot_bytes` writes do.

from __future__ import annotations

import array
import dataclasses
import itertools
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from quiz.deck.model import (
    CARD_TYPES,
    TUPLE_OF_TUPLES,
    Card,
    Deck,
    ItemIndex,
    SourceRef,
)

_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# What `snapshot_bytes` writes; a stored snapshot of another format is parsed from its file again.
SNAPSHOT_FORMAT = 7


@dataclass(frozen=True)
class _Layout:
    """Where a card class keeps its fields, for turning cards into rows of values and back."""

    cls: type[Card]
    names: tuple[str, ...]  # every field, in declaration order: the order of a card's row
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
            tuples=tuple(
                i
                for i, (n, k) in enumerate(kinds)
                if k.startswith("tuple[") and n not in TUPLE_OF_TUPLES
            ),
            nested=tuple(i for i, n in enumerate(names) if n in TUPLE_OF_TUPLES),
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

"""The deck format's words: the keys each mapping may and must have, slugs and booleans."""

from __future__ import annotations

import re
from dataclasses import dataclass

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# The words a true-or-false value may be written as, in any case.
TRUE_WORDS = frozenset({"true", "yes", "on"})
FALSE_WORDS = frozenset({"false", "no", "off"})


@dataclass(frozen=True)
class Keys:
    """The keys one kind of mapping in a deck may have, in order, and those it must have."""

    allowed: tuple[str, ...]
    required: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The loader, the schema and the linter would disagree about a required key not allowed.
        assert set(self.required) <= set(self.allowed), self


DECK = Keys(
    ("deck", "title", "description", "sources", "tags", "settings", "lint", "cards"),
    ("deck", "title", "cards"),
)
SOURCE = Keys(("title", "author", "publisher", "date", "note", "url"))
# A card's `source:` written as a mapping rather than as a key of the deck's sources.
SOURCE_REF = Keys(("ref", "section"), ("ref",))
SETTINGS = Keys(("new_per_day", "reviews_per_day", "desired_retention"))
LINT = Keys(("ignore",))
# The keys every card may have, whatever its type.
COMMON_KEYS = ("id", "type", "explanation", "source", "tags", "lint")
# Each card type's own keys; those in `OPTIONAL_CARD_KEYS` may be left out.
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "flashcard": ("front", "back", "reverse"),
    "choice": ("question", "choices", "answer", "shuffle"),
    "true_false": ("statement", "answer"),
    "cloze": ("text",),
    "typed": ("question", "answer", "accept"),
    "numeric": ("question", "answer", "tolerance", "unit"),
    "order": ("question", "items"),
    "match": ("question", "pairs"),
}
OPTIONAL_CARD_KEYS = frozenset({"reverse", "shuffle", "accept", "tolerance", "unit"})


def required_keys(card_type: str) -> tuple[str, ...]:
    """The keys a card of this type must have."""
    return tuple(k for k in TYPE_KEYS[card_type] if k not in OPTIONAL_CARD_KEYS)


# A card's keys by type: the common ones, then its own.
CARD: dict[str, Keys] = {
    card_type: Keys((*COMMON_KEYS, *own), required_keys(card_type))
    for card_type, own in TYPE_KEYS.items()
}

"""The deck format's words: the keys each mapping may and must have, slugs and booleans."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What the schema can say of a tag (JSON Schema patterns have no Unicode classes): words of
# anything but spaces, ASCII capitals and ASCII punctuation, joined by single hyphens.
_TAG_WORD = r"[^\s!-/:-@A-Z\[-`{-~]+"
TAG_PATTERN = f"^{_TAG_WORD}(?:-{_TAG_WORD})*$"


def is_tag(text: str) -> bool:
    """A tag: lowercase words of letters and digits of any script (NFC), joined by hyphens."""
    # Unicode, not ASCII slugs, so Anki's 'Столицы' or '地理' stay tags; lowercase and NFC, so
    # the same tag is always the same string and `tag:` search finds it by equality.
    if text != text.lower() or not unicodedata.is_normalized("NFC", text):
        return False
    return all(
        word
        and unicodedata.category(word[0])[0] in "LN"
        and all(unicodedata.category(char)[0] in "LMN" for char in word)
        for word in text.split("-")
    )


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

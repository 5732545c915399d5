"""The deck format's size limits, in one place: past any of them a deck is refused, not worked on.

Each limit is far beyond what a real deck writes, and low enough that everything quiz does with
a deck at the limit (checking, syncing, studying, showing a card) stays quick. Each is checked
on the YAML before anything is built from the part it limits, and has its own rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limit:
    """A most-allowed count or length: what it counts, its rule, and why it is where it is."""

    rule: str
    most: int
    counts: str  # a plural noun phrase: "gaps", "match pairs"
    why: str

    def said(self, found: int) -> str:
        """What was found, and the limit with its reason."""
        return f"{found:,} {self.counts}; at most {self.most:,} {self.why}"

    def message(self, name: str, found: int) -> str:
        """The error past the limit, about the part named."""
        return f"{name}: {self.said(found)}"


CARDS = Limit("too-many-cards", 100_000, "cards", "in one deck: split it into several decks")
GAPS = Limit("too-many-gaps", 500, "gaps", "in one cloze: split the text into several clozes")
# The study screen picks a choice by its number, typed as one or two digits.
CHOICES = Limit("too-many-choices", 99, "choices", "can be picked with two-digit numbers")
# The study screen assigns a match by the letter of its right-hand option.
PAIRS = Limit("too-many-pairs", 26, "match pairs", "can be assigned from the keyboard (a-z)")
ITEMS = Limit("too-many-items", 99, "items to order", "in one order card")
ACCEPTED = Limit("too-many-answers", 100, "accepted answers", "in one card or gap")
# Each of a card's study items is tagged with each tag in the store: a cloze's gaps times tags.
TAGS = Limit("too-many-tags", 100, "tags", "on one card or deck")
# Characters of one text field as written: a long passage is a few thousand.
TEXT = Limit("text-too-long", 20_000, "characters", "in one text field")
# The highest gap number `{{cN::...}}` a cloze may write (Anki's own numbers stay far below).
MAX_GAP_NUMBER = 9_999

LIMITS = (CARDS, GAPS, CHOICES, PAIRS, ITEMS, ACCEPTED, TAGS, TEXT)


def past_limits(card: Mapping[str, Any]) -> str | None:
    """Why a card read from another format (as the fields a deck writes) would be refused."""
    for key, value in card.items():
        if isinstance(value, str) and len(value) > TEXT.most:
            return f"its {key} has {TEXT.said(len(value))}"
    counted = (("choices", CHOICES), ("items", ITEMS), ("accept", ACCEPTED), ("tags", TAGS))
    for key, limit in counted:
        if len(card.get(key) or ()) > limit.most:
            return limit.said(len(card[key]))
    if len(card.get("pairs") or ()) > PAIRS.most:
        return PAIRS.said(len(card["pairs"]))
    text = card.get("text")
    if card.get("type") == "cloze" and isinstance(text, str) and text.count("{{") > GAPS.most:
        return GAPS.said(text.count("{{"))
    return None

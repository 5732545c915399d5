"""Write imported cards as a readable YAML deck that the loader reads back exactly."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from quiz.deck.text import clean_text, slugify
from quiz.deck.vocabulary import SLUG

# What PyYAML refuses in a stream, plus the characters YAML 1.1 counts as line breaks.
_UNSAFE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_PLAIN_NUMBER = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$")
_FLOW_WIDTH = 80
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


@dataclass
class ImportedDeck:
    """Cards read from another format, as the fields a YAML deck writes, before ids are given."""

    title: str
    cards: list[dict[str, Any]] = field(default_factory=list)
    # Notes or rows left out, each with its reason: said to the user, not written.
    skipped: list[str] = field(default_factory=list)
    # What was left out of cards that were imported, or changed on the way.
    notes: list[str] = field(default_factory=list)


def quote(text: str) -> str:
    """A YAML double-quoted scalar for any text."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in _ESCAPES:
            return _ESCAPES[char]
        code = ord(char)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return '"' + re.sub(r'[\\"\n\t\r]|' + _UNSAFE.pattern, escape, text) + '"'


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return quote(str(value))


def _list(values: Iterable[Any], indent: str) -> str:
    items = [_scalar(v) for v in values]
    flow = "[" + ", ".join(items) + "]"
    if len(flow) + len(indent) <= _FLOW_WIDTH:
        return " " + flow
    return "".join(f"\n{indent}  - {item}" for item in items)


def _entry(key: str, value: Any, indent: str) -> str:
    if isinstance(value, list | tuple):
        return f"{indent}{key}:{_list(value, indent)}\n"
    if isinstance(value, dict):
        rows = "".join(f"{indent}  {quote(k)}: {_scalar(v)}\n" for k, v in value.items())
        return f"{indent}{key}:\n{rows}"
    return f"{indent}{key}: {_scalar(value)}\n"


def number_text(text: str) -> str | int | float:
    """A numeric answer as YAML writes it: plain when it reads back as the same text."""
    if _PLAIN_NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def unique_ids(cards: list[dict[str, Any]]) -> None:
    """Give every card a slug id, unique in the deck: its own if valid, else one from its text."""
    # Ids a card brings (from an earlier export) are kept first, so made-up ones step aside.
    own = [str(card.get("id") or "") for card in cards]
    taken = {wanted for wanted in own if SLUG.match(wanted)}
    kept: set[str] = set()
    for card, wanted in zip(cards, own, strict=True):
        if wanted in taken and wanted not in kept:
            kept.add(wanted)
            card["id"] = wanted
            continue
        prompt = next(
            (str(card[k]) for k in ("front", "question", "statement", "text") if k in card), ""
        )
        base = slugify(re.sub(r"\{\{.*?\}\}", " ", prompt), max_length=40) or "card"
        made, n = base, 1
        while made in taken:
            n += 1
            made = f"{base}-{n}"
        taken.add(made)
        kept.add(made)
        card["id"] = made


def hoist_tags(cards: list[dict[str, Any]]) -> list[str]:
    """Tags every card has, taken off the cards to become the deck's."""
    if len(cards) < 2:
        return []
    common = set(cards[0].get("tags", []))
    for card in cards[1:]:
        common &= set(card.get("tags", []))
    hoisted = [t for t in cards[0].get("tags", []) if t in common]
    for card in cards:
        kept = [t for t in card.get("tags", []) if t not in common]
        if kept:
            card["tags"] = kept
        else:
            card.pop("tags", None)
    return hoisted


CARD_ORDER = (
    "id", "type", "front", "back", "reverse", "question", "statement", "text", "choices",
    "answer", "accept", "tolerance", "unit", "items", "pairs", "explanation", "source", "tags",
)  # fmt: skip


def prepare(cards: list[dict[str, Any]]) -> None:
    """Make imported cards ready to write: texts cleaned, every card a unique slug id."""
    for card in cards:
        for key, value in card.items():
            if isinstance(value, str):
                card[key] = clean_text(value).strip()
    unique_ids(cards)


def card_yaml(card: dict[str, Any]) -> str:
    """One card as an item of the deck's `cards:` list, its keys in the usual order."""
    keys = sorted(card, key=lambda k: CARD_ORDER.index(k) if k in CARD_ORDER else 99)
    lines = [_entry(k, card[k], "    ") for k in keys if card[k] not in (None, "", [], {})]
    return "  - " + "".join(lines)[4:]


def deck_yaml(deck_id: str, imported: ImportedDeck, origin: str, *, hoist: bool = True) -> str:
    """The YAML text of a deck made of imported cards (tags all cards share made the deck's)."""
    cards = imported.cards
    prepare(cards)
    deck_tags = hoist_tags(cards) if hoist else []
    silenced = ["missing-source"]
    if any(not c.get("explanation") for c in cards):
        silenced.insert(0, "missing-explanation")
    out = [
        f"# Imported from {origin} by `quiz import`. Check it with `quiz check`.\n",
        f"deck: {deck_id}\n",
        f"title: {quote(imported.title)}\n",
    ]
    if deck_tags:
        out.append(f"tags:{_list(deck_tags, '')}\n")
    out.append("# Imported cards have no sources yet: remove names here as you add them.\n")
    out.append(f"lint: {{ignore: [{', '.join(silenced)}]}}\n")
    out.append("cards:\n")
    out.extend(card_yaml(card) for card in cards)
    return "".join(out)

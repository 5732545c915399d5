"""Decks: the model, the YAML loader, and problems reported with their place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quiz.deck.files import deck_files
from quiz.deck.model import Card, Deck, Item
from quiz.deck.problems import DeckError, Problem, Severity

if TYPE_CHECKING:
    from quiz.deck.loader import check_deck, load_deck, parse_deck

__all__ = [
    "Card",
    "Deck",
    "DeckError",
    "Item",
    "Problem",
    "Severity",
    "check_deck",
    "deck_files",
    "load_deck",
    "parse_deck",
]

_LOADER_NAMES = ("check_deck", "load_deck", "parse_deck")


def __getattr__(name: str) -> Any:
    # The loader brings in the YAML parser, which opening an unchanged deck never needs.
    if name in _LOADER_NAMES:
        from quiz.deck import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

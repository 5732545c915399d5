"""Decks: the model, the YAML loader, and problems reported with their place."""

from quiz.deck.loader import check_deck, deck_files, load_deck, parse_deck
from quiz.deck.model import Card, Deck, Item
from quiz.deck.problems import DeckError, Problem, Severity

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

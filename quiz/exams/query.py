"""The small search syntax exams draw with: `tag:NAME` and `type:TYPE` terms, all must hold."""

from __future__ import annotations

from dataclasses import dataclass

from quiz.deck.model import CARD_TYPES, Card, Deck
from quiz.deck.vocabulary import is_tag

# The subset of the learner search syntax that exists so far; other fields are refused by name.
FIELDS = ("tag", "type")


class QueryError(ValueError):
    """A query that cannot be read; the message names the term."""


@dataclass(frozen=True)
class Query:
    """Terms joined by AND: every tag must be on the card (or its deck), the type must match."""

    text: str
    tags: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    def matches(self, deck: Deck, card: Card) -> bool:
        """True when the card meets every term."""
        if self.types and card.type not in self.types:
            return False
        tags = set(card.tags) | set(deck.tags)
        return all(tag in tags for tag in self.tags)


def parse_query(text: str) -> Query:
    """A query from its text, or `QueryError` saying which term is wrong."""
    tags: list[str] = []
    types: list[str] = []
    terms = text.split()
    if not terms:
        raise QueryError("the query is empty")
    for term in terms:
        name, colon, value = term.partition(":")
        if not colon or not value:
            raise QueryError(f"term '{term}' must be field:value (fields: tag, type)")
        if name == "tag":
            if not is_tag(value):
                raise QueryError(f"tag '{value}' must be a tag like 'treaty' or 'столицы'")
            tags.append(value)
        elif name == "type":
            if value not in CARD_TYPES:
                raise QueryError(f"unknown card type '{value}' in '{term}'")
            types.append(value)
        else:
            raise QueryError(f"unknown field '{name}' in '{term}' (fields: tag, type)")
    if len(set(types)) > 1:
        # AND of two types matches nothing: say so rather than draw from an empty pool.
        raise QueryError("a card has one type: two type: terms can never both hold")
    return Query(text, tuple(dict.fromkeys(tags)), tuple(dict.fromkeys(types)))

"""Where a deck's parts are in its file, from the YAML the loader composed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz.deck.model import Card
from quiz.deck.problems import Problem
from quiz.deck.rules import RULES


@dataclass
class Layout:
    """The composed YAML of a deck file, to place problems at their keys and values."""

    root: MappingNode | None
    cards: dict[int, MappingNode]
    # Each card mapping's place in the list (1-based), by its first line.
    numbers: dict[int, int] = field(default_factory=dict)
    # Each card's keys and their values, by its first line, as rules first ask for them: a
    # deck's warnings ask for a few keys of every card, each a walk over the card's keys.
    _fields: dict[int, dict[str, Node]] = field(default_factory=dict, repr=False)
    # How problems name each card, by its first line and id: several rules name every card.
    _names: dict[tuple[int, str], str] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, root: Node | None) -> Layout:
        """The layout of a composed deck; an empty one when it is not a mapping."""
        if not isinstance(root, MappingNode):
            return cls(None, {})
        cards_node = value(root, "cards")
        cards: dict[int, MappingNode] = {}
        numbers: dict[int, int] = {}
        if isinstance(cards_node, SequenceNode):
            for number, node in enumerate(cards_node.value, start=1):
                if isinstance(node, MappingNode):
                    cards[node.start_mark.line + 1] = node
                    numbers[node.start_mark.line + 1] = number
        return cls(root, cards, numbers)

    def name(self, card: Card) -> str:
        """How problems name a card: by the id written in it, else by its place in the list."""
        key = (card.line, card.id)
        name = self._names.get(key)
        if name is None:
            node = self.card(card)
            if node is not None and self.field(card, "id") is None and card.line in self.numbers:
                name = f"card #{self.numbers[card.line]}"
            else:
                name = f"card '{card.id}'"
            self._names[key] = name
        return name

    def card(self, card: Card) -> MappingNode | None:
        """The mapping a card was read from."""
        return self.cards.get(card.line)

    def field(self, card: Card, key: str) -> Node | None:
        """The value of one of a card's keys."""
        fields = self._fields.get(card.line)
        if fields is None:
            node = self.card(card)
            if node is None:
                return None
            # The first of a repeated key, as `value` finds it.
            fields = {k.value: v for k, v in reversed(node.value) if isinstance(k, ScalarNode)}
            self._fields[card.line] = fields
        return fields.get(key)

    def span(self, card: Card) -> tuple[int, int]:
        """First and last line of a card's mapping."""
        node = self.card(card)
        return card.line, max(card.line, last_line(node)) if node else card.line


def last_line(node: Node) -> int:
    """The 1-based last line a node's text is on."""
    # A block collection ends where the next token starts, often the next card's line:
    # its last scalar or flow collection says where it really ends.
    while isinstance(node, MappingNode | SequenceNode) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    end = node.end_mark
    # A block scalar (| or >) ends at the start of the line after its text.
    return end.line if end.column == 0 and end.line > node.start_mark.line else end.line + 1


def value(node: Node | None, key: str) -> Node | None:
    """The value of `key` in a mapping node; None when there is none."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            found: Node = value_node
            return found
    return None


def scalars(node: Node | None) -> Iterator[ScalarNode]:
    """Every scalar under a node, keys too, each once even if an alias repeats it."""
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, MappingNode):
            for key, value_node in current.value:
                stack.extend((key, value_node))


def at(path: str, node: Node | None, card: Card, rule: str, message: str) -> Problem:
    """A problem of `rule` at the node, or at the card's first line when the node is unknown."""
    if node is not None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
    else:
        line, column = card.line, 1
    return Problem(path, line, column, RULES[rule].severity, message, rule)

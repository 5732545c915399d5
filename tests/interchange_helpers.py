"""What the import and export tests share: running the CLI, loading decks, a small deck."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from quiz.cli import main
from quiz.deck.loader import check_deck, parse_deck
from quiz.deck.model import Deck


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def load(path: Path) -> Deck:
    deck, problems = check_deck(path)
    assert deck is not None, problems
    return deck


def deck_of(text: str) -> Deck:
    deck, problems = parse_deck(text, "d.yaml")
    assert deck is not None, problems
    return deck


FLASHCARDS = """\
deck: terms
title: "Terms"
tags: [csto]
cards:
  - id: treaty-year
    front: "In which year was the treaty signed?"
    back: "1992"
    reverse: true
    explanation: "Ten years before the organisation, in Tashkent."
    tags: [history]
  - id: secretariat
    front: "Where is the secretariat, \\"officially\\"?"
    back: "Moscow,\\nRussia"
  - id: members
    front: "How many members; and who?"
    back: "Six\\tstates"
    tags: [members, history]
"""

"""`quiz schema`: a JSON Schema that every good deck matches and bad decks do not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from test_loader import EVERY_TYPE
from testkit import TEST_DECKS

from quiz.cli import main
from quiz.deck.loader import parse_deck
from quiz.deck.rules import RULES
from quiz.deck.schema import deck_schema
from quiz.deck.starter import starter_deck
from quiz.deck.vocabulary import COMMON_KEYS, DECK, TYPE_KEYS
from quiz.library import bundled_decks_dir


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it: dates stay text (YAML 1.2 has none)."""


EditorLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = deck_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(validator: Draft202012Validator, text: str) -> list[str]:
    data: Any = yaml.load(text, Loader=EditorLoader)
    return [e.message for e in validator.iter_errors(data)]


DECK_FILES = sorted(bundled_decks_dir().glob("*.yaml")) + sorted(TEST_DECKS.glob("*.yaml"))


@pytest.mark.parametrize("path", DECK_FILES, ids=lambda p: p.name)
def test_every_bundled_and_test_deck_matches_the_schema(
    validator: Draft202012Validator, path: Path
) -> None:
    assert errors(validator, path.read_text(encoding="utf-8")) == []


def test_the_loader_tests_deck_of_every_type_and_the_starter_match(
    validator: Draft202012Validator,
) -> None:
    assert errors(validator, EVERY_TYPE) == []
    assert errors(validator, starter_deck(Path("my-deck.yaml"))) == []


HEAD = "deck: d\ntitle: T\ncards:\n"
FLASHCARD = "  - {id: a, front: F, back: B}\n"


def card(fields: str) -> str:
    """A deck of one card, written as a flow mapping's fields."""
    return HEAD + f"  - {{id: a, {fields}}}\n"


def deck_with(key: str) -> str:
    """A deck of one good flashcard and one more deck-level line."""
    return HEAD.replace("cards:", f"{key}\ncards:") + FLASHCARD


# Bad decks like those of tests/test_loader.py: the loader refuses each, and so must the schema.
BAD_DECKS = {
    "missing title": "deck: d\ncards:\n" + FLASHCARD,
    "missing cards": "deck: d\ntitle: T\n",
    "unknown deck key": deck_with("tittle: U"),
    "deck id not a slug": HEAD.replace("deck: d", "deck: My Deck") + FLASHCARD,
    "cards not a list": HEAD + "  a: b\n",
    "no cards": "deck: d\ntitle: T\ncards: []\n",
    "card not a mapping": HEAD + "  - just text\n",
    "misspelt key": card("front: F, back: B, explantion: E"),
    "other type's key": card("question: Q, front: F, back: B"),
    "missing back": card("front: F"),
    "unknown type": card("type: essay, question: Q"),
    "card id not a slug": HEAD + "  - {id: Bad_Id, front: F, back: B}\n",
    "empty text": card("front: '', back: B"),
    "blank text": card("front: '   ', back: B"),
    "text is a list": card("front: [F], back: B"),
    "one choice": card("type: choice, question: Q, choices: [A], answer: A"),
    "same choice twice": card("type: choice, question: Q, choices: [A, B, A], answer: A"),
    "choice without answer": card("type: choice, question: Q, choices: [A, B]"),
    "empty answer list": card("type: choice, question: Q, choices: [A, B], answer: []"),
    "true_false not a boolean": card("type: true_false, statement: S, answer: maybe"),
    "cloze without gaps": card("type: cloze, text: 'No gaps here.'"),
    "cloze with an empty gap": card("type: cloze, text: 'A {{}} gap.'"),
    "cloze with an empty alternative": card("type: cloze, text: 'A {{x|}} gap.'"),
    "numeric answer not a number": card("type: numeric, question: Q, answer: lots"),
    "negative tolerance": card("type: numeric, question: Q, answer: 3, tolerance: -1"),
    "tolerance not a number": card("type: numeric, question: Q, answer: 3, tolerance: some"),
    "one item": card("type: order, question: Q, items: [A]"),
    "same item twice": card("type: order, question: Q, items: [A, B, A]"),
    "one pair": card("type: match, question: Q, pairs: {A: '1'}"),
    "pairs not a mapping": card("type: match, question: Q, pairs: [A, B]"),
    "reverse not a boolean": card("front: F, back: B, reverse: sometimes"),
    "tag not a slug": card("front: F, back: B, tags: [Not A Slug]"),
    "source without ref": card("front: F, back: B, source: {section: S}"),
    "source with unknown key": card("front: F, back: B, source: {ref: s, page: 3}"),
    "unknown settings key": deck_with("settings: {new_cards: 3}"),
    "retention out of range": deck_with("settings: {desired_retention: 2}"),
    "negative new per day": deck_with("settings: {new_per_day: -1}"),
    "unknown source key": deck_with("sources: {s: {titel: X}}"),
    "lint not a mapping": card("front: F, back: B, lint: [few-items]"),
}


@pytest.mark.parametrize("text", BAD_DECKS.values(), ids=BAD_DECKS.keys())
def test_schema_rejects_what_the_loader_rejects(validator: Draft202012Validator, text: str) -> None:
    deck, problems = parse_deck(text, "bad.yaml")
    assert deck is None, problems
    assert errors(validator, text) != []


def test_schema_offers_only_known_rule_names_to_ignore(validator: Draft202012Validator) -> None:
    good = HEAD + "  - {id: a, front: F, back: B, lint: {ignore: [missing-source]}}\n"
    assert errors(validator, good) == []
    assert errors(validator, good.replace("missing-source", "no-such-rule")) != []
    assert set(deck_schema()["$defs"]["lint"]["properties"]["ignore"]["items"]["enum"]) == set(
        RULES
    )


def test_schema_has_every_key_the_loader_knows() -> None:
    schema = deck_schema()
    assert list(schema["properties"]) == list(DECK.allowed)
    for card_type, own in TYPE_KEYS.items():
        assert set(schema["$defs"][card_type]["properties"]) == {*COMMON_KEYS, *own}
        for key, field in schema["$defs"][card_type]["properties"].items():
            assert field["description"], (card_type, key)


def test_a_card_without_type_is_checked_as_a_flashcard(validator: Draft202012Validator) -> None:
    assert errors(validator, HEAD + "  - {id: a, front: F, back: B}\n") == []
    assert errors(validator, HEAD + "  - {id: a, question: Q, answer: A}\n") != []


def test_quiz_schema_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed == deck_schema()
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"

"""Property tests: any input to the loader gives a deck or problems; grading never raises."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit import TEST_DECKS

from quiz.deck.files import decode_deck
from quiz.deck.loader import parse_deck
from quiz.deck.model import Deck, Item
from quiz.deck.problems import Problem, Severity
from quiz.deck.vocabulary import COMMON_KEYS, DECK, TYPE_KEYS
from quiz.grading import Grade, Outcome, grade, is_self_rated
from quiz.scheduler import Rating

# Fixed examples (derandomize), so a run is repeatable; no deadline, as machines differ.
EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
EVERY_TYPE = (TEST_DECKS / "every-type.yaml").read_text(encoding="utf-8")
# What a terminal acts on or that makes text read otherwise than it is: controls, DEL, bidi.
UNSAFE_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A message is one line: no tab or line break of any kind either.
UNSAFE_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def assert_deck_or_problems(result: tuple[Deck | None, list[Problem]]) -> None:
    """The loader's contract: a deck with only warnings, or no deck and at least one error."""
    deck, problems = result
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert (deck is None) == bool(errors)
    for problem in problems:
        assert problem.path == "x.yaml"
        # A place in the file, or none at all (line and column 0) for a whole-file problem.
        assert (problem.line >= 1 and problem.column >= 1) or problem.line == problem.column == 0
        line = str(problem)
        assert not UNSAFE_IN_A_LINE.search(line), line
    if deck is not None:
        assert deck.cards
        for card in deck.cards:
            for text in strings(card.to_dict()):
                assert not UNSAFE_IN_TEXT.search(text), text


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


@EXAMPLES
@given(st.text(st.characters(exclude_categories=())))  # lone surrogates included
def test_any_text(text: str) -> None:
    assert_deck_or_problems(parse_deck(text, "x.yaml"))


@EXAMPLES
@given(st.binary())
def test_any_bytes(data: bytes) -> None:
    text, problems = decode_deck(data, "x.yaml")
    if text is None:
        assert_deck_or_problems((None, problems))
    else:
        assert_deck_or_problems(parse_deck(text, "x.yaml"))


# Text that looks like a deck gets past YAML and into the deck rules.

KEYS = sorted({*DECK.allowed, *COMMON_KEYS, *(k for keys in TYPE_KEYS.values() for k in keys)})
scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from([*KEYS, *TYPE_KEYS, "true", "no", "1e400", "nan", "-1", "5%", "{{a|b}}"]),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=10))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=12,
)
cards = st.dictionaries(
    st.sampled_from(KEYS), values | st.sampled_from(list(TYPE_KEYS)), max_size=6
) | st.fixed_dictionaries(
    {"id": st.text(max_size=12), "type": st.sampled_from(list(TYPE_KEYS))},
    optional={k: values for k in KEYS if k not in ("id", "type")},
)
decks = st.fixed_dictionaries(
    {"deck": values, "title": values, "cards": st.lists(cards, max_size=4)},
    optional={"description": values, "tags": values, "settings": values, "sources": values},
)


@EXAMPLES
@given(decks, st.sampled_from(["yaml", "flow", "json"]))
def test_deck_shaped_data(data: dict[str, Any], style: str) -> None:
    if style == "json":
        text = json.dumps(data, allow_nan=True)
    else:
        text = yaml.safe_dump(data, default_flow_style=style == "flow", allow_unicode=True)
    assert_deck_or_problems(parse_deck(text, "x.yaml"))


@EXAMPLES
@given(st.data())
def test_edits_of_a_valid_deck(data: st.DataObject) -> None:
    # Cut, insert and repeat pieces of a real deck: near misses of every rule.
    text = EVERY_TYPE
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        edit = data.draw(st.sampled_from(["cut", "insert", "repeat"]))
        if edit == "cut":
            text = text[:at] + text[at + data.draw(st.integers(1, 40)) :]
        elif edit == "insert":
            piece = data.draw(
                st.text(max_size=12) | st.sampled_from(["\t", "&a ", "*a", "- ", ": "])
            )
            text = text[:at] + piece + text[at:]
        else:
            end = data.draw(st.integers(at, min(len(text), at + 80)))
            text = text[:end] + text[at:end] + text[end:]
    assert_deck_or_problems(parse_deck(text, "x.yaml"))


# Grading

DECK, _ = parse_deck(EVERY_TYPE, "every-type.yaml")
assert DECK is not None
GRADED = [item for item in DECK.items() if not is_self_rated(item)]
responses = st.one_of(
    st.text(),
    st.booleans(),
    st.lists(st.text(max_size=20), max_size=6),
    st.lists(st.sampled_from([c for i in GRADED for c in strings(i.card.to_dict())]), max_size=6),
    st.dictionaries(st.text(max_size=20), st.text(max_size=20), max_size=6),
    st.none(),
    st.integers(),
    st.floats(),
)


@EXAMPLES
@given(st.sampled_from(GRADED), responses)
def test_grading_any_response_gives_a_grade(item: Item, response: Any) -> None:
    result = grade(item, response)
    assert isinstance(result, Grade)
    assert result.outcome in Outcome
    assert result.proposed in Rating
    assert isinstance(result.expected, str)

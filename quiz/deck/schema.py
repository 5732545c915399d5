"""The JSON Schema of the deck format, built from the same tables of keys as the loader."""

from __future__ import annotations

from typing import Any

from quiz.deck import limits
from quiz.deck.rules import RULES
from quiz.deck.vocabulary import (
    CARD,
    DECK,
    FALSE_WORDS,
    LINT,
    SETTINGS,
    SLUG,
    SOURCE,
    SOURCE_REF,
    TAG_PATTERN,
    TRUE_WORDS,
    TYPE_KEYS,
    Keys,
)

Schema = dict[str, Any]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Every string field is read exactly as written, so a YAML number or boolean is text too.
_TEXT: Schema = {
    "type": ["string", "number", "boolean"],
    "pattern": r"\S",
    "maxLength": limits.TEXT.most,
}
_TEXTS: Schema = {"type": "array", "items": {"$ref": "#/$defs/text"}}
_SLUG: Schema = {
    "anyOf": [
        {"type": "string", "pattern": SLUG.pattern},
        {"type": "integer", "minimum": 0},
    ]
}
_NUMBER = r"(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?"
_NUMBER_TEXT = rf"^\s*[+-]?{_NUMBER}\s*$"
_TOLERANCE_TEXT = rf"^\s*\+?{_NUMBER}\s*%?\s*$"
# A gap with an empty answer or hint: '{{}}', '{{|a}}', '{{a|}}', '{{a||b}}', '{{c1::}}',
# '{{a::}}'; an escaped bar ('{{a\|}}') is an answer's own character.
_EMPTY_GAP = (
    r"\{\{\s*(?:c[0-9]+::\s*)?(?:[|}]|::)|\{\{(?:[^}\\|]|\\.)*\|\s*(?:[|}]|::)"
    r"|\{\{(?:[^}\\]|\\.)*::\s*\}\}"
)


def _either_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


_BOOLEAN: Schema = {
    "anyOf": [
        {"type": "boolean"},
        {
            "type": "string",
            "pattern": "^(?:"
            + "|".join(_either_case(w) for w in sorted(TRUE_WORDS | FALSE_WORDS))
            + ")$",
        },
    ]
}

_DESCRIPTIONS: dict[str, str] = {
    "deck": "The deck's stable id, a slug like 'csto-basics'.",
    "title": "The deck's title.",
    "description": "What the deck is about.",
    "sources": "Works the cards cite, by key.",
    "tags": "Tags (lowercase words, any script); a deck's tags are added to every card.",
    "settings": "Per-deck study defaults.",
    "lint": "Lint rules to silence (for the whole deck, or for one card).",
    "cards": "The cards.",
    "id": "Slug, unique in the deck; progress is keyed on it, so keep it when editing.",
    "type": "The card type (default: flashcard).",
    "explanation": "Shown after the answer: context in one to three sentences.",
    "source": "A key of 'sources:', or {ref: key, section: ...}.",
    "front": "The question side.",
    "back": "The answer side.",
    "reverse": "Also ask back -> front, as a sibling card.",
    "question": "The question.",
    "choices": "Two or more choices, all different.",
    "shuffle": "Shuffle the choices when shown (default true).",
    "statement": "A statement that is true or false.",
    "text": (
        "Text with gaps written {{answer}}, {{answer|alternative}}, {{answer::hint}} or "
        "{{c3::answer}} (a number that stays with the gap); \\| \\: \\{ \\} are literal."
    ),
    "accept": "Other accepted answers.",
    "tolerance": "Allowed error: absolute like 50, or a percentage like '5%'.",
    "unit": "The unit of the answer, shown to the learner.",
    "items": "The items in their correct order.",
    "pairs": "Each left item mapped to its right item.",
    "new_per_day": "New cards introduced per day (default 20).",
    "reviews_per_day": "Reviews per day (default 200).",
    "desired_retention": "FSRS target recall probability, 0.7 to 0.99 (default 0.9).",
    "ignore": "Rule names to silence.",
    "author": "Who wrote the source.",
    "publisher": "Who published the source.",
    "date": "When the source was published.",
    "note": "Anything else worth knowing about the source.",
    "url": "Where to find the source.",
    "ref": "A key of 'sources:'.",
    "section": "The part of the source the card comes from.",
}

_ANSWER_DESCRIPTIONS = {
    "choice": "One of the choices, or a list of them for select-all-that-apply.",
    "true_false": "true or false.",
    "typed": "The answer to type.",
    "numeric": "The number to type.",
}


def _count(minimum: int) -> Schema:
    return {
        "anyOf": [
            {"type": "integer", "minimum": minimum},
            {"type": "string", "pattern": r"^\s*[0-9][0-9_]*\s*$"},
        ]
    }


def _shape(card_type: str | None, key: str) -> Schema:
    """The schema of one key: of a card type when `card_type` is given, else of the deck."""
    text_ref: Schema = {"$ref": "#/$defs/text"}
    by_type: dict[tuple[str | None, str], Schema] = {
        ("choice", "answer"): {
            "anyOf": [
                text_ref,
                {**_TEXTS, "minItems": 1, "maxItems": limits.CHOICES.most, "uniqueItems": True},
            ]
        },
        ("true_false", "answer"): {"$ref": "#/$defs/boolean"},
        ("numeric", "answer"): {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": _NUMBER_TEXT}]
        },
    }
    shapes: dict[str, Schema] = {
        "deck": {"$ref": "#/$defs/slug"},
        "id": {"$ref": "#/$defs/slug"},
        "type": {"enum": list(TYPE_KEYS), "default": "flashcard"},
        "sources": {"type": "object", "additionalProperties": {"$ref": "#/$defs/source"}},
        "tags": {
            "type": "array",
            "items": {"$ref": "#/$defs/tag"},
            "uniqueItems": True,
            "maxItems": limits.TAGS.most,
        },
        "settings": {"$ref": "#/$defs/settings"},
        "lint": {"$ref": "#/$defs/lint"},
        "cards": {
            "type": "array",
            "minItems": 1,
            "maxItems": limits.CARDS.most,
            "items": {"$ref": "#/$defs/card"},
        },
        "source": {
            "anyOf": [
                text_ref,
                {
                    "type": "object",
                    "properties": {key: text_ref for key in SOURCE_REF.allowed},
                    "required": list(SOURCE_REF.required),
                    "additionalProperties": False,
                },
            ]
        },
        "reverse": {"$ref": "#/$defs/boolean"},
        "shuffle": {"$ref": "#/$defs/boolean"},
        "choices": {
            **_TEXTS,
            "minItems": 2,
            "maxItems": limits.CHOICES.most,
            "uniqueItems": True,
        },
        "items": {**_TEXTS, "minItems": 2, "maxItems": limits.ITEMS.most, "uniqueItems": True},
        "accept": {**_TEXTS, "maxItems": limits.ACCEPTED.most},
        "text": {"type": "string", "pattern": r"\{\{.*?\}\}", "not": {"pattern": _EMPTY_GAP}},
        "tolerance": {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _TOLERANCE_TEXT},
            ]
        },
        "pairs": {
            "type": "object",
            "minProperties": 2,
            "maxProperties": limits.PAIRS.most,
            "additionalProperties": text_ref,
        },
        "new_per_day": _count(0),
        "reviews_per_day": _count(0),
        "desired_retention": {"type": "number", "minimum": 0.7, "maximum": 0.99},
        "ignore": {
            "type": "array",
            "items": {"enum": sorted(RULES)},
            "uniqueItems": True,
        },
    }
    shape = by_type.get((card_type, key)) or shapes.get(key) or text_ref
    description = (
        _ANSWER_DESCRIPTIONS[card_type]
        if key == "answer" and card_type
        else _DESCRIPTIONS[key]  # a key the loader knows but this table does not: fail loudly
    )
    return {**shape, "description": description}


def _object(keys: Keys, card_type: str | None = None) -> Schema:
    schema: Schema = {
        "type": "object",
        "properties": {key: _shape(card_type, key) for key in keys.allowed},
        "additionalProperties": False,
    }
    if keys.required:
        schema["required"] = list(keys.required)
    return schema


def deck_schema() -> Schema:
    """The JSON Schema (draft 2020-12) a deck file's YAML must match."""
    card_types = {card_type: _object(keys, card_type) for card_type, keys in CARD.items()}
    card: Schema = {
        "type": "object",
        "properties": {"type": _shape(None, "type")},
        "allOf": [
            {
                # 'properties' alone passes when 'type' is absent: that is a flashcard.
                "if": {
                    "properties": {"type": {"const": card_type}},
                    **({} if card_type == "flashcard" else {"required": ["type"]}),
                },
                "then": {"$ref": f"#/$defs/{card_type}"},
            }
            for card_type in TYPE_KEYS
        ],
    }
    return {
        "$schema": DRAFT,
        "title": "quiz deck, format version 1",
        "description": "A deck of questions for quiz; see docs/deck-format.md.",
        **_object(DECK),
        "$defs": {
            "text": {**_TEXT, "description": "Text; quote it when it contains ': '."},
            "slug": {**_SLUG, "description": "A slug: lowercase letters, digits and hyphens."},
            "tag": {
                "anyOf": [
                    {"type": "string", "pattern": TAG_PATTERN},
                    {"type": "integer", "minimum": 0},
                ],
                "description": "A tag: lowercase words of any script, joined by hyphens.",
            },
            "boolean": {**_BOOLEAN, "description": "true or false."},
            "source": _object(SOURCE),
            "settings": _object(SETTINGS),
            "lint": _object(LINT),
            "card": card,
            **card_types,
        },
    }

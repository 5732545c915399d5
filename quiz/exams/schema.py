"""The JSON Schema of exam files, built from the same tables of keys as the exam loader."""

from __future__ import annotations

from typing import Any

from quiz.deck.schema import DRAFT
from quiz.deck.vocabulary import FALSE_WORDS, SLUG, TRUE_WORDS, Keys
from quiz.exams.query import FIELDS
from quiz.exams.spec import CARD_DRAW, DECK_DRAW, EXAM, QUERY_DRAW, Feedback, Grading

Schema = dict[str, Any]

_COUNT: Schema = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": r"^\s*[1-9][0-9_]*\s*$"},
    ]
}
_WORDS = sorted(TRUE_WORDS | FALSE_WORDS)
_BOOLEAN: Schema = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "string", "pattern": "^(?i:" + "|".join(_WORDS) + ")$"},
    ]
}
_SHAPES: dict[str, Schema] = {
    "exam": {"type": "string", "pattern": SLUG.pattern, "description": "The exam's stable id."},
    "title": {"type": "string", "pattern": r"\S", "description": "The exam's title."},
    "description": {"type": "string", "description": "What the exam covers."},
    "time_limit": {
        "anyOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "pattern": r"^\s*(?:\d+\s*h)?\s*(?:\d+\s*m)?\s*(?:\d+\s*s)?\s*$"},
        ],
        "description": "Like '20m', '1h30m' or '90s'; a bare number is minutes. Default: none.",
    },
    "attempts": {
        "anyOf": [{"type": "integer", "minimum": 1}, {"const": "unlimited"}],
        "description": "Attempts allowed per learner (default 1).",
    },
    "grading": {
        "enum": [g.value for g in Grading],
        "description": "Which attempt counts: best (default), last or the mean.",
    },
    "shuffle": {**_BOOLEAN, "description": "Shuffle question order and choices (default true)."},
    "feedback": {
        "enum": [f.value for f in Feedback],
        "description": "When right answers are shown (default after-exam).",
    },
    "pass_mark": {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 100},
            {"type": "string", "pattern": r"^\s*\d+(?:\.\d+)?\s*%?\s*$"},
        ],
        "description": "A percentage like '60%'.",
    },
    "feed_scheduler": {
        **_BOOLEAN,
        "description": "Answers also count as reviews in the learner's schedule (default false).",
    },
    "deck": {"type": "string", "pattern": SLUG.pattern, "description": "A deck id."},
    "count": {**_COUNT, "description": "How many cards to draw at random per attempt."},
    "card": {
        "type": "string",
        "pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$",
        "description": "DECK_ID/CARD_ID: a card always asked.",
    },
    "query": {
        "type": "string",
        "pattern": r"^\s*(?:(?:" + "|".join(FIELDS) + r"):\S+\s*)+$",
        "description": "Terms tag:NAME and type:TYPE, all of which must hold.",
    },
}


def _object(keys: Keys) -> Schema:
    schema: Schema = {
        "type": "object",
        "properties": {
            key: {"$ref": "#/$defs/from"} if key == "from" else _SHAPES[key] for key in keys.allowed
        },
        "additionalProperties": False,
    }
    if keys.required:
        schema["required"] = list(keys.required)
    return schema


def exam_schema() -> Schema:
    """The JSON Schema (draft 2020-12) an exam file's YAML must match."""
    return {
        "$schema": DRAFT,
        "title": "quiz exam, format version 1",
        "description": "An exam drawn from quiz decks; see docs/exams.md.",
        **_object(EXAM),
        "$defs": {
            "from": {
                "type": "array",
                "minItems": 1,
                "items": {"oneOf": [_object(DECK_DRAW), _object(CARD_DRAW), _object(QUERY_DRAW)]},
                "description": "Which cards may be drawn.",
            },
        },
    }

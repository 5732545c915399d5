"""Mark events in progress files: one line each, checked where it is read."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from quiz.progress import validate
from quiz.progress.stats import ts
from quiz.store.marks import MARK_KINDS, MarkEvent

MARK_KEYS = ("mark", "id", "deck_id", "item_key", "value", "at")
MARK_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class MarkLineError(ValueError):
    """A malformed mark line; the message says what is wrong with it."""


def mark_line(m: MarkEvent) -> dict[str, Any]:
    """A mark event as a progress file's line holds it."""
    return dict(
        zip(MARK_KEYS, (m.kind, m.id, m.deck_id, m.item_key, m.value, ts(m.at)), strict=True)
    )


def read_mark(
    value: dict[str, Any],
    learner: str,
    decks: set[str],
    now: datetime,
) -> MarkEvent:
    """The mark event on a line; a malformed one raises `MarkLineError`."""
    unknown = sorted(set(value) ^ set(MARK_KEYS))
    if unknown:
        raise MarkLineError(f"a mark line has a missing or unknown key '{unknown[0]}'")
    if value["mark"] not in MARK_KINDS:
        raise MarkLineError(f"unknown mark '{value['mark']}'; one of {', '.join(MARK_KINDS)}")
    if not isinstance(value["id"], str) or not MARK_ID.fullmatch(value["id"]):
        raise MarkLineError("'id' must be 1 to 64 letters, digits, '-' or '_'")
    for key in ("deck_id", "item_key"):
        if not isinstance(value[key], str) or not value[key]:
            raise MarkLineError(f"'{key}' must be non-empty text")
    if value["deck_id"] not in decks:
        raise MarkLineError(f"deck '{value['deck_id']}' is not listed in the header")
    if value["value"] is not None and not isinstance(value["value"], str):
        raise MarkLineError("'value' must be text or null")
    if value["mark"] == "flag" and value["value"] not in ("0", "1", "2", "3", "4"):
        raise MarkLineError('a flag\'s \'value\' must be "0" to "4"')
    when, _ = validate.parse_time(value["at"]) if isinstance(value["at"], str) else (None, False)
    if when is None or when > now + validate.SKEW:
        raise MarkLineError("'at' must be an ISO 8601 time with a UTC offset, not ahead")
    if value["mark"] == "bury" and (
        not isinstance(value["value"], str) or validate.parse_time(value["value"])[0] is None
    ):
        raise MarkLineError("a burial's 'value' must be the ISO 8601 time it ends")
    return MarkEvent(
        value["id"],
        learner,
        value["deck_id"],
        value["item_key"],
        value["mark"],
        value["value"],
        when,
    )

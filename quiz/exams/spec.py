"""An exam as its file describes it: what to draw, the time limit, attempts, marks, feedback."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from quiz.deck.vocabulary import Keys
from quiz.exams.query import Query

EXAM = Keys(
    (
        "exam",
        "title",
        "description",
        "from",
        "time_limit",
        "attempts",
        "grading",
        "shuffle",
        "feedback",
        "pass_mark",
        "feed_scheduler",
    ),
    ("exam", "title", "from"),
)
# One entry of `from:` is one of these, told apart by its first key.
DECK_DRAW = Keys(("deck", "count"), ("deck", "count"))
CARD_DRAW = Keys(("card",), ("card",))
QUERY_DRAW = Keys(("query", "count"), ("query", "count"))
# 20m, 1h30m, 90s, 1h 15m; a bare number is minutes.
DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")


class Grading(StrEnum):
    """Which attempt counts when a learner has several."""

    BEST = "best"
    LAST = "last"
    MEAN = "mean"


class Feedback(StrEnum):
    """When a learner sees the right answers."""

    AFTER_EXAM = "after-exam"
    AFTER_EACH = "after-each"
    NEVER = "never"


@dataclass(frozen=True)
class DeckDraw:
    """`count` cards drawn at random from one deck."""

    deck: str
    count: int
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class CardDraw:
    """One card always asked: DECK/CARD_ID."""

    deck: str
    card: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class QueryDraw:
    """`count` cards drawn at random from those that match a query, across the decks."""

    query: Query
    count: int
    line: int = 0
    column: int = 0


Draw: TypeAlias = DeckDraw | CardDraw | QueryDraw


@dataclass(frozen=True)
class ExamSpec:
    """A loaded exam file."""

    id: str
    title: str
    draws: tuple[Draw, ...]
    description: str | None = None
    time_limit: int | None = None  # seconds; None: no limit
    attempts: int | None = 1  # None: as many as the learner likes
    grading: Grading = Grading.BEST
    shuffle: bool = True
    feedback: Feedback = Feedback.AFTER_EXAM
    pass_mark: float | None = None  # a share, 0 to 1
    feed_scheduler: bool = False
    path: str | None = None


def parse_duration(text: str) -> int | None:
    """Seconds in '20m', '1h30m', '45s' or a bare number of minutes; None when unreadable."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text) * 60
    found = DURATION.match(text)
    if not found or not any(found.groups()):
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
    return hours * 3600 + minutes * 60 + seconds


def format_duration(seconds: float) -> str:
    """Seconds as 1:05:09 or 5:09."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

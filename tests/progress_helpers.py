"""Review histories for the progress tests: studied through real sessions, or written by hand."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import assert_never

from testkit import FakeClock

from quiz.deck.model import (
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Item,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.grading import expected_answer
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store import Store

Wrong = Callable[[int, str], bool]


def never(day: int, key: str) -> bool:
    return False


def study_days(
    store: Store,
    deck: Deck,
    learner: str,
    clock: FakeClock,
    days: int,
    wrong: Wrong = never,
    *,
    every: int = 1,
    fuzz: bool = False,
) -> None:
    """Study the deck once every `every` days for `days` days; `wrong(day, item)` says how."""
    start = clock.now
    for day in range(0, days, every):
        clock.now = start + timedelta(days=day)
        session = StudySession(
            store, [deck], learner, clock=clock, rng=random.Random(day), fuzz=fuzz
        )
        session.start()
        answered: set[str] = set()
        for _ in range(200):
            shown = session.next()
            if shown is None:
                break
            item = shown.item
            # Only the first answer of the day can be wrong: relearning then succeeds.
            bad = item.key not in answered and wrong(day, item.key)
            answered.add(item.key)
            session_answer(session, item, bad)
            clock.advance(seconds=20)
    clock.now = start + timedelta(days=days)


def session_answer(session: StudySession, item: Item, bad: bool) -> None:
    """Answer the item on screen right, or wrong when `bad`."""
    card = item.card
    match card:
        case Flashcard():
            session.rate(Rating.AGAIN if bad else Rating.GOOD)
        case Choice():
            wrong_choice = next(c for c in card.choices if c not in card.answers)
            if card.multiple:
                session.submit([wrong_choice] if bad else list(card.answers))
            else:
                session.submit(wrong_choice if bad else card.answers[0])
        case TrueFalse():
            session.submit((not card.answer) if bad else card.answer)
        case Order():
            session.submit(list(reversed(card.items)) if bad else list(card.items))
        case Match():
            pairs = dict(card.pairs)
            session.submit({k: "?" for k in pairs} if bad else pairs)
        case Numeric():
            session.submit("-1" if bad else card.answer_text)
        case Cloze() | Typed():
            session.submit("zzz" if bad else expected_answer(item))
        case _:
            assert_never(card)


def state(
    kind: str, at: datetime, stability: float = 1.0, due_days: float = 1.0, lapses: int = 0
) -> dict[str, object]:
    """A card state as the review log stores it."""
    return {
        "state": kind,
        "due": (at + timedelta(days=due_days)).isoformat(),
        "step": None if kind == "review" else 0,
        "stability": stability,
        "difficulty": 5.0,
        "last_review": at.isoformat(),
        "reps": 1,
        "lapses": lapses,
    }


def add_review(
    store: Store,
    learner: str,
    deck_id: str,
    item_key: str,
    at: datetime,
    rating: int,
    *,
    outcome: str | None = None,
    response: object = None,
    first: bool = False,
    before: str | None = "review",
    ms: int = 10_000,
) -> str:
    """Write one review row by hand; `before` is the item's state kind before it (None: new)."""
    rid = uuid.uuid4().hex
    correct = None if outcome is None else int(outcome == "right")
    store.conn.execute(
        "INSERT INTO reviews (id, learner, deck_id, item_key, card_id, reviewed_at, rating, "
        "outcome, correct, response, duration_ms, first, state_before, state_after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rid,
            learner,
            deck_id,
            item_key,
            item_key.split("::")[0],
            at.isoformat(),
            rating,
            outcome,
            correct,
            json.dumps(response),
            ms,
            int(first),
            json.dumps(state(before, at - timedelta(days=1))) if before else None,
            json.dumps(state("review", at)),
        ),
    )
    store.conn.commit()
    return rid


def put_state(
    store: Store,
    learner: str,
    deck_id: str,
    item_key: str,
    kind: str,
    *,
    stability: float,
    last: datetime,
    due: datetime,
    lapses: int = 0,
    reps: int = 1,
) -> None:
    """Write an item's current state by hand."""
    store.conn.execute(
        "INSERT OR REPLACE INTO card_states (learner, deck_id, item_key, state, step, stability, "
        "difficulty, due, last_review, reps, lapses) VALUES (?, ?, ?, ?, ?, ?, 5, ?, ?, ?, ?)",
        (
            learner,
            deck_id,
            item_key,
            kind,
            None if kind == "review" else 0,
            stability,
            due.isoformat(),
            last.isoformat(),
            reps,
            lapses,
        ),
    )
    store.conn.commit()

"""Helpers for the crash and concurrency tests: the driver's output and what it promises."""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from quiz.scheduler import Rating, Scheduler
from quiz.store.database import state_from_json

DRIVER = Path(__file__).parent / "drivers" / "study_driver.py"
PYTHON = sys.executable


def big_deck(path: Path, flashcards: int = 300) -> Path:
    """A deck with plenty of items of several types and no daily limits to speak of."""
    cards = [
        {"id": f"f{i}", "front": f"Front {i}", "back": f"Back {i}", "reverse": i % 5 == 0}
        for i in range(flashcards)
    ]
    cards += [
        {"id": f"t{i}", "type": "typed", "question": f"Typed {i}?", "answer": "Moscow"}
        for i in range(20)
    ]
    cards += [
        {"id": f"b{i}", "type": "true_false", "statement": f"Statement {i}.", "answer": True}
        for i in range(20)
    ]
    cards += [
        {
            "id": f"c{i}",
            "type": "choice",
            "question": f"Choice {i}?",
            "choices": ["Moscow", "Minsk", "Astana"],
            "answer": "Moscow",
        }
        for i in range(10)
    ]
    cards += [
        {"id": f"o{i}", "type": "order", "question": f"Order {i}", "items": ["a", "b", "c"]}
        for i in range(10)
    ]
    cards += [
        {"id": f"z{i}", "type": "cloze", "text": f"Article {{{{4}}}} of {{{{{i}}}}}."}
        for i in range(10)
    ]
    deck = {
        "deck": "big",
        "title": "Big deck",
        "settings": {"new_per_day": 10000, "reviews_per_day": 10000},
        "cards": cards,
    }
    # JSON is YAML, and needs no YAML writer here.
    path.write_text(json.dumps(deck, indent=1), encoding="utf-8")
    return path


@dataclass
class Log:
    """What the driver said it did."""

    recorded: list[str] = field(default_factory=list)
    # Undos and rerates announced but not confirmed: a kill came in between.
    pending: set[str] = field(default_factory=set)
    # Answers undone, or replaced by a rerate with another rating.
    gone: set[str] = field(default_factory=set)

    def read(self, line: str) -> None:
        word, *args = line.split()
        if word == "recorded":
            self.recorded.append(args[0])
        elif word in ("undoing", "rerating"):
            self.pending.add(args[0])
        elif word == "undone":
            self.pending.discard(args[0])
            self.gone.add(args[0])
        elif word == "rerated":
            self.pending.discard(args[0])
            if args[1] != args[0]:
                self.gone.add(args[0])
                self.recorded.append(args[1])

    def must_be_stored(self) -> set[str]:
        """Answers shown as recorded and not taken back, nor perhaps so when a kill cut in."""
        return set(self.recorded) - self.gone - self.pending


def stored_review_ids(db: Path) -> set[str]:
    """Reviews in the database; none when a kill came before the schema was made."""
    conn = sqlite3.connect(db)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "reviews" not in tables:
            return set()
        return {row[0] for row in conn.execute("SELECT id FROM reviews")}
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def assert_states_replay(db: Path, scheduler: Scheduler) -> int:
    """Each item's stored state, and each review's logged states, are what replaying its
    reviews in time order through the scheduler gives. Returns the number of items checked."""
    conn = sqlite3.connect(db)
    try:
        reviews = conn.execute(
            "SELECT rowid, learner, deck_id, item_key, reviewed_at, rating, state_before, "
            "state_after FROM reviews"
        ).fetchall()
        stored = {
            (learner, deck, key): row
            for learner, deck, key, *row in conn.execute(
                "SELECT learner, deck_id, item_key, state, due, step, stability, difficulty, "
                "last_review, reps, lapses FROM card_states"
            )
        }
    finally:
        conn.close()
    by_item: dict[tuple[str, str, str], list[tuple[datetime, int, int, str, str]]] = {}
    for rowid, learner, deck, key, at, rating, before, after in reviews:
        by_item.setdefault((learner, deck, key), []).append(
            (datetime.fromisoformat(at), rowid, rating, before, after)
        )
    assert set(by_item) == set(stored), "an item has reviews but no state, or the reverse"
    for item, rows in by_item.items():
        state = None
        for at, _, rating, before, after in sorted(rows):
            assert state_from_json(before) == state, (item, at, "state_before")
            state = scheduler.review(state or Scheduler.new_state(at), Rating(rating), at)
            assert state_from_json(after) == state, (item, at, "state_after")
        assert state is not None
        expected = [
            state.state,
            state.due.isoformat(),
            state.step,
            state.stability,
            state.difficulty,
            state.last_review.isoformat() if state.last_review else None,
            state.reps,
            state.lapses,
        ]
        assert list(stored[item]) == expected, item
    return len(by_item)

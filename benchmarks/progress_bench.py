"""Time the progress reports on a generated class: python benchmarks/progress_bench.py [-h].

The default size is the one the reports must handle in a couple of seconds: 500 learners,
300 cards and 100 reviews per card in total (30,000 reviews). Each timing is the median of
several runs. Last, every learner's progress is exported to a file and all the files are merged
into a new database in one import (one run: 30,000 reviews replayed through the scheduler).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quiz.deck.model import Card, Choice, Flashcard, TrueFalse
from quiz.progress.exchange import import_progress, read_progress_file, write_progress_file
from quiz.progress.items import item_analysis
from quiz.progress.stats import GroupBy, class_report, learner_stats, learners
from quiz.store.database import Store, open_store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TAGS = ("history", "members", "operations", "treaty", "leaders", "economy")
DECKS = 5


def make_card(rng: random.Random, number: int) -> Card:
    """A card of one of three types, with one or two tags."""
    tags = tuple(sorted(rng.sample(TAGS, rng.randint(1, 2))))
    kind = number % 3
    if kind == 0:
        choices = tuple(f"option {number}-{i}" for i in range(4))
        return Choice(
            id=f"c{number}",
            question=f"Question {number}?",
            choices=choices,
            answers=(choices[0],),
            tags=tags,
        )
    if kind == 1:
        return TrueFalse(id=f"c{number}", statement=f"Statement {number}.", answer=True, tags=tags)
    return Flashcard(id=f"c{number}", front=f"Front {number}", back=f"Back {number}", tags=tags)


def state_json(state: str, stability: float, due: datetime, last: datetime, reps: int) -> str:
    """A card state as the review log stores it."""
    return json.dumps(
        {
            "state": state,
            "due": due.isoformat(),
            "step": None,
            "stability": stability,
            "difficulty": 5.0,
            "last_review": last.isoformat(),
            "reps": reps,
            "lapses": 0,
        }
    )


def generate(path: Path, learners: int, cards: int, reviews_per_card: int, seed: int = 1) -> Store:
    """A database of `learners` learners who answered `cards` cards `reviews_per_card` times."""
    rng = random.Random(seed)
    store = open_store(path)
    names = [f"learner{i:04d}" for i in range(learners)]
    deck_rows, card_rows, review_rows, state_rows = [], [], [], []
    per_deck = max(1, cards // DECKS)
    for d in range(DECKS):
        settings = {"new_per_day": 20, "reviews_per_day": 200, "desired_retention": 0.9}
        meta = {"description": None, "sources": {}, "tags": ["bench"], "settings": settings}
        deck_rows.append((f"deck{d}", f"/bench/deck{d}.yaml", f"Deck {d}", f"hash{d}", meta))
    for number in range(cards):
        deck_id = f"deck{min(number // per_deck, DECKS - 1)}"
        card = make_card(rng, number)
        content = json.dumps(card.to_dict())
        # The store keeps each card's content once, by its hash (card_contents).
        line, chash = number * 6 + 10, f"h{number}"
        card_rows.append((deck_id, card.id, card.id, "", card.type, number, line, content, chash))
        # One to four reviews (two and a half on average) per learner who studied the card.
        remaining = reviews_per_card
        for learner in rng.sample(names, min(learners, reviews_per_card)):
            if remaining <= 0:
                break
            count = min(remaining, rng.randint(1, 4))
            remaining -= count
            at = NOW - timedelta(days=rng.uniform(1, 90))
            stability = 0.0
            before = None
            for n in range(count):
                rating = rng.choices((1, 2, 3, 4), (15, 10, 60, 15))[0]
                stability = max(0.5, stability * 2.5 if rating > 1 else stability / 3) or 1.0
                due = at + timedelta(days=stability)
                after = state_json("review", stability, due, at, n + 1)
                if card.type == "choice":
                    picked = card.to_dict()["choices"][0 if rating > 1 else rng.randint(1, 3)]
                    response, outcome = json.dumps(picked), "right" if rating > 1 else "wrong"
                elif card.type == "true_false":
                    response, outcome = json.dumps(rating > 1), "right" if rating > 1 else "wrong"
                else:
                    response, outcome = "null", None
                correct = None if outcome is None else int(outcome == "right")
                review_rows.append(
                    (
                        uuid.UUID(int=rng.getrandbits(128)).hex,
                        learner,
                        deck_id,
                        card.id,
                        card.id,
                        at.isoformat(),
                        rating,
                        outcome,
                        correct,
                        response,
                        rng.randint(2000, 20000),
                        int(n == 0),
                        before,
                        after,
                    )
                )
                before = after
                at = min(NOW, due + timedelta(hours=rng.uniform(0, 48)))
            last = (at - timedelta(hours=1)).isoformat()
            state = ("review", None, stability, 5.0, at.isoformat(), last, count, 0)
            state_rows.append((learner, deck_id, card.id, *state))
    conn = store.conn
    with conn:
        conn.executemany(
            "INSERT INTO decks (id, path, title, content_hash, meta, synced_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(*row[:4], json.dumps(row[4]), NOW.isoformat()) for row in deck_rows],
        )
        conn.executemany(
            "INSERT INTO card_contents (hash, content) VALUES (?, ?)",
            [(row[8], row[7]) for row in card_rows],
        )
        conn.executemany(
            "INSERT INTO cards (deck_id, item_key, card_id, variant, type, position, line, "
            "content, content_hash, archived, added_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, 0, ?, ?)",
            [(*row[:7], row[8], NOW.isoformat(), NOW.isoformat()) for row in card_rows],
        )
        conn.executemany(
            "INSERT INTO learners (name, created_at) VALUES (?, ?)",
            [(name, NOW.isoformat()) for name in names],
        )
        conn.executemany(
            "INSERT INTO reviews (id, learner, deck_id, item_key, card_id, reviewed_at, rating, "
            "outcome, correct, response, duration_ms, first, state_before, state_after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            review_rows,
        )
        conn.executemany(
            "INSERT OR REPLACE INTO card_states (learner, deck_id, item_key, state, step, "
            "stability, difficulty, due, last_review, reps, lapses) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            state_rows,
        )
    conn.execute("ANALYZE")
    return store


def median_seconds(task: Callable[[], object], runs: int) -> float:
    """The median wall time of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Generate the database, then time each report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument("--reviews-per-card", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5, help="runs per timing (median is shown)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        store = generate(
            Path(folder) / "bench.db", args.learners, args.cards, args.reviews_per_card
        )
        generated = time.perf_counter() - start
        (reviews,) = store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()
        (states,) = store.conn.execute("SELECT COUNT(*) FROM card_states").fetchone()
        print(
            f"{args.learners} learners, {args.cards} cards, {reviews} reviews, {states} card "
            f"states: generated in {generated:.2f} s"
        )
        decks = [f"deck{d}" for d in range(DECKS)]
        busiest = store.conn.execute(
            "SELECT learner FROM reviews GROUP BY learner ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()[0]
        tasks: list[tuple[str, Callable[[], object]]] = [
            ("class report by deck", lambda: class_report(store, NOW, by=GroupBy.DECK)),
            ("class report by tag", lambda: class_report(store, NOW, by=GroupBy.TAG)),
            ("class report by card", lambda: class_report(store, NOW, by=GroupBy.CARD)),
            ("item analysis", lambda: item_analysis(store)),
            ("one learner's statistics", lambda: learner_stats(store, busiest, decks, NOW)),
        ]
        print(f"median of {args.runs} run(s):")
        for name, task in tasks:
            print(f"  {name:<26} {median_seconds(task, args.runs) * 1000:8.1f} ms")
        print(f"merging every learner's progress file into a new database: {merge(store):.2f} s")
        store.close()
    return 0


def merge(store: Store) -> float:
    """Seconds to import one progress file per learner into a database with the same decks."""
    folder = Path(tempfile.mkdtemp(dir=store.path.parent if store.path else None))
    files = []
    for name in learners(store):
        write_progress_file(store, name, folder / f"{name}.jsonl", NOW)
        files.append(read_progress_file(folder / f"{name}.jsonl"))
    target = open_store(folder / "instructor.db")
    with target.conn:
        target.conn.execute("ATTACH DATABASE ? AS source", (str(store.path),))
        target.conn.execute("INSERT INTO decks SELECT * FROM source.decks")
        target.conn.execute("INSERT INTO cards SELECT * FROM source.cards")
        target.conn.execute("INSERT INTO card_contents SELECT * FROM source.card_contents")
    target.conn.execute("DETACH DATABASE source")
    start = time.perf_counter()
    import_progress(target, files, NOW)
    elapsed = time.perf_counter() - start
    target.close()
    return elapsed


if __name__ == "__main__":
    sys.exit(main())

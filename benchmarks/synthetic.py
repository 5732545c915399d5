"""Synthetic data for the benchmarks: decks of every card type, and a long review history."""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from worker import emit

from quiz.deck.model import Deck, Item
from quiz.store.database import Store

TYPES = ("flashcard", "choice", "true_false", "cloze", "typed", "numeric", "order", "match")
WORDS = (
    "alliance",
    "treaty",
    "summit",
    "border",
    "council",
    "charter",
    "mandate",
    "envoy",
    "garrison",
    "accord",
    "region",
    "capital",
    "member",
    "observer",
    "secretary",
    "decree",
    "reform",
    "budget",
    "exercise",
    "mission",
    "north",
    "south",
    "east",
    "west",
    "river",
    "valley",
    "steppe",
    "mountain",
    "harbour",
    "city",
)
SOURCES = ("report-a", "report-b", "report-c")


def _phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize()


def _q(text: str) -> str:
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(text)


def _card_yaml(index: int, rng: random.Random) -> str:
    """One card of the type its index picks, as a YAML list entry."""
    card_type = TYPES[index % len(TYPES)]
    lines = [f"  - id: c{index:06d}", f"    type: {card_type}"]
    add = lines.append
    if card_type == "flashcard":
        add(f"    front: {_q(_phrase(rng, 3, 6) + '?')}")
        add(f"    back: {_q(_phrase(rng, 1, 3))}")
        if index % 3 == 0:
            add("    reverse: true")
    elif card_type == "choice":
        choices = [f"{rng.choice(WORDS)} {n}" for n in range(4)]
        add(f"    question: {_q(_phrase(rng, 3, 6) + '?')}")
        add(f"    choices: [{', '.join(_q(c) for c in choices)}]")
        if index % 2:
            add(f"    answer: [{_q(choices[0])}, {_q(choices[2])}]")
        else:
            add(f"    answer: {_q(choices[1])}")
    elif card_type == "true_false":
        add(f"    statement: {_q(_phrase(rng, 4, 8) + '.')}")
        add(f"    answer: {'true' if index % 2 else 'false'}")
    elif card_type == "cloze":
        first, second = rng.choice(WORDS), rng.choice(WORDS)
        text = (
            f"{_phrase(rng, 2, 4)} {{{{{first}|{first}s}}}} {_phrase(rng, 1, 3).lower()} "
            f"{{{{{second}}}}} {_phrase(rng, 1, 3).lower()}."
        )
        add(f"    text: {_q(text)}")
    elif card_type == "typed":
        add(f"    question: {_q(_phrase(rng, 3, 6) + '?')}")
        add(f"    answer: {_q(_phrase(rng, 1, 3))}")
        if index % 2:
            add(f"    accept: [{_q(_phrase(rng, 1, 2))}]")
    elif card_type == "numeric":
        add(f"    question: {_q(_phrase(rng, 3, 6) + '?')}")
        add(f"    answer: {rng.randint(1, 100000)}")
        if index % 2:
            add('    tolerance: "5%"')
            add("    unit: troops")
    elif card_type == "order":
        items = [f"{rng.choice(WORDS)} {n}" for n in range(rng.randint(3, 5))]
        add(f"    question: {_q('Put these in order.')}")
        add(f"    items: [{', '.join(_q(i) for i in items)}]")
    else:
        add(f"    question: {_q('Match each to its ' + rng.choice(WORDS) + '.')}")
        add("    pairs:")
        for n in range(3):
            add(f"      {_q(f'{rng.choice(WORDS)} {n}')}: {_q(f'{rng.choice(WORDS)} {n}')}")
    if index % 5 == 0:
        add(f"    explanation: {_q(_phrase(rng, 4, 8) + '.')}")
    if index % 7 == 0:
        add(f"    source: {{ref: {rng.choice(SOURCES)}, section: {_q(_phrase(rng, 1, 3))}}}")
    elif index % 7 == 1:
        add(f"    source: {rng.choice(SOURCES)}")
    if index % 10 == 0:
        add(f"    tags: [tag-{index % 30}, {rng.choice(WORDS)}]")
    return "\n".join(lines) + "\n"


def deck_text(
    cards: int, *, deck_id: str, new_per_day: int = 20, reviews_per_day: int = 200, seed: int = 1
) -> str:
    """A valid deck of `cards` cards, the eight types in turn."""
    rng = random.Random(seed)
    head = [
        f"deck: {deck_id}",
        f"title: {_q(f'Synthetic deck of {cards} cards')}",
        f"description: {_q('Generated for the benchmarks: every card type in turn.')}",
        "sources:",
        *(
            f"  {key}:\n    title: {_q(_phrase(rng, 3, 6))}\n    author: {_q('A. Writer')}"
            for key in SOURCES
        ),
        "tags: [synthetic]",
        "settings:",
        f"  new_per_day: {new_per_day}",
        f"  reviews_per_day: {reviews_per_day}",
        "cards:",
    ]
    body = "".join(_card_yaml(i, rng) for i in range(1, cards + 1))
    return "\n".join(head) + "\n" + body


def write_deck(path: Path, cards: int, **kwargs: int) -> Path:
    """Write a synthetic deck file named after its size and return its path."""
    path.write_text(deck_text(cards, deck_id=f"bench-{cards}", **kwargs), encoding="utf-8")
    return path


@dataclass(frozen=True)
class HistoryStats:
    """What `write_history` put in the store."""

    reviews: int
    states: int
    due_reviews: int
    learning: int


_REVIEW_SQL = (
    "INSERT INTO reviews (id, learner, deck_id, item_key, card_id, reviewed_at, rating, outcome, "
    "correct, response, duration_ms, first, state_before, state_after) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_STATE_SQL = (
    "INSERT OR REPLACE INTO card_states (learner, deck_id, item_key, state, step, stability, "
    "difficulty, due, last_review, reps, lapses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _state_json(
    state: str, step: int | None, s: float, d: float, due: str, last: str, reps: int, lapses: int
) -> str:
    return json.dumps(
        {
            "state": state,
            "due": due,
            "step": step,
            "stability": s,
            "difficulty": d,
            "last_review": last,
            "reps": reps,
            "lapses": lapses,
        }
    )


def write_history(
    store: Store,
    deck: Deck,
    learner: str,
    reviews: int,
    now: datetime,
    *,
    seed: int = 2,
    new_share: float = 0.1,
) -> HistoryStats:
    """Insert `reviews` past reviews over most of the deck's items, with their current states.

    Everything goes in with executemany in one transaction; the last review of each item matches
    its card_states row. About 10% of the reviewed items fall due by tomorrow, a few are in
    (re)learning due within the hour, and `new_share` of the items stay new.
    """
    rng = random.Random(seed)
    items = deck.items()
    reviewed = [item for item in items if rng.random() >= new_share]
    if not reviewed or reviews < len(reviewed):
        reviewed = reviewed[: max(1, reviews)]
    base, extra = divmod(reviews, len(reviewed))
    states: list[tuple[object, ...]] = []
    counts = {"due": 0, "learning": 0}

    def rows() -> Iterator[tuple[object, ...]]:
        for n, item in enumerate(reviewed):
            yield from _item_history(item, base + (1 if n < extra else 0))

    def _item_history(item: Item, count: int) -> Iterator[tuple[object, ...]]:
        self_rated = item.card.type == "flashcard"
        start = now - timedelta(days=rng.uniform(count + 1, 730))
        gap = (now - timedelta(days=1) - start) / count
        stability, difficulty = 1.0, rng.uniform(3, 8)
        before: str | None = None
        last = start
        reps = lapses = 0
        step: int | None = None
        for k in range(count):
            at = start + gap * k
            rating = rng.choices((1, 2, 3, 4), weights=(8, 10, 70, 12))[0]
            reps += 1
            if rating == 1 and k:
                lapses += 1
                stability = max(0.5, stability * 0.4)
            else:
                stability *= 1.5 + rating * 0.3
            stamp = at.isoformat()
            due_at = (at + timedelta(days=stability)).isoformat()
            after = _state_json("review", None, stability, difficulty, due_at, stamp, reps, lapses)
            outcome = None if self_rated else ("wrong" if rating == 1 else "right")
            yield (
                f"{rng.getrandbits(128):032x}",
                learner,
                item.deck_id,
                item.key,
                item.card.id,
                stamp,
                rating,
                outcome,
                None if outcome is None else int(outcome == "right"),
                "null" if self_rated else '"synthetic answer"',
                rng.randint(1500, 20000),
                int(k == 0),
                before,
                after,
            )
            before = after
            last = at
        # The state now: mostly reviews due over the next months, some due, a few relearning.
        roll = rng.random()
        state = "review"
        if roll < 0.005:
            state, step = "relearning", 0
            due = now + timedelta(minutes=rng.uniform(-30, 30))
            counts["learning"] += 1
        elif roll < 0.1:
            due = now - timedelta(days=rng.uniform(0, 20))
            counts["due"] += 1
        else:
            due = now + timedelta(days=rng.uniform(1.5, 200))
        states.append(
            (
                learner,
                item.deck_id,
                item.key,
                state,
                step,
                stability,
                difficulty,
                due.isoformat(),
                last.isoformat(),
                reps,
                lapses,
            )
        )

    store.ensure_learner(learner, now)
    with store.conn:
        store.conn.executemany(_REVIEW_SQL, rows())
        store.conn.executemany(_STATE_SQL, states)
    return HistoryStats(reviews, len(states), counts["due"], counts["learning"])


def main() -> None:
    """Write a synthetic deck, or a deck with its history in a new database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cards", type=int, help="number of cards")
    parser.add_argument("deck", type=Path, help="deck file to write")
    parser.add_argument("--db", type=Path, help="also write a review history into this database")
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--learner", default="bench")
    parser.add_argument("--new-per-day", type=int, default=20)
    parser.add_argument("--reviews-per-day", type=int, default=200)
    args = parser.parse_args()
    write_deck(
        args.deck,
        args.cards,
        new_per_day=args.new_per_day,
        reviews_per_day=args.reviews_per_day,
    )
    if args.db:
        from quiz.library import open_deck
        from quiz.store.database import open_store

        now = datetime.now(UTC)
        store = open_store(args.db)
        deck, problems = open_deck(store, args.deck, now)
        if deck is None:
            raise SystemExit("\n".join(str(p) for p in problems))
        stats = write_history(store, deck, args.learner, args.reviews, now)
        store.close()
        emit(asdict(stats))
    else:
        emit({"deck": str(args.deck)})


if __name__ == "__main__":
    main()

"""A simulated learner's review log: scheduled by FSRS's defaults, remembering otherwise."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quiz.deck.model import Deck
from quiz.library import open_deck
from quiz.optimizer import LoggedReview
from quiz.scheduler import DEFAULT_PARAMETERS, CardState, Rating, Scheduler
from quiz.store import ReviewRecord, open_store

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# A learner whose memory is not FSRS's default one: first impressions fade faster, and
# successful reviews strengthen memory less.
TRUE_PARAMETERS = list(DEFAULT_PARAMETERS)
TRUE_PARAMETERS[:4] = [0.1, 0.6, 1.2, 4.0]
TRUE_PARAMETERS[8] = 0.9


def simulate(cards: int, days: int, seed: int = 7) -> list[LoggedReview]:
    """A learner scheduled by FSRS's defaults who remembers as TRUE_PARAMETERS predict."""
    rng = random.Random(seed)
    schedule = Scheduler(fuzz=False, tz=UTC)
    memory = Scheduler(parameters=TRUE_PARAMETERS, fuzz=False, tz=UTC)
    log = []
    for card in range(cards):
        at = START + timedelta(days=card % 20, minutes=card)
        planned = schedule.new_state(at)
        actual = memory.new_state(at)
        while at < START + timedelta(days=days):
            recall = memory.retrievability(actual, at) if actual.stability else 0.0
            if actual.stability and planned.state == "review":
                remembered = rng.random() < recall
            else:
                remembered = rng.random() < 0.8  # a learning step, minutes after the last
            rating = rng.choice([Rating.HARD, Rating.GOOD, Rating.GOOD, Rating.EASY])
            rating = rating if remembered else Rating.AGAIN
            log.append(LoggedReview(f"c{card}", rating, at, 6000))
            planned = schedule.review(planned, rating, at)
            actual = memory.review(actual, rating, at)
            at = max(planned.due, at + timedelta(minutes=1)) + timedelta(hours=5)
    return log


def simulated_database(tmp_path: Path, cards: int, days: int) -> tuple[Path, Deck]:
    """A database in which learner 'sim' has studied deck 'sim' as `simulate` has it."""
    deck_file = tmp_path / "sim.yaml"
    deck_file.write_text(
        "deck: sim\ntitle: Sim\ncards:\n"
        + "".join(f'  - {{id: c{i}, front: "f{i}", back: "b{i}"}}\n' for i in range(cards)),
        encoding="utf-8",
    )
    db = tmp_path / "quiz.db"
    store = open_store(db)
    deck, problems = open_deck(store, deck_file, START)
    assert deck is not None, problems
    scheduler = Scheduler(fuzz=False)
    states: dict[str, CardState] = {}
    with store.atomic():
        for number, review in enumerate(simulate(cards=cards, days=days)):
            key = review.card_id  # the simulated card c7 is the deck's card c7
            before = states.get(key)
            start = before or Scheduler.new_state(review.time)
            after = scheduler.review(start, review.rating, review.time)
            store.record_review(
                ReviewRecord(
                    id=f"r{number}", learner="sim", deck_id="sim", item_key=key, card_id=key,
                    reviewed_at=review.time, rating=int(review.rating), outcome=None,
                    response=None, duration_ms=review.duration_ms, first=before is None,
                    state_before=before, state_after=after,
                )
            )  # fmt: skip
            states[key] = after
    store.close()
    return db, deck

"""A simulated learner's review log: scheduled by FSRS's defaults, remembering otherwise."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from quiz.optimizer import LoggedReview
from quiz.scheduler import DEFAULT_PARAMETERS, Rating, Scheduler

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

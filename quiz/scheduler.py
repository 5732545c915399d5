"""Spaced-repetition scheduling: a thin wrapper over FSRS with the clock passed in."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import IntEnum

import fsrs

from quiz.settings import StudySettings

# FSRS-6's defaults, the same in py-fsrs and in fsrs-rs (which Anki runs).
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
ROLLOVER_HOUR = 4
SECONDS_PER_DAY = 86400.0
LEARNING_STATES = ("learning", "relearning")
# FSRS's fuzz (as Anki applies it): (from, to, share) of an interval in days that widens the
# range a review interval may be moved within; intervals under 2.5 days are not fuzzed.
FUZZ_BANDS = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


class Rating(IntEnum):
    """The learner's rating of their recall, as FSRS numbers them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        """The name shown to learners."""
        return self.name.capitalize()


@dataclass(frozen=True)
class CardState:
    """A learner's memory state for one item."""

    state: str  # new, learning, review or relearning
    due: datetime
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    @property
    def is_new(self) -> bool:
        """True before the first review."""
        return self.state == "new"

    @property
    def is_learning(self) -> bool:
        """True while in (re)learning steps, which are due within the day."""
        return self.state in LEARNING_STATES


_STATE_NAMES = {
    fsrs.State.Learning: "learning",
    fsrs.State.Review: "review",
    fsrs.State.Relearning: "relearning",
}
_FSRS_STATES = {name: state for state, name in _STATE_NAMES.items()}


class Scheduler:
    """FSRS-6 (default or given parameters, default steps and fuzzing); times are always given."""

    def __init__(
        self,
        desired_retention: float = 0.9,
        *,
        fuzz: bool = True,
        tz: tzinfo | None = None,
        parameters: Sequence[float] | None = None,
        settings: StudySettings | None = None,
    ) -> None:
        chosen = settings or StudySettings(desired_retention=desired_retention)
        self._fsrs = fsrs.Scheduler(
            parameters=DEFAULT_PARAMETERS if parameters is None else tuple(parameters),
            desired_retention=chosen.desired_retention,
            learning_steps=chosen.learning_steps,
            relearning_steps=chosen.relearning_steps,
            maximum_interval=chosen.maximum_interval,
            # Fuzz is drawn here, from a seed, not by py-fsrs from the global random: so a
            # preview, the answer, an undo and a replay of one review all draw the same.
            enable_fuzzing=False,
        )
        self.fuzz = fuzz
        self.desired_retention = chosen.desired_retention
        self.settings = chosen
        self.tz = tz  # the learner's time zone, whose rollover starts a study day; None: local
        self.rollover_hour = chosen.rollover_hour
        decay = -self._fsrs.parameters[20]
        self._decay = decay
        self._factor = 0.9 ** (1 / decay) - 1

    @property
    def parameters(self) -> tuple[float, ...]:
        """The FSRS parameters in use."""
        return tuple(self._fsrs.parameters)

    @staticmethod
    def new_state(now: datetime) -> CardState:
        """The state of an item never studied."""
        return CardState(state="new", due=now)

    def review(
        self, state: CardState, rating: Rating, now: datetime, *, seed: str | None = None
    ) -> CardState:
        """The state after rating the item at `now`, in study days; fuzz is drawn from `seed`."""
        # FSRS counts elapsed time in study days, as Anki does: two reviews on one study day
        # are a same-day review (short-term stability), and reviews on consecutive study days
        # are a day apart however few hours lie between them. py-fsrs counts whole 24-hour
        # periods, so it is handed each review at midnight UTC of its study day's date: whole
        # days apart exactly, whatever DST did to the hours between.
        today = study_day(now, self.tz, self.rollover_hour)
        review_at = _as_fsrs_time(today)
        last = None
        if state.last_review is not None:
            last = _as_fsrs_time(study_day(state.last_review, self.tz, self.rollover_hour))
        # A fixed card_id: without one, fsrs reads the real clock and sleeps 1 ms per card.
        card = fsrs.Card(
            card_id=0,
            state=_FSRS_STATES.get(state.state, fsrs.State.Learning),
            step=state.step if state.state != "review" else None,
            stability=state.stability,
            difficulty=state.difficulty,
            due=state.due,
            last_review=last,
        )
        if state.is_new:
            card.step = 0
        updated, _ = self._fsrs.review_card(
            card, fsrs.Rating(int(rating)), review_datetime=review_at
        )
        wait = updated.due - review_at
        if updated.state is fsrs.State.Review:
            # A review interval is a number of study days: due when that day begins.
            days = round(wait / timedelta(days=1))
            if self.fuzz:
                draw = _fuzz_draw(seed, state.reps)
                days = fuzzed_days(days, draw, self.settings.maximum_interval)
            due = study_day_start(today + timedelta(days=days), self.tz, self.rollover_hour)
        else:
            due = now + wait  # a learning step counts from the answer itself
        lapsed = state.state == "review" and rating is Rating.AGAIN
        return replace(
            state,
            state=_STATE_NAMES[updated.state],
            step=updated.step,
            stability=updated.stability,
            difficulty=updated.difficulty,
            due=due,
            last_review=now,
            reps=state.reps + 1,
            lapses=state.lapses + (1 if lapsed else 0),
        )

    def replay(
        self,
        reviews: Iterable[tuple[datetime, int]],
        start: CardState | None = None,
        *,
        seed: str | None = None,
    ) -> list[tuple[CardState | None, CardState]]:
        """Each rating (time, rating; in time order) rated again from `start`: (before, after)."""
        state = start
        out: list[tuple[CardState | None, CardState]] = []
        for at, rating in reviews:
            after = self.review(state or self.new_state(at), Rating(rating), at, seed=seed)
            out.append((state, after))
            state = after
        return out

    def retrievability(self, state: CardState, now: datetime) -> float:
        """Probability of recall now, from fractional days (FSRS itself floors to whole days)."""
        if state.last_review is None or not state.stability:
            return 0.0
        elapsed = (now - state.last_review).total_seconds() / SECONDS_PER_DAY
        return self.recall_after(elapsed, state.stability)

    def days_to_recall(self, recall: float) -> float:
        """Days, per unit of stability, until recall falls to `recall` (in (0, 1])."""
        return float((recall ** (1 / self._decay) - 1) / self._factor)

    def recall_after(self, days: float, stability: float | None) -> float:
        """Probability of recall `days` after the last review, for an item of this stability."""
        if not stability:
            return 0.0
        return float((1 + self._factor * max(0.0, days) / stability) ** self._decay)


def fuzz_seed(learner: str, deck_id: str, item_key: str) -> str:
    """The seed of one learner's item's fuzz; each review adds its count of earlier reviews."""
    return "\x1f".join((learner, deck_id, item_key))


def _fuzz_draw(seed: str | None, reps: int) -> float:
    """The fuzz of the review after `reps` earlier ones: fixed by the seed, random without one."""
    if seed is None:
        return random.random()
    # A string seed is hashed with SHA-512, so the draw is the same on every machine and run.
    return random.Random(f"{seed}\x1f{reps}").random()


def fuzzed_days(days: int, draw: float, maximum: int) -> int:
    """A review interval moved within its fuzz range, to the place `draw` (in [0, 1)) picks."""
    if days < 2.5:
        return days
    spread = 1.0 + sum(share * max(0.0, min(days, end) - start) for start, end, share in FUZZ_BANDS)
    high = min(round(days + spread), maximum)
    low = min(max(2, round(days - spread)), high)
    # Each whole day of the range is equally likely (Anki floors; py-fsrs rounds, which gives
    # the ends half a share and may step one past the top).
    return min(low + math.floor(draw * (high - low + 1)), maximum)


def _as_fsrs_time(day: date) -> datetime:
    """A study day as py-fsrs is handed it: midnight UTC of the day's date."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def julian_day(moment: datetime) -> float:
    """The moment as a Julian day number, as SQLite's julianday() gives it."""
    return moment.timestamp() / SECONDS_PER_DAY + 2440587.5


def study_day(now: datetime, tz: tzinfo | None = None, hour: int = ROLLOVER_HOUR) -> date:
    """The study day `now` falls in; days roll over at `hour` (04:00) local time."""
    local = now.astimezone(tz)
    return (local - timedelta(hours=hour)).date()


def day_start(now: datetime, tz: tzinfo | None = None, hour: int = ROLLOVER_HOUR) -> datetime:
    """When the study day containing `now` began, in UTC."""
    return study_day_start(study_day(now, tz, hour), tz, hour)


def study_day_start(day: date, tz: tzinfo | None = None, hour: int = ROLLOVER_HOUR) -> datetime:
    """When a study day begins (04:00 local, or `hour`), in UTC."""
    # The offset in force at that hour, not now's: across a DST change they differ. A naive
    # time is local time to `astimezone`, which looks its offset up for that moment.
    start = datetime.combine(day, time(hour), tzinfo=tz)
    return start.astimezone(UTC)


def utc_now() -> datetime:
    """The real clock, for production; tests pass their own."""
    return datetime.now(UTC)

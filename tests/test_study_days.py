"""FSRS in study days: quiz's scheduler beside the fsrs Rust crate that Anki runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import fsrs_rs_python as fsrs_rs
import pytest

from quiz.scheduler import Rating, Scheduler, day_start, study_day, study_day_start

BERLIN = ZoneInfo("Europe/Berlin")


def morning(day: int, hour: int = 8, minute: int = 0) -> datetime:
    """`hour`:`minute` in Berlin on the day-th day after 2 March 2026, in UTC."""
    return datetime(2026, 3, 2, hour, minute, tzinfo=BERLIN).astimezone(UTC) + timedelta(days=day)


def test_a_learner_who_reviews_every_morning_gets_ankis_stability_and_intervals() -> None:
    ours = Scheduler(fuzz=False, tz=BERLIN)
    rust = fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS)
    # New, Good; Good at the 10-minute step; then every due review at 08:00, with an Again
    # and a Hard among them, and one review a day late.
    ratings = [Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.GOOD, Rating.HARD]
    ratings += [Rating.GOOD, Rating.EASY, Rating.GOOD]
    state = ours.new_state(morning(0))
    at = morning(0)
    reviews: list[fsrs_rs.FSRSReview] = []
    previous_day: date | None = None
    for index, rating in enumerate(ratings):
        today = study_day(at, BERLIN)
        elapsed = (today - previous_day).days if previous_day else 0
        memory = rust.memory_state(fsrs_rs.FSRSItem(reviews)) if reviews else None
        expected = getattr(rust.next_states(memory, 0.9, elapsed), rating.name.lower())
        state = ours.review(state, rating, at)
        assert state.stability == pytest.approx(expected.memory.stability, rel=1e-4), index
        assert state.difficulty == pytest.approx(expected.memory.difficulty, rel=1e-4), index
        reviews.append(fsrs_rs.FSRSReview(int(rating), elapsed))
        previous_day = today
        if state.state == "review":
            # Anki rounds the interval to whole days, at least one.
            due_day = study_day(state.due, BERLIN)
            assert (due_day - today).days == max(1, round(expected.interval)), index
            # At 08:00 Berlin time on the day it is due; the sixth review a day late.
            day = due_day + timedelta(days=1 if index == 6 else 0)
            at = datetime.combine(day, time(8), tzinfo=BERLIN).astimezone(UTC)
        else:
            at = state.due  # a learning step, answered when it comes up
    # The history crossed the change to summer time on 29 March.
    assert at.astimezone(BERLIN).utcoffset() == timedelta(hours=2)


def test_the_next_morning_is_a_day_later_though_fewer_than_24_hours_have_passed() -> None:
    ours = Scheduler(fuzz=False, tz=BERLIN)
    evening = morning(0, 22)
    first = ours.review(ours.new_state(evening), Rating.GOOD, evening)
    graduated = ours.review(first, Rating.GOOD, first.due)
    assert graduated.state == "review"
    next_morning = morning(1, 8)  # ten hours later
    same_day = morning(0, 23, 50)  # the same study day
    apart = ours.review(graduated, Rating.GOOD, next_morning)
    together = ours.review(graduated, Rating.GOOD, same_day)
    # Short-term stability barely moves; a day's gap grows it as a review does.
    assert apart.stability is not None and together.stability is not None
    assert apart.stability > together.stability


def test_a_review_is_due_when_its_study_day_begins() -> None:
    ours = Scheduler(fuzz=False, tz=BERLIN)
    at = morning(0, 8)
    first = ours.review(ours.new_state(at), Rating.EASY, at)
    assert first.state == "review"
    assert first.due == day_start(first.due, BERLIN)
    assert first.due.astimezone(BERLIN).hour == 4


def test_a_study_day_begins_at_four_local_across_a_dst_change() -> None:
    # Berlin went to summer time at 02:00 on 29 March 2026. At 03:30 summer time the study
    # day is still the 28th, which began at 04:00 winter time (03:00 UTC), not 02:00 UTC.
    now = datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert study_day(now, BERLIN) == date(2026, 3, 28)
    assert day_start(now, BERLIN) == datetime(2026, 3, 28, 3, 0, tzinfo=UTC)
    assert study_day_start(date(2026, 3, 29), BERLIN) == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)

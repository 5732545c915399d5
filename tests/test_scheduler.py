"""The FSRS wrapper, checked against the fsrs package itself, with fixed clocks."""

from __future__ import annotations

from copy import copy
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

import fsrs
import pytest

from quiz.scheduler import (
    FUZZ_BANDS,
    CardState,
    Rating,
    Scheduler,
    day_start,
    fuzz_seed,
    fuzzed_days,
    study_day,
    study_day_start,
)

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def package_card(due: datetime = T0) -> fsrs.Card:
    """A new card for the fsrs package; a fixed id keeps it off the real clock."""
    return fsrs.Card(card_id=1, due=due)


def drive(
    scheduler: Scheduler, steps: list[tuple[Rating, datetime]], start: datetime = T0
) -> list[CardState]:
    """Review a new item with each (rating, time) in turn; every state along the way."""
    state = scheduler.new_state(start)
    out = []
    for rating, at in steps:
        state = scheduler.review(state, rating, at)
        out.append(state)
    return out


def package_due(card: fsrs.Card, at: datetime) -> datetime:
    """When quiz makes an item due that the package reviewed at the start of `at`'s study day."""
    wait = card.due - day_start(at)
    if card.state == fsrs.State.Review:
        return study_day_start(study_day(at) + timedelta(days=wait.days))
    return at + wait


class PackageLearner:
    """One card reviewed by the fsrs package itself, each review at the start of its study day.

    That is FSRS with elapsed time in study days, as Anki counts it; quiz is checked against it.
    """

    def __init__(self, package: fsrs.Scheduler, start: datetime = T0) -> None:
        self.package = package
        self.card = package_card(start)

    def review(self, rating: Rating, at: datetime) -> fsrs.Card:
        """The package's card after the review, with due and last review as quiz gives them."""
        self.card, _ = self.package.review_card(
            self.card, fsrs.Rating(int(rating)), review_datetime=day_start(at)
        )
        seen = copy(self.card)
        seen.due = package_due(self.card, at)
        seen.last_review = at
        return seen


def drive_package(
    package: fsrs.Scheduler, steps: list[tuple[Rating, datetime]], start: datetime = T0
) -> list[fsrs.Card]:
    """The same history, reviewed by the fsrs package directly in study days."""
    learner = PackageLearner(package, start)
    return [learner.review(rating, at) for rating, at in steps]


def review_state(scheduler: Scheduler) -> CardState:
    """An item that graduated to review: Good, then Good at its 10-minute step."""
    first = scheduler.review(scheduler.new_state(T0), Rating.GOOD, T0)
    return scheduler.review(first, Rating.GOOD, first.due)


# New items and learning


def test_new_state_is_new_and_due_now() -> None:
    state = Scheduler.new_state(T0)
    assert state.is_new
    assert not state.is_learning
    assert state.due == T0
    assert state.reps == 0
    assert state.lapses == 0
    assert state.last_review is None


def test_good_on_new_item_enters_learning_then_review_like_the_package() -> None:
    ours = Scheduler(fuzz=False)
    package = fsrs.Scheduler(enable_fuzzing=False)

    learner = PackageLearner(package)
    first = ours.review(ours.new_state(T0), Rating.GOOD, T0)
    card = learner.review(Rating.GOOD, T0)
    assert card.state == fsrs.State.Learning  # the package agrees it is still learning
    assert first.state == "learning"
    assert first.is_learning
    assert first.due == card.due
    assert first.due > T0
    assert first.step == card.step
    assert first.stability == pytest.approx(card.stability)
    assert first.difficulty == pytest.approx(card.difficulty)
    assert first.last_review == T0

    second = ours.review(first, Rating.GOOD, first.due)
    card = learner.review(Rating.GOOD, first.due)
    assert card.state == fsrs.State.Review
    assert second.state == "review"
    assert not second.is_learning
    assert second.step is None
    assert second.due == card.due
    # Review intervals are whole study days: due when a later one begins.
    assert study_day(second.due) > study_day(first.due)
    assert second.due == day_start(second.due)
    assert second.stability == pytest.approx(card.stability)
    assert second.difficulty == pytest.approx(card.difficulty)
    assert second.last_review == first.due


def test_a_mixed_history_matches_the_package_at_every_step() -> None:
    ours = Scheduler(fuzz=False)
    package = fsrs.Scheduler(enable_fuzzing=False)
    steps = [
        (Rating.AGAIN, T0),
        (Rating.HARD, T0 + timedelta(minutes=1)),
        (Rating.GOOD, T0 + timedelta(minutes=8)),
        (Rating.GOOD, T0 + timedelta(minutes=20)),
        (Rating.GOOD, T0 + timedelta(days=3)),
        (Rating.AGAIN, T0 + timedelta(days=12)),
        (Rating.GOOD, T0 + timedelta(days=12, minutes=10)),
        (Rating.EASY, T0 + timedelta(days=20)),
    ]
    names = {
        fsrs.State.Learning: "learning",
        fsrs.State.Review: "review",
        fsrs.State.Relearning: "relearning",
    }
    for state, card in zip(drive(ours, steps), drive_package(package, steps), strict=True):
        assert state.state == names[card.state]
        assert state.step == card.step
        assert state.due == card.due
        assert state.stability == pytest.approx(card.stability)
        assert state.difficulty == pytest.approx(card.difficulty)
        assert state.last_review == card.last_review


def test_reps_count_every_review() -> None:
    ours = Scheduler(fuzz=False)
    steps = [
        (Rating.AGAIN, T0),
        (Rating.GOOD, T0 + timedelta(minutes=1)),
        (Rating.GOOD, T0 + timedelta(minutes=11)),
        (Rating.GOOD, T0 + timedelta(days=4)),
    ]
    assert [s.reps for s in drive(ours, steps)] == [1, 2, 3, 4]


# Lapses


def test_again_on_a_review_card_counts_a_lapse_and_relearns() -> None:
    ours = Scheduler(fuzz=False)
    package = fsrs.Scheduler(enable_fuzzing=False)
    reviewed = review_state(ours)
    assert reviewed.state == "review"
    assert reviewed.lapses == 0

    at = reviewed.due
    lapsed = ours.review(reviewed, Rating.AGAIN, at)

    card = drive_package(
        package, [(Rating.GOOD, T0), (Rating.GOOD, T0 + timedelta(minutes=10)), (Rating.AGAIN, at)]
    )[-1]
    assert card.state == fsrs.State.Relearning
    assert lapsed.state == "relearning"
    assert lapsed.is_learning
    assert lapsed.lapses == 1
    assert lapsed.reps == reviewed.reps + 1
    assert lapsed.step == card.step == 0
    assert lapsed.due == card.due
    assert lapsed.due - at < timedelta(days=1)  # relearning steps are within the day
    assert lapsed.stability == pytest.approx(card.stability)
    assert lapsed.stability < reviewed.stability


def test_again_while_learning_or_relearning_is_not_a_lapse() -> None:
    ours = Scheduler(fuzz=False)
    learning = ours.review(ours.new_state(T0), Rating.AGAIN, T0)
    assert learning.state == "learning"
    assert learning.lapses == 0

    reviewed = review_state(ours)
    relearning = ours.review(reviewed, Rating.AGAIN, reviewed.due)
    again = ours.review(relearning, Rating.AGAIN, relearning.due)
    assert again.state == "relearning"
    assert again.lapses == 1  # only the fall out of review counted


def test_good_after_relearning_returns_to_review_keeping_the_lapse() -> None:
    ours = Scheduler(fuzz=False)
    reviewed = review_state(ours)
    relearning = ours.review(reviewed, Rating.AGAIN, reviewed.due)
    back = ours.review(relearning, Rating.GOOD, relearning.due)
    assert back.state == "review"
    assert back.lapses == 1
    # Due when a later study day begins, which may be fewer than 24 hours away.
    assert study_day(back.due) > study_day(relearning.due)
    assert back.due == day_start(back.due)


# Desired retention


def test_higher_desired_retention_gives_shorter_intervals() -> None:
    steps = [
        (Rating.GOOD, T0),
        (Rating.GOOD, T0 + timedelta(minutes=10)),
        (Rating.GOOD, T0 + timedelta(days=5)),
    ]
    strict = drive(Scheduler(0.95, fuzz=False), steps)[-1]
    loose = drive(Scheduler(0.8, fuzz=False), steps)[-1]
    assert strict.state == loose.state == "review"
    assert strict.stability == pytest.approx(loose.stability)  # same memory, other target
    strict_interval = strict.due - strict.last_review
    loose_interval = loose.due - loose.last_review
    assert strict_interval < loose_interval

    for retention, state in ((0.95, strict), (0.8, loose)):
        package = fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
        assert state.due == drive_package(package, steps)[-1].due


def test_desired_retention_is_kept() -> None:
    assert Scheduler(0.85).desired_retention == 0.85


# Retrievability


def test_retrievability_is_one_right_after_a_review() -> None:
    ours = Scheduler(fuzz=False)
    state = review_state(ours)
    assert ours.retrievability(state, state.last_review) == pytest.approx(1.0)


def test_retrievability_falls_hour_by_hour_within_the_first_day() -> None:
    ours = Scheduler(fuzz=False)
    state = review_state(ours)
    values = [
        ours.retrievability(state, state.last_review + timedelta(hours=h))
        for h in (0, 1, 3, 6, 12, 18, 23)
    ]
    assert all(b < a for a, b in pairwise(values))
    assert all(0.0 < v < 1.0 for v in values[1:])


def test_retrievability_uses_fractional_days_where_the_package_floors() -> None:
    ours = Scheduler(fuzz=False)
    package = fsrs.Scheduler(enable_fuzzing=False)
    card = drive_package(package, [(Rating.GOOD, T0), (Rating.GOOD, T0 + timedelta(minutes=10))])[
        -1
    ]
    state = review_state(ours)
    noon = state.last_review + timedelta(hours=12)
    assert package.get_card_retrievability(card, noon) == 1.0
    assert ours.retrievability(state, noon) < 1.0


@pytest.mark.parametrize("days", [1, 2, 5, 10, 30])
def test_retrievability_matches_the_fsrs_formula_and_package_on_whole_days(days: int) -> None:
    ours = Scheduler(fuzz=False)
    package = fsrs.Scheduler(enable_fuzzing=False)
    card = drive_package(package, [(Rating.GOOD, T0), (Rating.GOOD, T0 + timedelta(minutes=10))])[
        -1
    ]
    state = review_state(ours)
    at = state.last_review + timedelta(days=days)

    decay = -package.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    formula = (1 + factor * days / state.stability) ** decay

    value = ours.retrievability(state, at)
    assert value == pytest.approx(formula)
    assert value == pytest.approx(package.get_card_retrievability(card, at))


def test_retrievability_is_ninety_percent_after_stability_days() -> None:
    # FSRS defines stability as the time for recall probability to fall to 90%.
    ours = Scheduler(fuzz=False)
    state = review_state(ours)
    at = state.last_review + timedelta(days=state.stability)
    assert ours.retrievability(state, at) == pytest.approx(0.9)


def test_retrievability_of_a_new_item_is_zero() -> None:
    ours = Scheduler(fuzz=False)
    assert ours.retrievability(ours.new_state(T0), T0 + timedelta(days=3)) == 0.0


def test_retrievability_before_the_last_review_is_capped_at_one() -> None:
    ours = Scheduler(fuzz=False)
    state = review_state(ours)
    assert ours.retrievability(state, state.last_review - timedelta(hours=5)) == pytest.approx(1.0)


# Fuzzing


def test_without_fuzz_scheduling_is_deterministic() -> None:
    steps = [
        (Rating.GOOD, T0),
        (Rating.GOOD, T0 + timedelta(minutes=10)),
        (Rating.GOOD, T0 + timedelta(days=3)),
        (Rating.EASY, T0 + timedelta(days=15)),
    ]
    runs = [drive(Scheduler(fuzz=False), steps) for _ in range(5)]
    # Long enough intervals that fuzzing, were it on, would apply.
    assert runs[0][-1].due - runs[0][-1].last_review > timedelta(days=3)
    assert all(run == runs[0] for run in runs)


# Study days


PLUS_FIVE = timezone(timedelta(hours=5))
MINUS_SEVEN = timezone(timedelta(hours=-7))


def test_study_day_rolls_over_at_four_local() -> None:
    before = datetime(2026, 3, 10, 3, 59, tzinfo=PLUS_FIVE).astimezone(UTC)
    at = datetime(2026, 3, 10, 4, 0, tzinfo=PLUS_FIVE).astimezone(UTC)
    assert before.date() == at.date() == date(2026, 3, 9)  # same UTC date, different study days
    assert study_day(before, PLUS_FIVE) == date(2026, 3, 9)
    assert study_day(at, PLUS_FIVE) == date(2026, 3, 10)


def test_study_day_west_of_utc() -> None:
    before = datetime(2026, 3, 10, 3, 59, tzinfo=MINUS_SEVEN).astimezone(UTC)
    at = datetime(2026, 3, 10, 4, 0, tzinfo=MINUS_SEVEN).astimezone(UTC)
    assert study_day(before, MINUS_SEVEN) == date(2026, 3, 9)
    assert study_day(at, MINUS_SEVEN) == date(2026, 3, 10)
    late = datetime(2026, 3, 10, 23, 30, tzinfo=MINUS_SEVEN).astimezone(UTC)
    assert late.date() == date(2026, 3, 11)
    assert study_day(late, MINUS_SEVEN) == date(2026, 3, 10)


def test_day_start_rolls_over_at_four_local_and_is_utc() -> None:
    before = datetime(2026, 3, 10, 3, 59, tzinfo=PLUS_FIVE).astimezone(UTC)
    at = datetime(2026, 3, 10, 4, 0, tzinfo=PLUS_FIVE).astimezone(UTC)

    start_before = day_start(before, PLUS_FIVE)
    start_at = day_start(at, PLUS_FIVE)
    assert start_before == datetime(2026, 3, 9, 4, 0, tzinfo=PLUS_FIVE)
    assert start_at == datetime(2026, 3, 10, 4, 0, tzinfo=PLUS_FIVE)
    assert start_at == at
    for start in (start_before, start_at):
        assert start.utcoffset() == timedelta(0)
    assert start_at - start_before == timedelta(days=1)
    assert start_before <= before < start_before + timedelta(days=1)


@pytest.mark.parametrize("hours", [0, 3, 4, 5, 11, 17, 23])
def test_day_start_contains_now(hours: int) -> None:
    now = datetime(2026, 7, 1, hours, 30, tzinfo=MINUS_SEVEN).astimezone(UTC)
    start = day_start(now, MINUS_SEVEN)
    assert start <= now < start + timedelta(days=1)
    assert start.astimezone(MINUS_SEVEN).hour == 4
    assert start.astimezone(MINUS_SEVEN).date() == study_day(now, MINUS_SEVEN)


def test_rating_labels_and_numbers_follow_fsrs() -> None:
    for rating in Rating:
        assert int(fsrs.Rating(int(rating))) == int(rating)
        assert fsrs.Rating(int(rating)).name.lower() == rating.label.lower()


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 59, 59, 999000, tzinfo=UTC),
        datetime(1999, 12, 31, 0, 0, 0, 1000, tzinfo=UTC),
    ],
)
def test_julian_days_agree_with_sqlite(moment: datetime) -> None:
    # The queue ranks reviews by days elapsed between a Julian day SQLite computes from the
    # stored time and one computed here.
    import sqlite3

    from quiz.scheduler import julian_day

    (theirs,) = sqlite3.connect(":memory:").execute(
        "SELECT julianday(?)", (moment.isoformat(),)
    ).fetchone()
    assert julian_day(moment) == pytest.approx(theirs, abs=1e-8)  # under a millisecond


def test_replay_rates_a_history_again_step_by_step() -> None:
    scheduler = Scheduler(fuzz=False)
    history = [(T0, Rating.GOOD), (T0 + timedelta(minutes=10), Rating.GOOD)]
    history.append((T0 + timedelta(days=3), Rating.AGAIN))
    replayed = scheduler.replay(history)
    state = None
    for (at, rating), (before, after) in zip(history, replayed, strict=True):
        assert before == state
        assert after == scheduler.review(state or Scheduler.new_state(at), rating, at)
        state = after
    assert replayed[-1][1].lapses == 1


def test_replay_starts_from_a_given_state_and_of_nothing_is_nothing() -> None:
    scheduler = Scheduler(fuzz=False)
    start = scheduler.review(Scheduler.new_state(T0), Rating.EASY, T0)
    later = T0 + timedelta(days=5)
    assert scheduler.replay([(later, Rating.HARD)], start) == [
        (start, scheduler.review(start, Rating.HARD, later))
    ]
    assert scheduler.replay([], start) == []


def test_fuzz_is_fixed_by_the_seed_and_the_reviews_so_far():
    scheduler = Scheduler()
    state = drive(scheduler, [(Rating.EASY, T0)])[0]
    seed = fuzz_seed("ann", "flash", "c1")
    first = scheduler.review(state, Rating.GOOD, T0 + timedelta(days=8), seed=seed)
    assert all(
        scheduler.review(state, Rating.GOOD, T0 + timedelta(days=8), seed=seed) == first
        for _ in range(20)
    )
    # One more review before it is another draw: over many items, the seed alone does not fix it.
    later = [replace(state, reps=n) for n in range(40)]
    dues = {scheduler.review(s, Rating.GOOD, T0 + timedelta(days=8), seed=seed).due for s in later}
    assert len(dues) > 3


def test_fuzz_still_spreads_one_interval_over_items():
    scheduler, plain = Scheduler(), Scheduler(fuzz=False)
    state = drive(plain, [(Rating.EASY, T0)])[0]
    at = T0 + timedelta(days=8)
    unfuzzed = plain.review(state, Rating.GOOD, at).due - at
    days = [
        (scheduler.review(state, Rating.GOOD, at, seed=fuzz_seed("ann", "d", f"c{i}")).due - at)
        for i in range(300)
    ]
    spread = {round(d / timedelta(days=1)) for d in days}
    centre = round(unfuzzed / timedelta(days=1))
    # Items rated alike on one day are spread over the days of FSRS's range around it.
    whole_range = set(range(fuzzed_days(centre, 0.0, 36500), fuzzed_days(centre, 0.999, 36500) + 1))
    assert len(whole_range) >= 5
    assert spread == whole_range


@pytest.mark.parametrize("days", [1, 2, 3, 5, 8, 21, 100, 36500])
def test_a_fuzzed_interval_stays_in_its_range_with_each_day_as_likely(days):
    spread = 1.0 + sum(s * max(0.0, min(days, e) - b) for b, e, s in FUZZ_BANDS)
    low, high = max(2, round(days - spread)), min(round(days + spread), 36500)
    if days < 3:
        low = high = days  # too short to fuzz
    # Draws evenly spaced over [0, 1): ten to each day of the range, none beyond it.
    n = 10 * (high - low + 1)
    drawn = [fuzzed_days(days, (i + 0.5) / n, 36500) for i in range(n)]
    assert {d: drawn.count(d) for d in set(drawn)} == {d: 10 for d in range(low, high + 1)}

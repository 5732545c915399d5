"""How well FSRS predicts a review log, and parameters fitted to it (fsrs-rs-python)."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.scheduler import DEFAULT_PARAMETERS, ROLLOVER_HOUR, Rating, Scheduler, study_day
from quiz.settings import StudySettings

if TYPE_CHECKING:
    from fsrs_rs_python import FSRSItem, SimulatorConfig

CSV_HEADER = ("card_id", "review_rating", "review_time", "review_duration")
# sklearn's TimeSeriesSplit with five splits, as fsrs-rs and srs-benchmark use it: the items
# in time order, cut into six folds; each of the last five is predicted by parameters fitted
# on all before it, so the first fold is never scored.
SPLITS = 5
# FSRS parameters are not fitted on fewer scored reviews than Anki asks for.
MIN_REVIEWS_TO_FIT = 400


class ReviewLogError(Exception):
    """A review log that cannot be read, with the place and what is wrong."""


@dataclass(frozen=True)
class LoggedReview:
    """One rating of one card, as a review log keeps it."""

    card_id: str
    rating: Rating
    time: datetime
    duration_ms: int = 0


@dataclass(frozen=True)
class Scored:
    """A review that FSRS can be scored on: the history before it, its gap and its outcome."""

    card_id: str
    history: tuple[tuple[int, int], ...]  # (rating, study days since the one before)
    elapsed: int  # study days since the previous review; at least 1
    rating: int
    time: datetime

    @property
    def recalled(self) -> bool:
        """Whether the card was remembered: any rating but Again."""
        return self.rating != Rating.AGAIN


@dataclass(frozen=True)
class Metrics:
    """srs-benchmark's measures of a model's predictions."""

    log_loss: float
    rmse_bins: float
    auc: float | None

    def as_dict(self) -> dict[str, float | None]:
        """The metrics as JSON-ready values."""
        return {"log_loss": self.log_loss, "rmse_bins": self.rmse_bins, "auc": self.auc}


def read_review_csv(path: Path) -> list[LoggedReview]:
    """A review log in py-fsrs / srs-benchmark CSV form; errors name the line."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewLogError(f"{path}: error: cannot read the file ({exc})") from exc
    if not rows or tuple(c.strip() for c in rows[0]) != CSV_HEADER:
        raise ReviewLogError(
            f"{path}:1:1: error: a review log starts with the header {','.join(CSV_HEADER)}"
        )
    reviews = []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        reviews.append(_csv_review(path, number, row))
    return reviews


def _csv_review(path: Path, number: int, row: list[str]) -> LoggedReview:
    def fail(message: str) -> ReviewLogError:
        return ReviewLogError(f"{path}:{number}:1: error: {message}")

    if len(row) != len(CSV_HEADER):
        raise fail(f"expected {len(CSV_HEADER)} columns, found {len(row)}")
    card_id, rating_text, time_text, duration_text = (c.strip() for c in row)
    if rating_text not in ("1", "2", "3", "4"):
        raise fail(f"review_rating must be 1, 2, 3 or 4, not {rating_text!r}")
    try:
        time = datetime.fromisoformat(time_text)
    except ValueError as exc:
        raise fail(f"review_time is not an ISO 8601 time: {time_text!r}") from exc
    if time.tzinfo is None:
        time = time.replace(tzinfo=UTC)  # the format's times are UTC
    try:
        duration = int(duration_text or 0)
    except ValueError as exc:
        raise fail(f"review_duration must be whole milliseconds, not {duration_text!r}") from exc
    return LoggedReview(card_id, Rating(int(rating_text)), time.astimezone(UTC), duration)


def read_anki_revlog(path: Path) -> list[LoggedReview]:
    """The review log inside an Anki package (.apkg or .colpkg), as Anki's FSRS reads it."""
    from quiz.interchange import InterchangeError
    from quiz.interchange.anki import read_revlog
    from quiz.interchange.anki_history import fsrs_history, review_time

    try:
        rows = read_revlog(path)
    except InterchangeError as exc:
        raise ReviewLogError(f"{path}: error: {exc}") from exc
    history = fsrs_history(rows)
    return [
        LoggedReview(str(row.card_id), Rating(row.ease), review_time(row), max(0, row.duration_ms))
        for card_rows in history.reviews.values()
        for row in card_rows
    ]


def scored_reviews(
    reviews: Iterable[LoggedReview], tz: tzinfo | None = None, hour: int = ROLLOVER_HOUR
) -> list[Scored]:
    """The reviews made a study day or more after the card's previous one, in time order."""
    by_card: dict[str, list[LoggedReview]] = defaultdict(list)
    for review in reviews:
        by_card[review.card_id].append(review)
    scored = []
    for card_id, history in by_card.items():
        history.sort(key=lambda r: r.time)
        steps: list[tuple[int, int]] = []
        previous: date | None = None
        for review in history:
            day = study_day(review.time, tz, hour)
            elapsed = (day - previous).days if previous is not None else 0
            if steps and elapsed >= 1:
                rating = int(review.rating)
                scored.append(Scored(card_id, tuple(steps), elapsed, rating, review.time))
            steps.append((int(review.rating), elapsed))
            previous = day
    scored.sort(key=lambda s: (s.time, s.card_id))
    return scored


def predictions(
    scored: Sequence[Scored], parameters: Sequence[float] | None = None
) -> list[float]:
    """The probability of recall FSRS gave each scored review before it was made."""
    import fsrs_rs_python as fsrs_rs

    # A card's scored reviews share its history: its memory states are computed once, for
    # the longest, and each review is predicted from the state after the review before it.
    longest: dict[str, Scored] = {}
    for item in scored:
        best = longest.get(item.card_id)
        if best is None or len(item.history) > len(best.history):
            longest[item.card_id] = item
    cards = list(longest)
    model = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS if parameters is None else parameters))
    states = model.historical_memory_state_batch(
        [
            fsrs_rs.FSRSItem(
                [fsrs_rs.FSRSReview(r, e) for r, e in longest[card].history]
                + [fsrs_rs.FSRSReview(longest[card].rating, longest[card].elapsed)]
            )
            for card in cards
        ]
    )
    by_card = dict(zip(cards, states, strict=True))
    curve = Scheduler(parameters=parameters, fuzz=False)
    return [
        curve.recall_after(item.elapsed, by_card[item.card_id][len(item.history) - 1].stability)
        for item in scored
    ]


def metrics(scored: Sequence[Scored], predicted: Sequence[float]) -> Metrics:
    """Log loss, RMSE over srs-benchmark's bins, and AUC of predictions against outcomes."""
    if not scored:
        raise ReviewLogError("error: no review was made a day or more after the one before it")
    # Later reviews weigh more, as fsrs-rs weighs them (and so Anki's evaluation): the i-th of
    # n reviews in time order counts 0.25 + 0.75 * (i / (n - 1)) ** 3.
    last = max(len(scored) - 1, 1)
    loss = total = 0.0
    bins: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for index, (item, p) in enumerate(zip(scored, predicted, strict=True)):
        weight = 0.25 + 0.75 * (index / last) ** 3
        y = 1.0 if item.recalled else 0.0
        clipped = min(max(p, 1e-7), 1 - 1e-7)
        loss -= weight * (y * math.log(clipped) + (1 - y) * math.log(1 - clipped))
        total += weight
        cell = bins[_bin(item)]
        cell[0] += p
        cell[1] += y
        cell[2] += 1
        cell[3] += weight
    # Each bin compares its mean prediction with its share recalled, weighted by its reviews'.
    squared = sum((s_p / n - s_y / n) ** 2 * w for s_p, s_y, n, w in bins.values())
    return Metrics(
        log_loss=loss / total,
        rmse_bins=math.sqrt(squared / total),
        auc=_auc([item.recalled for item in scored], predicted),
    )


def _bin(item: Scored) -> tuple[int, int, int]:
    """srs-benchmark's bin of a review: its gap, the history's length and lapses, on log scales."""
    gap = round(2.48 * 3.62 ** math.floor(math.log(item.elapsed, 3.62)) * 100)
    length = sum(1 for _, elapsed in item.history if elapsed > 0) + 2  # this review counts too
    length_bin = round(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    lapses = sum(1 for rating, elapsed in item.history if rating == 1 and elapsed > 0)
    if lapses == 0:
        return gap, length_bin, 0
    return gap, length_bin, round(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73)))


def _auc(labels: Sequence[bool], predicted: Sequence[float]) -> float | None:
    """The area under the ROC curve, from ranks (ties share their mean rank)."""
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    order = sorted(range(len(predicted)), key=predicted.__getitem__)
    ranks = [0.0] * len(order)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and predicted[order[end + 1]] == predicted[order[start]]:
            end += 1
        for index in order[start : end + 1]:
            ranks[index] = (start + end) / 2 + 1
        start = end + 1
    positive_ranks = sum(r for r, label in zip(ranks, labels, strict=True) if label)
    return (positive_ranks - positives * (positives + 1) / 2) / (positives * negatives)


def fsrs_items(scored: Sequence[Scored]) -> list[FSRSItem]:
    """The scored reviews as fsrs-rs-python items: each history with its last review."""
    import fsrs_rs_python as fsrs_rs

    return [
        fsrs_rs.FSRSItem(
            [fsrs_rs.FSRSReview(r, e) for r, e in item.history]
            + [fsrs_rs.FSRSReview(item.rating, item.elapsed)]
        )
        for item in scored
    ]


@dataclass(frozen=True)
class Evaluation:
    """Default and fitted parameters side by side on one review log."""

    reviews_scored: int
    defaults: Metrics
    optimized: Metrics | None  # None when there are too few reviews to fit
    defaults_on_tested: Metrics | None  # the defaults on the reviews the splits score
    parameters: tuple[float, ...] | None  # fitted on every scored review, when better

    @property
    def better(self) -> bool:
        """True when the fitted parameters predict the later reviews better than the defaults."""
        if self.optimized is None or self.defaults_on_tested is None:
            return False
        return self.optimized.log_loss < self.defaults_on_tested.log_loss

    def as_dict(self) -> dict[str, object]:
        """The evaluation as `quiz optimize --evaluate --format json` prints it."""
        return {
            "reviews_scored": self.reviews_scored,
            "defaults": self.defaults.as_dict(),
            "optimized": None if self.optimized is None else self.optimized.as_dict(),
        }


def evaluate(
    reviews: Iterable[LoggedReview],
    tz: tzinfo | None = None,
    *,
    hour: int = ROLLOVER_HOUR,
    fit: bool = True,
    progress: Callable[[str], None] = lambda _: None,
) -> Evaluation:
    """Score the defaults on every scored review and, with enough of them, fitted parameters."""
    scored = scored_reviews(reviews, tz, hour)
    progress(f"scoring the default parameters on {len(scored)} reviews")
    predicted = predictions(scored)
    defaults = metrics(scored, predicted)
    if not fit or len(scored) < MIN_REVIEWS_TO_FIT:
        return Evaluation(len(scored), defaults, None, None, None)
    import fsrs_rs_python as fsrs_rs

    items = fsrs_items(scored)
    progress("fitting parameters on each time-series split")
    split = fsrs_rs.evaluate_with_time_series_splits(items)
    # The splits score everything after the first of six equal folds (what sklearn leaves).
    first_tested = len(scored) - SPLITS * (len(scored) // (SPLITS + 1))
    optimized = Metrics(float(split.log_loss), float(split.rmse_bins), None)
    on_tested = metrics(scored[first_tested:], predicted[first_tested:])
    fitted: tuple[float, ...] | None = None
    if optimized.log_loss < on_tested.log_loss:  # only parameters that would be adopted
        progress("fitting parameters on every review")
        model = fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS)
        fitted = tuple(float(w) for w in model.compute_parameters(items))
    return Evaluation(len(scored), defaults, optimized, on_tested, fitted)


@dataclass(frozen=True)
class Workload:
    """What a desired retention costs: the reviews a day it takes, by fsrs-rs's simulator."""

    retention: float
    reviews_per_day: float  # the mean over the simulated year
    remembered: float  # items expected to be remembered at the end of it


def workloads(
    retentions: Sequence[float],
    cards: int,
    settings: StudySettings,
    parameters: Sequence[float] | None = None,
    days: int = 365,
) -> list[Workload]:
    """The expected daily reviews of a collection of `cards` items at each retention."""
    import fsrs_rs_python as fsrs_rs

    config = _simulator_config(cards, settings, days)
    w = list(DEFAULT_PARAMETERS if parameters is None else parameters)
    out = []
    for retention in retentions:
        # A fixed seed: the same question gets the same answer.
        result = fsrs_rs.simulate(w, retention, config, 1)
        reviews = result.review_cnt_per_day
        remembered = result.memorized_cnt_per_day[-1]
        out.append(Workload(retention, sum(reviews) / len(reviews), remembered))
    return out


def optimal_retention(
    cards: int, settings: StudySettings, parameters: Sequence[float] | None = None
) -> float:
    """The desired retention that costs the least time per item remembered (Anki's CMRR)."""
    import fsrs_rs_python as fsrs_rs

    w = list(DEFAULT_PARAMETERS if parameters is None else parameters)
    # fsrs-rs works in 32-bit floats; retentions are set to two places.
    return round(float(fsrs_rs.optimal_retention(_simulator_config(cards, settings, 365), w)), 2)


def _simulator_config(cards: int, settings: StudySettings, days: int) -> SimulatorConfig:
    import fsrs_rs_python as fsrs_rs

    config = fsrs_rs.default_simulator_config()
    config.deck_size = max(1, cards)
    config.learn_span = days
    config.learn_limit = settings.new_per_day
    config.review_limit = settings.reviews_per_day
    config.max_ivl = float(settings.maximum_interval)
    return config


# Scoring on every opening of the statistics screen is quick up to this many reviews (about
# a second); past it the screen shows what `quiz optimize` stored instead.
SCORE_ON_SIGHT = 50_000


@dataclass(frozen=True)
class Fit:
    """How well the parameters in use predict a learner's reviews, and whether to optimise."""

    fitted: bool  # the learner's own parameters, not FSRS's defaults
    reviews: int  # in the decks looked at
    metrics: Metrics | None  # of the parameters in use; None when not scored
    suggest: bool  # enough reviews, and no fit yet, or many since the last


def current_fit(
    reviews: Sequence[LoggedReview],
    parameters: Sequence[float] | None,
    fitted_on: int | None,
    hour: int = ROLLOVER_HOUR,
) -> Fit:
    """Score the parameters in use on the reviews, when there are few enough to do it now."""
    metrics_now: Metrics | None = None
    scored_count = fitted_on or 0
    if len(reviews) <= SCORE_ON_SIGHT:
        scored = scored_reviews(reviews, None, hour)
        scored_count = len(scored)
        if scored:
            metrics_now = metrics(scored, predictions(scored, parameters))
    # Fitting again is worth it once the reviews since the last fit are as many again.
    suggest = scored_count >= MIN_REVIEWS_TO_FIT and (
        fitted_on is None or scored_count >= 2 * fitted_on
    )
    return Fit(parameters is not None, len(reviews), metrics_now, suggest)

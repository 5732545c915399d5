"""Learner statistics and the class report, from the rows the store's report queries give."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from quiz.deck.model import DEFAULT_DESIRED_RETENTION, Item, card_from_dict
from quiz.scheduler import ROLLOVER_HOUR, day_start, study_day
from quiz.store import reports
from quiz.store.database import Store
from quiz.study.learner import learner_settings

# An item is mastered when its memory is both durable and fresh; see docs/progress.md.
MASTERED_STABILITY_DAYS = 21.0
MASTERED_RETRIEVABILITY = 0.9
RETENTION_DAYS = 30
# A learner is behind in a deck when a quarter of what they have seen is overdue...
BACKLOG_SHARE = 0.25
# ... or when items are due and they have not studied the deck for a week.
IDLE_DAYS = 7
UNTAGGED = "(untagged)"


def ts(value: datetime) -> str:
    """A timestamp as stored in the database."""
    return value.isoformat()


class GroupBy(StrEnum):
    """What a class report row covers for each learner."""

    DECK = "deck"
    TAG = "tag"
    CARD = "card"


class ProgressRow(NamedTuple):
    """One learner's progress on a deck, a tag or a card (a tuple: reports can be long)."""

    learner: str
    deck_id: str | None  # None for a tag, which may span decks
    group: str  # the deck id, the tag, or the card id
    total: int  # current study items
    seen: int
    mastered: int
    due: int
    overdue: int  # due before today's study day began
    first_answers: int
    first_right: int
    retention_reviews: int  # true-retention reviews in the last RETENTION_DAYS days
    retention_passed: int
    reviews: int
    seconds: float
    last_studied: datetime | None

    @property
    def accuracy(self) -> float | None:
        """Share of first answers that were right."""
        return self.first_right / self.first_answers if self.first_answers else None

    @property
    def true_retention(self) -> float | None:
        """Anki's true retention over the last RETENTION_DAYS days."""
        return self.retention_passed / self.retention_reviews if self.retention_reviews else None

    @property
    def mastered_share(self) -> float | None:
        """Share of the current items that are mastered."""
        return self.mastered / self.total if self.total else None


@dataclass(frozen=True)
class Standing:
    """Whether a learner keeps up with a deck, and why not."""

    behind: bool
    label: str


def standing(row: ProgressRow, now: datetime) -> Standing:
    """On track, not started, or behind (a backlog of overdue items, or idle with items due)."""
    if not row.reviews:
        return Standing(False, "not started")
    if row.seen and row.overdue >= BACKLOG_SHARE * row.seen:
        return Standing(True, f"{row.overdue} overdue")
    if row.last_studied is not None and row.due:
        idle = (study_day(now) - study_day(row.last_studied)).days
        if idle >= IDLE_DAYS:
            return Standing(True, f"idle {idle} d")
    return Standing(False, "on track")


def deck_ids(store: Store) -> list[str]:
    """Every deck in the database, by id."""
    return store.deck_ids()


def learners(store: Store) -> list[str]:
    """Every learner with at least one review in the database."""
    return store.learners()


def class_report(
    store: Store,
    now: datetime,
    *,
    learners: Sequence[str] | None = None,
    decks: Sequence[str] | None = None,
    by: GroupBy = GroupBy.DECK,
    hour: int = ROLLOVER_HOUR,
) -> list[ProgressRow]:
    """Progress per learner and deck, tag or card (all learners with reviews when None)."""
    names, totals, progress = reports.class_report_rows(
        store,
        now=now,
        since=now - timedelta(days=RETENTION_DAYS),
        today=day_start(now, hour=hour),
        mastered_stability=MASTERED_STABILITY_DAYS,
        learners=learners,
        decks=list(decks) if decks is not None else deck_ids(store),
        by=by,
        untagged=UNTAGGED,
        hour=hour,
    )
    nothing = (0,) * 9 + (0, None)
    rows = []
    for name in names:
        for g_deck, g_key, total in totals:
            seen, mastered, due, overdue, firsts, right, n, passed, reviews, ms, last = (
                progress.get((name, g_deck, g_key), nothing)
            )
            rows.append(
                ProgressRow(
                    name,
                    g_deck or None,
                    g_key or g_deck,
                    total,
                    seen,
                    mastered,
                    due,
                    overdue,
                    firsts,
                    right,
                    n,
                    passed,
                    reviews,
                    ms / 1000,
                    datetime.fromisoformat(last) if last else None,
                )
            )
    return rows


# A learner's statistics


@dataclass(frozen=True)
class RetentionPoint:
    """True retention over one week of study days."""

    first_day: date
    reviews: int
    passed: int

    @property
    def share(self) -> float | None:
        """Passed share, or None for a week with no such reviews."""
        return self.passed / self.reviews if self.reviews else None


@dataclass(frozen=True)
class HardItem:
    """An item the learner keeps forgetting."""

    deck_id: str
    item_key: str
    prompt: str
    lapses: int
    agains: int
    reviews: int
    leech: bool  # forgotten as often as the learner's leech threshold says (Anki's rule)


@dataclass(frozen=True)
class LearnerStats:
    """Everything the statistics screen shows for one learner and a set of decks."""

    learner: str
    today: date
    daily: dict[date, int]  # reviews per study day, days with reviews only
    streak: int
    forecast: list[int]  # items due on each of the next days; overdue ones count today
    retention: list[RetentionPoint]  # oldest week first
    desired_retention: float
    by_deck: list[ProgressRow]
    by_tag: list[ProgressRow]
    hardest: list[HardItem]
    leeches: int
    leech_threshold: int

    def reviews_on(self, days: int) -> list[tuple[date, int]]:
        """Reviews on each of the last `days` study days, today last."""
        first = self.today - timedelta(days=days - 1)
        return [
            (first + timedelta(days=i), self.daily.get(first + timedelta(days=i), 0))
            for i in range(days)
        ]

    @property
    def total(self) -> int:
        """Current study items in the decks."""
        return sum(r.total for r in self.by_deck)

    @property
    def seen(self) -> int:
        """Items studied at least once."""
        return sum(r.seen for r in self.by_deck)

    @property
    def mastered(self) -> int:
        """Items mastered now."""
        return sum(r.mastered for r in self.by_deck)

    @property
    def reviews(self) -> int:
        """Every review in the decks."""
        return sum(r.reviews for r in self.by_deck)

    @property
    def due(self) -> int:
        """Items due now."""
        return sum(r.due for r in self.by_deck)

    @property
    def true_retention(self) -> float | None:
        """True retention over the last RETENTION_DAYS days."""
        n = sum(r.retention_reviews for r in self.by_deck)
        return sum(r.retention_passed for r in self.by_deck) / n if n else None


def current_streak(days: set[date], today: date) -> int:
    """Study days in a row up to today, or up to yesterday while today is not studied yet."""
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def daily_reviews(
    store: Store, learner: str, decks: Sequence[str], hour: int = ROLLOVER_HOUR
) -> dict[date, int]:
    """Reviews per study day, for the days with any."""
    return reports.daily_review_counts(store, learner, decks, hour)


def due_forecast(
    store: Store,
    learner: str,
    decks: Sequence[str],
    now: datetime,
    days: int = 30,
    hour: int = ROLLOVER_HOUR,
) -> list[int]:
    """Items falling due on each of the next `days` study days; overdue ones count today."""
    today = study_day(now, hour=hour)
    until = day_start(now, hour=hour) + timedelta(days=days)
    out = [0] * days
    for day, n in reports.due_day_counts(store, learner, decks, until, hour):
        offset = (day - today).days
        out[min(max(offset, 0), days - 1)] += n
    return out


def weekly_retention(
    store: Store,
    learner: str,
    decks: Sequence[str],
    now: datetime,
    weeks: int = 12,
    hour: int = ROLLOVER_HOUR,
) -> list[RetentionPoint]:
    """True retention for each of the last `weeks` weeks of study days, oldest first."""
    today = study_day(now, hour=hour)
    first_day = today - timedelta(days=7 * weeks - 1)
    since = day_start(now, hour=hour) - timedelta(days=7 * weeks - 1)
    passed = [0] * weeks
    total = [0] * weeks
    for day, n, ok in reports.retention_day_counts(store, learner, decks, since, hour):
        week = (day - first_day).days // 7
        if 0 <= week < weeks:
            total[week] += n
            passed[week] += ok
    return [
        RetentionPoint(first_day + timedelta(days=7 * i), total[i], passed[i]) for i in range(weeks)
    ]


def item_prompt(content: str, variant: str) -> str:
    """The question an item asks, on one line, from its stored card."""
    text = Item("", card_from_dict(json.loads(content)), variant).question()
    return " ".join(text.split())


def hardest_items(
    store: Store, learner: str, decks: Sequence[str], leech_lapses: int, limit: int = 10
) -> tuple[list[HardItem], int]:
    """The items with the most lapses, then the most Again ratings; and the number of leeches."""
    rows = reports.lapsed_items(store, learner, decks, limit)
    leeches = reports.lapsed_at_least(store, learner, decks, leech_lapses)
    items = [
        HardItem(
            deck_id,
            key,
            item_prompt(content, variant or ""),
            lapses,
            agains,
            reps,
            lapses >= leech_lapses,
        )
        for deck_id, key, content, variant, lapses, agains, reps in rows
    ]
    return items, int(leeches)


def desired_retention(store: Store, decks: Sequence[str]) -> float:
    """The decks' target recall (their mean when the decks differ)."""
    value = reports.mean_desired_retention(store, decks)
    return value if value is not None else DEFAULT_DESIRED_RETENTION


def learner_stats(
    store: Store, learner: str, decks: Sequence[str], now: datetime, *, weeks: int = 12
) -> LearnerStats:
    """A learner's activity, forecast, retention, mastery and hardest items in these decks."""
    # The learner's own study day and leech threshold, as their sessions use them.
    chosen = learner_settings(store, learner)
    hour = chosen.rollover_hour
    today = study_day(now, hour=hour)
    daily = daily_reviews(store, learner, decks, hour)
    hardest, leeches = hardest_items(store, learner, decks, chosen.leech_threshold)
    return LearnerStats(
        learner=learner,
        today=today,
        daily=daily,
        streak=current_streak(set(daily), today),
        forecast=due_forecast(store, learner, decks, now, hour=hour),
        retention=weekly_retention(store, learner, decks, now, weeks, hour),
        desired_retention=desired_retention(store, decks),
        by_deck=class_report(store, now, learners=[learner], decks=decks, hour=hour),
        by_tag=class_report(store, now, learners=[learner], decks=decks, by=GroupBy.TAG, hour=hour),
        hardest=hardest,
        leeches=leeches,
        leech_threshold=chosen.leech_threshold,
    )


@dataclass(frozen=True)
class LearnerSummary:
    """One learner across decks, for the instructor's overview."""

    learner: str
    total: int
    seen: int
    mastered: int
    due: int
    last_studied: datetime | None
    behind: tuple[str, ...]  # decks the learner is behind in
    decks: tuple[ProgressRow, ...]


def class_overview(rows: Sequence[ProgressRow], now: datetime) -> list[LearnerSummary]:
    """Per-deck class report rows summed per learner; learners falling behind first."""
    by_learner: dict[str, list[ProgressRow]] = {}
    for row in rows:
        by_learner.setdefault(row.learner, []).append(row)
    out = []
    for name, decks in by_learner.items():
        studied = [r.last_studied for r in decks if r.last_studied is not None]
        out.append(
            LearnerSummary(
                learner=name,
                total=sum(r.total for r in decks),
                seen=sum(r.seen for r in decks),
                mastered=sum(r.mastered for r in decks),
                due=sum(r.due for r in decks),
                last_studied=max(studied) if studied else None,
                behind=tuple(r.group for r in decks if standing(r, now).behind),
                decks=tuple(decks),
            )
        )
    out.sort(key=lambda s: (not s.behind, s.learner))
    return out

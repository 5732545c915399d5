"""Learner statistics and the class report, computed in SQL from the review log and card states."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from quiz.deck.model import DEFAULT_DESIRED_RETENTION, Cloze, Flashcard, card_from_dict
from quiz.scheduler import ROLLOVER_HOUR, day_start, study_day
from quiz.store.database import Store

# An item is mastered when its memory is both durable and fresh; see docs/progress.md.
MASTERED_STABILITY_DAYS = 21.0
MASTERED_RETRIEVABILITY = 0.9
# Anki's default leech threshold.
LEECH_LAPSES = 8
RETENTION_DAYS = 30
# A learner is behind in a deck when a quarter of what they have seen is overdue...
BACKLOG_SHARE = 0.25
# ... or when items are due and they have not studied the deck for a week.
IDLE_DAYS = 7
UNTAGGED = "(untagged)"

DAY_SQL = "date({}, 'localtime', '-" + str(ROLLOVER_HOUR) + " hours')"
# FSRS defines stability as the interval after which recall falls to 90%, so
# "retrievability now >= 0.9" is exactly "no more than `stability` days since the last review".
MASTERED_SQL = (
    "(s.state = 'review' AND s.stability >= :mastered_stability "
    "AND julianday(:now) - julianday(s.last_review) <= s.stability)"
)
# Self-rated flashcards have no outcome: a rating other than Again counts as right.
SCORE_SQL = "COALESCE(r.correct, r.rating > 1)"
# Anki's true retention: of the first review each day of items in the review state, those passed.
RETENTION_REVIEW_SQL = "json_extract(r.state_before, '$.state') = 'review'"


def day_sql(column: str) -> str:
    """SQL for the local study day (rolling over at 04:00) a UTC timestamp column falls in."""
    return DAY_SQL.format(column)


def ts(value: datetime) -> str:
    """A timestamp as stored in the database."""
    return value.isoformat()


def in_list(prefix: str, values: Sequence[str], params: dict[str, Any]) -> str:
    """A named-parameter SQL list `(:p0, :p1)`, adding the values to `params`."""
    names = []
    for i, value in enumerate(values):
        params[f"{prefix}{i}"] = value
        names.append(f":{prefix}{i}")
    return "(" + ", ".join(names) + ")" if names else "(NULL)"


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


def _items_sql(by: GroupBy, deck_filter: str) -> str:
    """Study items (archived ones too, for their history) with the group each belongs to."""
    if by is GroupBy.DECK:
        return (
            "SELECT c.deck_id, c.item_key, c.archived, c.deck_id AS g_deck, '' AS g_key "
            f"FROM cards c WHERE c.deck_id IN {deck_filter}"
        )
    if by is GroupBy.CARD:
        return (
            "SELECT c.deck_id, c.item_key, c.archived, c.deck_id AS g_deck, c.card_id AS g_key "
            f"FROM cards c WHERE c.deck_id IN {deck_filter}"
        )
    # A card's topics are its own tags plus its deck's tags, as the deck format says.
    return (
        "SELECT c.deck_id, c.item_key, c.archived, '' AS g_deck, t.value AS g_key "
        f"FROM cards c, json_each(c.content, '$.tags') t WHERE c.deck_id IN {deck_filter} "
        "UNION SELECT c.deck_id, c.item_key, c.archived, '', t.value "
        "FROM cards c JOIN decks d ON d.id = c.deck_id, json_each(d.meta, '$.tags') t "
        f"WHERE c.deck_id IN {deck_filter} "
        f"UNION SELECT c.deck_id, c.item_key, c.archived, '', '{UNTAGGED}' "
        "FROM cards c JOIN decks d ON d.id = c.deck_id "
        f"WHERE c.deck_id IN {deck_filter} "
        "AND COALESCE(json_array_length(c.content, '$.tags'), 0) = 0 "
        "AND COALESCE(json_array_length(d.meta, '$.tags'), 0) = 0"
    )


def deck_ids(store: Store) -> list[str]:
    """Every deck in the database, by id."""
    return [d for (d,) in store.conn.execute("SELECT id FROM decks ORDER BY id")]


def learners(store: Store) -> list[str]:
    """Every learner with at least one review in the database."""
    return [name for (name,) in store.conn.execute("SELECT DISTINCT learner FROM reviews")]


def class_report(
    store: Store,
    now: datetime,
    *,
    learners: Sequence[str] | None = None,
    decks: Sequence[str] | None = None,
    by: GroupBy = GroupBy.DECK,
) -> list[ProgressRow]:
    """Progress per learner and deck, tag or card (all learners with reviews when None)."""
    params: dict[str, Any] = {
        "now": ts(now),
        "since": ts(now - timedelta(days=RETENTION_DAYS)),
        "today": ts(day_start(now)),
        "mastered_stability": MASTERED_STABILITY_DAYS,
    }
    deck_filter = in_list("d", list(decks) if decks is not None else deck_ids(store), params)
    if learners is None:
        who = "SELECT DISTINCT learner FROM reviews"
    else:
        who = "SELECT value AS learner FROM json_each(:learners)"
        params["learners"] = json.dumps(list(learners))
    items = _items_sql(by, deck_filter)
    names = sorted({name for (name,) in store.conn.execute(who, params)})
    totals = store.conn.execute(
        f"SELECT g_deck, g_key, SUM(archived = 0) FROM ({items}) "
        "GROUP BY g_deck, g_key ORDER BY g_deck, g_key",
        params,
    ).fetchall()
    partition = "r.learner, r.deck_id, r.item_key, i.g_deck, i.g_key, " + day_sql("r.reviewed_at")
    # Only (learner, group) pairs with any progress come from SQL; the rest are zeros.
    active = store.conn.execute(
        f"""
    WITH items AS ({items}),
    who AS ({who}),
    st AS (
        SELECT s.learner, i.g_deck, i.g_key, COUNT(*) AS seen,
            SUM({MASTERED_SQL}) AS mastered,
            SUM(julianday(s.due) <= julianday(:now)) AS due,
            SUM(julianday(s.due) < julianday(:today)) AS overdue
        FROM card_states s
        JOIN items i ON i.deck_id = s.deck_id AND i.item_key = s.item_key AND i.archived = 0
        WHERE s.learner IN (SELECT learner FROM who) AND s.state != 'new'
        GROUP BY s.learner, i.g_deck, i.g_key
    ),
    rv AS (
        SELECT r.learner, i.g_deck, i.g_key, COUNT(*) AS reviews,
            SUM(r.duration_ms) AS ms, MAX(r.reviewed_at) AS last,
            SUM(r.first) AS firsts, SUM(r.first * {SCORE_SQL}) AS first_right
        FROM reviews r JOIN items i ON i.deck_id = r.deck_id AND i.item_key = r.item_key
        WHERE r.learner IN (SELECT learner FROM who)
        GROUP BY r.learner, i.g_deck, i.g_key
    ),
    ret AS (
        SELECT learner, g_deck, g_key, COUNT(*) AS n, SUM(rating > 1) AS passed FROM (
            SELECT r.learner, i.g_deck, i.g_key, r.rating,
                ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY r.reviewed_at, r.id) AS nth
            FROM reviews r JOIN items i ON i.deck_id = r.deck_id AND i.item_key = r.item_key
            WHERE r.learner IN (SELECT learner FROM who)
                AND r.reviewed_at >= :since AND r.reviewed_at <= :now
                AND {RETENTION_REVIEW_SQL}
        ) WHERE nth = 1
        GROUP BY learner, g_deck, g_key
    )
    SELECT learner, g_deck, g_key, SUM(seen), SUM(mastered), SUM(due), SUM(overdue),
        SUM(firsts), SUM(first_right), SUM(n), SUM(passed), SUM(reviews),
        COALESCE(SUM(ms), 0), MAX(last)
    FROM (
        SELECT learner, g_deck, g_key, seen, mastered, due, overdue,
            0 AS firsts, 0 AS first_right, 0 AS n, 0 AS passed, 0 AS reviews,
            0 AS ms, NULL AS last
        FROM st
        UNION ALL
        SELECT learner, g_deck, g_key, 0, 0, 0, 0, firsts, first_right, 0, 0, reviews, ms, last
        FROM rv
        UNION ALL
        SELECT learner, g_deck, g_key, 0, 0, 0, 0, 0, 0, n, passed, 0, 0, NULL FROM ret
    )
    GROUP BY learner, g_deck, g_key
    """,
        params,
    )
    progress = {(row[0], row[1], row[2]): row[3:] for row in active}
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

    @property
    def leech(self) -> bool:
        """Forgotten so often that rewriting or splitting the card would help (Anki's rule)."""
        return self.lapses >= LEECH_LAPSES


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


def daily_reviews(store: Store, learner: str, decks: Sequence[str]) -> dict[date, int]:
    """Reviews per study day, for the days with any."""
    params: dict[str, Any] = {"learner": learner}
    deck_filter = in_list("d", decks, params)
    day = day_sql("r.reviewed_at")
    return {
        date.fromisoformat(d): n
        for d, n in store.conn.execute(
            f"SELECT {day} AS day, COUNT(*) FROM reviews r "
            f"WHERE r.learner = :learner AND r.deck_id IN {deck_filter} GROUP BY day",
            params,
        )
    }


def due_forecast(
    store: Store, learner: str, decks: Sequence[str], now: datetime, days: int = 30
) -> list[int]:
    """Items falling due on each of the next `days` study days; overdue ones count today."""
    today = study_day(now)
    params: dict[str, Any] = {
        "learner": learner,
        "until": ts(day_start(now) + timedelta(days=days)),
    }
    deck_filter = in_list("d", decks, params)
    out = [0] * days
    for d, n in store.conn.execute(
        f"SELECT {day_sql('s.due')} AS day, COUNT(*) FROM card_states s "
        "JOIN cards c ON c.deck_id = s.deck_id AND c.item_key = s.item_key AND c.archived = 0 "
        f"WHERE s.learner = :learner AND s.deck_id IN {deck_filter} AND s.state != 'new' "
        "AND julianday(s.due) < julianday(:until) GROUP BY day",
        params,
    ):
        offset = (date.fromisoformat(d) - today).days
        out[min(max(offset, 0), days - 1)] += n
    return out


def weekly_retention(
    store: Store, learner: str, decks: Sequence[str], now: datetime, weeks: int = 12
) -> list[RetentionPoint]:
    """True retention for each of the last `weeks` weeks of study days, oldest first."""
    today = study_day(now)
    first_day = today - timedelta(days=7 * weeks - 1)
    params: dict[str, Any] = {
        "learner": learner,
        "since": ts(day_start(now) - timedelta(days=7 * weeks - 1)),
    }
    deck_filter = in_list("d", decks, params)
    day = day_sql("r.reviewed_at")
    passed = [0] * weeks
    total = [0] * weeks
    for d, n, ok in store.conn.execute(
        f"""
        SELECT day, COUNT(*), SUM(rating > 1) FROM (
            SELECT {day} AS day, r.rating, ROW_NUMBER() OVER (
                PARTITION BY r.deck_id, r.item_key, {day} ORDER BY r.reviewed_at, r.id
            ) AS nth
            FROM reviews r
            WHERE r.learner = :learner AND r.deck_id IN {deck_filter}
                AND r.reviewed_at >= :since AND {RETENTION_REVIEW_SQL}
        ) WHERE nth = 1 GROUP BY day
        """,
        params,
    ):
        week = (date.fromisoformat(d) - first_day).days // 7
        if 0 <= week < weeks:
            total[week] += n
            passed[week] += ok
    return [
        RetentionPoint(first_day + timedelta(days=7 * i), total[i], passed[i]) for i in range(weeks)
    ]


def item_prompt(content: str, variant: str) -> str:
    """The question an item asks, on one line, from its stored card."""
    card = card_from_dict(json.loads(content))
    if isinstance(card, Flashcard) and variant == "reverse":
        return card.back
    text = card.prompt()
    if isinstance(card, Cloze) and variant.startswith("c"):
        text = card.with_gap(int(variant[1:]) - 1)
    return " ".join(text.split())


def hardest_items(
    store: Store, learner: str, decks: Sequence[str], limit: int = 10
) -> tuple[list[HardItem], int]:
    """The items with the most lapses, then the most Again ratings; and the number of leeches."""
    params: dict[str, Any] = {"learner": learner, "limit": limit, "leech": LEECH_LAPSES}
    deck_filter = in_list("d", decks, params)
    rows = store.conn.execute(
        f"""
        WITH agains AS (
            SELECT deck_id, item_key, COUNT(*) AS n FROM reviews
            WHERE learner = :learner AND deck_id IN {deck_filter} AND rating = 1
            GROUP BY deck_id, item_key
        )
        SELECT s.deck_id, s.item_key, c.content, c.variant, s.lapses, COALESCE(a.n, 0), s.reps
        FROM card_states s
        JOIN cards c ON c.deck_id = s.deck_id AND c.item_key = s.item_key AND c.archived = 0
        LEFT JOIN agains a ON a.deck_id = s.deck_id AND a.item_key = s.item_key
        WHERE s.learner = :learner AND s.deck_id IN {deck_filter}
            AND (s.lapses > 0 OR a.n > 0)
        ORDER BY s.lapses DESC, COALESCE(a.n, 0) DESC, s.deck_id, s.item_key
        LIMIT :limit
        """,
        params,
    ).fetchall()
    (leeches,) = store.conn.execute(
        "SELECT COUNT(*) FROM card_states s "
        "JOIN cards c ON c.deck_id = s.deck_id AND c.item_key = s.item_key AND c.archived = 0 "
        f"WHERE s.learner = :learner AND s.deck_id IN {deck_filter} AND s.lapses >= :leech",
        params,
    ).fetchone()
    items = [
        HardItem(deck_id, key, item_prompt(content, variant or ""), lapses, agains, reps)
        for deck_id, key, content, variant, lapses, agains, reps in rows
    ]
    return items, int(leeches)


def desired_retention(store: Store, decks: Sequence[str]) -> float:
    """The decks' target recall (their mean when the decks differ)."""
    params: dict[str, Any] = {}
    deck_filter = in_list("d", decks, params)
    (value,) = store.conn.execute(
        "SELECT AVG(json_extract(meta, '$.settings.desired_retention')) FROM decks "
        f"WHERE id IN {deck_filter}",
        params,
    ).fetchone()
    return float(value) if value is not None else DEFAULT_DESIRED_RETENTION


def learner_stats(
    store: Store, learner: str, decks: Sequence[str], now: datetime, *, weeks: int = 12
) -> LearnerStats:
    """A learner's activity, forecast, retention, mastery and hardest items in these decks."""
    today = study_day(now)
    daily = daily_reviews(store, learner, decks)
    hardest, leeches = hardest_items(store, learner, decks)
    return LearnerStats(
        learner=learner,
        today=today,
        daily=daily,
        streak=current_streak(set(daily), today),
        forecast=due_forecast(store, learner, decks, now),
        retention=weekly_retention(store, learner, decks, now, weeks),
        desired_retention=desired_retention(store, decks),
        by_deck=class_report(store, now, learners=[learner], decks=decks, by=GroupBy.DECK),
        by_tag=class_report(store, now, learners=[learner], decks=decks, by=GroupBy.TAG),
        hardest=hardest,
        leeches=leeches,
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

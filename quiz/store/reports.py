"""The progress reports' queries: every row the statistics and item analysis compute from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from quiz.scheduler import ROLLOVER_HOUR
from quiz.store.base import CONTENT_OF_C, StoreBase

# FSRS defines stability as the interval after which recall falls to 90%, so
# "retrievability now >= 0.9" is exactly "no more than `stability` days since the last review".
MASTERED_SQL = (
    "(s.state = 'review' AND s.stability >= :mastered_stability "
    "AND julianday(:now) - julianday(s.last_review) <= s.stability)"
)
# Rows a report counts: reviews dated within the store's range (imports refuse the rest, but an
# older database may hold some), each adding at most a day to time spent (a duration of
# 2^63 - 1 ms would overflow SQLite's SUM and end every report).
REVIEW_IN_RANGE = "r.reviewed_at >= '2000-01-01' AND r.reviewed_at < '3000-01-01'"
DURATION_SQL = "MIN(MAX(r.duration_ms, 0), 86400000)"
# Self-rated flashcards have no outcome: a rating other than Again counts as right.
SCORE_SQL = "COALESCE(r.correct, r.rating > 1)"
# Anki's true retention: of the first review each day of items in the review state, those passed.
RETENTION_REVIEW_SQL = "json_extract(r.state_before, '$.state') = 'review'"


def day_sql(column: str, hour: int = ROLLOVER_HOUR) -> str:
    """SQL for the local study day (rolling over at `hour`) a UTC timestamp column falls in."""
    # Pasted into the SQL text only as an int checked to be an hour, so no data reaches it.
    if not 0 <= int(hour) <= 23:
        raise ValueError(f"rollover hour {hour} is not an hour of the day")
    return f"date({column}, 'localtime', '-{int(hour)} hours')"


def in_list(prefix: str, values: Sequence[str], params: dict[str, Any]) -> str:
    """A named-parameter SQL list `(:p0, :p1)`, adding the values to `params`."""
    names = []
    for i, value in enumerate(values):
        params[f"{prefix}{i}"] = value
        names.append(f":{prefix}{i}")
    return "(" + ", ".join(names) + ")" if names else "(NULL)"


# The class report


def _items_sql(by: str, deck_filter: str, untagged: str) -> str:
    """Study items (archived ones too, for their history) with the group each belongs to."""
    if by == "deck":
        return (
            "SELECT c.deck_id, c.item_key, c.archived, c.deck_id AS g_deck, '' AS g_key "
            f"FROM cards c WHERE c.deck_id IN {deck_filter}"
        )
    if by == "card":
        return (
            "SELECT c.deck_id, c.item_key, c.archived, c.deck_id AS g_deck, c.card_id AS g_key "
            f"FROM cards c WHERE c.deck_id IN {deck_filter}"
        )
    # A card's topics are its own tags plus its deck's tags, as the deck format says.
    return (
        "SELECT c.deck_id, c.item_key, c.archived, '' AS g_deck, t.value AS g_key "
        f"FROM cards c, json_each({CONTENT_OF_C}, '$.tags') t WHERE c.deck_id IN {deck_filter} "
        "UNION SELECT c.deck_id, c.item_key, c.archived, '', t.value "
        "FROM cards c JOIN decks d ON d.id = c.deck_id, json_each(d.meta, '$.tags') t "
        f"WHERE c.deck_id IN {deck_filter} "
        f"UNION SELECT c.deck_id, c.item_key, c.archived, '', '{untagged}' "
        "FROM cards c JOIN decks d ON d.id = c.deck_id "
        f"WHERE c.deck_id IN {deck_filter} "
        f"AND COALESCE(json_array_length({CONTENT_OF_C}, '$.tags'), 0) = 0 "
        "AND COALESCE(json_array_length(d.meta, '$.tags'), 0) = 0"
    )


# (learner, group deck, group key) -> seen, mastered, due, overdue, first answers, first right,
# retention reviews, passed, reviews, milliseconds, last review.
Progress = dict[tuple[str, str, str], tuple[Any, ...]]


def class_report_rows(
    store: StoreBase,
    *,
    now: datetime,
    since: datetime,
    today: datetime,
    mastered_stability: float,
    learners: Sequence[str] | None,
    decks: Sequence[str],
    by: str,
    untagged: str,
    hour: int = ROLLOVER_HOUR,
) -> tuple[list[str], list[tuple[str, str, int]], Progress]:
    """The learners, the groups with their current item counts, and each pair's progress."""
    params: dict[str, Any] = {
        "now": now.isoformat(),
        "since": since.isoformat(),
        "today": today.isoformat(),
        "mastered_stability": mastered_stability,
    }
    deck_filter = in_list("d", decks, params)
    if learners is None:
        who = "SELECT DISTINCT learner FROM reviews"
    else:
        who = "SELECT value AS learner FROM json_each(:learners)"
        params["learners"] = json.dumps(list(learners))
    items = _items_sql(by, deck_filter, untagged)
    names = sorted({name for (name,) in store.conn.execute(who, params)})
    totals = store.conn.execute(
        f"SELECT g_deck, g_key, SUM(archived = 0) FROM ({items}) "
        "GROUP BY g_deck, g_key ORDER BY g_deck, g_key",
        params,
    ).fetchall()
    partition = "r.learner, r.deck_id, r.item_key, i.g_deck, i.g_key, " + day_sql(
        "r.reviewed_at", hour
    )
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
            SUM({DURATION_SQL}) AS ms, MAX(r.reviewed_at) AS last,
            SUM(r.first) AS firsts, SUM(r.first * {SCORE_SQL}) AS first_right
        FROM reviews r JOIN items i ON i.deck_id = r.deck_id AND i.item_key = r.item_key
        WHERE r.learner IN (SELECT learner FROM who) AND {REVIEW_IN_RANGE}
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
    return names, totals, {(row[0], row[1], row[2]): row[3:] for row in active}


# A learner's statistics


def daily_review_counts(
    store: StoreBase, learner: str, decks: Sequence[str], hour: int = ROLLOVER_HOUR
) -> dict[date, int]:
    """Reviews per study day, for the days with any."""
    params: dict[str, Any] = {"learner": learner}
    deck_filter = in_list("d", decks, params)
    day = day_sql("r.reviewed_at", hour)
    return {
        date.fromisoformat(d): n
        for d, n in store.conn.execute(
            f"SELECT {day} AS day, COUNT(*) FROM reviews r "
            f"WHERE r.learner = :learner AND r.deck_id IN {deck_filter} AND {REVIEW_IN_RANGE} "
            "GROUP BY day",
            params,
        )
    }


def due_day_counts(
    store: StoreBase,
    learner: str,
    decks: Sequence[str],
    until: datetime,
    hour: int = ROLLOVER_HOUR,
) -> list[tuple[date, int]]:
    """Studied current items by the study day they fall due on, for those due before `until`."""
    params: dict[str, Any] = {"learner": learner, "until": until.isoformat()}
    deck_filter = in_list("d", decks, params)
    return [
        (date.fromisoformat(d), n)
        for d, n in store.conn.execute(
            f"SELECT {day_sql('s.due', hour)} AS day, COUNT(*) FROM card_states s "
            "JOIN cards c ON c.deck_id = s.deck_id AND c.item_key = s.item_key "
            "AND c.archived = 0 "
            f"WHERE s.learner = :learner AND s.deck_id IN {deck_filter} AND s.state != 'new' "
            "AND julianday(s.due) < julianday(:until) GROUP BY day",
            params,
        )
    ]


def retention_day_counts(
    store: StoreBase,
    learner: str,
    decks: Sequence[str],
    since: datetime,
    hour: int = ROLLOVER_HOUR,
) -> list[tuple[date, int, int]]:
    """Per study day since `since`: true-retention reviews, and those passed."""
    params: dict[str, Any] = {"learner": learner, "since": since.isoformat()}
    deck_filter = in_list("d", decks, params)
    day = day_sql("r.reviewed_at", hour)
    return [
        (date.fromisoformat(d), n, ok)
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
        )
    ]


def lapsed_items(
    store: StoreBase, learner: str, decks: Sequence[str], limit: int
) -> list[tuple[str, str, str, str | None, int, int, int]]:
    """Current items forgotten or rated Again, most first, with their content and counts."""
    params: dict[str, Any] = {"learner": learner, "limit": limit}
    deck_filter = in_list("d", decks, params)
    return store.conn.execute(
        f"""
        WITH agains AS (
            SELECT deck_id, item_key, COUNT(*) AS n FROM reviews
            WHERE learner = :learner AND deck_id IN {deck_filter} AND rating = 1
            GROUP BY deck_id, item_key
        )
        SELECT s.deck_id, s.item_key, {CONTENT_OF_C}, c.variant, s.lapses, COALESCE(a.n, 0),
            s.reps
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


def lapsed_at_least(store: StoreBase, learner: str, decks: Sequence[str], lapses: int) -> int:
    """Current items the learner has forgotten at least `lapses` times."""
    params: dict[str, Any] = {"learner": learner, "leech": lapses}
    deck_filter = in_list("d", decks, params)
    (count,) = store.conn.execute(
        "SELECT COUNT(*) FROM card_states s "
        "JOIN cards c ON c.deck_id = s.deck_id AND c.item_key = s.item_key AND c.archived = 0 "
        f"WHERE s.learner = :learner AND s.deck_id IN {deck_filter} AND s.lapses >= :leech",
        params,
    ).fetchone()
    return int(count)


def mean_desired_retention(store: StoreBase, decks: Sequence[str]) -> float | None:
    """The mean of the decks' desired retention, None when no deck sets it."""
    params: dict[str, Any] = {}
    deck_filter = in_list("d", decks, params)
    (value,) = store.conn.execute(
        "SELECT AVG(json_extract(meta, '$.settings.desired_retention')) FROM decks "
        f"WHERE id IN {deck_filter}",
        params,
    ).fetchone()
    return float(value) if value is not None else None


# Item analysis


def _first_answers_sql(deck_filter: str) -> str:
    # Each learner's first answer to each current item.
    return f"""
    fa AS (
        SELECT learner, deck_id, item_key, score, response FROM (
            SELECT r.learner, r.deck_id, r.item_key, {SCORE_SQL} AS score, r.response,
                ROW_NUMBER() OVER (
                    PARTITION BY r.learner, r.deck_id, r.item_key ORDER BY r.reviewed_at, r.id
                ) AS nth
            FROM reviews r
            JOIN cards c ON c.deck_id = r.deck_id AND c.item_key = r.item_key AND c.archived = 0
            WHERE r.first = 1 AND r.deck_id IN {deck_filter}
        ) WHERE nth = 1
    )"""


def first_answer_sums(store: StoreBase, decks: Sequence[str]) -> dict[tuple[str, str], Any]:
    """Per current item: first answers, right ones, and the sums of its rest-of-deck correlation."""
    params: dict[str, Any] = {}
    first_answers = _first_answers_sql(in_list("d", decks, params))
    stats = store.conn.execute(
        f"""
        WITH {first_answers},
        lt AS (
            SELECT learner, deck_id, SUM(score) AS total, COUNT(*) AS n
            FROM fa GROUP BY learner, deck_id
        ),
        pairs AS (
            -- y: the learner's share right on the rest of the deck (Moodle's "rest of test").
            SELECT fa.deck_id, fa.item_key, fa.score AS x,
                CASE WHEN lt.n > 1 THEN (lt.total - fa.score) * 1.0 / (lt.n - 1) END AS y
            FROM fa JOIN lt ON lt.learner = fa.learner AND lt.deck_id = fa.deck_id
        )
        SELECT deck_id, item_key, COUNT(*), SUM(x), COUNT(y),
            SUM(CASE WHEN y IS NOT NULL THEN x END), SUM(y), SUM(x * y),
            SUM(CASE WHEN y IS NOT NULL THEN x * x END), SUM(y * y)
        FROM pairs GROUP BY deck_id, item_key
        """,
        params,
    ).fetchall()
    return {(row[0], row[1]): row[2:] for row in stats}


def first_picks(store: StoreBase, decks: Sequence[str]) -> dict[tuple[str, str], dict[str, int]]:
    """Per current choice item: how often each option was picked in first answers."""
    params: dict[str, Any] = {}
    first_answers = _first_answers_sql(in_list("d", decks, params))
    picked: dict[tuple[str, str], dict[str, int]] = {}
    for deck_id, key, value, count in store.conn.execute(
        f"""
        WITH {first_answers}
        SELECT fa.deck_id, fa.item_key, j.value, COUNT(*)
        FROM fa JOIN cards c ON c.deck_id = fa.deck_id AND c.item_key = fa.item_key
            AND c.type = 'choice',
            json_each(fa.response) j
        WHERE j.type = 'text'
        GROUP BY fa.deck_id, fa.item_key, j.value
        """,
        params,
    ):
        picked.setdefault((deck_id, key), {})[value] = count
    return picked


def current_items(
    store: StoreBase, decks: Sequence[str]
) -> list[tuple[str, str, str, str, int | None, str, str | None]]:
    """The decks' current items in deck order: deck, key, type, path, line, content, variant."""
    params: dict[str, Any] = {}
    deck_filter = in_list("d", decks, params)
    return store.conn.execute(
        f"SELECT c.deck_id, c.item_key, c.type, d.path, c.line, {CONTENT_OF_C}, c.variant "
        "FROM cards c JOIN decks d ON d.id = c.deck_id "
        f"WHERE c.archived = 0 AND c.deck_id IN {deck_filter} ORDER BY c.deck_id, c.position",
        params,
    ).fetchall()

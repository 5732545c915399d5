"""Search: a parsed query (`quiz.search`) as one parameterised SQL query over a learner's items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, assert_never

from quiz.collector import collector_paused
from quiz.search import All, Any_, Field, Node, Not, Prop, Rated, Text
from quiz.store.base import CONTENT_OF_C, StoreBase, ts


class ItemRow(NamedTuple):
    """One matching item, with what a listing shows of it."""

    # A named tuple, not a dataclass: a query can match tens of thousands of items, and a
    # frozen dataclass took twice as long to build as the tuple does.
    deck_id: str
    item_key: str
    card_id: str
    type: str
    path: str | None
    line: int | None
    state: str  # new when never studied
    due: datetime | None
    stability: float | None
    difficulty: float | None
    last_review: datetime | None
    reps: int
    lapses: int
    suspended: bool
    buried_until: datetime | None
    flag: int
    leech: bool


@dataclass(frozen=True)
class SearchContext:
    """What a query's meaning depends on besides the data: who, when, and how recall decays."""

    learner: str
    now: datetime
    day_start: datetime  # when today's study day began
    # Days per unit of stability until recall falls to the given level (the scheduler's curve).
    days_to_recall: Callable[[float], float]


def _like(pattern: str) -> str:
    """A `*` pattern as a LIKE pattern, escaping LIKE's own wildcards."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


_SQL_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "!=": "<>"}
# The comparison of elapsed days with the threshold that gives `r OP x` (recall falls with time).
_RECALL_OPS = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "<>"}

_STATE_SQL = {
    "new": "(s.state IS NULL OR s.state = 'new')",
    "learn": "s.state IN ('learning', 'relearning')",
    "review": "s.state = 'review'",
    "suspended": "coalesce(m.suspended, 0) = 1",
    "flagged": "coalesce(m.flag, 0) > 0",
    "leech": "coalesce(m.leech, 0) = 1",
}
_MARKS = frozenset({"suspended", "flagged", "leech"})


class _Translator:
    def __init__(self, ctx: SearchContext) -> None:
        self.ctx = ctx
        self.args: list[Any] = []
        # The term whose rows drive the query, when the driver is its whole condition.
        self.driving: Node | None = None
        # Whether the condition reads the item's marks, so the query must join them.
        self.marks = False

    def sql(self, node: Node) -> str:
        if node is self.driving:
            return "1"  # the driver's own condition, in the query already
        match node:
            case All(parts):
                return "(" + " AND ".join(self.sql(p) for p in parts) + ")" if parts else "1"
            case Any_(parts):
                return "(" + " OR ".join(self.sql(p) for p in parts) + ")"
            case Not(term):
                # A comparison with NULL is NULL, and NOT NULL is NULL: coalesce makes it false.
                return f"NOT coalesce({self.sql(term)}, 0)"
            case Text(text):
                self.args.append(f"%{_like(text)}%")
                return f"{CONTENT_OF_C} LIKE ? ESCAPE '\\'"
            case Field(name, value):
                return self.field(name, value)
            case Prop(name, op, number):
                return self.prop(name, op, number)
            case Rated(days, rating):
                since = self.ctx.day_start - timedelta(days=days - 1)
                self.args.extend([self.ctx.learner, ts(since)])
                extra = ""
                if rating is not None:
                    self.args.append(rating)
                    extra = " AND r.rating = ?"
                return (
                    "EXISTS (SELECT 1 FROM reviews r WHERE r.learner = ? AND r.deck_id = c.deck_id "
                    f"AND r.item_key = c.item_key AND r.reviewed_at >= ?{extra})"
                )
            case _:
                assert_never(node)

    def field(self, name: str, value: str) -> str:
        match name:
            case "deck":
                self.args.append(_like(value))
                return "c.deck_id LIKE ? ESCAPE '\\'"
            case "id":
                self.args.append(_like(value))
                return "c.card_id LIKE ? ESCAPE '\\'"
            case "type":
                self.args.append(value)
                return "c.type = ?"
            case "tag":
                # The card's own tags and its deck's.
                match = self.tag_match("t.tag", value)
                decks = self.deck_tagged(value)
                return (
                    "(EXISTS (SELECT 1 FROM card_tags t WHERE t.deck_id = c.deck_id "
                    f"AND t.item_key = c.item_key AND {match}) OR c.deck_id IN ({decks}))"
                )
            case "flag":
                self.marks = True
                self.args.append(int(value))
                return "coalesce(m.flag, 0) = ?"
            case "is":
                now = ts(self.ctx.now)
                if value == "due":
                    self.args.append(now)
                    return "(s.state IN ('learning', 'relearning', 'review') AND s.due <= ?)"
                if value == "buried":
                    self.marks = True
                    self.args.append(now)
                    return "m.buried_until > ?"
                self.marks = self.marks or value in _MARKS
                return _STATE_SQL[value]
            case _:
                raise ValueError(f"unknown field {name}")

    def tag_match(self, column: str, value: str) -> str:
        # Tags are lowercase (any script), and SQLite's NOCASE and LIKE fold ASCII only.
        value = value.lower()
        if "*" in value:
            self.args.append(_like(value))
            return f"{column} LIKE ? ESCAPE '\\'"
        # Without a wildcard, an equality the tag index answers.
        self.args.append(value)
        return f"{column} = ? COLLATE NOCASE"

    def deck_tagged(self, value: str) -> str:
        self.args.append(_like(value.lower()))
        return (
            "SELECT d2.id FROM decks d2, json_each(d2.meta, '$.tags') j "
            "WHERE j.value LIKE ? ESCAPE '\\'"
        )

    def driver(self, node: Node) -> str | None:
        """A small set of (deck, item) keys an index gives, that every match is in; or None."""
        match node:
            case All(parts):
                for part in parts:
                    found = self.driver(part)
                    if found is not None:
                        return found
                return None
            case Field("tag", value):
                match = self.tag_match("tag", value)
                decks = self.deck_tagged(value)
                return (
                    f"SELECT deck_id, item_key FROM card_tags WHERE {match} UNION "
                    f"SELECT deck_id, item_key FROM cards WHERE deck_id IN ({decks})"
                )
            case Field("is", "due"):
                self.driving = node
                return _DUE_STATES
            case Field("is", "suspended" | "flagged" | "leech" | "buried"):
                self.args.append(self.ctx.learner)
                return "SELECT deck_id, item_key FROM item_marks WHERE learner = ?"
            case Rated(days, _):
                since = self.ctx.day_start - timedelta(days=days - 1)
                self.args.extend([self.ctx.learner, ts(since)])
                return (
                    "SELECT DISTINCT deck_id, item_key FROM reviews "
                    "WHERE learner = ? AND reviewed_at >= ?"
                )
            case _:
                return None

    def prop(self, name: str, op: str, number: float) -> str:
        sql_op = _SQL_OPS[op]
        now_day = "julianday(?)"
        match name:
            case "lapses" | "reps":
                self.args.append(number)
                return f"coalesce(s.{name}, 0) {sql_op} ?"
            case "s" | "d":
                column = "stability" if name == "s" else "difficulty"
                self.args.append(number)
                return f"s.{column} {sql_op} ?"
            case "ivl":
                self.args.append(number)
                return f"(julianday(s.due) - julianday(s.last_review)) {sql_op} ?"
            case "due":
                self.args.extend([ts(self.ctx.now), number])
                return f"(s.state <> 'new' AND julianday(s.due) - {now_day} {sql_op} ?)"
            case "r":
                return self.recall(op, number)
            case _:
                raise ValueError(f"unknown property {name}")

    def recall(self, op: str, x: float) -> str:
        studied = "s.stability > 0 AND s.last_review IS NOT NULL"
        # Recall lies in (0, 1]: at or below 0 the answer does not depend on the item.
        if x <= 0:
            return f"({studied})" if op in (">", ">=", "!=") else "0"
        # Recall falls below x after k * stability days: compare the elapsed days instead.
        k = self.ctx.days_to_recall(x)
        self.args.extend([ts(self.ctx.now), k])
        elapsed = "max(0, julianday(?) - julianday(s.last_review))"
        return f"({studied} AND {elapsed} {_RECALL_OPS[op]} s.stability * ?)"


# What a listing shows, in ItemRow's order, the deck's path left out: a listing has a few decks
# and thousands of rows, and the look-up of the deck for each row cost more than reading every
# deck's path once (see `search`). The marks are left out too, read once for the learner: few
# items have any, and the `sqlite3` module's cost is per value handed over (about a thousand
# instructions each), so four mostly-NULL columns cost more than the look-up of them in Python.
# Defaults are filled in here, where they cost least.
_COLUMNS = (
    "SELECT c.deck_id, c.item_key, c.card_id, c.type, coalesce(c.position, -1), c.line, "
    "coalesce(s.state, 'new'), s.due, s.stability, s.difficulty, s.last_review, "
    "coalesce(s.reps, 0), coalesce(s.lapses, 0) FROM "
)
_STATES = (
    "LEFT JOIN card_states s ON s.learner = ? AND s.deck_id = c.deck_id "
    "AND s.item_key = c.item_key "
)
# Joined only when the condition reads the marks (`is:suspended`, `flag:1`, ...).
_MARKS_JOIN = (
    "LEFT JOIN item_marks m ON m.learner = ? AND m.deck_id = c.deck_id "
    "AND m.item_key = c.item_key "
)
_MARKS_SQL = (
    "SELECT deck_id, item_key, suspended, buried_until, flag, leech FROM item_marks "
    "WHERE learner = ?"
)
# `is:due` as the query's driver: the learner's due states, from their covering index (m009).
_DUE_STATES = "card_states s"


def search_sql(node: Node, ctx: SearchContext) -> tuple[str, list[Any]]:
    """The query as SQL and its parameters (values never enter the SQL text)."""
    keys = _Translator(ctx)
    driver = keys.driver(node)
    translator = _Translator(ctx)
    translator.driving = keys.driving
    where = translator.sql(node)
    marks, marks_args = (_MARKS_JOIN, [ctx.learner]) if translator.marks else ("", [])
    if driver == _DUE_STATES:
        # The due states are the rows the card states join would find again: read them once.
        source = (
            f"{driver} CROSS JOIN cards c ON c.deck_id = s.deck_id AND c.item_key = s.item_key "
        )
        states = ""
        driven = (
            " AND s.learner = ? AND s.due <= ? AND s.state IN ('learning', 'relearning', 'review')"
        )
        head, tail = [], [ctx.learner, ts(ctx.now)]
    else:
        states, driven, head, tail = _STATES, "", [*keys.args, ctx.learner], []
        source = (
            "cards c "
            if driver is None
            # CROSS JOIN keeps SQLite from reordering: the few keys first, then their cards.
            else (
                f"({driver}) k CROSS JOIN cards c ON c.deck_id = k.deck_id "
                "AND c.item_key = k.item_key "
            )
        )
    return (
        f"{_COLUMNS}{source}{states}{marks}WHERE c.archived = 0{driven} AND {where}",
        [*head, *marks_args, *tail, *translator.args],
    )


_at = datetime.fromisoformat
_tuple_new = tuple.__new__


# An item's marks as ItemRow holds them: suspended, buried until, flag, leech.
Marks = tuple[bool, datetime | None, int, bool]
_UNMARKED: Marks = (False, None, 0, False)


class SearchRecords(StoreBase):
    """Finding a learner's items by a query."""

    def search(self, node: Node, ctx: SearchContext) -> list[ItemRow]:
        """The learner's current items that match, in deck order."""
        sql, args = search_sql(node, ctx)
        # The collector rests while the rows are made: they all live on, and it would walk them
        # again and again as they pile up (a tenth of an `is:due` search's instructions).
        with collector_paused():
            paths = dict(self.conn.execute("SELECT id, path FROM decks").fetchall())
            marks: dict[tuple[str, str], Marks] = {
                (deck_id, key): (suspended == 1, _at(buried) if buried else None, flag, leech == 1)
                for deck_id, key, suspended, buried, flag, leech in self.conn.execute(
                    _MARKS_SQL, (ctx.learner,)
                )
            }
            # An item's deck is always in `decks`; one that were not would not be listed, as
            # the join with it did before.
            rows = [r for r in self.conn.execute(sql, args).fetchall() if r[0] in paths]
            # Deck order (deck, then position; each item of a deck has its own) as one integer
            # per row, the deck's rank above the position, taken while the rows are read in
            # the order they were made; a listing of ten thousand rows sorted first and built
            # after read them in a random order, which cost more than the sort itself.
            rank = {deck_id: i << 32 for i, deck_id in enumerate(sorted(paths))}
            keys = [rank[r[0]] + r[4] + 1 for r in rows]
            get = marks.get
            # The tuples made inline, not by ItemRow(...), _make or a helper: each adds a Python
            # call for every row, which was two fifths of building them.
            built = [
                _tuple_new(
                    ItemRow,
                    (
                        r[0],
                        r[1],
                        r[2],
                        r[3],
                        paths[r[0]],
                        r[5],
                        r[6],
                        _at(r[7]) if r[7] else None,
                        r[8],
                        r[9],
                        _at(r[10]) if r[10] else None,
                        r[11],
                        r[12],
                        *get((r[0], r[1]), _UNMARKED),
                    ),
                )
                for r in rows
            ]
            return [built[i] for i in sorted(range(len(built)), key=keys.__getitem__)]

    def item_history(self, learner: str, deck_id: str, key: str) -> list[HistoryRow]:
        """An item's reviews for the learner, oldest first, with the interval each left."""
        rows = self.conn.execute(
            "SELECT reviewed_at, rating, outcome, response, duration_ms, "
            "julianday(json_extract(state_after, '$.due')) - julianday(reviewed_at) "
            "FROM reviews WHERE learner = ? AND deck_id = ? AND item_key = ? "
            "ORDER BY reviewed_at, id",
            (learner, deck_id, key),
        )
        return [
            HistoryRow(datetime.fromisoformat(at), rating, outcome, response, ms, days)
            for at, rating, outcome, response, ms, days in rows
        ]


@dataclass(frozen=True)
class HistoryRow:
    """One review as the browser lists it."""

    at: datetime
    rating: int
    outcome: str | None
    response: str | None  # JSON
    duration_ms: int
    interval_days: float | None  # from this review to the due date it left

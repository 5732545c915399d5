"""Marks on a learner's items: suspended, buried, flagged, leech; recorded as events with ids."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz.store.base import StoreBase, ts

# What a mark event does; `forget` changes no mark, it keeps the moment an item went back to new.
MARK_KINDS = ("suspend", "unsuspend", "bury", "unbury", "flag", "leech", "unleech", "forget")
FLAGS = range(5)  # 0 is no flag; 1..4 as Anki's red, orange, green, blue


@dataclass(frozen=True)
class MarkEvent:
    """One change to an item's marks, by one learner at one time."""

    id: str
    learner: str
    deck_id: str
    item_key: str
    kind: str
    value: str | None
    at: datetime

    @classmethod
    def new(
        cls,
        learner: str,
        deck_id: str,
        item_key: str,
        kind: str,
        at: datetime,
        value: str | None = None,
    ) -> MarkEvent:
        """An event with a fresh id."""
        if kind not in MARK_KINDS:
            raise ValueError(f"unknown mark {kind!r}")
        return cls(uuid.uuid4().hex, learner, deck_id, item_key, kind, value, at)


@dataclass(frozen=True)
class Marks:
    """Where an item's mark events leave it."""

    suspended: bool = False
    buried_until: datetime | None = None
    flag: int = 0
    leech: bool = False

    def held(self, now: datetime) -> bool:
        """True when the item must not be queued at `now`."""
        return self.suspended or (self.buried_until is not None and self.buried_until > now)


def fold_marks(events: Iterable[MarkEvent]) -> Marks:
    """An item's marks after its events, applied in time order (ties by id, as on any machine)."""
    suspended, buried, flag, leech = False, None, 0, False
    for e in sorted(events, key=lambda e: (e.at, e.id)):
        match e.kind:
            case "suspend":
                suspended = True
            case "unsuspend":
                suspended = False
            case "bury":
                buried = datetime.fromisoformat(e.value) if e.value else None
            case "unbury":
                buried = None
            case "flag":
                flag = int(e.value or 0)
            case "leech":
                leech = True
            case "unleech":
                leech = False
            case _:
                pass
    return Marks(suspended, buried, flag, leech)


_EVENT_COLUMNS = "id, learner, deck_id, item_key, kind, value, at"


def _event(row: Sequence[str]) -> MarkEvent:
    rid, learner, deck_id, key, kind, value, at = row
    return MarkEvent(rid, learner, deck_id, key, kind, value, datetime.fromisoformat(at))


class MarkRecords(StoreBase):
    """The mark_events log and the item_marks it adds up to."""

    def add_marks(self, events: Iterable[MarkEvent]) -> int:
        """Record events (known ids are skipped) and update their items; how many were new."""
        events = list(events)
        added = 0
        with self.atomic():
            touched: set[tuple[str, str, str]] = set()
            for e in events:
                cursor = self.conn.execute(
                    f"INSERT OR IGNORE INTO mark_events ({_EVENT_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (e.id, e.learner, e.deck_id, e.item_key, e.kind, e.value, ts(e.at)),
                )
                if cursor.rowcount:
                    added += 1
                    touched.add((e.learner, e.deck_id, e.item_key))
            for learner, deck_id, key in sorted(touched):
                self._refold(learner, deck_id, key)
        return added

    def _refold(self, learner: str, deck_id: str, key: str) -> None:
        m = fold_marks(self.item_mark_events(learner, deck_id, key))
        if m == Marks():
            self.conn.execute(
                "DELETE FROM item_marks WHERE learner = ? AND deck_id = ? AND item_key = ?",
                (learner, deck_id, key),
            )
            return
        self.conn.execute(
            "INSERT INTO item_marks (learner, deck_id, item_key, suspended, buried_until, flag, "
            "leech) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (learner, deck_id, item_key) "
            "DO UPDATE SET suspended = excluded.suspended, buried_until = excluded.buried_until, "
            "flag = excluded.flag, leech = excluded.leech",
            (learner, deck_id, key, int(m.suspended), ts(m.buried_until), m.flag, int(m.leech)),
        )

    def refold_marks(self, learner: str, deck_id: str, key: str) -> None:
        """Rebuild an item's marks from its events, inside the caller's transaction."""
        self._refold(learner, deck_id, key)

    def drop_item_marks(self, learner: str) -> None:
        """Forget what a learner's events added up to (to rebuild it), in the caller's."""
        self.conn.execute("DELETE FROM item_marks WHERE learner = ?", (learner,))

    def item_mark_events(self, learner: str, deck_id: str, key: str) -> list[MarkEvent]:
        """An item's mark events, oldest first."""
        rows = self.conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM mark_events "
            "WHERE learner = ? AND deck_id = ? AND item_key = ? ORDER BY at, id",
            (learner, deck_id, key),
        )
        return [_event(r) for r in rows]

    def mark_events(self, learner: str, decks: Sequence[str] | None = None) -> list[MarkEvent]:
        """A learner's mark events (in these decks), oldest first, as a progress file lists them."""
        args: list[str] = [learner]
        where = "learner = ?"
        if decks is not None:
            where += f" AND deck_id IN ({', '.join('?' * len(decks)) or 'NULL'})"
            args.extend(decks)
        rows = self.conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM mark_events WHERE {where} ORDER BY at, id", args
        )
        return [_event(r) for r in rows]

    def marks(self, learner: str, deck_id: str) -> dict[str, Marks]:
        """The marked items of a learner in a deck."""
        return {
            key: Marks(bool(s), datetime.fromisoformat(b) if b else None, f, bool(leech))
            for key, s, b, f, leech in self.conn.execute(
                "SELECT item_key, suspended, buried_until, flag, leech FROM item_marks "
                "WHERE learner = ? AND deck_id = ?",
                (learner, deck_id),
            )
        }

    def latest_mark_times(self, learner: str, deck_id: str) -> dict[str, datetime]:
        """When each of a deck's items last had a mark event."""
        return {
            key: datetime.fromisoformat(at)
            for key, at in self.conn.execute(
                "SELECT item_key, max(at) FROM mark_events WHERE learner = ? AND deck_id = ? "
                "GROUP BY item_key",
                (learner, deck_id),
            )
        }

    def held_keys(self, learner: str, deck_id: str, now: datetime) -> set[str]:
        """The items of a deck the learner suspended, or buried until after `now`."""
        return {
            key
            for (key,) in self.conn.execute(
                "SELECT item_key FROM item_marks WHERE learner = ? AND deck_id = ? "
                "AND (suspended = 1 OR buried_until > ?)",
                (learner, deck_id, ts(now)),
            )
        }

    def suspended_count(self, learner: str, deck_id: str) -> int:
        """How many of a deck's current items the learner has suspended."""
        (n,) = self.conn.execute(
            "SELECT count(*) FROM item_marks m JOIN cards c ON c.deck_id = m.deck_id "
            "AND c.item_key = m.item_key AND c.archived = 0 "
            "WHERE m.learner = ? AND m.deck_id = ? AND m.suspended = 1",
            (learner, deck_id),
        ).fetchone()
        return int(n)

    def last_forgotten(self, learner: str, deck_id: str, key: str) -> datetime | None:
        """When the learner last sent the item back to new, if ever."""
        (at,) = self.conn.execute(
            "SELECT max(at) FROM mark_events WHERE learner = ? AND deck_id = ? "
            "AND item_key = ? AND kind = 'forget'",
            (learner, deck_id, key),
        ).fetchone()
        return datetime.fromisoformat(at) if at else None

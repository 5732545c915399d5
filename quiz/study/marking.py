"""Acting on chosen items: suspend, bury, flag, mark as leech, forget; each a recorded event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from quiz.scheduler import day_start
from quiz.store.database import Store
from quiz.store.marks import FLAGS, MarkEvent, Marks

# More items than this are changed only after the learner says yes (the CLI's --yes, the
# browser's question).
ASK_ABOVE = 50

# An item as the actions name it: (deck id, item key).
Target = tuple[str, str]


@dataclass(frozen=True)
class Change:
    """What an action did: the events it recorded (to undo them) and how many items changed."""

    action: str
    events: tuple[MarkEvent, ...]

    @property
    def changed(self) -> int:
        """Items whose marks changed."""
        return len(self.events)


def _changes(marks: Marks, kind: str, value: str | None, now: datetime) -> bool:
    match kind:
        case "suspend":
            return not marks.suspended
        case "unsuspend":
            return marks.suspended
        case "bury":
            return not (marks.buried_until is not None and marks.buried_until > now)
        case "unbury":
            return marks.buried_until is not None and marks.buried_until > now
        case "flag":
            return marks.flag != int(value or 0)
        case "leech":
            return not marks.leech
        case "unleech":
            return marks.leech
        case _:
            raise ValueError(f"unknown mark {kind!r}")


_TICK = timedelta(microseconds=1)


def _after_last(
    store: Store, learner: str, targets: Iterable[Target], now: datetime
) -> dict[Target, datetime]:
    """When each target's new event happens: now, or just after its last one if the clock lags."""
    # Events apply in time order, so a second action in the same instant must come later.
    out = {}
    for deck_id in {d for d, _ in targets}:
        latest = store.latest_mark_times(learner, deck_id)
        for d, key in targets:
            if d == deck_id and key in latest and latest[key] >= now:
                out[(d, key)] = latest[key] + _TICK
    return out


def _marks_by_deck(
    store: Store, learner: str, targets: Iterable[Target]
) -> dict[str, dict[str, Marks]]:
    return {deck_id: store.marks(learner, deck_id) for deck_id in {d for d, _ in targets}}


def mark(
    store: Store,
    learner: str,
    targets: Sequence[Target],
    kind: str,
    now: datetime,
    value: str | None = None,
) -> Change:
    """Record `kind` for each target it changes, in one transaction."""
    if kind == "flag" and int(value or 0) not in FLAGS:
        raise ValueError(f"a flag is 0 to 4, not {value}")
    with store.atomic():
        store.add_learner(learner, now)
        current = _marks_by_deck(store, learner, targets)
        later = _after_last(store, learner, targets, now)
        events = tuple(
            MarkEvent.new(learner, deck_id, key, kind, later.get((deck_id, key), now), value)
            for deck_id, key in dict.fromkeys(targets)
            if _changes(current[deck_id].get(key, Marks()), kind, value, now)
        )
        store.add_marks(events)
    return Change(kind, events)


def bury(store: Store, learner: str, targets: Sequence[Target], now: datetime, hour: int) -> Change:
    """Keep the targets out of every queue until the next study day begins."""
    until = day_start(now, hour=hour) + timedelta(days=1)
    return mark(store, learner, targets, "bury", now, until.isoformat())


def forget(store: Store, learner: str, targets: Sequence[Target], now: datetime) -> Change:
    """Send the targets back to new; their reviews stay in the log (and in statistics)."""
    with store.atomic():
        store.add_learner(learner, now)
        events = []
        later = _after_last(store, learner, targets, now)
        for deck_id, key in dict.fromkeys(targets):
            if store.state(learner, deck_id, key) is None:
                continue
            at = later.get((deck_id, key), now)
            events.append(MarkEvent.new(learner, deck_id, key, "forget", at))
            store.delete_state(learner, deck_id, key)
        store.add_marks(events)
    return Change("forget", tuple(events))


UNDO = {"suspend": "unsuspend", "unsuspend": "suspend", "bury": "unbury", "leech": "unleech"}


def undo(store: Store, change: Change, previous: dict[Target, Marks], now: datetime) -> None:
    """Take an action back by recording the opposite events (the log keeps both)."""
    events = []
    for e in change.events:
        before = previous.get((e.deck_id, e.item_key), Marks())
        if e.kind == "flag":
            opposite, value = "flag", str(before.flag)
        elif e.kind in UNDO:
            opposite, value = UNDO[e.kind], None
        else:
            raise ValueError(f"{e.kind} cannot be undone here")
        at = max(now, e.at + _TICK)
        events.append(MarkEvent.new(e.learner, e.deck_id, e.item_key, opposite, at, value))
    store.add_marks(events)


def marks_of(store: Store, learner: str, targets: Iterable[Target]) -> dict[Target, Marks]:
    """The current marks of these targets (unmarked ones left out)."""
    targets = list(targets)
    by_deck = _marks_by_deck(store, learner, targets)
    return {t: by_deck[t[0]][t[1]] for t in targets if t[1] in by_deck[t[0]]}

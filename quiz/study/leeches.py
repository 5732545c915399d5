"""Leeches: an item whose lapses reach the learner's threshold is marked, and suspended if asked."""

from __future__ import annotations

from datetime import datetime

from quiz.scheduler import CardState
from quiz.settings import StudySettings
from quiz.store.database import Store
from quiz.store.marks import MarkEvent


def became_leech(settings: StudySettings, before: CardState | None, after: CardState) -> bool:
    """True when an answer took the item's lapses from under the threshold to it."""
    lapsed_before = before.lapses if before is not None else 0
    return lapsed_before < settings.leech_threshold <= after.lapses


def leech_events(
    store: Store, learner: str, place: tuple[str, str], at: datetime
) -> list[MarkEvent]:
    """The leech mark (and suspension) an answer given `at` recorded, to undo them with it."""
    events = store.item_mark_events(learner, *place)
    return [e for e in events if e.at == at and e.kind in ("leech", "suspend")]


def mark_leech(
    store: Store,
    settings: StudySettings,
    learner: str,
    place: tuple[str, str],
    before: CardState | None,
    after: CardState,
    now: datetime,
) -> tuple[MarkEvent, ...]:
    """Mark the item when this answer took its lapses to the threshold; the events recorded."""
    if not became_leech(settings, before, after):
        return ()
    deck_id, key = place
    events = [MarkEvent.new(learner, deck_id, key, "leech", now)]
    current = store.marks(learner, deck_id).get(key)
    if settings.leech_action == "suspend" and not (current is not None and current.suspended):
        events.append(MarkEvent.new(learner, deck_id, key, "suspend", now))
    store.add_marks(events)
    return tuple(events)

"""Leeches: an item whose lapses reach the learner's threshold is marked, and suspended if asked."""

from __future__ import annotations

from datetime import datetime

from quiz.scheduler import CardState
from quiz.settings import StudySettings
from quiz.store.database import Store
from quiz.store.marks import MarkEvent


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
    threshold = settings.leech_threshold
    lapsed_before = before.lapses if before is not None else 0
    if not lapsed_before < threshold <= after.lapses:
        return ()
    deck_id, key = place
    events = [MarkEvent.new(learner, deck_id, key, "leech", now)]
    current = store.marks(learner, deck_id).get(key)
    if settings.leech_action == "suspend" and not (current is not None and current.suspended):
        events.append(MarkEvent.new(learner, deck_id, key, "suspend", now))
    store.add_marks(events)
    return tuple(events)

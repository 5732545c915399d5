"""A deck's counts for the home screen and `quiz decks`: due, new, total and suspended."""

from __future__ import annotations

from datetime import datetime

from quiz.deck.model import Deck
from quiz.settings import StudySettings
from quiz.store.database import Store
from quiz.study.builder import QueueBuilder
from quiz.study.records import DeckOverview


def deck_overview(
    builder: QueueBuilder, store: Store, deck: Deck, now: datetime, settings: StudySettings
) -> DeckOverview:
    """How much of a deck there is to study now, within today's limits."""
    c = builder.candidates(deck, now, settings)
    learning_due = sum(1 for d, _ in c.learning if d <= now)
    due = min(len(c.reviews), c.reviews_left) + learning_due
    suspended = store.suspended_count(builder.learner, deck.id)
    return DeckOverview(deck, due, len(c.new), c.total, suspended)

"""Finding a learner's items by a query: the search's context (now, the study day, recall)."""

from __future__ import annotations

from datetime import datetime

from quiz.deck.model import Settings
from quiz.scheduler import day_start
from quiz.search import parse
from quiz.store.database import Store
from quiz.store.search import ItemRow, SearchContext
from quiz.store.settings import ALL_DECKS
from quiz.study.learner import learner_scheduler, learner_settings


def search_context(store: Store, learner: str, now: datetime) -> SearchContext:
    """What the learner's queries mean now: their study day and their forgetting curve."""
    hour = learner_settings(store, learner).rollover_hour
    scheduler = learner_scheduler(store, learner, ALL_DECKS, Settings(), fuzz=False)
    return SearchContext(learner, now, day_start(now, hour=hour), scheduler.days_to_recall)


def find(store: Store, learner: str, query: str, now: datetime) -> list[ItemRow]:
    """The learner's items matching `query`; a bad query raises `quiz.search.QueryError`."""
    return store.search(parse(query), search_context(store, learner, now))

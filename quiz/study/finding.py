"""Finding a learner's items by a query: the search's context (now, the study day, recall)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from quiz.deck.model import Settings
from quiz.scheduler import Scheduler, day_start
from quiz.search import All, Any_, Field, Node, parse
from quiz.store.database import Store
from quiz.store.search import ItemRow, SearchContext
from quiz.store.settings import ALL_DECKS
from quiz.study.learner import learner_scheduler, learner_settings


def search_context(store: Store, learner: str, now: datetime) -> SearchContext:
    """What the learner's queries mean now: their study day and their forgetting curve."""
    hour = learner_settings(store, learner).rollover_hour
    scheduler = learner_scheduler(store, learner, ALL_DECKS, Settings(), fuzz=False)
    return SearchContext(learner, now, day_start(now, hour=hour), scheduler.days_to_recall)


def find(store: Store, learner: str, query: str | Node, now: datetime) -> list[ItemRow]:
    """The learner's items matching `query`; a bad query raises `quiz.search.QueryError`."""
    node = parse(query) if isinstance(query, str) else query
    return store.search(node, search_context(store, learner, now))


def with_tags(query: str, tags: Sequence[str]) -> Node:
    """The query, limited to items with any of these tags (their card's or their deck's)."""
    node = parse(query)
    if not tags:
        return node
    tagged = Any_(tuple(Field("tag", t) for t in tags)) if len(tags) > 1 else Field("tag", tags[0])
    return All((node, tagged))


def recall_now(
    store: Store, learner: str, rows: Sequence[ItemRow], now: datetime
) -> list[float | None]:
    """Each item's probability of recall now under its deck's scheduler; None when never studied."""
    schedulers: dict[str, Scheduler] = {}
    out: list[float | None] = []
    for row in rows:
        if row.last_review is None or not row.stability:
            out.append(None)
            continue
        scheduler = schedulers.get(row.deck_id)
        if scheduler is None:
            scheduler = learner_scheduler(store, learner, row.deck_id, Settings(), fuzz=False)
            schedulers[row.deck_id] = scheduler
        days = (now - row.last_review).total_seconds() / 86400
        out.append(scheduler.recall_after(days, row.stability))
    return out

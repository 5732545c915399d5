"""Building today's queue: gather a deck's candidates for a learner, rank, bury siblings, limit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from quiz.collector import collector_paused
from quiz.deck.model import Deck, Item, card_of_key
from quiz.scheduler import Scheduler, day_start, julian_day
from quiz.settings import StudySettings
from quiz.store.states import DueState
from quiz.study.queue import Learning, Queued, StudyQueue, note_of
from quiz.study.scope import EVERYTHING, Scope

# Learning steps are minutes long, so a learning item due later than this after the day ends
# cannot exist; the queue reads only states due before it, through the (learner, deck, due) index.
LEARNING_HORIZON = timedelta(days=1)


class CandidateSource(Protocol):
    """What the queue is built from (the store; a dictionary in tests)."""

    STATED_BATCH: int

    def data_version(self) -> tuple[int, int]:
        """A value that changes whenever anything below may have changed."""
        ...

    def today_counts(
        self, learner: str, deck_id: str, since: datetime
    ) -> tuple[int, int, set[str]]:
        """New items introduced, reviews done, and cards touched since `since`."""
        ...

    def due_states(self, learner: str, deck_id: str, before: datetime) -> Mapping[str, DueState]:
        """The learner's states in the deck due before `before`, by item key."""
        ...

    def stated_among(self, learner: str, deck_id: str, keys: Sequence[str]) -> set[str]:
        """Which of these keys have a state at all."""
        ...

    def held_keys(self, learner: str, deck_id: str, now: datetime) -> set[str]:
        """The keys the learner suspended, or buried past `now`: never queued."""
        ...


def cram_queue(decks: Sequence[Deck], scope: Scope) -> StudyQueue:
    """Every item the scope allows, in deck order, whatever its state or schedule."""
    return StudyQueue(
        [],
        [
            waiting(deck, number)
            for deck in decks
            for number, key in enumerate(deck.item_index.keys)
            if scope.allows(deck.id, key)
        ],
        [],
    )


def waiting(deck: Deck, number: int) -> Queued:
    """The deck's item with this number, queued without building its card yet."""
    return Queued(deck.id, deck.item_index.keys[number], partial(deck.item, number))


@dataclass
class Candidates:
    """What one deck's queue is made from, as read from the source; reused until it changes."""

    deck: Deck
    day: datetime
    version: tuple[int, int]
    learning: list[Learning]
    # Due today, one per card, in deck order; as item numbers, queued once chosen.
    reviews: list[tuple[DueState, int]]
    new: list[Queued]
    reviews_left: int
    total: int


class QueueBuilder:
    """Today's candidates of each deck for one learner, and the queue made from them."""

    def __init__(self, source: CandidateSource, learner: str, scope: Scope = EVERYTHING) -> None:
        self.source = source
        self.learner = learner
        self.scope = scope
        self._cache: dict[str, Candidates] = {}
        # Cards answered today, here or in the source: their other items wait for another day.
        self._touched: set[tuple[str, str]] = set()
        self._touched_day: datetime | None = None  # the study day `_touched` is of

    def touch(self, item: Item) -> None:
        """The item was answered: its siblings are not queued again today."""
        self._touched.add(note_of(item))

    def build(
        self, decks: Sequence[Deck], schedulers: Mapping[str, Scheduler], now: datetime
    ) -> StudyQueue:
        """The queue of these decks: reviews least likely recalled first, up to the limits."""
        if self.scope.cram:
            return cram_queue(decks, self.scope)
        learning: list[Learning] = []
        reviews: list[Queued] = []
        new: list[Queued] = []
        # Tens of thousands of states and items, none of them garbage: not worth a collection.
        with collector_paused():
            for deck in decks:
                scheduler = schedulers[deck.id]
                c = self.candidates(deck, now, scheduler.settings)
                recall_after = scheduler.recall_after
                today = julian_day(now)
                # Least likely to be recalled first; sorted() keeps deck order among equals.
                ranked = sorted(
                    (
                        (
                            0.0
                            if state.last_review_day is None
                            else recall_after(today - state.last_review_day, state.stability),
                            number,
                        )
                        for state, number in c.reviews
                    ),
                    key=lambda pair: pair[0],
                )
                reviews.extend(waiting(deck, number) for _, number in ranked[: c.reviews_left])
                new.extend(c.new)
                learning.extend(c.learning)
            return StudyQueue(learning, reviews, new)

    def candidates(self, deck: Deck, now: datetime, settings: StudySettings) -> Candidates:
        """What today's queue of a deck is made from; read again only when the source changed."""
        since = day_start(now, hour=settings.rollover_hour)
        version = self.source.data_version()
        cached = self._cache.get(deck.id)
        if (
            cached is not None
            and cached.deck is deck
            and cached.day == since
            and cached.version == version
        ):
            return cached
        fresh = self._gather(deck, since, version, settings)
        self._cache[deck.id] = fresh
        return fresh

    def _gather(
        self, deck: Deck, since: datetime, version: tuple[int, int], settings: StudySettings
    ) -> Candidates:
        source, learner = self.source, self.learner
        tomorrow = since + timedelta(days=1)
        new_done, reviews_done, touched = source.today_counts(learner, deck.id, since)
        if since != self._touched_day:
            # Yesterday's answers keep no sibling away today (a session open past the rollover).
            self._touched.clear()
            self._touched_day = since
        touched_notes = self._touched
        touched_notes.update((deck.id, n) for n in touched)
        scope = self.scope
        new_left = max(0, settings.new_per_day - new_done) + scope.extra_new
        reviews_left = max(0, settings.reviews_per_day - reviews_done)
        # Reviews due up to here are today's (later with --ahead).
        due_by = tomorrow + timedelta(days=scope.ahead_days)
        if scope.ahead_days:
            reviews_left += settings.reviews_per_day * scope.ahead_days
        # Only the states due by tomorrow are read; of the rest only whether they exist.
        due_states = source.due_states(learner, deck.id, due_by + LEARNING_HORIZON)
        # A burial lasts to the end of the study day it was made in, so the day's start decides.
        held = source.held_keys(learner, deck.id, since)
        # Whether a key has a state is asked of the source a batch of keys at a time, and only
        # while new items are wanted: a walk that stops wanting them after 20 never reads the
        # other 100,000 studied keys of a big deck.
        stated: set[str] = set()
        asked_to = 0
        learning: list[Learning] = []
        reviews: list[tuple[DueState, int]] = []
        new: list[Queued] = []
        queued_notes: set[str] = set()
        deck_id = deck.id
        # Items, and the cards under them, are made only for what is queued: making all of a
        # big deck's is slow.
        keys = deck.item_index.keys
        batch = source.STATED_BATCH
        for number, key in enumerate(keys):
            if (held and key in held) or not scope.allows(deck_id, key):
                continue
            state = due_states.get(key)
            if state is None:
                if not new_left:
                    continue
                if number >= asked_to:
                    asked_to = number + batch
                    stated = source.stated_among(learner, deck_id, keys[number:asked_to])
                if key in stated:
                    continue
                # Siblings (a reversed side, other cloze gaps) wait for another day.
                note = card_of_key(key)
                if note not in queued_notes and (deck_id, note) not in touched_notes:
                    new.append(waiting(deck, number))
                    queued_notes.add(note)
                    new_left -= 1
            elif state.is_learning:
                learning.append((state.due, deck.item(number)))
            elif state.due < due_by:
                note = card_of_key(key)
                if note in queued_notes or (deck_id, note) in touched_notes:
                    continue
                reviews.append((state, number))
                queued_notes.add(note)
        return Candidates(deck, since, version, learning, reviews, new, reviews_left, len(keys))

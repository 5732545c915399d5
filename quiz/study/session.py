"""A study session: the facade the interfaces use over the queue, answering and the store."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import assert_never

from quiz.collector import collector_paused
from quiz.deck.model import (
    Card,
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Item,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.grading import Grade, Response, grade, is_self_rated
from quiz.scheduler import (
    CardState,
    Rating,
    Scheduler,
    day_start,
    fuzz_seed,
    study_day,
    utc_now,
)
from quiz.settings import StudySettings
from quiz.store.database import Store
from quiz.store.errors import NotRecorded
from quiz.study import answering, practice
from quiz.study.builder import QueueBuilder
from quiz.study.learner import learner_scheduler, learner_settings
from quiz.study.overview import deck_overview
from quiz.study.queue import StudyQueue
from quiz.study.records import Answer, DeckOverview, Presentation, QueueCounts, Summary
from quiz.study.scope import EVERYTHING, Scope


class StudySession:
    """What studying does, independent of any UI: every answer is committed at once."""

    def __init__(
        self,
        store: Store,
        decks: Sequence[Deck],
        learner: str,
        *,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        fuzz: bool = True,
        scope: Scope = EVERYTHING,
    ) -> None:
        self.store = store
        self.decks = list(decks)
        self.learner = learner
        self.clock = clock
        self.rng = rng or random.Random()
        # Shuffles are seeded by learner, item and study day, so an item shown again (after undo,
        # or in a later session the same day) keeps its order; a given `rng` only salts them.
        self._shuffle_salt = rng.getrandbits(32) if rng is not None else 0
        self._fuzz = fuzz
        self._due_only = False
        self.reload_settings()
        self._builder = QueueBuilder(store, learner, scope)
        # Cramming answers through the practice log, which changes no schedule.
        self._answering = practice if scope.cram else answering
        self._queue = StudyQueue()
        self._day = day_start(clock(), hour=self._hour)  # the study day the queue was built for
        self._history: list[Answer] = []
        self.current: Presentation | None = None
        # Which queue the item on screen came from: "new", "learning" or "review".
        self.current_kind = "new"
        self._shown_at: datetime | None = None
        self.deck_ids: list[str] = []
        store.ensure_learner(learner, clock())

    def reload_settings(self) -> None:
        """Schedule with the learner's settings and parameters as they are stored now."""
        self._schedulers = {d.id: self._scheduler(d) for d in self.decks}
        # A learner's study day is one for all decks: the rollover is not set per deck.
        self._hour = learner_settings(self.store, self.learner).rollover_hour

    def _scheduler(self, deck: Deck) -> Scheduler:
        return learner_scheduler(self.store, self.learner, deck.id, deck.settings, self._fuzz)

    def settings_of(self, deck_id: str) -> StudySettings:
        """The settings in force for a deck of this session."""
        return self._schedulers[deck_id].settings

    def overview(self) -> list[DeckOverview]:
        """Due, new and total counts for every deck, within today's limits."""
        now, of = self.clock(), self.settings_of
        return [deck_overview(self._builder, self.store, d, now, of(d.id)) for d in self.decks]

    def start(self, deck_ids: Sequence[str] | None = None, *, due_only: bool = False) -> None:
        """Begin studying the given decks (all when None): build today's queue."""
        chosen = [d for d in self.decks if deck_ids is None or d.id in deck_ids]
        self.deck_ids = [d.id for d in chosen]
        self._due_only = due_only
        self._queue = self._build(chosen)
        self._day = day_start(self.clock(), hour=self._hour)
        self._history = []
        self.current = None
        # The log written so far goes back into the database now, before the first card, and
        # from here on only when the learner is not waiting (see `idle`), not inside an answer.
        self.store.checkpoint()
        self.store.defer_checkpoints()

    def _build(self, decks: Sequence[Deck]) -> StudyQueue:
        queue = self._builder.build(decks, self._schedulers, self.clock())
        if self._due_only:
            with collector_paused():
                queue.drop_new()
        return queue

    def idle(self) -> NotRecorded | None:
        """Housekeeping while the learner reads (never raises): what went wrong is returned."""
        return self.store.housekeeping()

    def replace_deck(self, deck: Deck) -> bool:
        """Swap in a reloaded deck; True when the item being shown changed or went away."""
        index = next((i for i, d in enumerate(self.decks) if d.id == deck.id), None)
        if index is None:
            self.decks.append(deck)
        else:
            self.decks[index] = deck
        self._schedulers[deck.id] = self._scheduler(deck)
        if deck.id not in self.deck_ids:
            return False
        current = self.current
        replacement = None
        if current is not None and current.item.deck_id == deck.id:
            number = deck.item_index.find(current.item.key)
            replacement = None if number is None else deck.item(number)
        self._queue.replace_deck(deck.id, self._build([deck]), replacement)
        if current is None or current.item.deck_id != deck.id or replacement == current.item:
            return False
        if replacement is None:
            self.current = None
            return True
        shown_at = self._shown_at
        self._show(replacement)
        self._shown_at = shown_at
        return True

    def remaining(self) -> int:
        """Items still queued this session (learning items counted once)."""
        return self._queue.remaining()

    def next(self) -> Presentation | None:
        """Show the next item: due learning, then due reviews, then new, then learn ahead."""
        now = self.clock()
        if day_start(now, hour=self._hour) != self._day and self.deck_ids:
            # A study day began while studying: today's reviews, new items and limits are
            # another day's, and learning items due after the rollover wait in the store.
            self._queue = self._build([d for d in self.decks if d.id in self.deck_ids])
            self._day = day_start(now, hour=self._hour)
        item = self._queue.pop(now)
        if item is None:
            self.current = None
            return None
        self.current_kind = self._queue.last_kind
        return self._show(item)

    def queue_counts(self) -> QueueCounts:
        """New, learning and review items this session will still show, the one shown excluded."""
        return QueueCounts(*self._queue.counts(self.clock()))

    def interval_previews(self) -> dict[Rating, timedelta]:
        """For each rating, the wait until the item being rated, else the last answered, is due."""
        if self.current is not None:  # nothing is written
            item, now = self.current.item, self.clock()
            before = self.store.state(self.learner, item.deck_id, item.key)
        elif (last := self.last_answer) is not None:  # the ratings it can still be changed to
            item, before, now = last.item, last.review.state_before, last.review.reviewed_at
        else:
            return {}
        return _previews(self._schedulers[item.deck_id], before, now, self.learner, item)

    def _show(self, item: Item) -> Presentation:
        # Seeded by learner, item and study day: shown again, the item keeps its order.
        day = study_day(self.clock(), hour=self._hour).isoformat()
        seed = f"{self._shuffle_salt}|{self.learner}|{item.deck_id}|{item.key}|{day}"
        self.current = Presentation(item, _options(item.card, random.Random(seed)))
        self._shown_at = self.clock()
        return self.current

    def submit(self, response: Response) -> Answer:
        """Grade and commit an answer to an auto-graded item, with the proposed rating."""
        item = self._require_current()
        result = grade(item, response)
        return self._commit(item, result.proposed, result, response)

    def rate(self, rating: Rating) -> Answer:
        """Rate the flashcard being studied, committing the answer."""
        item = self._require_current()
        if not is_self_rated(item):
            raise RuntimeError("auto-graded items are rated with rerate() after submit()")
        return self._commit(item, rating, None, None)

    def _commit(
        self, item: Item, rating: Rating, result: Grade | None, response: Response | None
    ) -> Answer:
        scheduler = self._schedulers[item.deck_id]
        review = self._answering.answer(
            self.store,
            scheduler,
            self.learner,
            item,
            rating,
            result=result,
            response=response,
            shown_at=self._shown_at,
            clock=self.clock,
        )
        answer = Answer(item, review, result)
        self._history.append(answer)
        self.current = None
        self._queue.answered(item, review.state_after, self._day_end())
        self._builder.touch(item)
        return answer

    def _day_end(self) -> datetime:
        return day_start(self.clock(), hour=self._hour) + timedelta(days=1)

    def rerate(self, rating: Rating) -> Answer:
        """Replace the rating of the last answer (the learner overruled the proposal)."""
        if not self._history:
            raise RuntimeError("nothing to rerate")
        last = self._history[-1]
        if rating == last.rating:
            return last
        scheduler = self._schedulers[last.review.deck_id]
        updated = self._answering.rerate(self.store, scheduler, last.review.id, rating)
        if updated is None:
            raise RuntimeError("the last answer is no longer in the database")
        answer = replace(last, review=updated)
        self._history[-1] = answer
        self._queue.answered(last.item, updated.state_after, self._day_end(), siblings_wait=False)
        return answer

    def undo(self) -> Presentation | None:
        """Take back the last answer: its review is removed and the item shown again."""
        if not self._history:
            return None
        last = self._history[-1]
        # Off the history only once undone: an undo that failed (a full disk) is tried again.
        self._answering.undo(self.store, self._schedulers[last.item.deck_id], last.review.id)
        self._history.pop()
        self.set_aside(last.item)
        return self.bring_back(last.item)

    def set_aside(self, item: Item) -> None:
        """Take an item off this session (suspended or buried while on screen)."""
        self._queue.withdraw(item)
        if self.current is not None and self.current.item == item:
            self.current = None

    def requeue(self, item: Item) -> None:
        """Queue again an item set aside after its answer: due today, it comes at its step."""
        if (state := self.store.state(self.learner, item.deck_id, item.key)) is not None:
            self._queue.answered(item, state, self._day_end(), siblings_wait=False)

    def bring_back(self, item: Item) -> Presentation:
        """Show an item again (an answer or a mark undone); the one on screen goes back in line."""
        shown = self.current
        if shown is not None and shown.item != item:
            state = self.store.state(self.learner, shown.item.deck_id, shown.item.key)
            self._queue.put_back(shown.item, state, self.clock())
        self.current_kind = _kind(self.store.state(self.learner, item.deck_id, item.key))
        return self._show(item)

    def _require_current(self) -> Item:
        if self.current is None:
            raise RuntimeError("no item is being answered")
        return self.current.item

    @property
    def last_answer(self) -> Answer | None:
        """The most recent answer of this session."""
        return self._history[-1] if self._history else None

    def summary(self) -> Summary:
        """Cards studied, share correct, time spent, and when the next items are due."""
        # The session is over: the log goes back into the database while this is read.
        self.store.checkpoint()
        decks = self.deck_ids or [d.id for d in self.decks]
        return _summary(self._history, self.store.next_due(self.learner, decks, self.clock()))


def _summary(answers: Sequence[Answer], next_due: datetime | None) -> Summary:
    graded = [a for a in _first_answers(answers) if a.grade is not None]
    return Summary(
        studied=len({(a.item.deck_id, a.item.key) for a in answers}),
        answers=len(answers),
        graded=len(graded),
        correct=sum(1 for a in graded if a.grade and a.grade.correct),
        seconds=sum(a.review.duration_ms for a in answers) / 1000,
        next_due=next_due,
    )


def _kind(state: CardState | None) -> str:
    """The queue an item in this state is studied from."""
    if state is None or state.is_new:
        return "new"
    return "learning" if state.is_learning else "review"


def _options(card: Card, rng: random.Random) -> tuple[str, ...]:
    """The choices, items or right-hand options of a card, in the order they are shown."""
    match card:
        case Choice():
            return _shuffled(rng, card.choices, ()) if card.shuffle else card.choices
        case Order():
            return _shuffled(rng, card.items, card.items)
        case Match():
            rights = tuple(r for _, r in card.pairs)
            return _shuffled(rng, rights, rights)
        case Flashcard() | TrueFalse() | Cloze() | Typed() | Numeric():
            return ()
        case _:
            assert_never(card)


def _shuffled(
    rng: random.Random, values: tuple[str, ...], avoid: tuple[str, ...]
) -> tuple[str, ...]:
    out = list(values)
    for _ in range(10):
        rng.shuffle(out)
        # An order shown already in order gives the answer away.
        if tuple(out) != avoid or len(set(values)) < 2:
            break
    return tuple(out)


def _previews(
    scheduler: Scheduler, before: CardState | None, now: datetime, learner: str, item: Item
) -> dict[Rating, timedelta]:
    """How long until an item in state `before` is due again after each rating at `now`."""
    state = before or Scheduler.new_state(now)
    # The answer's own fuzz seed: the wait shown on a rating is the one its answer stores.
    seed = fuzz_seed(learner, item.deck_id, item.key)
    return {r: scheduler.review(state, r, now, seed=seed).due - now for r in Rating}


def _first_answers(answers: Sequence[Answer]) -> list[Answer]:
    """Each item's first answer of a session ("right first time" counts no learning repeats)."""
    firsts: dict[tuple[str, str], Answer] = {}
    for a in answers:
        firsts.setdefault((a.item.deck_id, a.item.key), a)
    return list(firsts.values())

"""A study session: the queue of items due, answering, rating, undo and the summary."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from quiz.deck.model import Choice, Deck, Item, Match, Order
from quiz.grading import Grade, Response, grade, is_self_rated
from quiz.scheduler import CardState, Rating, Scheduler, day_start, utc_now
from quiz.store.database import ReviewRecord, Store

LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True)
class DeckOverview:
    """How much of a deck there is to study now."""

    deck: Deck
    due: int
    new: int
    total: int


@dataclass(frozen=True)
class Presentation:
    """An item as shown: the shuffled choices, items or right-hand options."""

    item: Item
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """A committed answer: its review, grade (None for self-rated) and rating."""

    item: Item
    review: ReviewRecord
    grade: Grade | None

    @property
    def rating(self) -> Rating:
        """The rating stored for this answer."""
        return Rating(self.review.rating)


@dataclass(frozen=True)
class Summary:
    """What a session achieved."""

    studied: int
    answers: int
    graded: int
    correct: int
    seconds: float
    next_due: datetime | None

    @property
    def correct_share(self) -> float | None:
        """Share of auto-graded answers that were right."""
        return self.correct / self.graded if self.graded else None


@dataclass
class _Queues:
    learning: list[tuple[datetime, Item]] = field(default_factory=list)
    reviews: list[Item] = field(default_factory=list)
    new: list[Item] = field(default_factory=list)


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
    ) -> None:
        self.store = store
        self.decks = list(decks)
        self.learner = learner
        self.clock = clock
        self.rng = rng or random.Random()
        self._fuzz = fuzz
        self._due_only = False
        self._schedulers = {
            d.id: Scheduler(d.settings.desired_retention, fuzz=fuzz) for d in self.decks
        }
        self._states: dict[tuple[str, str], CardState] = {}
        self._queues = _Queues()
        self._touched_notes: set[tuple[str, str]] = set()
        self._history: list[Answer] = []
        self.current: Presentation | None = None
        self._shown_at: datetime | None = None
        self.deck_ids: list[str] = []
        store.ensure_learner(learner, clock())

    # Overview

    def overview(self) -> list[DeckOverview]:
        """Due, new and total counts for every deck, within today's limits."""
        now = self.clock()
        out = []
        for deck in self.decks:
            queues = self._build([deck], now)
            due = len(queues.reviews) + sum(1 for d, _ in queues.learning if d <= now)
            out.append(DeckOverview(deck, due, len(queues.new), len(deck.items())))
        return out

    # Running

    def start(self, deck_ids: Sequence[str] | None = None, *, due_only: bool = False) -> None:
        """Begin studying the given decks (all when None): build today's queue."""
        chosen = [d for d in self.decks if deck_ids is None or d.id in deck_ids]
        self.deck_ids = [d.id for d in chosen]
        self._due_only = due_only
        self._queues = self._build(chosen, self.clock())
        if due_only:
            self._queues.new = []
        self._history = []
        self.current = None

    def _build(self, decks: Sequence[Deck], now: datetime) -> _Queues:
        since = day_start(now)
        tomorrow = since + timedelta(days=1)
        queues = _Queues()
        for deck in decks:
            states = self.store.states(self.learner, deck.id)
            for key, stored in states.items():
                self._states[(deck.id, key)] = stored
            new_done, reviews_done, touched = self.store.today_counts(self.learner, deck.id, since)
            self._touched_notes.update((deck.id, n) for n in touched)
            new_left = max(0, deck.settings.new_per_day - new_done)
            reviews_left = max(0, deck.settings.reviews_per_day - reviews_done)
            scheduler = self._schedulers[deck.id]
            due_reviews: list[tuple[float, Item]] = []
            queued_notes: set[str] = set()
            for item in deck.items():
                state = states.get(item.key)
                note = item.card.id
                if state is None:
                    # Siblings (a reversed side, other cloze gaps) wait for another day.
                    if (
                        new_left
                        and note not in queued_notes
                        and ((deck.id, note) not in self._touched_notes)
                    ):
                        queues.new.append(item)
                        queued_notes.add(note)
                        new_left -= 1
                elif state.is_learning:
                    queues.learning.append((state.due, item))
                elif state.due < tomorrow and note not in queued_notes:
                    if (deck.id, note) in self._touched_notes:
                        continue
                    due_reviews.append((scheduler.retrievability(state, now), item))
                    queued_notes.add(note)
            due_reviews.sort(key=lambda pair: pair[0])
            queues.reviews.extend(item for _, item in due_reviews[:reviews_left])
        queues.learning.sort(key=lambda pair: pair[0])
        return queues

    def replace_deck(self, deck: Deck) -> bool:
        """Swap in a reloaded deck; True when the item being shown changed or went away."""
        index = next((i for i, d in enumerate(self.decks) if d.id == deck.id), None)
        if index is None:
            self.decks.append(deck)
        else:
            self.decks[index] = deck
        self._schedulers[deck.id] = Scheduler(deck.settings.desired_retention, fuzz=self._fuzz)
        if deck.id not in self.deck_ids:
            return False
        fresh = self._build([deck], self.clock())
        if self._due_only:
            fresh.new = []
        q = self._queues
        q.learning = sorted(
            [*(p for p in q.learning if p[1].deck_id != deck.id), *fresh.learning],
            key=lambda pair: pair[0],
        )
        q.reviews = [i for i in q.reviews if i.deck_id != deck.id] + fresh.reviews
        q.new = [i for i in q.new if i.deck_id != deck.id] + fresh.new
        current = self.current
        if current is None or current.item.deck_id != deck.id:
            return False
        replacement = next((i for i in deck.items() if i.key == current.item.key), None)
        if replacement is not None:
            # The item on screen is not queued twice.
            q.learning = [
                p for p in q.learning if p[1].key != replacement.key or p[1].deck_id != deck.id
            ]
            q.reviews = [i for i in q.reviews if i != replacement]
            q.new = [i for i in q.new if i != replacement]
        if replacement == current.item:
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
        q = self._queues
        return len(q.learning) + len(q.reviews) + len(q.new)

    def next(self) -> Presentation | None:
        """Show the next item: due learning, then due reviews, then new, then learn ahead."""
        now = self.clock()
        q = self._queues
        item: Item | None = None
        if q.learning and q.learning[0][0] <= now:
            item = q.learning.pop(0)[1]
        elif q.reviews:
            item = q.reviews.pop(0)
        elif q.new:
            item = q.new.pop(0)
        elif q.learning and q.learning[0][0] <= now + LEARN_AHEAD:
            item = q.learning.pop(0)[1]
        if item is None:
            self.current = None
            return None
        return self._show(item)

    def _show(self, item: Item) -> Presentation:
        card = item.card
        options: tuple[str, ...] = ()
        if isinstance(card, Choice):
            options = self._shuffled(card.choices) if card.shuffle else card.choices
        elif isinstance(card, Order):
            options = self._shuffled(card.items, avoid=card.items)
        elif isinstance(card, Match):
            rights = tuple(r for _, r in card.pairs)
            options = self._shuffled(rights, avoid=rights)
        self.current = Presentation(item, options)
        self._shown_at = self.clock()
        return self.current

    def _shuffled(self, values: tuple[str, ...], avoid: tuple[str, ...] = ()) -> tuple[str, ...]:
        out = list(values)
        for _ in range(10):
            self.rng.shuffle(out)
            # An order shown already in order gives the answer away.
            if tuple(out) != avoid or len(set(values)) < 2:
                break
        return tuple(out)

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

    def rerate(self, rating: Rating) -> Answer:
        """Replace the rating of the last answer (the learner overruled the proposal)."""
        if not self._history:
            raise RuntimeError("nothing to rerate")
        last = self._history[-1]
        if rating == last.rating:
            return last
        review = last.review
        scheduler = self._schedulers[review.deck_id]
        updated = self.store.rerate_review(review.id, uuid.uuid4().hex, rating, scheduler)
        if updated is None:
            raise RuntimeError("the last answer is no longer in the database")
        answer = replace(last, review=updated)
        self._history[-1] = answer
        self._after_answer(last.item, updated.state_after, requeue_only=True)
        return answer

    def _commit(
        self, item: Item, rating: Rating, result: Grade | None, response: Response | None
    ) -> Answer:
        scheduler = self._schedulers[item.deck_id]
        shown_at = self._shown_at

        def build(before: CardState | None, now: datetime) -> ReviewRecord:
            # `before` is read inside the write transaction, not taken from this session's
            # cache: another session may have reviewed the item since it was queued.
            after = scheduler.review(before or Scheduler.new_state(now), rating, now)
            shown = shown_at or now
            return ReviewRecord(
                id=uuid.uuid4().hex,
                learner=self.learner,
                deck_id=item.deck_id,
                item_key=item.key,
                card_id=item.card.id,
                reviewed_at=now,
                rating=int(rating),
                outcome=result.outcome.value if result else None,
                response=_jsonable(response),
                duration_ms=max(0, int((now - shown).total_seconds() * 1000)),
                first=before is None or before.is_new,
                state_before=before,
                state_after=after,
            )

        review = self.store.commit_review(self.learner, item.deck_id, item.key, self.clock, build)
        answer = Answer(item, review, result)
        self._history.append(answer)
        self.current = None
        self._after_answer(item, review.state_after)
        return answer

    def _after_answer(self, item: Item, after: CardState, requeue_only: bool = False) -> None:
        key = (item.deck_id, item.key)
        self._states[key] = after
        q = self._queues
        q.learning = [(d, i) for d, i in q.learning if i != item]
        if after.is_learning and after.due < day_start(self.clock()) + timedelta(days=1):
            q.learning.append((after.due, item))
            q.learning.sort(key=lambda pair: pair[0])
        if requeue_only:
            return
        note = (item.deck_id, item.card.id)
        self._touched_notes.add(note)
        # Sibling items of the same card wait for another day.
        q.reviews = [i for i in q.reviews if (i.deck_id, i.card.id) != note]
        q.new = [i for i in q.new if (i.deck_id, i.card.id) != note]

    def undo(self) -> Presentation | None:
        """Take back the last answer: its review is removed and the item shown again."""
        if not self._history:
            return None
        last = self._history.pop()
        item = last.item
        self.store.undo_review(last.review.id, self._schedulers[item.deck_id])
        key = (item.deck_id, item.key)
        if last.review.state_before is None:
            self._states.pop(key, None)
        else:
            self._states[key] = last.review.state_before
        q = self._queues
        q.learning = [(d, i) for d, i in q.learning if i != item]
        if self.current is not None and self.current.item != item:
            self._requeue_front(self.current.item)
        return self._show(item)

    def _requeue_front(self, item: Item) -> None:
        state = self._states.get((item.deck_id, item.key))
        if state is None or state.is_new:
            self._queues.new.insert(0, item)
        elif state.is_learning:
            self._queues.learning.insert(0, (self.clock(), item))
        else:
            self._queues.reviews.insert(0, item)

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
        answers = self._history
        graded = [a for a in answers if a.grade is not None]
        return Summary(
            studied=len({(a.item.deck_id, a.item.key) for a in answers}),
            answers=len(answers),
            graded=len(graded),
            correct=sum(1 for a in graded if a.grade and a.grade.correct),
            seconds=sum(a.review.duration_ms for a in answers) / 1000,
            next_due=self.store.next_due(
                self.learner, self.deck_ids or [d.id for d in self.decks], self.clock()
            ),
        )


def _jsonable(response: Response | None) -> object:
    if response is None or isinstance(response, str | bool):
        return response
    if isinstance(response, Mapping):
        return dict(response)
    return list(response)

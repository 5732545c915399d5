"""A study session: the queue of items due, answering, rating, undo and the summary."""

from __future__ import annotations

import bisect
import random
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

from quiz.collector import collector_paused
from quiz.deck.model import Choice, Deck, Item, Match, Order, card_of_key
from quiz.grading import Grade, Response, grade, is_self_rated
from quiz.scheduler import CardState, Rating, Scheduler, day_start, julian_day, utc_now
from quiz.store.database import DueState, ReviewRecord, Store

LEARN_AHEAD = timedelta(minutes=20)
# Learning steps are minutes long, so a learning item due later than this after the day ends
# cannot exist; the queue reads only states due before it, through the (learner, deck, due) index.
LEARNING_HORIZON = timedelta(days=1)


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


@dataclass(eq=False)
class _Queued:
    """An item waiting in the review or new queue; its card is built when its turn comes."""

    deck_id: str
    key: str
    make: Callable[[], Item]


def _waiting(deck: Deck, number: int) -> _Queued:
    return _Queued(deck.id, deck.item_index.keys[number], partial(deck.item, number))


@dataclass
class _Queues:
    # learning stays sorted by due time (ties in the order they came).
    learning: list[tuple[datetime, Item]] = field(default_factory=list)
    # Thousands may be queued at once on a big deck: building each card waits until it is due.
    reviews: deque[_Queued] = field(default_factory=deque)
    new: deque[_Queued] = field(default_factory=deque)


@dataclass
class _Candidates:
    """What one deck's queue is made from, as read from the store; reused until it changes."""

    deck: Deck
    day: datetime
    version: tuple[int, int]
    learning: list[tuple[datetime, Item]]
    # Due today, one per card, in deck order; as item numbers, queued once chosen.
    reviews: list[tuple[DueState, int]]
    new: list[_Queued]
    reviews_left: int
    total: int


def _first(pair: tuple[datetime, Item]) -> datetime:
    return pair[0]


def _note(item: Item | _Queued) -> tuple[str, str]:
    """The deck and card an item belongs to, for keeping siblings apart."""
    return (item.deck_id, card_of_key(item.key))


def _key(item: Item | _Queued) -> tuple[str, str]:
    return (item.deck_id, item.key)


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
        self._queues = _Queues()
        # Where each learning item sits in the queue (its due), and which items of each card
        # wait in the review and new queues: an answer then finds its siblings without a scan.
        self._learning_at: dict[tuple[str, str], datetime] = {}
        self._queued_notes: dict[tuple[str, str], list[_Queued]] = {}
        # Siblings dropped from the review and new queues, by id(): skipped when they come up.
        self._dropped: set[int] = set()
        self._candidates: dict[str, _Candidates] = {}
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
            c = self._candidates_for(deck, now)
            learning_due = sum(1 for d, _ in c.learning if d <= now)
            due = min(len(c.reviews), c.reviews_left) + learning_due
            out.append(DeckOverview(deck, due, len(c.new), c.total))
        return out

    # Running

    def start(self, deck_ids: Sequence[str] | None = None, *, due_only: bool = False) -> None:
        """Begin studying the given decks (all when None): build today's queue."""
        chosen = [d for d in self.decks if deck_ids is None or d.id in deck_ids]
        self.deck_ids = [d.id for d in chosen]
        self._due_only = due_only
        # Tens of thousands of states and items, none of them garbage: not worth a collection.
        with collector_paused():
            self._queues = self._build(chosen, self.clock())
            if due_only:
                self._queues.new = deque()
            self._reindex()
        self._history = []
        self.current = None
        # The log written so far goes back into the database now, before the first card, and
        # from here on only when the learner is not waiting (see `idle`), not inside an answer.
        self.store.checkpoint()
        self.store.defer_checkpoints()

    def idle(self) -> None:
        """Housekeeping while the learner reads: write the answers' log back into the database."""
        self.store.checkpoint()

    def _build(self, decks: Sequence[Deck], now: datetime) -> _Queues:
        queues = _Queues()
        for deck in decks:
            c = self._candidates_for(deck, now)
            recall_after = self._schedulers[deck.id].recall_after
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
            queues.reviews.extend(_waiting(deck, number) for _, number in ranked[: c.reviews_left])
            queues.new.extend(c.new)
            queues.learning.extend(c.learning)
        queues.learning.sort(key=_first)
        return queues

    def _candidates_for(self, deck: Deck, now: datetime) -> _Candidates:
        """What today's queue of a deck is made from; read again only when the store changed."""
        since = day_start(now)
        version = self.store.data_version()
        cached = self._candidates.get(deck.id)
        if (
            cached is not None
            and cached.deck is deck
            and cached.day == since
            and cached.version == version
        ):
            return cached
        tomorrow = since + timedelta(days=1)
        new_done, reviews_done, touched = self.store.today_counts(self.learner, deck.id, since)
        touched_notes = self._touched_notes
        touched_notes.update((deck.id, n) for n in touched)
        new_left = max(0, deck.settings.new_per_day - new_done)
        reviews_left = max(0, deck.settings.reviews_per_day - reviews_done)
        # Only the states due by tomorrow are read; of the rest only whether they exist.
        due_states = self.store.due_states(self.learner, deck.id, tomorrow + LEARNING_HORIZON)
        # Whether a key has a state is asked of the store a batch of keys at a time, and only
        # while new items are wanted: a walk that stops wanting them after 20 never reads the
        # other 100,000 studied keys of a big deck.
        stated: set[str] = set()
        asked_to = 0
        learning: list[tuple[datetime, Item]] = []
        reviews: list[tuple[DueState, int]] = []
        new: list[_Queued] = []
        queued_notes: set[str] = set()
        deck_id = deck.id
        index = deck.item_index
        total = len(index.keys)
        # Items, and the cards under them, are made only for what is queued: making all of a
        # big deck's is slow.
        keys = index.keys
        batch = self.store.STATED_BATCH
        for number, key in enumerate(keys):
            state = due_states.get(key)
            if state is None:
                if not new_left:
                    continue
                if number >= asked_to:
                    asked_to = number + batch
                    stated = self.store.stated_among(self.learner, deck_id, keys[number:asked_to])
                if key in stated:
                    continue
                # Siblings (a reversed side, other cloze gaps) wait for another day.
                note = card_of_key(key)
                if note not in queued_notes and (deck_id, note) not in touched_notes:
                    new.append(_waiting(deck, number))
                    queued_notes.add(note)
                    new_left -= 1
            elif state.is_learning:
                learning.append((state.due, deck.item(number)))
            elif state.due < tomorrow:
                note = card_of_key(key)
                if note in queued_notes or (deck_id, note) in touched_notes:
                    continue
                reviews.append((state, number))
                queued_notes.add(note)
        fresh = _Candidates(deck, since, version, learning, reviews, new, reviews_left, total)
        self._candidates[deck.id] = fresh
        return fresh

    def _reindex(self) -> None:
        q = self._queues
        if self._dropped:
            q.reviews = deque(i for i in q.reviews if id(i) not in self._dropped)
            q.new = deque(i for i in q.new if id(i) not in self._dropped)
            self._dropped = set()
        self._learning_at = {_key(item): due for due, item in q.learning}
        self._queued_notes = {}
        for entry in (*q.reviews, *q.new):
            self._queued_notes.setdefault(_note(entry), []).append(entry)

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
            fresh.new = deque()
        self._reindex()
        q = self._queues
        q.learning = sorted(
            [*(p for p in q.learning if p[1].deck_id != deck.id), *fresh.learning], key=_first
        )
        q.reviews = deque([*(i for i in q.reviews if i.deck_id != deck.id), *fresh.reviews])
        q.new = deque([*(i for i in q.new if i.deck_id != deck.id), *fresh.new])
        current = self.current
        replacement = None
        if current is not None and current.item.deck_id == deck.id:
            replacement = _find_item(deck, current.item.key)
        if replacement is not None:
            # The item on screen is not queued twice.
            q.learning = [
                p for p in q.learning if p[1].key != replacement.key or p[1].deck_id != deck.id
            ]
            q.reviews = deque(i for i in q.reviews if _key(i) != _key(replacement))
            q.new = deque(i for i in q.new if _key(i) != _key(replacement))
        self._reindex()
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
        q = self._queues
        return len(q.learning) + len(q.reviews) + len(q.new) - len(self._dropped)

    def next(self) -> Presentation | None:
        """Show the next item: due learning, then due reviews, then new, then learn ahead."""
        now = self.clock()
        q = self._queues
        if self._dropped:
            self._skip_dropped(q.reviews)
            self._skip_dropped(q.new)
        item: Item | None = None
        if q.learning and q.learning[0][0] <= now:
            item = self._pop_learning()
        elif q.reviews:
            item = self._pop_queued(q.reviews).make()
        elif q.new:
            item = self._pop_queued(q.new).make()
        elif q.learning and q.learning[0][0] <= now + LEARN_AHEAD:
            item = self._pop_learning()
        if item is None:
            self.current = None
            return None
        return self._show(item)

    def _pop_learning(self) -> Item:
        item = self._queues.learning.pop(0)[1]
        self._learning_at.pop(_key(item), None)
        return item

    def _pop_queued(self, queue: deque[_Queued]) -> _Queued:
        entry = queue.popleft()
        note = _note(entry)
        rest = [i for i in self._queued_notes.pop(note, ()) if i is not entry]
        if rest:
            self._queued_notes[note] = rest
        return entry

    def _skip_dropped(self, queue: deque[_Queued]) -> None:
        while queue and id(queue[0]) in self._dropped:
            self._dropped.discard(id(queue.popleft()))

    def _drop_learning(self, item: Item) -> None:
        """Take an item out of the learning queue, found by its due time rather than a scan."""
        key = _key(item)
        due = self._learning_at.pop(key, None)
        if due is None:
            return
        learning = self._queues.learning
        at = bisect.bisect_left(learning, due, key=_first)
        for i in range(at, len(learning)):
            if learning[i][0] != due:
                break
            if _key(learning[i][1]) == key:
                del learning[i]
                return
        # Not where its due time says (an item put back at the front by undo): look for it.
        self._queues.learning = [p for p in learning if _key(p[1]) != key]

    def _add_learning(self, due: datetime, item: Item) -> None:
        bisect.insort(self._queues.learning, (due, item), key=_first)
        self._learning_at[_key(item)] = due

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
        self._drop_learning(item)
        if after.is_learning and after.due < day_start(self.clock()) + timedelta(days=1):
            self._add_learning(after.due, item)
        if requeue_only:
            return
        note = _note(item)
        self._touched_notes.add(note)
        # Sibling items of the same card wait for another day; they are skipped when reached.
        self._dropped.update(id(i) for i in self._queued_notes.pop(note, ()))

    def undo(self) -> Presentation | None:
        """Take back the last answer: its review is removed and the item shown again."""
        if not self._history:
            return None
        last = self._history.pop()
        item = last.item
        self.store.undo_review(last.review.id, self._schedulers[item.deck_id])
        self._drop_learning(item)
        if self.current is not None and self.current.item != item:
            self._requeue_front(self.current.item)
        return self._show(item)

    def _requeue_front(self, item: Item) -> None:
        q = self._queues
        state = self.store.state(self.learner, item.deck_id, item.key)
        if state is not None and state.is_learning:
            # First in line, and the learning queue stays sorted.
            now = self.clock()
            due = min(now, q.learning[0][0]) if q.learning else now
            q.learning.insert(0, (due, item))
            self._learning_at[_key(item)] = due
            return
        entry = _Queued(item.deck_id, item.key, lambda: item)
        if state is None or state.is_new:
            q.new.appendleft(entry)
        else:
            q.reviews.appendleft(entry)
        self._queued_notes.setdefault(_note(entry), []).append(entry)

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


def _find_item(deck: Deck, key: str) -> Item | None:
    """The deck's item with this key."""
    number = deck.item_index.find(key)
    return None if number is None else deck.item(number)


def _jsonable(response: Response | None) -> object:
    if response is None or isinstance(response, str | bool):
        return response
    if isinstance(response, Mapping):
        return dict(response)
    return list(response)

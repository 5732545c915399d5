"""Today's queue of items, as plain data: no store and no clock, every time is passed in."""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from quiz.deck.model import Item, card_of_key
from quiz.scheduler import CardState

LEARN_AHEAD = timedelta(minutes=20)


@dataclass(eq=False)
class Queued:
    """An item waiting in the review or new queue; its card is built when its turn comes."""

    deck_id: str
    key: str
    make: Callable[[], Item]


Learning = tuple[datetime, Item]


def _first(pair: Learning) -> datetime:
    return pair[0]


def note_of(item: Item | Queued) -> tuple[str, str]:
    """The deck and card an item belongs to, for keeping siblings apart."""
    return (item.deck_id, card_of_key(item.key))


def key_of(item: Item | Queued) -> tuple[str, str]:
    """The deck and key of an item."""
    return (item.deck_id, item.key)


class StudyQueue:
    """Learning items by due time, then reviews, then new items; siblings of an answer wait."""

    def __init__(
        self,
        learning: Iterable[Learning] = (),
        reviews: Iterable[Queued] = (),
        new: Iterable[Queued] = (),
    ) -> None:
        # learning stays sorted by due time (ties in the order they came).
        self._learning = sorted(learning, key=_first)
        # Thousands may be queued at once on a big deck: building each card waits until it is due.
        self._reviews = deque(reviews)
        self._new = deque(new)
        # Siblings dropped from the review and new queues, by id(): skipped when they come up.
        self._dropped: set[int] = set()
        # Which queue the last item popped came from: "new", "learning" or "review".
        self.last_kind = "new"
        self._reindex()

    def _reindex(self) -> None:
        # Where each learning item sits in the queue (its due), and which items of each card
        # wait in the review and new queues: an answer then finds its siblings without a scan.
        if self._dropped:
            self._reviews = deque(i for i in self._reviews if id(i) not in self._dropped)
            self._new = deque(i for i in self._new if id(i) not in self._dropped)
            self._dropped = set()
        # How many of the dropped wait in the new queue: counting them on every key was a
        # walk of the whole review queue, milliseconds per key on a big deck.
        self._dropped_new = 0
        self._learning_at = {key_of(item): due for due, item in self._learning}
        self._queued_notes: dict[tuple[str, str], list[Queued]] = {}
        for entry in (*self._reviews, *self._new):
            self._queued_notes.setdefault(note_of(entry), []).append(entry)

    def remaining(self) -> int:
        """Items still queued (learning items counted once)."""
        return len(self._learning) + len(self._reviews) + len(self._new) - len(self._dropped)

    def counts(self, now: datetime) -> tuple[int, int, int]:
        """New, learning and review items still to show, as Anki's three numbers."""
        # Siblings dropped today are left out, and so are learning items due later than the
        # learn-ahead limit: the session ends before them unless the learner studies on.
        new = len(self._new) - self._dropped_new
        reviews = len(self._reviews) - (len(self._dropped) - self._dropped_new)
        return new, bisect.bisect_right(self._learning, now + LEARN_AHEAD, key=_first), reviews

    def drop_new(self) -> None:
        """Queue no new items (studying what is due only)."""
        self._new = deque()
        self._reindex()

    def pop(self, now: datetime) -> Item | None:
        """The next item: due learning, then due reviews, then new, then learning ahead."""
        if self._dropped:
            self._skip_dropped(self._reviews)
            self._skip_dropped(self._new)
        learning = self._learning
        if learning and learning[0][0] <= now:
            self.last_kind = "learning"
            return self._pop_learning()
        if self._reviews:
            self.last_kind = "review"
            return self._pop_queued(self._reviews).make()
        if self._new:
            self.last_kind = "new"
            return self._pop_queued(self._new).make()
        if learning and learning[0][0] <= now + LEARN_AHEAD:
            self.last_kind = "learning"
            return self._pop_learning()
        return None

    def _pop_learning(self) -> Item:
        item = self._learning.pop(0)[1]
        self._learning_at.pop(key_of(item), None)
        return item

    def _pop_queued(self, queue: deque[Queued]) -> Queued:
        entry = queue.popleft()
        note = note_of(entry)
        rest = [i for i in self._queued_notes.pop(note, ()) if i is not entry]
        if rest:
            self._queued_notes[note] = rest
        return entry

    def _skip_dropped(self, queue: deque[Queued]) -> None:
        while queue and id(queue[0]) in self._dropped:
            self._dropped.discard(id(queue.popleft()))
            if queue is self._new:
                self._dropped_new -= 1

    def answered(
        self, item: Item, after: CardState, day_end: datetime, *, siblings_wait: bool = True
    ) -> None:
        """An answer left the item in `after`: back in learning when due before `day_end`."""
        self.withdraw(item)
        if after.is_learning and after.due < day_end:
            bisect.insort(self._learning, (after.due, item), key=_first)
            self._learning_at[key_of(item)] = after.due
        if siblings_wait:
            # Sibling items of the same card wait for another day; they are skipped when reached.
            for sibling in self._queued_notes.pop(note_of(item), ()):
                if id(sibling) not in self._dropped:
                    self._dropped.add(id(sibling))
                    # A scan of the new queue (a day's new items, tens) per sibling dropped.
                    self._dropped_new += any(e is sibling for e in self._new)

    def withdraw(self, item: Item) -> None:
        """Take an item out of the learning queue, found by its due time rather than a scan."""
        key = key_of(item)
        due = self._learning_at.pop(key, None)
        if due is None:
            return
        learning = self._learning
        at = bisect.bisect_left(learning, due, key=_first)
        for i in range(at, len(learning)):
            if learning[i][0] != due:
                break
            if key_of(learning[i][1]) == key:
                del learning[i]
                return
        # Not where its due time says (an item put back at the front by undo): look for it.
        self._learning = [p for p in learning if key_of(p[1]) != key]

    def put_back(self, item: Item, state: CardState | None, now: datetime) -> None:
        """Queue an item first in line again (it was on screen when an undo took its place)."""
        if state is not None and state.is_learning:
            # First in line, and the learning queue stays sorted.
            due = min(now, self._learning[0][0]) if self._learning else now
            self._learning.insert(0, (due, item))
            self._learning_at[key_of(item)] = due
            return
        entry = Queued(item.deck_id, item.key, lambda: item)
        if state is None or state.is_new:
            self._new.appendleft(entry)
        else:
            self._reviews.appendleft(entry)
        self._queued_notes.setdefault(note_of(entry), []).append(entry)

    def replace_deck(self, deck_id: str, fresh: StudyQueue, shown: Item | None) -> None:
        """Swap one deck's items for those of `fresh`, leaving out the item on screen."""
        self._reindex()
        self._learning = sorted(
            [*(p for p in self._learning if p[1].deck_id != deck_id), *fresh._learning],
            key=_first,
        )
        self._reviews = deque(
            [*(i for i in self._reviews if i.deck_id != deck_id), *fresh._reviews]
        )
        self._new = deque([*(i for i in self._new if i.deck_id != deck_id), *fresh._new])
        if shown is not None:
            # The item on screen is not queued twice.
            key = key_of(shown)
            self._learning = [p for p in self._learning if key_of(p[1]) != key]
            self._reviews = deque(i for i in self._reviews if key_of(i) != key)
            self._new = deque(i for i in self._new if key_of(i) != key)
        self._reindex()

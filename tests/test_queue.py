"""The study queue and its builder without SQLite: a dictionary stands in for the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quiz.deck.loader import parse_deck
from quiz.deck.model import Deck, Item, card_of_key
from quiz.scheduler import CardState, Rating, Scheduler, day_start, julian_day
from quiz.settings import resolve
from quiz.store.states import DueState
from quiz.study.builder import QueueBuilder
from quiz.study.queue import LEARN_AHEAD, Queued, StudyQueue, key_of

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LEARNER = "ann"


class MemorySource:
    """What the queue builder reads, kept in dictionaries; answers are written with `answer`."""

    STATED_BATCH = 4

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], CardState] = {}
        # (time, deck, card, first) of every answer
        self.log: list[tuple[datetime, str, str, bool]] = []
        self.version = 0
        self.held: set[tuple[str, str]] = set()

    def data_version(self) -> tuple[int, int]:
        return (self.version, 0)

    def today_counts(
        self, learner: str, deck_id: str, since: datetime
    ) -> tuple[int, int, set[str]]:
        today = [(first, card) for at, d, card, first in self.log if d == deck_id and at >= since]
        new = sum(1 for first, _ in today if first)
        return new, len(today) - new, {card for _, card in today}

    def due_states(self, learner: str, deck_id: str, before: datetime) -> dict[str, DueState]:
        return {
            key: DueState(
                s.state,
                s.due,
                julian_day(s.last_review) if s.last_review else None,
                s.stability,
            )
            for (d, key), s in self.states.items()
            if d == deck_id and s.due < before
        }

    def stated_among(self, learner: str, deck_id: str, keys: Sequence[str]) -> set[str]:
        assert len(keys) <= self.STATED_BATCH
        return {k for k in keys if (deck_id, k) in self.states}

    def held_keys(self, learner: str, deck_id: str, now: datetime) -> set[str]:
        return {k for d, k in self.held if d == deck_id}

    def answer(self, item: Item, rating: Rating, now: datetime) -> CardState:
        """What answering does, without a database."""
        before = self.states.get(key_of(item))
        after = Scheduler(fuzz=False).review(before or Scheduler.new_state(now), rating, now)
        self.states[key_of(item)] = after
        self.log.append((now, item.deck_id, item.card.id, before is None or before.is_new))
        self.version += 1
        return after


def deck_of(cards: str, **limits: int) -> Deck:
    extra = "".join(f"  {k}: {v}\n" for k, v in limits.items())
    text = f"deck: d\ntitle: D\n{'settings:' + chr(10) + extra if extra else ''}cards:\n{cards}"
    deck, problems = parse_deck(text, "d.yaml")
    assert deck is not None, problems
    return deck


def flashcards(n: int, reverse: bool = False) -> str:
    flag = ", reverse: true" if reverse else ""
    return "".join(f'  - {{id: c{i}, front: "f{i}", back: "b{i}"{flag}}}\n' for i in range(n))


def build(source: MemorySource, deck: Deck, now: datetime) -> tuple[QueueBuilder, StudyQueue]:
    builder = QueueBuilder(source, LEARNER)
    # The deck file's limits, as a session resolves them for a learner with no settings.
    scheduler = Scheduler(fuzz=False, settings=resolve(deck.settings, {}))
    return builder, builder.build([deck], {deck.id: scheduler}, now)


def day_end(now: datetime) -> datetime:
    return day_start(now) + timedelta(days=1)


def test_new_items_come_in_deck_order_up_to_the_daily_limit() -> None:
    deck = deck_of(flashcards(9), new_per_day=5)
    _, queue = build(MemorySource(), deck, NOON)
    shown = []
    while (item := queue.pop(NOON)) is not None:
        shown.append(item.key)
    assert shown == ["c0", "c1", "c2", "c3", "c4"]
    assert queue.remaining() == 0


def test_what_was_introduced_today_counts_against_the_limit() -> None:
    deck = deck_of(flashcards(9), new_per_day=5)
    source = MemorySource()
    for number in range(3):
        source.answer(deck.item(number), Rating.EASY, NOON - timedelta(hours=1))
    _, queue = build(source, deck, NOON)
    assert [queue.pop(NOON), queue.pop(NOON), queue.pop(NOON)] == [
        deck.item(3),
        deck.item(4),
        None,
    ]


def test_one_item_of_a_card_is_queued_and_the_other_waits_for_tomorrow() -> None:
    deck = deck_of(flashcards(2, reverse=True))
    source = MemorySource()
    _, queue = build(source, deck, NOON)
    assert queue.remaining() == 2  # c0 and c1, not their reversed sides
    first = queue.pop(NOON)
    assert first is not None and first.key == "c0"
    tomorrow = NOON + timedelta(days=1)
    source.answer(first, Rating.EASY, NOON)
    _, queue = build(source, deck, tomorrow)
    keys = []
    while (item := queue.pop(tomorrow)) is not None:
        keys.append(item.key)
    assert "c0::reverse" in keys and "c0" not in keys


def test_an_answer_sends_its_queued_siblings_away() -> None:
    deck = deck_of(flashcards(1, reverse=True))
    front, reverse = deck.item(0), deck.item(1)
    later = NOON + timedelta(hours=1)
    queue = StudyQueue(learning=[(later, front)], new=[queued(reverse)])
    assert queue.remaining() == 2
    queue.answered(front, _learning(later), day_end(NOON))
    assert queue.remaining() == 1
    assert queue.pop(NOON) is None  # the sibling went, and the front is not due yet
    assert queue.pop(later) == front


def test_a_rerated_answer_keeps_its_siblings() -> None:
    deck = deck_of(flashcards(1, reverse=True))
    front, reverse = deck.item(0), deck.item(1)
    queue = StudyQueue(new=[queued(reverse)])
    queue.answered(front, _learning(NOON), day_end(NOON), siblings_wait=False)
    assert queue.pop(NOON) == front
    assert queue.pop(NOON) == reverse


def queued(item: Item) -> Queued:
    return Queued(item.deck_id, item.key, lambda: item)


def _learning(due: datetime) -> CardState:
    return CardState("learning", due, step=1, stability=1.0, difficulty=5.0, last_review=NOON)


def test_due_learning_comes_first_and_is_learnt_ahead_last() -> None:
    deck = deck_of(flashcards(3))
    a, b, c = (deck.item(i) for i in range(3))
    queue = StudyQueue(
        learning=[(NOON + timedelta(minutes=10), a), (NOON - timedelta(minutes=1), b)],
        reviews=[queued(c)],
    )
    assert queue.pop(NOON) == b
    assert queue.pop(NOON) == c
    assert queue.pop(NOON) == a  # ten minutes ahead is within LEARN_AHEAD
    assert queue.pop(NOON) is None


def test_learning_beyond_learn_ahead_waits() -> None:
    deck = deck_of(flashcards(1))
    queue = StudyQueue(learning=[(NOON + LEARN_AHEAD + timedelta(seconds=1), deck.item(0))])
    assert queue.pop(NOON) is None
    assert queue.pop(NOON + timedelta(seconds=1)) == deck.item(0)


def test_an_answer_due_after_the_day_ends_leaves_the_queue() -> None:
    deck = deck_of(flashcards(1))
    item = deck.item(0)
    queue = StudyQueue(learning=[(NOON, item)])
    assert queue.pop(NOON) == item
    queue.answered(item, _learning(day_end(NOON) + timedelta(minutes=1)), day_end(NOON))
    assert queue.remaining() == 0


def test_put_back_puts_the_item_first_in_its_queue() -> None:
    deck = deck_of(flashcards(3))
    a, b, c = (deck.item(i) for i in range(3))
    queue = StudyQueue(new=[queued(a), queued(b)])
    assert queue.pop(NOON) == a
    queue.put_back(a, None, NOON)
    assert queue.pop(NOON) == a
    queue.put_back(c, _learning(NOON + timedelta(hours=2)), NOON)
    assert queue.pop(NOON) == c  # learning, put back as due now
    assert queue.pop(NOON) == b


def test_replacing_a_deck_keeps_the_shown_item_out_of_the_queue() -> None:
    deck = deck_of(flashcards(3))
    queue = StudyQueue(new=[queued(deck.item(i)) for i in range(3)])
    shown = queue.pop(NOON)
    assert shown == deck.item(0)
    reloaded = deck_of(flashcards(4))
    fresh = StudyQueue(new=[queued(reloaded.item(i)) for i in range(4)])
    queue.replace_deck(deck.id, fresh, reloaded.item(0))
    keys = [item.key for item in iter(lambda: queue.pop(NOON), None)]
    assert keys == ["c1", "c2", "c3"]


@pytest.mark.parametrize("batch", [1, 4, 100])
def test_studied_keys_are_asked_in_batches(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MemorySource, "STATED_BATCH", batch)
    deck = deck_of(flashcards(10), new_per_day=20)
    source = MemorySource()
    for number in (0, 3, 4, 9):
        source.answer(deck.item(number), Rating.EASY, NOON - timedelta(days=2))
    _, queue = build(source, deck, NOON)
    keys = [item.key for item in iter(lambda: queue.pop(NOON), None)]
    assert keys == ["c1", "c2", "c5", "c6", "c7", "c8"]


# A deck of flashcards (some with a reversed side) and clozes of one to three gaps.
KINDS = ["plain", "reverse", "cloze1", "cloze2", "cloze3"]
cards_strategy = st.lists(st.sampled_from(KINDS), min_size=1, max_size=8)


def _deck_text(kinds: list[str]) -> str:
    lines = []
    for i, kind in enumerate(kinds):
        if kind == "plain":
            lines.append(f'  - {{id: k{i}, front: "f{i}", back: "b{i}"}}\n')
        elif kind == "reverse":
            lines.append(f'  - {{id: k{i}, front: "f{i}", back: "b{i}", reverse: true}}\n')
        else:
            gaps = " and ".join(f"{{{{g{i}x{g}}}}}" for g in range(int(kind[-1])))
            lines.append(f'  - {{id: k{i}, type: cloze, text: "{gaps}"}}\n')
    return "".join(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kinds=cards_strategy,
    new_per_day=st.integers(1, 6),
    ratings=st.lists(st.sampled_from(list(Rating)), min_size=1, max_size=40),
    days=st.integers(1, 8),
)
# Again every time: learning items are still due when the learner stops, and carry over.
@example(kinds=["reverse", "cloze2"], new_per_day=2, ratings=[Rating.AGAIN], days=3)
def test_no_item_comes_twice_a_day_unless_learning_and_siblings_never_share_a_day(
    kinds: list[str], new_per_day: int, ratings: list[Rating], days: int
) -> None:
    deck = deck_of(_deck_text(kinds), new_per_day=new_per_day)
    source = MemorySource()
    answers = 0
    for day in range(days):
        now = NOON + timedelta(days=day)
        builder, queue = build(source, deck, now)
        shown: dict[str, CardState | None] = {}  # item key: its state after its last answer
        cards: dict[str, str] = {}  # card: the one item of it shown today
        introduced = 0
        # A learner who keeps pressing Again would study until the day ends: this one stops
        # in the evening, leaving what is still in learning steps for the next day.
        evening = now + timedelta(hours=8)
        while queue.remaining() and now < evening:
            item = queue.pop(now)
            if item is None:
                now += LEARN_AHEAD  # waiting for a learning step
                continue
            if item.key in shown:
                after = shown[item.key]
                assert after is not None and after.is_learning, f"{item.key} shown twice"
            card = card_of_key(item.key)
            assert cards.setdefault(card, item.key) == item.key, f"{card}: siblings on one day"
            introduced += (deck.id, item.key) not in source.states
            rating = ratings[answers % len(ratings)]
            answers += 1
            after = source.answer(item, rating, now)
            shown[item.key] = after
            queue.answered(item, after, day_end(now))
            builder.touch(item)
            now += timedelta(seconds=20)
        assert introduced <= new_per_day

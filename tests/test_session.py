"""The study session: queue order, committing answers, rerating, undo, siblings, limits."""

from __future__ import annotations

import random
import sqlite3
import textwrap
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from testkit import FakeClock

from quiz import settings
from quiz.deck.model import Deck, card_of_key
from quiz.library import open_deck
from quiz.scheduler import Rating, Scheduler
from quiz.session import StudySession
from quiz.store import ReviewRecord, Store, open_store


def make_session(store: Store, decks: list[Deck], clock: FakeClock) -> StudySession:
    return StudySession(store, decks, "ann", clock=clock, rng=random.Random(7), fuzz=False)


def write_deck(tmp_path: Path, body: str, name: str = "d.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def flash_deck(store: Store, tmp_path: Path, clock: FakeClock, n: int, **settings: int) -> Deck:
    cards = "".join(f'  - {{id: c{i}, front: "front {i}", back: "back {i}"}}\n' for i in range(n))
    extra = f"settings: {settings}\n".replace("'", "") if settings else ""
    path = write_deck(tmp_path, f"deck: flash\ntitle: Flash\n{extra}cards:\n{cards}")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    return deck


def test_new_items_come_in_deck_order_up_to_the_daily_limit(store, tmp_path, clock):
    deck = flash_deck(store, tmp_path, clock, 8, new_per_day=5)
    session = make_session(store, [deck], clock)
    session.start()
    shown = []
    while (p := session.next()) is not None and len(shown) < 20:
        shown.append(p.item.key)
        session.rate(Rating.EASY)
    assert shown == ["c0", "c1", "c2", "c3", "c4"]


def test_studied_items_are_found_across_batches_of_keys(store, tmp_path, clock, monkeypatch):
    # Whether an item has been studied is asked a batch of keys at a time; a batch of 3 makes
    # the walk over these 14 cards cross several batches.
    monkeypatch.setattr(Store, "STATED_BATCH", 3)
    deck = flash_deck(store, tmp_path, clock, 14, new_per_day=50)
    studied = ["c0", "c1", "c2", "c4", "c7", "c8", "c9", "c13"]
    for key in studied:
        after = Scheduler().review(Scheduler.new_state(clock()), Rating.EASY, clock())
        store.record_review(
            ReviewRecord(
                id=f"r-{key}",
                learner="ann",
                deck_id=deck.id,
                item_key=key,
                card_id=key,
                reviewed_at=clock(),
                rating=int(Rating.EASY),
                outcome=None,
                response=None,
                duration_ms=1000,
                first=True,
                state_before=None,
                state_after=after,
            )
        )
    session = make_session(store, [deck], clock)
    session.start()
    queued = []
    while (p := session.next()) is not None and len(queued) < 30:
        queued.append(p.item.key)
        session.rate(Rating.EASY)
    assert queued == [f"c{i}" for i in range(14) if f"c{i}" not in studied]


def test_new_limit_counts_earlier_sessions_of_the_same_day(store, tmp_path, clock):
    deck = flash_deck(store, tmp_path, clock, 8, new_per_day=5)
    first = make_session(store, [deck], clock)
    first.start()
    for _ in range(3):
        first.next()
        first.rate(Rating.EASY)
    clock.advance(hours=1)
    second = make_session(store, [deck], clock)
    second.start()
    assert second.overview()[0].new == 2
    assert [second.next().item.key, second.rate(Rating.EASY).item.key] == ["c3", "c3"]


def test_each_answer_is_committed_before_the_next_item(store, every_type, clock):
    session = make_session(store, [every_type], clock)
    session.start()
    first = session.next()
    assert first.item.key == "treaty-year"
    clock.advance(seconds=4)
    session.rate(Rating.GOOD)
    rows = store.reviews("ann")
    assert [(r["item_key"], r["rating"], r["duration_ms"], r["first"]) for r in rows] == [
        ("treaty-year", 3, 4000, 1)
    ]
    second = session.next()
    assert second.item.key == "members"
    answer = session.submit(["Armenia", "Belarus"])
    assert answer.grade.correct and answer.rating is Rating.GOOD
    rows = store.reviews("ann")
    assert rows[-1]["item_key"] == "members"
    assert rows[-1]["outcome"] == "right" and rows[-1]["correct"] == 1
    state = store.states("ann", every_type.id)["members"]
    assert state.reps == 1 and state.state == "learning"


def test_rerate_replaces_the_proposed_rating(store, every_type, clock):
    session = make_session(store, [every_type], clock)
    session.start()
    session.next()
    session.rate(Rating.GOOD)
    session.next()
    answer = session.submit(["Armenia"])  # a correct subset: partly right
    assert answer.rating is Rating.HARD
    session.rerate(Rating.EASY)
    rows = [r for r in store.reviews("ann") if r["item_key"] == "members"]
    assert len(rows) == 1 and rows[0]["rating"] == 4 and rows[0]["outcome"] == "partly"
    expected = Scheduler(fuzz=False).review(Scheduler.new_state(clock()), Rating.EASY, clock())
    assert store.states("ann", every_type.id)["members"] == expected


def test_undo_removes_the_review_restores_the_state_and_asks_again(store, every_type, clock):
    session = make_session(store, [every_type], clock)
    session.start()
    session.next()
    session.rate(Rating.GOOD)
    before = store.states("ann", every_type.id)["treaty-year"]
    clock.advance(minutes=1)  # its next learning step is 10 minutes away
    again = session.next()
    assert again.item.key == "members"
    session.submit(["Uzbekistan"])
    assert "members" in store.states("ann", every_type.id)
    shown = session.undo()
    assert shown.item.key == "members"
    assert "members" not in store.states("ann", every_type.id)
    assert [r["item_key"] for r in store.reviews("ann")] == ["treaty-year"]
    assert store.states("ann", every_type.id)["treaty-year"] == before
    # Undo again reaches back to the flashcard; the item in hand goes back to the queue.
    assert session.undo().item.key == "treaty-year"
    assert store.reviews("ann") == []
    session.rate(Rating.GOOD)
    assert session.next().item.key == "members"


def test_a_wrong_answer_comes_back_after_its_learning_step(store, every_type, clock):
    session = make_session(store, [every_type], clock)
    session.start()
    session.next()
    session.rate(Rating.AGAIN)  # due again in one minute
    clock.advance(seconds=10)
    assert session.next().item.key == "members"  # not due yet: the next new item
    session.submit(["Armenia", "Belarus"])
    clock.advance(minutes=2)
    assert session.next().item.key == "treaty-year"  # due learning items come first


def test_learning_items_are_shown_early_when_nothing_else_is_left(store, tmp_path, clock):
    deck = flash_deck(store, tmp_path, clock, 1)
    session = make_session(store, [deck], clock)
    session.start()
    session.next()
    session.rate(Rating.AGAIN)
    assert session.next().item.key == "c0"
    session.rate(Rating.EASY)
    assert session.next() is None


def test_due_reviews_come_lowest_retrievability_first(store, tmp_path, clock):
    deck = flash_deck(store, tmp_path, clock, 3)
    session = make_session(store, [deck], clock)
    session.start()
    # Easy on a new card graduates it at once; the three get different stabilities.
    for rating in (Rating.EASY, Rating.GOOD, Rating.HARD):
        session.next()
        session.rate(rating)
    while session.next() is not None:
        session.rate(Rating.GOOD)
    clock.advance(days=40)
    later = make_session(store, [deck], clock)
    later.start()
    scheduler = Scheduler(fuzz=False)
    states = store.states("ann", deck.id)
    by_recall = sorted(states, key=lambda k: scheduler.retrievability(states[k], clock()))
    order = []
    while (p := later.next()) is not None and len(order) < 3:
        order.append(p.item.key)
        later.rate(Rating.GOOD)
    assert order == by_recall
    assert len(set(order)) == 3


def test_siblings_are_not_shown_on_the_same_day(store, tmp_path, clock):
    path = write_deck(
        tmp_path,
        """\
        deck: sib
        title: Siblings
        cards:
          - {id: rev, front: "A", back: "B", reverse: true}
          - {id: gaps, type: cloze, text: "{{one}} and {{two}} and {{three}}"}
        """,
    )
    deck, _ = open_deck(store, path, clock())
    session = make_session(store, [deck], clock)
    session.start()
    shown = []
    while (p := session.next()) is not None:
        shown.append(p.item.key)
        if p.item.card.type == "flashcard":
            session.rate(Rating.EASY)
        else:
            session.submit(p.item.card.gaps[p.item.gap_index][0])
            session.rerate(Rating.EASY)
    assert shown == ["rev", "gaps::c1"]
    clock.advance(days=1)
    tomorrow = make_session(store, [deck], clock)
    tomorrow.start()
    assert tomorrow.next().item.key == "rev::reverse"


def test_cloze_items_blank_only_their_own_gap(every_type):
    cloze = next(c for c in every_type.cards if c.type == "cloze")
    assert (
        cloze.with_gap(1)
        == "Article 4 holds the collective defence clause; Article [...] covers bases."
    )


def test_summary_counts_answers_time_and_next_due(store, every_type, clock):
    session = make_session(store, [every_type], clock)
    session.start()
    session.next()
    clock.advance(seconds=5)
    session.rate(Rating.GOOD)
    session.next()
    clock.advance(seconds=7)
    session.submit(["Armenia", "Belarus"])
    session.next()
    clock.advance(seconds=3)
    session.submit("Minsk")
    summary = session.summary()
    assert (summary.studied, summary.answers, summary.graded, summary.correct) == (3, 3, 2, 1)
    assert summary.correct_share == 0.5
    assert summary.seconds == 15
    states = store.states("ann", every_type.id)
    assert summary.next_due == min(s.due for s in states.values())


def test_learners_are_kept_apart(store, every_type, clock):
    ann = make_session(store, [every_type], clock)
    ann.start()
    ann.next()
    ann.rate(Rating.GOOD)
    bob = StudySession(store, [every_type], "bob", clock=clock, fuzz=False)
    assert bob.overview()[0].new == ann.overview()[0].new + 1
    assert store.states("bob", every_type.id) == {}


def test_due_only_skips_new_items(store, every_type, clock):
    session = make_session(store, [every_type], clock)
    session.start(due_only=True)
    assert session.next() is None


def test_a_learning_items_sibling_queued_for_review_is_dropped_when_it_is_answered(
    store, tmp_path, clock
):
    path = write_deck(
        tmp_path,
        'deck: sib\ntitle: Siblings\ncards:\n  - {id: rev, front: "A", back: "B", reverse: true}\n',
    )
    deck, _ = open_deck(store, path, clock())
    day_one = make_session(store, [deck], clock)
    day_one.start()
    day_one.next()
    day_one.rate(Rating.EASY)  # "rev" graduates at once, due again in some days
    clock.advance(days=1)
    day_two = make_session(store, [deck], clock)
    day_two.start()
    assert day_two.next().item.key == "rev::reverse"
    day_two.rate(Rating.AGAIN)  # in learning, and left there
    clock.advance(days=60)
    later = make_session(store, [deck], clock)
    later.start()
    assert later.remaining() == 2  # the overdue learning item and "rev", due for review
    assert later.next().item.key == "rev::reverse"
    later.rate(Rating.GOOD)  # still learning, due in ten minutes
    assert later.remaining() == 1
    assert later.next().item.key == "rev::reverse"  # learnt ahead; "rev" waits for tomorrow
    later.rate(Rating.GOOD)
    assert later.next() is None


def test_the_overview_sees_answers_given_in_another_process(store, tmp_path, clock):
    deck = flash_deck(store, tmp_path, clock, 4)
    session = make_session(store, [deck], clock)
    assert session.overview()[0].new == 4
    assert session.overview()[0].new == 4
    other_store = open_store(store.path)
    try:
        other = make_session(other_store, [deck], clock)
        other.start()
        other.next()
        other.rate(Rating.GOOD)
    finally:
        other_store.close()
    assert session.overview()[0].new == 3
    session.start()
    assert session.next().item.key == "c1"


def test_studying_moves_checkpoints_out_of_the_answers(store, every_type, clock):
    def reviews_in_the_database_file() -> int:
        # immutable=1 reads the file alone, without the write-ahead log.
        with closing(sqlite3.connect(f"file:{store.path}?immutable=1", uri=True)) as conn:
            return conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]

    session = make_session(store, [every_type], clock)
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)
    session.start()
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (
        Store.STUDY_CHECKPOINT_PAGES,
    )
    session.next()
    session.rate(Rating.GOOD)
    assert len(store.reviews("ann")) == 1
    assert reviews_in_the_database_file() == 0  # committed to the log, not yet copied
    session.idle()
    assert reviews_in_the_database_file() == 1
    session.next()
    session.submit(["Armenia"])
    assert reviews_in_the_database_file() == 1
    session.summary()
    assert reviews_in_the_database_file() == 2


def test_the_queue_keys_items_as_items_do(every_type):
    # The queue walks a deck's item index without making an Item for each study item.
    index = every_type.item_index
    assert index.keys == [i.key for i in every_type.items()]
    assert [every_type.item(n) for n in range(len(index.keys))] == every_type.items()
    assert [card_of_key(key) for key in index.keys] == [i.card.id for i in every_type.items()]
    assert index.card_count == len(every_type.cards)
    with pytest.raises(IndexError):
        index.locate(len(index.keys))
    assert any(i.variant for i in every_type.items())


def test_learning_items_due_after_the_rollover_come_back_in_the_running_session(
    store, tmp_path, clock
):
    # Answered Good at 03:55 and 03:56, their 10-minute steps fall due at 04:05 and 04:06, in
    # the next study day: the session that is still open shows them then.
    clock.now = clock.now.astimezone().replace(hour=3, minute=55).astimezone(clock.now.tzinfo)
    deck = flash_deck(store, tmp_path, clock, 2)
    session = make_session(store, [deck], clock)
    session.start()
    for _ in range(2):
        shown = session.next()
        assert shown is not None
        session.rate(Rating.GOOD)
        clock.advance(minutes=1)
    assert session.next() is None  # nothing left on the old day
    clock.advance(minutes=10)  # 04:07
    again = []
    while (shown := session.next()) is not None:
        again.append(shown.item.key)
        session.rate(Rating.GOOD)
    assert again == ["c0", "c1"]


def test_an_answer_records_at_most_the_learners_answer_time_cap(store, tmp_path, clock):
    deck = flash_deck(store, tmp_path, clock, 3)
    session = make_session(store, [deck], clock)
    session.start()
    assert session.next() is not None
    clock.advance(minutes=30)  # the card was left open
    assert session.rate(Rating.GOOD).review.duration_ms == 60_000  # Anki's default cap
    cap = settings.to_json(timedelta(seconds=20))
    store.set_learner_setting("ann", "", "answer_time_cap", cap, clock())
    session = make_session(store, [deck], clock)
    session.start()
    assert session.next() is not None
    clock.advance(seconds=12)
    assert session.rate(Rating.GOOD).review.duration_ms == 12_000
    assert session.next() is not None
    clock.advance(seconds=45)
    assert session.rate(Rating.GOOD).review.duration_ms == 20_000


def test_the_learners_settings_win_over_the_deck_files(store, tmp_path, clock):
    deck = flash_deck(store, tmp_path, clock, 12, new_per_day=5)
    store.set_learner_setting("ann", "", "new_per_day", "8", clock())
    session = make_session(store, [deck], clock)
    assert session.settings_of(deck.id).new_per_day == 8
    store.set_learner_setting("ann", deck.id, "new_per_day", "3", clock())  # for this deck only
    session = make_session(store, [deck], clock)
    session.start()
    shown = []
    while (p := session.next()) is not None:
        shown.append(p.item.key)
        session.rate(Rating.EASY)
    assert shown == ["c0", "c1", "c2"]
    store.set_learner_setting("ann", deck.id, "new_per_day", None, clock())
    assert make_session(store, [deck], clock).settings_of(deck.id).new_per_day == 8


def test_each_ratings_preview_is_the_due_its_answer_stores_even_after_undo(
    store, tmp_path, clock
):
    # With fuzz on, as learners study: a month of days, every rating previewed, answered,
    # undone and answered again, on items in every state (new, learning, review, relearning).
    deck = flash_deck(store, tmp_path, clock, 12, new_per_day=12)
    session = StudySession(store, [deck], "ann", clock=clock, rng=random.Random(3))
    choose = random.Random(11)
    fuzzed = 0
    for _day in range(30):
        session.start()
        for _ in range(40):
            if session.next() is None:
                break
            previews = session.interval_previews()
            assert set(previews) == set(Rating)
            for rating in Rating:
                for _attempt in range(2):  # answered, undone, answered again
                    answer = session.rate(rating)
                    key = answer.item.key
                    assert answer.review.state_after.due == clock() + previews[rating]
                    assert store.states("ann", deck.id)[key].due == clock() + previews[rating]
                    assert session.undo().item.key == key
            fuzzed += previews[Rating.GOOD] >= timedelta(days=3)
            session.rate(choose.choice(list(Rating)))
            clock.advance(minutes=choose.choice([1, 11]))
        clock.advance(days=1)
    assert fuzzed > 20  # reviews long enough to be fuzzed were among them


def test_the_preview_after_an_answer_is_what_rerating_it_stores(store, tmp_path, clock):
    deck = flash_deck(store, tmp_path, clock, 6, new_per_day=6)
    session = StudySession(store, [deck], "ann", clock=clock, rng=random.Random(3))
    for _day in range(8):
        session.start()
        while session.next() is not None:
            session.rate(Rating.GOOD)
            # An answered item's previews are its rerating's: the ratings it can still get.
            previews = session.interval_previews()
            for rating in (Rating.EASY, Rating.HARD, Rating.GOOD):
                answer = session.rerate(rating)
                assert answer.review.state_after.due == answer.review.reviewed_at + previews[rating]
            clock.advance(minutes=11)
        clock.advance(days=1)

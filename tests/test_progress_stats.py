"""Learner statistics and the class report, on small histories whose figures are known by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from progress_helpers import add_review, put_state
from testkit import TEST_DECKS

from quiz.library import open_deck
from quiz.progress.stats import (
    GroupBy,
    ProgressRow,
    class_overview,
    class_report,
    current_streak,
    learner_stats,
    standing,
)
from quiz.scheduler import CardState, Scheduler
from quiz.settings import to_json
from quiz.store.settings import ALL_DECKS


@pytest.fixture
def deck(store, clock):
    deck, problems = open_deck(store, TEST_DECKS / "class.yaml", clock())
    assert deck is not None, problems
    return deck


def days(n: float) -> timedelta:
    return timedelta(days=n)


def test_streak_counts_days_in_a_row_up_to_today_or_yesterday():
    today = date(2026, 3, 2)
    assert current_streak({today, today - days(1), today - days(2), today - days(4)}, today) == 3
    # Not studied yet today: the streak still stands on yesterday.
    assert current_streak({today - days(1), today - days(2)}, today) == 2
    assert current_streak({today - days(2)}, today) == 0
    assert current_streak(set(), today) == 0


def test_daily_reviews_and_streak_from_the_log(store, deck, clock):
    now = clock()
    # Study days roll over at 04:00: 03:00 today still counts as yesterday.
    for at in (now, now - days(1), now - days(1) - timedelta(hours=2), now - days(2)):
        add_review(store, "ann", "class", "founded", at, 3)
    add_review(store, "ann", "class", "founded", now.replace(hour=3), 3)
    add_review(store, "ann", "class", "founded", now - days(5), 3)
    add_review(store, "bob", "class", "founded", now - days(3), 3)
    stats = learner_stats(store, "ann", ["class"], now)
    today = date(2026, 3, 2)
    assert stats.today == today
    assert stats.daily == {today: 1, today - days(1): 3, today - days(2): 1, today - days(5): 1}
    assert stats.streak == 3
    assert stats.reviews_on(3) == [(today - days(2), 1), (today - days(1), 3), (today, 1)]


def test_statistics_use_the_learners_own_rollover_hour(store, deck, clock):
    now = clock()
    # ann's days begin at 02:00: a review at 03:00 is today's for her, yesterday's by default.
    store.set_learner_setting("ann", ALL_DECKS, "rollover_hour", to_json(2), now)
    add_review(store, "ann", "class", "founded", now.replace(hour=3), 3)
    add_review(store, "bob", "class", "founded", now.replace(hour=3), 3)
    today = date(2026, 3, 2)
    assert learner_stats(store, "ann", ["class"], now).daily == {today: 1}
    assert learner_stats(store, "bob", ["class"], now).daily == {today - days(1): 1}
    # A review due at 03:00 tomorrow falls due on tomorrow's study day for ann only.
    put_state(
        store,
        "ann",
        "class",
        "treaty",
        "review",
        stability=3,
        last=now,
        due=now.replace(hour=3) + days(1),
    )
    put_state(
        store,
        "bob",
        "class",
        "treaty",
        "review",
        stability=3,
        last=now,
        due=now.replace(hour=3) + days(1),
    )
    assert learner_stats(store, "ann", ["class"], now).forecast[:2] == [0, 1]
    assert learner_stats(store, "bob", ["class"], now).forecast[:2] == [1, 0]


def test_leeches_follow_the_learners_threshold(store, deck, clock):
    now = clock()
    for learner in ("ann", "bob"):
        put_state(
            store,
            learner,
            "class",
            "founded",
            "review",
            stability=2,
            last=now,
            due=now + days(1),
            lapses=4,
        )
    store.set_learner_setting("ann", ALL_DECKS, "leech_threshold", to_json(4), now)
    ann, bob = (learner_stats(store, name, ["class"], now) for name in ("ann", "bob"))
    assert (ann.leeches, ann.leech_threshold, [h.leech for h in ann.hardest]) == (1, 4, [True])
    assert (bob.leeches, bob.leech_threshold, [h.leech for h in bob.hardest]) == (0, 8, [False])


def test_true_retention_counts_first_review_of_the_day_of_items_in_review(store, deck, clock):
    now = clock()
    # founded: passed (Good) as its first review in review state that day; the Again after
    # it the same day is a relearning review and does not count.
    add_review(store, "ann", "class", "founded", now - days(3), 3)
    add_review(store, "ann", "class", "founded", now - days(3) + timedelta(minutes=5), 1)
    # treaty: forgotten.
    add_review(store, "ann", "class", "treaty", now - days(2), 1)
    # capital: a learning review first (not counted), then a review-state Easy (counted).
    add_review(store, "ann", "class", "capital", now - days(1), 1, before="learning")
    add_review(store, "ann", "class", "capital", now - days(1) + timedelta(hours=1), 4)
    # A new item's first review never counts; nor does a review older than 30 days.
    add_review(store, "ann", "class", "members", now - days(1), 1, before=None, first=True)
    add_review(store, "ann", "class", "observer", now - days(40), 1)
    (row,) = class_report(store, now, learners=["ann"], decks=["class"])
    assert (row.retention_reviews, row.retention_passed) == (3, 2)
    assert row.true_retention == pytest.approx(2 / 3)
    stats = learner_stats(store, "ann", ["class"], now)
    # Weekly, over the last 12 weeks: the 40-day-old lapse falls in an earlier week.
    weeks = {p.first_day: (p.reviews, p.passed) for p in stats.retention if p.reviews}
    assert weeks == {date(2026, 2, 24): (3, 2), date(2026, 1, 20): (1, 0)}
    assert stats.desired_retention == pytest.approx(0.9)


def test_mastery_due_and_first_answer_accuracy(store, deck, clock):
    now = clock()
    # Mastered: durable (stability >= 21 days) and fresh (no more than `stability` days since).
    put_state(
        store,
        "ann",
        "class",
        "founded",
        "review",
        stability=30,
        last=now - days(10),
        due=now + days(20),
    )
    put_state(
        store,
        "ann",
        "class",
        "observer",
        "review",
        stability=25,
        last=now - days(24.9),
        due=now - days(2),
    )
    # Not mastered: gone stale; not durable yet; still relearning.
    put_state(
        store,
        "ann",
        "class",
        "treaty",
        "review",
        stability=30,
        last=now - days(31),
        due=now - days(1),
    )
    put_state(
        store,
        "ann",
        "class",
        "capital",
        "review",
        stability=10,
        last=now - days(1),
        due=now + timedelta(hours=1),
    )
    put_state(
        store,
        "ann",
        "class",
        "members",
        "relearning",
        stability=50,
        last=now,
        due=now - timedelta(minutes=1),
    )
    add_review(store, "ann", "class", "founded", now - days(10), 3, before=None, first=True)
    add_review(
        store,
        "ann",
        "class",
        "capital",
        now - days(1),
        1,
        outcome="wrong",
        before=None,
        first=True,
        ms=4000,
    )
    add_review(
        store,
        "ann",
        "class",
        "observer",
        now - days(25),
        3,
        outcome="right",
        before=None,
        first=True,
        ms=6000,
    )
    add_review(store, "ann", "class", "capital", now - days(1), 3, outcome="right", ms=2000)
    (row,) = class_report(store, now, learners=["ann"], decks=["class"])
    assert (row.total, row.seen, row.mastered) == (6, 5, 2)
    # Due now: observer, treaty, members; overdue from before today: observer and treaty.
    assert (row.due, row.overdue) == (3, 2)
    # First answers: founded (Good, self-rated, counts as right), capital wrong, observer right.
    assert (row.first_answers, row.first_right) == (3, 2)
    assert row.reviews == 4
    assert row.seconds == pytest.approx(22.0)
    assert row.last_studied == now - days(1)


def test_sql_mastery_agrees_with_the_scheduler(store, deck, clock):
    now = clock()
    scheduler = Scheduler()
    cases = {
        "founded": (22.0, 21.9),
        "treaty": (22.0, 22.2),
        "capital": (40.0, 0.5),
        "members": (20.0, 1.0),
        "observer": (100.0, 99.0),
        "kazakhstan": (100.0, 101.0),
    }
    expected = 0
    for key, (stability, elapsed) in cases.items():
        last = now - days(elapsed)
        put_state(
            store, "ann", "class", key, "review", stability=stability, last=last, due=now + days(1)
        )
        state = CardState("review", now, None, stability, 5.0, last, 1, 0)
        expected += scheduler.retrievability(state, now) >= 0.9 and stability >= 21
    (row,) = class_report(store, now, learners=["ann"], decks=["class"])
    assert expected == 3
    assert row.mastered == expected


def test_report_by_tag_and_by_card(store, deck, clock):
    now = clock()
    put_state(
        store,
        "ann",
        "class",
        "treaty",
        "review",
        stability=30,
        last=now - days(1),
        due=now + days(29),
    )
    add_review(store, "ann", "class", "treaty", now - days(1), 3, before=None, first=True)
    rows = class_report(store, now, learners=["ann"], by=GroupBy.TAG)
    # The deck's tag is added to every card's own tags.
    totals = {r.group: (r.total, r.seen, r.mastered) for r in rows}
    assert totals == {
        "csto": (6, 1, 1),
        "history": (2, 1, 1),
        "institutions": (2, 0, 0),
        "members": (1, 0, 0),
        "treaty": (1, 1, 1),
    }
    assert all(r.deck_id is None for r in rows)
    cards = {r.group: r for r in class_report(store, now, learners=["ann"], by=GroupBy.CARD)}
    assert set(cards) == {"founded", "treaty", "capital", "members", "observer", "kazakhstan"}
    assert (cards["treaty"].seen, cards["treaty"].reviews, cards["treaty"].deck_id) == (
        1,
        1,
        "class",
    )
    assert cards["founded"].reviews == 0


def test_every_learner_and_deck_gets_a_row(store, deck, every_type, clock):
    now = clock()
    add_review(store, "bob", "class", "founded", now, 3)
    add_review(store, "ann", "every-type", "capital", now, 3)
    rows = class_report(store, now)
    assert [(r.learner, r.group) for r in rows] == [
        ("ann", "class"),
        ("ann", "every-type"),
        ("bob", "class"),
        ("bob", "every-type"),
    ]
    # Archived items keep their history but leave the totals.
    store.conn.execute(
        "UPDATE cards SET archived = 1 WHERE deck_id = 'class' AND item_key = 'founded'"
    )
    store.conn.commit()
    bob = class_report(store, now, learners=["bob"], decks=["class"])[0]
    assert (bob.total, bob.reviews) == (5, 1)


def test_hardest_items_leeches_and_forecast(store, deck, clock):
    now = clock()
    put_state(
        store,
        "ann",
        "class",
        "founded",
        "review",
        stability=2,
        last=now - days(3),
        due=now - days(1),
        lapses=9,
    )
    put_state(
        store,
        "ann",
        "class",
        "treaty",
        "review",
        stability=3,
        last=now,
        due=now + days(1),
        lapses=2,
    )
    put_state(
        store,
        "ann",
        "class",
        "capital",
        "learning",
        stability=1,
        last=now,
        due=now + timedelta(minutes=10),
    )
    put_state(store, "ann", "class", "observer", "review", stability=9, last=now, due=now + days(5))
    put_state(
        store, "ann", "class", "members", "review", stability=90, last=now, due=now + days(90)
    )
    for _ in range(2):
        add_review(store, "ann", "class", "capital", now, 1, before="learning")
    stats = learner_stats(store, "ann", ["class"], now)
    assert [(h.item_key, h.lapses, h.agains) for h in stats.hardest] == [
        ("founded", 9, 0),
        ("treaty", 2, 0),
        ("capital", 0, 2),
    ]
    assert [h.leech for h in stats.hardest] == [True, False, False]
    assert stats.leeches == 1
    assert stats.hardest[0].prompt == "When was the CSTO founded?"
    # Overdue founded and the learning capital are due today; the 90-day one is beyond.
    expected = [0] * 30
    expected[0], expected[1], expected[5] = 2, 1, 1
    assert stats.forecast == expected


def row(**kw: object) -> ProgressRow:
    base = dict(
        learner="ann",
        deck_id="class",
        group="class",
        total=10,
        seen=8,
        mastered=2,
        due=0,
        overdue=0,
        first_answers=8,
        first_right=6,
        retention_reviews=0,
        retention_passed=0,
        reviews=20,
        seconds=60.0,
        last_studied=None,
    )
    base.update(kw)
    return ProgressRow(**base)  # type: ignore[arg-type]


def test_standing(clock):
    now = clock()
    assert standing(row(reviews=0, seen=0), now).label == "not started"
    assert standing(row(due=1, overdue=1, last_studied=now - days(1)), now).behind is False
    # A quarter of what was seen is overdue: a backlog.
    assert standing(row(due=2, overdue=2, last_studied=now), now).label == "2 overdue"
    # Items due and a week without studying.
    assert standing(row(due=1, last_studied=now - days(7)), now).label == "idle 7 d"
    assert standing(row(due=0, last_studied=now - days(30)), now).label == "on track"


def test_class_overview_puts_learners_falling_behind_first(clock):
    now = clock()
    rows = [
        row(learner="ann", last_studied=now),
        row(learner="bob", group="other", deck_id="other", due=5, overdue=5, last_studied=now),
        row(learner="bob", last_studied=now - days(3), mastered=4),
        row(learner="cy", reviews=0, seen=0, mastered=0),
    ]
    summaries = class_overview(rows, now)
    assert [s.learner for s in summaries] == ["bob", "ann", "cy"]
    bob = summaries[0]
    assert (bob.behind, bob.mastered, bob.total, bob.last_studied) == (("other",), 6, 20, now)

"""Marks on items: suspended and buried items never queued; events fold the same in any order."""

from __future__ import annotations

import random
import textwrap
from datetime import timedelta
from pathlib import Path

from testkit import FakeClock

from quiz.deck.model import Deck
from quiz.library import open_deck
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store import Store
from quiz.store.marks import MarkEvent, Marks, fold_marks
from quiz.study import marking


def flash(store: Store, tmp_path: Path, clock: FakeClock, n: int) -> Deck:
    cards = "".join(f'  - {{id: c{i}, front: "front {i}", back: "back {i}"}}\n' for i in range(n))
    path = tmp_path / "d.yaml"
    path.write_text(textwrap.dedent(f"deck: flash\ntitle: Flash\ncards:\n{cards}"), "utf-8")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    return deck


def studied(store: Store, deck: Deck, clock: FakeClock) -> list[str]:
    # With fuzz, as learners study: an import's replay must give the dues study stored.
    session = StudySession(store, [deck], "ann", clock=clock, rng=random.Random(1))
    session.start()
    shown = []
    while (p := session.next()) is not None and len(shown) < 50:
        shown.append(p.item.key)
        session.rate(Rating.EASY)
    return shown


def test_suspended_items_never_enter_a_queue_and_come_back_when_unsuspended(
    store, tmp_path, clock
):
    deck = flash(store, tmp_path, clock, 4)
    change = marking.mark(store, "ann", [("flash", "c1"), ("flash", "c1")], "suspend", clock())
    assert change.changed == 1
    assert marking.mark(store, "ann", [("flash", "c1")], "suspend", clock()).changed == 0
    session = StudySession(store, [deck], "ann", clock=clock, fuzz=False)
    [row] = session.overview()
    assert (row.new, row.suspended, row.total) == (3, 1, 4)
    assert studied(store, deck, clock) == ["c0", "c2", "c3"]
    clock.advance(days=1)
    assert "c1" not in studied(store, deck, clock)
    marking.mark(store, "ann", [("flash", "c1")], "unsuspend", clock())
    assert studied(store, deck, clock)[:1] == ["c1"]


def test_suspension_is_per_learner(store, tmp_path, clock):
    deck = flash(store, tmp_path, clock, 2)
    marking.mark(store, "bob", [("flash", "c0")], "suspend", clock())
    assert studied(store, deck, clock) == ["c0", "c1"]


def test_a_buried_item_waits_for_the_next_study_day(store, tmp_path, clock):
    deck = flash(store, tmp_path, clock, 3)
    marking.bury(store, "ann", [("flash", "c0")], clock(), hour=4)
    assert studied(store, deck, clock) == ["c1", "c2"]
    clock.advance(days=1)
    assert studied(store, deck, clock)[:1] == ["c0"]


def test_actions_in_the_same_instant_apply_in_the_order_they_were_made(store, tmp_path, clock):
    flash(store, tmp_path, clock, 1)
    for kind in ("suspend", "unsuspend", "suspend", "unsuspend"):
        marking.mark(store, "ann", [("flash", "c0")], kind, clock())
    assert store.marks("ann", "flash") == {}
    change = marking.mark(store, "ann", [("flash", "c0")], "flag", clock(), "3")
    assert store.marks("ann", "flash")["c0"].flag == 3
    marking.undo(store, change, {}, clock())
    assert store.marks("ann", "flash") == {}
    assert len(store.mark_events("ann")) == 6


def test_forget_sends_an_item_back_to_new_and_keeps_its_history(store, tmp_path, clock):
    deck = flash(store, tmp_path, clock, 1)
    assert studied(store, deck, clock) == ["c0"]
    assert store.state("ann", "flash", "c0") is not None
    assert marking.forget(store, "ann", [("flash", "c0")], clock()).changed == 1
    assert store.state("ann", "flash", "c0") is None
    assert len(store.reviews("ann")) == 1
    clock.advance(hours=1)
    assert studied(store, deck, clock) == []  # answered today: it waits, as new, for tomorrow
    clock.advance(days=1)
    assert studied(store, deck, clock) == ["c0"]
    assert store.reviews("ann")[-1]["first"] == 1


def test_events_fold_the_same_in_any_order_and_known_ids_are_skipped(store, clock):
    now = clock()
    events = [
        MarkEvent.new("ann", "d", "k", kind, now + timedelta(seconds=i), value)
        for i, (kind, value) in enumerate(
            [("suspend", None), ("flag", "2"), ("leech", None), ("unsuspend", None), ("flag", "4")]
        )
    ]
    expected = Marks(suspended=False, flag=4, leech=True)
    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert fold_marks(shuffled) == expected
    assert store.add_marks(events) == 5
    assert store.add_marks(reversed(events)) == 0
    assert store.marks("ann", "d") == {"k": expected}


def test_progress_files_carry_marks_and_a_second_merge_changes_nothing(tmp_path, clock):
    from quiz.progress.exchange import import_progress, read_progress_file, write_progress_file
    from quiz.store import open_store

    home, away = open_store(tmp_path / "a.db"), open_store(tmp_path / "b.db")
    deck = flash(home, tmp_path, clock, 3)
    open_deck(away, tmp_path / "d.yaml", clock())
    studied(home, deck, clock)
    marking.mark(home, "ann", [("flash", "c1")], "suspend", clock())
    marking.mark(home, "ann", [("flash", "c2")], "flag", clock(), "2")
    marking.forget(home, "ann", [("flash", "c0")], clock())
    path = tmp_path / "ann.jsonl"
    write_progress_file(home, "ann", path, clock())
    for times in range(2):
        [report] = import_progress(away, [read_progress_file(path, clock())], clock())
        assert report.marks == (3 if times == 0 else 0)
        assert away.marks("ann", "flash") == home.marks("ann", "flash")
        assert away.state("ann", "flash", "c0") is None
        assert away.state("ann", "flash", "c1") == home.state("ann", "flash", "c1")


def _lapse_until_leech(store, deck, clock, threshold: int) -> list[str]:
    """Answer c0 Again after each review until its lapses reach the threshold."""
    session = StudySession(store, [deck], "ann", clock=clock, rng=random.Random(1), fuzz=False)
    seen = []
    for _ in range(threshold * 6):
        clock.advance(days=40)
        session.start()
        p = session.next()
        if p is None:
            break
        seen.append(p.item.key)
        state = store.state("ann", "flash", "c0")
        session.rate(Rating.AGAIN if state is not None and state.state == "review" else Rating.EASY)
    return seen


def test_an_item_that_lapses_to_the_threshold_is_marked_a_leech_and_suspended(
    store, tmp_path, clock
):
    deck = flash(store, tmp_path, clock, 1)
    store.set_learner_setting("ann", "", "leech_threshold", "3", clock())
    _lapse_until_leech(store, deck, clock, 3)
    state = store.state("ann", "flash", "c0")
    assert state is not None and state.lapses == 3
    assert store.marks("ann", "flash")["c0"] == Marks(suspended=True, leech=True)
    assert studied(store, deck, clock) == []


def test_a_leech_is_only_tagged_when_the_learner_says_so(store, tmp_path, clock):
    deck = flash(store, tmp_path, clock, 1)
    store.set_learner_setting("ann", "", "leech_threshold", "2", clock())
    store.set_learner_setting("ann", "", "leech_action", '"tag"', clock())
    _lapse_until_leech(store, deck, clock, 2)
    assert store.marks("ann", "flash")["c0"] == Marks(leech=True)

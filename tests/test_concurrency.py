"""Two study sessions on one database at once: no lock errors, no lost review, right states."""

from __future__ import annotations

import multiprocessing
import subprocess
import threading
import time
from pathlib import Path

import pytest
from study_log import (
    DRIVER,
    PYTHON,
    Log,
    assert_states_replay,
    big_deck,
    integrity,
    stored_review_ids,
)

from quiz.scheduler import Scheduler
from quiz.store import open_store

ANSWERS = 300


def run_together(db: Path, deck: Path, learners: tuple[str, ...]) -> list[Log]:
    """Start one driver per learner, let them all open the database, then answer at once."""
    procs = [
        subprocess.Popen(
            [
                PYTHON,
                str(DRIVER),
                "study",
                str(db),
                str(deck),
                learner,
                str(seed),
                str(ANSWERS),
                "--wait",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed, learner in enumerate(learners)
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n", proc.stderr.read() if proc.stderr else ""
    outputs: list[tuple[str, str]] = [("", "")] * len(procs)

    def finish(index: int) -> None:
        outputs[index] = procs[index].communicate("go\n", timeout=120)

    threads = [threading.Thread(target=finish, args=(i,)) for i in range(len(procs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logs = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert "locked" not in err
        assert proc.returncode == 0, err
        log = Log()
        for line in out.splitlines():
            log.read(line)
        assert len(log.recorded) >= ANSWERS, out
        logs.append(log)
    return logs


@pytest.mark.parametrize("learners", [("ann", "ann"), ("ann", "bob")], ids=["same", "different"])
def test_two_sessions_at_once_lose_nothing(tmp_path: Path, learners: tuple[str, str]) -> None:
    # A fresh database: both processes also create the schema and sync the deck at once.
    db = tmp_path / "quiz.db"
    deck = big_deck(tmp_path / "big.yaml")
    logs = run_together(db, deck, learners)

    stored = stored_review_ids(db)
    for log in logs:
        assert not log.pending
        assert log.must_be_stored() <= stored, "a review was lost"
        assert not (log.gone & stored), "an undone or replaced review is still there"
    # Nothing else is there either: exactly the answers the sessions kept.
    assert stored == set().union(*(log.must_be_stored() for log in logs))
    assert integrity(db) == "ok"
    # Items studied in both sessions end in the state a replay of their reviews in time order
    # gives, and so does every review's logged before and after.
    items = assert_states_replay(db, Scheduler(fuzz=False))
    print(f"\n2 sessions ({learners[0]}, {learners[1]}), {len(stored)} reviews, {items} items")
    if learners[0] == learners[1]:
        # The sessions did meet on the same items, which is the case under test.
        keys = {learner_items(db, "ann", review_id) for review_id in logs[1].must_be_stored()}
        mine = {learner_items(db, "ann", review_id) for review_id in logs[0].must_be_stored()}
        assert keys & mine


def learner_items(db: Path, learner: str, review_id: str) -> str:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT item_key FROM reviews WHERE id = ? AND learner = ?", (review_id, learner)
        ).fetchone()
    finally:
        conn.close()
    return str(row[0])


def first_start(db: Path, at: float) -> None:
    while time.time() < at:
        pass
    open_store(db).close()


def test_first_starts_at_once_all_open_the_new_database(tmp_path: Path) -> None:
    # Two terminals started together on a database that does not exist yet: both create it,
    # switch it to write-ahead logging and migrate it, and neither may fail.
    fork = multiprocessing.get_context("fork")
    failed = 0
    for round_ in range(30):
        db = tmp_path / f"quiz-{round_}.db"
        at = time.time() + 0.1
        procs = [fork.Process(target=first_start, args=(db, at)) for _ in range(4)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=60)
            failed += proc.exitcode != 0
        assert integrity(db) == "ok"
    assert failed == 0

"""The same work through Anki's Rust backend (the `anki` package): add notes, answer cards."""

from __future__ import annotations

import argparse
import gc
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from samples import Samples
from worker import emit, peak_rss_mb

DAY_MS = 86_400_000


def anki_available() -> bool:
    """True when the `anki` package imports."""
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        return False
    return True


def _collection(path: Path) -> Any:
    from anki.collection import Collection

    col = Collection(str(path))
    # FSRS, as quiz schedules with it; Anki's default is still SM-2.
    col.set_config("fsrs", True)
    return col


def add_notes(col: Any, count: int) -> tuple[float, int]:
    """Add `count` Basic notes with add_notes, as one operation; seconds taken and the deck id."""
    from anki.collection import AddNoteRequest

    model = col.models.by_name("Basic")
    deck_id = col.decks.id("Bench")
    gc.collect()
    start = time.perf_counter()
    requests = []
    for i in range(count):
        note = col.new_note(model)
        note["Front"] = f"Question {i} about the alliance and its treaty?"
        note["Back"] = f"Answer {i}"
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    col.add_notes(requests)
    return time.perf_counter() - start, int(deck_id)


def add_history(path: Path, reviews: int, today: int, *, seed: int = 2) -> None:
    """Make 90% of the cards reviewed, with `reviews` revlog rows, about 10% of them due today.

    Written with sqlite3 while the collection is closed, in one transaction: the backend's
    executemany takes about a minute per 100,000 rows, which is setup, not what is measured.
    """
    rng = random.Random(seed)
    now_ms = int(time.time() * 1000)
    conn = sqlite3.connect(path)
    # Anki's own collation, which some of its indexes name; these tables do not use it.
    conn.create_collation("unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))
    card_ids = [cid for (cid,) in conn.execute("SELECT id FROM cards ORDER BY id")]
    reviewed = [cid for cid in card_ids if rng.random() >= 0.1]
    updates = []
    for cid in reviewed:
        stability = rng.uniform(2, 300)
        due = today - rng.randint(0, 20) if rng.random() < 0.1 else today + rng.randint(2, 200)
        data = f'{{"s":{stability:.2f},"d":{rng.uniform(3, 8):.2f},"dr":0.9}}'
        updates.append((due, max(1, int(stability)), data, cid))
    base, extra = divmod(reviews, len(reviewed))
    step = max(1, (729 * DAY_MS) // max(1, reviews))

    def rows() -> Iterator[tuple[int, ...]]:
        stamp = now_ms - 730 * DAY_MS
        for n, cid in enumerate(reviewed):
            for _ in range(base + (1 if n < extra else 0)):
                stamp += step
                ease = rng.choices((1, 2, 3, 4), weights=(8, 10, 70, 12))[0]
                yield (stamp, cid, -1, ease, 10, 5, 2500, rng.randint(1500, 20000), 1)

    with conn:
        conn.executemany(
            "UPDATE cards SET type = 2, queue = 2, due = ?, ivl = ?, factor = 2500, reps = 10, "
            "data = ? WHERE id = ?",
            updates,
        )
        conn.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )
    conn.close()


def answer_cards(col: Any, deck_id: int, answers: int) -> Samples:
    """Fetch the next queued card, answer it Good and commit, `answers` times."""
    from anki.cards import Card
    from anki.scheduler.v3 import CardAnswer

    config = col.decks.config_dict_for_deck_id(deck_id)
    config["new"]["perDay"] = 9999
    config["rev"]["perDay"] = 9999
    col.decks.save(config)
    col.decks.select(deck_id)
    samples = Samples()
    # The first fetch builds the queues, like quiz's session start: it is not timed.
    queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
    gc.collect()
    for _ in range(answers):
        start = time.perf_counter()
        card = Card(col, backend_card=queued.card)
        card.start_timer()
        answer = col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD)
        # Each answer is its own undoable operation, committed by the backend.
        col.sched.answer_card(answer)
        cards = col.sched.get_queued_cards(fetch_limit=1).cards
        samples.add(time.perf_counter() - start)
        if not cards:
            break
        queued = cards[0]
    return samples


def bench_anki(sizes: list[int], history_notes: int, reviews: int, answers: int) -> dict[str, Any]:
    """Add notes for each size in a new collection; answer cards in one with a history."""
    out: dict[str, Any] = {"add": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            col = _collection(Path(tmp) / f"add-{size}.anki2")
            seconds, _ = add_notes(col, size)
            out["add"][str(size)] = seconds
            col.close()
        path = Path(tmp) / "history.anki2"
        col = _collection(path)
        _, deck_id = add_notes(col, history_notes)
        today = col.sched.today
        col.close()
        add_history(path, reviews, today)
        col = _collection(path)
        samples = answer_cards(col, deck_id, answers)
        col.close()
    out["answer"] = samples.to_json()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main() -> None:
    """Run the Anki side of the benchmarks and emit the result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--history-notes", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=1000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    emit(bench_anki(sizes, args.history_notes, args.reviews, args.answers))


if __name__ == "__main__":
    main()

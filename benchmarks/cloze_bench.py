"""One cloze of N gaps: what syncing it costs the database, and what checking and studying cost.

Each gap is a study item; the store once kept the whole card in every item's row, so a cloze
grew the database as N squared. The floor is the deck file itself: its size, and a sync of a
deck of N one-item flashcards of the same text, timed in turns in the same process.

    python benchmarks/cloze_bench.py --gaps 100 250 500 --repeats 5
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quiz.deck.lint import check_paths
from quiz.library import open_deck
from quiz.store import open_store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def cloze_deck(path: Path, gaps: int) -> Path:
    """One cloze of `gaps` gaps, about 35 characters each."""
    text = " ".join(f"the word{i:03d} and more {{{{answer{i:03d}}}}}" for i in range(gaps))
    path.write_text(
        f'deck: big\ntitle: Big\ncards:\n  - id: c\n    type: cloze\n    text: "{text}"\n',
        encoding="utf-8",
    )
    return path


def flashcard_deck(path: Path, cards: int) -> Path:
    """As many one-item cards as the cloze has gaps, the floor of syncing that many items."""
    card = "  - {{id: c{0}, front: 'the word{0:03d} and more', back: a{0}}}"
    lines = [card.format(i) for i in range(cards)]
    path.write_text("deck: flat\ntitle: Flat\ncards:\n" + "\n".join(lines) + "\n", "utf-8")
    return path


def _timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _sync(deck: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = open_store(db)
    try:
        found, problems = open_deck(store, deck, NOW)
        assert found is not None, problems
    finally:
        store.close()


def bench(gaps: int, repeats: int, folder: Path) -> dict[str, Any]:
    """Medians of syncing the cloze and the floor, the database size, and checking the cloze."""
    cloze = cloze_deck(folder / f"cloze-{gaps}.yaml", gaps)
    flat = flashcard_deck(folder / f"flat-{gaps}.yaml", gaps)
    db = folder / "bench.db"
    sync, floor, check = [], [], []
    for _ in range(repeats):
        sync.append(_timed(lambda: _sync(cloze, db)))
        size = db.stat().st_size
        floor.append(_timed(lambda: _sync(flat, db)))
        check.append(_timed(lambda: check_paths([cloze])))
    return {
        "gaps": gaps,
        "file_bytes": cloze.stat().st_size,
        "db_bytes": size,
        "sync_s": statistics.median(sync),
        "floor_s": statistics.median(floor),
        "check_s": statistics.median(check),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gaps", type=int, nargs="+", default=[100, 250, 500])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        rows = [bench(n, args.repeats, Path(tmp)) for n in args.gaps]
    print(f"load average {load:.2f} ({os.cpu_count()} cores); medians of {args.repeats}")
    print("| gaps | deck file | database | sync | sync of as many flashcards | ratio | check |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['gaps']:,} | {r['file_bytes'] / 1e3:.1f} KB | {r['db_bytes'] / 1e6:.2f} MB "
            f"| {r['sync_s']:.3f} s | {r['floor_s']:.3f} s | {r['sync_s'] / r['floor_s']:.2f}x "
            f"| {r['check_s']:.3f} s |"
        )


if __name__ == "__main__":
    main()

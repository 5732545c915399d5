"""Time card searches on a big deck: python benchmarks/search_bench.py [--cards N] [--repeats N].

A synthetic deck of 100,000 cards (about 112,000 items) with a review history over most of
them, some of them suspended and flagged; each query is run `--repeats` times through
`quiz.study.finding.find`, parsing and building the rows included. Targets: under 100 ms for a
`tag:` and an `is:due` query.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from samples import timed
from synthetic import write_deck, write_history

from quiz.library import open_deck
from quiz.store.database import open_store
from quiz.study import marking
from quiz.study.finding import find

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
QUERIES = ("tag:tag-10", "is:due", "is:suspended", "prop:r<0.9", "prop:lapses>=1", "treaty -is:new")
TARGET = 0.1


def main() -> None:
    """Build the deck and history, time each query, print one JSON line per query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = open_store(folder / "bench.db")
        deck, problems = open_deck(store, write_deck(folder / "d.yaml", args.cards), NOW)
        if deck is None:
            sys.exit(f"the synthetic deck did not load: {problems[:1]}")
        write_history(store, deck, "ann", args.cards * 3, NOW)
        store.checkpoint()
        rng = random.Random(3)
        keys = deck.item_index.keys
        chosen = [(deck.id, k) for k in rng.sample(list(keys), len(keys) // 50)]
        marking.mark(store, "ann", chosen[: len(chosen) // 2], "suspend", NOW)
        marking.mark(store, "ann", chosen[len(chosen) // 2 :], "flag", NOW, "1")
        # The floor, in the same run: only reading the due items' keys from their index, the
        # least any `is:due` listing does; the machine's load moves both alike.
        due_keys = "SELECT deck_id, item_key FROM card_states WHERE learner = ? AND due <= ?"
        floor = timed(
            lambda: store.conn.execute(due_keys, ("ann", NOW.isoformat())).fetchall(),
            args.repeats,
        )
        print(json.dumps({"floor": "is:due keys", **floor.to_json()}), flush=True)
        slow = []
        for query in QUERIES:
            found = len(find(store, "ann", query, NOW))
            samples = timed(lambda q=query: find(store, "ann", q, NOW), args.repeats)
            row = {"query": query, "items": len(keys), "found": found, **samples.to_json()}
            if query == "is:due":
                row["ratio_to_floor"] = samples.median / floor.median
            # The machine's load, since a shared machine's timings mean little without it.
            row["load"] = os.getloadavg()[0]
            print(json.dumps(row), flush=True)
            if query in ("tag:tag-10", "is:due") and samples.median > TARGET:
                slow.append(query)
        store.close()
    if slow:
        sys.exit(f"over {TARGET * 1000:.0f} ms: {', '.join(slow)}")


if __name__ == "__main__":
    main()

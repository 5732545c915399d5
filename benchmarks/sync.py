"""Deck sync: first import, re-opening an unchanged deck, and PyYAML's parse as the floor."""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from samples import Samples, timed
from worker import emit

from quiz.deck.loader import parse_deck
from quiz.deck.model import Deck
from quiz.library import open_deck
from quiz.store.database import open_store


def bench_sync(
    deck_path: Path, workdir: Path, repeats: int, reopen_repeats: int, *, parts: bool = True
) -> dict[str, Any]:
    """Time PyYAML alone, the first import and re-opening (and with `parts`, each step alone)."""
    text = deck_path.read_text(encoding="utf-8")
    now = datetime.now(UTC)
    out: dict[str, Any] = {"bytes": len(text.encode())}
    out["yaml_load"] = timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader), repeats).to_json()
    if parts:
        out["yaml_compose"] = timed(
            lambda: yaml.compose(text, Loader=yaml.CSafeLoader), repeats
        ).to_json()
        out["parse_deck"] = timed(lambda: parse_deck(text, str(deck_path)), repeats).to_json()
    first = Samples()
    stores = []
    deck: Deck | None = None
    for n in range(repeats):
        deck = None  # the last import is freed before the next is timed
        store = open_store(workdir / f"first-{n}.db")
        stores.append(store)
        gc.collect()
        start = time.perf_counter()
        deck, problems = open_deck(store, deck_path, now)
        first.add(time.perf_counter() - start)
        if deck is None:
            raise SystemExit("\n".join(str(p) for p in problems))
    out["first_import"] = first.to_json()
    if parts and deck is not None:
        # The sync step alone, into another new store, so it again inserts every card.
        other = open_store(workdir / "sync-only.db")
        key = str(deck_path.resolve())
        synced = deck
        out["sync_deck"] = timed(lambda: other.sync_deck(synced, key, "x", now), 1).to_json()
        other.close()
        del synced
    del deck
    for store in stores[:-1]:
        store.close()
    store = stores[-1]
    out["reopen"] = timed(lambda: open_deck(store, deck_path, now), reopen_repeats).to_json()
    store.close()
    return out


def main() -> None:
    """Run the deck sync benchmark on one deck file and emit the result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("deck", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reopen-repeats", type=int, default=10)
    parser.add_argument("--no-parts", action="store_true", help="skip timing each step alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        emit(
            bench_sync(
                args.deck, Path(tmp), args.repeats, args.reopen_repeats, parts=not args.no_parts
            )
        )


if __name__ == "__main__":
    main()

"""Time `quiz import --update` on a big deck: python benchmarks/update_bench.py [--cards N].

A deck as `quiz import` writes it, of `--cards` flashcards, merged with a new version that
changes nothing, then one that changes 2% of the cards and adds 1%. The floor is the deck
loader reading the same file, measured in the same run: the merge reads the file with it
first, and then (when something changed) edits it with ruamel.yaml, which keeps comments.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from samples import timed

from quiz.deck.loader import parse_deck
from quiz.interchange.deck_update import merge_deck
from quiz.interchange.deck_yaml import ImportedDeck, deck_yaml


def _cards(count: int, changed: float = 0.0, added: float = 0.0) -> list[dict[str, Any]]:
    cards = [
        {
            "id": f"anki-c{i:07d}",
            "front": f"Question {i}: which capital?",
            "back": f"Answer {i}",
            "tags": ["geo", f"t{i % 7}"],
        }
        for i in range(count)
    ]
    step = int(1 / changed) if changed else 0
    for i in range(0, count, step or count + 1):
        cards[i]["back"] = f"A newer answer {i}"
    cards += [
        {"id": f"anki-n{i:07d}", "front": f"New question {i}?", "back": "New"}
        for i in range(int(count * added))
    ]
    return cards


def main() -> None:
    """Time the loader, a merge with no change and one with changes; one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    text = deck_yaml("big", ImportedDeck("Big", _cards(args.cards)), "bench")
    floor = timed(lambda: parse_deck(text, "big.yaml"), args.repeats)
    runs = {
        "loader (floor)": floor,
        "merge, nothing changed": timed(
            lambda: merge_deck(text, "big.yaml", ImportedDeck("Big", _cards(args.cards)), "b"),
            args.repeats,
        ),
        "merge, 2% changed, 1% added": timed(
            lambda: merge_deck(
                text, "big.yaml", ImportedDeck("Big", _cards(args.cards, 0.02, 0.01)), "b"
            ),
            args.repeats,
        ),
    }
    for name, samples in runs.items():
        row = {"run": name, "cards": args.cards, **samples.to_json()}
        row["ratio_to_floor"] = samples.median / floor.median
        row["load"] = os.getloadavg()[0]
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

"""`quiz check` against PyYAML's own parse of the same deck, side by side, every rule on."""

# The target: checking a deck costs at most 1.3x what PyYAML's C loader alone takes to
# load it (`yaml.load`, the floor benchmarks/run.py uses too); composing alone, the part of that
# quiz's loader keeps, is shown beside it. They are timed in turns in one process, so that a
# shared machine's load falls on each alike; medians are given with the load average.

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from synthetic import write_deck

from quiz.deck import output
from quiz.deck.lint import check_paths

TARGET = 1.3


def _time(fn: Any) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call; CPU time is what other processes' load spares."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    del result
    return elapsed, used


def quiz_check(path: Path) -> object:
    """What `quiz check PATH` does but start the interpreter: read, check, print."""
    result = check_paths([path])
    printed = output.text(result.problems, result.sources, show_source=False)
    # Returned, so that freeing it falls outside the timing, as freeing PyYAML's result does.
    return result, printed


def pyyaml_alone(path: Path) -> object:
    """PyYAML's C loader loading the file: the floor."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def pyyaml_compose(path: Path) -> object:
    """PyYAML's C loader composing the node tree only, which quiz's loader starts from."""
    return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def bench(cards: int, repeats: int, workdir: Path) -> dict[str, Any]:
    """Medians of each, timed in turns, and the ratios."""
    path = write_deck(workdir / f"deck-{cards}.yaml", cards)
    problems = len(check_paths([path]).problems)
    floor, compose, check = [], [], []
    for _ in range(repeats):
        floor.append(_time(lambda: pyyaml_alone(path)))
        compose.append(_time(lambda: pyyaml_compose(path)))
        check.append(_time(lambda: quiz_check(path)))

    def median(samples: list[tuple[float, float]], which: int) -> float:
        return statistics.median(s[which] for s in samples)

    return {
        "cards": cards,
        "bytes": path.stat().st_size,
        "problems": problems,
        "pyyaml_median_s": median(floor, 0),
        "compose_median_s": median(compose, 0),
        "check_median_s": median(check, 0),
        "ratio": median(check, 0) / median(floor, 0),
        "ratio_to_compose": median(check, 0) / median(compose, 0),
        "cpu_ratio": median(check, 1) / median(floor, 1),
        "repeats": repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [bench(n, args.repeats, Path(tmp)) for n in args.sizes]
    load_after = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f}, after: {load_after[0]:.2f}", end="")
    print(f" ({os.cpu_count()} cores)")
    print(
        "| cards | file | problems | PyYAML load (floor) | PyYAML compose | quiz check "
        "| check / load | check / compose | CPU: check / load | target |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['cards']:,} | {r['bytes'] / 1e6:.1f} MB | {r['problems']:,} "
            f"| {r['pyyaml_median_s']:.3f} s | {r['compose_median_s']:.3f} s "
            f"| {r['check_median_s']:.3f} s | {r['ratio']:.2f}x | {r['ratio_to_compose']:.2f}x "
            f"| {r['cpu_ratio']:.2f}x | {TARGET}x |"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"load": [load_before, load_after], "rows": rows}, indent=2)
        )


if __name__ == "__main__":
    main()

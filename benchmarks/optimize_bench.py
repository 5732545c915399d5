"""Time `quiz optimize` on a simulated review log: python benchmarks/optimize_bench.py [-h].

The default size is the issue's target: about 100,000 reviews, scored and fitted in under 10 s.
The floor, timed in the same run on the same items, is fsrs-rs-python fitting the parameters
once, which every optimisation must do; quiz does that, the five time-series fits of the
evaluation, and its own scoring.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC
from pathlib import Path

import fsrs_rs_python as fsrs_rs

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from simulated_learner import simulate  # noqa: E402

from quiz.optimizer import evaluate, fsrs_items, scored_reviews  # noqa: E402


def main() -> None:
    """Simulate the log, then time the optimisation and its floor, `--runs` times each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=3500, help="cards in the log (3,500: ~100k reviews)")
    parser.add_argument("--days", type=int, default=365, help="days the learner studied")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each")
    args = parser.parse_args()

    started = time.perf_counter()
    log = simulate(cards=args.cards, days=args.days)
    print(f"simulated {len(log):,} reviews in {time.perf_counter() - started:.1f} s")

    totals, floors = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = evaluate(log, UTC)
        totals.append(time.perf_counter() - started)
        items = fsrs_items(scored_reviews(log, UTC))
        started = time.perf_counter()
        fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS).compute_parameters(items)
        floors.append(time.perf_counter() - started)
    totals.sort()
    floors.sort()
    total, floor = totals[len(totals) // 2], floors[len(floors) // 2]
    print(f"scored reviews: {result.reviews_scored:,}")
    print(f"quiz optimize (score, 5 split fits, 1 fit): median {total:.2f} s, max {totals[-1]:.2f} s")
    print(f"floor (fsrs-rs fit once): median {floor:.2f} s, max {floors[-1]:.2f} s")
    print(f"ratio to floor: {total / floor:.2f}x")
    if result.optimized is not None and result.defaults_on_tested is not None:
        print(
            f"log loss: defaults {result.defaults_on_tested.log_loss:.4f},"
            f" fitted {result.optimized.log_loss:.4f} (later reviews, time-series splits)"
        )


if __name__ == "__main__":
    main()

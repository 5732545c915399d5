"""Timing samples and their summary: median and 99th percentile."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Samples:
    """Durations in seconds of repeated runs of one operation."""

    values: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        """Record one duration."""
        self.values.append(seconds)

    @property
    def median(self) -> float:
        """The median duration."""
        return statistics.median(self.values)

    @property
    def p99(self) -> float:
        """The 99th percentile (nearest rank), which needs at least 100 samples to mean much."""
        ordered = sorted(self.values)
        rank = max(0, math.ceil(0.99 * len(ordered)) - 1)
        return ordered[rank]

    def to_json(self) -> dict[str, Any]:
        """The summary as plain data."""
        return {"n": len(self.values), "median": self.median, "p99": self.p99}


def timed(fn: Callable[[], Any], repeats: int) -> Samples:
    """Run `fn` `repeats` times, dropping what it returns and its garbage between runs."""
    samples = Samples()
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        samples.add(time.perf_counter() - start)
        # Freed outside the timing: dropping a big result is not part of making it.
        del result
    gc.collect()
    return samples


@contextmanager
def profiling(output: Path | None) -> Iterator[None]:
    """Profile the block with pyinstrument into `output` (text), when a path is given."""
    if output is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        # Every frame: the time of a TUI key is spent inside Textual, which is hidden otherwise.
        text = profiler.output_text(show_all=True, short_mode=False)
        output.write_text(text, encoding="utf-8")

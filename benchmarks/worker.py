"""Each benchmark runs in its own process, so one's garbage and memory never skew another's."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
RESULT_PREFIX = "BENCH-RESULT "


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 1048576


def emit(result: dict[str, Any]) -> None:
    """Hand a worker's result back to the runner."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def run_worker(script: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run `benchmarks/<script>` with `args` and return the result it emitted."""
    done = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    raise RuntimeError(
        f"{script} {' '.join(args)} failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
    )

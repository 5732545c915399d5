"""Run quiz in a child process and measure what one command costs: its time and peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The limit for anything quiz is handed; a hang is killed well after it.
SECONDS = 5.0
MEGABYTES = 500.0
HANG = 120.0

_CHILD = """
import resource, sys, time
from quiz.cli import main
start = time.perf_counter()
code = 0
try:
    main(sys.argv[1:], prog_name="quiz")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
finally:
    took = time.perf_counter() - start
    # VmHWM is this program's own peak. ru_maxrss is not: Linux carries the parent's peak
    # over fork and exec, so a child of a large pytest process read as large as pytest.
    try:
        with open("/proc/self/status") as status:
            peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stderr.write(f"\\nBOUNDED {took:.3f} {peak:.1f}\\n")
sys.exit(code)
"""


@dataclass(frozen=True)
class Run:
    """What the command printed, its exit code, seconds taken and peak memory in MB."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    megabytes: float

    def within_bounds(self) -> bool:
        """True when the command took at most SECONDS and MEGABYTES."""
        return self.seconds <= SECONDS and self.megabytes <= MEGABYTES


def run_quiz(*args: str, cwd: Path | None = None, hang: float = HANG) -> Run:
    """`quiz ARGS...` in a child process; fails the test (TimeoutExpired) if it hangs."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TZ": "UTC"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=hang,
        stdin=subprocess.DEVNULL,
    )
    # The figures are written last, unless a traceback follows them.
    before, _, after = done.stderr.rpartition("\nBOUNDED ")
    figures, _, rest = after.partition("\n")
    seconds, megabytes = (float(f) for f in figures.split())
    return Run(done.returncode, done.stdout, before + rest, seconds, megabytes)

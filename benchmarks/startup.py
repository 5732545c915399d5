"""Start-up: from launching `quiz study DECK` in a terminal to the first card on screen."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

from samples import Samples
from worker import emit

# The study screen's hint line, shown only once a card is on screen.
FIRST_CARD = re.compile(r"Space shows the answer|Answer, then Enter")
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[P^_][^\x1b]*\x1b\\|\x1b."
)
COLUMNS, LINES = 100, 40


def _screen_text(raw: bytes) -> str:
    return _ESCAPES.sub("", raw.decode("utf-8", errors="replace"))


def _reap(pid: int, wait: bool) -> Any:
    """The child's resource usage once it has exited, else None."""
    done, _, usage = os.wait4(pid, 0 if wait else os.WNOHANG)
    return usage if done else None


def launch(
    db: Path, deck: Path, learner: str, timeout: float = 120, profile: Path | None = None
) -> tuple[float, float]:
    """Run `quiz study DECK` in a pseudo-terminal; seconds to the first card, and peak RSS (MB).

    With `profile`, the app runs under pyinstrument, which writes a text profile when it quits.
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "COLUMNS", "LINES"))}
    env.update(TERM="xterm-256color", QUIZ_DB=str(db))
    command = [sys.executable, "-m", "quiz", "study", str(deck), "--learner", learner]
    if profile is not None:
        command[1:1] = ["-m", "pyinstrument", "-r", "text", "--show-all", "-o", str(profile)]
    start = time.perf_counter()
    # Popen only starts it: the child is reaped with wait4 below, for its resource usage.
    pid = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    ).pid
    os.close(slave)
    seen = b""
    elapsed: float | None = None
    usage = None
    try:
        while time.perf_counter() - start < timeout:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if FIRST_CARD.search(_screen_text(seen[-100000:])):
                    elapsed = time.perf_counter() - start
                    break
            elif (usage := _reap(pid, wait=False)) is not None:
                break
        if elapsed is None:
            shown = _screen_text(seen)[-2000:]
            raise RuntimeError(
                f"no card on screen within {timeout} s; the terminal showed:\n{shown}"
            )
        os.write(master, b"\x11")  # Ctrl+Q quits
        deadline = time.monotonic() + 10
        # Keep reading, so the app is never blocked writing its last frames.
        while (usage := _reap(pid, wait=False)) is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
    finally:
        if usage is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            usage = _reap(pid, wait=True)
        os.close(master)
    return elapsed, usage.ru_maxrss / 1024


def bench_startup(
    db: Path, deck: Path, learner: str, *, cold: int, warm: int, profile: Path | None = None
) -> dict[str, Any]:
    """`cold` runs each on a new database (removed first), then `warm` runs on the last one."""
    cold_samples, warm_samples = Samples(), Samples()
    rss = 0.0
    for _ in range(cold):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        seconds, _ = launch(db, deck, learner)
        cold_samples.add(seconds)
    # Flushed now, so the disk writing back what came before (a cold import, a daily backup of
    # a big database) does not slow the warm runs measured next.
    os.sync()
    for n in range(warm):
        seconds, peak = launch(db, deck, learner, profile=profile if n == warm - 1 else None)
        warm_samples.add(seconds)
        rss = max(rss, peak)
    out: dict[str, Any] = {"peak_rss_mb": rss}
    if cold:
        out["cold"] = cold_samples.to_json()
    if warm:
        out["warm"] = warm_samples.to_json()
    return out


def main() -> None:
    """Time start-up to the first card, cold and warm, and emit the result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--deck", type=Path, required=True)
    parser.add_argument("--learner", default="bench")
    parser.add_argument("--cold", type=int, default=3, help="runs on a new database")
    parser.add_argument("--warm", type=int, default=5, help="runs on the same database after")
    parser.add_argument("--profile", type=Path, help="profile the last warm run with pyinstrument")
    args = parser.parse_args()
    emit(
        bench_startup(
            args.db, args.deck, args.learner, cold=args.cold, warm=args.warm, profile=args.profile
        )
    )


if __name__ == "__main__":
    main()

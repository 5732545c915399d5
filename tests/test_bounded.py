"""The bounds harness itself: it measures the command, not the test process that starts it."""

from __future__ import annotations

from bounded import run_quiz


def test_a_childs_peak_memory_is_its_own_not_its_parents() -> None:
    # A test process that holds a lot (a long pytest run) must not make a small command look
    # large: Linux carries a parent's ru_maxrss over fork and exec.
    ballast = bytearray(400 * 1024 * 1024)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    run = run_quiz("--help")
    assert run.code == 0
    assert run.megabytes < 200, run.megabytes
    del ballast

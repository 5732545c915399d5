"""The benchmark scripts still run, on a tiny size; their timings are not tested."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).parent.parent / "benchmarks" / "run.py"
TINY = ["--sizes", "50", "--reviews", "500", "--answers", "10", "--tui-answers", "3", "--quick"]


def run_benchmarks(tmp_path: Path, *options: str) -> tuple[str, dict[str, object]]:
    out, raw = tmp_path / "benchmarks.md", tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(RUN),
            *TINY,
            *options,
            "--workdir",
            str(tmp_path / "work"),
            "--out",
            str(out),
            "--json",
            str(raw),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: dict[str, object] = json.loads(raw.read_text())["results"]
    return out.read_text(), results


def test_every_benchmark_runs_on_a_tiny_deck_and_writes_its_table(tmp_path: Path) -> None:
    (tmp_path / "benchmarks.md").write_text("# Benchmarks\n\nKept by hand.\n")
    page, results = run_benchmarks(tmp_path, "--no-anki")
    assert page.startswith("# Benchmarks\n\nKept by hand.")
    for measure in (
        "PyYAML alone",
        "first import",
        "re-open an unchanged deck",
        "start-up to first card, cold",
        "start-up to first card, warm",
        "answer path, engine",
        "answer path, TUI",
        "peak RSS, studying in the TUI",
        "CPU:",
        "Python:",
    ):
        assert measure in page
    engine = results["answer-engine"]
    tui = results["answer-tui"]
    assert isinstance(engine, dict) and isinstance(tui, dict)
    assert engine["answer"]["n"] == engine["commit"]["n"] > 0
    assert tui["answer"]["n"] == 3
    # A second run replaces the table rather than adding another.
    page, _ = run_benchmarks(tmp_path, "--no-anki", "--only", "sync")
    assert page.count("benchmark results: written by") == 1
    assert "answer path, engine" not in page


def test_the_anki_side_runs_when_anki_is_installed(tmp_path: Path) -> None:
    pytest.importorskip("anki.collection")
    page, results = run_benchmarks(tmp_path, "--only", "anki,sync")
    anki = results["anki"]
    assert isinstance(anki, dict)
    assert set(anki["add"]) == {"50"} and anki["answer"]["n"] > 0
    row = next(line for line in page.splitlines() if line.startswith("| first import"))
    columns = [cell.strip() for cell in row.strip("|").split("|")]
    assert columns[5] != "—" and columns[6].endswith("x")

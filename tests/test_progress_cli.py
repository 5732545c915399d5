"""`quiz progress` and `quiz items`: tables, and CSV and JSON that read back to the same figures."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from progress_helpers import add_review, put_state
from testkit import TEST_DECKS

from quiz.cli import main
from quiz.library import open_deck
from quiz.progress.stats import GroupBy, class_report
from quiz.scheduler import utc_now

BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "progress_bench.py"


@pytest.fixture
def db(tmp_path, store):
    """A class of three learners; figures relative to the real clock, which the CLI uses."""
    now = utc_now()
    deck, problems = open_deck(store, TEST_DECKS / "class.yaml", now)
    assert deck is not None, problems
    for n, learner in enumerate(("ann", "bob", "cy")):
        for key, right in (("capital", n != 1), ("observer", True), ("founded", n == 0)):
            outcome = None if key == "founded" else ("right" if right else "wrong")
            add_review(
                store,
                learner,
                "class",
                key,
                now - timedelta(days=3 + n),
                3 if right else 1,
                outcome=outcome,
                response="Minsk" if key == "capital" and not right else None,
                first=True,
                before=None,
            )
            put_state(
                store,
                learner,
                "class",
                key,
                "review",
                stability=30,
                last=now - timedelta(days=3 + n),
                due=now + timedelta(days=20),
            )
    add_review(store, "ann", "class", "capital", now - timedelta(days=1), 2)
    return str(store.path)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_progress_csv_reads_back_to_the_report(db, store):
    result = run("--db", db, "progress", "--all", "--by", "tag", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = class_report(store, utc_now(), by=GroupBy.TAG)
    assert [(r["learner"], r["tag"]) for r in rows] == [(e.learner, e.group) for e in expected]
    for row, want in zip(rows, expected, strict=True):
        assert int(row["total"]) == want.total
        assert int(row["seen"]) == want.seen
        assert int(row["mastered"]) == want.mastered
        assert int(row["reviews"]) == want.reviews
        assert int(row["first_right"]) == want.first_right
        assert float(row["seconds"]) == pytest.approx(want.seconds)
    ann_csto = next(r for r in rows if (r["learner"], r["tag"]) == ("ann", "csto"))
    assert (ann_csto["seen"], ann_csto["mastered"], ann_csto["first_answers"]) == ("3", "3", "3")
    assert float(ann_csto["first_accuracy"]) == 1.0


def test_progress_json_reads_back(db):
    result = run("--db", db, "--learner", "bob", "progress", "--format", "json")
    data = json.loads(result.stdout)
    (row,) = data["rows"]
    assert (row["learner"], row["deck"], row["total"], row["seen"]) == ("bob", "class", 6, 3)
    # bob got capital and founded wrong at first, observer right.
    assert (row["first_answers"], row["first_right"]) == (3, 1)
    assert row["first_accuracy"] == pytest.approx(0.3333)
    assert row["status"] == "on track"
    assert row["last_studied"].endswith("+00:00")


def test_progress_table_and_errors(db):
    result = run("--db", db, "progress", "--all")
    assert result.exit_code == 0
    for name in ("Deck class", "ann", "bob", "cy", "3/6", "on track"):
        assert name in result.stdout
    one = run("--db", db, "--learner", "cy", "progress", "--by", "card")
    assert "Progress by card of cy" in one.stdout and "capital" in one.stdout
    both = run("--db", db, "--learner", "cy", "progress", "--all")
    assert both.exit_code == 2 and "not both" in both.stderr
    unknown = run("--db", db, "progress", "--deck", "nope")
    assert unknown.exit_code == 1 and "no deck 'nope'" in unknown.stderr


def test_items_csv_and_json_read_back(db):
    result = run("--db", db, "items", "--format", "csv", "--min-answers", "3")
    rows = {r["item"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == {"founded", "treaty", "capital", "members", "observer", "kazakhstan"}
    capital = rows["capital"]
    assert (capital["answers"], capital["right"], capital["line"]) == ("3", "2", "17")
    assert json.loads(capital["wrong_choices"]) == {"Minsk": 1, "Astana": 0, "Yerevan": 0}
    assert json.loads(rows["observer"]["flags"]) == ["almost everyone right"]
    data = json.loads(run("--db", db, "items", "--format", "json", "--min-answers", "3").stdout)
    observer = next(i for i in data["items"] if i["item"] == "observer")
    assert (observer["facility"], observer["discrimination"]) == (1.0, None)


def test_items_table_lists_flagged_items_with_their_place(db):
    result = run("--db", db, "items", "--min-answers", "3")
    assert "Item analysis" in result.stdout
    flagged = [line for line in result.stdout.splitlines() if ": warning: " in line]
    assert len(flagged) == 1
    assert flagged[0].endswith(
        "observer: almost everyone right (facility 100%, discrimination -, 3 learners)"
    )
    assert "class.yaml:31:1: warning: observer" in flagged[0]
    only = run("--db", db, "items", "--flagged", "--format", "json", "--min-answers", "3")
    assert [i["item"] for i in json.loads(only.stdout)["items"]] == ["observer"]


def test_benchmark_runs_on_a_tiny_class():
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            "--learners",
            "4",
            "--cards",
            "6",
            "--reviews-per-card",
            "5",
            "--runs",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "4 learners, 6 cards, 30 reviews" in result.stdout
    for name in ("class report by deck", "item analysis", "one learner's statistics", "merging"):
        assert name in result.stdout

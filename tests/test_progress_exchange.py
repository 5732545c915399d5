"""Progress files: export, import, merging machines, other deck versions and bad files."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from progress_helpers import study_days
from testkit import TEST_DECKS, FakeClock

from quiz.cli import main
from quiz.library import open_deck
from quiz.progress.exchange import (
    ProgressFileError,
    export_progress,
    import_progress,
    read_progress_file,
    write_progress_file,
)
from quiz.scheduler import Rating, Scheduler, fuzz_seed
from quiz.store import Store, open_store
from quiz.store.database import state_from_json

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def machine(tmp_path: Path, name: str, deck_file: Path = TEST_DECKS / "class.yaml") -> Store:
    store = open_store(tmp_path / f"{name}.db")
    deck, problems = open_deck(store, deck_file, START)
    assert deck is not None, problems
    return store


def studied(tmp_path: Path, name: str, start: datetime, days: int, wrong=None) -> Store:
    """A learner's own machine after `days` days of study from `start`."""
    store = machine(tmp_path, name)
    deck = store.cached_deck(str((TEST_DECKS / "class.yaml").resolve()), _hash(store))
    assert deck is not None
    study_days(
        store,
        deck,
        "ann",
        FakeClock(start),
        days,
        wrong or (lambda day, key: (day + len(key)) % 3 == 0),
        fuzz=True,  # as learners study
    )
    return store


def _hash(store: Store) -> str:
    return store.conn.execute("SELECT content_hash FROM decks WHERE id = 'class'").fetchone()[0]


def export(store: Store, path: Path, learner: str = "ann") -> Path:
    write_progress_file(store, learner, path, START + timedelta(days=30))
    return path


def dump(store: Store) -> tuple[list[tuple], list[tuple]]:
    """Everything the merge may change, in a stable order."""
    reviews = store.conn.execute(
        "SELECT id, learner, deck_id, item_key, card_id, reviewed_at, rating, outcome, correct, "
        "response, duration_ms, first, state_before, state_after FROM reviews ORDER BY id"
    ).fetchall()
    states = store.conn.execute("SELECT * FROM card_states ORDER BY learner, item_key").fetchall()
    return reviews, states


def load(store: Store, *paths: Path):
    return import_progress(
        store, [read_progress_file(p) for p in paths], START + timedelta(days=30)
    )


def test_export_then_import_gives_the_same_reviews_and_states(tmp_path):
    laptop = studied(tmp_path, "laptop", START, 6)
    path = export(laptop, tmp_path / "ann.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "quiz-progress" and header["learner"] == "ann"
    assert header["decks"] == [
        {"id": "class", "title": "A small class deck", "content_hash": _hash(laptop)}
    ]
    assert len(lines) - 1 == len(laptop.reviews("ann"))

    teacher = machine(tmp_path, "teacher")
    (report,) = load(teacher, path)
    assert (report.added, report.duplicates) == (len(lines) - 1, 0)
    # The replay draws each review's fuzz from the seed the laptop's study drew it from: the
    # states, dues included, come out identical.
    assert dump(teacher) == dump(laptop)


def test_importing_twice_changes_nothing(tmp_path):
    laptop = studied(tmp_path, "laptop", START, 4)
    path = export(laptop, tmp_path / "ann.jsonl")
    teacher = machine(tmp_path, "teacher")
    load(teacher, path)
    before = dump(teacher)
    (again,) = load(teacher, path)
    assert (again.added, again.duplicates) == (0, len(before[0]))
    assert dump(teacher) == before


def test_two_machines_merge_in_time_order_and_replay(tmp_path):
    # Days 0-2 on the laptop, days 3-5 on a lab machine that had never seen the learner.
    laptop = studied(tmp_path, "laptop", START, 3)
    lab = studied(tmp_path, "lab", START + timedelta(days=3), 3)
    a, b = export(laptop, tmp_path / "a.jsonl"), export(lab, tmp_path / "b.jsonl")
    teacher = machine(tmp_path, "teacher")
    load(teacher, a, b)
    rows = teacher.conn.execute(
        "SELECT item_key, reviewed_at, rating, first, state_before, state_after FROM reviews "
        "WHERE item_key = 'capital'"
    ).fetchall()
    rows.sort(key=lambda r: datetime.fromisoformat(r[1]))
    both = [r for r in laptop.reviews("ann") + lab.reviews("ann") if r["item_key"] == "capital"]
    assert len(rows) == len(both) > 2
    # Each machine saw the item as new and logged its own first answer.
    assert sum(r["first"] for r in both) == 2
    # Only the very first answer is a first answer, even though the lab saw the item as new.
    assert [r[3] for r in rows] == [1] + [0] * (len(rows) - 1)
    # Each state is the one before it carried forward by the scheduler, fuzz seeded as studied.
    scheduler, seed = Scheduler(0.9), fuzz_seed("ann", "class", "capital")
    state = None
    for _, at, rating, _, before, after in rows:
        when = datetime.fromisoformat(at)
        assert state_from_json(before) == state
        start = state or Scheduler.new_state(when)
        state = scheduler.review(start, Rating(rating), when, seed=seed)
        assert state_from_json(after) == state
    stored = teacher.states("ann", "class")["capital"]
    assert stored == state


def test_files_imported_in_any_order_give_the_same_result(tmp_path):
    laptop = studied(tmp_path, "laptop", START, 3)
    lab = studied(tmp_path, "lab", START + timedelta(days=3), 3)
    a, b = export(laptop, tmp_path / "a.jsonl"), export(lab, tmp_path / "b.jsonl")
    first, second = machine(tmp_path, "t1"), machine(tmp_path, "t2")
    load(first, a)
    load(first, b)
    load(second, b)
    load(second, a)
    assert dump(first) == dump(second)
    both = machine(tmp_path, "t3")
    load(both, b, a)
    assert dump(both) == dump(first)


def test_a_file_from_another_version_of_the_deck(tmp_path):
    # The learner's copy of the deck has a card the instructor's has never had.
    data = yaml.safe_load((TEST_DECKS / "class.yaml").read_text(encoding="utf-8"))
    data["cards"].append({"id": "extra", "front": "New question?", "back": "Answer"})
    theirs = tmp_path / "class.yaml"
    theirs.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    laptop = machine(tmp_path, "laptop", theirs)
    deck = laptop.cached_deck(str(theirs.resolve()), _hash(laptop))
    assert deck is not None
    study_days(laptop, deck, "ann", FakeClock(START), 2)
    path = export(laptop, tmp_path / "ann.jsonl")
    extra = len([r for r in laptop.reviews("ann") if r["item_key"] == "extra"])
    assert extra

    teacher = machine(tmp_path, "teacher")
    (report,) = load(teacher, path)
    assert report.other_versions == ["class"]
    assert report.missing_items == {"class": {"extra": extra}}
    assert report.added == len(laptop.reviews("ann")) - extra
    assert any("another version" in line for line in report.lines())
    assert any(
        "has no item extra" in line and f"{extra} review(s)" in line for line in report.lines()
    )
    assert "extra" not in teacher.states("ann", "class")


def test_a_deck_missing_here_is_reported_and_can_be_imported_later(tmp_path):
    laptop = studied(tmp_path, "laptop", START, 2)
    path = export(laptop, tmp_path / "ann.jsonl")
    teacher = open_store(tmp_path / "teacher.db")
    (report,) = load(teacher, path)
    assert report.added == 0
    assert report.unknown_decks == {"class": len(laptop.reviews("ann"))}
    assert "open the deck once" in report.lines()[1]
    open_deck(teacher, TEST_DECKS / "class.yaml", START)
    (later,) = load(teacher, path)
    assert later.added == len(laptop.reviews("ann"))


def good_file(tmp_path: Path) -> Path:
    laptop = studied(tmp_path, "laptop", START, 1)
    return export(laptop, tmp_path / "good.jsonl")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", ": error: not a quiz progress file"),
        (b"\xff\xfe\x00binary", ": error: not a quiz progress file (export one with"),
        (b"deck: class\ntitle: A deck\n", ": error: not a quiz progress file"),
        (b'{"format": "something-else"}\n', ": error: not a quiz progress file"),
        (
            b'{"format": "quiz-progress", "version": 9, "learner": "a", "decks": []}\n',
            ":1:1: error: written by a newer quiz (format version 9)",
        ),
        (
            b'{"format": "quiz-progress", "version": 1, "decks": []}\n',
            ":1:1: error: the header has no learner name",
        ),
    ],
)
def test_foreign_files_are_refused_with_their_place(tmp_path, content, expected):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    with pytest.raises(ProgressFileError) as caught:
        read_progress_file(bad)
    message = str(caught.value)
    assert message.startswith(str(bad) + expected)
    assert "\n" not in message


def corrupt(good: Path, line: int, text: str) -> Path:
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    bad = good.with_name("bad.jsonl")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bad


def test_damaged_reviews_are_refused_with_their_line(tmp_path):
    good = good_file(tmp_path)
    review = json.loads(good.read_text(encoding="utf-8").splitlines()[2])
    cases = [
        ('{"id": "x", "deck_id": ', ":3:", "invalid JSON"),
        (json.dumps({**review, "rating": 7}), ":3:1:", "'rating' must be 1, 2, 3 or 4"),
        (json.dumps({**review, "rating": True}), ":3:1:", "'rating' must be 1, 2, 3 or 4"),
        (json.dumps({**review, "reviewed_at": "2026-03-02 12:00"}), ":3:1:", "UTC offset"),
        (json.dumps({**review, "deck_id": "elsewhere"}), ":3:1:", "not listed in the header"),
        (json.dumps({**review, "outcome": "maybe"}), ":3:1:", "'outcome' must be"),
        (json.dumps({**review, "extra": 1}), ":3:1:", "unknown key 'extra'"),
        (json.dumps({k: v for k, v in review.items() if k != "id"}), ":3:1:", "lacks 'id'"),
        (json.dumps(json.loads(good.read_text().splitlines()[1])), ":3:1:", "appears twice"),
        ("[1, 2]", ":3:1:", "must be a JSON object"),
    ]
    for text, place, message in cases:
        bad = corrupt(good, 3, text)
        with pytest.raises(ProgressFileError) as caught:
            read_progress_file(bad)
        assert str(caught.value).startswith(f"{bad}{place}"), text
        assert message in str(caught.value), text


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_export_and_import(tmp_path):
    laptop = studied(tmp_path, "laptop", START, 2)
    count = len(laptop.reviews("ann"))
    laptop.close()
    out = tmp_path / "ann.jsonl"
    result = run(
        "--db",
        str(tmp_path / "laptop.db"),
        "progress",
        "export",
        "--learner",
        "ann",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {count} review(s) of ann" in result.stderr
    teacher = machine(tmp_path, "teacher")
    teacher.close()
    result = run("--db", str(tmp_path / "teacher.db"), "progress", "import", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}: {count} new review(s) for ann, 0 already here\n"
    result = run("--db", str(tmp_path / "teacher.db"), "progress", "import", str(out))
    assert result.stdout == f"{out}: 0 new review(s) for ann, {count} already here\n"


def test_cli_export_to_standard_output_and_nothing_to_export(tmp_path):
    laptop = studied(tmp_path, "laptop", START, 1)
    laptop.close()
    db = str(tmp_path / "laptop.db")
    result = run("--db", db, "--learner", "ann", "progress", "export", "-o", "-")
    assert json.loads(result.stdout.splitlines()[0])["learner"] == "ann"
    result = run("--db", db, "--learner", "nobody", "progress", "export", "-o", "x.jsonl")
    assert result.exit_code == 1
    assert "learner 'nobody' has no reviews to export" in result.stderr


def test_cli_bad_file_imports_nothing_even_with_good_ones(tmp_path):
    good = good_file(tmp_path)
    bad = tmp_path / "deck.yaml"
    bad.write_text("deck: class\ntitle: not progress\n", encoding="utf-8")
    teacher = machine(tmp_path, "teacher")
    before = dump(teacher)
    teacher.close()
    result = run("--db", str(tmp_path / "teacher.db"), "progress", "import", str(good), str(bad))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}: error: not a quiz progress file")
    assert lines[1] == "nothing was imported"
    assert "Traceback" not in result.output
    again = open_store(tmp_path / "teacher.db")
    assert dump(again) == before


def test_a_failure_during_the_merge_rolls_everything_back(tmp_path, monkeypatch):
    laptop = studied(tmp_path, "laptop", START, 2)
    lab = studied(tmp_path, "lab", START + timedelta(days=2), 2)
    files = [
        read_progress_file(export(s, tmp_path / f"{n}.jsonl"))
        for n, s in (("a", laptop), ("b", lab))
    ]
    teacher = machine(tmp_path, "teacher")
    before = dump(teacher)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("quiz.store.reviews.ReviewLog.rewrite_history", broken)
    with pytest.raises(RuntimeError):
        import_progress(teacher, files, START)
    assert dump(teacher) == before


def test_export_writes_to_a_stream(tmp_path):
    laptop = studied(tmp_path, "laptop", START, 1)
    buffer = io.StringIO()
    count = export_progress(laptop, "ann", buffer, START, decks=["class"])
    assert count == len(buffer.getvalue().splitlines()) - 1 == len(laptop.reviews("ann"))


def test_a_progress_file_is_readable_by_its_owner_alone(tmp_path):
    import os

    store = studied(tmp_path, "a", START, 3)
    old = os.umask(0o022)
    try:
        path = export(store, tmp_path / "ann.progress")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600

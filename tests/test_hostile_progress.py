"""Hostile progress files: refused in bounded time and memory, one line naming file and record."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from bounded import MEGABYTES, SECONDS, run_quiz
from click.testing import CliRunner
from test_progress_exchange import dump, good_file, machine

from quiz.cli import main
from quiz.progress.exchange import ProgressFileError, read_progress_file
from quiz.progress.validate import MAX_FILE_BYTES
from quiz.store import open_store


def teacher(tmp_path: Path) -> Path:
    store = machine(tmp_path, "teacher")
    store.close()
    return tmp_path / "teacher.db"


def bounded_import(db: Path, path: Path | str) -> str:
    """Import in a child process, which must refuse the file within bounds: its stderr."""
    run = run_quiz("--db", str(db), "progress", "import", str(path))
    assert run.code == 1, run
    assert run.seconds <= SECONDS and run.megabytes <= MEGABYTES, run
    assert "Traceback" not in run.stderr
    return run.stderr


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    db = teacher(tmp_path)
    fifo = tmp_path / "progress.jsonl"
    os.mkfifo(fifo)
    # Before: the import waited for a writer for ever.
    first, second = bounded_import(db, fifo).splitlines()
    assert (
        first
        == f"{fifo}: error: cannot read the file: it is a FIFO (named pipe), not a progress file"
    )
    assert second == "nothing was imported"


def test_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    # Before: /dev/zero was read until a MemoryError.
    stderr = bounded_import(teacher(tmp_path), "/dev/zero")
    assert stderr.startswith("/dev/zero: error: cannot read the file: it is a character device")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.jsonl"
    with huge.open("wb") as f:
        f.truncate(1024 * 1024 * 1024)  # sparse: a gigabyte that takes no disk
    # Before: read whole, then parsed for minutes.
    stderr = bounded_import(teacher(tmp_path), huge)
    assert stderr.startswith(
        f"{huge}: error: the file is 1,024 MB; progress files are at most "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB"
    )


def test_a_line_over_the_line_limit_is_refused_at_its_place(tmp_path: Path) -> None:
    good = good_file(tmp_path)
    lines = good.read_text(encoding="utf-8").splitlines()
    review = json.loads(lines[2])
    lines[2] = json.dumps({**review, "response": "x" * (2 * 1024 * 1024)})
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ProgressFileError, match=r":3:1: error: the line is longer than 1 MB"):
        read_progress_file(good)


def _with_line(good: Path, number: int, text: str) -> Path:
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    bad = good.with_name("bad.jsonl")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bad


def _review(good: Path) -> dict[str, object]:
    review: dict[str, object] = json.loads(good.read_text(encoding="utf-8").splitlines()[2])
    return review


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: "[" * 100_000 + "]" * 100_000, "invalid JSON: nested deeper than 16 levels"),
        (
            lambda r: json.dumps({**r, "response": "\ud800"}),
            r"text holds a lone surrogate (\ud800), which is not a character",
        ),
        (lambda r: json.dumps({**r, "rating": 2**63}), "'rating' must be 1, 2, 3 or 4"),
        (lambda r: json.dumps({**r, "rating": 2**64 + 3}), "'rating' must be 1, 2, 3 or 4"),
    ],
    ids=["nested 100k deep", "lone surrogate", "rating 2^63", "rating 2^64"],
)
def test_malformed_values_are_one_line_errors_and_nothing_is_imported(
    tmp_path: Path, change, message
) -> None:  # type: ignore[no-untyped-def]
    good = good_file(tmp_path)
    bad = _with_line(good, 3, change(_review(good)))
    db = teacher(tmp_path)
    before = dump(open_store(db))
    # Before: a RecursionError traceback, or a UnicodeEncodeError from the database.
    result = CliRunner().invoke(main, ["--db", str(db), "progress", "import", str(bad)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    first, second = result.stderr.splitlines()
    assert first.startswith(f"{bad}:3:"), first
    assert message in first
    assert second == "nothing was imported"
    assert dump(open_store(db)) == before


def test_reviews_out_of_range_are_refused_counted_and_the_rest_imported(tmp_path: Path) -> None:
    good = good_file(tmp_path)
    lines = good.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["decks"].append({"id": "Not A Slug", "title": None, "content_hash": None})
    lines[0] = json.dumps(header)
    review = json.loads(lines[1])
    hostile = [
        {"reviewed_at": "0001-01-01T00:00:00+01:00"},
        {"reviewed_at": "9999-12-31T23:59:59-01:00"},
        {"reviewed_at": "1999-12-31T23:59:59+00:00"},
        {"reviewed_at": "2200-01-01T00:00:00+00:00"},
        {"duration_ms": 2**63},
        {"duration_ms": 2 * 24 * 3600 * 1000},
        {"deck_id": "Not A Slug"},
        {"item_key": "a::b::c"},
        {"item_key": "x\x1b[2J"},
        {"card_id": "Card\nforged"},
    ]
    for number, change in enumerate(hostile):
        lines.append(json.dumps({**review, "id": f"hostile-{number}", **change}))
    bad = good.with_name("mixed.jsonl")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kept = len(lines) - 1 - len(hostile)
    db = teacher(tmp_path)
    # Before: an OverflowError traceback from the first of them, and nothing imported.
    result = CliRunner().invoke(main, ["--db", str(db), "progress", "import", str(bad)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.stdout == f"{bad}: {kept} new review(s) for ann, 0 already here\n"
    warnings = result.stderr.splitlines()
    assert all(w.startswith(f"{bad}: warning: ") for w in warnings)
    counts = {w.split("refused, not imported: ")[1].rsplit(" (line", 1)[0]: w for w in warnings}
    assert sum(int(w.split(": warning: ")[1].split(" ")[0]) for w in warnings) == len(hostile)
    assert "4 review(s) refused" in counts["a time outside 2000 to now ('reviewed_at')"]
    assert "2 review(s) refused" in counts["a duration outside 0 to a day ('duration_ms')"]
    assert "\x1b" not in result.stderr
    stored = open_store(db).conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    assert stored == kept


@pytest.mark.parametrize(
    "learner",
    ["ann\x1b]0;pwned\x07", "ann\nteacher: 0 new review(s)", "a" * 101, "\u202eann"],
    ids=["escape", "newline", "too long", "bidi override"],
)
def test_a_learner_name_that_is_not_printable_text_is_refused(tmp_path: Path, learner: str) -> None:
    good = good_file(tmp_path)
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[0] = json.dumps({**json.loads(lines[0]), "learner": learner})
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ProgressFileError) as caught:
        read_progress_file(good)
    message = str(caught.value)
    assert message.startswith(f"{good}:1:1: error: the learner name ")
    assert "must be printable text of at most 100 characters" in message
    assert message.isprintable()

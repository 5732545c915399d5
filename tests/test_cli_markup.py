"""Data in the CLI's tables and lines is printed as text: no Rich markup, no raw escapes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TEST_DECKS, FakeClock
from progress_helpers import study_days

from quiz.cli import main
from quiz.library import open_deck
from quiz.store import open_store
from quiz.textsafe import safe

MARKUP = "[/] [link=https://evil.example/]click me[/link] [bold]loud"
# An OSC 8 hyperlink, an OSC 0 window title, a CSI screen clear and a forged line.
ESCAPES = "ann\x1b]0;owned\x07\x1b[2J\x9b2J\u202e\nquiz: 0 reviews lost"


def run(*args: str) -> tuple[int, str, str]:
    # A terminal that takes colours and links, so markup, if read, would be sent as escapes.
    result = CliRunner(env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "200"}).invoke(
        main, list(args)
    )
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def no_data_escapes(text: str) -> None:
    """Only Rich's own styling escapes (CSI ... m) may appear: no OSC, no screen control."""
    assert "\x1b]" not in text  # OSC: hyperlinks (8), titles (0), clipboard (52)
    assert "\x1b[2J" not in text
    assert "\x07" not in text
    assert "\x9b" not in text  # CSI as one C1 character
    assert "\u202e" not in text  # right-to-left override


@pytest.mark.parametrize(
    "title",
    ["[/] closes nothing", "[link=https://evil.example/]click me[/link]", MARKUP],
    ids=["closing tag", "hyperlink", "both"],
)
def test_a_deck_title_with_markup_is_listed_as_written(tmp_path: Path, title: str) -> None:
    deck = tmp_path / "hostile.yaml"
    deck.write_text(
        f"deck: hostile\ntitle: {json.dumps(title)}\n"
        "lint: {ignore: [missing-explanation, missing-source]}\n"
        "cards:\n  - {id: one, front: Q, back: A}\n",
        encoding="utf-8",
    )
    # Before: "[/]" crashed with a MarkupError; "[link=...]" printed a working hyperlink.
    code, out, err = run("--db", str(tmp_path / "q.db"), "--learner", "ada", "decks", str(deck))
    assert code == 0, err
    assert title in out
    no_data_escapes(out)


@pytest.fixture
def hostile_learners(tmp_path: Path) -> Path:
    db = tmp_path / "q.db"
    clock = FakeClock(datetime(2026, 3, 2, 12, tzinfo=UTC))
    store = open_store(db)
    deck, problems = open_deck(store, TEST_DECKS / "class.yaml", clock())
    assert deck is not None, problems
    for learner in (MARKUP, ESCAPES):
        study_days(store, deck, learner, FakeClock(clock()), 1, lambda day, key: False)
    store.close()
    return db


def test_learner_names_with_markup_and_escapes_in_the_progress_table(
    hostile_learners: Path,
) -> None:
    # Before: "[/]" in a learner name crashed `quiz progress --all`.
    code, out, err = run("--db", str(hostile_learners), "progress", "--all")
    assert code == 0, err
    assert "[/]" in out
    # Shown as escapes, so the name is one cell of one line.
    assert "ann\\x1b]0;" in out
    no_data_escapes(out)
    assert "\nquiz: 0 reviews lost" not in out


def test_csv_fields_carry_no_escape_or_line_break(hostile_learners: Path) -> None:
    code, out, err = run("--db", str(hostile_learners), "progress", "--all", "--format", "csv")
    assert code == 0, err
    no_data_escapes(out)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["learner"] for r in rows} == {MARKUP, safe(ESCAPES)}
    # One record a line: no field holds a raw break that would forge a line.
    assert len(out.splitlines()) == len(rows) + 1


def test_progress_import_messages_quote_a_hostile_path_inertly(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    open_store(db).close()
    bad = tmp_path / "x\x1b]0;owned\x07\n.jsonl"
    bad.write_text("not progress\n", encoding="utf-8")
    code, _, err = run("--db", str(db), "progress", "import", str(bad))
    assert code == 1
    no_data_escapes(err)
    first, second = err.splitlines()
    assert first.startswith(f"{safe(bad)}: error: not a quiz progress file")
    assert second == "nothing was imported"


def test_safe_shows_every_control_character_as_its_escape() -> None:
    assert safe("a\x1b[31mb\nc\td\x9b\u202ee\ud800") == "a\\x1b[31mb\\nc\\td\\x9b\\u202ee\\ud800"
    assert safe("plain [bold] text, ünïcode 中文") == "plain [bold] text, ünïcode 中文"


def test_json_output_escapes_c1_controls_and_bidi_overrides(hostile_learners: Path) -> None:
    code, out, err = run("--db", str(hostile_learners), "progress", "--all", "--format", "json")
    assert code == 0, err
    no_data_escapes(out)
    assert {row["learner"] for row in json.loads(out)["rows"]} == {MARKUP, ESCAPES}


def test_import_errors_quote_a_hostile_path_inertly(tmp_path: Path) -> None:
    bad = tmp_path / "x\x1b]0;owned\x07.apkg"
    bad.write_bytes(b"not a zip")
    code, _, err = run("import", str(bad), "-o", str(tmp_path / "out.yaml"))
    assert code == 1
    no_data_escapes(err)
    assert err.startswith(f"Error: {safe(bad)}: not an Anki package")

"""The command line, through click's CliRunner."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from testkit import TEST_DECKS

from quiz import __version__
from quiz.cli import main
from quiz.store import open_store


def run(*args: str, **kwargs):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def test_version_and_help():
    assert run("--version").output.strip() == f"quiz, version {__version__}"
    out = run("--help").output
    for command in ("study", "check", "decks"):
        assert command in out
    assert "--db" in run("study", "--help").output
    assert "--learner" in run("decks", "--help").output


def test_check_valid_deck_exits_0():
    result = run("check", str(TEST_DECKS / "every-type.yaml"))
    assert result.exit_code == 0
    assert "no problems" in result.stderr


def test_check_reports_every_problem_with_place_and_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "deck: bad\ntitle: Bad\ncards:\n"
        "  - {id: a, type: choice, question: Q, choices: [x, y], answer: z}\n"
        "  - {id: b, qustion: Q, front: F, back: B}\n",
        encoding="utf-8",
    )
    result = run("check", str(bad))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{bad}:4:65: error: card 'a': answer 'z' is not one of the choices [answer-not-a-choice]",
        f"{bad}:5:13: error: card 'b': unknown key 'qustion' "
        "(did you mean 'question'? flashcard cards have none: check 'type') [unknown-key]",
    ]


def test_check_never_shows_a_traceback(tmp_path):
    (tmp_path / "bin.yaml").write_bytes(b"deck: x\ntitle: \xff\xfe\n")
    (tmp_path / "tabs.yaml").write_text("deck: x\n\ttitle: y\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path), str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2  # a file could not be read at all
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "bin.yaml:2:8: error: file is not UTF-8 text" in result.output
    assert "tabs.yaml:2:1: error: invalid YAML" in result.output
    assert "missing.yaml: error: cannot read file" in result.output


def test_decks_lists_counts_for_the_learner(tmp_path):
    db = tmp_path / "q.db"
    result = run("--db", str(db), "decks", "--learner", "ann", str(TEST_DECKS / "every-type.yaml"))
    assert result.exit_code == 0
    assert "Decks for ann" in result.output
    assert "every-type" in result.output
    store = open_store(db)
    assert store.conn.execute("SELECT name FROM learners").fetchall() == [("ann",)]


def test_decks_lists_the_bundled_decks_by_default(tmp_path):
    result = run("decks", "--db", str(tmp_path / "q.db"))
    assert result.exit_code == 0
    assert "csto-weitz-2014" in result.output


def test_quiz_db_environment_variable_chooses_the_database(tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("QUIZ_DB", str(db))
    assert run("decks", str(TEST_DECKS / "every-type.yaml")).exit_code == 0
    assert db.exists()


def test_study_unknown_deck_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["study", "--db", str(tmp_path / "q.db"), "no-such-deck"])
    assert result.exit_code == 1
    assert "no such deck file, folder or bundled deck id 'no-such-deck'" in result.output
    assert "Error: no deck could be loaded" in result.output


def test_study_a_misspelt_deck_id_suggests_the_bundled_one_at_no_made_up_place(tmp_path):
    result = CliRunner().invoke(main, ["study", "--db", str(tmp_path / "q.db"), "csto-weits-2014"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: no such deck file, folder or bundled deck id 'csto-weits-2014' "
        "(did you mean 'csto-weitz-2014'?)"
    )


def test_study_broken_deck_reports_problems_and_changes_nothing(tmp_path):
    db = tmp_path / "q.db"
    deck = tmp_path / "d.yaml"
    shutil.copy(TEST_DECKS / "every-type.yaml", deck)
    assert run("decks", "--db", str(db), str(deck)).exit_code == 0
    store = open_store(db)
    before = store.conn.execute("SELECT * FROM cards ORDER BY item_key").fetchall()
    deck.write_text(deck.read_text().replace("answer: true", "answer: maybe"))
    result = CliRunner().invoke(main, ["study", "--db", str(db), str(deck)])
    assert result.exit_code == 1
    assert "answer must be true or false, not 'maybe'" in result.output
    assert store.conn.execute("SELECT * FROM cards ORDER BY item_key").fetchall() == before


def test_unopenable_database_is_a_clear_error(tmp_path):
    db = tmp_path / "not-a-db.db"
    db.write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(main, ["decks", "--db", str(db)])
    assert result.exit_code == 1
    assert "cannot open the database" in result.output
    assert "Traceback" not in result.output
    assert db.read_bytes() == b"this is not sqlite" * 100

"""`quiz exam`: results, grades for Moodle, the schema, and the errors a learner can meet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator
from testkit import TEST_DECKS, FakeClock

from quiz.cli import main
from quiz.exams.attempt import ExamAttempt
from quiz.exams.loader import parse_exam
from quiz.library import bundled_decks_dir, open_deck
from quiz.store import Store, open_store

EXAM = """\
exam: cli-test
title: "A command-line test"
from:
  - card: every-type/capital
  - card: every-type/members
  - card: every-type/un-observer
shuffle: false
attempts: 2
grading: best
pass_mark: 50%
"""

# Each learner's answers: capital, members, un-observer.
ANSWERS = {
    "ann": ("Moscow", ["Armenia", "Belarus"], True),
    "bob": ("Moscow", ["Armenia"], False),
    "cy": ("Minsk", ["Uzbekistan"], False),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path, clock: FakeClock) -> Path:
    path = tmp_path / "quiz.db"
    store = open_store(path)
    deck, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    assert deck is not None, problems
    spec, problems, _ = parse_exam(EXAM, str(tmp_path / "cli.exam.yaml"))
    assert spec is not None, problems
    for learner, answers in ANSWERS.items():
        attempt = ExamAttempt.begin(store, spec, [deck], learner, clock, seed=3)
        for position, response in enumerate(answers):
            attempt.save(position, response)
        clock.advance(minutes=2)
        attempt.submit()
    store.close()
    return path


def test_results_as_json(db: Path) -> None:
    result = run("exam", "results", "cli-test", "--format", "json", "--db", str(db))
    data = json.loads(result.output)
    grades = {lr["learner"]: lr["counted_grade"] for lr in data["learners"]}
    assert grades == pytest.approx({"ann": 1.0, "bob": 0.5, "cy": 0.0})
    assert [lr["passed"] for lr in data["learners"]] == [True, True, False]
    assert data["learners"][0]["attempts"][0]["seconds"] == 120
    by_item = {q["item"]: q for q in data["questions"]}
    assert by_item["capital"]["facility"] == pytest.approx(2 / 3)
    assert by_item["members"]["facility"] == pytest.approx(0.5)
    assert by_item["capital"]["place"].endswith("every-type.yaml:29")
    # Stronger learners got it right: discrimination is positive.
    assert by_item["un-observer"]["discrimination"] > 0


def test_results_as_table_and_csv(db: Path) -> None:
    table = run("exam", "results", "--db", str(db)).output
    assert "cli-test" in table and "ann" in table and "100%" in table
    text = run("exam", "results", "cli-test", "--format", "csv", "--db", str(db)).output
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["learner", "attempt", "started_at"]
    assert rows[1][0] == "ann" and rows[1][-1] == "1"


def test_grades_for_moodle(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    result = run("exam", "grades", "cli-test", "-o", str(out), "--db", str(db))
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        "username,cli-test",
        "ann,100.00",
        "bob,50.00",
        "cy,0.00",
    ]
    mapping = tmp_path / "map.csv"
    mapping.write_text("learner,identifier\nann,a.smith@example.org\nbob,b.jones@example.org\n")
    result = run(
        "exam",
        "grades",
        "cli-test",
        "--map",
        str(mapping),
        "--id-column",
        "email",
        "--db",
        str(db),
    )
    assert result.stdout.splitlines() == [
        "email,cli-test",
        "a.smith@example.org,100.00",
        "b.jones@example.org,50.00",
    ]
    assert "cy is not in" in result.stderr


def test_the_schema_accepts_every_bundled_exam_and_refuses_a_bad_one() -> None:
    schema = json.loads(run("exam", "schema").output)
    validator = Draft202012Validator(schema)
    for path in sorted((bundled_decks_dir() / "exams").glob("*.exam.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert not list(validator.iter_errors(data)), path
    bad = {"exam": "x", "title": "X", "from": [{"deck": "a"}], "grading": "worst"}
    assert len(list(validator.iter_errors(bad))) >= 2


def test_an_exam_with_no_attempts_left_is_refused(
    db: Path, tmp_path: Path, clock: FakeClock
) -> None:
    exam = tmp_path / "cli.exam.yaml"
    exam.write_text(EXAM.replace("attempts: 2", "attempts: 1"), encoding="utf-8")
    (tmp_path / "every-type.yaml").write_text(
        (TEST_DECKS / "every-type.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["exam", str(exam), "--db", str(db), "--learner", "ann"])
    assert result.exit_code == 1
    assert "ann has used all 1 attempt(s) at exam 'cli-test'" in result.output


def test_an_answer_not_saved_during_an_exam_ends_non_zero(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quiz.store.errors import NotRecorded
    from quiz.tui import exam_app

    exam = tmp_path / "cli.exam.yaml"
    exam.write_text(EXAM, encoding="utf-8")
    (tmp_path / "every-type.yaml").write_text(
        (TEST_DECKS / "every-type.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )

    class Screen:
        """The exam screen, as far as this goes: an answer saved after the file was deleted."""

        def __init__(self, attempt: ExamAttempt) -> None:
            self.attempt = attempt

        def run(self) -> None:
            db.unlink()
            with pytest.raises(NotRecorded):
                self.attempt.save(0, "Moscow")

    monkeypatch.setattr(exam_app, "make_exam_app", Screen)
    result = CliRunner().invoke(
        main, ["exam", str(exam), "--db", str(db), "--learner", "dee", "--new-learner"]
    )
    assert result.exit_code == 1
    assert "during the exam:" in result.output
    assert "the database file was deleted while quiz had it open" in result.output


def test_an_unknown_exam_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["exam", "no-such-exam", "--db", str(tmp_path / "q.db")])
    assert result.exit_code == 1
    assert "no such exam file or bundled exam id 'no-such-exam'" in result.output


def test_scheduler_states_are_untouched_by_an_exam(db: Path) -> None:
    store: Store = open_store(db)
    try:
        assert store.conn.execute("SELECT COUNT(*) FROM card_states").fetchone() == (0,)
        assert store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)
        assert len(store.exam_attempts("cli-test")) == 3
    finally:
        store.close()


def test_show_an_attempt_as_the_learner_saw_it(db: Path) -> None:
    data = json.loads(
        run("exam", "results", "cli-test", "--format", "json", "--db", str(db)).stdout
    )
    bob = next(lr for lr in data["learners"] if lr["learner"] == "bob")
    attempt_id = bob["attempts"][0]["id"]
    lines = run("exam", "show", attempt_id, "--db", str(db)).stdout.splitlines()
    assert lines[0].startswith("cli-test · bob · seed 3 · submitted ")
    assert lines[1] == "score 1.5 / 3"
    at = lines.index("2. every-type/members")
    assert lines[at + 1 : at + 7] == [
        "   1. Armenia",
        "   2. Belarus",
        "   3. Uzbekistan",
        "   4. Azerbaijan",
        '   answer: ["Armenia"]',
        "   mark: 0.50 · saved 1 time(s) · 0:00 on it",
    ]
    missing = CliRunner().invoke(main, ["exam", "show", "nope", "--db", str(db)])
    assert missing.exit_code == 1 and "no exam attempt 'nope'" in missing.output


def test_options_may_come_before_the_command(db: Path) -> None:
    result = run("exam", "--db", str(db), "results", "cli-test", "--format", "json")
    assert json.loads(result.stdout)["exam"] == "cli-test"
    assert "results" in run("exam", "--help").stdout


def test_studying_an_exam_file_points_at_quiz_exam(tmp_path: Path) -> None:
    exam = tmp_path / "cli.exam.yaml"
    exam.write_text(EXAM, encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "q.db"), "study", str(exam)])
    assert result.exit_code == 1
    # An error said, not a traceback.
    assert isinstance(result.exception, SystemExit)
    said = result.stderr
    assert f"{exam}: error: is an exam file, not a deck" in said
    assert f"= hint: sit it with 'quiz exam {exam}'" in said
    # Not the deck format's complaints about an exam's keys.
    assert "unknown key" not in said and "missing required key" not in said


def test_an_exam_under_a_deck_name_is_said_to_be_one(tmp_path: Path) -> None:
    exam = tmp_path / "cli.yaml"
    exam.write_text(EXAM, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--no-source", str(exam)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"{exam}:1:1: error: this is an exam, not a deck [exam-file]",
        f"  = hint: exams are named NAME.exam.yaml: rename it to {tmp_path / 'cli.exam.yaml'}, "
        f"then sit it with 'quiz exam {tmp_path / 'cli.exam.yaml'}'",
    ]
    assert "unknown key" not in result.stdout

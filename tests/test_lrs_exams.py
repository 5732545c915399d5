"""Exam attempts as xAPI statements to a real Ralph LRS, pulled back; and backfilling reviews."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, assert_never

import pytest
from click.testing import CliRunner, Result
from lrs_helpers import configure, queued_statements, unique, validate_with_ralph
from progress_helpers import session_answer, study_days
from ralph_lrs import HOME_PAGE
from testkit import TEST_DECKS, FakeClock

from quiz.cli import main
from quiz.deck.model import (
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Item,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.exams.attempt import ExamAttempt
from quiz.exams.loader import parse_exam
from quiz.exams.spec import ExamSpec
from quiz.grading import expected_answer
from quiz.library import open_deck
from quiz.session import StudySession
from quiz.store import Store, open_store
from quiz.xapi.backfill import Backfilled, backfill
from quiz.xapi.client import LrsClient
from quiz.xapi.config import endpoint
from quiz.xapi.exams import (
    ATTEMPTED,
    COMPLETED,
    EXT_ATTEMPT,
    FAILED,
    PASSED,
    exam_statement_id,
    registration,
)
from quiz.xapi.pull import gather
from quiz.xapi.sender import push
from quiz.xapi.statements import ANSWERED, statement_id

EXAM = """\
exam: lrs-test
title: "A test sent to the LRS"
from:
  - card: every-type/capital
  - card: every-type/members
  - card: every-type/un-observer
  - card: every-type/troops
shuffle: false
attempts: 3
grading: best
pass_mark: 50%
"""
# capital, members (select all: Armenia and Belarus), un-observer (true), troops (numeric)
GOOD = ("Moscow", ["Armenia", "Belarus"], True, None)
POOR = ("Moscow", ["Armenia"], None, None)


# The LRS credentials come from the environment, as a school would set them.
pytestmark = pytest.mark.usefixtures("lrs_credentials")


def exam_of(text: str = EXAM, path: str = "lrs.exam.yaml") -> ExamSpec:
    spec, problems, _ = parse_exam(text, path)
    assert spec is not None, problems
    return spec


def take(
    store: Store,
    spec: ExamSpec,
    deck: Deck,
    learner: str,
    clock: FakeClock,
    answers: tuple[Any, ...],
) -> ExamAttempt:
    attempt = ExamAttempt.begin(store, spec, [deck], learner, clock, seed=5)
    for position, response in enumerate(answers):
        if response is not None:
            clock.advance(seconds=20)
            attempt.save(position, response, seconds=20)
    clock.advance(seconds=30)
    assert attempt.submit()
    return attempt


def verbs(statements: list[dict[str, Any]]) -> list[str]:
    return [s["verb"]["id"] for s in statements]


def test_no_exam_statement_is_queued_until_an_lrs_is_set(store, every_type, clock):
    take(store, exam_of(), every_type, "ann", clock, GOOD)
    assert store.exam_attempts()
    assert store.outbox_status().waiting == 0


def test_an_attempt_is_queued_as_it_starts_and_as_it_is_submitted(store, every_type, clock):
    configure(store, "https://lrs.example.edu/xAPI")
    attempt = ExamAttempt.begin(store, exam_of(), [every_type], "ann", clock, seed=5)
    # Committed with the attempt: the attempted statement is there before any answer.
    [started] = queued_statements(store)
    assert started["verb"]["id"] == ATTEMPTED
    assert started["id"] == exam_statement_id(attempt.record.id, ATTEMPTED)
    assert started["context"]["registration"] == registration(attempt.record.id)
    assert started["object"]["id"] == f"{HOME_PAGE}/quiz/exams/lrs-test"
    # Resuming the open attempt starts nothing new, so queues nothing new.
    ExamAttempt.begin(store, exam_of(), [every_type], "ann", clock)
    assert len(queued_statements(store)) == 1


def test_a_submission_that_cannot_queue_its_statements_is_not_stored(
    store, every_type, clock, monkeypatch
):
    configure(store, "https://lrs.example.edu/xAPI")
    attempt = ExamAttempt.begin(store, exam_of(), [every_type], "ann", clock, seed=5)
    attempt.save(0, "Moscow")
    real = store.queue_statement

    def failing(statement_id: str, *args: Any) -> None:
        if statement_id == exam_statement_id(attempt.record.id, COMPLETED):
            raise OSError("disk full")
        real(statement_id, *args)

    monkeypatch.setattr(store, "queue_statement", failing)
    with pytest.raises(OSError):
        attempt.submit()
    # The whole submission rolled back: still open, unmarked, and only `attempted` queued.
    assert store.open_exam_attempt("lrs-test", "ann") is not None
    assert verbs(queued_statements(store)) == [ATTEMPTED]
    monkeypatch.setattr(store, "queue_statement", real)
    assert attempt.submit()
    assert verbs(queued_statements(store)) == [ATTEMPTED, ANSWERED, COMPLETED, FAILED]


def test_an_exam_attempts_statements_arrive_once_each_with_the_score(
    ralph, store, every_type, clock
):
    configure(store, ralph.url)
    learner = unique("ann")
    spec = exam_of()
    good = take(store, spec, every_type, learner, clock, GOOD)
    clock.advance(minutes=5)
    poor = take(store, spec, every_type, learner, clock, POOR)
    statements = queued_statements(store)
    validate_with_ralph(statements)
    mine = {
        a.record.id: [
            s for s in statements if s["context"]["registration"] == registration(a.record.id)
        ]
        for a in (good, poor)
    }
    # Started, each answered question, completed, and the verdict against the pass mark.
    assert verbs(mine[good.record.id]) == [ATTEMPTED, *[ANSWERED] * 3, COMPLETED, PASSED]
    assert verbs(mine[poor.record.id]) == [ATTEMPTED, *[ANSWERED] * 2, COMPLETED, FAILED]
    completed = next(s for s in mine[good.record.id] if s["verb"]["id"] == COMPLETED)
    assert completed["result"]["score"] == {"raw": 3.0, "min": 0, "max": 4.0, "scaled": 0.75}
    assert completed["result"]["completion"] is True
    assert completed["result"]["success"] is True
    assert completed["result"]["duration"] == "PT90S"
    assert completed["object"]["definition"]["name"] == {"und": "A test sent to the LRS"}
    failed = next(s for s in mine[poor.record.id] if s["verb"]["id"] == FAILED)
    assert failed["result"] == {
        "score": {"raw": 1.5, "min": 0, "max": 4.0, "scaled": 0.375},
        "success": False,
    }
    # Each answer: the item as in study, the exam as parent, the deck as grouping.
    members = next(s for s in mine[poor.record.id] if s["object"]["id"].endswith("/items/members"))
    assert members["result"]["score"] == {"raw": 0.5, "min": 0, "max": 1, "scaled": 0.5}
    assert members["result"]["success"] is False
    assert members["result"]["response"] == "c1"
    assert members["object"]["definition"]["interactionType"] == "choice"
    context = members["context"]["contextActivities"]
    assert [a["id"] for a in context["parent"]] == [f"{HOME_PAGE}/quiz/exams/lrs-test"]
    assert [a["id"] for a in context["grouping"]] == [f"{HOME_PAGE}/quiz/decks/every-type"]
    with LrsClient(endpoint(store)) as client:
        assert push(store, client, batch=3).left == 0
        assert push(store, client).sent == 0
    got = ralph.of(learner)
    assert sorted(s["id"] for s in got) == sorted(s["id"] for s in statements)
    assert len({s["id"] for s in got}) == len(got) == 6 + 5
    validate_with_ralph(got)
    # The LRS finds an attempt by its registration, as xAPI reports group one.
    one = ralph.statements(registration=registration(good.record.id))
    assert sorted(verbs(one)) == sorted(verbs(mine[good.record.id]))


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def learner_db(tmp_path: Path, name: str, url: str, clock: FakeClock) -> tuple[Path, Deck]:
    path = tmp_path / f"{name}.db"
    store = open_store(path)
    deck, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    assert deck is not None, problems
    store.close()
    result = run("--db", str(path), "lrs", "set", url, "--home-page", HOME_PAGE)
    assert result.exit_code == 0, result.output
    return path, deck


def exam_results(db: Path, exam: str) -> Any:
    result = run("--db", str(db), "exam", "results", exam, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_pull_into_a_fresh_database_reproduces_the_exam_results(ralph, tmp_path, clock):
    names = [unique("ann"), unique("bob"), unique("cy")]
    # Exams of this test's own: the LRS keeps other tests' attempts at lrs-test.
    exams = [unique("lrs-pull"), unique("lrs-feed")]
    plain = exam_of(EXAM.replace("lrs-test", exams[0]))
    # One exam also feeds the scheduler: its answers are reviews, sent as study statements too.
    feeding = exam_of(EXAM.replace("lrs-test", exams[1]) + "feed_scheduler: true\n")
    files = []
    for n, name in enumerate(names):
        path, deck = learner_db(tmp_path, name, ralph.url, clock)
        store = open_store(path)
        take(store, plain, deck, name, clock, (GOOD, POOR, POOR)[n])
        if n != 1:
            clock.advance(minutes=3)
            take(store, plain, deck, name, clock, GOOD)
        take(store, feeding, deck, name, clock, (POOR, GOOD, GOOD)[n])
        ExamAttempt.begin(store, plain, [deck], name, clock)  # left open: results say so
        store.close()
        assert run("--db", str(path), "--learner", name, "lrs", "push").exit_code == 0
        exported = tmp_path / f"{name}.quizprogress"
        done = run("--db", str(path), "--learner", name, "progress", "export", "-o", str(exported))
        assert done.exit_code == 0, done.output
        files.append(str(exported))
    teacher, _ = learner_db(tmp_path, "teacher", ralph.url, clock)
    pulled = run("--db", str(teacher), "lrs", "pull")
    assert pulled.exit_code == 0, pulled.output
    assert "of exam attempts" in pulled.output
    assert "3 new exam attempt(s), 0 already here" in pulled.output
    # The same results as the learners' progress files give (open attempts stay at home in both).
    collected, _ = learner_db(tmp_path, "collected", ralph.url, clock)
    assert run("--db", str(collected), "progress", "import", *files).exit_code == 0
    results = [exam_results(teacher, exam) for exam in exams]
    assert results == [exam_results(collected, exam) for exam in exams]
    assert [len(r["learners"]) for r in results] == [3, 3]
    assert [sum(len(lr["attempts"]) for lr in r["learners"]) for r in results] == [5, 3]
    # And the reviews the feeding exam made, as progress files carry them.
    progress = run("--db", str(teacher), "progress", "--all", "--format", "json").output
    expected = run("--db", str(collected), "progress", "--all", "--format", "json").output
    mine = [r for r in json.loads(progress)["rows"] if r["learner"] in names]
    assert mine == json.loads(expected)["rows"]
    # Pulling again adds nothing.
    again = run("--db", str(teacher), "lrs", "pull")
    assert "0 new exam attempt(s)" in again.output
    assert [exam_results(teacher, exam) for exam in exams] == results


def test_backfill_after_set_delivers_earlier_reviews_once(ralph, tmp_path, clock):
    learner, other = unique("dee"), unique("eli")
    path = tmp_path / "learner.db"
    store = open_store(path)
    deck, _ = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    assert deck is not None
    study_days(store, deck, learner, clock, 2)
    study_days(store, deck, other, clock, 1)  # another learner on this machine: not theirs to send
    # One answer taken back before the LRS was set: never sent, not even by a backfill.
    session = StudySession(store, [deck], learner, clock=clock, fuzz=False)
    session.start()
    shown = session.next()
    assert shown is not None
    session_answer(session, shown.item, False)
    undone = session.last_answer.review.id
    session.undo()
    earlier = [r["id"] for r in store.reviews(learner)]
    assert earlier and undone not in earlier
    # An exam taken before, and one started before and submitted after the LRS was set.
    spec = exam_of(EXAM.replace("lrs-test", unique("lrs-back")))
    done = take(store, spec, deck, learner, clock, GOOD)
    later = ExamAttempt.begin(store, spec, [deck], learner, clock)
    assert store.outbox_status().waiting == 0
    store.close()
    db = ("--db", str(path), "--learner", learner)
    said = run(*db, "lrs", "set", ralph.url, "--home-page", HOME_PAGE)
    assert (
        f"{len(earlier)} earlier review(s) and 2 exam attempt(s) of {learner} are not queued"
        in said.output
    )
    assert "quiz lrs push --backfill" in said.output
    store = open_store(path)
    assert later.store is not store
    later.store = store
    later.save(0, "Moscow")
    assert later.submit()
    store.close()
    # Set, but nothing from before is sent without the opt-in: only the submission just made.
    assert run(*db, "lrs", "push").exit_code == 0
    assert sorted(verbs(ralph.of(learner))) == sorted([ANSWERED, COMPLETED, FAILED])
    status = run(*db, "lrs", "status").output
    assert f"{len(earlier)} earlier review(s) and 2 exam attempt(s)" in status
    first = run(*db, "lrs", "push", "--backfill")
    assert first.exit_code == 0, first.output
    assert f"queued {len(earlier)} earlier review(s) and 2 exam attempt(s)" in first.output
    got = ralph.of(learner)
    exam_ids = {exam_statement_id(done.record.id, verb) for verb in (ATTEMPTED, COMPLETED, PASSED)}
    exam_ids |= {exam_statement_id(done.record.id, ANSWERED, n) for n in range(3)}
    exam_ids |= {exam_statement_id(later.record.id, v) for v in (ATTEMPTED, COMPLETED, FAILED)}
    exam_ids.add(exam_statement_id(later.record.id, ANSWERED, 0))
    assert sorted(s["id"] for s in got) == sorted(
        [statement_id(r) for r in earlier] + list(exam_ids)
    )
    assert len(got) == len(earlier) + 6 + 4
    validate_with_ralph(got)
    assert "earlier review" not in run(*db, "lrs", "status").output
    second = run(*db, "lrs", "push", "--backfill")
    assert "queued 0 earlier review(s) of" in second.output
    assert len(ralph.of(learner)) == len(got)
    assert ralph.of(other) == []


def test_backfill_queues_nothing_without_an_lrs(store, every_type, clock):
    study_days(store, every_type, "fay", clock, 1)
    take(store, exam_of(), every_type, "fay", clock, GOOD)
    assert backfill(store, "fay", clock()) == Backfilled(0, 0, 0)
    assert store.outbox_status().waiting == 0
    refused = run("--db", str(store.path), "--learner", "fay", "lrs", "push", "--backfill")
    assert refused.exit_code == 1 and "no LRS is set" in refused.output


def test_exam_statements_out_of_range_are_refused_at_pull(tmp_path, store, every_type, clock):
    configure(store, "https://lrs.example.edu/xAPI")
    take(store, exam_of(), every_type, "gus", clock, GOOD)
    statements = queued_statements(store)
    completed = next(s for s in statements if s["verb"]["id"] == COMPLETED)
    broken = json.loads(json.dumps(completed))
    broken["id"] = str(uuid.uuid4())
    broken["result"]["extensions"][EXT_ATTEMPT]["id"] = "x" * 65
    path = tmp_path / "gus.json"
    path.write_text(json.dumps([*statements, broken]))
    fresh = tmp_path / "fresh.db"
    other = open_store(fresh)
    open_deck(other, TEST_DECKS / "every-type.yaml", clock())
    other.close()
    result = run("--db", str(fresh), "progress", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 statement(s) refused, not imported: an exam attempt that does not read" in (
        result.output
    )
    assert "1 new exam attempt(s), 0 already here" in result.output


def test_a_statements_file_carries_exam_attempts_to_another_database(tmp_path, clock):
    path, deck = learner_db(tmp_path, "hal", "https://lrs.example.edu/xAPI", clock)
    store = open_store(path)
    spec = exam_of()
    take(store, spec, deck, "hal", clock, GOOD)
    take(store, spec, deck, "hal", clock, POOR)
    store.close()
    out = tmp_path / "hal.json"
    db = ("--db", str(path), "--learner", "hal")
    exported = run(*db, "progress", "export", "--format", "xapi", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    statements = json.loads(out.read_text())
    assert sorted(verbs(statements)).count(COMPLETED) == 2
    validate_with_ralph(statements)
    fresh, _ = learner_db(tmp_path, "fresh", "https://lrs.example.edu/xAPI", clock)
    imported = run("--db", str(fresh), "progress", "import", str(out))
    assert imported.exit_code == 0, imported.output
    assert "2 new exam attempt(s), 0 already here" in imported.output
    assert exam_results(fresh, "lrs-test") == exam_results(path, "lrs-test")


def test_the_documented_exam_statement_is_valid_and_reads_back():
    text = (Path(__file__).parent.parent / "docs" / "lrs.md").read_text(encoding="utf-8")
    block = text.split("A `completed` statement", 1)[1].split("```json\n", 1)[1]
    statement = json.loads(block.split("\n```", 1)[0])
    validate_with_ralph([statement])
    files = gather([statement], "lrs.md").files
    [(record, responses)] = files[0].attempts
    assert (record.score, record.max_score, len(responses)) == (2.5, 3.0, 3)
    assert statement["context"]["registration"] == registration(record.id)
    assert statement["id"] == exam_statement_id(record.id, COMPLETED)


def some_answer(item: Item, right: bool) -> Any:
    """A right or a wrong answer to an exam question, by card type."""
    card = item.card
    match card:
        case Flashcard():
            raise AssertionError("exams ask no flashcards")
        case Choice():
            picked = (
                list(card.answers)
                if right
                else [c for c in card.choices if c not in card.answers][:1]
            )
            return picked if card.multiple else picked[0]
        case TrueFalse():
            return card.answer if right else not card.answer
        case Cloze() | Typed():
            return expected_answer(item) if right else "zzz"
        case Numeric():
            return card.answer_text if right else "-1"
        case Order():
            return list(card.items) if right else list(reversed(card.items))
        case Match():
            return dict(card.pairs) if right else {k: "?" for k, _ in card.pairs}
        case _:
            assert_never(card)


def test_every_kind_of_exam_statement_passes_ralphs_xapi_model(store, every_type, clock):
    configure(store, "https://lrs.example.edu/xAPI")
    spec = exam_of(
        EXAM.replace("  - card: every-type/capital\n", "  - deck: every-type\n    count: 8\n")
    )
    attempt = ExamAttempt.begin(store, spec, [every_type], "ivy", clock, seed=1)
    for question in attempt.questions():
        attempt.save(question.position, some_answer(question.item, question.position % 2 == 0))
    assert attempt.submit()
    statements = queued_statements(store)
    validate_with_ralph(statements)
    kinds = {
        s["object"]["definition"]["interactionType"]
        for s in statements
        if s["verb"]["id"] == ANSWERED
    }
    assert kinds == {"choice", "true-false", "fill-in", "numeric", "sequencing", "matching"}
    marks = [s["result"]["score"]["raw"] for s in statements if s["verb"]["id"] == ANSWERED]
    completed = next(s for s in statements if s["verb"]["id"] == COMPLETED)
    assert completed["result"]["score"]["raw"] == round(sum(marks), 4)

"""Exams: the file format, drawing by seed, the scoring of every card type, attempts stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit import TEST_DECKS, FakeClock

from quiz.deck.lint import check_paths
from quiz.deck.loader import load_deck
from quiz.deck.model import Deck, Item
from quiz.exams.attempt import ExamAttempt, ExamError, counted_grade
from quiz.exams.loader import parse_exam
from quiz.exams.pool import draw, resolve
from quiz.exams.query import QueryError, parse_query
from quiz.exams.scoring import score
from quiz.exams.spec import ExamSpec, Grading, parse_duration
from quiz.library import bundled_decks_dir
from quiz.store import Store

EXAM = """\
exam: small-test
title: "A small test"
from:
  - deck: every-type
    count: 3
  - card: every-type/members
time_limit: 5m
attempts: 2
pass_mark: 60%
"""


def exam_of(text: str, path: str = "t.exam.yaml") -> ExamSpec:
    spec, problems, _ = parse_exam(text, path)
    assert spec is not None, problems
    return spec


@pytest.fixture
def deck() -> Deck:
    return load_deck(TEST_DECKS / "every-type.yaml")


def item(deck: Deck, card_id: str, variant: str = "") -> Item:
    return Item(deck.id, next(c for c in deck.cards if c.id == card_id), variant)


# --- the file format ---------------------------------------------------------------------------


def test_an_exam_file_reads_into_its_settings() -> None:
    spec = exam_of(EXAM)
    assert spec.id == "small-test"
    assert spec.time_limit == 300
    assert spec.attempts == 2
    assert spec.pass_mark == pytest.approx(0.6)
    assert spec.grading is Grading.BEST
    assert not spec.feed_scheduler
    assert len(spec.draws) == 2


def test_every_problem_is_reported_at_its_place() -> None:
    text = """\
exam: Bad Id
title: "x"
from:
  - deck: every-type
  - card: no-slash
  - query: "tag:x colour:red"
    count: 2
  - deck: a
    card: a/b
time_limit: soon
pass_mark: 160%
grading: bestest
shufle: true
"""
    spec, problems, _ = parse_exam(text, "bad.exam.yaml")
    assert spec is None
    shown = [str(p) for p in problems]
    expected = [
        "bad.exam.yaml:1:7: error: exam id 'Bad Id' must be a slug like 'csto-midterm' [bad-slug]",
        "bad.exam.yaml:4:5: error: from #1: missing required key 'count' [missing-key]",
        "bad.exam.yaml:5:11: error: from #2: card must be DECK_ID/CARD_ID, like "
        "'csto-forster/armenia-freeze', not 'no-slash' [bad-card-ref]",
        "bad.exam.yaml:6:12: error: from #3: unknown field 'colour' in 'colour:red' "
        "(fields: tag, type) [bad-query]",
        "bad.exam.yaml:8:5: error: from #4: needs exactly one of deck, card or query "
        "('deck' and 'card') [bad-draw]",
        "bad.exam.yaml:10:13: error: time_limit must be a duration like '20m', '1h30m' or '90s', "
        "not 'soon' [bad-duration]",
        "bad.exam.yaml:11:12: error: pass_mark must be a percentage from 0 to 100, like '60%', "
        "not '160%' [out-of-range]",
        "bad.exam.yaml:12:10: error: grading must be one of best, last, mean, not 'bestest' "
        "(did you mean 'best'?) [bad-value]",
        "bad.exam.yaml:13:1: error: exam: unknown key 'shufle' (did you mean 'shuffle'?) "
        "[unknown-key]",
    ]
    assert shown == expected


def test_durations() -> None:
    assert parse_duration("20m") == 1200
    assert parse_duration("1h30m") == 5400
    assert parse_duration("90s") == 90
    assert parse_duration("45") == 2700
    assert parse_duration("soon") is None


def test_queries_are_a_small_subset() -> None:
    query = parse_query("tag:members type:choice")
    assert query.tags == ("members",) and query.types == ("choice",)
    for bad in ("", "members", "type:essay", "type:choice type:order", "deck:x", "tag:Not A"):
        with pytest.raises(QueryError):
            parse_query(bad)


def test_draws_are_checked_against_the_decks(deck: Deck) -> None:
    extra = (
        "  - card: every-type/treaty-year\n  - card: every-type/nope\n"
        "  - deck: every-typo\n    count: 1\n"
    )
    text = EXAM.replace("count: 3", "count: 9").replace("time_limit", extra + "time_limit")
    spec = exam_of(text)
    _, problems = resolve(spec, [deck])
    assert [(p.line, p.rule) for p in problems] == [
        (4, "too-few-cards"),  # 8 auto-graded cards: the flashcard is never asked
        (7, "not-auto-graded"),
        (8, "unknown-card"),
        (9, "unknown-deck"),
    ]
    assert "did you mean 'every-type'?" in problems[-1].message


def test_the_same_seed_draws_the_same_exam(deck: Deck) -> None:
    spec = exam_of(EXAM)
    pools, problems = resolve(spec, [deck])
    assert not problems
    first = draw(spec, pools, 42)
    assert first == draw(spec, pools, 42)
    assert len(first) == 4
    keys = [q.item_key.partition("::")[0] for q in first]
    assert "members" in keys and len(set(keys)) == 4
    assert "treaty-year" not in keys
    assert any(draw(spec, pools, seed) != first for seed in range(1, 6))


def test_quiz_check_reads_the_bundled_exams() -> None:
    result = check_paths([bundled_decks_dir()])
    assert result.problems == []
    exams = sorted((bundled_decks_dir() / "exams").glob("*.exam.yaml"))
    assert len(exams) == 6
    decks = [load_deck(p) for p in sorted(bundled_decks_dir().glob("*.yaml"))]
    for path in exams:
        spec = exam_of(path.read_text(encoding="utf-8"), str(path))
        pools, problems = resolve(spec, decks)
        assert not problems
        assert 10 <= sum(p.count for p in pools) <= 20, path
        assert spec.pass_mark is not None


def test_quiz_check_places_an_exam_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.exam.yaml"
    path.write_text(EXAM.replace("every-type/members", "every-type/nope"), encoding="utf-8")
    result = check_paths([TEST_DECKS / "every-type.yaml", path])
    assert [str(p) for p in result.problems] == [
        f"{path}:6:5: error: from #2: deck 'every-type' has no card 'nope' [unknown-card]"
    ]


# --- scoring -----------------------------------------------------------------------------------


def test_single_choice_is_all_or_nothing(deck: Deck) -> None:
    capital = item(deck, "capital")
    assert score(capital, "Moscow") == 1.0
    assert score(capital, "Minsk") == 0.0
    assert score(capital, None) == 0.0


def test_select_all_gives_moodle_partial_credit(deck: Deck) -> None:
    members = item(deck, "members")  # right: Armenia, Belarus (k = 2)
    assert score(members, ["Armenia", "Belarus"]) == 1.0
    assert score(members, ["Armenia"]) == 0.5
    assert score(members, ["Armenia", "Uzbekistan"]) == 0.0
    assert score(members, ["Armenia", "Belarus", "Uzbekistan"]) == 0.5
    assert score(members, ["Uzbekistan", "Azerbaijan"]) == 0.0  # floored at 0
    assert score(members, []) == 0.0
    # Picking everything cannot earn full marks.
    assert score(members, ["Armenia", "Belarus", "Uzbekistan", "Azerbaijan"]) == 0.0


def test_true_false(deck: Deck) -> None:
    observer = item(deck, "un-observer")
    assert score(observer, True) == 1.0
    assert score(observer, False) == 0.0
    assert score(observer, "") == 0.0


def test_typed_and_cloze_use_the_study_grading(deck: Deck) -> None:
    typed = item(deck, "otunbayeva")
    assert score(typed, "Otunbayeva") == 1.0
    assert score(typed, "Roza Otunbaeva") == 1.0  # a near miss counts, as in study
    assert score(typed, "Akayev") == 0.0
    gap = item(deck, "articles", "c2")
    assert score(gap, "seven") == 1.0
    assert score(gap, "4") == 0.0


def test_numeric_within_tolerance(deck: Deck) -> None:
    troops = item(deck, "troops")  # 2500 ± 10%
    assert score(troops, "2,700") == 1.0
    assert score(troops, "2800") == 0.0
    assert score(troops, "many") == 0.0


def test_order_by_share_in_the_right_place(deck: Deck) -> None:
    chronology = item(deck, "chronology")
    assert score(chronology, ["Treaty signed", "CSTO founded", "Uzbekistan leaves"]) == 1.0
    third = score(chronology, ["Treaty signed", "Uzbekistan leaves", "CSTO founded"])
    assert third == pytest.approx(1 / 3)
    assert score(chronology, ["Uzbekistan leaves", "Treaty signed", "CSTO founded"]) == 0.0


def test_match_by_share_of_right_pairs(deck: Deck) -> None:
    leaders = item(deck, "leaders")
    right = dict(leaders.card.pairs)  # type: ignore[union-attr]
    assert score(leaders, right) == 1.0
    one_swap = {**right, "Nikol Pashinyan": "President of Russia"}
    one_swap["Vladimir Putin"] = "Prime Minister of Armenia"
    assert score(leaders, one_swap) == pytest.approx(1 / 3)
    assert score(leaders, {}) == 0.0


def test_flashcards_are_never_scored(deck: Deck) -> None:
    with pytest.raises(TypeError):
        score(item(deck, "treaty-year"), "1992")


# --- attempts ----------------------------------------------------------------------------------


def test_an_attempt_is_stored_answered_and_submitted(
    store: Store, clock: FakeClock, deck: Deck
) -> None:
    spec = exam_of(EXAM)
    attempt = ExamAttempt.begin(store, spec, [deck], "ann", clock, seed=7)
    assert len(attempt) == 4 and attempt.time_left() == 300
    for position, question in enumerate(attempt.questions()):
        if question.item.card.id == "members":
            attempt.save(position, ["Armenia"], seconds=3)
            members_at = position
    attempt.flag(0, True)
    states_before = store.conn.execute("SELECT COUNT(*) FROM card_states").fetchone()
    clock.advance(seconds=30)
    # Opening it again (a fresh process) resumes the same attempt, answers and flags.
    again = ExamAttempt.begin(store, spec, [deck], "ann", clock)
    assert again.record.id == attempt.record.id
    assert again.question(members_at).response == ["Armenia"]
    assert again.question(0).flagged
    assert again.time_left() == 270
    assert len(again.unanswered()) == 3
    assert again.submit()
    assert not again.submit()
    assert again.grade == pytest.approx(0.5 / 4)
    assert again.passed is False
    assert again.question(members_at).mark == 0.5
    assert not again.save(members_at, ["Armenia", "Belarus"])
    # Nothing reached the schedule or the review log.
    assert store.conn.execute("SELECT COUNT(*) FROM card_states").fetchone() == states_before
    assert store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)


def test_attempts_are_limited_and_graded(store: Store, clock: FakeClock, deck: Deck) -> None:
    spec = exam_of(EXAM)
    grades = []
    for answer in (["Armenia"], ["Armenia", "Belarus"]):
        attempt = ExamAttempt.begin(store, spec, [deck], "ann", clock)
        position = next(q.position for q in attempt.questions() if q.item.card.id == "members")
        attempt.save(position, answer)
        attempt.submit()
        grades.append(attempt.grade)
        clock.advance(minutes=10)
    with pytest.raises(ExamError, match="all 2 attempt"):
        ExamAttempt.begin(store, spec, [deck], "ann", clock)
    records = store.exam_attempts(spec.id, "ann")
    assert counted_grade(records, Grading.BEST) == max(grades)
    assert counted_grade(records, Grading.LAST) == grades[-1]
    assert counted_grade(records, Grading.MEAN) == pytest.approx(sum(grades) / 2)  # type: ignore[arg-type]


def test_a_late_submission_is_timed_at_the_deadline(
    store: Store, clock: FakeClock, deck: Deck
) -> None:
    attempt = ExamAttempt.begin(store, exam_of(EXAM), [deck], "ann", clock)
    clock.advance(minutes=6)
    assert attempt.expired()
    assert not attempt.save(0, "late")
    attempt.submit()
    assert attempt.record.submitted_by == "time"
    assert attempt.record.submitted_at == attempt.record.deadline


def test_feed_scheduler_sends_answers_to_the_review_log(
    store: Store, clock: FakeClock, deck: Deck
) -> None:
    spec = exam_of(EXAM + "feed_scheduler: true\n")
    attempt = ExamAttempt.begin(store, spec, [deck], "ann", clock)
    attempt.save(0, "x")
    attempt.submit()
    rows = store.conn.execute("SELECT learner, item_key FROM reviews").fetchall()
    assert rows == [("ann", attempt.questions()[0].item.key)]


# --- progress files ----------------------------------------------------------------------------


def test_progress_files_carry_attempts_once(tmp_path: Path, clock: FakeClock, deck: Deck) -> None:
    from quiz.progress.exchange import import_progress, read_progress_file, write_progress_file
    from quiz.store import open_store

    learner_db = open_store(tmp_path / "learner.db")
    spec = exam_of(EXAM)
    attempt = ExamAttempt.begin(learner_db, spec, [deck], "ann", clock, seed=11)
    attempt.save(0, "anything", seconds=4)
    attempt.flag(1, True)
    attempt.submit()
    ExamAttempt.begin(learner_db, spec, [deck], "ann", clock)  # open: stays on this machine
    path = tmp_path / "ann.quizprogress"
    write_progress_file(learner_db, "ann", path, clock())
    read = read_progress_file(path)
    assert len(read.attempts) == 1
    instructor = open_store(tmp_path / "instructor.db")
    first = import_progress(instructor, [read], clock())
    again = import_progress(instructor, [read_progress_file(path)], clock())
    assert (first[0].attempts_added, again[0].attempts_added, again[0].attempts_here) == (1, 0, 1)
    assert first[0].lines()[1] == f"{path}: 1 new exam attempt(s), 0 already here"
    [copied] = instructor.exam_attempts(spec.id)
    assert copied == attempt.record
    assert instructor.exam_responses(copied.id) == learner_db.exam_responses(copied.id)
    learner_db.close()
    instructor.close()


def test_a_broken_attempt_line_is_placed(tmp_path: Path) -> None:
    from quiz.progress.exchange import ProgressFileError, read_progress_file

    path = tmp_path / "x.quizprogress"
    header = '{"format": "quiz-progress", "version": 2, "learner": "ann", "decks": []}'
    path.write_text(header + '\n{"kind": "exam_attempt", "id": "a"}\n', encoding="utf-8")
    with pytest.raises(ProgressFileError, match=r"x.quizprogress:2:1: error: exam attempt lacks"):
        read_progress_file(path)

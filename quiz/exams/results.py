"""Exam results: each learner's attempts and counted grade, each question's statistics."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quiz.exams.attempt import counted_grade, passed
from quiz.exams.spec import Grading
from quiz.progress.items import pearson
from quiz.progress.stats import item_prompt
from quiz.store import reports
from quiz.store.database import Store
from quiz.store.exams import AttemptRecord


@dataclass(frozen=True)
class AttemptRow:
    """One submitted (or open) attempt."""

    id: str
    number: int  # the learner's 1st, 2nd ... attempt
    started_at: str
    seconds: float | None  # time taken, once submitted
    score: float | None
    max_score: float | None
    grade: float | None
    passed: bool | None
    submitted_by: str | None
    seed: int


@dataclass(frozen=True)
class LearnerResult:
    """A learner's attempts at the exam and the grade that counts."""

    learner: str
    attempts: tuple[AttemptRow, ...]
    grading: str
    counted: float | None
    passed: bool | None


@dataclass(frozen=True)
class QuestionStats:
    """Moodle's quiz statistics for one item, over the submitted attempts that asked it."""

    deck_id: str
    item_key: str
    place: str  # path:line of the card
    prompt: str
    attempts: int
    facility: float | None  # mean mark, 0 to 1
    discrimination: float | None  # Pearson: mark against the rest of the attempt


@dataclass(frozen=True)
class ExamResults:
    """Everything `quiz exam results` shows for one exam."""

    exam_id: str
    title: str | None
    learners: tuple[LearnerResult, ...]
    questions: tuple[QuestionStats, ...]


def _grading(attempts: Sequence[AttemptRecord]) -> Grading:
    # The latest attempt's settings: an edited exam grades by what it says now.
    value = attempts[-1].settings.get("grading", Grading.BEST.value) if attempts else "best"
    return Grading(value)


def _pass_for(attempts: Sequence[AttemptRecord], grade: float | None) -> bool | None:
    mark = attempts[-1].settings.get("pass_mark") if attempts else None
    if mark is None or grade is None:
        return None
    return grade + 1e-9 >= float(mark)


def exam_results(store: Store, exam_id: str) -> ExamResults:
    """Per learner and per question, from every attempt at the exam in the database."""
    records = store.exam_attempts(exam_id)
    by_learner: dict[str, list[AttemptRecord]] = defaultdict(list)
    for record in records:
        by_learner[record.learner].append(record)
    learners = []
    for learner, attempts in sorted(by_learner.items()):
        rows = []
        for number, a in enumerate(attempts, start=1):
            taken = (a.submitted_at - a.started_at).total_seconds() if a.submitted_at else None
            rows.append(
                AttemptRow(
                    a.id,
                    number,
                    a.started_at.isoformat(),
                    taken,
                    a.score,
                    a.max_score,
                    a.grade,
                    passed(a),
                    a.submitted_by,
                    a.seed,
                )
            )
        grading = _grading(attempts)
        counted = counted_grade(attempts, grading)
        learners.append(
            LearnerResult(
                learner, tuple(rows), grading.value, counted, _pass_for(attempts, counted)
            )
        )
    return ExamResults(
        exam_id,
        records[-1].exam_title if records else None,
        tuple(learners),
        tuple(question_stats(store, [r for r in records if r.submitted_at is not None])),
    )


def question_stats(store: Store, attempts: Sequence[AttemptRecord]) -> list[QuestionStats]:
    """Facility and discrimination of every item asked, as Moodle's quiz statistics define them."""
    # Per item: n, sum x, sum y, sum xy, sum xx, sum yy, with x the item's mark and y the share
    # of the marks on the attempt's other questions (Moodle's "rest of the test").
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * 6)
    for attempt in attempts:
        responses = store.exam_responses(attempt.id)
        total = sum(r.mark or 0.0 for r in responses)
        others = len(responses) - 1
        for r in responses:
            x = r.mark or 0.0
            s = sums[(r.deck_id, r.item_key)]
            s[0] += 1
            s[1] += x
            s[4] += x * x
            if others > 0:
                y = (total - x) / others
                s[2] += y
                s[3] += x * y
                s[5] += y * y
    places = _places(store, sorted({deck for deck, _ in sums}))
    out = []
    for (deck_id, key), (n, sx, sy, sxy, sxx, syy) in sorted(sums.items()):
        count = int(n)
        place, prompt = places.get((deck_id, key), (f"{deck_id}/{key}", ""))
        out.append(
            QuestionStats(
                deck_id,
                key,
                place,
                prompt,
                count,
                sx / n if n else None,
                pearson(count, sx, sy, sxy, sxx, syy),
            )
        )
    return out


def _places(store: Store, decks: Sequence[str]) -> Mapping[tuple[str, str], tuple[str, str]]:
    out = {}
    for deck_id, key, _, path, line, content, variant in reports.current_items(store, decks):
        out[(deck_id, key)] = (f"{path}:{line or 1}", item_prompt(content, variant or ""))
    return out


def results_json(results: ExamResults) -> dict[str, object]:
    """The results as plain data, for `--format json`."""
    return {
        "exam": results.exam_id,
        "title": results.title,
        "learners": [
            {
                "learner": lr.learner,
                "grading": lr.grading,
                "counted_grade": lr.counted,
                "passed": lr.passed,
                "attempts": [
                    {
                        "id": a.id,
                        "number": a.number,
                        "started_at": a.started_at,
                        "seconds": a.seconds,
                        "score": a.score,
                        "max_score": a.max_score,
                        "grade": a.grade,
                        "passed": a.passed,
                        "submitted_by": a.submitted_by,
                        "seed": a.seed,
                    }
                    for a in lr.attempts
                ],
            }
            for lr in results.learners
        ],
        "questions": [
            {
                "deck": q.deck_id,
                "item": q.item_key,
                "place": q.place,
                "prompt": q.prompt,
                "attempts": q.attempts,
                "facility": q.facility,
                "discrimination": q.discrimination,
            }
            for q in results.questions
        ],
    }


def results_csv(results: ExamResults) -> str:
    """One row per attempt, then one per question, each section with its own header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "learner",
            "attempt",
            "started_at",
            "seconds",
            "score",
            "max_score",
            "grade",
            "passed",
            "counted_grade",
        ]
    )
    for lr in results.learners:
        for a in lr.attempts:
            writer.writerow(
                [
                    lr.learner,
                    a.number,
                    a.started_at,
                    _num(a.seconds),
                    _num(a.score),
                    _num(a.max_score),
                    _num(a.grade),
                    _flag(a.passed),
                    _num(lr.counted),
                ]
            )
    writer.writerow([])
    writer.writerow(["deck", "item", "place", "attempts", "facility", "discrimination", "prompt"])
    for q in results.questions:
        writer.writerow(
            [
                q.deck_id,
                q.item_key,
                q.place,
                q.attempts,
                _num(q.facility),
                _num(q.discrimination),
                q.prompt,
            ]
        )
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def grades_csv(
    results: ExamResults,
    identifiers: Mapping[str, str] | None = None,
    *,
    id_column: str = "username",
    grade_column: str | None = None,
    scale: float = 100.0,
) -> tuple[str, list[str]]:
    """The counted grades in a CSV Moodle's gradebook imports; also the learners left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([id_column, grade_column or results.exam_id])
    missing = []
    for lr in results.learners:
        if lr.counted is None:
            continue  # no submitted attempt: no grade, rather than an invented 0
        ident = identifiers.get(lr.learner) if identifiers is not None else lr.learner
        if ident is None:
            missing.append(lr.learner)
            continue
        writer.writerow([ident, f"{lr.counted * scale:.2f}"])
    return out.getvalue(), missing

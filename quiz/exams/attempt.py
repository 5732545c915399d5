"""Taking an exam: start or resume an attempt, save answers and flags, submit and mark it."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from quiz.deck.model import Deck, Item, card_of_key
from quiz.deck.problems import Problem
from quiz.exams.pool import Pool, Question, draw, resolve
from quiz.exams.scoring import score
from quiz.exams.spec import ExamSpec, Feedback, Grading
from quiz.grading import Response, grade
from quiz.store.database import Store
from quiz.store.exams import AttemptRecord
from quiz.study import answering
from quiz.study.learner import learner_scheduler
from quiz.xapi.outbox import queue_exam_start, queue_exam_submission


class ExamError(Exception):
    """An attempt cannot be started or resumed; the message says why."""


@dataclass(frozen=True)
class QuestionView:
    """A question as the exam screen needs it."""

    position: int
    item: Item
    options: tuple[str, ...]
    response: Any
    flagged: bool
    mark: float | None


def _find_item(decks: dict[str, Deck], deck_id: str, key: str) -> Item | None:
    deck = decks.get(deck_id)
    if deck is None:
        return None
    card_id = card_of_key(key)
    card = next((c for c in deck.cards if c.id == card_id), None)
    if card is None:
        return None
    variant = key.partition("::")[2]
    return Item(deck_id, card, variant) if variant in card.variants() else None


def settings_of(spec: ExamSpec) -> dict[str, Any]:
    """What an attempt keeps of its exam's settings, so later edits do not change its marks."""
    return {
        "pass_mark": spec.pass_mark,
        "grading": spec.grading.value,
        "feedback": spec.feedback.value,
        "feed_scheduler": spec.feed_scheduler,
        "time_limit": spec.time_limit,
        "attempts": spec.attempts,
    }


def passed(record: AttemptRecord) -> bool | None:
    """Whether a submitted attempt reached its pass mark; None without a pass mark."""
    mark = record.settings.get("pass_mark")
    share = record.grade
    if mark is None or share is None:
        return None
    # Rounding in the sum of marks must not fail a learner exactly at the mark.
    return share + 1e-9 >= float(mark)


def counted_grade(attempts: Sequence[AttemptRecord], grading: Grading) -> float | None:
    """The grade that counts from a learner's submitted attempts, per `grading:`."""
    grades = [a.grade for a in attempts if a.submitted_at is not None and a.grade is not None]
    if not grades:
        return None
    match grading:
        case Grading.BEST:
            return max(grades)
        case Grading.LAST:
            return grades[-1]
        case Grading.MEAN:
            return sum(grades) / len(grades)


class ExamAttempt:
    """One attempt, open or submitted: its questions, answers, clock and marks."""

    def __init__(
        self,
        store: Store,
        spec: ExamSpec,
        decks: Sequence[Deck],
        record: AttemptRecord,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.spec = spec
        self.decks = {d.id: d for d in decks}
        self.record = record
        self.clock = clock
        self.responses = store.exam_responses(record.id)
        self.items: list[Item] = []
        for r in self.responses:
            item = _find_item(self.decks, r.deck_id, r.item_key)
            if item is None:
                raise ExamError(
                    f"attempt {record.id}: question {r.position + 1} asks {r.deck_id}/"
                    f"{r.item_key}, which is no longer in the decks; restore the deck to go on"
                )
            self.items.append(item)

    @classmethod
    def begin(
        cls,
        store: Store,
        spec: ExamSpec,
        decks: Sequence[Deck],
        learner: str,
        clock: Callable[[], datetime],
        *,
        seed: int | None = None,
    ) -> ExamAttempt:
        """The learner's open attempt at the exam, or a new one when attempts are left."""
        pools, problems = resolve(spec, decks)
        seed = random.SystemRandom().randrange(2**31) if seed is None else seed
        # Checked and started in one transaction: two terminals opening the exam at once
        # share one attempt instead of starting two.
        with store.atomic():
            open_one = store.open_exam_attempt(spec.id, learner)
            if open_one is not None:
                record = open_one
            else:
                record = cls._start(store, spec, learner, clock, pools, problems, seed)
        return cls(store, spec, decks, record, clock)

    @staticmethod
    def _start(
        store: Store,
        spec: ExamSpec,
        learner: str,
        clock: Callable[[], datetime],
        pools: Sequence[Pool],
        problems: Sequence[Problem],
        seed: int,
    ) -> AttemptRecord:
        done = [a for a in store.exam_attempts(spec.id, learner) if a.submitted_at is not None]
        if spec.attempts is not None and len(done) >= spec.attempts:
            raise ExamError(
                f"{learner} has used all {spec.attempts} attempt(s) at exam '{spec.id}'"
            )
        if problems:
            raise ExamError("\n".join(str(p) for p in problems))
        questions = draw(spec, pools, seed)
        if not questions:
            raise ExamError(f"exam '{spec.id}' draws no questions")
        now = clock()
        deadline = now + timedelta(seconds=spec.time_limit) if spec.time_limit else None
        record = AttemptRecord(
            id=uuid.uuid4().hex,
            exam_id=spec.id,
            learner=learner,
            exam_title=spec.title,
            exam_path=spec.path,
            seed=seed,
            started_at=now,
            deadline=deadline,
            submitted_at=None,
            submitted_by=None,
            settings=settings_of(spec),
            score=None,
            max_score=None,
        )
        store.add_learner(learner, now)
        store.insert_exam_attempt(record, [(q.deck_id, q.item_key, q.options) for q in questions])
        # The `attempted` statement commits with the attempt (the transactional outbox).
        queue_exam_start(store, record, [q.deck_id for q in questions])
        return record

    @property
    def submitted(self) -> bool:
        """True once the attempt is closed."""
        return self.record.submitted_at is not None

    @property
    def feedback(self) -> Feedback:
        """When this attempt shows right answers."""
        return Feedback(self.record.settings.get("feedback", Feedback.AFTER_EXAM.value))

    def __len__(self) -> int:
        return len(self.items)

    def question(self, position: int) -> QuestionView:
        """Question `position` with its saved answer and flag."""
        r = self.responses[position]
        return QuestionView(
            position, self.items[position], r.options, r.response, r.flagged, r.mark
        )

    def questions(self) -> list[QuestionView]:
        """Every question in order."""
        return [self.question(i) for i in range(len(self.items))]

    def time_left(self) -> float | None:
        """Seconds until the deadline (0 when passed); None without a time limit."""
        if self.record.deadline is None:
            return None
        return max(0.0, (self.record.deadline - self.clock()).total_seconds())

    def expired(self) -> bool:
        """True when the time limit has passed."""
        left = self.time_left()
        return left is not None and left <= 0

    def unanswered(self) -> list[int]:
        """Positions of the questions without an answer."""
        return [r.position for r in self.responses if r.response is None]

    def save(
        self, position: int, response: Response | None, seconds: float = 0.0, *, final: bool = False
    ) -> bool:
        """Save an answer (None clears it); False when the attempt is closed or time is up.

        `final` is the answer on screen when the limit is reached, kept as it stands.
        """
        if self.submitted or (self.expired() and not final):
            return False
        value = None if response is None else _jsonable(response)
        if not self.store.save_exam_response(
            self.record.id, position, value, self.clock(), seconds
        ):
            return False
        old = self.responses[position]
        self.responses[position] = replace(
            old,
            response=value,
            answered_at=self.clock(),
            changes=old.changes + 1,
            seconds=old.seconds + seconds,
        )
        return True

    def spend(self, position: int, seconds: float) -> None:
        """Count time on a question left without a new answer."""
        if not self.submitted and seconds > 0:
            self.store.add_exam_time(self.record.id, position, seconds)

    def flag(self, position: int, flagged: bool) -> None:
        """Flag a question for review, or clear it."""
        if self.submitted:
            return
        self.store.flag_exam_question(self.record.id, position, flagged)
        self.responses[position] = replace(self.responses[position], flagged=flagged)

    def mark(self, position: int) -> float:
        """The mark the saved answer to question `position` earns now."""
        return score(self.items[position], self.responses[position].response)

    def submit(self, by: str = "learner") -> bool:
        """Mark and close the attempt in one transaction; False when it was closed already."""
        if self.submitted:
            return False
        now = self.clock()
        if self.record.deadline is not None and now > self.record.deadline:
            # Time is up at the deadline, however late the submission is noticed.
            now, by = self.record.deadline, "time"
        marks = [self.mark(i) for i in range(len(self.items))]
        with self.store.atomic():
            if not self.store.finish_exam_attempt(self.record.id, now, by, marks):
                return False
            if self.record.settings.get("feed_scheduler"):
                self._feed_scheduler()
            queue_exam_submission(self.store, self.record.id, self.items)
        self.record = self.store.exam_attempt(self.record.id) or self.record
        self.responses = self.store.exam_responses(self.record.id)
        return True

    def _feed_scheduler(self) -> None:
        # Inside submit's transaction: the answers reach the schedule with the marks or not at all.
        for item, r in zip(self.items, self.responses, strict=True):
            if r.response is None:
                continue
            deck = self.decks[item.deck_id]
            result = grade(item, r.response)
            answering.answer(
                self.store,
                # The learner's own settings and parameters, as in study.
                learner_scheduler(self.store, self.record.learner, deck.id, deck.settings, True),
                self.record.learner,
                item,
                result.proposed,
                result=result,
                response=r.response,
                shown_at=None,
                clock=self.clock,
            )

    @property
    def grade(self) -> float | None:
        """The share of the marks, once submitted."""
        return self.record.grade

    @property
    def passed(self) -> bool | None:
        """Pass or fail, once submitted, when the exam has a pass mark."""
        return passed(self.record)


def _jsonable(response: Response) -> Any:
    if isinstance(response, str | bool):
        return response
    if isinstance(response, Mapping):
        return dict(response)
    return list(response)


def questions_of(attempt: ExamAttempt) -> list[Question]:
    """The attempt's questions as drawn, to compare with a draw from its seed."""
    return [Question(r.deck_id, r.item_key, r.options) for r in attempt.responses]

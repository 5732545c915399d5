"""What a study session hands the interface: overviews, items as shown, answers, the summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quiz.deck.model import Deck, Item
from quiz.grading import Grade
from quiz.scheduler import Rating
from quiz.store.reviews import ReviewRecord


@dataclass(frozen=True)
class DeckOverview:
    """How much of a deck there is to study now."""

    deck: Deck
    due: int
    new: int
    total: int
    suspended: int = 0  # items the learner suspended, counted in none of the above but total


@dataclass(frozen=True)
class Presentation:
    """An item as shown: the shuffled choices, items or right-hand options."""

    item: Item
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """A committed answer: its review, grade (None for self-rated) and rating."""

    item: Item
    review: ReviewRecord
    grade: Grade | None

    @property
    def rating(self) -> Rating:
        """The rating stored for this answer."""
        return Rating(self.review.rating)


@dataclass(frozen=True)
class QueueCounts:
    """What a session will still show, by kind, as Anki's three numbers."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        """Everything still to go."""
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class Summary:
    """What a session achieved."""

    studied: int
    answers: int
    graded: int
    correct: int
    seconds: float
    next_due: datetime | None

    @property
    def correct_share(self) -> float | None:
        """Share of auto-graded answers that were right."""
        return self.correct / self.graded if self.graded else None

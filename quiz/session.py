"""The study session, for the interfaces: it lives in quiz.study, and is named here as before."""

from quiz.study.queue import LEARN_AHEAD
from quiz.study.records import Answer, DeckOverview, Presentation, Summary
from quiz.study.session import StudySession

__all__ = ["LEARN_AHEAD", "Answer", "DeckOverview", "Presentation", "StudySession", "Summary"]

"""`quiz check` on exam files: the file format, then every draw against the decks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from quiz.deck.lint import DeckFile
from quiz.deck.model import Deck
from quiz.deck.problems import Problem, Severity
from quiz.exams.loader import read_exam
from quiz.exams.pool import question_count, resolve
from quiz.exams.sources import decks_near


def check_exam_files(paths: Sequence[Path], decks: Sequence[Deck]) -> list[DeckFile]:
    """Each exam file read and its draws resolved against `decks`, then the decks beside it."""
    out = []
    for path in paths:
        name = str(path)
        exam, problems, root = read_exam(path)
        file = DeckFile(name, problems=[p.named() for p in problems], root=root)
        if root is None and any(p.check_rule == "unreadable-file" for p in problems):
            file.readable = False
        if exam is not None:
            pools, resolved = resolve(exam, decks_near(path, decks))
            file.problems.extend(resolved)
            if not resolved and exam.pass_mark is None:
                file.problems.append(
                    Problem(name, 0, 0, Severity.WARNING, "exam has no pass_mark", "no-pass-mark")
                )
            if not resolved and question_count(pools) == 0:
                file.problems.append(
                    Problem(name, 0, 0, Severity.ERROR, "exam draws no questions", "no-cards")
                )
        out.append(file)
    return out

"""Problems found in a deck file, each with its place."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from quiz.deck.text import one_line


class Severity(StrEnum):
    """How bad a problem is: an error makes the deck unusable."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem at a place in a file; line and column are 1-based."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    rule: str | None = None
    # The rule `quiz check` names a problem of reading the file or its YAML by. Loading a deck
    # shows those problems without a rule, as it always has, so the name is kept apart.
    check_rule: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Messages quote deck text and paths come from anywhere: keep each problem on one line,
        # with no control character left to act on the terminal that shows it.
        object.__setattr__(self, "path", one_line(self.path))
        object.__setattr__(self, "message", one_line(self.message))

    def named(self) -> Problem:
        """The problem as `quiz check` shows it: with its rule, or else its `check_rule`."""
        if self.rule or not self.check_rule:
            return self
        return replace(self, rule=self.check_rule)

    def __str__(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {self.message}{rule}"


class DeckError(Exception):
    """A deck could not be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

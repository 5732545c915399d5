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
    """One problem at a place in a file; line and column are 1-based (line 0: no place)."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    rule: str | None = None
    # The rule `quiz check` names a problem of reading the file or its YAML by. Loading a deck
    # shows those problems without a rule, as it always has, so the name is kept apart.
    check_rule: str | None = field(default=None, compare=False, repr=False)
    # What to do about it, when there is something to suggest (shown as `= hint: ...`).
    hint: str | None = field(default=None, compare=False, repr=False)
    # Where the problem ends (1-based, exclusive column); None: one character at its start.
    end_line: int | None = field(default=None, compare=False, repr=False)
    end_column: int | None = field(default=None, compare=False, repr=False)
    # Text that, put in place of the span, is the fix the hint suggests (an editor's quick fix).
    fix: str | None = field(default=None, compare=False, repr=False)

    def __init__(
        self,
        path: str,
        line: int,
        column: int,
        severity: Severity,
        message: str,
        rule: str | None = None,
        check_rule: str | None = None,
        hint: str | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
        fix: str | None = None,
    ) -> None:
        # Messages quote deck text and paths come from anywhere: keep each problem on one line,
        # with no control character left to act on the terminal that shows it.
        if not path.isprintable():
            path = one_line(path)
        if not message.isprintable():
            message = one_line(message)
        if hint is not None:
            hint = one_line(hint)
        # Written to the instance's dict in one step: the generated frozen __init__ sets each
        # field through object.__setattr__, which made a problem cost 4-5 us, and a deck's
        # check makes hundreds of thousands of them. Still frozen: assignment raises.
        self.__dict__.update(
            path=path,
            line=line,
            column=column,
            severity=severity,
            message=message,
            rule=rule,
            check_rule=check_rule,
            hint=hint,
            end_line=end_line,
            end_column=end_column,
            fix=fix,
        )

    @property
    def name(self) -> str | None:
        """The rule the problem is named by: its own, or else its `check_rule`."""
        return self.rule or self.check_rule

    @property
    def end(self) -> tuple[int, int]:
        """The 1-based line and exclusive column where the problem's span ends."""
        if self.end_line is None or self.end_column is None:
            return self.line, self.column + 1
        return self.end_line, self.end_column

    def named(self) -> Problem:
        """The problem as `quiz check` shows it: with its rule, or else its `check_rule`."""
        if self.rule or not self.check_rule:
            return self
        return replace(self, rule=self.check_rule)

    @property
    def place(self) -> str:
        """`path:line:col`, or only the path (or nothing) for a problem with no place in a file."""
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"

    def __str__(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        place = f"{self.place}: " if self.place else ""
        return f"{place}{self.severity.value}: {self.message}{rule}"


class DeckError(Exception):
    """A deck could not be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

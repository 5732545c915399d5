"""The session summary: what was studied and when to come back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from quiz.progress.report import format_duration
from quiz.session import DeckOverview, Summary
from quiz.tui.widgets.status import FittingFooter


def humanize_wait(due: datetime | None, now: datetime) -> str:
    """'in 10 minutes', 'in 3 days' ... for the next due item."""
    if due is None:
        return "nothing scheduled"
    seconds = (due - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 60:
        # A learning step a few seconds off is not due yet: "now" beside "Due now 0" misleads.
        return "in under a minute"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = round(seconds / size)
            return f"in {count} {unit}{'s' if count != 1 else ''}"
    return "now"  # pragma: no cover


class SummaryScreen(Screen[None]):
    """The end of a session."""

    BINDINGS = [
        Binding("enter,escape", "app.back_to_decks", "Back to decks"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, summary: Summary, now: datetime, left: Sequence[DeckOverview] = ()) -> None:
        super().__init__()
        self.summary = summary
        self.now = now
        # Every deck's counts after the session: what is still there to study.
        self.left = list(left)
        self.rows: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        s = self.summary
        table = Table.grid(padding=(0, 3))
        table.add_column(style="dim")
        table.add_column(style="bold")
        table.add_row("Cards studied", str(s.studied))
        table.add_row("Answers", str(s.answers))
        share = s.correct_share
        table.add_row(
            "Right first time",
            f"{s.correct} of {s.graded} ({share:.0%})" if share is not None else "no graded cards",
        )
        table.add_row("Time spent", format_duration(s.seconds))
        due = sum(d.due for d in self.left)
        new = sum(d.new for d in self.left)
        table.add_row("Due now", str(due))
        table.add_row("New available today", str(new))
        table.add_row("Next cards due", "now" if due else humanize_wait(s.next_due, self.now))
        if s.answers:
            title = "Session complete"
        elif due or new:
            title = "Nothing studied"
        else:
            title = "Nothing to study right now"
        self.rows = {str(a): str(b) for a, b in zip(*(c.cells for c in table.columns), strict=True)}
        yield Header()
        with Vertical(id="summary-box") as box:
            box.border_title = title
            yield Static(table)
            hint = "Every answer is saved. Enter returns to the decks."
            if new and not due:
                hint = "New cards wait: Enter returns to the decks, where Enter on one starts them."
            yield Static(Text(hint, style="dim"))
        yield FittingFooter()

"""The instructor's view: every learner in the database, mastery per deck, who is behind."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from quiz.progress.report import days_ago, percent
from quiz.progress.stats import GroupBy, LearnerSummary, class_overview, class_report, standing
from quiz.session import StudySession
from quiz.textsafe import safe
from quiz.tui.widgets.footer import KeyFooter


def plural(count: int, noun: str) -> str:
    """3 learners, 1 deck."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def mastery_cell(mastered: int, total: int) -> Text:
    """Mastered items as a count and a share."""
    share = mastered / total if total else 0.0
    return Text(f"{mastered}/{total} {share:>4.0%}", justify="right")


class InstructorScreen(Screen[None]):
    """The class at a glance; the lower table shows the highlighted learner's decks."""

    # Here rather than in quiz.tcss, with the Exams tab that needs it.
    DEFAULT_CSS = """
    #class-tabs { height: 1fr; }
    #class-tabs TabPane { padding: 0; }
    """

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("e", "tab('tab-exams')", "Exams"),
        Binding("l", "tab('tab-learners')", "Learners"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        self.summaries: list[LearnerSummary] = []

    def compose(self) -> ComposeResult:
        from quiz.tui.screens.exams_tab import ExamsPane

        yield Header()
        with TabbedContent(id="class-tabs"):
            with TabPane("Learners", id="tab-learners"):
                yield Static(id="class-intro")
                yield DataTable(id="class-learners", cursor_type="row", zebra_stripes=True)
                yield Static(id="class-detail")
                yield DataTable(id="class-decks", cursor_type="none", zebra_stripes=True)
            with TabPane("Exams", id="tab-exams"):
                yield ExamsPane(self.session.store)
        yield KeyFooter()

    def on_mount(self) -> None:
        learners = self.query_one("#class-learners", DataTable)
        for label in ("Learner", "Mastered", "Seen", "Due", "Last studied", "Behind in"):
            learners.add_column(label, key=label)
        decks = self.query_one("#class-decks", DataTable)
        for label in ("Deck", "Mastered", "Seen", "Due", "1st right", "Retention", "Status"):
            decks.add_column(label, key=label)
        now = self.session.clock()
        rows = class_report(self.session.store, now, by=GroupBy.DECK)
        self.summaries = class_overview(rows, now)
        behind = sum(1 for s in self.summaries if s.behind)
        deck_count = len({r.group for r in rows})
        self.query_one("#class-intro", Static).update(
            Text.assemble(
                (plural(len(self.summaries), "learner"), "bold"),
                (" · ", "dim"),
                (plural(deck_count, "deck"), ""),
                (" · ", "dim"),
                (f"{behind} falling behind", "bold red" if behind else "green"),
                ("  (↑↓ picks a learner)", "dim"),
            )
        )
        for summary in self.summaries:
            learners.add_row(
                Text(safe(summary.learner), style="bold red" if summary.behind else ""),
                mastery_cell(summary.mastered, summary.total),
                Text(str(summary.seen), justify="right"),
                Text(str(summary.due), justify="right"),
                Text(days_ago(summary.last_studied, now)),
                Text(", ".join(summary.behind) or "-", style="red" if summary.behind else "dim"),
                key=summary.learner,
            )
        if not self.summaries:
            self.query_one("#class-detail", Static).update(
                Text(
                    "No learner has reviews yet. Import learners' progress files with "
                    "quiz progress import FILE ...",
                    style="dim",
                )
            )
        learners.focus()

    def action_tab(self, pane: str) -> None:
        """Show the Learners or the Exams tab, with its first table focused."""
        self.query_one("#class-tabs", TabbedContent).active = pane
        table = "#exam-list" if pane == "tab-exams" else "#class-learners"
        self.query_one(table, DataTable).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "class-learners" and event.row_key.value is not None:
            self.show_learner(event.row_key.value)

    def show_learner(self, name: str) -> None:
        """Fill the lower table with one learner's decks."""
        summary = next((s for s in self.summaries if s.learner == name), None)
        if summary is None:
            return
        now = self.session.clock()
        self.query_one("#class-detail", Static).update(
            Text.assemble((safe(summary.learner), "bold"), (", per deck", "dim"))
        )
        table = self.query_one("#class-decks", DataTable)
        table.clear()
        for row in summary.decks:
            mark = standing(row, now)
            table.add_row(
                Text(row.group),
                mastery_cell(row.mastered, row.total),
                Text(str(row.seen), justify="right"),
                Text(str(row.due), justify="right"),
                Text(percent(row.accuracy), justify="right"),
                Text(percent(row.true_retention), justify="right"),
                Text(mark.label, style="bold red" if mark.behind else "dim"),
            )

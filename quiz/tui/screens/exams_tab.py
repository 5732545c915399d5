"""The instructor screen's Exams tab: each exam's learners and grades, and its questions."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from quiz.exams.results import ExamResults, exam_results
from quiz.exams.spec import format_duration
from quiz.store.database import Store
from quiz.textsafe import safe


def _share(value: float | None) -> Text:
    return Text("-" if value is None else f"{value:.0%}", justify="right")


class ExamsPane(Vertical):
    """Exams with attempts in the database; the lower tables follow the highlighted exam."""

    DEFAULT_CSS = """
    ExamsPane { height: 1fr; }
    #exams-intro, #exam-detail { height: auto; padding: 0 1; }
    #exams-intro { margin: 1 0 0 0; }
    #exam-list { height: auto; max-height: 6; margin: 0 1; overflow-x: hidden; }
    #exam-learners, #exam-questions { height: 1fr; margin: 0 1; overflow-x: hidden; }
    """

    def __init__(self, store: Store) -> None:
        super().__init__(id="exams-pane")
        self.store = store
        self.results: dict[str, ExamResults] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="exams-intro")
        yield DataTable(id="exam-list", cursor_type="row", zebra_stripes=True)
        yield Static(id="exam-detail")
        yield DataTable(id="exam-learners", cursor_type="none", zebra_stripes=True)
        yield DataTable(id="exam-questions", cursor_type="none", zebra_stripes=True)

    def on_mount(self) -> None:
        exams = self.query_one("#exam-list", DataTable)
        for label in ("Exam", "Learners", "Attempts", "Mean grade", "Passed"):
            exams.add_column(label, key=label)
        learners = self.query_one("#exam-learners", DataTable)
        for label in ("Learner", "Attempts", "Grades", "Time", "Counted", "Passed"):
            learners.add_column(label, key=label)
        questions = self.query_one("#exam-questions", DataTable)
        for label in ("Card", "Asked", "Facility", "Discrim.", "Place"):
            questions.add_column(label, key=label)
        for exam_id in self.store.exam_ids():
            result = exam_results(self.store, exam_id)
            self.results[exam_id] = result
            counted = [lr.counted for lr in result.learners if lr.counted is not None]
            passed = [lr.passed for lr in result.learners if lr.passed is not None]
            exams.add_row(
                Text(exam_id),
                Text(str(len(result.learners)), justify="right"),
                Text(str(sum(len(lr.attempts) for lr in result.learners)), justify="right"),
                _share(sum(counted) / len(counted) if counted else None),
                Text(f"{sum(passed)}/{len(passed)}" if passed else "-", justify="right"),
                key=exam_id,
            )
        intro = self.query_one("#exams-intro", Static)
        if not self.results:
            intro.update(
                Text(
                    "No exam has been taken in this database. Learners take one with "
                    "quiz exam EXAM; import their progress files to see them here.",
                    style="dim",
                )
            )
        else:
            count = len(self.results)
            intro.update(
                Text.assemble(
                    (f"{count} exam{'' if count == 1 else 's'}", "bold"),
                    ("  (↑↓ picks an exam; quiz exam results for every figure)", "dim"),
                )
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "exam-list" and event.row_key.value is not None:
            event.stop()
            self.show_exam(event.row_key.value)

    def show_exam(self, exam_id: str) -> None:
        """Fill the lower tables with one exam's learners and questions."""
        result = self.results.get(exam_id)
        if result is None:
            return
        self.query_one("#exam-detail", Static).update(
            Text.assemble((exam_id, "bold"), (f" · {result.title or ''}", "dim"))
        )
        learners = self.query_one("#exam-learners", DataTable)
        learners.clear()
        for lr in result.learners:
            grades = " ".join(
                f"{a.grade:.0%}" if a.grade is not None else "open" for a in lr.attempts
            )
            times = [a.seconds for a in lr.attempts if a.seconds is not None]
            learners.add_row(
                Text(safe(lr.learner)),
                Text(str(len(lr.attempts)), justify="right"),
                Text(grades),
                Text(format_duration(times[-1]) if times else "-", justify="right"),
                _share(lr.counted),
                Text({True: "yes", False: "no", None: "-"}[lr.passed]),
            )
        questions = self.query_one("#exam-questions", DataTable)
        questions.clear()
        for q in result.questions:
            questions.add_row(
                Text(f"{q.deck_id}/{q.item_key}"),
                Text(str(q.attempts), justify="right"),
                _share(q.facility),
                Text(
                    "-" if q.discrimination is None else f"{q.discrimination:.2f}", justify="right"
                ),
                # The file's name: the whole path would push the line number off the screen.
                Text(Path(q.place).name, style="dim"),
            )

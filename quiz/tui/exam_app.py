"""The app of one exam attempt, and `make_exam_app`, the way the CLI and the tests build it."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from quiz.exams.attempt import ExamAttempt
from quiz.tui.screens.exam import ExamResultScreen, ExamScreen


class ExamApp(App[None]):
    """The exam screen over one attempt, then its result."""

    CSS_PATH = ["quiz.tcss", "exam.tcss"]
    TITLE = "quiz exam"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "leave", "Quit", priority=True, show=False)]

    def __init__(self, attempt: ExamAttempt) -> None:
        super().__init__()
        self.attempt = attempt

    def on_mount(self) -> None:
        if self.attempt.submitted:
            self.push_screen(ExamResultScreen(self.attempt))
        else:
            self.push_screen(ExamScreen(self.attempt))

    def action_leave(self) -> None:
        """Quit; mid-attempt, the answer on screen is kept first."""
        screen = self.screen
        if isinstance(screen, ExamScreen):
            screen.action_pause()
        else:
            self.exit()


def make_exam_app(attempt: ExamAttempt) -> ExamApp:
    """The app over an attempt begun (or resumed) with `ExamAttempt.begin`."""
    return ExamApp(attempt)

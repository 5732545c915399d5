"""The exam screen: a question navigator, the time left, answers saved as given, submission."""

from __future__ import annotations

from typing import Any, assert_never

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Header, Static

from quiz.deck.model import Choice, Cloze, Flashcard, Match, Numeric, Order, TrueFalse, Typed
from quiz.exams.attempt import ExamAttempt, QuestionView
from quiz.exams.spec import Feedback, format_duration
from quiz.grading import Response, expected_answer
from quiz.session import Presentation
from quiz.textsafe import safe
from quiz.tui.card_views import card_view, describe_response
from quiz.tui.widgets.answers import (
    AnswerWidget,
    ChoicePicker,
    MatchPicker,
    OrderPicker,
    TextAnswer,
)
from quiz.tui.widgets.footer import KeyFooter

# Under a minute left, the time turns red.
WARN_SECONDS = 60


def restore(view: QuestionView, widget: Widget) -> None:
    """Put a saved answer back into a fresh answer widget."""
    response = view.response
    if response is None:
        return
    card = view.item.card
    match card:
        case Choice():
            picker = _as(widget, ChoicePicker)
            chosen = response if isinstance(response, list) else [response]
            picker.picked = frozenset(
                i for i, option in enumerate(picker.options) if option in chosen
            )
        case TrueFalse():
            _as(widget, ChoicePicker).picked = frozenset({0 if response is True else 1})
        case Cloze() | Typed() | Numeric():
            _as(widget, TextAnswer).value = str(response)
        case Order():
            order = _as(widget, OrderPicker)
            if isinstance(response, list) and sorted(response) == sorted(order.options):
                order.order = tuple(response)
        case Match():
            pairs = _as(widget, MatchPicker)
            if isinstance(response, dict):
                pairs.assigned = {
                    pairs.options.index(left): pairs.rights.index(right)
                    for left, right in response.items()
                    if left in pairs.options and right in pairs.rights
                }
        case Flashcard():
            pass
        case _:
            assert_never(card)


def _as(widget: Widget, cls: type[Any]) -> Any:
    if not isinstance(widget, cls):
        raise TypeError(f"{type(widget).__name__} is not the {cls.__name__} this card needs")
    return widget


def read_answer(widget: Widget) -> Response | None:
    """What the widget holds now; None when it holds no answer (nothing picked or typed)."""
    if isinstance(widget, TextAnswer):
        return widget.value if widget.value.strip() else None
    if isinstance(widget, AnswerWidget):
        response = widget.response()
        return None if response in ("", [], {}) else response
    return None


def navigator(attempt: ExamAttempt, current: int) -> Text:
    """Every question's number: the current one reversed, answered ones marked, flags shown."""
    line = Text()
    for view in attempt.questions():
        answered = view.response is not None
        style = "bold green" if answered else "dim"
        if view.position == current:
            style = "reverse bold"
        line.append(f"{view.position + 1}", style=style)
        line.append("⚑" if view.flagged else ("•" if answered else " "), style="yellow")
        line.append(" ")
    return line


class ConfirmSubmit(ModalScreen[bool]):
    """Submit now? Lists the unanswered and flagged questions first."""

    BINDINGS = [
        Binding("y,enter", "dismiss(True)", "Submit"),
        Binding("n,escape", "dismiss(False)", "Go back"),
    ]

    def __init__(self, unanswered: list[int], flagged: list[int]) -> None:
        super().__init__()
        self.unanswered = unanswered
        self.flagged = flagged

    def compose(self) -> ComposeResult:
        text = Text("Submit the attempt?\n\n", style="bold")
        if self.unanswered:
            numbers = ", ".join(str(p + 1) for p in self.unanswered)
            text.append(f"Unanswered ({len(self.unanswered)}): {numbers}\n", style="bold red")
        else:
            text.append("Every question is answered.\n", style="green")
        if self.flagged:
            numbers = ", ".join(str(p + 1) for p in self.flagged)
            text.append(f"Flagged for review: {numbers}\n", style="yellow")
        text.append("\nAnswers cannot be changed after submitting.\n", style="dim")
        text.append("y or Enter submits · n or Esc goes back", style="dim italic")
        with Vertical(id="exam-confirm"):
            yield Static(text)


class ExamScreen(Screen[None]):
    """One attempt: answer in any order, change answers, flag, submit (or run out of time)."""

    BINDINGS = [
        Binding("pagedown,ctrl+n", "move(1)", "Next", priority=True),
        Binding("pageup,ctrl+p", "move(-1)", "Previous", priority=True),
        Binding("ctrl+r", "flag", "Flag", priority=True),
        Binding("ctrl+s", "finish", "Finish", priority=True),
        Binding("escape", "pause", "Leave", priority=True),
    ]

    TICK_SECONDS = 1.0

    def __init__(self, attempt: ExamAttempt) -> None:
        super().__init__()
        self.attempt = attempt
        self.position = 0
        self.widget: Widget | None = None
        self._initial: Response | None = None
        self._shown_at = attempt.clock()
        first_open = attempt.unanswered()
        if first_open:
            # Resumed: go on from the first question not yet answered.
            self.position = first_open[0]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="exam-status")
        yield Static(id="exam-navigator")
        with VerticalScroll(id="study-body"):
            with Vertical(id="card"):
                yield Static(id="prompt")
                yield Vertical(id="answer-slot")
            yield Static(id="exam-feedback")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.app.sub_title = safe(f"{self.attempt.spec.title} · {self.attempt.record.learner}")
        if self.attempt.expired():
            await self.time_up()
            return
        await self.show(self.position)
        self.set_interval(self.TICK_SECONDS, self.tick)

    def status(self) -> Text:
        """Where the learner is and how long is left."""
        view = self.attempt.question(self.position)
        text = Text(f"Question {self.position + 1} of {len(self.attempt)}", style="bold")
        answered = len(self.attempt) - len(self.attempt.unanswered())
        text.append(f" · {answered} answered", style="dim")
        if view.flagged:
            text.append(" · ⚑ flagged", style="yellow")
        left = self.attempt.time_left()
        if left is not None:
            style = "bold red" if left <= WARN_SECONDS else "bold"
            text.append(" · time left ", style="dim")
            text.append(format_duration(left), style=style)
        return text

    def refresh_lines(self) -> None:
        """Redraw the status line and the navigator."""
        self.query_one("#exam-status", Static).update(self.status())
        self.query_one("#exam-navigator", Static).update(navigator(self.attempt, self.position))

    async def show(self, position: int) -> None:
        """Show question `position` with its saved answer."""
        self.position = position
        self._shown_at = self.attempt.clock()
        view = self.attempt.question(position)
        presentation = Presentation(view.item, view.options)
        card_ui = card_view(presentation)
        card = self.query_one("#card")
        card.border_title = card_ui.label
        self.query_one("#prompt", Static).update(card_ui.prompt)
        slot = self.query_one("#answer-slot")
        await slot.remove_children()
        feedback = self.query_one("#exam-feedback", Static)
        feedback.update("")
        locked = self.attempt.feedback is Feedback.AFTER_EACH and view.response is not None
        self.widget = None if locked else card_ui.answer
        if locked:
            feedback.update(verdict(self.attempt, view))
        elif self.widget is not None:
            restore(view, self.widget)
            await slot.mount(self.widget)
            self._initial = read_answer(self.widget)
            self.widget.focus()
        self.refresh_lines()

    def _elapsed(self) -> float:
        return max(0.0, (self.attempt.clock() - self._shown_at).total_seconds())

    def keep_answer(self, *, final: bool = False) -> None:
        """Save what the widget holds if the learner changed it, and count the time spent."""
        if self.widget is None or self.attempt.submitted:
            return
        current = read_answer(self.widget)
        if current != self._initial:
            self.attempt.save(self.position, current, self._elapsed(), final=final)
            self._initial = current
        else:
            self.attempt.spend(self.position, self._elapsed())
        self._shown_at = self.attempt.clock()

    @on(AnswerWidget.Submitted)
    async def answer_submitted(self, event: AnswerWidget.Submitted) -> None:
        """Enter saves the answer and goes on to the next question."""
        event.stop()
        if self.widget is None:
            return
        response = read_answer(self.widget)
        self.attempt.save(self.position, response, self._elapsed())
        self._initial = response
        self._shown_at = self.attempt.clock()
        if self.attempt.feedback is Feedback.AFTER_EACH and response is not None:
            await self.show(self.position)
        elif self.position + 1 < len(self.attempt):
            await self.show(self.position + 1)
        else:
            self.refresh_lines()
            self.action_finish()

    async def action_move(self, delta: int) -> None:
        """Go to the next or previous question, keeping the answer given."""
        target = self.position + delta
        if 0 <= target < len(self.attempt) and not self.attempt.submitted:
            self.keep_answer()
            await self.show(target)

    def action_flag(self) -> None:
        """Flag the question for review, or clear its flag."""
        view = self.attempt.question(self.position)
        self.attempt.flag(self.position, not view.flagged)
        self.refresh_lines()

    def action_finish(self) -> None:
        """Ask before submitting, listing what is unanswered or flagged."""
        if self.attempt.submitted:
            return
        self.keep_answer()
        self.refresh_lines()
        flagged = [v.position for v in self.attempt.questions() if v.flagged]
        self.app.push_screen(ConfirmSubmit(self.attempt.unanswered(), flagged), self._confirmed)

    async def _confirmed(self, submit: bool | None) -> None:
        if submit:
            await self.submit("learner")

    def action_pause(self) -> None:
        """Leave without submitting: the attempt waits, and its clock keeps running."""
        self.keep_answer()
        self.app.exit(
            message="The attempt is saved; run the same command to go on. Its time keeps running."
        )

    async def tick(self) -> None:
        """Count the time down; at the limit the attempt is submitted as it stands."""
        if self.attempt.submitted:
            return
        if self.attempt.expired():
            await self.time_up()
        else:
            self.refresh_lines()

    async def time_up(self) -> None:
        """Submit what has been answered: the time limit is reached."""
        if isinstance(self.app.screen, ConfirmSubmit):
            self.app.pop_screen()
        # The answer on screen when time runs out counts as it stands, Enter pressed or not.
        self.keep_answer(final=True)
        await self.submit("time")
        self.app.notify("Time is up: the attempt was submitted as it stood.", timeout=8)

    async def submit(self, by: str) -> None:
        """Mark and close the attempt, then show the result."""
        if not self.attempt.submitted:
            if by == "learner":
                self.keep_answer()
            self.attempt.submit(by)
        # Not awaited: this may run inside the exam screen's own handlers, which the switch
        # waits for to end.
        self.app.switch_screen(ExamResultScreen(self.attempt))


def verdict(attempt: ExamAttempt, view: QuestionView) -> Text:
    """A question's answer, mark, right answer and explanation, as feedback shows them."""
    mark = view.mark if view.mark is not None else attempt.mark(view.position)
    style = "green" if mark >= 1 else ("yellow" if mark > 0 else "red")
    text = Text()
    text.append("Your answer: ", style="dim")
    text.append(describe_response(view.response) if view.response is not None else "(none)")
    text.append("\nMark: ", style="dim")
    text.append(f"{mark:.2f} / 1", style=f"bold {style}")
    text.append("\nRight answer: ", style="dim")
    text.append(expected_answer(view.item))
    if view.item.card.explanation:
        text.append("\n")
        text.append(view.item.card.explanation, style="italic")
    return text


def result_text(attempt: ExamAttempt) -> Text:
    """The score and pass or fail."""
    record = attempt.record
    text = Text(f"{attempt.spec.title}\n", style="bold")
    score = record.score or 0.0
    share = attempt.grade or 0.0
    text.append(f"Score {score:g} / {record.max_score or 0:g} ({share:.0%})", style="bold")
    outcome = attempt.passed
    if outcome is not None:
        mark = float(record.settings["pass_mark"])
        text.append(" · ")
        text.append(
            "Passed" if outcome else "Not passed", style="bold green" if outcome else "bold red"
        )
        text.append(f" (pass mark {mark:.0%})", style="dim")
    if record.submitted_at is not None:
        taken = (record.submitted_at - record.started_at).total_seconds()
        text.append(f"\nTime taken {format_duration(taken)}", style="dim")
    if record.submitted_by == "time":
        text.append(" · submitted when the time ran out", style="dim")
    return text


class ExamResultScreen(Screen[None]):
    """The score, pass or fail, and (as the exam's feedback says) every question's answer."""

    BINDINGS = [Binding("escape,q,enter", "app.quit", "Quit")]

    def __init__(self, attempt: ExamAttempt) -> None:
        super().__init__()
        self.attempt = attempt

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="exam-result"):
            yield Static(result_text(self.attempt), id="exam-score")
            if self.attempt.feedback is Feedback.NEVER:
                yield Static(Text("This exam shows no answers.", style="dim"))
            else:
                for view in self.attempt.questions():
                    prompt = Text(f"{view.position + 1}. ", style="bold")
                    prompt.append(view.item.card.prompt(), style="bold")
                    yield Static(
                        prompt.append("\n").append_text(verdict(self.attempt, view)),
                        classes="exam-question",
                    )
        yield KeyFooter()

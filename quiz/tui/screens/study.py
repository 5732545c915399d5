"""The study screen: one item at a time, its answer, feedback and rating."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.reactive import Reactive, reactive
from textual.widget import Widget
from textual.widgets import Header, Static

from quiz.deck.model import Item
from quiz.grading import Response, is_self_rated
from quiz.scheduler import Rating
from quiz.session import Answer, Presentation, StudySession
from quiz.study.records import QueueCounts
from quiz.tui.card_views import CardView, card_view
from quiz.tui.saving import idle, keeps_the_card
from quiz.tui.study_keys import StudyKeys
from quiz.tui.widgets.answers import AnswerWidget, TextAnswer
from quiz.tui.widgets.feedback import Feedback
from quiz.tui.widgets.status import FittingFooter, Part, StatusLine


class Phase(StrEnum):
    """Where the learner is with the item on screen."""

    ASKING = "asking"  # the prompt, waiting for an answer (or for Space, on a flashcard)
    REVEALED = "revealed"  # a flashcard's answer, waiting for the learner's rating
    ANSWERED = "answered"  # the verdict on an answer, with the proposed rating


def short_interval(wait: timedelta) -> str:
    """'1m', '6h', '8d', '3mo', '1.5y': how long until a card is due again, as Anki writes it."""
    seconds = max(60.0, wait.total_seconds())
    days = seconds / 86400
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if days < 1:
        return f"{round(seconds / 3600)}h"
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30)}mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"


def progress_line(done: int, counts: QueueCounts, shown: str | None) -> tuple[Part, ...]:
    """Done, to go, and Anki's three numbers; `shown` is the kind of the item on screen."""
    new = counts.new + (shown == "new")
    learning = counts.learning + (shown == "learning")
    review = counts.review + (shown == "review")
    numbers = Text.assemble(
        (f"{new} new", "blue"),
        ("  ", ""),
        (f"{learning} learning", "red"),
        ("  ", ""),
        (f"{review} review", "green"),
    )
    # On a narrow terminal "done" goes first, then the three numbers: "to go" is the headline.
    return (
        Part(Text(f"{done} done", style="bold"), keep=0),
        Part(
            Text(f"{new + learning + review} to go", style="bold"), keep=2, sep="  ·  ", tight=" · "
        ),
        Part(numbers, keep=1, sep="    ", tight="  "),
    )


def ratings_line(
    phase: Phase,
    self_rated: bool,
    proposed: Rating | None,
    refused: str | None = None,
    previews: Mapping[Rating, timedelta] | None = None,
) -> tuple[Part, ...]:
    """The line under the card: how to answer, or each rating with its next interval."""
    if phase is Phase.ASKING:
        if refused is not None:
            return (Part(Text(refused, style="bold yellow")),)
        hint = "Space shows the answer" if self_rated else "Answer, then Enter"
        return (Part(Text(hint, style="dim")),)
    parts = []
    for rating in Rating:
        text = Text()  # not Text(label, style): that style would cover the interval too
        text.append(f" {int(rating)} {rating.label} ", "reverse bold" if rating == proposed else "")
        if previews and rating in previews:
            text.append(short_interval(previews[rating]), style="dim")
        parts.append(Part(text, keep=1))
    # The hint goes first when narrow: the highlighted rating says the same.
    hint = f"Enter keeps {proposed.label}" if proposed is not None else "Space or Enter: Good"
    parts.append(Part(Text(hint, style="dim"), keep=0))
    return tuple(parts)


SCROLL_KEYS = {
    "up": "up",
    "down": "down",
    "pageup": "page_up",
    "pagedown": "page_down",
    "home": "home",
    "end": "end",
}


def settle_heap() -> None:
    """Collect once, then freeze what is left, for the collector's full passes to skip."""
    # The decks, the queue and the screen are built and live as long as the session: frozen,
    # the collector's full passes skip them, and no key waits while it walks them all.
    gc.collect()
    gc.freeze()


STUDY_BINDINGS: list[BindingType] = [
    Binding("space", "advance", "Show / next"),
    Binding("enter", "advance", "Next", show=False),
    Binding("1", "rate(1)", "Again", show=False),
    Binding("2", "rate(2)", "Hard", show=False),
    Binding("3", "rate(3)", "Good", show=False),
    Binding("4", "rate(4)", "Easy", show=False),
    Binding("u,ctrl+z", "undo", "Undo"),
    Binding("escape,q", "leave", "End"),
    # `?` is typed into a text answer: there, F1 or Ctrl+/ (sent as Ctrl+_) opens the help.
    Binding("question_mark", "help", "Help"),
    Binding("f1,ctrl+underscore,ctrl+slash", "typing_help", "Help", key_display="F1"),
    # Long feedback runs below the fold at 80x24: the usual keys scroll it, whatever has focus.
    *(Binding(key, f"scroll('{where}')", show=False) for key, where in SCROLL_KEYS.items()),
]


# An answer, a rating or an undo whose write fails (a full disk, a deleted database) is said
# on the screen and stops there: the card stays to be answered again, never shown as recorded.
@keeps_the_card("_show_verdict", "action_rate", "action_undo")
class StudyScreen(StudyKeys):
    """Study a queue of items until none is left or the learner leaves; dismissed with a summary."""

    BINDINGS = STUDY_BINDINGS

    # Set again for every item shown, even when it stays the same, so the watcher redraws.
    # The watcher refreshes what it changes: a repaint of the whole screen (Textual's default
    # for a screen's reactive) would render every widget again, the footer's keys included.
    phase: reactive[Phase] = reactive(
        Phase.ASKING, init=False, always_update=True, bindings=True, repaint=False
    )
    # Textual repaints the whole screen when the focus moves, which here is twice per card; the
    # widgets that gain or lose the focus restyle and repaint themselves.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        self.answer: Answer | None = None
        self.view: CardView | None = None
        self.done = 0
        # False from the moment a card is shown until it has been painted: keys typed ahead
        # (Enter pressed twice to go on) must not answer a card the learner has not seen.
        self.painted = False
        self.refused: str | None = None
        # Esc was pressed once over a typed answer not yet submitted.
        self.leaving = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield StatusLine(id="progress")
        with VerticalScroll(id="study-body"):
            with Vertical(id="card"):
                yield Static(id="prompt")
                yield Vertical(id="answer-slot")
            yield Feedback(id="feedback")
        yield StatusLine(id="ratings")
        yield FittingFooter()

    async def on_mount(self) -> None:
        await self.show_next()
        self.call_after_refresh(settle_heap)

    def on_unmount(self) -> None:
        # The session's objects go back to the collector, to be freed once the screen is gone.
        gc.unfreeze()

    def watch_phase(self, phase: Phase) -> None:
        """Show what the phase needs: the feedback once answered, focus, the status lines."""
        feedback = self.query_one("#feedback")
        feedback.display = phase is not Phase.ASKING
        if phase is Phase.ASKING:
            answer = self.query(".answer")
            if answer:
                answer.first().focus()
            else:
                self.set_focus(None)
        else:
            if phase is Phase.ANSWERED:
                for widget in self.query_one("#answer-slot").children:
                    widget.disabled = True
                self.set_focus(None)
            # On a small terminal the feedback may start below the fold.
            self.call_after_refresh(feedback.scroll_visible, animate=False)
        self._update_ratings()
        self._update_progress()

    # Flow

    async def show_next(self) -> None:
        """Show the next item, or end the session when none is left."""
        presentation = self.session.next()
        if presentation is None:
            self.call_later(self._finish)
            return
        await self.show(presentation)

    async def show(self, presentation: Presentation) -> None:
        """Render an item in the asking phase."""
        # One paint for the new card: without the batch, each await below (removing the old
        # answer widget, mounting the new one) let the screen lay out and paint a half-built
        # card, three or four full layouts per key.
        with self.app.batch_update():
            self.answer = None
            item = presentation.item
            view = self.view = card_view(presentation)
            card_box = self.query_one("#card", Vertical)
            card_box.border_title = view.label
            card_box.border_subtitle = Text(self._deck(item).title)
            self.query_one("#prompt", Static).update(view.prompt)
            slot = self.query_one("#answer-slot", Vertical)
            await slot.remove_children()
            if view.answer is not None:
                await slot.mount(view.answer)
            self.painted = False
            self.refused = None
            self.leaving = False
            self.call_after_refresh(self._mark_painted)
            self.phase = Phase.ASKING
            # Housekeeping (a WAL checkpoint) once the card is painted, while the learner reads.
            self.call_after_refresh(idle, self)

    def _mark_painted(self) -> None:
        self.painted = True

    @on(AnswerWidget.Refused)
    def answer_refused(self, message: AnswerWidget.Refused) -> None:
        """Nothing answered yet: say what is wanted, and wait."""
        message.stop()
        if self.phase is Phase.ASKING:
            self.refused = message.reason
            self._update_ratings()

    @on(AnswerWidget.Submitted)
    def answer_submitted(self, message: AnswerWidget.Submitted) -> None:
        """Grade and store the response, then show the verdict."""
        message.stop()
        if not self.painted or self.phase is not Phase.ASKING or self.session.current is None:
            return
        with self.app.batch_update():
            self._show_verdict(message.response)

    def _show_verdict(self, response: Response) -> None:
        answer = self.answer = self.session.submit(response)
        self.done += 1
        self.answered_now(answer)
        feedback = self.query_one(Feedback)
        if answer.grade is None:
            feedback.show_answer(answer.item, self._deck(answer.item))
        else:
            feedback.show_verdict(answer.item, self._deck(answer.item), response, answer.grade)
            if self.view is not None:
                self.view.mark()
        self.phase = Phase.ANSWERED

    def _reveal(self, item: Item) -> None:
        self.query_one(Feedback).show_answer(item, self._deck(item))
        self.phase = Phase.REVEALED

    def _finish(self) -> None:
        # Once only, and not from under another screen (help) that is on top.
        if self.app.screen is self:
            self.dismiss(self.session.summary())

    async def deck_reloaded(self, current_changed: bool) -> None:
        """A deck was edited on disk: show the edited item, or move on if it was removed."""
        if current_changed and self.phase is not Phase.ANSWERED:
            if self.session.current is None:
                await self.show_next()
            else:
                await self.show(self.session.current)
        self._update_progress()

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a text answer has the focus, letters and `?` are typed: F1 is help there.
        if action in ("help", "typing_help"):
            return isinstance(self.focused, TextAnswer) == (action == "typing_help")
        if action == "rate":
            return self.phase is not Phase.ASKING
        if action == "undo":
            return self.session.last_answer is not None or self.can_undo_mark()
        return True

    def action_scroll(self, where: str) -> None:
        """Scroll the card and its feedback (up, down, page_up, page_down, home or end)."""
        body = self.query_one("#study-body", VerticalScroll)
        getattr(body, f"scroll_{where}")(animate=False)

    async def action_advance(self) -> None:
        """Space/Enter: reveal a flashcard and then rate it Good, or go on after an answer."""
        if not self.painted:
            return
        if self.phase is Phase.REVEALED:
            await self.action_rate(int(Rating.GOOD))
            return
        if self.phase is Phase.ASKING:
            current = self.session.current
            if current is not None and is_self_rated(current.item):
                self._reveal(current.item)
            else:
                answer = self.query(".answer")
                if answer:
                    answer.first().focus()
        elif self.phase is Phase.ANSWERED:
            await self.show_next()

    async def action_rate(self, value: int) -> None:
        """Rate the flashcard, or overrule the proposed rating; then go on."""
        if not self.painted:
            return
        rating = Rating(value)
        if self.phase is Phase.REVEALED:
            self.answer = self.session.rate(rating)
            self.done += 1
            self.answered_now(self.answer)
        elif self.phase is Phase.ANSWERED:
            self.answer = self.session.rerate(rating)
            self.rerated_now(self.answer)
        else:
            return
        await self.show_next()

    async def action_undo(self) -> None:
        """Take back the last mark (suspend, bury, flag) or else the last answer, and show it."""
        if await self.undo_mark():
            return
        presentation = self.session.undo()
        if presentation is not None:
            self.done = max(0, self.done - 1)
            self.notify("Last answer undone", timeout=2)
            await self.show(presentation)

    def action_help(self) -> None:
        """Show the keys."""
        self.app.action_help()  # type: ignore[attr-defined]

    action_typing_help = action_help

    def action_leave(self) -> None:
        """End the session (answers are saved), asking first over a typed answer not submitted."""
        focused = self.focused
        typed = isinstance(focused, TextAnswer) and focused.value.strip()
        if typed and self.phase is Phase.ASKING and not self.leaving:
            self.leaving = True
            self.refused = "Your answer is not submitted: Enter submits it, Esc again ends"
            self._update_ratings()
            return
        self.call_later(self._finish)

    # Status lines

    def _update_progress(self) -> None:
        # The item on screen is still to go until it is answered or rated.
        shown: str | None = self.session.current_kind
        if self.phase is Phase.ANSWERED or self.session.current is None:
            shown = None
        line = progress_line(self.done, self.session.queue_counts(), shown)
        self.query_one("#progress", StatusLine).show(line)

    def _update_ratings(self) -> None:
        current = self.session.current
        self_rated = current is not None and is_self_rated(current.item)
        proposed = self.answer.rating if self.answer and self.phase is Phase.ANSWERED else None
        previews = None if self.phase is Phase.ASKING else self.session.interval_previews()
        line = ratings_line(self.phase, self_rated, proposed, self.refused, previews)
        self.query_one("#ratings", StatusLine).show(line)

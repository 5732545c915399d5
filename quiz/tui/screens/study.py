"""The study screen: one item at a time, its answer, feedback and rating."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static

from quiz.deck.model import Choice, Cloze, Flashcard, Match, Numeric, TrueFalse
from quiz.grading import Outcome, expected_answer
from quiz.scheduler import Rating
from quiz.session import Answer, Presentation, StudySession
from quiz.tui.widgets.answers import (
    AnswerReady,
    ChoicePicker,
    MatchPicker,
    OrderPicker,
    TextAnswer,
    TrueFalsePicker,
)
from quiz.tui.widgets.footer import KeyFooter

ASKING, REVEALED, ANSWERED = "asking", "revealed", "answered"
TYPE_LABELS = {
    "flashcard": "Flashcard",
    "choice": "Multiple choice",
    "true_false": "True or false",
    "cloze": "Fill the gap",
    "typed": "Type the answer",
    "numeric": "Give the number",
    "order": "Put in order",
    "match": "Match",
}
VERDICTS = {
    Outcome.RIGHT: ("✓ Right", "verdict-right"),
    Outcome.PARTLY: ("◐ Partly right", "verdict-partly"),
    Outcome.WRONG: ("✗ Wrong", "verdict-wrong"),
}


def prompt_text(presentation: Presentation) -> Text:
    """The question as the learner sees it, as literal text."""
    item = presentation.item
    card = item.card
    if isinstance(card, Flashcard):
        return Text(card.back if item.variant == "reverse" else card.front)
    if isinstance(card, Cloze):
        return Text(card.with_gap(item.gap_index, "[ … ]"))
    text = Text(card.prompt())
    if isinstance(card, Choice) and card.multiple:
        text.append("\n(select all that apply)", style="dim italic")
    if isinstance(card, Numeric) and card.unit:
        text.append(f"\n(answer in {card.unit})", style="dim italic")
    return text


def answer_widget(presentation: Presentation) -> Widget | None:
    """The widget that takes the response for this item's type; None for flashcards."""
    card = presentation.item.card
    if isinstance(card, Flashcard):
        return None
    if isinstance(card, Choice):
        return ChoicePicker(presentation.options, multiple=card.multiple, classes="answer")
    if isinstance(card, TrueFalse):
        return TrueFalsePicker(classes="answer")
    if isinstance(card, Match):
        return MatchPicker(
            tuple(left for left, _ in card.pairs), presentation.options, classes="answer"
        )
    if card.type == "order":
        return OrderPicker(presentation.options, classes="answer")
    placeholder = "a number" if isinstance(card, Numeric) else "your answer"
    return TextAnswer(placeholder=f"Type {placeholder}, then Enter", classes="answer")


def describe_response(response: object) -> str:
    """A learner's response as one line of text."""
    if isinstance(response, bool):
        return "True" if response else "False"
    if isinstance(response, dict):
        return "; ".join(f"{k} → {v}" for k, v in response.items()) or "(nothing)"
    if isinstance(response, list):
        return " · ".join(str(r) for r in response) or "(nothing)"
    return str(response) if response not in (None, "") else "(nothing)"


class StudyScreen(Screen[None]):
    """Study a queue of items until none is left or the learner leaves."""

    BINDINGS = [
        Binding("space", "advance", "Show / next"),
        Binding("enter", "advance", "Next", show=False),
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("escape,q", "leave", "End"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        self.phase = ASKING
        self.answer: Answer | None = None
        self.done = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="progress")
        with VerticalScroll(id="study-body"):
            with Vertical(id="card"):
                yield Static(id="prompt")
                yield Vertical(id="answer-slot")
            with Vertical(id="feedback"):
                yield Static(id="verdict")
                yield Static(id="expected")
                yield Static(id="explanation")
                yield Static(id="source")
        yield Static(id="ratings")
        yield KeyFooter()

    async def on_mount(self) -> None:
        await self.show_next()

    # Flow

    async def show_next(self) -> None:
        """Show the next item, or the summary when none is left."""
        presentation = self.session.next()
        if presentation is None:
            self.app.call_later(self.app.finish_session)  # type: ignore[attr-defined]
            return
        await self.show(presentation)

    async def show(self, presentation: Presentation) -> None:
        """Render an item in the asking phase."""
        self.phase = ASKING
        self.answer = None
        item = presentation.item
        card_box = self.query_one("#card", Vertical)
        card_box.border_title = TYPE_LABELS[item.card.type]
        deck = next(d for d in self.session.decks if d.id == item.deck_id)
        card_box.border_subtitle = Text(deck.title)
        self.query_one("#prompt", Static).update(prompt_text(presentation))
        slot = self.query_one("#answer-slot", Vertical)
        await slot.remove_children()
        widget = answer_widget(presentation)
        if widget is not None:
            await slot.mount(widget)
            widget.focus()
        else:
            self.set_focus(None)
        self.query_one("#feedback").display = False
        self._update_ratings()
        self._update_progress()
        self.refresh_bindings()
        # Housekeeping (a WAL checkpoint) once the card is painted, while the learner reads it.
        self.call_after_refresh(self.session.idle)

    def on_answer_ready(self, message: AnswerReady) -> None:
        message.stop()
        if self.phase != ASKING or self.session.current is None:
            return
        self.answer = self.session.submit(message.response)
        self.done += 1
        self._show_feedback(message.response)

    def _show_feedback(self, response: object) -> None:
        answer = self.answer
        assert answer is not None
        self.phase = ANSWERED
        item = answer.item
        for widget in self.query_one("#answer-slot").children:
            widget.disabled = True
        verdict = self.query_one("#verdict", Static)
        expected = self.query_one("#expected", Static)
        if answer.grade is None:
            verdict.update(Text("Answer", style="bold"))
            expected.update(Text(expected_answer(item)))
        else:
            label, css = VERDICTS[answer.grade.outcome]
            text = Text(label, style="bold")
            if answer.grade.near_miss:
                text.append("  (near miss: check the spelling)", style="italic")
            verdict.update(text)
            verdict.set_classes(css)
            shown = Text()
            if not answer.grade.correct or answer.grade.near_miss:
                shown.append("You said: ", style="dim")
                shown.append(describe_response(response))
                shown.append("\n")
            shown.append("Answer: ", style="dim")
            shown.append(answer.grade.expected)
            expected.update(shown)
        self._fill_context()
        self._show_feedback_box()
        self._update_progress()
        self.refresh_bindings()
        self.set_focus(None)

    def _show_feedback_box(self) -> None:
        feedback = self.query_one("#feedback")
        feedback.display = True
        self._update_ratings()
        # On a small terminal the feedback may start below the fold.
        self.call_after_refresh(feedback.scroll_visible, animate=False)

    def _fill_context(self) -> None:
        presentation_item = self.answer.item if self.answer else None
        if presentation_item is None and self.session.current is not None:
            presentation_item = self.session.current.item
        if presentation_item is None:
            return
        card = presentation_item.card
        explanation = self.query_one("#explanation", Static)
        explanation.update(Text(card.explanation or ""))
        explanation.display = bool(card.explanation)
        deck = next(d for d in self.session.decks if d.id == presentation_item.deck_id)
        source = deck.source_for(card)
        cite = self.query_one("#source", Static)
        if card.source is not None:
            line = Text("Source: ", style="dim")
            line.append(source.citation() if source else card.source.ref)
            if card.source.section:
                line.append(f" — {card.source.section}", style="italic")
            cite.update(line)
            cite.display = True
        else:
            cite.display = False

    def _reveal(self) -> None:
        current = self.session.current
        assert current is not None
        self.phase = REVEALED
        verdict = self.query_one("#verdict", Static)
        verdict.update(Text("Answer", style="bold"))
        verdict.set_classes("")
        self.query_one("#expected", Static).update(Text(expected_answer(current.item)))
        self._fill_context()
        self._show_feedback_box()
        self.refresh_bindings()

    async def deck_reloaded(self, current_changed: bool) -> None:
        """A deck was edited on disk: show the edited item, or move on if it was removed."""
        if current_changed and self.phase != ANSWERED:
            if self.session.current is None:
                await self.show_next()
            else:
                await self.show(self.session.current)
        self._update_progress()

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":
            return self.phase in (REVEALED, ANSWERED)
        if action == "undo":
            return self.session.last_answer is not None
        return True

    async def action_advance(self) -> None:
        """Space/Enter: reveal a flashcard, or go on after an answer."""
        if self.phase == ASKING:
            current = self.session.current
            if current is not None and isinstance(current.item.card, Flashcard):
                self._reveal()
            else:
                answer = self.query(".answer")
                if answer:
                    answer.first().focus()
        elif self.phase == ANSWERED:
            await self.show_next()

    async def action_rate(self, value: int) -> None:
        """Rate the flashcard, or overrule the proposed rating; then go on."""
        rating = Rating(value)
        if self.phase == REVEALED:
            self.answer = self.session.rate(rating)
            self.done += 1
        elif self.phase == ANSWERED:
            self.answer = self.session.rerate(rating)
        else:
            return
        await self.show_next()

    async def action_undo(self) -> None:
        """Take back the last answer and ask the item again."""
        presentation = self.session.undo()
        if presentation is not None:
            self.done = max(0, self.done - 1)
            self.notify("Last answer undone", timeout=2)
            await self.show(presentation)

    def action_leave(self) -> None:
        """End the session; every answer is already saved."""
        self.app.call_later(self.app.finish_session)  # type: ignore[attr-defined]

    # Status lines

    def _update_progress(self) -> None:
        left = self.session.remaining() + (1 if self.phase == ASKING else 0)
        text = Text.assemble(
            (f"{self.done} done", "bold"),
            ("  ·  ", "dim"),
            (f"{left} to go", "bold"),
        )
        self.query_one("#progress", Static).update(text)

    def _update_ratings(self) -> None:
        ratings = self.query_one("#ratings", Static)
        if self.phase == ASKING:
            current = self.session.current
            flash = current is not None and isinstance(current.item.card, Flashcard)
            hint = "Space shows the answer" if flash else "Answer, then Enter"
            ratings.update(Text(hint, style="dim"))
            return
        proposed = self.answer.rating if self.answer and self.phase == ANSWERED else None
        text = Text()
        for rating in Rating:
            style = "reverse bold" if rating == proposed else ""
            text.append(f" {int(rating)} {rating.label} ", style=style)
            text.append("  ")
        if proposed is not None:
            text.append(f"Enter keeps {proposed.label}", style="dim")
        else:
            text.append("How well did you recall it?", style="dim")
        ratings.update(text)

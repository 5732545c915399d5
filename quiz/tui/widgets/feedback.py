"""The feedback box under a card: the verdict or the answer, the explanation and the source."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from quiz.deck.model import Deck, Item
from quiz.grading import Grade, Outcome, Response, expected_answer
from quiz.tui.card_views import feedback_text

VERDICTS = {
    Outcome.RIGHT: ("✓ Right", "verdict-right"),
    Outcome.PARTLY: ("◐ Partly right", "verdict-partly"),
    Outcome.WRONG: ("✗ Wrong", "verdict-wrong"),
}


class Feedback(Vertical):
    """What the learner reads once a card is answered or revealed."""

    def compose(self) -> ComposeResult:
        yield Static(id="verdict")
        yield Static(id="expected")
        yield Static(id="explanation")
        yield Static(id="source")

    def show_answer(self, item: Item, deck: Deck) -> None:
        """A revealed flashcard's (or an ungraded item's) answer."""
        verdict = self.query_one("#verdict", Static)
        verdict.update(Text("Answer", style="bold"))
        verdict.set_classes("")
        self.query_one("#expected", Static).update(Text(expected_answer(item)))
        self._fill_context(item, deck)

    def show_verdict(self, item: Item, deck: Deck, response: Response, grade: Grade) -> None:
        """The verdict on an answer, what was said and the right answer."""
        label, css = VERDICTS[grade.outcome]
        text = Text(label, style="bold")
        if grade.near_miss:
            text.append("  (near miss: check the spelling)", style="italic")
        verdict = self.query_one("#verdict", Static)
        verdict.update(text)
        verdict.set_classes(css)
        self.query_one("#expected", Static).update(feedback_text(item, response, grade))
        self._fill_context(item, deck)

    def _fill_context(self, item: Item, deck: Deck) -> None:
        card = item.card
        explanation = self.query_one("#explanation", Static)
        explanation.update(Text(card.explanation or ""))
        explanation.display = bool(card.explanation)
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

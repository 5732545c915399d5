"""How each card type is studied on screen: its label, its prompt and the widget for the answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from rich.text import Text
from textual.widget import Widget

from quiz.deck.model import Choice, Cloze, Flashcard, Match, Numeric, Order, TrueFalse, Typed
from quiz.grading import read_number
from quiz.session import Presentation
from quiz.tui.widgets.answers import (
    ChoicePicker,
    MatchPicker,
    OrderPicker,
    TextAnswer,
    TrueFalsePicker,
)

_HINT = "dim italic"


@dataclass(frozen=True)
class CardView:
    """One item as the study screen shows it; `answer` is None for a card rated by the learner."""

    label: str
    prompt: Text
    answer: Widget | None


def _typed(what: str) -> TextAnswer:
    return TextAnswer(placeholder=f"Type {what}, then Enter", classes="answer")


def _number(card: Numeric) -> TextAnswer:
    def check(text: str) -> str | None:
        if read_number(text, card.unit) is not None:
            return None
        unit = f", optionally followed by {card.unit}" if card.unit else ""
        return f"A number, e.g. 18000 or 18,000{unit}, then Enter"

    return TextAnswer(placeholder="Type a number, then Enter", check=check, classes="answer")


def card_view(presentation: Presentation) -> CardView:
    """The view of a presented item: the one place that knows every card type's look."""
    item = presentation.item
    card = item.card
    # Deck text becomes Text, never markup, so it is shown literally.
    match card:
        case Flashcard():
            front = card.back if item.variant == "reverse" else card.front
            return CardView("Flashcard", Text(front), None)
        case Choice():
            prompt = Text(card.prompt())
            if card.multiple:
                prompt.append("\n(select all that apply)", style=_HINT)
            picker = ChoicePicker(presentation.options, multiple=card.multiple, classes="answer")
            return CardView("Multiple choice", prompt, picker)
        case TrueFalse():
            return CardView("True or false", Text(card.prompt()), TrueFalsePicker(classes="answer"))
        case Cloze():
            prompt = Text(card.with_gap(item.gap_index, "[ … ]"))
            return CardView("Fill the gap", prompt, _typed("your answer"))
        case Typed():
            return CardView("Type the answer", Text(card.prompt()), _typed("your answer"))
        case Numeric():
            prompt = Text(card.prompt())
            if card.unit:
                prompt.append(f"\n(answer in {card.unit})", style=_HINT)
            return CardView("Give the number", prompt, _number(card))
        case Order():
            order = OrderPicker(presentation.options, classes="answer")
            return CardView("Put in order", Text(card.prompt()), order)
        case Match():
            lefts = tuple(left for left, _ in card.pairs)
            pairs = MatchPicker(lefts, presentation.options, classes="answer")
            return CardView("Match", Text(card.prompt()), pairs)
        case _:
            assert_never(card)

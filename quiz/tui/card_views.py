"""How each card type is studied on screen: its label, its prompt and the widget for the answer."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import assert_never

from rich.text import Text
from textual.widget import Widget

from quiz.deck.model import Choice, Cloze, Flashcard, Item, Match, Numeric, Order, TrueFalse, Typed
from quiz.grading import Grade, Response, normalize, read_number
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
    # Marks the graded answer on the widget itself (✓/✗ per option, pair or position).
    mark: Callable[[], None] = field(default=lambda: None)


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
            answers = frozenset(card.answers)
            return CardView("Multiple choice", prompt, picker, lambda: picker.mark(answers))
        case TrueFalse():
            truth = TrueFalsePicker(classes="answer")
            told = frozenset({"True" if card.answer else "False"})
            return CardView("True or false", Text(card.prompt()), truth, lambda: truth.mark(told))
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
            items = card.items
            return CardView("Put in order", Text(card.prompt()), order, lambda: order.mark(items))
        case Match():
            lefts = tuple(left for left, _ in card.pairs)
            pairs = MatchPicker(lefts, presentation.options, classes="answer")
            wanted = dict(card.pairs)
            return CardView("Match", Text(card.prompt()), pairs, lambda: pairs.mark(wanted))
        case _:
            assert_never(card)


def feedback_text(item: Item, response: Response, grade: Grade) -> Text:
    """What was said (when wrong or a near miss) and the answer, as the verdict shows them."""
    # A cloze answer is its whole sentence with the gap marked; a typed or cloze answer that was
    # not quite right has the letters that differ marked on both sides.
    card = item.card
    said: Text = Text(describe_response(response))
    answer = Text(grade.expected)
    match card:
        case Cloze():
            said, answer = _compared(response, card.gaps[item.gap_index or 0], grade)
            before, _, after = card.with_gap(item.gap_index, "\0").partition("\0")
            answer = Text.assemble(before, answer, after)
            answer.stylize("underline", len(before), len(answer) - len(after))
        case Typed():
            said, answer = _compared(response, (card.answer, *card.accept), grade)
        case Flashcard() | Choice() | TrueFalse() | Numeric() | Order() | Match():
            pass
        case _:
            assert_never(card)
    shown = Text()
    if not grade.correct or grade.near_miss:
        shown.append("You said: ", style="dim")
        shown.append_text(said)
        shown.append("\n")
    shown.append("Answer: ", style="dim")
    shown.append_text(answer)
    return shown


def _compared(response: Response, accepted: tuple[str, ...], grade: Grade) -> tuple[Text, Text]:
    """A typed response and the answer; not quite right, the letters that differ marked."""
    if (
        not isinstance(response, str)
        or not response.strip()
        or (grade.correct and not grade.near_miss)
    ):
        return Text(describe_response(response)), Text(grade.expected)
    return marked_difference(response, closest(response, accepted))


def closest(said: str, accepted: tuple[str, ...]) -> str:
    """The accepted answer nearest to what was typed."""
    folded = normalize(said)
    return max(accepted, key=lambda a: difflib.SequenceMatcher(None, folded, normalize(a)).ratio())


def marked_difference(said: str, target: str) -> tuple[Text, Text]:
    """What was typed and the answer, each with the letters the other lacks marked."""
    matcher = difflib.SequenceMatcher(None, said.casefold(), target.casefold(), autojunk=False)
    mine, theirs = Text(), Text()
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            mine.append(said[a0:a1])
            theirs.append(target[b0:b1])
            continue
        mine.append(said[a0:a1], style="bold red underline")
        theirs.append(target[b0:b1], style="bold green underline")
    return mine, theirs


def describe_response(response: object) -> str:
    """A learner's response as one line of text."""
    if isinstance(response, bool):
        return "True" if response else "False"
    if isinstance(response, dict):
        return "; ".join(f"{k} → {v}" for k, v in response.items()) or "(nothing)"
    if isinstance(response, list):
        return " · ".join(str(r) for r in response) or "(nothing)"
    return str(response) if response not in (None, "") else "(nothing)"

"""Keyboard-first answer widgets, one per kind of response; deck text is shown literally."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input

from quiz.grading import Response

LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A second digit this soon after the first makes a two-digit choice number (1 then 2: 12).
TWO_DIGIT_SECONDS = 1.0


def numbered(index: int, count: int) -> str:
    """'3.' for the fourth of `count` lines, right-aligned when there are ten or more."""
    return f"{index + 1}.".rjust(len(str(count)) + 1)


class AnswerWidget(Widget, can_focus=True):
    """Base for list-like answer widgets: a cursor over lines of text."""

    class Submitted(Message):
        """The learner submitted a response, from any answer widget (`TextAnswer` too)."""

        def __init__(self, response: Response) -> None:
            super().__init__()
            self.response = response

    class Refused(Message):
        """The learner pressed Enter on an answer that cannot be submitted: why, to show."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("enter", "submit", "Submit"),
    ]
    cursor: reactive[int] = reactive(0)

    def __init__(self, options: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = options

    def action_move(self, delta: int) -> None:
        """Move the cursor."""
        self.cursor = max(0, min(len(self.options) - 1, self.cursor + delta))

    def action_submit(self) -> None:
        """Submit the response, unless nothing has been answered yet."""
        reason = self.refusal()
        if reason is not None:
            self.post_message(self.Refused(reason))
        else:
            self.post_message(self.Submitted(self.response()))

    def response(self) -> Response:
        """The learner's response so far."""
        raise NotImplementedError

    def refusal(self) -> str | None:
        """Why the response so far cannot be submitted (nothing picked ...), or None."""
        raise NotImplementedError

    def line(self, index: int, marker: str, text: str, right: bool | None = None) -> Text:
        """One option line, the cursor line highlighted; after grading, marked ✓ or ✗."""
        style = "reverse" if index == self.cursor and self.has_focus else ""
        if right is None:
            line = Text(f" {marker} ", style="bold")
        else:
            line = Text("✓" if right else "✗", style="bold green" if right else "bold red")
            line.append(f"{marker} ", style="bold")
        line.append(text, style=style)
        return line


class ChoicePicker(AnswerWidget):
    """Pick one option, or toggle several: digits pick, arrows and Space work too."""

    BINDINGS = [Binding("space,x", "pick_cursor", "Pick", show=False)]
    picked: reactive[frozenset[int]] = reactive(frozenset())

    def __init__(self, options: tuple[str, ...], *, multiple: bool, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self.multiple = multiple
        # The first digit of a possible two-digit number: its value, when, and the picks before.
        self._first_digit: tuple[int, float, frozenset[int]] | None = None
        self.answers: frozenset[str] | None = None

    def mark(self, answers: frozenset[str]) -> None:
        """After grading: mark the right options ✓, and wrong picks ✗."""
        self.answers = answers
        self.refresh()

    def on_key(self, event: events.Key) -> None:
        """Digits pick by number; with ten options or more, two quick digits make one number."""
        if event.character is None or not event.character.isdigit() or len(event.key) != 1:
            return
        event.stop()
        event.prevent_default()
        digit, now, count = int(event.character), time.monotonic(), len(self.options)
        first = self._first_digit
        self._first_digit = None
        if first is not None and now - first[1] < TWO_DIGIT_SECONDS:
            number = first[0] * 10 + digit
            if number <= count:
                self.picked = first[2]
                self.action_pick(number - 1)
                return
        if 1 <= digit <= count:
            before = self.picked
            self.action_pick(digit - 1)
            if digit * 10 <= count:
                self._first_digit = (digit, now, before)

    def action_pick(self, index: int) -> None:
        """Pick (or toggle) option `index`."""
        if index < len(self.options):
            self.cursor = index
            self.action_pick_cursor()

    def action_pick_cursor(self) -> None:
        """Pick (or toggle) the option under the cursor."""
        if self.multiple:
            self.picked = self.picked ^ {self.cursor}
        else:
            self.picked = frozenset({self.cursor})

    def refusal(self) -> str | None:
        if self.picked:
            return None
        if self.multiple:
            return "Pick one or more answers first, then Enter"
        return "Pick an answer first, then Enter"

    def response(self) -> Response:
        chosen = [self.options[i] for i in sorted(self.picked)]
        if self.multiple:
            return chosen
        return chosen[0] if chosen else ""

    def render(self) -> Text:
        lines = Text()
        for i, option in enumerate(self.options):
            box = (
                ("[x]" if i in self.picked else "[ ]")
                if self.multiple
                else ("(•)" if i in self.picked else "( )")
            )
            right: bool | None = None
            if self.answers is not None:
                # Right options are ✓; a wrong pick is ✗; an option rightly left alone is unmarked.
                right = True if option in self.answers else (False if i in self.picked else None)
            marker = f"{numbered(i, len(self.options))} {box}"
            lines.append_text(self.line(i, marker, option, right))
            lines.append("\n")
        if self.answers is not None:
            lines.rstrip()
            return lines
        hint = (
            "Space or a digit toggles; Enter submits"
            if self.multiple
            else ("A digit or Space picks; Enter submits")
        )
        lines.append(hint, style="dim italic")
        return lines


class TrueFalsePicker(ChoicePicker):
    """True or false: t/f or 1/2."""

    BINDINGS = [Binding("t", "pick(0)", "True"), Binding("f", "pick(1)", "False")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(("True", "False"), multiple=False, **kwargs)

    def response(self) -> Response:
        if not self.picked:
            return ""
        return 0 in self.picked


class OrderPicker(AnswerWidget):
    """Reorder items: Shift+arrows (or [ and ]) move the item under the cursor."""

    BINDINGS = [
        Binding("shift+up,left_square_bracket", "shift(-1)", "Move up", show=False),
        Binding("shift+down,right_square_bracket", "shift(1)", "Move down", show=False),
        Binding("space", "grab", "Grab", show=False),
    ]
    order: reactive[tuple[str, ...]] = reactive(())
    grabbed: reactive[bool] = reactive(False)
    # The shown order is never the right one: submitting it untouched is a slip, not an answer.
    moved = False
    correct: tuple[str, ...] | None = None

    def mark(self, correct: tuple[str, ...]) -> None:
        """After grading: mark each position ✓ or ✗, with where a misplaced item belongs."""
        self.correct = correct
        self.refresh()

    def __init__(self, options: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self.set_reactive(OrderPicker.order, options)

    def action_grab(self) -> None:
        """Pick up the item under the cursor, or put it down; arrows then carry it."""
        self.grabbed = not self.grabbed

    def action_move(self, delta: int) -> None:
        if self.grabbed:
            self.action_shift(delta)
        else:
            super().action_move(delta)

    def action_shift(self, delta: int) -> None:
        """Move the item under the cursor up or down."""
        target = self.cursor + delta
        if 0 <= target < len(self.order):
            items = list(self.order)
            items[self.cursor], items[target] = items[target], items[self.cursor]
            self.order = tuple(items)
            self.cursor = target
            self.moved = True

    def response(self) -> Response:
        return list(self.order)

    def refusal(self) -> str | None:
        return None if self.moved else "Put the items in order first (Shift+↑↓ moves), then Enter"

    def render(self) -> Text:
        lines = Text()
        for i, item in enumerate(self.order):
            count = len(self.order)
            marker = (
                "≡".rjust(len(str(count)) + 1)
                if self.grabbed and i == self.cursor
                else numbered(i, count)
            )
            if self.correct is None:
                lines.append_text(self.line(i, marker, item))
            else:
                right = i < len(self.correct) and self.correct[i] == item
                lines.append_text(self.line(i, marker, item, right))
                if not right and item in self.correct:
                    lines.append(f"  (belongs at {self.correct.index(item) + 1})", style="dim")
            lines.append("\n")
        if self.correct is None:
            lines.append(
                "↑↓ select · Shift+↑↓ or [ ] move · Space grabs · Enter submits", style="dim italic"
            )
        lines.rstrip()
        return lines


class MatchPicker(AnswerWidget):
    """Match left items to lettered right options: ↑↓ choose a left item, a letter assigns."""

    BINDINGS = [Binding("backspace,delete", "clear", "Clear", show=False)]
    assigned: reactive[dict[int, int]] = reactive(dict, always_update=True)

    def __init__(self, lefts: tuple[str, ...], rights: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(lefts, **kwargs)
        self.rights = rights
        self.pairs: dict[str, str] | None = None

    def mark(self, pairs: dict[str, str]) -> None:
        """After grading: mark each match ✓ or ✗, with the right option of a wrong one."""
        self.pairs = pairs
        self.refresh()

    def on_key(self, event: events.Key) -> None:
        """A letter of a shown option assigns it; other letters keep their meaning (j, k, u, q)."""
        letters = LETTERS[: len(self.rights)]
        if event.character and len(event.key) == 1 and event.character in letters:
            event.stop()
            event.prevent_default()
            self.action_assign(letters.index(event.character))

    def action_assign(self, right: int) -> None:
        """Match the left item under the cursor to right option `right`."""
        if right < len(self.rights):
            self.assigned = {**self.assigned, self.cursor: right}
            self.cursor = min(self.cursor + 1, len(self.options) - 1)

    def action_clear(self) -> None:
        """Undo the match of the left item under the cursor."""
        self.assigned = {k: v for k, v in self.assigned.items() if k != self.cursor}

    def response(self) -> Response:
        return {self.options[k]: self.rights[v] for k, v in self.assigned.items()}

    def refusal(self) -> str | None:
        return None if self.assigned else "Match an item to a lettered option first, then Enter"

    def render(self) -> Text:
        lines = Text()
        for i, left in enumerate(self.options):
            right = self.assigned.get(i)
            wanted = None if self.pairs is None else self.pairs.get(left)
            ok = (
                None if self.pairs is None else (right is not None and self.rights[right] == wanted)
            )
            lines.append_text(self.line(i, numbered(i, len(self.options)), left, ok))
            lines.append("  →  ", style="dim")
            if right is None:
                lines.append("?", style="dim")
            else:
                lines.append(f"{LETTERS[right]}. ", style="bold")
                lines.append(self.rights[right])
            if ok is False and wanted is not None:
                lines.append(
                    f"  (right: {LETTERS[self.rights.index(wanted)]}. {wanted})", style="dim"
                )
            lines.append("\n")
        lines.append("\n")
        for i, right_text in enumerate(self.rights):
            lines.append(f" {LETTERS[i]}. ", style="bold")
            lines.append(right_text)
            lines.append("\n")
        if self.pairs is not None:
            lines.rstrip()
            return lines
        lines.append("↑↓ choose an item · a letter matches it · Enter submits", style="dim italic")
        return lines


def must_not_be_blank(text: str) -> str | None:
    """The refusal of a typed answer with nothing in it."""
    return "Type your answer first, then Enter" if not text.strip() else None


class TextAnswer(Input):
    """A typed answer; Enter submits what `check` does not refuse."""

    def __init__(
        self,
        placeholder: str,
        check: Callable[[str], str | None] = must_not_be_blank,
        **kwargs: Any,
    ) -> None:
        super().__init__(placeholder=placeholder, **kwargs)
        self.check = check

    async def action_submit(self) -> None:
        # One message for every answer widget: the study screen need not know which it shows.
        reason = must_not_be_blank(self.value) or self.check(self.value)
        if reason is not None:
            self.post_message(AnswerWidget.Refused(reason))
        else:
            self.post_message(AnswerWidget.Submitted(self.value))

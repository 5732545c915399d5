"""The help screen's rows against the keys really bound: none missing, none made up."""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Tabs

from quiz.tui.app import QuizApp
from quiz.tui.screens.browser import BrowserScreen
from quiz.tui.screens.help import KEYS
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.instructor import InstructorScreen
from quiz.tui.screens.stats import StatsScreen
from quiz.tui.screens.study import StudyScreen
from quiz.tui.study_keys import FlagPicker, StudyKeys
from quiz.tui.widgets.answers import (
    AnswerWidget,
    ChoicePicker,
    MatchPicker,
    OrderPicker,
    TrueFalsePicker,
)

# How help writes a Textual key name.
SHOWN = {
    "space": "Space",
    "enter": "Enter",
    "escape": "Esc",
    "question_mark": "?",
    "exclamation_mark": "!",
    "minus": "-",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "backspace": "Backspace",
    "delete": "Delete",
    "f1": "F1",
    "slash": "/",
    # Ctrl+/ reaches a terminal app as Ctrl+_ or as Ctrl+/, depending on the terminal.
    "ctrl+underscore": "Ctrl+/",
    "ctrl+slash": "Ctrl+/",
}

# Words of help's key column that name no single key.
PROSE = {"or", "+", "/", "typing", "digits", "...", "1-4"}
# Keys an answer widget reads in on_key rather than binds: letters match options (digits,
# written "digits", pick choices).
READ_BY_WIDGETS = {"a", "b", "c"}


def shown(key: str) -> str:
    """A key name as help writes it: 'ctrl+s' is Ctrl+S, 'shift+up' Shift+↑."""
    if key in SHOWN:
        return SHOWN[key]
    if "+" in key:
        modifier, _, rest = key.partition("+")
        return f"{modifier.capitalize()}+{shown(rest).upper() if len(rest) == 1 else shown(rest)}"
    return key


def bound(bindings: Iterable[BindingType]) -> set[str]:
    """Every key of these bindings, as help writes it."""
    keys: set[str] = set()
    for binding in bindings:
        assert isinstance(binding, Binding)
        keys |= {shown(key.strip()) for key in binding.key.split(",")}
    return keys


def listed(section: str, skip: set[str] = PROSE) -> set[str]:
    """The keys a help section names: "Shift+↑ ↓" is Shift+↑ and Shift+↓."""
    rows = dict(KEYS)[section]
    keys: set[str] = set()
    for key_text, _ in rows:
        modifier = ""
        for word in re.split(r"[\s,()]+", key_text):
            if not word:
                continue
            if word.startswith("Shift+"):
                modifier = "Shift+"
            elif word in ("↑", "↓") and modifier:
                word = modifier + word
            else:
                modifier = ""
            if word not in skip:
                keys.add(word)
    return keys


STUDY_BINDINGS = [
    *StudyScreen.BINDINGS,
    *StudyKeys.BINDINGS,
    *FlagPicker.BINDINGS,
    *AnswerWidget.BINDINGS,
    *ChoicePicker.BINDINGS,
    *TrueFalsePicker.BINDINGS,
    *OrderPicker.BINDINGS,
    *MatchPicker.BINDINGS,
    *QuizApp.BINDINGS,
]


def test_every_study_key_is_in_help():
    missing = bound(STUDY_BINDINGS) - listed("Studying", PROSE | READ_BY_WIDGETS)
    missing -= listed("Anywhere")
    assert not missing, f"bound while studying but not in help: {sorted(missing)}"


def test_every_key_help_lists_for_studying_is_bound():
    made_up = listed("Studying", PROSE | READ_BY_WIDGETS) - bound(STUDY_BINDINGS)
    assert not made_up, f"in help but bound nowhere while studying: {sorted(made_up)}"


def test_home_keys_and_help_agree():
    home = bound(HomeScreen.BINDINGS)
    assert home - listed("Home") - listed("Anywhere") == set()
    # The deck list's own arrows are DataTable's.
    assert listed("Home") - home - bound(DataTable.BINDINGS) == set()


def test_anywhere_keys_are_bound_on_every_screen_they_claim():
    assert listed("Anywhere") <= bound([*StudyScreen.BINDINGS, *QuizApp.BINDINGS])
    assert listed("Anywhere") - {"F1", "Ctrl+/"} <= bound([*HomeScreen.BINDINGS, *QuizApp.BINDINGS])


def test_statistics_and_class_keys_and_help_agree():
    screens = bound([*StatsScreen.BINDINGS, *InstructorScreen.BINDINGS]) - {"?"}
    assert screens - listed("Statistics and class") == set()
    # Tabs switch with Textual's own arrows, the learners table moves with DataTable's.
    widgets = bound([*Tabs.BINDINGS, *DataTable.BINDINGS])
    assert listed("Statistics and class") - screens - widgets == set()


def test_browser_keys_and_help_agree():
    # Digits are written "1-4 0"; Enter is the search box's; "/" is a key here, not "or".
    screen = bound(BrowserScreen.BINDINGS) - {"1", "2", "3", "4"}
    rows = listed("Browser", PROSE - {"/"})
    assert screen - rows == set()
    assert rows - screen - bound(Input.BINDINGS) == set()

"""The help screen: every key, by screen."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    (
        "Home",
        [
            ("↑ ↓", "choose a deck"),
            ("Enter", "study the deck"),
            ("a", "study everything due, in all decks"),
            ("s", "statistics: reviews, due, retention, mastery"),
            ("b", "browse: search cards, see their history, mark them"),
            ("i", "the class: every learner, who is falling behind"),
            ("o", "study settings, and what a desired retention costs"),
            ("q", "quit"),
        ],
    ),
    (
        "Studying",
        [
            ("Space / Enter", "show the answer (again: Good), submit, or go on"),
            ("1 2 3 4", "rate Again, Hard, Good, Easy (changes a proposed rating, then goes on)"),
            ("digits, t / f", "pick choices (two quick digits from 10); true or false"),
            ("↑ ↓ (j k), Space (x)", "move and pick in lists; Space grabs an item to order"),
            ("Shift+↑ ↓ or [ ]", "move an item when putting items in order"),
            ("a b c ...", "match the selected item to a lettered option"),
            ("Backspace or Delete", "take back the selected item's match"),
            ("PgUp PgDn Home End", "scroll the card and its feedback"),
            ("u (Ctrl+Z typing)", "undo the last answer, suspension, burial or flag"),
            ("! or Ctrl+S", "suspend the card until unsuspended, then the next"),
            ("- or Ctrl+T", "bury the card until the next study day, then the next"),
            ("Ctrl+F, 1-4 or 0", "flag the card red, orange, green, blue; 0 takes it off"),
            ("e or Ctrl+O", "edit the card in $VISUAL / $EDITOR at its line; it reloads"),
            ("i or Ctrl+G", "card info: its state, marks and every review"),
            ("Ctrl+P", "open the card's pictures and sounds (in the footer when it has some)"),
            ("Esc or q", "end the session (every answer is already saved)"),
        ],
    ),
    (
        "Statistics and class",
        [
            ("← →", "switch tabs (statistics)"),
            ("d", "next deck, then all decks again (statistics)"),
            ("l", "browse the leeches (statistics)"),
            ("↑ ↓", "pick a learner to see their decks (class)"),
            ("e, l", "the exams tab; the learners tab (class)"),
            ("Esc or q", "back to the decks"),
        ],
    ),
    (
        "Browser",
        [
            ("Enter, /", "search with the query typed; back to the search box"),
            ("! - 1-4 0", "suspend (again: unsuspend), bury, flag, unflag"),
            ("a", "act on all matches or the highlighted item (asks over 50)"),
            ("i, e", "card info (the whole history); edit the card"),
            ("u, s, Esc", "undo the last action; sort; back"),
        ],
    ),
    (
        "Anywhere",
        [
            ("? (F1, Ctrl+/)", "this help (F1 or Ctrl+/ while typing an answer)"),
            ("Ctrl+Q", "quit at once; nothing is lost"),
        ],
    ),
]


class KeyTable:
    """The rows of KEYS in two columns; on a narrow terminal the key column wraps at 12."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # At 50 columns a key column as wide as "PgUp PgDn Home End" left the descriptions
        # a word or two a line.
        narrow = options.max_width < 64
        table = Table.grid(padding=(0, 1 if narrow else 2))
        table.add_column(style="bold", max_width=12 if narrow else None)
        table.add_column()
        for index, (heading, rows) in enumerate(KEYS):
            if index:
                table.add_row("", "")
            table.add_row(Text(heading, style="bold underline"), "")
            for key, what in rows:
                table.add_row(key, what)
        yield table


class HelpScreen(ModalScreen[None]):
    """Keys, grouped by screen."""

    BINDINGS = [Binding("escape,q,question_mark,enter,f1,ctrl+underscore", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "Esc closes"
            yield Static(KeyTable())

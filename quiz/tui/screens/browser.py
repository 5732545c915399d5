"""The browser: search a learner's items, see one with its state and history, act on them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from quiz.scheduler import Rating
from quiz.search import QueryError
from quiz.session import StudySession
from quiz.store.marks import Marks
from quiz.store.search import ItemRow
from quiz.study import marking
from quiz.study.finding import find, recall_now
from quiz.study.learner import learner_settings
from quiz.study.records import Presentation
from quiz.tui.card_views import card_view
from quiz.tui.widgets.footer import KeyFooter

SORTS = ("deck", "due", "recall", "lapses")
COLUMNS = ("deck", "item", "state", "due", "recall", "lapses", "marks")


def _marks(row: ItemRow, now: datetime) -> str:
    parts = ["suspended"] * row.suspended
    if row.buried_until is not None and row.buried_until > now:
        parts.append("buried")
    parts += [f"flag:{row.flag}"] * bool(row.flag) + ["leech"] * row.leech
    return " ".join(parts)


class BrowserScreen(Screen[None]):
    """Type a query and Enter; on a row: ! suspend, - bury, 1-4 flag, 0 unflag, u undo."""

    BINDINGS = [
        Binding("exclamation_mark", "suspend", "Suspend"),
        Binding("minus", "bury", "Bury"),
        *(Binding(str(n), f"flag('{n}')", "Flag", show=n == 1) for n in range(5)),
        Binding("u", "undo", "Undo"),
        Binding("s", "sort", "Sort"),
        Binding("slash", "search", "Search"),
        Binding("escape", "back", "Back"),
    ]

    DEFAULT_CSS = """
    BrowserScreen #browse-query { margin: 0 1; }
    BrowserScreen #browse-table { height: 1fr; margin: 0 1; }
    BrowserScreen #browse-detail { height: auto; max-height: 9; padding: 0 2; }
    """

    def __init__(self, session: StudySession, query: str = "") -> None:
        super().__init__()
        self.session = session
        self.query_text = query
        self.rows: list[ItemRow] = []
        self.sort = "deck"
        self.undoable: tuple[marking.Change, dict[marking.Target, Marks]] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            self.query_text, placeholder="search: tag:x is:due prop:r<0.9 ...", id="browse-query"
        )
        yield DataTable(id="browse-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="browse-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#browse-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        self.run_query()
        if self.query_text:
            table.focus()

    @on(Input.Submitted, "#browse-query")
    def submitted(self, event: Input.Submitted) -> None:
        """Search with what was typed."""
        self.query_text = event.value
        if self.run_query():
            self.query_one("#browse-table", DataTable).focus()

    def run_query(self) -> bool:
        """Fill the table with the query's matches; False (and a note) when it cannot be read."""
        now = self.session.clock()
        try:
            self.rows = find(self.session.store, self.session.learner, self.query_text, now)
        except QueryError as exc:
            self.notify(str(exc), title="Query", severity="error")
            return False
        self.refill()
        return True

    def refill(self) -> None:
        """Show the rows, in the chosen order, keeping the cursor where it was."""
        table = self.query_one("#browse-table", DataTable)
        cursor = table.cursor_row
        now = self.session.clock()
        recalls = recall_now(self.session.store, self.session.learner, self.rows, now)
        paired = list(zip(self.rows, recalls, strict=True))
        far = datetime.max.replace(tzinfo=now.tzinfo)
        keys = {
            "deck": lambda p: (p[0].deck_id, 0.0),
            "due": lambda p: ("", (p[0].due or far).timestamp() if p[0].state != "new" else 9e18),
            "recall": lambda p: ("", p[1] if p[1] is not None else 2.0),
            "lapses": lambda p: ("", -p[0].lapses),
        }
        if self.sort != "deck":
            paired.sort(key=keys[self.sort])
        self.rows = [r for r, _ in paired]
        table.clear()
        for row, recall in paired:
            due = row.due.strftime("%Y-%m-%d") if row.due and row.state != "new" else ""
            table.add_row(
                Text(row.deck_id), Text(row.item_key), row.state, due,
                "" if recall is None else f"{recall:.2f}", str(row.lapses), _marks(row, now),
            )  # fmt: skip
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))
        self.show_detail()

    @on(DataTable.RowHighlighted, "#browse-table")
    def highlighted(self) -> None:
        """Show the highlighted item."""
        self.show_detail()

    def selected(self) -> ItemRow | None:
        """The item under the cursor."""
        table = self.query_one("#browse-table", DataTable)
        return (
            self.rows[table.cursor_row] if self.rows and table.cursor_row < len(self.rows) else None
        )

    def show_detail(self) -> None:
        """The card as the learner sees it, its state and its whole review history."""
        detail = self.query_one("#browse-detail", Static)
        row = self.selected()
        if row is None:
            detail.update(Text(f"{len(self.rows)} items", style="dim"))
            return
        out = Text()
        deck = next((d for d in self.session.decks if d.id == row.deck_id), None)
        number = deck.item_index.find(row.item_key) if deck else None
        if deck is not None and number is not None:
            view = card_view(Presentation(deck.item(number)))
            out.append(f"{view.label}: ", style="bold")
            out.append(view.prompt)
            out.append("\n")
        if row.stability is not None:
            out.append(f"stability {row.stability:.1f}d · difficulty {row.difficulty or 0:.1f}")
            if row.due is not None:
                out.append(f" · due {row.due:%Y-%m-%d %H:%M}")
            out.append("\n")
        history = self.session.store.item_history(self.session.learner, row.deck_id, row.item_key)
        for h in history[-4:]:
            interval = "" if h.interval_days is None else f" → {h.interval_days:.1f}d"
            out.append(
                f"{h.at:%Y-%m-%d %H:%M}  {Rating(h.rating).name.lower():5} "
                f"{h.outcome or '':6} {h.duration_ms / 1000:.0f}s{interval}\n",
                style="dim",
            )
        place = f"{Path(row.path).name}:{row.line}" if row.path else "not in a deck file"
        out.append(f"{len(history)} reviews · {place}", style="dim")
        detail.update(out)

    def _act(self, kind: str, value: str | None = None) -> None:
        row = self.selected()
        if row is None:
            return
        store, learner, now = self.session.store, self.session.learner, self.session.clock()
        target = [(row.deck_id, row.item_key)]
        before = marking.marks_of(store, learner, target)
        if kind == "suspend" and row.suspended:
            kind = "unsuspend"
        if kind == "bury":
            hour = learner_settings(store, learner).rollover_hour
            change = marking.bury(store, learner, target, now, hour)
        else:
            change = marking.mark(store, learner, target, kind, now, value)
        self.undoable = (change, before)
        done = {"bury": "buried", "flag": f"flagged {value}" if value != "0" else "unflagged"}
        verb = done.get(kind, f"{kind}ed")
        self.notify(f"{row.item_key}: {verb} · u undoes it", title="Browser")
        self.run_query()

    def action_suspend(self) -> None:
        """Suspend the item (or unsuspend a suspended one)."""
        self._act("suspend")

    def action_bury(self) -> None:
        """Bury the item until the next study day."""
        self._act("bury")

    def action_flag(self, number: str) -> None:
        """Flag the item with this number; 0 takes its flag off."""
        self._act("flag", number)

    def action_undo(self) -> None:
        """Take the last action back."""
        if self.undoable is None:
            return
        change, before = self.undoable
        marking.undo(self.session.store, change, before, self.session.clock())
        self.undoable = None
        self.notify("undone", title="Browser")
        self.run_query()

    def action_sort(self) -> None:
        """Sort by the next of deck, due, recall, lapses."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.notify(f"sorted by {self.sort}", title="Browser")
        self.refill()

    def action_search(self) -> None:
        """Go back to the search box."""
        self.query_one("#browse-query", Input).focus()

    def action_back(self) -> None:
        """Back to the previous screen."""
        self.dismiss()

"""The browser: search a learner's items, see one with its state and history, act on them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from quiz.search import QueryError
from quiz.session import StudySession
from quiz.store.marks import Marks
from quiz.store.search import ItemRow
from quiz.study import marking
from quiz.study.finding import find, recall_now
from quiz.study.info import FLAG_NAMES, item_info
from quiz.study.learner import learner_settings
from quiz.tui.card_info import info_renderable
from quiz.tui.screens.confirm import Confirm
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
    """Type a query and Enter; ! suspend, - bury, 1-4 flag, 0 unflag, a all matches, u undo."""

    BINDINGS = [
        Binding("exclamation_mark", "suspend", "Suspend"),
        Binding("minus", "bury", "Bury"),
        *(Binding(str(n), f"flag('{n}')", "Flag", show=n == 1) for n in range(5)),
        Binding("a", "toggle_all", "All/one"),
        Binding("i", "info", "Info", show=False),
        Binding("e", "edit", "Edit", show=False),
        Binding("u", "undo", "Undo"),
        Binding("s", "sort", "Sort"),
        Binding("slash", "search", "Search"),
        Binding("escape", "back", "Back"),
    ]

    DEFAULT_CSS = """
    BrowserScreen #browse-query { margin: 0 1; }
    BrowserScreen #browse-table { height: 1fr; margin: 0 1; }
    BrowserScreen #browse-target { height: 1; padding: 0 2; }
    BrowserScreen #browse-pane { height: auto; max-height: 10; padding: 0 1; }
    """

    def __init__(self, session: StudySession, query: str = "") -> None:
        super().__init__()
        self.session = session
        self.query_text = query
        self.rows: list[ItemRow] = []
        self.sort = "deck"
        self.undoable: tuple[marking.Change, dict[marking.Target, Marks]] | None = None
        # True: the actions change every match, not only the highlighted one.
        self.all_matches = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            self.query_text, placeholder="search: tag:x is:due prop:r<0.9 ...", id="browse-query"
        )
        yield DataTable(id="browse-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="browse-target")
        with VerticalScroll(id="browse-pane"):
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
        target = Text(f"{len(self.rows)} matches", style="bold")
        target.append(" · actions on: ", style="dim")
        target.append("all matches" if self.all_matches else "the highlighted item", style="bold")
        target.append(" (a switches)", style="dim")
        self.query_one("#browse-target", Static).update(target)
        detail = self.query_one("#browse-detail", Static)
        row = self.selected()
        if row is None:
            detail.update(Text("nothing matches", style="dim"))
            return
        deck = next((d for d in self.session.decks if d.id == row.deck_id), None)
        now = self.session.clock()
        if deck is None:
            detail.update(Text(f"{row.deck_id}: this deck is not loaded", style="dim"))
            return
        info = item_info(self.session.store, self.session.learner, deck, row.item_key, now)
        detail.update(info_renderable(deck, info, now))

    def _act(self, kind: str, value: str | None = None) -> None:
        rows = self.rows if self.all_matches else [r for r in [self.selected()] if r is not None]
        if not rows:
            return
        if kind == "suspend" and all(r.suspended for r in rows):
            kind = "unsuspend"
        if len(rows) > marking.ASK_ABOVE:
            verb = {"flag": f"Flag {value}" if value != "0" else "Unflag"}.get(kind, kind.title())

            def answered(yes: bool | None) -> None:
                if yes:
                    self._apply(rows, kind, value)

            self.app.push_screen(Confirm(f"{verb} {len(rows)} items?"), callback=answered)
            return
        self._apply(rows, kind, value)

    def _apply(self, rows: list[ItemRow], kind: str, value: str | None) -> None:
        store, learner, now = self.session.store, self.session.learner, self.session.clock()
        targets = [(r.deck_id, r.item_key) for r in rows]
        before = marking.marks_of(store, learner, targets)
        if kind == "bury":
            hour = learner_settings(store, learner).rollover_hour
            change = marking.bury(store, learner, targets, now, hour)
        else:
            change = marking.mark(store, learner, targets, kind, now, value)
        self.undoable = (change, before)
        flag = f"flagged {value} ({FLAG_NAMES[int(value)]})" if value and value != "0" else ""
        verb = {"bury": "buried", "flag": flag or "unflagged"}.get(kind, f"{kind}ed")
        what = rows[0].item_key if len(rows) == 1 else f"{change.changed} of {len(rows)} items"
        self.notify(f"{what}: {verb} · u undoes it", title="Browser", markup=False)
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

    def action_info(self) -> None:
        """The highlighted item's card info on a screen of its own, to scroll its history."""
        from quiz.tui.card_info import CardInfoScreen

        row = self.selected()
        deck = next((d for d in self.session.decks if row and d.id == row.deck_id), None)
        if row is not None and deck is not None:
            now = self.session.clock()
            info = item_info(self.session.store, self.session.learner, deck, row.item_key, now)
            self.app.push_screen(CardInfoScreen(deck, info, now))

    async def action_edit(self) -> None:
        """Open the highlighted item's deck file in the editor at its line; then reload."""
        from quiz.tui.app import QuizApp
        from quiz.tui.editing import editor_command, run_editor

        row = self.selected()
        if row is None or row.path is None:
            return
        problem = run_editor(self.app, editor_command(Path(row.path), row.line or 0))
        if problem is not None:
            self.notify(problem, title="Edit", severity="error", markup=False)
        elif isinstance(self.app, QuizApp):
            await self.app.reload_changed_decks()
            self.run_query()

    def action_toggle_all(self) -> None:
        """Switch the actions between the highlighted item and every match."""
        self.all_matches = not self.all_matches
        self.show_detail()

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

"""The home screen: the decks with their due, new and total counts."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from quiz.session import StudySession
from quiz.store.decks import KnownDeck
from quiz.tui.widgets.status import FittingFooter

# Row keys of decks whose file is gone; deck ids cannot contain a space.
GONE = "gone: "


class HomeScreen(Screen[None]):
    """Pick a deck to study, or study everything that is due."""

    BINDINGS = [
        Binding("enter", "study_selected", "Study", show=True, priority=True),
        Binding("a", "study_all", "All due"),
        Binding("b", "app.browse", "Browse"),
        Binding("s", "app.statistics", "Stats"),
        Binding("i", "app.instructor", "Class"),
        Binding("o", "app.settings", "Settings"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    class Study(Message):
        """The learner chose what to study: these decks (None: every deck), or only what is due."""

        def __init__(self, deck_ids: Sequence[str] | None, due_only: bool) -> None:
            super().__init__()
            self.deck_ids = deck_ids
            self.due_only = due_only

    def __init__(self, session: StudySession, gone: Sequence[KnownDeck] = ()) -> None:
        super().__init__()
        self.session = session
        # Decks the database knows whose file is missing: listed, their progress kept.
        self.gone = list(gone)
        self._counts = (0, 0, 0)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="home-intro")
        yield DataTable(id="decks", cursor_type="row", zebra_stripes=True)
        yield Static(id="home-hint")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#decks", DataTable)
        # Counts first: long titles would otherwise push them off an 80-column screen.
        table.add_column("Due", key="due")
        table.add_column("New", key="new")
        table.add_column("Cards", key="cards")
        table.add_column("Deck", key="title")
        table.focus()

    def on_screen_resume(self) -> None:
        # Counting builds every deck's queue: skip it while another screen already covers this one
        # (`quiz study DECK` pushes the study screen at once); it runs when the learner comes back.
        if self.is_current:
            self.refresh_counts()

    def refresh_counts(self) -> None:
        """Recount due and new items (after studying, or as the day rolls over)."""
        table = self.query_one("#decks", DataTable)
        cursor = table.cursor_row
        table.clear()
        overview = self.session.overview()
        for row in overview:
            table.add_row(
                Text(str(row.due), style="bold green" if row.due else "dim", justify="right"),
                Text(str(row.new), style="bold blue" if row.new else "dim", justify="right"),
                Text(str(row.total), style="dim", justify="right"),
                Text(row.deck.title),
                key=row.deck.id,
            )
        for known in self.gone:
            title = Text(known.title)
            title.append(f"  (file gone: {known.path}; progress kept)", style="dim italic")
            dash = Text("-", style="dim", justify="right")
            table.add_row(dash, dash, dash, title, key=f"{GONE}{known.id}")
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._counts = (
            sum(r.due for r in overview),
            sum(r.new for r in overview),
            sum(r.suspended for r in overview),
        )
        self.show_intro()
        hint = (
            "No decks loaded."
            if not overview
            else ("Enter studies the selected deck · a studies everything due · ? help")
        )
        self.query_one("#home-hint", Static).update(Text(hint, style="dim"))

    def show_intro(self) -> None:
        """The line above the decks: who studies, what is due, and statements waiting to go."""
        due, new, suspended = self._counts
        parts = [
            ("Studying as ", "dim"),
            (self.session.learner, "bold"),
            ("  ·  ", "dim"),
            (f"{due} due", "green"),
            ("  ·  ", "dim"),
            (f"{new} new today", "blue"),
            *_suspended_note(suspended),
        ]
        # Only while statements wait for the LRS, so the learner knows they have not gone yet.
        waiting = self.session.store.outbox_waiting()
        if waiting:
            parts += [("  ·  ", "dim"), (f"↑{waiting} to send", "yellow")]
        self.query_one("#home-intro", Static).update(Text.assemble(*parts))

    def _selected_deck(self) -> str | None:
        table = self.query_one("#decks", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value)

    def action_study_selected(self) -> None:
        """Study the deck under the cursor."""
        deck_id = self._selected_deck()
        if deck_id is not None and deck_id.startswith(GONE):
            known = next(k for k in self.gone if k.id == deck_id.removeprefix(GONE))
            self.notify(
                f"{known.path} is gone; open its deck file again to study it.",
                title=known.title,
                severity="warning",
                markup=False,
            )
            return
        if deck_id is not None:
            self.post_message(self.Study([deck_id], due_only=False))

    def action_study_all(self) -> None:
        """Study every due item of every deck."""
        self.post_message(self.Study(None, due_only=True))


def _suspended_note(count: int) -> tuple[tuple[str, str], ...]:
    """The home line's count of suspended items, when there are any."""
    return (("  ·  ", "dim"), (f"{count} suspended", "yellow")) if count else ()

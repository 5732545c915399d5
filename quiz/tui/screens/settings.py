"""The learner's study settings, changed in place, and what a desired retention costs."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from quiz import settings
from quiz.scheduler import utc_now
from quiz.session import StudySession
from quiz.store.settings import ALL_DECKS
from quiz.study.learner import retention_costs, setting_rows
from quiz.tui.widgets.footer import KeyFooter


class SettingsScreen(Screen[None]):
    """Change a setting with Enter; Delete goes back to the deck's value or the default."""

    BINDINGS = [
        Binding("delete,backspace", "unset", "Use default"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "app.help", "Help"),
    ]

    DEFAULT_CSS = """
    SettingsScreen #settings-intro { padding: 1 2 0 2; }
    SettingsScreen #settings-table { height: auto; max-height: 12; margin: 1 2 0 2; }
    SettingsScreen #setting-input { display: none; margin: 0 2; }
    SettingsScreen #setting-input.editing { display: block; }
    SettingsScreen #setting-error { height: auto; padding: 0 2; }
    SettingsScreen #retention-costs { padding: 1 2; }
    """

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        self.editing: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="settings-intro")
        yield DataTable(id="settings-table", cursor_type="row", zebra_stripes=True)
        yield Input(id="setting-input")
        yield Static(id="setting-error")
        yield Static(id="retention-costs")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#settings-table", DataTable)
        for label in ("Setting", "Value", "From"):
            table.add_column(label, key=label)
        self.query_one("#settings-intro", Static).update(
            Text.assemble(
                (self.session.learner, "bold"),
                (", all decks", ""),
                ("  Enter: change · Delete: back to default · Esc: back", "dim"),
            )
        )
        self.refresh_settings()
        table.focus()

    def refresh_settings(self) -> None:
        """Show the settings in force now, and what the desired retention costs."""
        session = self.session
        table = self.query_one("#settings-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in setting_rows(session.store, session.learner):
            style = "bold" if row.origin.startswith("yours") else ""
            value = Text(row.shown, style=style)
            table.add_row(Text(row.key), value, Text(row.origin), key=row.key)
        table.move_cursor(row=cursor)
        self._costs()

    def _costs(self) -> None:
        costs = retention_costs(self.session.store, self.session.learner)
        out = Text()
        if costs is None:
            out.append("Study a deck to see what each desired retention costs.", style="dim")
        else:
            out.append(f"What a retention costs over a year, for your {costs.items:,} items:\n")
            for load in costs.loads:
                style = "bold yellow" if load.retention == costs.chosen else ""
                mark = "  ← yours" if load.retention == costs.chosen else ""
                out.append(
                    f"  {load.retention:.2f}  {load.reviews_per_day:6.1f} reviews a day,"
                    f" {load.remembered:,.0f} remembered{mark}\n",
                    style=style,
                )
            out.append(f"Least time per item remembered: {costs.optimal:.2f}", style="dim")
        self.query_one("#retention-costs", Static).update(out)

    def _selected(self) -> str:
        table = self.query_one("#settings-table", DataTable)
        return list(settings.SPECS)[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Say what the highlighted setting does."""
        if self.editing is None:
            help_text = settings.SPECS[self._selected()].help
            self.query_one("#setting-error", Static).update(Text(help_text, "dim"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a setting: edit its value in the box below the table."""
        key = self._selected()
        self.editing = key
        box = self.query_one("#setting-input", Input)
        rows = setting_rows(self.session.store, self.session.learner)
        row = next(r for r in rows if r.key == key)
        box.value = row.shown
        box.placeholder = settings.SPECS[key].help
        box.border_title = key
        box.add_class("editing")
        box.focus()
        self.query_one("#setting-error", Static).update(Text(settings.SPECS[key].help, "dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Store the value typed, or say what is wrong with it and keep the box open."""
        key = self.editing
        if key is None:
            return
        try:
            value = settings.parse(key, event.value.strip())
        except settings.SettingError as exc:
            self.query_one("#setting-error", Static).update(Text(f"{key}: {exc}", "bold red"))
            return
        self._write(key, settings.to_json(value))

    def action_unset(self) -> None:
        """Remove the learner's own value of the selected setting."""
        if self.editing is None:
            self._write(self._selected(), None)

    def _write(self, key: str, value: str | None) -> None:
        session = self.session
        session.store.set_learner_setting(session.learner, ALL_DECKS, key, value, utc_now())
        # Queues already built keep their limits; every answer from now on uses the new values.
        session.reload_settings()
        self._close_editor()
        self.refresh_settings()
        self.notify(f"{key} saved" if value is not None else f"{key}: back to the default")

    def _close_editor(self) -> None:
        self.editing = None
        box = self.query_one("#setting-input", Input)
        box.remove_class("editing")
        table = self.query_one("#settings-table", DataTable)
        table.focus()
        help_text = settings.SPECS[self._selected()].help
        self.query_one("#setting-error", Static).update(Text(help_text, "dim"))

    def action_back(self) -> None:
        """Esc: leave the value being edited, or the screen."""
        if self.editing is not None:
            self._close_editor()
        else:
            self.app.pop_screen()

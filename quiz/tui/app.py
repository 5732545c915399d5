"""The Textual app, and `make_app`: the one way the CLI, the tests and the benchmarks build it."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from quiz.deck.model import Deck
from quiz.deck.problems import Problem, Severity
from quiz.library import DeckReloader
from quiz.scheduler import utc_now
from quiz.session import StudySession, Summary
from quiz.store.database import Store
from quiz.store.decks import KnownDeck
from quiz.study.scope import EVERYTHING, Scope
from quiz.textsafe import safe
from quiz.tui.media_key import open_studied, studied_media
from quiz.tui.screens.help import HelpScreen
from quiz.tui.screens.study import StudyScreen

if TYPE_CHECKING:
    from quiz.tui.screens.home import HomeScreen
    from quiz.xapi.background import BackgroundSender


def make_app(
    store: Store,
    decks: Sequence[Deck],
    learner: str,
    *,
    study: Sequence[str] | None = None,
    watch: Sequence[Path] | None = None,
    clock: Callable[[], datetime] = utc_now,
    rng: random.Random | None = None,
    fuzz: bool = True,
    gone: Sequence[KnownDeck] | None = None,
    scope: Scope = EVERYTHING,
    problems: Sequence[Problem] = (),
) -> QuizApp:
    """The app over a new study session of `decks` for `learner`.

    `study` opens the study screen on those deck ids at once (None: the home screen); the deck
    files in `watch` are reloaded when saved. `clock`, `rng` and `fuzz` go to the session, so
    tests and benchmarks fix time and shuffles. `gone` are decks the database knows whose file
    is missing: the home screen lists them. `problems` are those of the files named: their
    errors are said on screen, since the problems printed before the app starts are covered.
    """
    session = StudySession(store, decks, learner, clock=clock, rng=rng, fuzz=fuzz, scope=scope)
    reloader = DeckReloader(store, list(watch)) if watch is not None else None
    return QuizApp(session, study=study, reloader=reloader, gone=gone, problems=problems)


def _home_screen() -> type[HomeScreen]:
    # Imported when first wanted, as the summary, statistics and instructor screens are:
    # `quiz study DECK` goes straight to the first card, and every import delays it.
    from quiz.tui.screens.home import HomeScreen

    return HomeScreen


def first_problems(problems: Sequence[Problem], count: int = 5) -> str:
    """The first problems, one per line, and how many more there are: a toast's body."""
    shown = "\n".join(str(p) for p in problems[:count])
    more = len(problems) - count
    return f"{shown}\n... and {more} more" if more > 0 else shown


class QuizApp(App[None]):
    """Home, study, summary and help screens over one study session."""

    CSS_PATH = "quiz.tcss"
    TITLE = "quiz"
    ENABLE_COMMAND_PALETTE = False
    # Classes on every screen for quiz.tcss: -narrow under 64 columns, -short under 20 rows,
    # -very-tall from 40.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (64, "-roomy")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-tall"), (40, "-very-tall")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        # The study screen's, shown there when the card names media; a chord, so it works in a
        # text answer too (P for picture, or play). Here, as the screen's class is at its size
        # limit; Ctrl+P is free, with the command palette off.
        Binding("ctrl+p", "open_media", "Media", key_display="^P"),
    ]

    RELOAD_SECONDS = 1.0
    SEND_CHECK_SECONDS = 5.0

    def __init__(
        self,
        session: StudySession,
        study: Sequence[str] | None = None,
        reloader: DeckReloader | None = None,
        gone: Sequence[KnownDeck] | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__()
        self.problems = list(problems)
        self.session = session
        self.reloader = reloader
        self.gone = list(gone or ())
        self._initial = list(study) if study is not None else None
        self._broken: set[Path] = set()
        self._sender: BackgroundSender | None = None

    def on_mount(self) -> None:
        self.sub_title = f"learner: {safe(self.session.learner)}"
        if self.reloader is not None:
            self.set_interval(self.RELOAD_SECONDS, self.reload_changed_decks)
        path = self.session.store.path
        if path is not None and self.session.store.lrs_settings():
            from quiz.xapi.background import BackgroundSender

            self._sender = BackgroundSender(path)
            self.set_interval(self.SEND_CHECK_SECONDS, self.send_statements)
            self.send_statements()
        self._say_left_out()
        if self._initial is None:
            self.push_screen(_home_screen()(self.session, self.gone))
        else:
            # The home screen is composed only when the learner goes back to it, after studying.
            self.study(self._initial, False)

    def send_statements(self) -> None:
        """Send the xAPI outbox on a worker thread, when due (the learner never waits for it)."""
        sender = self._sender
        if sender is None or not sender.due():
            return

        def work() -> None:
            sender.send()
            self.call_from_thread(self._outbox_changed)

        # One at a time: until this one settles when to try next, no other starts.
        sender.not_before = float("inf")
        self.run_worker(work, thread=True, group="lrs", exit_on_error=False)

    def _outbox_changed(self) -> None:
        home = _home_screen()
        for screen in self.screen_stack:
            if isinstance(screen, home):
                screen.show_intro()

    def study(self, deck_ids: Sequence[str] | None, due_only: bool) -> None:
        """Start studying the given decks (all when None); the summary follows."""
        self.session.start(deck_ids, due_only=due_only)
        self.push_screen(StudyScreen(self.session), callback=self._summarize)

    def on_home_screen_study(self, message: HomeScreen.Study) -> None:
        self.study(message.deck_ids, message.due_only)

    def _summarize(self, summary: Summary | None) -> None:
        from quiz.tui.screens.summary import SummaryScreen

        if summary is not None:
            # What is left: every deck's due and new counts, for the summary to say so.
            left = self.session.overview()
            self.push_screen(SummaryScreen(summary, self.session.clock(), left))

    def action_statistics(self) -> None:
        """Show the learner's statistics."""
        # Imported when first wanted: the charting library costs start-up time for every learner.
        from quiz.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen(self.session))

    def action_settings(self) -> None:
        """Show the learner's study settings, to change them."""
        from quiz.tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen(self.session))

    def action_browse(self, query: str = "") -> None:
        """Search the learner's items and act on them."""
        from quiz.tui.screens.browser import BrowserScreen

        self.push_screen(BrowserScreen(self.session, query))

    def action_instructor(self) -> None:
        """Show every learner's progress, for the instructor."""
        from quiz.tui.screens.instructor import InstructorScreen

        self.push_screen(InstructorScreen(self.session))

    def _say_left_out(self) -> None:
        """A notice of the files left out for their errors: the terminal's copy is covered."""
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        if not errors:
            return
        files = list(dict.fromkeys(p.path or "a deck name" for p in errors))
        self._say_problems(
            errors,
            "Fix them and start again to study those too (a click dismisses this).",
            f"{len(files)} deck file(s) left out for errors",
            timeout=30,
        )

    def _say_problems(
        self, problems: Sequence[Problem], then: str, title: str, timeout: float
    ) -> None:
        """An error toast of the first problems, how many more, and what happens now."""
        self.notify(
            f"{first_problems(problems)}\n{then}",
            title=title,
            severity="error",
            timeout=timeout,
            markup=False,
        )

    def action_back_to_decks(self) -> None:
        """Leave the summary for the home screen, composing it if it was never shown."""
        home = _home_screen()
        if any(isinstance(screen, home) for screen in self.screen_stack[:-1]):
            self.pop_screen()
        else:
            self.switch_screen(home(self.session, self.gone))

    async def reload_changed_decks(self) -> None:
        """Bring in deck files saved since the last look; a broken edit keeps the last good deck."""
        if self.reloader is None:
            return
        for reload in self.reloader.poll(self.session.clock()):
            if reload.deck is None:
                self._broken.add(reload.path)
                self._say_problems(
                    reload.problems,
                    "Still using the last good version.",
                    f"{reload.path.name} has problems",
                    timeout=15,
                )
                continue
            changed_current = self.session.replace_deck(reload.deck)
            if reload.path in self._broken:
                # The file's problems are fixed: their toast would say otherwise for seconds more.
                self._broken.discard(reload.path)
                self.clear_notifications()
            self.notify(f"Reloaded {reload.path.name}", timeout=3, markup=False)
            screen = self.screen
            if isinstance(screen, StudyScreen):
                await screen.deck_reloaded(changed_current)
            elif isinstance(screen, _home_screen()):
                screen.refresh_counts()

    def action_help(self) -> None:
        """Show the keys."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_media":
            return bool(studied_media(self.screen)[0])
        return True

    def action_open_media(self) -> None:
        """Open the studied card's pictures and sounds (Ctrl+P)."""
        open_studied(self)

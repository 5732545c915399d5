"""The study screen's keys for the card on screen: suspend, bury, flag, edit, card info; undo.

`StudyKeys` is the study screen's base: it owns these keys, the marks they record and their
undo, so the screen itself keeps to showing and answering cards. While a text answer has the
focus, letters, `!` and `-` are typed into it: every action also has a Ctrl chord, which a
text box leaves alone and tmux passes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from quiz.deck.model import Deck, Item
from quiz.session import Answer, Presentation, StudySession, Summary
from quiz.store.marks import MarkEvent, Marks
from quiz.study import marking
from quiz.study.info import FLAG_NAMES, item_info
from quiz.study.learner import learner_settings
from quiz.study.leeches import became_leech, leech_events, mark_leech
from quiz.textsafe import safe
from quiz.tui.saving import keeps_the_card


@dataclass(frozen=True)
class Done:
    """A mark recorded from the study screen, as `u` takes it back."""

    change: marking.Change
    before: dict[marking.Target, Marks]
    item: Item
    answers: int  # the screen's answer count when it was done: later answers are undone first
    asked: bool = False  # the item was being asked and went away: undo asks it again
    with_answer: bool = False  # a leech the answer made: undone together with the answer


class FlagPicker(ModalScreen[int | None]):
    """Ctrl+F, then a digit: which flag (1 to 4, 0 none); Esc keeps the flag as it is."""

    BINDINGS = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(5)),
        Binding("escape,ctrl+f", "pick(-1)", "Cancel"),
    ]
    DEFAULT_CSS = """
    FlagPicker { align: center middle; }
    FlagPicker #flag-box { width: auto; height: auto; border: round $accent; padding: 0 2; }
    """

    def compose(self) -> ComposeResult:
        text = Text("Flag: ", style="bold")
        for n, name in FLAG_NAMES.items():
            text.append(f"{n} {name}  ")
        text.append("0 none  ", style="dim")
        text.append("Esc keeps it", style="dim")
        yield Static(text, id="flag-box")

    def action_pick(self, number: int) -> None:
        """Close with the flag picked; -1 (Esc) is none picked."""
        self.dismiss(None if number < 0 else number)


# A mark whose write fails (a full disk) is said on the screen, as an answer's is, and changes
# nothing: the card stays on screen, and nothing is put on the undo stack.
@keeps_the_card("action_hold", "_flag")
class StudyKeys(Screen[Summary]):
    """Suspend, bury, flag, edit and card info for the card on screen, and `u` for them."""

    BINDINGS = [
        Binding("exclamation_mark,ctrl+s", "hold('suspend')", "Suspend", show=False),
        Binding("minus,ctrl+t", "hold('bury')", "Bury", show=False),
        Binding("ctrl+f", "flag", "Flag", key_display="^F"),
        Binding("e,ctrl+o", "edit", "Edit", show=False),
        Binding("i,ctrl+g", "info", "Info", show=False),
    ]

    session: StudySession
    answer: Answer | None
    done: int

    def __init__(self) -> None:
        super().__init__()
        self.marks_done: list[Done] = []

    async def show(self, presentation: Presentation) -> None:
        """Show an item to be answered (the study screen's)."""
        raise NotImplementedError

    async def show_next(self) -> None:
        """Show the next item, or end the session (the study screen's)."""
        raise NotImplementedError

    def item_on_screen(self) -> Item | None:
        """The item being asked, or the one whose answer is shown."""
        current = self.session.current
        if current is not None:
            return current.item
        return self.answer.item if self.answer is not None else None

    def _deck(self, item: Item) -> Deck:
        return next(d for d in self.session.decks if d.id == item.deck_id)

    def _push(self, done: Done) -> None:
        if done.change.events:
            self.marks_done.append(done)

    async def action_hold(self, kind: str) -> None:
        """Suspend or bury the item on screen, say how to undo it, and go on to the next."""
        item = self.item_on_screen()
        if item is None:
            return
        session, now = self.session, self.session.clock()
        target = [(item.deck_id, item.key)]
        before = marking.marks_of(session.store, session.learner, target)
        if kind == "bury":
            hour = learner_settings(session.store, session.learner).rollover_hour
            change = marking.bury(session.store, session.learner, target, now, hour)
            what = "buried until the next study day"
        else:
            change = marking.mark(session.store, session.learner, target, "suspend", now)
            what = f"suspended: not studied until unsuspended (quiz unsuspend id:{item.card.id})"
        self._push(Done(change, before, item, self.done, asked=session.current is not None))
        session.set_aside(item)
        self.notify(f"{safe(item.key)} {what}. u undoes it", title=kind.capitalize(), markup=False)
        await self.show_next()

    def action_flag(self) -> None:
        """Ask which flag to put on the item on screen (Ctrl+F, then 1 to 4, or 0 for none)."""
        item = self.item_on_screen()
        if item is not None:
            self.app.push_screen(FlagPicker(), callback=lambda n: self._flag(item, n))

    def _flag(self, item: Item, number: int | None) -> None:
        if number is None:
            return
        session, target = self.session, [(item.deck_id, item.key)]
        before = marking.marks_of(session.store, session.learner, target)
        change = marking.mark(
            session.store, session.learner, target, "flag", session.clock(), str(number)
        )
        self._push(Done(change, before, item, self.done))
        what = f"flag {number} ({FLAG_NAMES[number]})" if number else "no flag"
        self.notify(f"{safe(item.key)}: {what}. u undoes it", title="Flag", markup=False)

    def answered_now(self, answer: Answer) -> None:
        """After an answer: when it made the item a leech, say so and how to undo it."""
        review = answer.review
        settings = self.session.settings_of(review.deck_id)
        if not became_leech(settings, review.state_before, review.state_after):
            return
        place = (review.deck_id, review.item_key)
        events = leech_events(self.session.store, self.session.learner, place, review.reviewed_at)
        self._leech_made(answer, events)

    def rerated_now(self, answer: Answer) -> None:
        """After a changed rating: the leech the first rating made is taken back, or one made."""
        review, session = answer.review, self.session
        settings = session.settings_of(review.deck_id)
        leech = became_leech(settings, review.state_before, review.state_after)
        top = self.marks_done[-1] if self.can_undo_mark() else None
        if top is not None and top.with_answer and not leech:
            self.marks_done.pop()
            marking.undo(session.store, top.change, {}, session.clock())
            self.notify(
                f"{safe(answer.item.key)}: not a leech after all, the rating is no lapse",
                title="Leech",
                markup=False,
            )
        elif leech and (top is None or not top.with_answer):
            place = (review.deck_id, review.item_key)
            with session.store.atomic():
                # After the item's last mark event (its leech undone a moment ago, perhaps):
                # events apply in time order.
                last = session.store.latest_mark_times(session.learner, place[0]).get(place[1])
                now = session.clock()
                at = max(now, last + timedelta(microseconds=1)) if last is not None else now
                events = mark_leech(
                    session.store, settings, session.learner, place, review.state_before,
                    review.state_after, at,
                )  # fmt: skip
            self._leech_made(answer, list(events))

    def _leech_made(self, answer: Answer, events: list[MarkEvent]) -> None:
        if not events:
            return
        settings = self.session.settings_of(answer.item.deck_id)
        change = marking.Change("leech", tuple(events))
        self._push(Done(change, {}, answer.item, self.done, with_answer=True))
        suspended = any(e.kind == "suspend" for e in events)
        if suspended:
            # Suspended now, it must not come back this session from its relearning steps.
            self.session.set_aside(answer.item)
        lapses = answer.review.state_after.lapses
        then = (
            f"Suspended, as leech_action says: rewrite or split it, then quiz unsuspend "
            f"id:{answer.item.card.id}."
            if suspended
            else "Still studied (leech_action is tag)."
        )
        self.notify(
            f"{safe(answer.item.key)} is a leech: forgotten {lapses} "
            f"time{'s' if lapses != 1 else ''}, your "
            f"leech_threshold is {settings.leech_threshold}. {then} u undoes the answer "
            "and the mark.",
            title="Leech",
            severity="warning",
            timeout=12,
            markup=False,
        )

    def can_undo_mark(self) -> bool:
        """True when `u` would take back a mark rather than an answer."""
        return bool(self.marks_done) and self.marks_done[-1].answers == self.done

    async def undo_mark(self) -> bool:
        """Take back the last mark if nothing was answered since; False when `u` is the answer's."""
        if not self.can_undo_mark():
            return False
        done = self.marks_done[-1]
        marking.undo(self.session.store, done.change, done.before, self.session.clock())
        self.marks_done.pop()  # only once undone: a failed undo can be tried again
        if done.with_answer:
            return False  # the answer that made the leech is undone next, by the caller
        self.notify(f"{safe(done.item.key)}: {done.change.action} undone", timeout=3, markup=False)
        if done.asked:
            await self.show(self.session.bring_back(done.item))
        elif done.change.action in ("suspend", "bury"):
            # Set aside after its answer: due again today (a learning step), it is in line again.
            self.session.requeue(done.item)
        return True

    async def action_edit(self) -> None:
        """Open the item's deck file in $VISUAL or $EDITOR at its line; the edit reloads."""
        from quiz.tui.app import QuizApp
        from quiz.tui.editing import editor_command, run_editor

        item = self.item_on_screen()
        if item is None:
            return
        path = self._deck(item).path
        if path is None:
            self.notify("This card is not from a deck file", title="Edit", severity="warning")
            return
        problem = run_editor(self.app, editor_command(Path(path), item.card.line))
        if problem is not None:
            self.notify(problem, title="Edit", severity="error", markup=False)
        elif isinstance(self.app, QuizApp):
            await self.app.reload_changed_decks()

    def action_info(self) -> None:
        """Show the item's card info: state, marks and its whole review history."""
        from quiz.tui.card_info import CardInfoScreen

        item = self.item_on_screen()
        if item is None:
            return
        deck, now = self._deck(item), self.session.clock()
        info = item_info(self.session.store, self.session.learner, deck, item.key, now)
        self.app.push_screen(CardInfoScreen(deck, info, now))

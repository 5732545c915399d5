"""The answer path: grade, schedule, commit and fetch the next card, in the engine and the TUI."""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from samples import Samples, profiling
from worker import emit, peak_rss_mb

from quiz.deck.model import Choice, Cloze, Flashcard, Item, Match, Numeric, Order, TrueFalse, Typed
from quiz.grading import Response
from quiz.library import open_deck
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store.database import Store, open_store

if TYPE_CHECKING:
    from textual.app import App

    from quiz.tui.app import QuizApp


def correct_response(item: Item) -> Response | None:
    """A right answer to an auto-graded item; None for a flashcard, which is rated instead."""
    card = item.card
    match card:
        case Flashcard():
            return None
        case Choice():
            return list(card.answers) if card.multiple else card.answers[0]
        case TrueFalse():
            return card.answer
        case Cloze():
            return card.gaps[item.gap_index or 0][0]
        case Typed():
            return card.answer
        case Numeric():
            return card.answer_text
        case Order():
            return list(card.items)
        case Match():
            return dict(card.pairs)
        case _:
            assert_never(card)


def _session(db: Path, deck_path: Path, learner: str) -> tuple[Store, StudySession, float]:
    """A started session on an already synced deck, and the seconds `start` took."""
    store = open_store(db)
    deck, problems = open_deck(store, deck_path, datetime.now(UTC))
    if deck is None:
        raise SystemExit("\n".join(str(p) for p in problems))
    session = StudySession(store, [deck], learner, rng=random.Random(1))
    start = time.perf_counter()
    session.start()
    return store, session, time.perf_counter() - start


# What commits an answer, whichever this version of quiz has: the answering function that
# owns the transaction, or the store methods that did before.
COMMIT_METHODS = ("commit_review", "record_review")


def _time_commits(store: Store, commits: Samples) -> None:
    """Time each commit of an answer, by wrapping what commits it."""

    def timed(method: Any) -> Any:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            result = method(*args, **kwargs)
            commits.add(time.perf_counter() - start)
            return result

        return timed_call

    try:
        from quiz.study import answering
    except ImportError:
        for name in COMMIT_METHODS:
            method = getattr(store, name, None)
            if method is not None:
                setattr(store, name, timed(method))
    else:
        answering.answer = timed(answering.answer)


def bench_engine(
    db: Path, deck_path: Path, learner: str, answers: int, profile: Path | None = None
) -> dict[str, Any]:
    """Answer `answers` items right through StudySession, timing submit or rate plus next."""
    store, session, start_seconds = _session(db, deck_path, learner)
    queued = session.remaining()
    commits = Samples()
    _time_commits(store, commits)
    total = Samples()
    presentation = session.next()
    gc.collect()
    with profiling(profile):
        for _ in range(answers):
            if presentation is None:
                break
            response = correct_response(presentation.item)
            start = time.perf_counter()
            if response is None:
                session.rate(Rating.GOOD)
            else:
                session.submit(response)
            presentation = session.next()
            total.add(time.perf_counter() - start)
    store.close()
    if not total.values:
        raise SystemExit(f"nothing to answer: {queued} items queued")
    return {
        "answer": total.to_json(),
        "commit": commits.to_json(),
        "start": start_seconds,
        "queued": queued,
        "peak_rss_mb": peak_rss_mb(),
    }


class KeyTimer:
    """Times one key: from sending it as Pilot does to the screen refreshed after it acted."""

    # Pilot's own `press` waits for 20 ms slices of idle CPU, so timing it would time Pilot. The
    # key is sent to the driver as Pilot sends it, and the clock stops when `mark` (called by the
    # app once the key's effect is on screen, through `call_after_refresh`) has run. The quiz app
    # and the Textual floor are timed by this one harness.

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.keys = Samples()
        self.painted = asyncio.Event()
        self.stamp = 0.0

    def mark(self) -> None:
        """The key's effect has been painted."""
        self.stamp = time.perf_counter()
        self.painted.set()

    async def key(self, name: str, char: str) -> float | None:
        """Send a key; the seconds until it was painted, or None if it never was."""
        from textual import events

        self.painted.clear()
        event = events.Key(name, char)
        event.set_sender(self.app)
        start = time.perf_counter()
        assert self.app._driver is not None
        self.app._driver.send_message(event)
        try:
            await asyncio.wait_for(self.painted.wait(), timeout=10)
        except TimeoutError:
            return None
        self.keys.add(self.stamp - start)
        return self.stamp - start


def floor_app(on_painted: Callable[[], None]) -> App[None]:
    """The least a Textual app can do per key: Enter swaps the text of one Static."""
    # Textual is imported here, not at the top: the engine's process never needs it.
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import Static

    class FloorApp(App[None]):
        BINDINGS = [Binding("enter", "swap")]
        count = 0

        def compose(self) -> ComposeResult:
            yield Static("card 0", id="card")

        def action_swap(self) -> None:
            self.count += 1
            self.query_one("#card", Static).update(f"card {self.count}")
            self.call_after_refresh(on_painted)

    return FloorApp()


def screen_floor_app(on_painted: Callable[[], None]) -> App[None]:
    """What Textual costs for the study screen's shape: Enter swaps the texts of its widgets."""
    # The same widgets, ids and stylesheet as the study screen (header, counts, card box with a
    # prompt and a text input, feedback box, ratings line, footer), none of quiz's code: the
    # gap between this and quiz is quiz's, the gap between this and the one-Static floor is
    # what Textual needs to lay out and paint such a screen.
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.containers import Vertical, VerticalScroll
    from textual.widgets import Footer, Header, Input, Static

    import quiz.tui.app

    class ScreenFloorApp(App[None]):
        CSS_PATH = Path(quiz.tui.app.__file__).with_name("quiz.tcss")
        BINDINGS = [
            Binding("enter", "swap", "Next", priority=True),
            Binding("space", "swap", "Show / next"),
            Binding("u", "swap", "Undo"),
            Binding("escape", "quit", "End"),
            Binding("question_mark", "swap", "Help"),
        ]
        count = 0

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("0 done", id="progress")
            with VerticalScroll(id="study-body"):
                with Vertical(id="card"):
                    yield Static("card 0", id="prompt")
                    with Vertical(id="answer-slot"):
                        yield Input(placeholder="Type your answer, then Enter", classes="answer")
                with Vertical(id="feedback"):
                    yield Static("✓ Right", id="verdict")
                    yield Static("Answer: 0", id="expected")
                    yield Static("Why 0", id="explanation")
                    yield Static("Source: 0", id="source")
            yield Static("Answer, then Enter", id="ratings")
            yield Footer()

        def action_swap(self) -> None:
            self.count = n = self.count + 1
            self.query_one("#card", Vertical).border_title = f"Card {n % 7}"
            self.query_one("#progress", Static).update(f"{n} done  ·  {20000 - n} to go")
            self.query_one("#prompt", Static).update(f"card {n}: what comes after {n}?")
            self.query_one("#expected", Static).update(f"Answer: {n + 1}")
            self.query_one("#explanation", Static).update(f"Because {n} + 1 is {n + 1}.")
            self.query_one("#ratings", Static).update(f" 1 Again  2 Hard  3 Good {n}m  4 Easy")
            self.call_after_refresh(on_painted)

    return ScreenFloorApp()


async def _drive_floor(
    keys: int, make: Callable[[Callable[[], None]], App[None]] = floor_app
) -> Samples:
    """Time `keys` Enters on a floor app, as the quiz app's keys are timed."""
    marks: list[KeyTimer] = []
    app = make(lambda: marks[0].mark())
    timer = KeyTimer(app)
    marks.append(timer)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        for _ in range(keys):
            if await timer.key("enter", "\r") is None:
                break
            await pilot.pause()
    return timer.keys


async def _drive_tui(
    app: QuizApp, answers: int, profile: Path | None = None
) -> tuple[Samples, Samples, Samples]:
    """Answer through the app run by `run_test`: answers, every key, and keys to the next card."""
    # The clock stops when the study screen has shown the feedback or the next card (its
    # `phase` is set for each) and the screen has been refreshed. An answer is the committing
    # key plus, when graded, Enter to the next card.
    from textual.widgets import Input

    from quiz.tui.screens.study import StudyScreen
    from quiz.tui.widgets.answers import MatchPicker, OrderPicker

    session = app.session
    total = Samples()
    next_card = Samples()
    timer = KeyTimer(app)

    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        if not isinstance(screen, StudyScreen):
            raise SystemExit(f"the study screen did not open: {type(screen).__name__}")
        screen.watch(screen, "phase", lambda _: screen.call_after_refresh(timer.mark), init=False)
        with profiling(profile):
            for _ in range(answers):
                current = session.current
                if app.screen is not screen or current is None:
                    break
                card = current.item.card
                # Getting an answer ready is the learner's time, not the app's: it is not timed.
                match card:
                    case Flashcard():
                        await pilot.press("space")
                        seconds = await timer.key("3", "3")
                        if seconds is None:
                            break
                        total.add(seconds)
                        next_card.add(seconds)
                        continue
                    case TrueFalse():
                        await pilot.press("t" if card.answer else "f")
                    case Choice():
                        await pilot.press("1")
                    case Cloze() | Typed() | Numeric():
                        answer = screen.query_one(".answer", Input)
                        answer.value = str(correct_response(current.item))
                    case Order():
                        # An order never moved is refused, so it is put right as a learner would.
                        order = screen.query_one(".answer", OrderPicker)
                        order.order, order.moved = card.items, True
                    case Match():
                        pairs = screen.query_one(".answer", MatchPicker)
                        pairs.assigned = {
                            i: pairs.rights.index(r) for i, (_, r) in enumerate(card.pairs)
                        }
                    case _:
                        assert_never(card)
                submitted = await timer.key("enter", "\r")
                await pilot.pause()
                shown = await timer.key("enter", "\r") if submitted is not None else None
                if submitted is None or shown is None:
                    break
                total.add(submitted + shown)
                next_card.add(shown)
                await pilot.pause()
    return total, timer.keys, next_card


def bench_tui(
    db: Path, deck_path: Path, learner: str, answers: int, profile: Path | None = None
) -> dict[str, Any]:
    """Answer `answers` items through the TUI driven by Pilot."""
    from quiz.tui.app import make_app

    store = open_store(db)
    deck, problems = open_deck(store, deck_path, datetime.now(UTC))
    if deck is None:
        raise SystemExit("\n".join(str(p) for p in problems))
    app = make_app(store, [deck], learner, study=[deck.id], rng=random.Random(1))
    # The floor first, in the same process and by the same harness: on a shared machine the
    # two numbers are only comparable when measured side by side.
    floor = asyncio.run(_drive_floor(max(answers, 50)))
    screen_floor = asyncio.run(_drive_floor(max(answers, 50), screen_floor_app))
    total, keys, next_card = asyncio.run(_drive_tui(app, answers, profile))
    store.close()
    if not total.values:
        raise SystemExit("nothing was answered")
    return {
        "answer": total.to_json(),
        "key": keys.to_json(),
        "next_card": next_card.to_json(),
        "floor": floor.to_json(),
        "screen_floor": screen_floor.to_json(),
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    """Run the engine or TUI answer benchmark on a store that already has the deck synced."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("engine", "tui"))
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--deck", type=Path, required=True)
    parser.add_argument("--learner", default="bench")
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument(
        "--profile", type=Path, help="write a pyinstrument profile of the answers (text)"
    )
    args = parser.parse_args()
    if args.mode == "engine":
        emit(bench_engine(args.db, args.deck, args.learner, args.answers, args.profile))
    else:
        emit(bench_tui(args.db, args.deck, args.learner, args.answers, args.profile))


if __name__ == "__main__":
    main()

"""The answer path: grade, schedule, commit and fetch the next card, in the engine and the TUI."""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import time
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


async def _drive_tui(
    app: QuizApp, answers: int, profile: Path | None = None
) -> tuple[Samples, Samples]:
    """Answer through the app run by `run_test`: time from a key to the screen repainted after.

    Pilot's own `press` waits for 20 ms slices of idle CPU, so timing it would time Pilot. The
    timed keys are sent as Pilot sends them, and the clock stops when the study screen has shown
    the feedback or the next card (its `phase` is set for each) and the screen has been
    refreshed (`call_after_refresh`).
    """
    from textual import events
    from textual.widgets import Input

    from quiz.tui.screens.study import StudyScreen

    session = app.session
    total = Samples()
    keys = Samples()
    painted = asyncio.Event()
    stamp = [0.0]

    def mark() -> None:
        stamp[0] = time.perf_counter()
        painted.set()

    async def key(name: str, char: str) -> float | None:
        painted.clear()
        event = events.Key(name, char)
        event.set_sender(app)
        start = time.perf_counter()
        assert app._driver is not None
        app._driver.send_message(event)
        try:
            await asyncio.wait_for(painted.wait(), timeout=10)
        except TimeoutError:
            return None
        keys.add(stamp[0] - start)
        return stamp[0] - start

    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        if not isinstance(screen, StudyScreen):
            raise SystemExit(f"the study screen did not open: {type(screen).__name__}")
        screen.watch(screen, "phase", lambda _: screen.call_after_refresh(mark), init=False)
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
                        seconds = await key("3", "3")
                        if seconds is None:
                            break
                        total.add(seconds)
                        continue
                    case TrueFalse():
                        await pilot.press("t" if card.answer else "f")
                    case Choice():
                        await pilot.press("1")
                    case Cloze() | Typed() | Numeric():
                        answer = screen.query_one(".answer", Input)
                        answer.value = str(correct_response(current.item))
                    case Order() | Match():
                        pass  # submitted as shuffled
                    case _:
                        assert_never(card)
                submitted = await key("enter", "\r")
                await pilot.pause()
                shown = await key("enter", "\r") if submitted is not None else None
                if submitted is None or shown is None:
                    break
                total.add(submitted + shown)
                await pilot.pause()
    return total, keys


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
    total, keys = asyncio.run(_drive_tui(app, answers, profile))
    store.close()
    if not total.values:
        raise SystemExit("nothing was answered")
    return {"answer": total.to_json(), "key": keys.to_json(), "peak_rss_mb": peak_rss_mb()}


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

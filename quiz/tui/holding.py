"""Suspending or burying the card being studied, from the study screen, then the next card."""

from __future__ import annotations

from textual.app import App

from quiz.session import StudySession
from quiz.study import marking
from quiz.study.learner import learner_settings


async def hold_current(app: App[None], session: StudySession, kind: str) -> None:
    """Suspend or bury the item on screen, say so and how to undo it, and show the next one."""
    from quiz.tui.screens.study import StudyScreen

    screen = app.screen
    current = session.current
    if not isinstance(screen, StudyScreen) or current is None:
        app.notify("answer the card first, or go on to the next one", title=kind.capitalize())
        return
    item = current.item
    target = [(item.deck_id, item.key)]
    now = session.clock()
    if kind == "bury":
        hour = learner_settings(session.store, session.learner).rollover_hour
        marking.bury(session.store, session.learner, target, now, hour)
        undo = "it comes back when the next study day begins"
        done = "buried"
    else:
        marking.mark(session.store, session.learner, target, "suspend", now)
        undo = f"Undo: quiz unsuspend id:{item.card.id}, or ! on it in the browser (b at home)"
        done = "suspended"
    app.notify(f"{item.key} {done}. {undo}", title=kind.capitalize())
    await screen.show_next()

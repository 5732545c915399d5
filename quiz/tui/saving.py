"""A write that failed on the study screen: said there, and the card kept to be answered again."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from quiz.store.errors import NotRecorded

if TYPE_CHECKING:
    from quiz.tui.screens.study import StudyScreen

S = TypeVar("S", bound=type)


def tell(screen: StudyScreen, failure: NotRecorded) -> None:
    """Say on the screen what was not saved, and why; the card stays as it was."""
    # Under the card while it is asked (the line that says how to answer), and as a toast
    # that stays a while in any phase.
    screen.refused = str(failure)
    screen._update_ratings()
    title = "Housekeeping failed" if failure.housekeeping else "Not saved"
    screen.app.notify(str(failure), title=title, severity="error", timeout=30, markup=False)


def idle(screen: StudyScreen) -> None:
    """The session's housekeeping while the learner reads, telling what it found wrong."""
    failure = screen.session.idle()
    if failure is not None:
        tell(screen, failure)


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def guarded_async(screen: StudyScreen, *args: Any) -> Any:
            try:
                return await method(screen, *args)
            except NotRecorded as failure:
                tell(screen, failure)
                return None

        return guarded_async

    @functools.wraps(method)
    def guarded(screen: StudyScreen, *args: Any) -> Any:
        try:
            return method(screen, *args)
        except NotRecorded as failure:
            tell(screen, failure)
            return None

    return guarded


def keeps_the_card(*names: str) -> Callable[[S], S]:
    """A class decorator: these methods, when a write fails, tell it and stop where they are."""

    def decorate(cls: S) -> S:
        for name in names:
            setattr(cls, name, _guarded(getattr(cls, name)))
        return cls

    return decorate

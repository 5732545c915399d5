"""Ctrl+P while studying: the card's pictures and sounds, opened with the platform's opener."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from quiz.media import media_names, open_media


def studied_media(screen: Screen[object]) -> tuple[list[str], str | None]:
    """The media the study screen's card names now, and its deck's file ([] elsewhere)."""
    from quiz.tui.screens.study import Phase, StudyScreen

    if not isinstance(screen, StudyScreen) or screen.session.current is None:
        return [], None
    item = screen.session.current.item
    deck = next((d for d in screen.session.decks if d.id == item.deck_id), None)
    # Until the card is answered, only what its question names: a sound on the back would tell.
    names = media_names(item, answered=screen.phase is not Phase.ASKING)
    return names, deck.path if deck is not None else None


def open_studied(app: App[None]) -> None:
    """Open the card's media, and say in a toast what was opened, or why nothing could be."""
    names, deck_path = studied_media(app.screen)
    if names:
        opened = open_media(names, deck_path)
        app.notify(opened.message, severity="information" if opened.ok else "warning")

"""The footer of key bindings, rebuilt only when the keys it shows change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen[object]) -> tuple[Hashable, ...]:
    """What a footer shows for the screen: each shown binding's key, label and whether it works."""
    return tuple(
        (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
        for _, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )


class KeyFooter(Footer):
    """Textual's footer, minus the rebuilds that change nothing.

    Textual rebuilds a footer on every binding refresh, and a study screen refreshes its
    bindings several times per card (new answer widget, focus, feedback): with the rebuilt
    keys restyled and laid out, that was most of the time each key press took.
    """

    _shown: tuple[Hashable, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = shown_keys(screen)
        if self._bindings_ready and shown == self._shown:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown

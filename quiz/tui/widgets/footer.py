"""The footer of key bindings, changed in place only when the keys it shows change."""

from __future__ import annotations

import itertools
from collections.abc import Hashable

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def shown_keys(screen: Screen[object]) -> tuple[Hashable, ...]:
    """What a footer shows for the screen: each shown binding's key, label and whether it works."""
    return tuple(
        (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
        for _, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )


def footer_entries(screen: Screen[object]) -> list[tuple[Binding, bool, str]] | None:
    """The keys a footer shows, one per action as Textual's does; None if any is grouped."""
    by_action: dict[str, tuple[Binding, bool, str]] = {}
    for _, binding, enabled, tooltip in screen.active_bindings.values():
        if not binding.show:
            continue
        if binding.group is not None:
            return None
        by_action.setdefault(binding.action, (binding, enabled, tooltip))
    return list(by_action.values())


class KeyFooter(Footer):
    """Textual's footer, minus the rebuilds: its keys are changed in place.

    Textual rebuilds a footer on every binding refresh (new key widgets, their styles, a layout
    and a paint of each, one frame after the change), and a study screen's keys change with
    most cards (flashcards have no Submit, true/false adds t/f, text answers show F1). That was
    most of the time a key press took; relabelling the key widgets already there is not.
    """

    _shown: tuple[Hashable, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = shown_keys(screen)
        if self._bindings_ready and shown == self._shown:
            return
        live = screen.app.app_focus and self.is_attached and screen is self.screen
        if live and self._shown is not None and self._relabel(screen):
            self._shown = shown
            return
        super().bindings_changed(screen)
        if live:
            self._shown = shown

    def keys_on_screen(self) -> list[FooterKey]:
        """The key widgets shown, in order (the kept ones that are hidden left out)."""
        return [key for key in self.query(FooterKey) if key.display]

    def _relabel(self, screen: Screen[object]) -> bool:
        """Show the screen's keys with the key widgets there are; False if a rebuild is needed."""
        # One key widget per binding ever shown is kept: a binding that comes back (Submit
        # with each answer widget, t/f with each true-or-false card) is shown again with its
        # widget as it was rendered, not mounted and rendered anew. Keys not wanted are hidden.
        entries = footer_entries(screen)
        keys = list(self.children)
        if entries is None or not all(type(key) is FooterKey for key in keys):
            return False
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            return False
        kept: dict[tuple[str, str, str, str], FooterKey] = {}
        for child in keys:
            assert isinstance(child, FooterKey)
            kept.setdefault((child.key, child.action, child.key_display, child.description), child)
        wanted: list[FooterKey] = []
        for binding, enabled, tooltip in entries:
            display = self.app.get_key_display(binding)
            identity = (binding.key, binding.action, display, binding.description)
            key: FooterKey | None = kept.pop(identity, None)
            if key is None:
                key = FooterKey(
                    binding.key,
                    display,
                    binding.description,
                    binding.action,
                    disabled=not enabled,
                    tooltip=tooltip,
                )
                key.data_bind(compact=Footer.compact)
                if wanted:
                    self.mount(key, after=wanted[-1])
                elif self.children:
                    self.mount(key, before=0)
                else:
                    self.mount(key)
            else:
                if key._disabled != (not enabled):
                    key._disabled = not enabled
                    key.set_class(not enabled, "-disabled")
                    key.refresh()
                key.tooltip = tooltip or None
                if not key.display:
                    key.display = True
            wanted.append(key)
        for unwanted in kept.values():
            if unwanted.display:
                unwanted.display = False
        # The keys shown keep the order of the bindings.
        order = [child for child in self.children if child in wanted]
        if wanted and order != wanted:
            self.move_child(wanted[0], before=0)
            for before, after in itertools.pairwise(wanted):
                self.move_child(after, after=before)
        return True

"""The footer of key bindings, changed in place only when the keys it shows change."""

from __future__ import annotations

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

    def _relabel(self, screen: Screen[object]) -> bool:
        """Show the screen's keys on the key widgets there are; False if a rebuild is needed."""
        entries = footer_entries(screen)
        keys = list(self.children)
        if entries is None or not all(type(key) is FooterKey for key in keys):
            return False
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            return False
        for key, (binding, enabled, tooltip) in zip(keys, entries, strict=False):
            assert isinstance(key, FooterKey)
            display = self.app.get_key_display(binding)
            width = (len(key.key_display), len(key.description))
            if (key.key, key.action, key.key_display, key.description, key._disabled) == (
                binding.key,
                binding.action,
                display,
                binding.description,
                not enabled,
            ):
                continue
            key.key, key.action, key.key_display = binding.key, binding.action, display
            key.description, key._disabled = binding.description, not enabled
            key.set_class(not enabled, "-disabled")
            key.tooltip = tooltip or None
            # Only a key whose text changed length moves the others.
            key.refresh(layout=width != (len(display), len(binding.description)))
        for key in keys[len(entries) :]:
            key.remove()
        extra = [
            FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
            for binding, enabled, tooltip in entries[len(keys) :]
        ]
        if extra:
            self.mount(*extra)
        return True

"""One-line status widgets that drop their least important parts when the terminal is narrow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.geometry import Size
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from quiz.tui.widgets.footer import KeyFooter


@dataclass(frozen=True)
class Part:
    """A piece of a status line: `keep` ranks it (lowest goes first), `sep` stands before it."""

    text: Text
    keep: int = 0
    sep: str = "  "
    tight: str = " "  # the separator when the line has to squeeze


def assemble(parts: Sequence[Part], tight: bool = False) -> Text:
    """The parts on one line, each after its separator (none before the first)."""
    line = Text()
    for index, part in enumerate(parts):
        if index:
            line.append(part.tight if tight else part.sep, style="dim")
        line.append_text(part.text)
    return line


def fit(parts: Sequence[Part], width: int) -> Text:
    """The line with as many parts as fit `width`: squeezed first, then the lowest kept dropped."""
    full = assemble(parts)
    if cell_len(full.plain) <= width:
        return full
    shown = list(parts)
    while True:
        line = assemble(shown, tight=True)
        if len(shown) <= 1 or cell_len(line.plain) <= width:
            # A single part too long for the line wraps rather than losing its end.
            return line
        # The rightmost of the least kept goes: the left of a line is read first.
        lowest = min(part.keep for part in shown)
        drop = max(i for i, part in enumerate(shown) if part.keep == lowest)
        del shown[drop]


class StatusLine(Static):
    """A status line whose parts give way, least important first, rather than run off the edge.

    `content` keeps the whole line, as the learner would read it on a wide terminal.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.parts: tuple[Part, ...] = ()

    def show(self, parts: Sequence[Part]) -> None:
        """Show these parts, in this order."""
        parts = tuple(parts)
        if parts == self.parts:
            return
        self.parts = parts
        self.update(assemble(parts))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Measured as it will be drawn at this width: the whole line could wrap where the
        # fitted one does not.
        if not self.parts or width <= 0:
            return super().get_content_height(container, viewport, width)
        return len(fit(self.parts, width).wrap(self.app.console, width))

    def render(self) -> Text:
        width = self.content_region.width
        if not self.parts or width <= 0:
            return assemble(self.parts)
        return fit(self.parts, width)


# Footer keys dropped first when they do not all fit, then the others from the right; help
# stays, and lists every key.
MINOR_KEYS = ("flag", "app.instructor", "app.settings", "app.statistics")
HELP_KEYS = ("help", "typing_help", "app.help")


def key_width(key: FooterKey, compact: bool) -> int:
    """The columns a footer key takes, its margin included, as quiz.tcss lays it out."""
    width = cell_len(key.key_display) + cell_len(key.description)
    return width + (2 if compact else 3) if key.description else width + 2


def keys_to_drop(keys: Sequence[FooterKey], width: int, compact: bool) -> set[int]:
    """Indexes of the keys to hide so the rest fit `width`: minor ones first, help never."""
    total = sum(key_width(key, compact) for key in keys)
    order = [i for i in reversed(range(len(keys))) if keys[i].action in MINOR_KEYS]
    order += [
        i
        for i in reversed(range(len(keys)))
        if keys[i].action not in MINOR_KEYS and keys[i].action not in HELP_KEYS
    ]
    dropped: set[int] = set()
    for index in order:
        if total <= width:
            break
        dropped.add(index)
        total -= key_width(keys[index], compact)
    return dropped


class FittingFooter(KeyFooter):
    """The key footer, keeping to one line by hiding the least needed keys when narrow."""

    _width = 0

    def compose(self) -> ComposeResult:
        children = list(super().compose())
        keys = [child for child in children if isinstance(child, FooterKey)]
        self._width = width = self.app.size.width
        for index in keys_to_drop(keys, width, self.screen.has_class("-narrow")):
            keys[index].display = False
        yield from children

    def on_resize(self) -> None:
        if self.app.size.width != self._width and self._bindings_ready:
            self.refresh(recompose=True)

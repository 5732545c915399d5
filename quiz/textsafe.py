"""Data the CLI prints, made inert: never read as Rich markup, no escapes or breaks sent raw."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# C0 and C1 controls (ESC starts every CSI and OSC sequence; newlines forge lines), line and
# paragraph separators, bidirectional marks, overrides and isolates, byte-order marks, and
# lone surrogates, which no terminal encoding can carry.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def safe(value: object) -> str:
    """Text to print: each control character shown as its escape (\\x1b, \\n), so it is inert."""
    text = str(value)
    if text.isprintable():
        return text
    return _UNSAFE.sub(lambda m: ascii(m.group())[1:-1], text)


def cell(value: object) -> Text:
    """Data for a Rich table or title: literal text (markup such as [/] or [link] is shown)."""
    from rich.text import Text

    return Text(safe(value))

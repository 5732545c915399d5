"""Deck text: made safe to show (no terminal control sequences), and turned into slugs."""

from __future__ import annotations

import re
import unicodedata

# Whole escape sequences go, not only the ESC byte, so no "[31m" debris is left behind.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI, e.g. colours and cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, e.g. titles, hyperlinks, clipboard (OSC 52)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b."  # any other two-byte escape
)
# C0 controls except tab and newline, DEL, C1 controls, bidirectional overrides/isolates (which
# can make text read differently from what it is) and stray byte-order marks (invisible).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")

# For messages: line breaks, and everything above plus tab, newline and bidi marks.
_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def one_line(text: str) -> str:
    """Text for a one-line message: breaks become spaces, other controls visible escapes."""
    if text.isprintable():
        return text
    text = _BREAKS.sub(" ", text)
    return _UNSHOWABLE.sub(lambda m: ascii(m.group())[1:-1], text)


def clean_text(text: str) -> str:
    """Return text with terminal escape sequences and control characters removed."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))


def slugify(text: str, max_length: int = 48) -> str:
    """A slug like 'csto-basics' from any text: ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "")

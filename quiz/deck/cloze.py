"""The cloze text format: `{{c3::answer|other answer::hint}}` gaps, escapes, and gap numbers.

Inside a gap, `|` separates accepted answers, the first `::` after them starts a hint the
learner sees in the blank, and an optional `cN::` in front gives the gap a number that stays
when gaps are added or moved. A backslash makes the next `\\`, `|`, `:`, `{` or `}` literal
(`\\|`, `\\::`, `\\}}`); any other backslash is itself. Outside gaps, text is as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quiz.deck.limits import MAX_GAP_NUMBER

# A gap never spans another "{{", which keeps matching linear on text full of unclosed ones;
# a backslash takes the character after it, so an escaped "}" does not close the gap.
GAP = re.compile(r"\{\{((?:\\.|(?!\{\{)[^\\])*?)\}\}", re.DOTALL)
ESCAPABLE = frozenset("\\|:{}")
_NUMBER = re.compile(r"c(\d{1,9})::")
# A colon needs one only as part of '::', or last (a hint's '::' may follow): '10:30' stays.
_NEEDS_ESCAPE = re.compile(r"[\\|{}]|:(?=:|$)|(?<=:):")
# In a hint, '|' and '::' are the hint's own: only braces and backslashes need escaping.
_HINT_ESCAPE = re.compile(r"[\\{}]")


@dataclass(frozen=True)
class GapParts:
    """One gap as written: its number (None when it has none), answers and hint."""

    number: int | None
    answers: tuple[str, ...]
    hint: str | None
    problem: str | None = None  # what is wrong with the gap, said as "gap '{{...}}' ..."
    rule: str = "cloze-empty-gap"


def split(text: str) -> tuple[list[str], list[str]]:
    """The text between gaps (one more than the gaps) and each gap's inside as written."""
    parts = GAP.split(text)
    return parts[0::2], parts[1::2]


def gap_count(text: str) -> int:
    """At least as many as the gaps the text has: counted before the text is split."""
    return text.count("{{")


def _unescape_split(body: str) -> tuple[list[str], str | None]:
    """The body's answers, split at unescaped '|', and what follows its first unescaped '::'."""
    answers: list[str] = []
    current: list[str] = []
    i, end = 0, len(body)
    while i < end:
        ch = body[i]
        if ch == "\\" and i + 1 < end and body[i + 1] in ESCAPABLE:
            current.append(body[i + 1])
            i += 2
        elif ch == "|":
            answers.append("".join(current))
            current = []
            i += 1
        elif body.startswith("::", i):
            answers.append("".join(current))
            return answers, unescape(body[i + 2 :])
        else:
            current.append(ch)
            i += 1
    answers.append("".join(current))
    return answers, None


def unescape(text: str) -> str:
    """Text with each backslash escape replaced by the character it escapes."""
    if "\\" not in text:
        return text
    return re.sub(r"\\([\\|:{}])", r"\1", text)


def escape(text: str) -> str:
    """Text written so that, inside a gap, it reads back as itself (one answer, no hint)."""
    return _NEEDS_ESCAPE.sub(lambda m: "\\" + m.group(0), text)


def escape_hint(text: str) -> str:
    """A hint written so that, after a gap's '::', it reads back as itself."""
    return _HINT_ESCAPE.sub(lambda m: "\\" + m.group(0), text)


def parse_gap(raw: str) -> GapParts:
    """A gap's inside, as written between its braces."""
    number: int | None = None
    body = raw
    numbered = _NUMBER.match(raw.lstrip())
    if numbered:
        number = int(numbered.group(1))
        body = raw.lstrip()[numbered.end() :]
    answers, hint = _unescape_split(body)
    stripped = tuple(a.strip() for a in answers)
    hint = hint.strip() if hint is not None else None
    if not all(stripped):
        return GapParts(number, stripped, hint, "has an empty answer")
    if hint == "":
        return GapParts(number, stripped, hint, "has an empty hint (leave out '::' for none)")
    if number is not None and not 1 <= number <= MAX_GAP_NUMBER:
        problem = f"has the number {number}; gap numbers go from c1 to c{MAX_GAP_NUMBER}"
        return GapParts(number, stripped, hint, problem, "cloze-syntax")
    return GapParts(number, stripped, hint)


def resolve_numbers(written: list[int | None]) -> tuple[list[int], list[tuple[int, int]]]:
    """Each gap's number: its own, or its place (the third gap is c3); and duplicates.

    The duplicates are (index of the later gap, the number it repeats). Unnumbered gaps take
    their place so that a cloze written before gap numbers existed keeps its items' keys.
    """
    numbers = [n if n is not None else place for place, n in enumerate(written, start=1)]
    seen: set[int] = set()
    duplicates = []
    for index, number in enumerate(numbers):
        if number in seen:
            duplicates.append((index, number))
        seen.add(number)
    return numbers, duplicates


def next_free(numbers: list[int]) -> int:
    """The smallest gap number above every number used."""
    return max(numbers, default=0) + 1


def blank(hint: str | None, empty: str = "[...]") -> str:
    """What the learner sees in place of a gap: the hint, when there is one, in brackets."""
    return f"[{hint}]" if hint else empty

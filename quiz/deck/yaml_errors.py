"""YAML's errors said in plain words, each with its rule, a hint and a repair to read on."""

# PyYAML reports where its parser gave up, in the parser's words. Hand-written decks go wrong in
# a few common ways; each is recognised from the error and the lines around it, and most come
# with a repair: the text changed at that one place, so that the rest of the file can be read
# and its problems found in the same run.

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# A line's key: its indentation, any list dashes, then the key and its colon.
_KEY = re.compile(r"^( *)((?:- +)*)([^\s#'\"\[\]{}:-][^#:]*?|\"[^\"]*\"|'[^']*'):(?:\s|$)")
# A list dash with no space after it, which YAML reads as text.
_DASH = re.compile(r"^( *)-([^\s-])")
_COLON_NO_SPACE = re.compile(r"^( *(?:- +)*)([\w-]+):(\S)")


@dataclass(frozen=True)
class Shift:
    """An edit that moved the text of one line: columns after `column` moved by `delta`."""

    line: int
    column: int
    delta: int


@dataclass(frozen=True)
class Explained:
    """A YAML error in plain words, and the repaired text to read on, if one is safe to make."""

    line: int
    column: int
    message: str
    rule: str
    hint: str | None = None
    repaired: str | None = None
    shift: Shift | None = None
    # The span the problem covers, when it is more than one character.
    end_column: int | None = None


class _Lines:
    """The text's lines, each with its line break, to read and edit by number."""

    def __init__(self, text: str) -> None:
        self.parts: list[str] = []
        self.breaks: list[str] = []
        start = 0
        for match in _BREAK.finditer(text):
            self.parts.append(text[start : match.start()])
            self.breaks.append(match.group())
            start = match.end()
        self.parts.append(text[start:])
        self.breaks.append("")

    def get(self, number: int) -> str:
        return self.parts[number - 1] if 0 < number <= len(self.parts) else ""

    def text(self) -> str:
        return "".join(p + b for p, b in zip(self.parts, self.breaks, strict=True))

    def replaced(self, number: int, line: str) -> str:
        old = self.parts[number - 1]
        self.parts[number - 1] = line
        try:
            return self.text()
        finally:
            self.parts[number - 1] = old

    def previous(self, number: int) -> int | None:
        """The nearest line before `number` with content that is not a comment."""
        for n in range(number - 1, 0, -1):
            stripped = self.get(n).strip()
            if stripped and not stripped.startswith("#"):
                return n
        return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key(line: str) -> tuple[int, str] | None:
    """The 0-based column and text of a line's key, if it has one."""
    found = _KEY.match(line)
    if found is None:
        return None
    return len(found.group(1)) + len(found.group(2)), found.group(3)


def _reindent(lines: _Lines, number: int, spaces: int, message: str, rule: str) -> Explained:
    line = lines.get(number)
    old = _indent(line)
    key = _key(line)
    name = key[1] if key else line.strip()
    prev = lines.previous(number)
    prev_key = _key(lines.get(prev)) if prev else None
    target = f"'{prev_key[1]}:'" if prev_key and prev_key[0] == spaces else "the keys around it"
    return Explained(
        number,
        old + 1,
        message,
        rule,
        f"line this up with {target} ({spaces} spaces)",
        lines.replaced(number, " " * spaces + line[old:]),
        Shift(number, min(old, spaces) - 1, spaces - old),
        end_column=old + 1 + len(name),
    )


def _dash_without_space(lines: _Lines, number: int) -> Explained | None:
    for n in (number, lines.previous(number)):
        line = lines.get(n) if n else ""
        found = _DASH.match(line)
        if n and found:
            column = len(found.group(1))
            word = line[column:].split(":")[0].split()[0]
            return Explained(
                n,
                column + 1,
                f"invalid YAML: '{word}' needs a space after '-' to be a list item",
                "yaml-missing-space",
                f"write '- {word[1:]}'",
                lines.replaced(n, line[: column + 1] + " " + line[column + 1 :]),
                Shift(n, column + 1, 1),
                end_column=column + 1 + len(word),
            )
    return None


def _unquoted_colon(lines: _Lines, number: int, column: int) -> Explained | None:
    line = lines.get(number)
    key = _key(line)
    if key is None:
        return None
    key_column, name = key
    colon = key_column + len(name)
    if column - 1 <= colon or line[column - 1 : column] != ":":
        return None
    value = line[colon + 1 :].strip()
    return Explained(
        number,
        column,
        f"invalid YAML: the value of '{name}' has ': ' in it, which YAML reads as another key",
        "yaml-unquoted-colon",
        f'put the value in quotes: {name}: "{value}"'
        if '"' not in value
        else f"put the value in quotes: {name}: '{value}'",
        lines.replaced(number, line[: column - 1] + " " + line[column:]),
    )


def _too_deep_key(lines: _Lines, number: int) -> Explained | None:
    """A key indented more than the key above it, whose value is already given."""
    line = lines.get(number)
    key = _key(line)
    prev = lines.previous(number)
    prev_key = _key(lines.get(prev)) if prev else None
    if key is None or prev is None or prev_key is None or key[0] <= prev_key[0]:
        return None
    if lines.get(prev).rstrip().endswith(":"):
        return None
    return _reindent(
        lines,
        number,
        prev_key[0],
        f"invalid YAML: '{key[1]}:' is indented more than '{prev_key[1]}:' on line {prev}, "
        f"so YAML reads it as part of the value of '{prev_key[1]}'",
        "yaml-indentation",
    )


def _misaligned_key(lines: _Lines, number: int, what: str) -> Explained | None:
    """A key indented to no level of the keys above it."""
    line = lines.get(number)
    key = _key(line)
    if key is None:
        return None
    levels: dict[int, tuple[int, str]] = {}
    n = lines.previous(number)
    while n is not None:
        found = _key(lines.get(n))
        if found is not None:
            levels.setdefault(found[0], (n, found[1]))
            if found[0] < key[0] and _indent(lines.get(n)) < key[0]:
                break
        n = lines.previous(n)
    if not levels or key[0] in levels:
        return None
    # The nearest deeper level above: the key most likely meant to be a sibling of this one.
    deeper = sorted(c for c in levels if c > key[0])
    spaces = deeper[0] if deeper else max(levels)
    other_line, other = levels[spaces]
    return _reindent(
        lines,
        number,
        spaces,
        f"invalid YAML: '{key[1]}:' is indented {key[0]} spaces, {what} '{other}:' on line "
        f"{other_line} is indented {spaces}",
        "yaml-indentation",
    )


def _list_item(lines: _Lines, number: int, column: int) -> Explained | None:
    line = lines.get(number)
    if line[column - 1 : column + 1] not in ("- ", "-"):
        return None
    # The item and the lines under it are left out, so that what follows can be read.
    last = number
    while last < len(lines.parts):
        after = lines.get(last + 1)
        if after.strip() and _indent(after) <= column - 1:
            break
        last += 1
    blank = _Lines(lines.text())
    for n in range(number, last + 1):
        blank.parts[n - 1] = ""
    hint = (
        "a list is the value of a key: indent it under the key it belongs to, or remove the"
        " '- ' if this is a key of the mapping"
    )
    return Explained(
        number,
        column,
        "invalid YAML: a list item ('- ') where the mapping around it needs a key",
        "yaml-list-item",
        hint,
        blank.text(),
        end_column=len(line) + 1,
    )


def _text_after_quote(lines: _Lines, number: int, column: int) -> Explained | None:
    line = lines.get(number)
    key = _key(line)
    if key is None:
        return None
    start = key[0] + len(key[1]) + 1
    value = line[start:].lstrip()
    quote = value[:1]
    if quote not in ("'", '"') or column - 1 <= start:
        return None
    opened = line.index(quote, start)
    closed = line.find(quote, opened + 1)
    if closed < 0 or closed >= column - 1:
        return None
    twice = "''" if quote == "'" else '\\"'
    return Explained(
        number,
        closed + 1,
        f"invalid YAML: the text quoted with {quote} on line {number} ends here, "
        "but more text follows it",
        "yaml-text-after-quote",
        f"inside {quote}...{quote} write a {quote} as {twice}, or quote the value with the "
        "other kind of quote",
        lines.replaced(number, line[:start] + line[start:].replace(quote, "\u2019")),
    )


def _colon_without_space(lines: _Lines, number: int) -> Explained | None:
    line = lines.get(number)
    found = _COLON_NO_SPACE.match(line)
    if found is None or "://" in line:
        return None
    colon = len(found.group(1)) + len(found.group(2))
    word = line[len(found.group(1)) :].split()[0]
    return Explained(
        number,
        colon + 1,
        f"invalid YAML: '{word}' needs a space after ':' to be a key and its value",
        "yaml-missing-space",
        f"write '{found.group(2)}: {line[colon + 1 :].strip()}'",
        lines.replaced(number, line[: colon + 1] + " " + line[colon + 1 :]),
        Shift(number, colon + 1, 1),
    )


def unclosed_quote(text: str, exc: yaml.MarkedYAMLError) -> Explained | None:
    """A quoted string that runs to the end of the file, placed where its quote opens."""
    start = exc.context_mark
    if (
        exc.context != "while scanning a quoted scalar"
        or "end of stream" not in (exc.problem or "")
        or start is None
    ):
        return None
    lines = _Lines(text)
    line, col = start.line + 1, start.column + 1
    quote = lines.get(line)[col - 1 : col] or '"'
    message = (
        f"invalid YAML: a string opened with {quote} on line {line} is never closed: it runs"
        f" to the end of the file (close it with {quote} where its value ends)"
    )
    own = lines.get(line)
    return Explained(
        line,
        col,
        message,
        "yaml-unclosed-quote",
        f"add {quote} at the end of line {line}",
        lines.replaced(line, own.rstrip() + quote),
        end_column=len(own.rstrip()) + 1,
    )


def _unclosed_bracket(lines: _Lines, exc: yaml.MarkedYAMLError) -> Explained | None:
    start = exc.context_mark
    if start is None or exc.context not in (
        "while parsing a flow sequence",
        "while parsing a flow mapping",
    ):
        return None
    line, col = start.line + 1, start.column + 1
    opening = lines.get(line)[col - 1 : col]
    closing = {"[": "]", "{": "}"}.get(opening)
    if closing is None:
        return None
    what = "list" if opening == "[" else "mapping"
    own = lines.get(line)
    repaired = None
    if (exc.problem_mark is not None and exc.problem_mark.line + 1 > line) or "end of" in str(
        exc.problem
    ):
        repaired = lines.replaced(line, own.rstrip() + closing)
    return Explained(
        line,
        col,
        f"invalid YAML: the {what} opened with '{opening}' on line {line} is not closed",
        "yaml-unclosed-bracket",
        f"close it with '{closing}' after its last entry",
        repaired,
    )


def explain(text: str, exc: yaml.MarkedYAMLError, hint: str) -> Explained:
    """The error in plain words where a common mistake explains it, else in YAML's."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = _Lines(text)
    problem = exc.problem or ""
    context = exc.context or ""
    found: Explained | None = unclosed_quote(text, exc) or _unclosed_bracket(lines, exc)
    if found is None and not hint:
        if "mapping values are not allowed" in problem:
            found = (
                _dash_without_space(lines, line)
                or _unquoted_colon(lines, line, column)
                or _too_deep_key(lines, line)
            )
        elif "expected '-' indicator" in problem:
            found = _dash_without_space(lines, line) or _misaligned_key(
                lines, line, "between the levels of the lines above it:"
            )
        elif context == "while parsing a block mapping" and "expected key" in problem:
            found = (
                _list_item(lines, line, column)
                or _text_after_quote(lines, line, column)
                or _misaligned_key(lines, line, "between the levels of the lines above it:")
            )
        elif context == "while scanning a simple key" and exc.context_mark is not None:
            found = _colon_without_space(lines, exc.context_mark.line + 1)
    if found is not None:
        return found
    message = " ".join(p for p in (exc.context, exc.problem) if p)
    if "(a tab" in hint:
        own = lines.get(line)
        repaired = lines.replaced(line, own.replace("\t", " "))
        return Explained(
            line,
            column,
            f"invalid YAML: {message}{hint}",
            "yaml-tab",
            "indent with spaces",
            _tab_repair(lines, line) or repaired,
        )
    return Explained(line, column, f"invalid YAML: {message}{hint}", "yaml-syntax")


def _tab_repair(lines: _Lines, number: int) -> str | None:
    """The line with its leading tabs made the indentation of the key above it."""
    line = lines.get(number)
    body = line.lstrip(" \t")
    if "\t" not in line[: len(line) - len(body)]:
        return None
    prev = lines.previous(number)
    prev_key = _key(lines.get(prev)) if prev else None
    spaces = prev_key[0] if prev_key else 0
    return lines.replaced(number, " " * spaces + body)

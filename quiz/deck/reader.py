"""Reading composed YAML into values, collecting each problem at its line and column."""

from __future__ import annotations

import bisect
import difflib
import math
import re
from collections.abc import Callable
from typing import TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz.deck.limits import TEXT, Limit
from quiz.deck.problems import Problem, Severity
from quiz.deck.text import clean_text
from quiz.deck.vocabulary import FALSE_WORDS, TRUE_WORDS
from quiz.deck.yaml_safe import SAFE_TAGS, YAML_TAG

# Close-match suggestions compare strings pairwise; beyond these sizes they are not offered.
_SUGGEST_MAX_LENGTH = 200
_SUGGEST_MAX_OPTIONS = 200

T = TypeVar("T")
Entries = dict[str, tuple[ScalarNode, Node]]


def closest(word: str, options: list[str] | tuple[str, ...]) -> list[str]:
    """The option most like `word`, if any is close."""
    if len(word) > _SUGGEST_MAX_LENGTH or len(options) > _SUGGEST_MAX_OPTIONS:
        return []
    short = [o for o in options if len(o) <= _SUGGEST_MAX_LENGTH]
    return difflib.get_close_matches(word, short, n=1, cutoff=0.6)


def suggestion(word: str, options: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean ...?)' hint when `word` is close to one of `options`."""
    close = closest(word, options)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Reader:
    """Walks composed YAML nodes, collecting problems instead of stopping at the first."""

    def __init__(self, path: str, aliases_possible: bool = True, source: str | None = None) -> None:
        self.path = path
        # The text the nodes were composed from, to place a problem inside a scalar's text.
        self.source = source
        self._line_starts: list[int] | None = None
        self.problems: list[Problem] = []
        self.aliases = False
        self._seen: set[int] = set()
        # Every alias is written with a '*': a deck without one needs no nodes remembered.
        self._track = aliases_possible

    def report(
        self,
        node: Node,
        message: str,
        severity: Severity,
        rule: str,
        hint: str | None = None,
        fix: str | None = None,
    ) -> None:
        mark, end = node.start_mark, node.end_mark
        # A scalar on one line spans its text; anything else is placed at its first character.
        spans = isinstance(node, ScalarNode) and end.line == mark.line and end.column > mark.column
        self.problems.append(
            Problem(
                self.path,
                mark.line + 1,
                mark.column + 1,
                severity,
                message,
                rule,
                hint=hint,
                end_line=end.line + 1 if spans else None,
                end_column=end.column + 1 if spans else None,
                fix=fix,
            )
        )

    def error_inside(
        self, node: Node, needle: str, occurrence: int, message: str, rule: str
    ) -> None:
        """An error at the `occurrence`-th (0-based) `needle` in the scalar's text as written."""
        place = self._find(node, needle, occurrence) if isinstance(node, ScalarNode) else None
        if place is None:
            self.error(node, message, rule)
            return
        line, column = place
        self.problems.append(
            Problem(
                self.path,
                line,
                column,
                Severity.ERROR,
                message,
                rule,
                end_line=line,
                end_column=column + len(needle),
            )
        )

    def _find(self, node: ScalarNode, needle: str, occurrence: int) -> tuple[int, int] | None:
        if self.source is None:
            return None
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.source)]
        starts = self._line_starts
        start, end = node.start_mark, node.end_mark
        if end.line >= len(starts) or "\r" in self.source:
            return None
        first = starts[start.line] + start.column
        written = self.source[first : starts[end.line] + end.column]
        index = -1
        for _ in range(occurrence + 1):
            index = written.find(needle, index + 1)
            if index < 0:
                return None
        offset = first + index
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def error(
        self, node: Node, message: str, rule: str, hint: str | None = None, fix: str | None = None
    ) -> None:
        self.report(node, message, Severity.ERROR, rule, hint, fix)

    def warn(
        self, node: Node, message: str, rule: str, hint: str | None = None, fix: str | None = None
    ) -> None:
        self.report(node, message, Severity.WARNING, rule, hint, fix)

    def unknown_key(self, key_node: Node, message: str, key: str, close: list[str]) -> None:
        """An unknown key; when one allowed key is close, writing it is the fix."""
        # The message says 'did you mean' already: the close key is only the editor's fix.
        if close:
            self.error(key_node, message, "unknown-key", fix=close[0])
        else:
            self.error(key_node, message, "unknown-key")

    def visit(self, node: Node) -> bool:
        """Refuse aliases and unknown tags; True when the node may be read."""
        # An alias makes the composer hand back the same node twice: refusing the second visit
        # keeps alias bombs ("billion laughs") from costing exponential work.
        if self._track:
            if id(node) in self._seen:
                # The node carries the anchor's place; parse_deck reports each alias at its own.
                self.aliases = True
                return False
            self._seen.add(id(node))
        if node.tag not in SAFE_TAGS:
            self.error(
                node, f"unsupported YAML tag '{node.tag.replace(YAML_TAG, '!!')}'", "yaml-tag"
            )
            return False
        return True

    def mapping(self, node: Node, what: str) -> Entries | None:
        """A mapping's entries by key; None when the node is not a mapping."""
        if not self.visit(node):
            return None
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping", "not-a-mapping")
            return None
        entries: Entries = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or not self.visit(key_node):
                self.error(key_node, f"{what}: keys must be plain text", "not-text")
                continue
            key = key_node.value
            if key in entries:
                first = entries[key][0].start_mark.line + 1
                self.error(
                    key_node,
                    f"{what}: duplicate key '{key}' (first on line {first})",
                    "duplicate-key",
                )
                continue
            entries[key] = (key_node, value_node)
        return entries

    def check_keys(self, entries: Entries, allowed: tuple[str, ...], what: str) -> None:
        """An error at each key not `allowed`, with the allowed key it may be a typo of."""
        for key, (key_node, _) in entries.items():
            if key not in allowed:
                close = closest(key, allowed)
                hint = suggestion(key, allowed)
                self.unknown_key(key_node, f"{what}: unknown key '{key}'{hint}", key, close)

    def scalar(
        self, node: Node, what: str, kind: str = "text", rule: str = "not-text"
    ) -> str | None:
        """A scalar's text as written; None when the node is a list or a mapping."""
        if not self.visit(node):
            return None
        if not isinstance(node, ScalarNode):
            found = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.error(node, f"{what} must be {kind}, not {found}", rule)
            return None
        value = str(node.value)
        if len(value) > TEXT.most:
            # Refused before it is cleaned, compared or shown: every step after is per character.
            self.error(node, TEXT.message(what, len(value)), TEXT.rule)
            return None
        return value

    def within(self, node: Node, limit: Limit, what: str) -> bool:
        """Whether a list or mapping has at most `limit.most` entries; an error at it if not."""
        found = len(node.value) if isinstance(node, (SequenceNode, MappingNode)) else 0
        if found <= limit.most:
            return True
        self.error(node, limit.message(what, found), limit.rule)
        return False

    def text(self, node: Node, what: str, kind: str = "text", rule: str = "not-text") -> str | None:
        """A scalar's text made safe to show and stripped, which must not be empty."""
        value = self.scalar(node, what, kind, rule)
        if value is None:
            return None
        value = clean_text(value).strip()
        if not value:
            self.error(node, f"{what} must not be empty", "empty-text")
            return None
        return value

    def text_list(self, node: Node, what: str, minimum: int = 0) -> list[tuple[str, Node]]:
        """A list's texts, each with its node."""
        if not self.visit(node):
            return []
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what} must be a list", "not-a-list")
            return []
        out = []
        for child in node.value:
            value = self.text(child, f"{what} entry")
            if value is not None:
                out.append((value, child))
        if len(node.value) < minimum:
            self.error(
                node,
                f"{what} needs at least {minimum} entries, found {len(node.value)}",
                "too-few-entries",
            )
        return out

    def boolean(self, node: Node, what: str) -> bool | None:
        """true or false, written as any of the format's words for them."""
        value = self.scalar(node, what, "true or false", "not-a-boolean")
        if value is None:
            return None
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        self.error(node, f"{what} must be true or false, not '{value}'", "not-a-boolean")
        return None

    def number(self, node: Node, what: str, parse: Callable[[str], T]) -> T | None:
        """A finite number, parsed as `parse` does; '_' may group digits."""
        value = self.scalar(node, what, "a number", "not-a-number")
        if value is None:
            return None
        try:
            result = parse(value.replace("_", ""))
        except ValueError:
            self.error(node, f"{what} must be a number, not '{value}'", "not-a-number")
            return None
        if isinstance(result, float) and not math.isfinite(result):
            self.error(node, f"{what} must be a finite number, not '{value}'", "not-a-number")
            return None
        return result


def optional(
    entries: Entries, key: str, read: Callable[[Node, str], T | None], what: str
) -> T | None:
    """The entry's value read with `read`, or None when the key is absent."""
    return read(entries[key][1], what) if key in entries else None

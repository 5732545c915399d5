"""YAML composed defensively: the C parser, nesting bounded, every failure at its place."""

# Decks are plain data: every scalar is the text written, and the reader (quiz/deck/reader.py)
# refuses aliases and tags other than plain data, using `SAFE_TAGS` and `alias_problems` here.

from __future__ import annotations

import re
from dataclasses import replace
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz.deck.problems import Problem, Severity
from quiz.deck.yaml_errors import Shift, explain

try:  # The C parser is several times faster; fall back when libyaml is absent.
    Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    Loader = yaml.SafeLoader

# Decks nest four levels (deck, cards, card, list); the C composer recurses once per level and
# overflows the stack somewhere past 20,000, so depth is checked on the event stream first.
MAX_NESTING = 32
YAML_TAG = "tag:yaml.org,2002:"
# Explicit tags that still mean plain data; anything else (e.g. !!python/object) is refused.
SAFE_TAGS = {
    YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
STR_TAG = YAML_TAG + "str"
# The plain scalars whose implicit tag is one `SAFE_TAGS` refuses (merge and value keys).
_RESOLVED_SCALARS = ("<<", "=")


def alias_problems(text: str, path: str) -> list[Problem]:
    """Each alias in the text, at its place; asked only once the reader has met one."""
    # Parsing events is linear in the text's size, whatever the aliases would expand to.
    return [
        Problem(
            path,
            e.start_mark.line + 1,
            e.start_mark.column + 1,
            Severity.ERROR,
            "YAML aliases are not supported in decks",
            check_rule="yaml-alias",
        )
        for e in yaml.parse(text, Loader=Loader)
        if isinstance(e, yaml.AliasEvent) and e.start_mark is not None
    ]


_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _place(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of a character index, counting breaks as YAML does."""
    before = text[:index]
    breaks = list(_LINE_BREAK.finditer(before))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def _hint(text: str, line: int, column: int) -> str:
    """What YAML's message leaves unsaid when the culprit is a tab or a byte-order mark."""
    lines = _LINE_BREAK.split(text)
    near = lines[line - 1][max(0, column - 2) : column] if 0 < line <= len(lines) else ""
    if "\t" in near:
        return " (a tab: YAML indents with spaces only)"
    if "\ufeff" in near:
        return " (a byte-order mark, U+FEFF, which may only start the file)"
    return ""


class _TooDeep(Exception):
    """Raised from inside the composer at the first collection with children past the limit."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


class _NestingLimit:
    """Loader hooks that count nesting while the composer works, refusing it past MAX_NESTING."""

    # The composer calls `descend_resolver` before composing each node, with the node's parent,
    # and `ascend_resolver` after it; the C composer recurses once per level, so stopping here
    # keeps it far from the end of the stack, and the text is parsed only once. (The safe
    # loader has no path resolvers, which is all these two hooks are otherwise for.)

    def __init__(self, stream: str) -> None:
        self.depth = 0  # the levels of collections around the node being composed
        # At the last allowed level: a child collection is too deep, but it cannot be seen
        # before it is composed. An empty one is harmless to compose and found after.
        self.last_level: list[Node] = []
        self.keys: list[Node] = []
        super().__init__(stream)  # type: ignore[call-arg]

    def descend_resolver(self, current_node: Node | None, current_index: object) -> None:
        if self.depth >= MAX_NESTING and current_node is not None:
            if self.depth > MAX_NESTING:
                raise _TooDeep(current_node)
            if not self.last_level or self.last_level[-1] is not current_node:
                self.last_level.append(current_node)
            if isinstance(current_index, Node):
                # A mapping key composed already, whose pair is not stored until its value is.
                self.keys.append(current_index)
        self.depth += 1

    def ascend_resolver(self) -> None:
        self.depth -= 1

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        # Decks read every scalar as the text written, so the implicit type of a plain scalar
        # matters only when the reader refuses it: a merge key '<<' or a value key '='. Every
        # other scalar gets the string tag without PyYAML's regular expressions (a tenth of a
        # deck's parse); explicit tags never come here.
        if kind is ScalarNode and not (implicit[0] and value in _RESOLVED_SCALARS):
            return STR_TAG
        return super().resolve(kind, value, implicit)  # type: ignore[misc, no-any-return]

    def too_deep(self, raised: Node | None) -> Node | None:
        """The first collection past the limit: `raised`, or an empty one before it."""
        found = [raised] if raised is not None else []
        found.extend(self.keys)
        for parent in self.last_level:
            if isinstance(parent, SequenceNode):
                found.extend(parent.value)
            elif isinstance(parent, MappingNode):
                found.extend(node for pair in parent.value for node in pair)
        deep = [n for n in found if isinstance(n, SequenceNode | MappingNode)]
        return min(deep, key=lambda n: (n.start_mark.line, n.start_mark.column), default=None)


_NestingLoader = type("_NestingLoader", (_NestingLimit, Loader), {})


def _compose_limited(text: str, path: str) -> Node | Problem | None:
    """Compose the text, or the problem of its first collection nested past MAX_NESTING."""
    loader = _NestingLoader(text)
    raised: Node | None = None
    root: Node | None = None
    try:
        try:
            root = loader.get_single_node()
        except _TooDeep as exc:
            raised = exc.node
        except yaml.YAMLError as exc:
            # A collection past the limit before the broken place is the problem to report.
            # libyaml 0.2.6 (PyYAML 6.0.4's wheels) refuses flow nesting past 1,000 levels while
            # scanning ahead, before the composer sees level 33: find that level by events.
            deep_node = loader.too_deep(None)
            mark = deep_node.start_mark if deep_node is not None else _first_too_deep(text, exc)
            if mark is None:
                raise
            return _too_deep_problem(path, mark)
        deep = loader.too_deep(raised)
    finally:
        loader.dispose()
    if deep is not None:
        return _too_deep_problem(path, deep.start_mark)
    return root


def _too_deep_problem(path: str, mark: yaml.Mark) -> Problem:
    message = f"nested more than {MAX_NESTING} levels deep (decks need 4)"
    return _syntax(path, mark.line + 1, mark.column + 1, message)


_COLLECTION_START = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_COLLECTION_END = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _first_too_deep(text: str, error: yaml.YAMLError) -> yaml.Mark | None:
    """Where the first collection past MAX_NESTING starts, by the pure-Python parser's events."""
    if "nesting depth" not in str(error):
        return None
    # The pure-Python scanner looks at most a line or 1,024 characters ahead and has no
    # nesting limit of its own, and the walk stops at the first level too deep.
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, _COLLECTION_START):
                depth += 1
                if depth > MAX_NESTING:
                    return event.start_mark  # type: ignore[return-value]
            elif isinstance(event, _COLLECTION_END):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def compose(text: str, path: str) -> Node | Problem | None:
    """The YAML node tree, or the one problem that stops YAML from being read at all."""
    found = _compose_once(text, path)
    return found[0] if isinstance(found, tuple) else found


# A file with more YAML mistakes than this has its first ones reported, and is read no further.
MAX_REPAIRS = 20


class Composed(NamedTuple):
    """The YAML of a text read past its mistakes: the tree, the mistakes, the text it read."""

    root: Node | None
    problems: list[Problem]
    # The text with each mistake repaired, and how the repairs moved columns of their lines.
    text: str
    shifts: list[Shift]


def compose_all(text: str, path: str) -> Composed:
    """The YAML node tree, read on past each common mistake repaired where it is."""
    problems: list[Problem] = []
    shifts: list[Shift] = []
    for _ in range(MAX_REPAIRS + 1):
        found = _compose_once(text, path)
        if not isinstance(found, tuple):
            if isinstance(found, Problem):
                return Composed(None, [*problems, found], text, shifts)
            return Composed(found, problems, text, shifts)
        problem, repaired, shift = found
        problems.append(unshift([problem], shifts)[0])
        if repaired is None or repaired == text:
            return Composed(None, problems, text, shifts)
        text = repaired
        if shift is not None:
            shifts.append(shift)
    return Composed(None, problems, text, shifts)


def unshift(problems: list[Problem], shifts: list[Shift]) -> list[Problem]:
    """Problems found in repaired text, at their columns in the text as written."""
    if not shifts:
        return problems
    out = []
    for problem in problems:
        column, end = problem.column, problem.end_column
        for shift in reversed(shifts):
            if problem.line == shift.line and column - 1 > shift.column:
                column -= shift.delta
            if problem.end_line == shift.line and end is not None and end - 1 > shift.column:
                end -= shift.delta
        out.append(replace(problem, column=max(1, column), end_column=end))
    return out


def _compose_once(
    text: str, path: str
) -> Node | Problem | tuple[Problem, str | None, Shift | None] | None:
    """The tree; or the problem, with the repaired text to try next when there is one."""
    try:
        return _compose_limited(text, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        said = explain(text, exc, _hint(text, line, col))
        problem = Problem(
            path,
            said.line,
            said.column,
            Severity.ERROR,
            said.message,
            check_rule=said.rule,
            hint=said.hint,
            end_line=said.line if said.end_column else None,
            end_column=said.end_column,
        )
        return problem, said.repaired, said.shift
    except yaml.reader.ReaderError as exc:
        # libyaml gives a byte offset into the UTF-8 text, and no usable character.
        index = len(text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore"))
        line, col = _place(text, index)
        char = f"U+{ord(text[index]):04X}" if index < len(text) else "a character"
        message = f"{char} is a control character, which YAML does not allow"
        return _syntax(path, line, col, message)
    except UnicodeEncodeError as exc:
        # Only text handed in directly can hold a lone surrogate; files are decoded first.
        line, col = _place(text, exc.start)
        message = f"U+{ord(text[exc.start]):04X} is a lone surrogate, not a character"
        return _syntax(path, line, col, message)
    except yaml.YAMLError as exc:
        # No mark: no place to point at in the file.
        return _syntax(path, 0, 0, f"invalid YAML: {exc}")
    except RecursionError:
        return _syntax(path, 0, 0, "invalid YAML: nested too deeply")


def _syntax(path: str, line: int, column: int, message: str) -> Problem:
    return Problem(path, line, column, Severity.ERROR, message, check_rule="yaml-syntax")

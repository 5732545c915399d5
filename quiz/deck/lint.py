"""Lint deck files: named rules beyond the format itself, silenced per deck, card or line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from yaml.nodes import Node

from quiz.collector import collector_paused
from quiz.deck.card_rules import card_name, deck_rules, prompt_key, unknown_rule, words
from quiz.deck.files import deck_files, decode_deck, exam_files, is_exam_file, read_deck_bytes
from quiz.deck.layout import Layout, at, scalars, value
from quiz.deck.loader import parse
from quiz.deck.model import Card, Deck
from quiz.deck.problems import Problem
from quiz.deck.rules import ERROR, RULES, WARNING, Rule
from quiz.deck.yaml_safe import Loader, compose, unshift

__all__ = [
    "RULES",
    "CheckResult",
    "DeckFile",
    "Rule",
    "check_paths",
    "check_text",
    "ignore_comments",
    "lint_deck",
    "lint_text",
    "read_file",
    "silence",
    "suspicious_characters",
]


# Bidirectional controls can make text read differently from what it is ("Trojan Source");
# zero-width and other invisible characters make equal-looking answers differ.
_SUSPICIOUS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # control characters but tab and line ends
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks, overrides, isolates
    "\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]"  # soft hyphen, zero-width and invisible
)
_IGNORE_COMMENT = re.compile(r"(?:^|\s)#\s*quiz:\s*ignore\[([^\]]*)\]")


@dataclass
class DeckFile:
    """One checked file: its text, the deck (or all of it that could be read), its problems."""

    path: str
    text: str | None = None
    deck: Deck | None = None
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    # Whether the deck loaded: `deck` is then the deck; else it holds only what could be read.
    loaded: bool = False
    # The YAML the loader composed, which every rule places its problems by.
    root: Node | None = None
    _layout: Layout | None = None

    @property
    def layout(self) -> Layout:
        """Where the deck's parts are in the text."""
        if self._layout is None:
            self._layout = Layout.of(self.root)
        return self._layout


@dataclass
class CheckResult:
    """Problems found in the files checked, in file order."""

    problems: list[Problem]
    files: int
    unreadable: bool
    # Each file's text by path, for showing the lines problems are on.
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(p.severity is ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        """How many problems are warnings."""
        return sum(p.severity is WARNING for p in self.problems)

    @property
    def exit_code(self) -> int:
        """0 no errors, 1 errors, 2 some file could not be read at all."""
        return 2 if self.unreadable else 1 if self.errors else 0


def suspicious_characters(text: str, path: str, root: Node | None = None) -> list[Problem]:
    """Bidirectional, zero-width and control characters, written out or as YAML escapes."""
    problems: list[Problem] = []
    lines_seen: set[int] = set()
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for match in _SUSPICIOUS.finditer(text):
        offset = match.start()
        line = _line_of(line_starts, offset)
        if line in lines_seen:
            continue
        lines_seen.add(line)
        column = offset - line_starts[line - 1] + 1
        problems.append(_suspicious(path, line, column, match.group()))
    # Escapes such as "\u202e" or "\e" in double-quoted scalars are not in the text itself;
    # every escape is written with a backslash, so a text without one needs no walk.
    for node in scalars(root if "\\" in text else None):
        found = _SUSPICIOUS.search(node.value)
        line = node.start_mark.line + 1
        if found and line not in lines_seen:
            lines_seen.add(line)
            problems.append(
                _suspicious(path, line, node.start_mark.column + 1, found.group(), escaped=True)
            )
    return problems


def _line_of(line_starts: list[int], offset: int) -> int:
    low, high = 0, len(line_starts)
    while low + 1 < high:
        middle = (low + high) // 2
        if line_starts[middle] <= offset:
            low = middle
        else:
            high = middle
    return low + 1


def _suspicious(path: str, line: int, column: int, char: str, escaped: bool = False) -> Problem:
    name = unicodedata.name(char, "control character")
    how = " (written as an escape)" if escaped else ""
    return Problem(
        path,
        line,
        column,
        WARNING,
        f"suspicious character U+{ord(char):04X} {name}{how}",
        "suspicious-character",
    )


def lint_deck(deck: Deck, text: str, path: str) -> list[Problem]:
    """Problems of a loaded deck that the loader does not report, in file order."""
    root = compose(text, path)
    return deck_rules(deck, Layout.of(None if isinstance(root, Problem) else root), path)


# --- Rules across cards and decks ------------------------------------------------------------


def _duplicate_questions(files: list[DeckFile]) -> Iterator[tuple[DeckFile, Problem]]:
    first: dict[str, tuple[DeckFile, Card]] = {}
    for file in files:
        if file.deck is None:
            continue
        for card in file.deck.cards:
            key = f"{card.type}\0{words(card.prompt())}"
            if key not in first:
                first[key] = (file, card)
                continue
            other_file, other = first[key]
            where = (
                f"line {other.line}" if other_file is file else f"{other_file.path}:{other.line}"
            )
            node = file.layout.field(card, prompt_key(card))
            yield (
                file,
                at(
                    file.path,
                    node,
                    card,
                    "duplicate-question",
                    f"{card_name(card, file.layout)}: the same question as "
                    f"{card_name(other, other_file.layout)} ({where})",
                ),
            )


def _duplicate_deck_ids(files: list[DeckFile]) -> Iterator[tuple[DeckFile, Problem]]:
    first: dict[str, DeckFile] = {}
    for file in files:
        if file.deck is None or not file.deck.id:
            continue
        if file.deck.id not in first:
            first[file.deck.id] = file
            continue
        node = value(file.layout.root, "deck")
        line, column = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (0, 0)
        yield (
            file,
            Problem(
                file.path,
                line,
                column,
                ERROR,
                f"deck id '{file.deck.id}' is also used by {first[file.deck.id].path}",
                "duplicate-deck-id",
            ),
        )


# --- Silencing -------------------------------------------------------------------------------


def ignore_comments(
    text: str, path: str, root: Node | None = None
) -> tuple[dict[int, set[str]], list[Problem]]:
    """Rules silenced by `# quiz: ignore[rule, ...]` comments, by line; and unknown names."""
    # `root` is the text's composed YAML, when the loader could compose it: it says where the
    # text's scalars are, inside which a '#' is text, not a comment.
    found: dict[int, set[str]] = {}
    problems: list[Problem] = []
    if "quiz" not in text:
        # No comment can silence anything: the lines need not be read one by one.
        return found, problems
    candidates = [
        (number, match)
        for number, line in enumerate(text.splitlines(), start=1)
        for match in _IGNORE_COMMENT.finditer(line)
    ]
    if not candidates:
        return found, problems
    inside = _scalar_lines(text, root)
    for number, match in candidates:
        # A '#' inside a quoted or multi-line text is part of that text, not a comment.
        if any(start <= (number, match.start(1)) < end for start, end in inside.get(number, ())):
            continue
        column = match.start(1) + 1
        for raw in match.group(1).split(","):
            name = raw.strip()
            if not name:
                continue
            if name not in RULES:
                problems.append(unknown_rule(path, number, column, name))
            found.setdefault(number, set()).add(name)
    return found, problems


Spans = dict[int, list[tuple[tuple[int, int], tuple[int, int]]]]


def _scalar_lines(text: str, root: Node | None) -> Spans:
    """For each line, the (line, column) spans of scalars that touch it."""
    spans: Spans = {}
    # A scalar node starts at its anchor or tag, if it has one, where its text may start a
    # line or more later: only the text's own tokens say where that is.
    if root is not None and "&" not in text and "!" not in text:
        for node in scalars(root):
            _add_span(spans, node.start_mark, node.end_mark)
        return spans
    try:
        for token in yaml.scan(text, Loader=Loader):
            if isinstance(token, yaml.ScalarToken):
                _add_span(spans, token.start_mark, token.end_mark)
    except yaml.YAMLError:
        pass
    return spans


def _add_span(spans: Spans, start_mark: yaml.Mark, end_mark: yaml.Mark) -> None:
    start = (start_mark.line + 1, start_mark.column)
    end = (end_mark.line + 1, end_mark.column)
    for line in range(start[0], end[0] + 1):
        spans.setdefault(line, []).append((start, end))


def silence(file: DeckFile, comments: dict[int, set[str]]) -> list[Problem]:
    """The file's problems less the warnings its deck, cards or comments ignore."""
    deck = file.deck
    card_spans = (
        [
            (*file.layout.span(card), set(card.lint_ignore))
            for card in deck.cards
            if card.lint_ignore
        ]
        if deck
        else []
    )
    deck_ignore = set(deck.lint_ignore) if deck else set()
    if not card_spans and not deck_ignore and not comments:
        return list(file.problems)

    def silenced(problem: Problem) -> bool:
        if problem.severity is not WARNING or problem.rule is None:
            return False
        rule = problem.rule
        if rule in deck_ignore or rule in comments.get(problem.line, ()):
            return True
        return any(
            first <= problem.line <= last and rule in names for first, last, names in card_spans
        )

    return [p for p in file.problems if not silenced(p)]


# --- Checking files --------------------------------------------------------------------------


def read_file(path: Path) -> DeckFile:
    """Read, parse and lint one deck file."""
    name = str(path)
    data, problems = read_deck_bytes(path)
    if data is None:
        return DeckFile(name, problems=[p.named() for p in problems], readable=False)
    text, problems = decode_deck(data, name)
    if text is None:
        return DeckFile(name, problems=[p.named() for p in problems])
    return lint_text(text, name)


def check_text(text: str, path: str) -> tuple[DeckFile, list[Problem]]:
    """Every problem of one deck's text, as `quiz check` gives them, silenced and in order."""
    file = lint_text(text, path)
    for _, problem in _duplicate_questions([file]):
        file.problems.append(problem)
    comments, unknown = ignore_comments(text, path, file.root)
    file.problems.extend(unknown)
    kept = silence(file, comments)
    kept.sort(key=lambda p: (p.line, p.column))
    return file, kept


def lint_text(text: str, name: str) -> DeckFile:
    """Parse and lint one deck's text, by itself."""
    # The file is composed once, by the loader; the rules place their problems in its YAML.
    parsed = parse(text, name)
    # Every rule runs on every card that could be read, whatever errors the file has too.
    deck = parsed.deck or parsed.readable
    file = DeckFile(
        name,
        text=text,
        deck=deck,
        problems=[p.named() for p in parsed.problems],
        root=parsed.root,
        loaded=parsed.deck is not None,
    )
    if deck is not None:
        file.problems.extend(unshift(deck_rules(deck, file.layout, name), list(parsed.shifts)))
    # Escapes are looked for in the YAML as read, with any mistakes in it repaired.
    escapes = [p for p in suspicious_characters(text, name, file.layout.root) if p.line]
    file.problems.extend(_once_per_line(escapes))
    return file


def _once_per_line(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str | None, int]] = set()
    out = []
    for problem in problems:
        if (problem.rule, problem.line) not in seen:
            seen.add((problem.rule, problem.line))
            out.append(problem)
    return out


def check_paths(paths: Iterable[Path], strict: bool = False) -> CheckResult:
    """Check deck files and folders of them, alone and against each other."""
    # Checking a big deck makes millions of objects that live until the end (the YAML, the
    # cards, their words, the problems): the collector would walk them again and again.
    with collector_paused():
        return _check_paths(list(paths), strict)


def _check_paths(paths: list[Path], strict: bool) -> CheckResult:
    files = [
        read_file(path)
        for given in paths
        for path in (deck_files(given) if given.exists() else [given])
        if given.is_dir() or not is_exam_file(path)
    ]
    exams = [path for given in paths if given.exists() for path in exam_files(given)]
    if exams:
        # Imported only when there are exams: they are checked against the decks read here.
        from quiz.exams.check import check_exam_files

        files.extend(check_exam_files(exams, [f.deck for f in files if f.deck is not None]))
    for file, problem in (*_duplicate_questions(files), *_duplicate_deck_ids(files)):
        file.problems.append(problem)
    problems: list[Problem] = []
    for file in files:
        comments, unknown = (
            ignore_comments(file.text, file.path, file.root) if file.text else ({}, [])
        )
        file.problems.extend(unknown)
        kept = silence(file, comments)
        kept.sort(key=lambda p: (p.line, p.column))
        problems.extend(kept)
    if strict:
        problems = [replace(p, severity=ERROR) for p in problems]
    sources = {f.path: f.text for f in files if f.text is not None}
    return CheckResult(problems, len(files), any(not f.readable for f in files), sources)

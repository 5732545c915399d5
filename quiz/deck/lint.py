"""Lint deck files: named rules beyond the format itself, silenced per deck, card or line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz.deck.files import deck_files, decode_deck, read_deck_bytes
from quiz.deck.loader import parse_deck
from quiz.deck.model import (
    Card,
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.deck.problems import Problem, Severity
from quiz.deck.reader import closest

ERROR = Severity.ERROR
WARNING = Severity.WARNING

try:  # The C parser is several times faster; fall back when libyaml is absent.
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Rule:
    """A named check: what it finds and how bad that is."""

    name: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        # Checks of the deck format, made by the loader: an error means the deck cannot be used.
        Rule("unreadable-file", ERROR, "the file cannot be read (missing, a folder, too large)"),
        Rule("not-utf8", ERROR, "the file is not UTF-8 text"),
        Rule("yaml-syntax", ERROR, "the file is not valid YAML"),
        Rule("yaml-alias", ERROR, "YAML aliases (*name) are not supported"),
        Rule("yaml-tag", ERROR, "a YAML tag other than plain data (e.g. !!python/object)"),
        Rule("empty-file", ERROR, "the file has nothing in it"),
        Rule("not-a-mapping", ERROR, "a value that must be a mapping is not"),
        Rule("not-a-list", ERROR, "a value that must be a list is not"),
        Rule("not-text", ERROR, "a value that must be text is a list or a mapping"),
        Rule("not-a-boolean", ERROR, "a value that must be true or false is not"),
        Rule("not-a-number", ERROR, "a value that must be a number is not"),
        Rule("out-of-range", ERROR, "a number outside its allowed range"),
        Rule("empty-text", ERROR, "text that is empty"),
        Rule("unknown-key", ERROR, "a key the format does not have (often a typo)"),
        Rule("missing-key", ERROR, "a required key is missing"),
        Rule("duplicate-key", ERROR, "the same key twice in one mapping"),
        Rule("bad-slug", ERROR, "a deck id, card id or tag that is not a slug like 'csto-basics'"),
        Rule("no-cards", ERROR, "the deck has no cards"),
        Rule("unknown-type", ERROR, "a card type that does not exist"),
        Rule("duplicate-id", ERROR, "two cards with the same id in one deck"),
        Rule("too-few-entries", ERROR, "a list shorter than the format allows"),
        Rule("duplicate-choice", ERROR, "the same choice twice in a choice card"),
        Rule("answer-not-a-choice", ERROR, "a choice card's answer that is not one of its choices"),
        Rule("duplicate-item", ERROR, "the same item twice in an order or match card"),
        Rule("cloze-no-gap", ERROR, "a cloze without a {{gap}}"),
        Rule("cloze-empty-gap", ERROR, "a cloze gap with an empty answer, like {{}} or {{a|}}"),
        Rule("cloze-syntax", ERROR, "an unclosed '{{' or a stray '}}' in a cloze"),
        Rule("duplicate-deck-id", ERROR, "two files checked together use the same deck id"),
        # Warnings: the deck can be used, but something is likely wrong.
        Rule("missing-id", WARNING, "a card without an id: editing it would reset its progress"),
        Rule("unknown-source", WARNING, "a source key that no 'sources:' entry defines"),
        Rule("missing-explanation", WARNING, "a card without an explanation"),
        Rule("missing-source", WARNING, "a card that cites no source"),
        Rule(
            "few-distractors",
            WARNING,
            "a choice card with fewer than three wrong choices (select-all: four choices)",
        ),
        Rule(
            "similar-choices", WARNING, "choices that differ only in case, spacing or punctuation"
        ),
        Rule("answer-in-question", WARNING, "an answer that appears word for word in its question"),
        Rule("few-items", WARNING, "an order or match card with fewer than three items"),
        Rule("duplicate-question", WARNING, "the same question in two cards or two decks"),
        Rule(
            "suspicious-character",
            WARNING,
            "a bidirectional override, zero-width or control character in the file",
        ),
        Rule("unknown-rule", WARNING, "a rule name to ignore that does not exist"),
    )
}

MIN_DISTRACTORS = 3
MIN_ITEMS = 3

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
    """One checked file: its text, the deck if it loaded, and its problems."""

    path: str
    text: str | None = None
    deck: Deck | None = None
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    _layout: _Layout | None = None

    @property
    def layout(self) -> _Layout:
        """Where the deck's parts are in the text."""
        if self._layout is None:
            self._layout = _Layout.of(self.text or "")
        return self._layout


@dataclass
class CheckResult:
    """Problems found in the files checked, in file order."""

    problems: list[Problem]
    files: int
    unreadable: bool

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


# --- Where things are in the file ------------------------------------------------------------


@dataclass
class _Layout:
    """The composed YAML of a deck file, to place problems at their keys and values."""

    root: MappingNode | None
    cards: dict[int, MappingNode]

    @classmethod
    def of(cls, text: str) -> _Layout:
        try:
            root = yaml.compose(text, Loader=_Loader)
        except (yaml.YAMLError, RecursionError):
            return cls(None, {})
        if not isinstance(root, MappingNode):
            return cls(None, {})
        cards_node = _value(root, "cards")
        cards: dict[int, MappingNode] = {}
        if isinstance(cards_node, SequenceNode):
            for node in cards_node.value:
                if isinstance(node, MappingNode):
                    cards[node.start_mark.line + 1] = node
        return cls(root, cards)

    def card(self, card: Card) -> MappingNode | None:
        return self.cards.get(card.line)

    def field(self, card: Card, key: str) -> Node | None:
        node = self.card(card)
        return _value(node, key) if node is not None else None

    def span(self, card: Card) -> tuple[int, int]:
        """First and last line of a card's mapping."""
        node = self.card(card)
        return card.line, max(card.line, _last_line(node)) if node else card.line


def _last_line(node: Node) -> int:
    """The 1-based last line a node's text is on."""
    # A block collection ends where the next token starts, often the next card's line:
    # its last scalar or flow collection says where it really ends.
    while isinstance(node, MappingNode | SequenceNode) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    end = node.end_mark
    # A block scalar (| or >) ends at the start of the line after its text.
    return end.line if end.column == 0 and end.line > node.start_mark.line else end.line + 1


def _value(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            found: Node = value_node
            return found
    return None


def _at(path: str, node: Node | None, card: Card, rule: str, message: str) -> Problem:
    """A problem of `rule` at the node, or at the card's first line when the node is unknown."""
    if node is not None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
    else:
        line, column = card.line, 1
    return Problem(path, line, column, RULES[rule].severity, message, rule)


def _name(card: Card) -> str:
    return f"{card.type} card '{card.id}'"


# --- Rules on one deck -----------------------------------------------------------------------


def _words(text: str) -> str:
    """Text folded for comparing: case, accents, spacing and punctuation ignored."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text))


def _contains_words(text: str, phrase: str) -> bool:
    """Whether `phrase` appears in `text` as whole words, ignoring case."""
    phrase = phrase.strip()
    if not phrase:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, phrase.split())) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


_PROMPT_KEY: dict[type[Card], str] = {
    Flashcard: "front",
    Choice: "question",
    TrueFalse: "statement",
    Cloze: "text",
    Typed: "question",
    Numeric: "question",
    Order: "question",
    Match: "question",
}


def _missing_parts(path: str, card: Card, layout: _Layout) -> Iterator[Problem]:
    node = layout.card(card)
    if not card.explanation:
        yield _at(path, node, card, "missing-explanation", f"{_name(card)}: no explanation")
    if card.source is None:
        yield _at(path, node, card, "missing-source", f"{_name(card)}: cites no source")


def _choice_rules(path: str, card: Choice, layout: _Layout) -> Iterator[Problem]:
    choices_node = layout.field(card, "choices")
    wrong = [c for c in card.choices if c not in card.answers]
    # Guessing one answer of four is 1 in 4; guessing which of four choices apply is 1 in 16
    # (2^4), so select-all-that-apply needs four choices in all, of which one or more wrong.
    if card.multiple and (len(card.choices) < MIN_DISTRACTORS + 1 or not wrong):
        message = (
            f"{len(card.choices)} choices, {len(wrong)} wrong; select-all-that-apply needs "
            f"at least {MIN_DISTRACTORS + 1} choices with one or more wrong"
        )
    elif not card.multiple and len(wrong) < MIN_DISTRACTORS:
        message = f"{len(wrong)} wrong choice(s); at least {MIN_DISTRACTORS} make guessing unlikely"
    else:
        message = ""
    if message:
        yield _at(path, choices_node, card, "few-distractors", f"{_name(card)}: {message}")
    seen: dict[str, str] = {}
    for index, choice in enumerate(card.choices):
        key = _words(choice)
        if key in seen:
            node = (
                choices_node.value[index]
                if isinstance(choices_node, SequenceNode) and index < len(choices_node.value)
                else choices_node
            )
            yield _at(
                path,
                node,
                card,
                "similar-choices",
                f"{_name(card)}: choice '{choice}' differs from '{seen[key]}' "
                "only in case, spacing or punctuation",
            )
        else:
            seen[key] = choice


def _answers_in_question(card: Card) -> Iterator[tuple[str, str, str]]:
    """(key of the shown text, answer, how to say it) for answers shown in their own question."""
    if isinstance(card, Flashcard):
        if _contains_words(card.front, card.back):
            yield "front", card.back, f"the back '{card.back}' appears in the front"
        if card.reverse and _contains_words(card.back, card.front):
            yield "back", card.front, f"the front '{card.front}' appears in the back (reversed)"
    elif isinstance(card, Typed):
        for answer in (card.answer, *card.accept):
            if _contains_words(card.question, answer):
                yield "question", answer, f"the answer '{answer}' appears in the question"
                break
    elif isinstance(card, Numeric):
        if _contains_words(card.question, card.answer_text):
            yield (
                "question",
                card.answer_text,
                (f"the answer '{card.answer_text}' appears in the question"),
            )
    elif isinstance(card, Choice):
        # A question that lists its choices shows the wrong ones too: that gives nothing away.
        shown = [c for c in card.choices if _contains_words(card.question, c)]
        if shown and all(c in card.answers for c in shown):
            yield "question", shown[0], f"the answer '{shown[0]}' appears in the question"
    elif isinstance(card, Cloze):
        for index, answers in enumerate(card.gaps):
            visible = card.with_gap(index, blank=" ")
            for answer in answers:
                if _contains_words(visible, answer):
                    yield (
                        "text",
                        answer,
                        (f"gap {index + 1}'s answer '{answer}' is shown in the rest of the text"),
                    )
                    break


def _answer_rules(path: str, card: Card, layout: _Layout) -> Iterator[Problem]:
    for key, _, message in _answers_in_question(card):
        yield _at(
            path, layout.field(card, key), card, "answer-in-question", f"{_name(card)}: {message}"
        )


def _item_rules(path: str, card: Card, layout: _Layout) -> Iterator[Problem]:
    if isinstance(card, Order) and len(card.items) < MIN_ITEMS:
        count, key = len(card.items), "items"
    elif isinstance(card, Match) and len(card.pairs) < MIN_ITEMS:
        count, key = len(card.pairs), "pairs"
    else:
        return
    yield _at(
        path,
        layout.field(card, key),
        card,
        "few-items",
        f"{_name(card)}: {count} {key}; at least {MIN_ITEMS} make it more than a coin toss",
    )


def _unknown_rules(path: str, lint_node: Node | None) -> Iterator[Problem]:
    ignore = _value(lint_node, "ignore")
    for entry in ignore.value if isinstance(ignore, SequenceNode) else []:
        name = entry.value.strip() if isinstance(entry, ScalarNode) else ""
        if name and name not in RULES:
            mark = entry.start_mark
            yield _unknown_rule(path, mark.line + 1, mark.column + 1, name)


def _unknown_rule(path: str, line: int, column: int, name: str) -> Problem:
    close = closest(name, list(RULES))
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return Problem(
        path, line, column, WARNING, f"unknown rule '{name}' to ignore{hint}", "unknown-rule"
    )


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
    # Escapes such as "\u202e" or "\e" in double-quoted scalars are not in the text itself.
    for node in _scalars(root):
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


def _scalars(node: Node | None) -> Iterator[ScalarNode]:
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, MappingNode):
            for key, value in current.value:
                stack.extend((key, value))


def lint_deck(deck: Deck, text: str, path: str) -> list[Problem]:
    """Problems of a loaded deck that the loader does not report, in file order."""
    layout = _Layout.of(text)
    return _lint(deck, layout, path)


def _lint(deck: Deck, layout: _Layout, path: str) -> list[Problem]:
    problems: list[Problem] = []
    problems.extend(_unknown_rules(path, _value(layout.root, "lint")))
    for card in deck.cards:
        problems.extend(_missing_parts(path, card, layout))
        if isinstance(card, Choice):
            problems.extend(_choice_rules(path, card, layout))
        problems.extend(_answer_rules(path, card, layout))
        problems.extend(_item_rules(path, card, layout))
        problems.extend(_unknown_rules(path, layout.field(card, "lint")))
    return problems


# --- Rules across cards and decks ------------------------------------------------------------


def _duplicate_questions(files: list[DeckFile]) -> Iterator[tuple[DeckFile, Problem]]:
    first: dict[str, tuple[DeckFile, Card]] = {}
    for file in files:
        if file.deck is None:
            continue
        for card in file.deck.cards:
            key = f"{card.type}\0{_words(card.prompt())}"
            if key not in first:
                first[key] = (file, card)
                continue
            other_file, other = first[key]
            where = (
                f"line {other.line}" if other_file is file else f"{other_file.path}:{other.line}"
            )
            node = file.layout.field(card, _PROMPT_KEY[type(card)])
            yield (
                file,
                _at(
                    file.path,
                    node,
                    card,
                    "duplicate-question",
                    f"{_name(card)}: the same question as card '{other.id}' ({where})",
                ),
            )


def _duplicate_deck_ids(files: list[DeckFile]) -> Iterator[tuple[DeckFile, Problem]]:
    first: dict[str, DeckFile] = {}
    for file in files:
        if file.deck is None:
            continue
        if file.deck.id not in first:
            first[file.deck.id] = file
            continue
        node = _value(file.layout.root, "deck")
        line, column = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
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


def ignore_comments(text: str, path: str) -> tuple[dict[int, set[str]], list[Problem]]:
    """Rules silenced by `# quiz: ignore[rule, ...]` comments, by line; and unknown names."""
    found: dict[int, set[str]] = {}
    problems: list[Problem] = []
    candidates = [
        (number, match)
        for number, line in enumerate(text.splitlines(), start=1)
        for match in _IGNORE_COMMENT.finditer(line)
    ]
    if not candidates:
        return found, problems
    inside = _scalar_lines(text)
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
                problems.append(_unknown_rule(path, number, column, name))
            found.setdefault(number, set()).add(name)
    return found, problems


def _scalar_lines(text: str) -> dict[int, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """For each line, the (line, column) spans of scalars that touch it."""
    spans: dict[int, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.ScalarToken):
                start = (token.start_mark.line + 1, token.start_mark.column)
                end = (token.end_mark.line + 1, token.end_mark.column)
                for line in range(start[0], end[0] + 1):
                    spans.setdefault(line, []).append((start, end))
    except yaml.YAMLError:
        pass
    return spans


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
    deck, problems = parse_deck(text, name)
    file = DeckFile(name, text=text, deck=deck, problems=[p.named() for p in problems])
    # Composing again is safe only for text the loader accepted (hostile nesting is refused there).
    root = file.layout.root if deck is not None else None
    if deck is not None:
        file.problems.extend(_lint(deck, file.layout, name))
    file.problems.extend(suspicious_characters(text, name, root))
    return file


def check_paths(paths: Iterable[Path], strict: bool = False) -> CheckResult:
    """Check deck files and folders of them, alone and against each other."""
    files = [
        read_file(path)
        for given in paths
        for path in (deck_files(given) if given.exists() else [given])
    ]
    for file, problem in (*_duplicate_questions(files), *_duplicate_deck_ids(files)):
        file.problems.append(problem)
    problems: list[Problem] = []
    for file in files:
        comments, unknown = ignore_comments(file.text, file.path) if file.text else ({}, [])
        file.problems.extend(unknown)
        kept = silence(file, comments)
        kept.sort(key=lambda p: (p.line, p.column))
        problems.extend(kept)
    if strict:
        problems = [replace(p, severity=ERROR) for p in problems]
    return CheckResult(problems, len(files), any(not f.readable for f in files))

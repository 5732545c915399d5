"""Read exam files: YAML to an `ExamSpec`, every problem at its line and column, as decks are."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, TypeVar

from yaml.nodes import Node, SequenceNode

from quiz.collector import collector_paused
from quiz.deck.files import decode_deck, read_deck_bytes
from quiz.deck.problems import DeckError, Problem, Severity
from quiz.deck.reader import Entries, Reader, optional, suggestion
from quiz.deck.vocabulary import SLUG
from quiz.deck.yaml_safe import alias_problems, compose
from quiz.exams.query import QueryError, parse_query
from quiz.exams.spec import (
    CARD_DRAW,
    DECK_DRAW,
    EXAM,
    QUERY_DRAW,
    CardDraw,
    DeckDraw,
    Draw,
    ExamSpec,
    Feedback,
    Grading,
    QueryDraw,
    parse_duration,
)

E = TypeVar("E", bound=StrEnum)


class ParsedExam(NamedTuple):
    """An exam file read: the exam (None on any error), its problems and its composed YAML."""

    exam: ExamSpec | None
    problems: list[Problem]
    root: Node | None


class _ExamBuilder:
    def __init__(self, reader: Reader) -> None:
        self.r = reader

    def exam(self, root: Node) -> ExamSpec | None:
        r = self.r
        entries = r.mapping(root, "exam file")
        if entries is None:
            return None
        r.check_keys(entries, EXAM.allowed, "exam")
        for required in EXAM.required:
            if required not in entries:
                r.error(root, f"exam: missing required key '{required}'", "missing-key")
        exam_id = optional(entries, "exam", r.text, "exam id")
        if exam_id is not None and not SLUG.match(exam_id):
            r.error(
                entries["exam"][1],
                f"exam id '{exam_id}' must be a slug like 'csto-midterm'",
                "bad-slug",
            )
        title = optional(entries, "title", r.text, "title")
        description = optional(entries, "description", r.text, "description")
        draws = self.draws(entries["from"][1]) if "from" in entries else ()
        time_limit = self.time_limit(entries)
        attempts = self.attempts(entries)
        grading = self.choice(entries, "grading", Grading, Grading.BEST)
        feedback = self.choice(entries, "feedback", Feedback, Feedback.AFTER_EXAM)
        shuffle = optional(entries, "shuffle", r.boolean, "shuffle")
        feed = optional(entries, "feed_scheduler", r.boolean, "feed_scheduler")
        pass_mark = self.pass_mark(entries)
        if exam_id is None or title is None or not draws:
            return None
        return ExamSpec(
            id=exam_id,
            title=title,
            draws=draws,
            description=description,
            time_limit=time_limit,
            attempts=attempts,
            grading=grading,
            shuffle=True if shuffle is None else shuffle,
            feedback=feedback,
            pass_mark=pass_mark,
            feed_scheduler=bool(feed),
            path=r.path,
        )

    def draws(self, node: Node) -> tuple[Draw, ...]:
        r = self.r
        if not r.visit(node):
            return ()
        if not isinstance(node, SequenceNode):
            r.error(node, "from must be a list of draws (deck:, card: or query:)", "not-a-list")
            return ()
        if not node.value:
            r.error(node, "from: the exam draws no questions", "no-cards")
        out = []
        for index, child in enumerate(node.value, start=1):
            draw = self.draw(child, index)
            if draw is not None:
                out.append(draw)
        return tuple(out)

    def draw(self, node: Node, index: int) -> Draw | None:
        r = self.r
        what = f"from #{index}"
        entries = r.mapping(node, what)
        if entries is None:
            return None
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        kinds = [k for k in ("deck", "card", "query") if k in entries]
        if len(kinds) != 1:
            found = " and ".join(f"'{k}'" for k in kinds) or "none"
            r.error(node, f"{what}: needs exactly one of deck, card or query ({found})", "bad-draw")
            return None
        kind = kinds[0]
        keys = {"deck": DECK_DRAW, "card": CARD_DRAW, "query": QUERY_DRAW}[kind]
        r.check_keys(entries, keys.allowed, what)
        for required in keys.required:
            if required not in entries:
                r.error(node, f"{what}: missing required key '{required}'", "missing-key")
                return None
        value_node = entries[kind][1]
        value = r.text(value_node, f"{what} {kind}")
        count = self.count(entries, what) if kind != "card" else 1
        if value is None or count is None:
            return None
        if kind == "deck":
            if not SLUG.match(value):
                r.error(value_node, f"{what}: deck id '{value}' must be a slug", "bad-slug")
                return None
            return DeckDraw(value, count, line, column)
        if kind == "card":
            deck_id, slash, card_id = value.partition("/")
            if not slash or not SLUG.match(deck_id) or not SLUG.match(card_id):
                r.error(
                    value_node,
                    f"{what}: card must be DECK_ID/CARD_ID, like 'csto-forster/armenia-freeze',"
                    f" not '{value}'",
                    "bad-card-ref",
                )
                return None
            return CardDraw(deck_id, card_id, line, column)
        try:
            query = parse_query(value)
        except QueryError as exc:
            r.error(value_node, f"{what}: {exc}", "bad-query")
            return None
        return QueryDraw(query, count, line, column)

    def count(self, entries: Entries, what: str) -> int | None:
        r = self.r
        count = optional(entries, "count", lambda n, w: r.number(n, w, int), f"{what} count")
        if count is not None and count < 1:
            r.error(entries["count"][1], f"{what} count must be 1 or more", "out-of-range")
            return None
        return count

    def time_limit(self, entries: Entries) -> int | None:
        text = optional(entries, "time_limit", self.r.text, "time_limit")
        if text is None:
            return None
        seconds = parse_duration(text)
        if seconds is None or seconds < 1:
            self.r.error(
                entries["time_limit"][1],
                f"time_limit must be a duration like '20m', '1h30m' or '90s', not '{text}'",
                "bad-duration",
            )
            return None
        return seconds

    def attempts(self, entries: Entries) -> int | None:
        text = optional(entries, "attempts", self.r.text, "attempts")
        if text is None:
            return 1
        if text.lower() == "unlimited":
            return None
        if not text.isdigit() or int(text) < 1:
            self.r.error(
                entries["attempts"][1],
                f"attempts must be a whole number of 1 or more, or 'unlimited', not '{text}'",
                "out-of-range",
            )
            return 1
        return int(text)

    def choice(self, entries: Entries, key: str, kind: type[E], default: E) -> E:
        text = optional(entries, key, self.r.text, key)
        if text is None:
            return default
        options = [v.value for v in kind]
        if text not in options:
            hint = suggestion(text, options)
            self.r.error(
                entries[key][1],
                f"{key} must be one of {', '.join(options)}, not '{text}'{hint}",
                "bad-value",
            )
            return default
        return kind(text)

    def pass_mark(self, entries: Entries) -> float | None:
        text = optional(entries, "pass_mark", self.r.text, "pass_mark")
        if text is None:
            return None
        number = text.removesuffix("%").strip()
        try:
            value = float(number)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 100:
            self.r.error(
                entries["pass_mark"][1],
                f"pass_mark must be a percentage from 0 to 100, like '60%', not '{text}'",
                "out-of-range",
            )
            return None
        return value / 100


def parse_exam(text: str, path: str) -> ParsedExam:
    """Parse exam text; the exam is None when there is any error."""
    reader = Reader(path, aliases_possible="*" in text)
    with collector_paused():
        root = compose(text, path)
        if isinstance(root, Problem):
            return ParsedExam(None, [root], None)
        if root is None:
            empty = Problem(
                path, 0, 0, Severity.ERROR, "the file is empty", check_rule="empty-file"
            )
            return ParsedExam(None, [empty], None)
        exam = _ExamBuilder(reader).exam(root)
    if reader.aliases:
        reader.problems.extend(alias_problems(text, path))
    problems = sorted(reader.problems, key=lambda p: (p.line, p.column))
    if any(p.severity is Severity.ERROR for p in problems):
        return ParsedExam(None, problems, root)
    return ParsedExam(exam, problems, root)


def read_exam(path: Path) -> ParsedExam:
    """Read and parse an exam file."""
    data, problems = read_deck_bytes(path)
    if data is None:
        return ParsedExam(None, problems, None)
    text, problems = decode_deck(data, str(path))
    if text is None:
        return ParsedExam(None, problems, None)
    return parse_exam(text, str(path))


def load_exam(path: Path) -> ExamSpec:
    """An exam file, or `DeckError` with every problem."""
    exam, problems, _ = read_exam(path)
    if exam is None:
        raise DeckError(problems)
    return exam

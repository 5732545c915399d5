"""The card search language, modelled on Anki's: parsed here, translated to SQL by the store."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# Names of the `is:` states, `prop:` properties and fields a term may use.
STATES = ("new", "learn", "review", "due", "suspended", "buried", "flagged", "leech")
PROPERTIES = ("r", "lapses", "ivl", "due", "reps", "s", "d")
FIELDS = ("deck", "tag", "id", "type", "is", "flag", "prop", "rated")
OPERATORS = ("<=", ">=", "!=", "<", ">", "=")


class QueryError(ValueError):
    """A query that cannot be read; the message is one line that names the column."""

    def __init__(self, message: str, column: int, hint: str = "") -> None:
        super().__init__(f"{message} at column {column}{hint}")
        self.column = column


def _suggest(word: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.4)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; one of {', '.join(known)}"


@dataclass(frozen=True)
class Text:
    """Words that must appear in the card's text (case-insensitive)."""

    text: str


@dataclass(frozen=True)
class Field:
    """`name:value`: deck, tag, id (with `*` wildcards), type, is, flag."""

    name: str
    value: str


@dataclass(frozen=True)
class Prop:
    """`prop:NAME OP NUMBER`."""

    name: str
    op: str
    number: float


@dataclass(frozen=True)
class Rated:
    """Answered in the last `days` study days (today is 1), with `rating` if given."""

    days: int
    rating: int | None


@dataclass(frozen=True)
class Not:
    """The negation of a term."""

    term: Node


@dataclass(frozen=True)
class All:
    """Every part matches (an empty one matches everything)."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    """Some part matches."""

    parts: tuple[Node, ...]


Node = Text | Field | Prop | Rated | Not | All | Any_


@dataclass(frozen=True)
class _Token:
    kind: str  # word, (, ), -
    text: str
    column: int
    quoted: bool = False


def _tokens(query: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Token(ch, ch, i + 1))
            i += 1
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace():
            out.append(_Token("-", ch, i + 1))
            i += 1
        else:
            start, word, quoted = i, [], False
            while i < n and not query[i].isspace() and query[i] not in "()":
                if query[i] == '"':
                    end = query.find('"', i + 1)
                    if end < 0:
                        raise QueryError("unclosed quote", i + 1)
                    word.append(query[i + 1 : end])
                    quoted = True
                    i = end + 1
                else:
                    word.append(query[i])
                    i += 1
            out.append(_Token("word", "".join(word), start + 1, quoted))
    return out


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _tokens(query)
        self.at = 0
        self.end = len(query) + 1

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def is_or(self, token: _Token | None) -> bool:
        return (
            token is not None
            and token.kind == "word"
            and not token.quoted
            and (token.text.lower() == "or")
        )

    def any_(self) -> Node:
        parts = [self.all_()]
        while self.is_or(self.peek()):
            token = self.tokens[self.at]
            self.at += 1
            if self.peek() is None or self.peek_kind() == ")" or self.is_or(self.peek()):
                raise QueryError("'or' needs a term after it", token.column)
            parts.append(self.all_())
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))

    def peek_kind(self) -> str | None:
        token = self.peek()
        return token.kind if token else None

    def all_(self) -> Node:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token.kind != ")" and not self.is_or(token):
            if token.kind == "word" and not token.quoted and token.text.lower() == "and":
                self.at += 1
                continue
            parts.append(self.unary())
        if not parts:
            token = self.peek()
            raise QueryError("expected a term", token.column if token else self.end)
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def unary(self) -> Node:
        token = self.tokens[self.at]
        if token.kind == "-":
            self.at += 1
            if self.peek() is None:
                raise QueryError("'-' needs a term after it", token.column)
            return Not(self.unary())
        if token.kind == "(":
            self.at += 1
            if self.peek_kind() == ")":
                raise QueryError("empty parentheses", token.column)
            inner = self.any_()
            if self.peek_kind() != ")":
                raise QueryError("unclosed '('", token.column)
            self.at += 1
            return inner
        self.at += 1
        return _term(token)


def _term(token: _Token) -> Node:
    text, column = token.text, token.column
    if token.quoted or ":" not in text:
        if not text:
            raise QueryError("empty search text", column)
        return Text(text)
    name, _, value = text.partition(":")
    name = name.lower()
    if name not in FIELDS:
        raise QueryError(f"unknown field '{name}'", column, _suggest(name, FIELDS))
    where = column + len(name) + 1
    if not value:
        raise QueryError(f"'{name}:' needs a value", where)
    if name == "is":
        state = value.lower()
        if state not in STATES:
            raise QueryError(f"unknown state '{state}'", where, _suggest(state, STATES))
        return Field("is", state)
    if name == "flag":
        if value not in ("0", "1", "2", "3", "4"):
            raise QueryError("a flag is 0 to 4", where)
        return Field("flag", value)
    if name == "prop":
        return _prop(value, where)
    if name == "rated":
        return _rated(value, where)
    if name == "type":
        return Field("type", value.lower())
    return Field(name, value)


def _prop(value: str, column: int) -> Prop:
    i = 0
    while i < len(value) and (value[i].isalpha() or value[i] == "_"):
        i += 1
    prop = value[:i].lower()
    if prop not in PROPERTIES:
        raise QueryError(f"unknown property '{prop}'", column, _suggest(prop, PROPERTIES))
    rest = value[i:]
    op = next((o for o in OPERATORS if rest.startswith(o)), None)
    if op is None:
        raise QueryError(f"expected one of {' '.join(OPERATORS)} after '{prop}'", column + i)
    number = rest[len(op) :]
    try:
        parsed = float(number)
    except ValueError:
        raise QueryError(f"expected a number, not '{number}'", column + i + len(op)) from None
    if parsed != parsed or parsed in (float("inf"), float("-inf")):
        raise QueryError(f"expected a number, not '{number}'", column + i + len(op))
    return Prop(prop, op, parsed)


def _rated(value: str, column: int) -> Rated:
    days, _, rating = value.partition(":")
    if not days.isdigit() or not 1 <= int(days) <= 36500:
        raise QueryError("rated: takes a number of days from 1, as in rated:7", column)
    if rating and rating not in ("1", "2", "3", "4"):
        raise QueryError(
            "a rating is 1 (again) to 4 (easy), as in rated:1:1", column + len(days) + 1
        )
    return Rated(int(days), int(rating) if rating else None)


def parse(query: str) -> Node:
    """The query as a tree of terms; an empty query matches every item."""
    parser = _Parser(query)
    if not parser.tokens:
        return All(())
    node = parser.any_()
    token = parser.peek()
    if token is not None:
        raise QueryError("unmatched ')'", token.column)
    return node

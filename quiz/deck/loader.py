"""Read deck files: YAML to a `Deck`, with every problem reported at its place."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz.collector import collector_paused
from quiz.deck.files import decode_deck, read_deck_bytes
from quiz.deck.model import (
    Card,
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Match,
    Numeric,
    Order,
    Settings,
    Source,
    SourceRef,
    TrueFalse,
    Typed,
)
from quiz.deck.problems import DeckError, Problem, Severity
from quiz.deck.text import clean_text

try:  # The C parser is several times faster; fall back when libyaml is absent.
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

# Decks nest four levels (deck, cards, card, list); the C composer recurses once per level and
# overflows the stack somewhere past 20,000, so depth is checked on the event stream first.
MAX_NESTING = 32
# Close-match suggestions compare strings pairwise; beyond these sizes they are not offered.
_SUGGEST_MAX_LENGTH = 200
_SUGGEST_MAX_OPTIONS = 200
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A gap never spans another "{{", which keeps matching linear on text full of unclosed ones.
_GAP = re.compile(r"\{\{((?:(?!\{\{).)*?)\}\}", re.DOTALL)
_YAML_TAG = "tag:yaml.org,2002:"
# Explicit tags that still mean plain data; anything else (e.g. !!python/object) is refused.
_SAFE_TAGS = {
    _YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
_STR_TAG = _YAML_TAG + "str"
# The plain scalars whose implicit tag is one `_SAFE_TAGS` refuses (merge and value keys).
_RESOLVED_SCALARS = ("<<", "=")
_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}

DECK_KEYS = ("deck", "title", "description", "sources", "tags", "settings", "lint", "cards")
SOURCE_KEYS = ("title", "author", "publisher", "date", "note", "url")
SETTINGS_KEYS = ("new_per_day", "reviews_per_day", "desired_retention")
COMMON_KEYS = ("id", "type", "explanation", "source", "tags", "lint")
LINT_KEYS = ("ignore",)
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "flashcard": ("front", "back", "reverse"),
    "choice": ("question", "choices", "answer", "shuffle"),
    "true_false": ("statement", "answer"),
    "cloze": ("text",),
    "typed": ("question", "answer", "accept"),
    "numeric": ("question", "answer", "tolerance", "unit"),
    "order": ("question", "items"),
    "match": ("question", "pairs"),
}

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


class _Reader:
    """Walks composed YAML nodes, collecting problems instead of stopping at the first."""

    def __init__(self, path: str, aliases_possible: bool = True) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.aliases = False
        self._seen: set[int] = set()
        # Every alias is written with a '*': a deck without one needs no nodes remembered.
        self._track = aliases_possible

    def report(self, node: Node, message: str, severity: Severity, rule: str | None) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(self.path, mark.line + 1, mark.column + 1, severity, message, rule)
        )

    def error(self, node: Node, message: str, rule: str | None = None) -> None:
        self.report(node, message, Severity.ERROR, rule)

    def warn(self, node: Node, message: str, rule: str | None = None) -> None:
        self.report(node, message, Severity.WARNING, rule)

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
        if node.tag not in _SAFE_TAGS:
            self.error(
                node, f"unsupported YAML tag '{node.tag.replace(_YAML_TAG, '!!')}'", "yaml-tag"
            )
            return False
        return True

    def mapping(self, node: Node, what: str) -> Entries | None:
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

    def check_keys(
        self, entries: Entries, allowed: tuple[str, ...], what: str, elsewhere: str = ""
    ) -> None:
        for key, (key_node, _) in entries.items():
            if key not in allowed:
                hint = suggestion(key, allowed) or elsewhere
                self.error(key_node, f"{what}: unknown key '{key}'{hint}", "unknown-key")

    def scalar(
        self, node: Node, what: str, kind: str = "text", rule: str = "not-text"
    ) -> str | None:
        if not self.visit(node):
            return None
        if not isinstance(node, ScalarNode):
            found = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.error(node, f"{what} must be {kind}, not {found}", rule)
            return None
        return str(node.value)

    def text(self, node: Node, what: str, kind: str = "text", rule: str = "not-text") -> str | None:
        value = self.scalar(node, what, kind, rule)
        if value is None:
            return None
        value = clean_text(value).strip()
        if not value:
            self.error(node, f"{what} must not be empty", "empty-text")
            return None
        return value

    def text_list(self, node: Node, what: str, minimum: int = 0) -> list[tuple[str, Node]]:
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
        value = self.scalar(node, what, "true or false", "not-a-boolean")
        if value is None:
            return None
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self.error(node, f"{what} must be true or false, not '{value}'", "not-a-boolean")
        return None

    def number(self, node: Node, what: str, parse: Callable[[str], T]) -> T | None:
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


def _optional(
    entries: Entries, key: str, read: Callable[[Node, str], T | None], what: str
) -> T | None:
    return read(entries[key][1], what) if key in entries else None


class _DeckBuilder:
    def __init__(self, reader: _Reader) -> None:
        self.r = reader

    def deck(self, root: Node) -> Deck | None:
        r = self.r
        entries = r.mapping(root, "deck file")
        if entries is None:
            return None
        r.check_keys(entries, DECK_KEYS, "deck")
        for required in ("deck", "title", "cards"):
            if required not in entries:
                r.error(root, f"deck: missing required key '{required}'", "missing-key")
        deck_id = _optional(entries, "deck", r.text, "deck id")
        if deck_id is not None and not SLUG.match(deck_id):
            r.error(
                entries["deck"][1],
                f"deck id '{deck_id}' must be a slug like 'csto-basics'",
                "bad-slug",
            )
        title = _optional(entries, "title", r.text, "title")
        description = _optional(entries, "description", r.text, "description")
        sources = self.sources(entries["sources"][1]) if "sources" in entries else {}
        tags = self.tags(entries["tags"][1], "deck tags") if "tags" in entries else ()
        settings = self.settings(entries["settings"][1]) if "settings" in entries else Settings()
        lint_ignore = self.lint(entries["lint"][1], "deck lint") if "lint" in entries else ()
        cards = self.cards(entries["cards"][1], sources) if "cards" in entries else []
        if deck_id is None or title is None:
            return None
        return Deck(
            id=deck_id,
            title=title,
            description=description,
            sources=sources,
            tags=tags,
            settings=settings,
            cards=tuple(cards),
            path=r.path,
            lint_ignore=lint_ignore,
        )

    def sources(self, node: Node) -> dict[str, Source]:
        entries = self.r.mapping(node, "sources")
        out: dict[str, Source] = {}
        for key, (_, value) in (entries or {}).items():
            fields = self.r.mapping(value, f"source '{key}'")
            if fields is None:
                continue
            self.r.check_keys(fields, SOURCE_KEYS, f"source '{key}'")
            values = {
                k: self.r.text(v, f"source '{key}' {k}")
                for k, (_, v) in fields.items()
                if k in SOURCE_KEYS
            }
            out[key] = Source(key=key, **values)
        return out

    def tags(self, node: Node, what: str) -> tuple[str, ...]:
        out = []
        for tag, tag_node in self.r.text_list(node, what):
            if not SLUG.match(tag):
                self.r.error(
                    tag_node, f"tag '{tag}' must be a slug like 'kazakhstan-2022'", "bad-slug"
                )
            else:
                out.append(tag)
        return tuple(dict.fromkeys(out))

    def lint(self, node: Node, what: str) -> tuple[str, ...]:
        """Rule names from a `lint: {ignore: [...]}` mapping; the linter checks the names."""
        entries = self.r.mapping(node, what)
        if entries is None:
            return ()
        self.r.check_keys(entries, LINT_KEYS, what)
        if "ignore" not in entries:
            return ()
        names = self.r.text_list(entries["ignore"][1], f"{what} ignore")
        return tuple(dict.fromkeys(name for name, _ in names))

    def settings(self, node: Node) -> Settings:
        r = self.r
        entries = r.mapping(node, "settings")
        if entries is None:
            return Settings()
        r.check_keys(entries, SETTINGS_KEYS, "settings")
        values: dict[str, Any] = {}
        for key in ("new_per_day", "reviews_per_day"):
            count = _optional(entries, key, lambda n, w: r.number(n, w, int), key)
            if count is not None and count < 0:
                r.error(entries[key][1], f"{key} must be 0 or more", "out-of-range")
            elif count is not None:
                values[key] = count
        retention = _optional(
            entries, "desired_retention", lambda n, w: r.number(n, w, float), "desired_retention"
        )
        if retention is not None and not 0.7 <= retention <= 0.99:
            r.error(
                entries["desired_retention"][1],
                "desired_retention must be 0.7 to 0.99",
                "out-of-range",
            )
        elif retention is not None:
            values["desired_retention"] = retention
        return Settings(**values)

    def cards(self, node: Node, sources: dict[str, Source]) -> list[Card]:
        r = self.r
        if not r.visit(node):
            return []
        if not isinstance(node, SequenceNode):
            r.error(node, "cards must be a list", "not-a-list")
            return []
        if not node.value:
            r.error(node, "cards: the deck has no cards", "no-cards")
        cards: list[Card] = []
        first_line: dict[str, int] = {}
        for index, card_node in enumerate(node.value, start=1):
            card = self.card(card_node, index, sources)
            if card is None:
                continue
            if card.id in first_line:
                r.error(
                    card_node,
                    f"duplicate card id '{card.id}' (first on line {first_line[card.id]})",
                    "duplicate-id",
                )
                continue
            first_line[card.id] = card.line
            cards.append(card)
        return cards

    def card(self, node: Node, index: int, sources: dict[str, Source]) -> Card | None:
        r = self.r
        entries = r.mapping(node, f"card #{index}")
        if entries is None:
            return None
        card_type = _optional(entries, "type", r.text, f"card #{index} type") or "flashcard"
        if card_type not in TYPE_KEYS:
            hint = suggestion(card_type, list(TYPE_KEYS))
            r.error(
                entries["type"][1],
                f"card #{index}: unknown card type '{card_type}'{hint}",
                "unknown-type",
            )
            return None
        card_id = _optional(entries, "id", r.text, f"card #{index} id")
        name = f"{card_type} card '{card_id}'" if card_id else f"{card_type} card #{index}"
        if card_id is not None and not SLUG.match(card_id):
            r.error(
                entries["id"][1], f"{name}: id must be a slug like 'first-deployment'", "bad-slug"
            )
            return None
        own_keys = TYPE_KEYS[card_type]
        allowed = _ALLOWED_KEYS[card_type]
        # One set comparison for the usual card; the walk only when some key is unknown.
        for key, (key_node, _) in () if entries.keys() <= allowed else entries.items():
            if key in allowed:
                continue
            other = {k for keys in TYPE_KEYS.values() for k in keys if k not in own_keys}
            hint = suggestion(key, (*COMMON_KEYS, *own_keys))
            if not hint:
                # A field of another type usually means a missing or wrong 'type'.
                close = [key] if key in other else closest(key, sorted(other))
                if close:
                    hint = (
                        f" (did you mean '{close[0]}'? {card_type} cards have none: check 'type')"
                    )
            r.error(key_node, f"{name}: unknown key '{key}'{hint}", "unknown-key")
        missing = [k for k in _REQUIRED_KEYS[card_type] if k not in entries]
        for key in missing:
            r.error(node, f"{name}: missing required key '{key}'", "missing-key")
        common: dict[str, Any] = {"line": node.start_mark.line + 1}
        common["explanation"] = _optional(entries, "explanation", r.text, f"{name} explanation")
        if "source" in entries:
            common["source"] = self.source_ref(entries["source"][1], name, sources)
        if "tags" in entries:
            common["tags"] = self.tags(entries["tags"][1], f"{name} tags")
        if "lint" in entries:
            common["lint_ignore"] = self.lint(entries["lint"][1], f"{name} lint")
        before = len(r.problems)
        fields = getattr(self, card_type)(entries, name) if not missing else None
        if fields is None or (
            len(r.problems) > before
            and any(p.severity is Severity.ERROR for p in r.problems[before:])
        ):
            return None
        cls = _CLASSES[card_type]
        if card_id is None:
            draft = cls(id="draft", **fields, **common)
            card_id = "auto-" + draft.content_hash()[:10]
            r.warn(
                node,
                f"{name}: card has no id; progress is keyed on a hash of its content, "
                "so any edit resets it",
                "missing-id",
            )
        return cls(id=card_id, **fields, **common)

    def source_ref(self, node: Node, name: str, sources: dict[str, Source]) -> SourceRef | None:
        r = self.r
        if isinstance(node, MappingNode):
            entries = r.mapping(node, f"{name} source")
            if entries is None:
                return None
            r.check_keys(entries, ("ref", "section"), f"{name} source")
            if "ref" not in entries:
                r.error(node, f"{name}: source needs a 'ref'", "missing-key")
                return None
            ref_node = entries["ref"][1]
            ref = r.text(ref_node, f"{name} source ref")
            section = _optional(entries, "section", r.text, f"{name} source section")
        else:
            ref_node = node
            ref = r.text(node, f"{name} source")
            section = None
        if ref is None:
            return None
        if ref not in sources:
            hint = suggestion(ref, list(sources))
            r.warn(
                ref_node,
                f"{name}: source '{ref}' is not defined in sources{hint}",
                "unknown-source",
            )
        return SourceRef(ref, section)

    # One method per card type, named after it: each returns the type's own fields.

    def flashcard(self, e: Entries, name: str) -> dict[str, Any] | None:
        r = self.r
        front = r.text(e["front"][1], f"{name}: front")
        back = r.text(e["back"][1], f"{name}: back")
        reverse = _optional(e, "reverse", r.boolean, f"{name}: reverse") or False
        return {"front": front, "back": back, "reverse": reverse}

    def choice(self, e: Entries, name: str) -> dict[str, Any] | None:
        r = self.r
        question = r.text(e["question"][1], f"{name}: question")
        choices = r.text_list(e["choices"][1], f"{name}: choices", minimum=2)
        texts = [c for c, _ in choices]
        seen: set[str] = set()
        for text, choice_node in choices:
            if text in seen:
                r.error(choice_node, f"{name}: choice '{text}' appears twice", "duplicate-choice")
            seen.add(text)
        answer_node = e["answer"][1]
        multiple = isinstance(answer_node, SequenceNode)
        if multiple:
            answers = r.text_list(answer_node, f"{name}: answer", minimum=1)
        else:
            single = r.text(answer_node, f"{name}: answer")
            answers = [(single, answer_node)] if single is not None else []
        for text, node in answers:
            if text not in seen:
                hint = suggestion(text, texts)
                r.error(
                    node,
                    f"{name}: answer '{text}' is not one of the choices{hint}",
                    "answer-not-a-choice",
                )
        shuffle = _optional(e, "shuffle", r.boolean, f"{name}: shuffle")
        return {
            "question": question,
            "choices": tuple(texts),
            "answers": tuple(dict.fromkeys(a for a, _ in answers)),
            "multiple": multiple,
            "shuffle": True if shuffle is None else shuffle,
        }

    def true_false(self, e: Entries, name: str) -> dict[str, Any] | None:
        r = self.r
        statement = r.text(e["statement"][1], f"{name}: statement")
        answer = r.boolean(e["answer"][1], f"{name}: answer")
        return {"statement": statement, "answer": answer}

    def cloze(self, e: Entries, name: str) -> dict[str, Any] | None:
        r = self.r
        node = e["text"][1]
        text = r.text(node, f"{name}: text")
        if text is None:
            return None
        parts = _GAP.split(text)
        segments, raw_gaps = parts[0::2], parts[1::2]
        if not raw_gaps:
            r.error(node, f"{name}: text has no gaps; write them as {{{{answer}}}}", "cloze-no-gap")
        gaps = []
        for raw in raw_gaps:
            answers = tuple(a.strip() for a in raw.split("|"))
            if not all(answers):
                r.error(node, f"{name}: gap '{{{{{raw}}}}}' has an empty answer", "cloze-empty-gap")
            gaps.append(answers)
        if "{{" in "".join(segments) or "}}" in "".join(segments):
            r.error(node, f"{name}: text has an unclosed '{{{{' or a stray '}}}}'", "cloze-syntax")
        return {"text": text, "segments": tuple(segments), "gaps": tuple(gaps)}

    def typed(self, e: Entries, name: str) -> dict[str, Any] | None:
        r = self.r
        question = r.text(e["question"][1], f"{name}: question")
        answer = r.text(e["answer"][1], f"{name}: answer")
        accept = r.text_list(e["accept"][1], f"{name}: accept") if "accept" in e else []
        return {"question": question, "answer": answer, "accept": tuple(a for a, _ in accept)}

    def numeric(self, e: Entries, name: str) -> dict[str, Any] | None:
        r = self.r
        question = r.text(e["question"][1], f"{name}: question")
        answer_text = r.text(e["answer"][1], f"{name}: answer", "a number", "not-a-number")
        answer = None
        if answer_text is not None:
            try:
                answer = float(answer_text.replace("_", ""))
            except ValueError:
                answer = None
            if answer is None or not math.isfinite(answer):
                r.error(
                    e["answer"][1],
                    f"{name}: answer must be a number, not '{answer_text}'",
                    "not-a-number",
                )
        tolerance, percent = 0.0, False
        if "tolerance" in e:
            tol_node = e["tolerance"][1]
            raw = r.text(tol_node, f"{name}: tolerance", "a number or a percentage", "not-a-number")
            if raw is not None:
                percent = raw.endswith("%")
                try:
                    tolerance = float(raw.rstrip("%").strip())
                except ValueError:
                    r.error(
                        tol_node,
                        f"{name}: tolerance must be a number or a percentage "
                        f"like '5%', not '{raw}'",
                        "not-a-number",
                    )
                if tolerance < 0 or not math.isfinite(tolerance):
                    r.error(tol_node, f"{name}: tolerance must be 0 or more", "out-of-range")
        unit = _optional(e, "unit", r.text, f"{name}: unit")
        return {
            "question": question,
            "answer": answer,
            "answer_text": answer_text,
            "tolerance": tolerance,
            "tolerance_is_percent": percent,
            "unit": unit,
        }

    def order(self, e: Entries, name: str) -> dict[str, Any] | None:
        r = self.r
        question = r.text(e["question"][1], f"{name}: question")
        items = r.text_list(e["items"][1], f"{name}: items", minimum=2)
        texts = [t for t, _ in items]
        seen: set[str] = set()
        for text, node in items:
            if text in seen:
                r.error(node, f"{name}: item '{text}' appears twice", "duplicate-item")
            seen.add(text)
        return {"question": question, "items": tuple(texts)}

    def match(self, e: Entries, name: str) -> dict[str, Any] | None:
        r = self.r
        question = r.text(e["question"][1], f"{name}: question")
        pairs_node = e["pairs"][1]
        entries = r.mapping(pairs_node, f"{name}: pairs")
        if entries is None:
            return None
        if len(entries) < 2:
            r.error(
                pairs_node,
                f"{name}: pairs needs at least 2 entries, found {len(entries)}",
                "too-few-entries",
            )
        pairs: list[tuple[str, str]] = []
        rights: set[str] = set()
        for left, (_key_node, value_node) in entries.items():
            left_text = clean_text(left).strip()
            right = r.text(value_node, f"{name}: pair '{left_text}'")
            if right is None:
                continue
            if right in rights:
                r.error(
                    value_node, f"{name}: '{right}' is the match of two items", "duplicate-item"
                )
            pairs.append((left_text, right))
            rights.add(right)
        return {"question": question, "pairs": tuple(pairs)}


def required_keys(card_type: str) -> tuple[str, ...]:
    """The keys a card of this type must have."""
    optional = {"reverse", "shuffle", "accept", "tolerance", "unit"}
    return tuple(k for k in TYPE_KEYS[card_type] if k not in optional)


_REQUIRED_KEYS = {card_type: required_keys(card_type) for card_type in TYPE_KEYS}
_ALLOWED_KEYS = {
    card_type: frozenset((*COMMON_KEYS, *keys)) for card_type, keys in TYPE_KEYS.items()
}

_CLASSES: dict[str, type[Card]] = {
    "flashcard": Flashcard,
    "choice": Choice,
    "true_false": TrueFalse,
    "cloze": Cloze,
    "typed": Typed,
    "numeric": Numeric,
    "order": Order,
    "match": Match,
}


def _alias_problems(text: str, path: str) -> list[Problem]:
    # Only reached when an alias was seen; parsing events is linear in the text's size.
    return [
        Problem(
            path,
            e.start_mark.line + 1,
            e.start_mark.column + 1,
            Severity.ERROR,
            "YAML aliases are not supported in decks",
        )
        for e in yaml.parse(text, Loader=_Loader)
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


def _unclosed_quote(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, Severity, str] | None:
    """A quoted string that runs to the end of the file, placed where its quote opens."""
    start = exc.context_mark
    if (
        exc.context != "while scanning a quoted scalar"
        or "end of stream" not in (exc.problem or "")
        or start is None
    ):
        return None
    line, col = start.line + 1, start.column + 1
    lines = _LINE_BREAK.split(text)
    quote = lines[line - 1][col - 1 : col] if line <= len(lines) else '"'
    message = (
        f"invalid YAML: a string opened with {quote} on line {line} is never closed: it runs"
        f" to the end of the file (close it with {quote} where its value ends)"
    )
    return line, col, Severity.ERROR, message


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
            return _STR_TAG
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


_NestingLoader = type("_NestingLoader", (_NestingLimit, _Loader), {})


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
    return Problem(path, mark.line + 1, mark.column + 1, Severity.ERROR, message)


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


def _compose(text: str, path: str) -> Node | Problem | None:
    """The YAML node tree, or the one problem that stops YAML from being read at all."""
    try:
        return _compose_limited(text, path)
    except yaml.MarkedYAMLError as exc:
        unclosed = _unclosed_quote(text, exc)
        if unclosed is not None:
            return Problem(path, *unclosed)
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p)
        hint = _hint(text, line, col)
        return Problem(path, line, col, Severity.ERROR, f"invalid YAML: {message}{hint}")
    except yaml.reader.ReaderError as exc:
        # libyaml gives a byte offset into the UTF-8 text, and no usable character.
        index = len(text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore"))
        line, col = _place(text, index)
        char = f"U+{ord(text[index]):04X}" if index < len(text) else "a character"
        message = f"{char} is a control character, which YAML does not allow"
        return Problem(path, line, col, Severity.ERROR, message)
    except UnicodeEncodeError as exc:
        # Only text handed in directly can hold a lone surrogate; files are decoded first.
        line, col = _place(text, exc.start)
        message = f"U+{ord(text[exc.start]):04X} is a lone surrogate, not a character"
        return Problem(path, line, col, Severity.ERROR, message)
    except yaml.YAMLError as exc:
        return Problem(path, 1, 1, Severity.ERROR, f"invalid YAML: {exc}")
    except RecursionError:
        return Problem(path, 1, 1, Severity.ERROR, "invalid YAML: nested too deeply")


def parse_deck(text: str, path: str) -> tuple[Deck | None, list[Problem]]:
    """Parse deck text; the deck is None when there is any error."""
    reader = _Reader(path, aliases_possible="*" in text)
    with collector_paused():
        root = _compose(text, path)
        if isinstance(root, Problem):
            return None, [root]
        if root is None:
            return None, [Problem(path, 1, 1, Severity.ERROR, "the file is empty")]
        try:
            deck = _DeckBuilder(reader).deck(root)
        except RecursionError:
            return None, [Problem(path, 1, 1, Severity.ERROR, "deck is nested too deeply")]
    if reader.aliases:
        reader.problems.extend(_alias_problems(text, path))
    problems = sorted(reader.problems, key=lambda p: (p.line, p.column))
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    return deck, problems


def check_deck(path: Path) -> tuple[Deck | None, list[Problem]]:
    """Load a deck file, returning it (or None) with every problem found."""
    data, problems = read_deck_bytes(path)
    if data is None:
        return None, problems
    text, problems = decode_deck(data, str(path))
    if text is None:
        return None, problems
    return parse_deck(text, str(path))


def load_deck(path: Path) -> Deck:
    """Load a deck file or raise `DeckError` with every problem."""
    deck, problems = check_deck(path)
    if deck is None:
        raise DeckError(problems)
    return deck

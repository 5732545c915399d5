"""Read deck files: YAML to a `Deck`, with every problem reported at its place."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, NamedTuple

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz.collector import collector_paused
from quiz.deck.card_fields import FIELD_READERS
from quiz.deck.files import decode_deck, read_deck_bytes
from quiz.deck.limits import CARDS, TAGS
from quiz.deck.model import CARD_TYPES, Card, Deck, Settings, Source, SourceRef
from quiz.deck.problems import DeckError, Problem, Severity
from quiz.deck.reader import Entries, Reader, closest, optional, suggestion
from quiz.deck.vocabulary import (
    CARD,
    COMMON_KEYS,
    DECK,
    LINT,
    SETTINGS,
    SLUG,
    SOURCE,
    SOURCE_REF,
    TYPE_KEYS,
    is_tag,
)
from quiz.deck.yaml_errors import Shift
from quiz.deck.yaml_safe import alias_problems, compose_all, unshift

_ALLOWED_KEYS = {card_type: frozenset(keys.allowed) for card_type, keys in CARD.items()}


class Parsed(NamedTuple):
    """What parsing deck text gives: the deck (None on any error), its problems, its YAML."""

    deck: Deck | None
    problems: list[Problem]
    # The composed YAML, for placing problems found later; None when it could not be composed.
    root: Node | None
    # Every part of the deck that could be read, errors or not: what lint checks.
    readable: Deck | None = None
    # The text the YAML was composed from: the file's, with any YAML mistakes repaired; and how
    # those repairs moved columns (see `yaml_safe.unshift`).
    text: str = ""
    shifts: tuple[Shift, ...] = ()


class _DeckBuilder:
    """Builds a deck from its composed YAML, each part read as the format says."""

    def __init__(self, reader: Reader) -> None:
        self.r = reader
        self.first_line: dict[str, int] = {}
        # The deck made of every part that could be read, which lint checks even on errors.
        self.readable: Deck | None = None

    def deck(self, root: Node) -> Deck | None:
        r = self.r
        entries = r.mapping(root, "deck file")
        if entries is None:
            return None
        r.check_keys(entries, DECK.allowed, "deck")
        for required in DECK.required:
            if required not in entries:
                r.error(root, f"deck: missing required key '{required}'", "missing-key")
        deck_id = optional(entries, "deck", r.text, "deck id")
        if deck_id is not None and not SLUG.match(deck_id):
            r.error(
                entries["deck"][1],
                f"deck id '{deck_id}' must be a slug like 'csto-basics'",
                "bad-slug",
            )
        title = optional(entries, "title", r.text, "title")
        description = optional(entries, "description", r.text, "description")
        sources = self.sources(entries["sources"][1]) if "sources" in entries else {}
        tags = self.tags(entries["tags"][1], "deck tags") if "tags" in entries else ()
        settings = self.settings(entries["settings"][1]) if "settings" in entries else Settings()
        lint_ignore = self.lint(entries["lint"][1], "deck lint") if "lint" in entries else ()
        cards = self.cards(entries["cards"][1], sources) if "cards" in entries else []
        self.readable = Deck(
            id=deck_id or "",
            title=title or "",
            description=description,
            sources=sources,
            tags=tags,
            settings=settings,
            cards=tuple(cards),
            path=r.path,
            lint_ignore=lint_ignore,
        )
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
            self.r.check_keys(fields, SOURCE.allowed, f"source '{key}'")
            values = {
                k: self.r.text(v, f"source '{key}' {k}")
                for k, (_, v) in fields.items()
                if k in SOURCE.allowed
            }
            out[key] = Source(key=key, **values)
        return out

    def tags(self, node: Node, what: str) -> tuple[str, ...]:
        if not self.r.within(node, TAGS, what):
            return ()
        out = []
        for tag, tag_node in self.r.text_list(node, what):
            if not is_tag(tag):
                self.r.error(
                    tag_node,
                    f"tag '{tag}' must be lowercase words joined by hyphens, like "
                    "'kazakhstan-2022' or 'столицы'",
                    "bad-slug",
                )
            else:
                out.append(tag)
        return tuple(dict.fromkeys(out))

    def lint(self, node: Node, what: str) -> tuple[str, ...]:
        """Rule names from a `lint: {ignore: [...]}` mapping; the linter checks the names."""
        entries = self.r.mapping(node, what)
        if entries is None:
            return ()
        self.r.check_keys(entries, LINT.allowed, what)
        if "ignore" not in entries:
            return ()
        names = self.r.text_list(entries["ignore"][1], f"{what} ignore")
        return tuple(dict.fromkeys(name for name, _ in names))

    def settings(self, node: Node) -> Settings:
        r = self.r
        entries = r.mapping(node, "settings")
        if entries is None:
            return Settings()
        r.check_keys(entries, SETTINGS.allowed, "settings")
        values: dict[str, Any] = {}
        for key in ("new_per_day", "reviews_per_day"):
            count = optional(entries, key, lambda n, w: r.number(n, w, int), key)
            if count is not None and count < 0:
                r.error(entries[key][1], f"{key} must be 0 or more", "out-of-range")
            elif count is not None:
                values[key] = count
        retention = optional(
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
        if not r.within(node, CARDS, "deck"):
            return []
        cards: list[Card] = []
        for index, card_node in enumerate(node.value, start=1):
            card = self.card(card_node, index, sources)
            if card is not None:
                cards.append(card)
        return cards

    def _first_of(self, card_id: str, node: Node, name: str) -> bool:
        """Whether this is the first card with the id; a `duplicate-id` error when not."""
        first = self.first_line.setdefault(card_id, node.start_mark.line + 1)
        if first == node.start_mark.line + 1:
            return True
        self.r.error(node, f"duplicate card id '{card_id}' (first on line {first})", "duplicate-id")
        return False

    def card(self, node: Node, index: int, sources: dict[str, Source]) -> Card | None:
        r = self.r
        entries = r.mapping(node, f"card #{index}")
        if entries is None:
            return None
        before = len(r.problems)
        card_id = optional(entries, "id", r.text, f"card #{index} id")
        # A card is named by its id wherever it has one, even one that is not a slug.
        name = f"card '{card_id}'" if card_id else f"card #{index}"
        if card_id is not None and not SLUG.match(card_id):
            r.error(
                entries["id"][1], f"{name}: id must be a slug like 'first-deployment'", "bad-slug"
            )
        # Checked before anything else of the card, so that an error in either copy hides nothing.
        unique = card_id is None or self._first_of(card_id, node, name)
        card_type = optional(entries, "type", r.text, f"{name} type") or "flashcard"
        known = card_type in TYPE_KEYS
        if not known:
            hint = suggestion(card_type, list(TYPE_KEYS))
            r.error(
                entries["type"][1],
                f"{name}: unknown card type '{card_type}'{hint}",
                "unknown-type",
            )
        else:
            _unknown_card_keys(r, entries, card_type, name)
        missing = [k for k in CARD[card_type].required if k not in entries] if known else []
        for key in missing:
            r.error(node, f"{name}: missing required key '{key}'", "missing-key")
        common: dict[str, Any] = {"line": node.start_mark.line + 1}
        common["explanation"] = optional(entries, "explanation", r.text, f"{name} explanation")
        if "source" in entries:
            common["source"] = self.source_ref(entries["source"][1], name, sources)
        if "tags" in entries:
            common["tags"] = self.tags(entries["tags"][1], f"{name} tags")
        if "lint" in entries:
            common["lint_ignore"] = self.lint(entries["lint"][1], f"{name} lint")
        if not known:
            return None
        cls = CARD_TYPES[card_type]
        fields = FIELD_READERS[cls](r, entries, name) if not missing else None
        if (
            fields is None
            or not unique
            or (
                len(r.problems) > before
                and any(p.severity is Severity.ERROR for p in r.problems[before:])
            )
        ):
            return None
        if card_id is None:
            draft = cls(id="draft", **fields, **common)
            card_id = "auto-" + draft.content_hash()[:10]
            if not self._first_of(card_id, node, name):
                return None
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
            r.check_keys(entries, SOURCE_REF.allowed, f"{name} source")
            for key in (k for k in SOURCE_REF.required if k not in entries):
                r.error(node, f"{name}: source needs a '{key}'", "missing-key")
                return None
            ref_node = entries["ref"][1]
            ref = r.text(ref_node, f"{name} source ref")
            section = optional(entries, "section", r.text, f"{name} source section")
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


def _unknown_card_keys(r: Reader, entries: Entries, card_type: str, name: str) -> None:
    """An error at each key a card of this type may not have, with what it may have meant."""
    allowed = _ALLOWED_KEYS[card_type]
    # One set comparison for the usual card; the walk only when some key is unknown.
    if entries.keys() <= allowed:
        return
    own_keys = TYPE_KEYS[card_type]
    for key, (key_node, _) in entries.items():
        if key in allowed:
            continue
        other = {k for keys in TYPE_KEYS.values() for k in keys if k not in own_keys}
        close = closest(key, (*COMMON_KEYS, *own_keys))
        hint = suggestion(key, (*COMMON_KEYS, *own_keys))
        if not hint:
            # A field of another type usually means a missing or wrong 'type'.
            other_close = [key] if key in other else closest(key, sorted(other))
            if other_close:
                hint = (
                    f" (did you mean '{other_close[0]}'? {card_type} cards have none: check 'type')"
                )
        r.unknown_key(key_node, f"{name}: unknown key '{key}'{hint}", key, close)


def parse(text: str, path: str) -> Parsed:
    """Parse deck text, keeping the YAML it composed; the deck is None when there is any error."""
    with collector_paused():
        composed = compose_all(text, path)
        root, shifts = composed.root, composed.shifts
        problems = list(composed.problems)
        if root is None:
            if not problems:
                problems.append(
                    # A whole file's problem has no line to point at: none is made up.
                    Problem(
                        path, 0, 0, Severity.ERROR, "the file is empty", check_rule="empty-file"
                    )
                )
            return Parsed(None, problems, None, None, composed.text, tuple(shifts))
        exam = _exam_key(root)
        if exam is not None:
            # An exam under a deck's name would give a dozen unknown and missing keys.
            return Parsed(
                None,
                [*problems, _exam_problem(path, exam)],
                root,
                None,
                composed.text,
                tuple(shifts),
            )
        reader = Reader(path, aliases_possible="*" in composed.text, source=composed.text)
        builder = _DeckBuilder(reader)
        try:
            deck = builder.deck(root)
        except RecursionError:
            message = "deck is nested too deeply"
            deep = Problem(path, 0, 0, Severity.ERROR, message, check_rule="yaml-syntax")
            return Parsed(None, [*problems, deep], root, None, composed.text, tuple(shifts))
    if reader.aliases:
        reader.problems.extend(alias_problems(composed.text, path))
    problems.extend(unshift(reader.problems, shifts))
    problems.sort(key=lambda p: (p.line, p.column))
    readable = builder.readable
    if any(p.severity is Severity.ERROR for p in problems):
        return Parsed(None, problems, root, readable, composed.text, tuple(shifts))
    return Parsed(deck, problems, root, readable, composed.text, tuple(shifts))


def _exam_key(root: Node) -> Node | None:
    """The `exam:` key of a file that is an exam (an `exam:` and no `deck:`), else None."""
    if not isinstance(root, MappingNode):
        return None
    keys = {k.value: k for k, _ in root.value if isinstance(k, ScalarNode)}
    return keys["exam"] if "exam" in keys and "deck" not in keys else None


def _exam_problem(path: str, key: Node) -> Problem:
    mark = key.start_mark
    given = Path(path)
    renamed = str(given.with_name(given.name.split(".")[0] + ".exam.yaml"))
    return Problem(
        path,
        mark.line + 1,
        mark.column + 1,
        Severity.ERROR,
        "this is an exam, not a deck",
        check_rule="exam-file",
        hint=f"exams are named NAME.exam.yaml: rename it to {renamed}, then sit it with "
        f"'quiz exam {shlex.quote(renamed)}'",
    )


def parse_deck(text: str, path: str) -> tuple[Deck | None, list[Problem]]:
    """Parse deck text; the deck is None when there is any error."""
    deck, problems, *_ = parse(text, path)
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

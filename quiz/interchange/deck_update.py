"""`quiz import --update`: a newer version of a deck merged into its YAML file, comments kept."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from quiz.deck.loader import parse_deck
from quiz.deck.model import Card, Deck
from quiz.deck.vocabulary import FALSE_WORDS, TRUE_WORDS
from quiz.interchange import InterchangeError
from quiz.interchange.deck_yaml import CARD_ORDER, ImportedDeck, card_yaml, deck_yaml, prepare

# Keys a card keeps when the new version has none: what the deck's author adds to a shared
# deck (a source, lint settings, an explanation the other tool never had).
_KEPT_WHEN_ABSENT = ("explanation", "source", "lint")


@dataclass
class Merge:
    """What an update did to a deck file, and its new text."""

    text: str
    deck: Deck
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Cards in the file that the new version lacks: kept, and named.
    missing: list[str] = field(default_factory=list)
    # Graded cards the new version has as flashcards (an export flattened them): kept as they are.
    flattened: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What changed, one line each, for the user."""
        out = [
            f"{len(self.added)} card(s) added, {len(self.changed)} changed in place, "
            f"{self.unchanged} unchanged"
        ]
        if self.missing:
            shown = ", ".join(self.missing[:10]) + (", ..." if len(self.missing) > 10 else "")
            out.append(
                f"{len(self.missing)} card(s) of the file are not in the new version and were "
                f"kept, with their progress (delete them by hand if they should go): {shown}"
            )
        if self.flattened:
            shown = ", ".join(self.flattened[:10]) + (", ..." if len(self.flattened) > 10 else "")
            out.append(
                f"{len(self.flattened)} graded card(s) are plain flashcards in the new version "
                f"(as an export to Anki or CSV makes them) and were kept as they are: {shown}"
            )
        return out


def _yaml() -> Any:
    from ruamel.yaml import YAML

    # The layout `quiz import` writes and the bundled decks use, so untouched lines stay as
    # they are: two-space mappings, list items indented two, no line wrapping.
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _same(old: Card, new: Card, deck_tags: tuple[str, ...], has: set[str]) -> bool:
    """True when the new version of a card says what the file's does (as the loader reads it)."""
    a, b = old.to_dict(), new.to_dict()
    del a["id"], b["id"]  # matched by its question, a card keeps the id the file gives it
    for key in _KEPT_WHEN_ABSENT:
        if key not in has:
            a.pop(key, None)
            b.pop(key, None)
    a["tags"] = set(a["tags"]) | set(deck_tags)
    b["tags"] = set(b["tags"]) | set(deck_tags)
    return a == b


def _place(node: Any, key: str) -> int:
    """Where a new key goes in a card's mapping: in the order `quiz import` writes keys."""
    rank = CARD_ORDER.index(key) if key in CARD_ORDER else len(CARD_ORDER)
    for index, existing in enumerate(node):
        if (CARD_ORDER.index(existing) if existing in CARD_ORDER else len(CARD_ORDER)) > rank:
            return index
    return len(node)


def _plain(value: Any) -> Any:
    """A YAML value as the loader reads it, for telling whether a key's value changed."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    text = str(value)
    if text.lower() in TRUE_WORDS:
        return "true"
    return "false" if text.lower() in FALSE_WORDS else text


def _update(node: Any, fresh: Any) -> None:
    """Give a card's mapping the new version's values, keeping what the new version lacks."""
    for key in [k for k in node if k not in fresh and k not in (*_KEPT_WHEN_ABSENT, "id")]:
        del node[key]
    for key in fresh:
        if key == "id":
            continue
        if key in node:
            # A value that reads the same keeps its line as written (quotes, comment).
            if _plain(node[key]) != _plain(fresh[key]):
                node[key] = fresh[key]
        else:
            node.insert(_place(node, key), key, fresh[key])


def _match(old: Deck, fresh: Deck, own: list[bool]) -> list[int | None]:
    """The place in the file of each new card: by id, else (an id made up) by its question."""
    # The loader keeps the file's order, so the n-th card is the n-th item, with or without id.
    place = {card.id: index for index, card in enumerate(old.cards)}
    new_ids = {card.id for card in fresh.cards}
    # A new card whose id was made up from its text (a CSV row with no id column) is found by
    # its question among the file's cards no new card claims by id (a deck written by hand).
    by_question: dict[str, int] = {}
    for index, card in enumerate(old.cards):
        if card.id not in new_ids:
            by_question.setdefault(card.prompt().strip(), index)
    out: list[int | None] = []
    for card, brought in zip(fresh.cards, own, strict=True):
        found = place.get(card.id)
        if found is None and not brought:
            found = by_question.pop(card.prompt().strip(), None)
        out.append(found)
    return out


def merge_deck(text: str, path: str, imported: ImportedDeck, origin: str) -> Merge:
    """The deck file's text with the imported cards merged in: added, changed or left."""
    old, problems = parse_deck(text, path)
    if old is None:
        first = problems[0]
        raise InterchangeError(
            f"{path}:{first.line}: {first.message}; fix the deck (quiz check) before updating it"
        )
    own = [bool(card.get("id")) for card in imported.cards]
    prepare(imported.cards)
    deck_tags = old.tags
    for raw in imported.cards:
        # Tags the file gives every card stay the deck's, not each card's.
        tags = [t for t in raw.get("tags", []) if t not in deck_tags]
        if tags:
            raw["tags"] = tags
        else:
            raw.pop("tags", None)
    fresh_text = deck_yaml(old.id, imported, origin, hoist=False)
    fresh, problems = parse_deck(fresh_text, path)
    if fresh is None:  # pragma: no cover - the writer keeps the loader's rules; a guard
        raise InterchangeError(f"the new version would not load: {problems[0].message}")
    merge = Merge(text=text, deck=old)
    matched = _match(old, fresh, own)
    seen: set[int] = set()
    wanted: list[tuple[dict[str, Any], int | None]] = []  # each new or changed card, its place
    for raw, card, index in zip(imported.cards, fresh.cards, matched, strict=True):
        if index is None:
            wanted.append((raw, None))
            merge.added.append(card.id)
            continue
        seen.add(index)
        mine = old.cards[index]
        if _same(mine, card, deck_tags, set(raw)):
            merge.unchanged += 1
        elif card.TYPE == "flashcard" and mine.TYPE != "flashcard":
            # Exports write choice, typed, numeric... cards as front and back: taking that
            # would lose the card's grading, so the file's card stays.
            merge.flattened.append(mine.id)
        else:
            wanted.append((raw, index))
            merge.changed.append(mine.id)
    merge.missing = [card.id for index, card in enumerate(old.cards) if index not in seen]
    if not wanted:
        return merge  # the file as it is, to the byte
    from ruamel.yaml.error import YAMLError

    yaml = _yaml()
    out = io.StringIO()
    try:
        data = yaml.load(text)
        nodes = data["cards"]
        # The new and changed cards as `quiz import` writes them, read in one go.
        fresh_nodes = yaml.load("".join(card_yaml(raw) for raw, _ in wanted))
        for (_, index), fresh_node in zip(wanted, fresh_nodes, strict=True):
            if index is None:
                nodes.append(fresh_node)
                continue
            node = nodes[index]
            if "id" not in node:
                # Its progress is keyed on the id its old content gave it: written down, the
                # id outlives the change.
                node.insert(0, "id", old.cards[index].id)
            _update(node, fresh_node)
        yaml.dump(data, out)
    except (YAMLError, ValueError, TypeError, KeyError) as exc:
        # The loader read the file, but the editor cannot: said, and nothing is written.
        why = " ".join(str(exc).split())[:200]
        raise InterchangeError(f"cannot edit {path} in place ({why}); nothing was written") from exc
    merged, problems = parse_deck(out.getvalue(), path)
    if merged is None:
        first = problems[0]
        raise InterchangeError(
            f"the merged deck would not load (line {first.line}: {first.message}); "
            "nothing was written"
        )
    merge.text, merge.deck = out.getvalue(), merged
    return merge

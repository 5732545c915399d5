"""The Anki decks of a package: one quiz deck each, or all in one with each deck as a tag."""

from __future__ import annotations

import base64
import hashlib

from quiz.deck.limits import TAGS
from quiz.deck.text import slugify
from quiz.interchange.anki import AnkiImport
from quiz.interchange.tags import make_tag

_LONGEST = 80  # characters of a deck's slug, well inside any file system's name limit


def deck_title(path: str) -> str:
    """An Anki deck's own name: the last part of its path ('Europe' of 'Geography::Europe')."""
    return path.split("::")[-1].strip()


def deck_slug(path: str) -> str:
    """The deck id and file name of an Anki deck: its path as a slug ('geography-europe')."""
    parts = [slugify(part, max_length=30) for part in path.split("::")]
    joined = "-".join(p for p in parts if p)
    if all(parts) and len(joined) <= _LONGEST:
        return joined
    # A part with no Latin letter or digit ('Столицы'), or a path too long for a file name:
    # deck ids are short ASCII slugs, so a few letters made from the whole path stand in, the
    # same at every import, and unlike the slug of any other deck (which dropping the part
    # or the end alone would not be).
    digest = base64.b32encode(hashlib.sha256(path.encode()).digest()).decode().lower()
    return "-".join([*([joined[:_LONGEST].rstrip("-")] if joined else []), "anki", digest[:8]])


def split_decks(imported: AnkiImport) -> list[AnkiImport]:
    """One import per Anki deck the notes are in, each titled by its deck's own name."""
    paths = sorted(set(imported.deck_paths))
    if len(paths) <= 1:
        return [imported]
    groups = [
        AnkiImport(title=deck_title(p) or imported.title, with_history=imported.with_history)
        for p in paths
    ]
    index_of = {path: index for index, path in enumerate(paths)}
    note_at = {place: nid for nid, place in imported.note_places.items()}
    group_of_note: dict[int, int] = {}
    for place, (card, path) in enumerate(zip(imported.cards, imported.deck_paths, strict=True)):
        nid = note_at[place]
        group = groups[index_of[path]]
        group_of_note[nid] = index_of[path]
        group.note_places[nid] = len(group.cards)
        group.cards.append(card)
        group.deck_paths.append(path)
        if nid in imported.cloze_numbers:
            group.cloze_numbers[nid] = imported.cloze_numbers[nid]
    # A card of a note that was not imported, and a review of a card the collection lacks, go
    # with the first deck: its history counts them as left out, once.
    group_of_card = {}
    for anki_card in imported.anki_cards:
        index = group_of_note.get(anki_card.note_id, 0)
        groups[index].anki_cards.append(anki_card)
        group_of_card[anki_card.id] = index
    for row in imported.revlog:
        groups[group_of_card.get(row.card_id, 0)].revlog.append(row)
    return groups


def one_deck(imported: AnkiImport) -> AnkiImport:
    """All the package's notes in one deck, each card tagged with its Anki deck's path."""
    paths = sorted(set(imported.deck_paths) - {""})
    if len(paths) > 1:
        full = 0
        for card, path in zip(imported.cards, imported.deck_paths, strict=True):
            tag = make_tag(path)
            if tag and len(card.get("tags", [])) >= TAGS.most:
                full += 1  # the deck would refuse one tag more
            elif tag:
                card["tags"] = list(dict.fromkeys([*card.get("tags", []), tag]))
        if full:
            imported.notes.append(
                f"{full} card(s) have {TAGS.most} tags already: their Anki deck is not added"
            )
        shown = ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "")
        imported.notes.append(
            f"{len(paths)} Anki decks in one deck file: each card has its Anki deck as a tag "
            f"({shown})"
        )
    return imported

"""Anki packages written with genanki: one note type per kind of Anki card, sources kept."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import assert_never

from quiz.deck.model import (
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
from quiz.interchange.front_back import front_back, has_reverse, source_text

_CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: center; }\n"
_EXPLAINED = (
    "{{#Explanation}}<hr><small>{{Explanation}}</small>{{/Explanation}}"
    "{{#Source}}<br><small><i>{{Source}}</i></small>{{/Source}}"
)
# The note types' ids: changed when their fields change, so Anki sees new note types rather
# than a conflict. One note type per quiz type: a card that gains `reverse` keeps its note.
_BASIC_ID = "quiz basic, optional reverse, source"
_CLOZE_ID = "quiz cloze, source"


def _anki_id(text: str) -> int:
    """A stable id in the range Anki uses, so exporting again updates rather than duplicates."""
    return (1 << 30) + int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) % (1 << 30)


def _as_html(text: str | None) -> str:
    return html.escape(text or "", quote=False).replace("\n", "<br>")


def _gap_html(text: str) -> str:
    """Text inside an Anki gap: '::', '{{' and '}}' written so that Anki reads no syntax in them."""
    html_text = _as_html(text).replace("::", ":&#58;")
    return html_text.replace("{{", "{&#123;").replace("}}", "}&#125;")


def _cloze_html(card: Cloze) -> str:
    # Anki has no alternative answers in a gap: the first one is kept. Each gap keeps its
    # number, so a gap inserted since the last export is a new Anki card, and the others keep
    # their schedules; hints are written as Anki writes them.
    out = [_as_html(card.segments[0])]
    parts = zip(card.gap_numbers(), card.gaps, card.segments[1:], strict=True)
    for index, (number, answers, segment) in enumerate(parts):
        hint = card.hint(index)
        shown = _gap_html(answers[0]) + (f"::{_gap_html(hint)}" if hint else "")
        out.append(f"{{{{c{number}::{shown}}}}}")
        out.append(_as_html(segment))
    return "".join(out)


def cloze_alternatives(deck: Deck) -> int:
    """How many cloze gaps have alternative answers, which Anki cannot keep."""
    count = 0
    for card in deck.cards:
        match card:
            case Cloze():
                count += sum(1 for answers in card.gaps if len(answers) > 1)
            case Flashcard() | Choice() | TrueFalse() | Typed() | Numeric() | Order() | Match():
                pass
            case _:
                assert_never(card)
    return count


def export_apkg(deck: Deck, path: Path, timestamp: float | None = None) -> None:
    """Write the deck as an Anki package: flashcards, reversed cards and clozes as such."""
    import genanki

    fields = [
        {"name": "Front"},
        {"name": "Back"},
        {"name": "Explanation"},
        {"name": "Source"},
        {"name": "Reverse"},
    ]
    basic = genanki.Model(
        _anki_id(_BASIC_ID),
        "quiz: Basic",
        fields=fields,
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _EXPLAINED,
            },
            {
                # Made only when Reverse is filled, as Anki's "optional reversed card".
                "name": "Card 2",
                "qfmt": "{{#Reverse}}{{Back}}{{/Reverse}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Front}}" + _EXPLAINED,
            },
        ],
        css=_CSS,
    )
    cloze = genanki.Model(
        _anki_id(_CLOZE_ID),
        "quiz: Cloze",
        fields=[{"name": "Text"}, {"name": "Explanation"}, {"name": "Source"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": "{{cloze:Text}}" + _EXPLAINED,
            }
        ],
        css=_CSS,
        model_type=genanki.Model.CLOZE,
    )
    anki_deck = genanki.Deck(
        _anki_id(deck.id), deck.title.replace("::", ":"), description=deck.description or ""
    )
    for card in deck.cards:
        tags = list(dict.fromkeys((*card.tags, *deck.tags)))
        guid = f"quiz:{deck.id}:{card.id}"
        explanation = _as_html(card.explanation)
        source = _as_html(source_text(deck, card))
        match card:
            case Cloze():
                values = [_cloze_html(card), explanation, source]
                note = genanki.Note(cloze, values, tags=tags, guid=guid)
            case Flashcard() | Choice() | TrueFalse() | Typed() | Numeric() | Order() | Match():
                # Anki has only flashcards besides clozes: the others go as front and back.
                front, back = front_back(card)
                reverse = "y" if has_reverse(card) else ""
                values = [_as_html(front), _as_html(back), explanation, source, reverse]
                note = genanki.Note(basic, values, tags=tags, guid=guid)
            case _:
                assert_never(card)
        anki_deck.add_note(note)
    # Anki updates a note it has only from a newer one: the timestamp (default now) says when.
    genanki.Package(anki_deck).write_to_file(str(path), timestamp=timestamp)

"""`quiz export --format gift`: Moodle GIFT, checked by parsing it back."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from interchange_helpers import FLASHCARDS, deck_of, load, run

from quiz.deck.model import Card, Deck
from quiz.interchange.front_back import with_source
from quiz.interchange.gift import export_gift


def _find(text: str, char: str, start: int = 0) -> int:
    """The index of the first `char` not escaped with a backslash."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            return i
        i += 1
    return -1


def _split(text: str, pattern: str) -> list[str]:
    """Split where `pattern` matches outside backslash escapes."""
    parts, last, i = [], 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        match = re.compile(pattern).match(text, i)
        if match and match.end() > i:
            parts.append(text[last:i])
            last = i
            i = match.end()
            continue
        i += 1
    parts.append(text[last:])
    return parts


def _plain(text: str, html: bool = False) -> str:
    """GIFT text as read: escapes undone, spacing collapsed; an [html] text as it shows."""
    text = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)
    if html:
        text = unescape(text.replace("<br>", "\n"))
    return re.sub(r"[ \t]+", " ", text).strip()


def parse_gift(text: str) -> list[dict[str, Any]]:
    """Questions as the GIFT grammar in Moodle's documentation defines them."""
    questions = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in block.splitlines() if not line.strip().startswith("//")]
        block = "\n".join(lines).strip()
        if not block or block.startswith("$CATEGORY:"):
            continue
        title = None
        if block.startswith("::"):
            end = block.index("::", 2)
            title, block = block[2:end], block[end + 2 :]
        # Moodle's text formats: [html] applies to the question, its feedback, choices and
        # the left sides of matching; short answers and matched answers are plain.
        html = block.startswith("[html]")
        block = block.removeprefix("[html]")
        start = _find(block, "{")
        stop = _find(block, "}", start)
        assert start >= 0 and stop > start, block
        inside = block[start + 1 : stop]
        inside, _, general = inside.partition("####")
        question: dict[str, Any] = {
            "title": title,
            "text": _plain(block[:start], html),
            "after": _plain(block[stop + 1 :], html),
            "feedback": _plain(general, html) or None,
        }
        body = inside.strip()
        if body in ("T", "F", "TRUE", "FALSE"):
            question.update(kind="true_false", answer=body.startswith("T"))
        elif body.startswith("#"):
            value, _, tolerance = body[1:].partition(":")
            question.update(kind="numeric", answer=float(value), tolerance=float(tolerance or 0))
        else:
            answers = []
            for part in _split(body, r"(?:(?<=\s)|^)[=~]")[1:]:
                mark, rest = part[0], part[1:]
                weight = None
                if rest.startswith("%"):
                    _, w, rest = rest.split("%", 2)
                    weight = float(w)
                answers.append((mark, weight, rest.split("->", 1)))
            if any(len(a[2]) == 2 for a in answers):
                pairs = [(_plain(a[2][0], html), _plain(a[2][1])) for a in answers]
                question.update(kind="matching", pairs=pairs)
            elif all(m == "=" for m, _, _ in answers):
                question.update(kind="short_answer", answers=[_plain(a[2][0]) for a in answers])
            else:
                question.update(
                    kind="multiple_choice",
                    answers=[
                        (m == "=" if w is None else w, _plain(a[0], html)) for m, w, a in answers
                    ],
                )
        questions.append(question)
    return questions


# The examples of Moodle's GIFT documentation (docs.moodle.org, "GIFT format"), written out.
DOCUMENTED = {
    "multiple choice": (
        "Who's buried in Grant's tomb?{=Grant ~no one ~Napoleon ~Churchill ~Mother Teresa}"
    ),
    "multiple answers": """What two people are entombed in Grant's tomb? {
   ~%-100%No one
   ~%50%Grant
   ~%50%Grant's wife
   ~%-100%Grant's father
}""",
    "true": "The sun rises in the east.{T}",
    "false": "Grant is buried in Grant's tomb.{F}",
    "short answer": "Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}",
    "missing word": "Two plus {=two =2} equals four.",
    "matching": """Match the following countries with their corresponding capitals. {
   =Canada -> Ottawa
   =Italy  -> Rome
   =Japan  -> Tokyo
   =India  -> New Delhi
   }""",
    "numerical": "When was Ulysses S. Grant born?{#1822:5}",
    "special characters": """Which answer equals 5? {
   ~ \\= 2 + 2
   = \\= 2 + 3
   ~ \\= 2 + 4
}""",
}  # fmt: skip

# The same questions as quiz cards.
AS_CARDS = {
    "multiple choice": """\
    type: choice
    question: "Who's buried in Grant's tomb?"
    choices: [Grant, no one, Napoleon, Churchill, Mother Teresa]
    answer: Grant""",
    "multiple answers": """\
    type: choice
    question: "What two people are entombed in Grant's tomb?"
    choices: [No one, Grant, "Grant's wife", "Grant's father"]
    answer: [Grant, "Grant's wife"]""",
    "true": """\
    type: true_false
    statement: The sun rises in the east.
    answer: true""",
    "false": """\
    type: true_false
    statement: "Grant is buried in Grant's tomb."
    answer: false""",
    "short answer": """\
    type: typed
    question: "Who's buried in Grant's tomb?"
    answer: Grant
    accept: [Ulysses S. Grant, Ulysses Grant]""",
    "missing word": """\
    type: cloze
    text: 'Two plus {{two|2}} equals four.'""",
    "matching": """\
    type: match
    question: Match the following countries with their corresponding capitals.
    pairs: {Canada: Ottawa, Italy: Rome, Japan: Tokyo, India: New Delhi}""",
    "numerical": """\
    type: numeric
    question: When was Ulysses S. Grant born?
    answer: 1822
    tolerance: 5""",
    "special characters": """\
    type: choice
    question: Which answer equals 5?
    choices: ['= 2 + 2', '= 2 + 3', '= 2 + 4']
    answer: '= 2 + 3'""",
}


@pytest.mark.parametrize("name", DOCUMENTED)
def test_gift_export_matches_the_documented_examples(name: str) -> None:
    deck = deck_of(f"deck: d\ntitle: T\ncards:\n  - id: q\n{AS_CARDS[name]}\n")
    text, skipped = export_gift(deck)
    assert not skipped
    (exported,) = parse_gift(text)
    (documented,) = parse_gift(DOCUMENTED[name])
    assert exported["title"] == "q"
    assert {**exported, "title": None} == documented


def test_gift_general_feedback_tags_titles_and_escapes() -> None:
    deck = deck_of(
        "deck: d\ntitle: T\ntags: [csto]\ncards:\n"
        "  - id: tricky\n    type: typed\n"
        '    question: "Escape ~ = # { } : and \\\\ here?\\nSecond line"\n'
        '    answer: "a{b}c"\n'
        '    explanation: "Because: #1 ~ {x}"\n'
        "    tags: [history]\n"
    )
    text, _ = export_gift(deck)
    assert "// [tag:history] [tag:csto]\n::tricky::" in text
    assert r"::[html]Escape \~ \= \# \{ \} \: and \\ here?<br>Second line" in text
    (question,) = parse_gift(text)
    assert question["text"] == "Escape ~ = # { } : and \\ here?\nSecond line"
    assert question["answers"] == ["a{b}c"]
    assert question["feedback"] == "Because: #1 ~ {x}"


def test_gift_cloze_gives_one_question_per_gap_and_skips_types_gift_lacks() -> None:
    deck = deck_of(
        "deck: d\ntitle: T\ncards:\n"
        "  - {id: z, type: cloze, text: 'Article {{4|four}} and Article {{7}}.', explanation: E}\n"
        "  - {id: f, front: F, back: B}\n"
        "  - {id: o, type: order, question: Q, items: [A, B, C]}\n"
        "  - {id: p, type: numeric, question: How many?, answer: 2500, tolerance: 10%,\n"
        "     unit: troops}\n"
    )
    text, skipped = export_gift(deck)
    assert skipped == {"flashcard": 1, "order": 1}
    first, second, numeric = parse_gift(text)
    assert (first["title"], first["text"], first["answers"], first["after"]) == (
        "z-1",
        "Article",
        ["4", "four"],
        "and Article 7.",
    )
    assert (second["title"], second["text"], second["answers"]) == (
        "z-2",
        "Article 4 and Article",
        ["7"],
    )
    assert first["feedback"] == second["feedback"] == "E"
    assert (numeric["text"], numeric["answer"], numeric["tolerance"]) == (
        "How many? (troops)",
        2500,
        250,
    )


def test_gift_export_command_says_what_it_left_out(tmp_path: Path) -> None:
    source = tmp_path / "terms.yaml"
    source.write_text(FLASHCARDS, encoding="utf-8")
    result = run("export", str(source), "--format", "gift", "-o", str(tmp_path / "t.txt"))
    assert result.exit_code == 0
    assert "wrote" in result.stderr and "0 card(s)" in result.stderr
    assert "left out 3 flashcard card(s): GIFT has no such question type" in result.stderr


def test_gift_of_every_bundled_deck_parses(tmp_path: Path) -> None:
    from quiz.library import bundled_decks_dir

    for path in sorted(bundled_decks_dir().glob("*.yaml")):
        deck = load(path)
        text, skipped = export_gift(deck)
        questions = parse_gift(text)
        gaps = sum(len(c.gaps) - 1 for c in deck.cards if c.type == "cloze")  # type: ignore[attr-defined]
        assert len(questions) == len(deck.cards) - sum(skipped.values()) + gaps
        for question, card in zip(questions, _gift_cards(deck), strict=False):
            # The source follows the explanation in GIFT's one feedback text.
            assert question["feedback"] == (with_source(deck, card) or None)


def _gift_cards(deck: Deck) -> list[Card]:
    out: list[Card] = []
    for card in deck.cards:
        if card.type in ("flashcard", "order"):
            continue
        out.extend([card] * (len(card.gaps) if card.type == "cloze" else 1))  # type: ignore[attr-defined]
    return out

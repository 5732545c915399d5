"""`quiz import` and `quiz export`: CSV/TSV and Moodle GIFT (Anki packages: test_anki.py)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quiz.cli import main
from quiz.deck.lint import check_paths
from quiz.deck.loader import check_deck, parse_deck
from quiz.deck.model import Card, Deck
from quiz.interchange import EXPORT_FORMATS, IMPORT_FORMATS
from quiz.interchange.deck_yaml import quote
from quiz.interchange.gift import export_gift


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def load(path: Path) -> Deck:
    deck, problems = check_deck(path)
    assert deck is not None, problems
    return deck


def deck_of(text: str) -> Deck:
    deck, problems = parse_deck(text, "d.yaml")
    assert deck is not None, problems
    return deck


def same_cards(deck: Deck) -> list[tuple[Any, ...]]:
    """Each card's content, with the deck's tags counted as the card's own."""
    out = []
    for card in deck.cards:
        data = card.to_dict()
        data["tags"] = sorted({*card.tags, *deck.tags})
        out.append(tuple(sorted((k, repr(v)) for k, v in data.items())))
    return out


def folder_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- Importing CSV and TSV ---------------------------------------------------------------------


def test_csv_with_header_imports_into_a_clean_deck(tmp_path: Path) -> None:
    source = tmp_path / "capitals.csv"
    source.write_text(
        "Front,Back,Tags\n"
        '"What is the capital of Kazakhstan?",Astana,geography kazakhstan\n'
        '"Which city hosts the CSTO secretariat, since 2002?","Moscow, Russia",geography\n'
        'Who wrote: \'the treaty\'?,"The ""six"" states",\n',
        encoding="utf-8",
    )
    output = tmp_path / "capitals.yaml"
    result = run("import", str(source), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert f"wrote {output}: 3 card(s)" in result.stderr
    deck = load(output)
    assert (deck.id, deck.title) == ("capitals", "capitals")
    assert [(c.front, c.back, c.tags) for c in deck.cards] == [  # type: ignore[attr-defined]
        ("What is the capital of Kazakhstan?", "Astana", ("geography", "kazakhstan")),
        ("Which city hosts the CSTO secretariat, since 2002?", "Moscow, Russia", ("geography",)),
        ("Who wrote: 'the treaty'?", 'The "six" states', ()),
    ]
    assert [c.id for c in deck.cards] == [
        "what-is-the-capital-of-kazakhstan",
        "which-city-hosts-the-csto-secretariat",
        "who-wrote-the-treaty",
    ]
    assert check_paths([output], strict=True).problems == []


def test_tsv_without_header_is_read_by_position(tmp_path: Path) -> None:
    source = tmp_path / "terms.tsv"
    source.write_text("Treaty year\t1992\thistory\nFounded\t2002\n", encoding="utf-8")
    output = tmp_path / "terms.yaml"
    assert run("import", str(source), "-o", str(output)).exit_code == 0
    deck = load(output)
    # The first row is a card, not a header.
    assert [(c.front, c.back, c.tags) for c in deck.cards] == [  # type: ignore[attr-defined]
        ("Treaty year", "1992", ("history",)),
        ("Founded", "2002", ()),
    ]


def test_semicolons_and_other_header_names_are_detected(tmp_path: Path) -> None:
    source = tmp_path / "q.csv"
    source.write_text(
        "Question;Answer;Explanation\nWho?;Tokayev;President since 2019\nWhere?;Astana;\n",
        encoding="utf-8",
    )
    output = tmp_path / "q.yaml"
    assert run("import", str(source), "-o", str(output)).exit_code == 0
    deck = load(output)
    assert [(c.front, c.back, c.explanation) for c in deck.cards] == [  # type: ignore[attr-defined]
        ("Who?", "Tokayev", "President since 2019"),
        ("Where?", "Astana", None),
    ]


def test_anki_plain_text_export_with_its_header_lines(tmp_path: Path) -> None:
    source = tmp_path / "anki notes.txt"
    source.write_text(
        "#separator:tab\n#html:true\n#tags column:3\n"
        "What is <b>2+2</b>?\t4&nbsp;exactly\tmaths Basic::Sums\n"
        "The {{c1::CSTO}} was founded in {{c2::2002::year}}.\tSix states signed.\thistory\n",
        encoding="utf-8",
    )
    output = tmp_path / "anki-notes.yaml"
    assert run("import", str(source), "-o", str(output)).exit_code == 0, output
    deck = load(output)
    flash, cloze = deck.cards
    assert (flash.front, flash.back, flash.tags) == (  # type: ignore[attr-defined]
        "What is 2+2?",
        "4 exactly",
        ("maths", "basic-sums"),
    )
    assert cloze.type == "cloze"
    assert cloze.text == "The {{CSTO}} was founded in {{2002}}."  # type: ignore[attr-defined]
    assert cloze.explanation == "Six states signed."


def test_the_imported_yaml_is_readable(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("front,back,tags\nQ: one?,yes,x y\nQ: two?,no,x\n", encoding="utf-8")
    output = tmp_path / "a.yaml"
    run("import", str(source), "-o", str(output))
    assert output.read_text(encoding="utf-8") == (
        "# Imported from a.csv by `quiz import`. Check it with `quiz check`.\n"
        "deck: a\n"
        'title: "a"\n'
        'tags: ["x"]\n'
        "# Imported cards have no sources yet: remove names here as you add them.\n"
        "lint: {ignore: [missing-explanation, missing-source]}\n"
        "cards:\n"
        '  - id: "q-one"\n'
        '    front: "Q: one?"\n'
        '    back: "yes"\n'
        '    tags: ["y"]\n'
        '  - id: "q-two"\n'
        '    front: "Q: two?"\n'
        '    back: "no"\n'
    )
    deck = load(output)
    assert [c.back for c in deck.cards] == ["yes", "no"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        'with "quotes" and \\ backslash',
        "line one\nline two\ttab",
        "yes",
        "3.10",
        "- dash: colon # hash",
        "bell\x07 del\x7f nel\x85 line\u2028sep",
        "emoji 🎉 and 東京",
    ],
)
def test_quoted_text_reads_back_exactly(text: str) -> None:
    deck = deck_of(f"deck: d\ntitle: {quote(text)}\ncards:\n  - {{id: a, front: F, back: B}}\n")
    expected = text.replace("\x07", "").replace("\x7f", "").replace("\x85", "")
    assert deck.title == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.csv", "front,back\ncaf\xe9,x\n".encode("latin-1"), "a.csv:2: not UTF-8 text"),
        ("one.csv", b"just one column\nanother\n", "found one column"),
        ("noback.csv", b"front,back\nQ1,A1\nQ2,\n", "a.csv:3: the row has no back"),
        ("nofront.csv", b"front,back\n,A1\n", "a.csv:2: the row has no front"),
        ("empty.csv", b"", "no cards found"),
        ("header.csv", b"front,back\n", "no cards found"),
        ("huge.csv", b"front,back\nQ," + b"x" * 200_000 + b"\n", "cannot read the rows"),
    ],
)
def test_broken_csv_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    source = folder / "a.csv"
    source.write_bytes(content)
    result = run("import", str(source), "-o", str(folder / "out.yaml"))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {folder}/") and message in line, line
    assert "Traceback" not in result.output
    assert folder_files(folder) == ["a.csv"]


def test_import_never_overwrites_a_deck(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("front,back\nQ,A\n", encoding="utf-8")
    output = tmp_path / "mine.yaml"
    output.write_text("my deck\n", encoding="utf-8")
    result = run("import", str(source), "-o", str(output))
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert output.read_text(encoding="utf-8") == "my deck\n"


def test_import_of_a_missing_file_or_unknown_format(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "x.yaml"))
    assert result.exit_code == 1
    assert "nope.csv: no such file" in result.stderr
    (tmp_path / "a.xlsx").write_bytes(b"PK")
    result = run("import", str(tmp_path / "a.xlsx"), "-o", str(tmp_path / "x.yaml"))
    assert result.exit_code == 1
    assert "give --format (csv, tsv, apkg)" in result.stderr
    assert folder_files(tmp_path) == ["a.xlsx"]


def test_deck_id_option(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("front,back\nQ,A\n", encoding="utf-8")
    assert (
        run("import", str(source), "-o", str(tmp_path / "x.yaml"), "--deck-id", "my-id").exit_code
        == 0
    )
    assert load(tmp_path / "x.yaml").id == "my-id"
    bad = run("import", str(source), "-o", str(tmp_path / "y.yaml"), "--deck-id", "Bad Id")
    assert bad.exit_code == 2
    assert not (tmp_path / "y.yaml").exists()


def test_help_lists_the_formats() -> None:
    import_help = run("import", "--help").output
    for name in IMPORT_FORMATS:
        assert re.search(rf"^\s+{name}\s+\S", import_help, re.MULTILINE), name
    export_help = run("export", "--help").output
    for name in EXPORT_FORMATS:
        assert re.search(rf"^\s+{name}\s+\S", export_help, re.MULTILINE), name
    assert f"[{'|'.join(IMPORT_FORMATS)}]" in import_help
    assert f"[{'|'.join(EXPORT_FORMATS)}]" in export_help


# --- Exporting CSV, and the round trip ---------------------------------------------------------

FLASHCARDS = """\
deck: terms
title: "Terms"
tags: [csto]
cards:
  - id: treaty-year
    front: "In which year was the treaty signed?"
    back: "1992"
    reverse: true
    explanation: "Ten years before the organisation, in Tashkent."
    tags: [history]
  - id: secretariat
    front: "Where is the secretariat, \\"officially\\"?"
    back: "Moscow,\\nRussia"
  - id: members
    front: "How many members; and who?"
    back: "Six\\tstates"
    tags: [members, history]
"""


@pytest.mark.parametrize(("suffix", "delimiter"), [(".csv", ","), (".tsv", "\t")])
def test_csv_export_and_round_trip(tmp_path: Path, suffix: str, delimiter: str) -> None:
    source = tmp_path / "terms.yaml"
    source.write_text(FLASHCARDS, encoding="utf-8")
    exported = tmp_path / f"terms{suffix}"
    result = run("export", str(source), "-o", str(exported))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8")), delimiter=delimiter))
    assert rows[0] == ["front", "back", "tags", "explanation", "reverse", "id"]
    assert rows[1] == [
        "In which year was the treaty signed?",
        "1992",
        "history csto",
        "Ten years before the organisation, in Tashkent.",
        "true",
        "treaty-year",
    ]
    back = tmp_path / "back.yaml"
    assert run("import", str(exported), "-o", str(back), "--deck-id", "terms").exit_code == 0
    assert same_cards(load(back)) == same_cards(load(source))


def test_csv_export_writes_other_types_as_front_and_back(tmp_path: Path) -> None:
    deck = deck_of(
        "deck: d\ntitle: T\ncards:\n"
        "  - {id: c, type: choice, question: Q?, choices: [A, B, C, D], answer: [A, C]}\n"
        "  - {id: t, type: true_false, statement: S., answer: false}\n"
        "  - {id: z, type: cloze, text: 'In {{1992|ninety-two}} and {{2002}}.'}\n"
        "  - {id: y, type: typed, question: Who?, answer: Roza, accept: [Otunbayeva]}\n"
        "  - {id: n, type: numeric, question: How many?, answer: 2500, tolerance: 10%,\n"
        "     unit: troops}\n"
        "  - {id: o, type: order, question: Order?, items: [C, A, B]}\n"
        "  - {id: m, type: match, question: Match?, pairs: {A: '1', B: '2'}}\n"
    )
    from quiz.interchange.csv_format import export_csv

    rows = list(csv.reader(io.StringIO(export_csv(deck))))[1:]
    assert [(r[0], r[1]) for r in rows] == [
        ("Q?\n- A\n- B\n- C\n- D", "A\nC"),
        ("S.\n(true or false?)", "false"),
        ("In [...] and [...].", "1992\n2002"),
        ("Who?", "Roza\n(also accepted: Otunbayeva)"),
        ("How many?", "2500 troops (± 10%)"),
        ("Order?\n- A\n- B\n- C", "1. C\n2. A\n3. B"),
        ("Match?\n- A\n- B", "A: 1\nB: 2"),
    ]


def test_export_of_a_broken_deck_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("deck: d\ntitle: T\ncards:\n  - {id: a, front: F}\n", encoding="utf-8")
    result = run("export", str(source), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 1
    assert "missing required key 'back'" in result.stderr
    assert "nothing was written" in result.stderr
    assert folder_files(tmp_path) == ["bad.yaml"]


def test_export_a_bundled_deck_by_id(tmp_path: Path) -> None:
    output = tmp_path / "weitz.gift"
    result = run("export", "csto-weitz-2014", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8").count("::") > 50


def test_export_never_replaces_the_deck_itself(tmp_path: Path) -> None:
    source = tmp_path / "terms.csv"
    source.write_text(FLASHCARDS, encoding="utf-8")
    result = run("export", str(source), "-o", str(source), "--format", "csv")
    assert result.exit_code == 1
    assert source.read_text(encoding="utf-8") == FLASHCARDS


def test_export_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "terms.yaml"
    source.write_text(FLASHCARDS, encoding="utf-8")
    result = run("export", str(source), "-o", str(tmp_path / "no" / "x.gift"))
    assert result.exit_code == 1
    assert "no such folder" in result.stderr


# --- GIFT --------------------------------------------------------------------------------------


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


def _plain(text: str) -> str:
    """GIFT text as read: escapes undone, spacing collapsed."""
    text = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)
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
        start = _find(block, "{")
        stop = _find(block, "}", start)
        assert start >= 0 and stop > start, block
        inside = block[start + 1 : stop]
        inside, _, general = inside.partition("####")
        question: dict[str, Any] = {
            "title": title,
            "text": _plain(block[:start]),
            "after": _plain(block[stop + 1 :]),
            "feedback": _plain(general) or None,
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
                answers.append((mark, weight, [_plain(p) for p in rest.split("->", 1)]))
            if any(len(a[2]) == 2 for a in answers):
                question.update(kind="matching", pairs=[tuple(a[2]) for a in answers])
            elif all(m == "=" for m, _, _ in answers):
                question.update(kind="short_answer", answers=[a[2][0] for a in answers])
            else:
                question.update(
                    kind="multiple_choice",
                    answers=[(m == "=" if w is None else w, a[0]) for m, w, a in answers],
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
    assert r"Escape \~ \= \# \{ \} \: and \\ here?\nSecond line" in text
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
            assert question["feedback"] == card.explanation


def _gift_cards(deck: Deck) -> list[Card]:
    out: list[Card] = []
    for card in deck.cards:
        if card.type in ("flashcard", "order"):
            continue
        out.extend([card] * (len(card.gaps) if card.type == "cloze" else 1))  # type: ignore[attr-defined]
    return out


def test_imported_ids_keep_those_cards_bring_and_make_the_rest_unique() -> None:
    from quiz.interchange.deck_yaml import unique_ids

    cards = [
        {"front": "Paris?"},
        {"front": "Capital of France", "id": "paris"},
        {"front": "Paris?"},
        {"front": "Bad id", "id": "Not A Slug"},
        {"front": "Again", "id": "paris"},
        {"type": "cloze", "text": "{{Paris}} is big"},
    ]
    unique_ids(cards)
    assert [c["id"] for c in cards] == ["paris-2", "paris", "paris-3", "bad-id", "again", "is-big"]

"""`quiz import` and `quiz export` with CSV and TSV (GIFT: test_gift.py; Anki: test_anki.py)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from interchange_helpers import FLASHCARDS, deck_of, load, run

from quiz.deck.lint import check_paths
from quiz.deck.model import Deck
from quiz.interchange import EXPORT_FORMATS, IMPORT_FORMATS
from quiz.interchange.deck_yaml import quote
from quiz.library import bundled_decks_dir


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
    assert cloze.text == "The {{CSTO}} was founded in {{2002::year}}."  # type: ignore[attr-defined]
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
        ("noback.csv", b"front,back\nQ2,\n", "a.csv:2: the row has no back"),
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
    assert "give --format (csv, tsv, apkg, gift, moodle)" in result.stderr
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


@pytest.mark.parametrize(("suffix", "delimiter"), [(".csv", ","), (".tsv", "\t")])
def test_csv_export_and_round_trip(tmp_path: Path, suffix: str, delimiter: str) -> None:
    source = tmp_path / "terms.yaml"
    source.write_text(FLASHCARDS, encoding="utf-8")
    exported = tmp_path / f"terms{suffix}"
    result = run("export", str(source), "-o", str(exported))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8")), delimiter=delimiter))
    assert rows[0] == ["front", "back", "tags", "explanation", "reverse", "id", "source"]
    assert rows[1] == [
        "In which year was the treaty signed?",
        "1992",
        "history csto",
        "Ten years before the organisation, in Tashkent.",
        "true",
        "treaty-year",
        "",
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
        ("Q?\n- D\n- C\n- A\n- B", "A\nC"),  # shuffled, seeded by the card id
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


def test_exports_and_imports_get_the_usual_file_mode(tmp_path: Path) -> None:
    import os

    source = tmp_path / "terms.yaml"
    source.write_text(FLASHCARDS, encoding="utf-8")
    old = os.umask(0o022)
    try:
        for name in ("t.csv", "t.gift", "t.apkg"):
            assert run("export", str(source), "-o", str(tmp_path / name)).exit_code == 0
            assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name
        assert run("import", str(tmp_path / "t.csv"), "-o", str(tmp_path / "i.yaml")).exit_code == 0
        assert (tmp_path / "i.yaml").stat().st_mode & 0o777 == 0o644
        # A file replaced keeps its mode.
        (tmp_path / "t.csv").chmod(0o640)
        assert run("export", str(source), "-o", str(tmp_path / "t.csv")).exit_code == 0
        assert (tmp_path / "t.csv").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_choices_are_shuffled_the_same_way_at_every_export() -> None:
    from quiz.interchange.front_back import front_back

    first_is_right = total = 0
    for path in sorted(bundled_decks_dir().glob("*.yaml")):
        for card in load(path).cards:
            if card.type != "choice":
                continue
            front, _ = front_back(card)
            assert front_back(card)[0] == front
            listed = [line[2:] for line in front.splitlines()[1:]]
            assert sorted(listed) == sorted(card.choices)  # type: ignore[attr-defined]
            total += 1
            first_is_right += listed[0] in card.answers  # type: ignore[attr-defined]
    # Before, 43 of 46 bundled choice cards listed a right answer first.
    assert total >= 40 and first_is_right < total / 2


def test_every_export_carries_the_source(tmp_path: Path) -> None:
    source = tmp_path / "cited.yaml"
    source.write_text(
        "deck: cited\ntitle: Cited\n"
        "sources:\n  t: {title: The Treaty, author: CSTO, date: '1992', url: 'https://e.org'}\n"
        "cards:\n"
        "  - {id: q, type: typed, question: Who?, answer: Six, explanation: Because.,\n"
        "     source: {ref: t, section: Art. 1}}\n",
        encoding="utf-8",
    )
    line = "CSTO, The Treaty (1992), Art. 1, https://e.org"
    assert run("export", str(source), "-o", str(tmp_path / "c.csv")).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    assert rows[0]["source"] == line
    assert run("import", str(tmp_path / "c.csv"), "-o", str(tmp_path / "c.yaml")).exit_code == 0
    assert load(tmp_path / "c.yaml").cards[0].explanation == f"Because.\nSource: {line}"
    assert run("export", str(source), "-o", str(tmp_path / "c.gift")).exit_code == 0
    assert f"####Because.<br><br>Source\\: {line.replace(':', chr(92) + ':')}" in (
        tmp_path / "c.gift"
    ).read_text(encoding="utf-8")


def test_exports_say_what_they_cannot_carry(tmp_path: Path) -> None:
    source = tmp_path / "mixed.yaml"
    source.write_text(
        "deck: mixed\ntitle: Mixed\ncards:\n"
        "  - {id: c, type: choice, question: Q?, choices: [A, B, C, D], answer: A}\n"
        "  - {id: d, type: choice, question: R?, choices: [A, B, C, D], answer: B}\n"
        "  - {id: n, type: numeric, question: How many?, answer: 6}\n"
        "  - {id: z, type: cloze, text: 'In {{1992|ninety-two}} and {{2002}}.'}\n",
        encoding="utf-8",
    )
    result = run("export", str(source), "-o", str(tmp_path / "m.apkg"))
    assert result.exit_code == 0, result.output
    assert "2 choice card(s) as a question and an answer in text: Anki does not grade" in (
        result.stderr
    )
    assert "1 numeric card(s) as a question" in result.stderr
    assert "1 cloze gap(s) keep their first answer only: Anki has no alternatives" in (
        result.stderr
    )
    result = run("export", str(source), "-o", str(tmp_path / "m.csv"))
    assert "1 cloze card(s) as a question and an answer in text: CSV does not grade" in (
        result.stderr
    )

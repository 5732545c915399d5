"""Anki's "Notes in Plain Text" files, as the real Anki writes them, and bad rows in CSV files."""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection
from interchange_helpers import load, run

NOTES = [
    ("Geography::Europe", "Basic", ["Capital of <b>France</b>?", "Paris"]),
    ("Geography::Asia", "Basic (and reversed card)", ["Japan", "Tokyo"]),
    ("Geography::Asia", "Cloze", ["The {{c1::CSTO}} in {{c2::2002::year}}", "Six states"]),
    ("Geography", "Basic (type in the answer)", ["2+2?", "4"]),
    ("Geography", "Basic (optional reversed card)", ["Chad", "N'Djamena", "y"]),
]


def anki_notes_file(tmp_path: Path, **columns: bool) -> Path:
    """A plain-text export written by Anki itself, with the columns asked for."""
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    for deck, type_name, fields in NOTES:
        note = collection.new_note(collection.models.by_name(type_name))  # type: ignore[arg-type]
        for index, value in enumerate(fields):
            note.fields[index] = value
        note.tags = ["geo", "Asia::East"]
        collection.add_note(note, collection.decks.id(deck))
    path = tmp_path / "notes.txt"
    options = {"with_tags": True, "with_deck": True, "with_notetype": True, "with_guid": True}
    collection.export_note_csv(out_path=str(path), limit=None, with_html=True,
                               **{**options, **columns})  # fmt: skip
    collection.close()
    return path


def test_every_column_anki_writes_is_read_by_its_header(tmp_path: Path) -> None:
    path = anki_notes_file(tmp_path)
    assert "#guid column:1" in path.read_text(encoding="utf-8")
    output = tmp_path / "geo.yaml"
    result = run("import", str(path), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "3 Anki decks in the file: each card has its deck as a tag" in result.stderr
    deck = load(output)
    assert deck.tags == ("asia-east", "geo")  # Anki keeps tags sorted
    cards = [c.to_dict() for c in deck.cards]
    assert [(c["type"], c.get("front") or c.get("question") or c.get("text")) for c in cards] == [
        ("flashcard", "Capital of France?"),
        ("flashcard", "Japan"),
        ("cloze", "The {{CSTO}} in {{2002::year}}"),
        ("typed", "2+2?"),
        ("flashcard", "Chad"),
    ]
    assert [c.get("back") or c.get("answer") for c in cards] == [
        "Paris", "Tokyo", None, "4", "N'Djamena",
    ]  # fmt: skip
    assert [c.get("reverse") for c in cards] == [False, True, None, None, True]
    assert cards[2]["explanation"] == "Six states"
    assert [c.tags for c in deck.cards] == [
        ("geography-europe",), ("geography-asia",), ("geography-asia",), ("geography",),
        ("geography",),
    ]  # fmt: skip


def test_without_anki_s_columns_the_fields_still_line_up(tmp_path: Path) -> None:
    path = anki_notes_file(tmp_path, with_deck=False, with_notetype=False, with_guid=False)
    output = tmp_path / "geo.yaml"
    result = run("import", str(path), "-o", str(output))
    assert result.exit_code == 0, result.output
    deck = load(output)
    assert [c.prompt() for c in deck.cards][:2] == ["Capital of France?", "Japan"]
    # The optional reversed card's third field is kept, not dropped without a word.
    assert deck.cards[4].explanation == "y"


def test_deck_and_notetype_headers_and_a_quiz_guid(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(
        "#separator:Pipe\n#html:false\n#deck:Languages::French\n"
        "#notetype:Basic (and reversed card)\n#tags:french vocab\n#guid column:1\n"
        "quiz:french:chat|le chat|the cat\nabc|le chien|the dog\n",
        encoding="utf-8",
    )
    result = run("import", str(path), "-o", str(tmp_path / "fr.yaml"))
    assert result.exit_code == 0, result.output
    deck = load(tmp_path / "fr.yaml")
    assert deck.title == "French"
    assert deck.tags == ("french", "vocab")
    assert [(c.id, c.front, c.back, c.reverse) for c in deck.cards] == [  # type: ignore[attr-defined]
        ("chat", "le chat", "the cat", True),
        ("le-chien", "le chien", "the dog", True),
    ]


BAD_ROWS = "front,back\nQ1,A1\nQ2,\n,A3\nQ4,A4\n"


def test_bad_rows_are_all_reported_and_the_rest_imported(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    result = run("import", str(source), "-o", str(tmp_path / "a.yaml"))
    assert result.exit_code == 0, result.output
    assert "2 card(s)" in result.stderr
    assert f"left out {source}:3: the row has no back" in result.stderr
    assert f"left out {source}:4: the row has no front" in result.stderr
    assert [c.prompt() for c in load(tmp_path / "a.yaml").cards] == ["Q1", "Q4"]


def test_strict_fails_on_a_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text(BAD_ROWS, encoding="utf-8")
    result = run("import", str(source), "-o", str(tmp_path / "a.yaml"), "--strict")
    assert result.exit_code == 1
    assert f"{source}:3: the row has no back (and 1 more bad row(s)); nothing was written" in (
        result.stderr
    )
    assert not (tmp_path / "a.yaml").exists()

"""Anki packages: exports opened by the real Anki, and packages Anki and genanki write imported."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from click.testing import CliRunner
from test_interchange import folder_files, load, same_cards

from quiz.cli import main
from quiz.deck.lint import check_paths
from quiz.deck.loader import check_deck
from quiz.deck.model import Deck
from quiz.interchange.anki_export import export_apkg
from quiz.library import bundled_decks_dir


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def open_in_anki(package: Path, folder: Path) -> Collection:
    """A fresh Anki collection with the package imported by Anki's own importer."""
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=False)
    )
    collection.import_anki_package(request)
    return collection


KEPT = """\
deck: kept
title: "Kept by Anki"
description: "Cards of the types an Anki package keeps."
tags: [csto]
cards:
  - id: treaty-year
    front: "In which year was the treaty signed?"
    back: "1992"
    reverse: true
    explanation: "Ten years before the organisation."
    tags: [history]
  - id: markup
    front: "What does <b> & 'quotes' mean?"
    back: "Line one\\nLine two"
  - id: articles
    type: cloze
    text: "Article {{4}} is collective defence; Article {{7}} covers bases."
    explanation: "From the founding treaty."
    tags: [treaty]
"""

OTHERS = """\
  - {id: pick, type: choice, question: "Which?", choices: [A, B, C, D], answer: B}
  - {id: order, type: order, question: "Order?", items: [A, B, C]}
"""


def test_exported_package_opens_in_anki_with_its_notes_and_cards(tmp_path: Path) -> None:
    source = tmp_path / "kept.yaml"
    source.write_text(KEPT + OTHERS, encoding="utf-8")
    package = tmp_path / "kept.apkg"
    result = run("export", str(source), "-o", str(package))
    assert result.exit_code == 0, result.output
    collection = open_in_anki(package, tmp_path / "anki")
    try:
        notes = {}
        for note_id in collection.find_notes(""):
            note = collection.get_note(note_id)
            notes[note.guid] = (
                note.note_type()["name"],  # type: ignore[index]
                list(note.fields),
                sorted(note.tags),
                sorted(card.ord for card in note.cards()),
            )
        assert notes == {
            # One note type for flashcards: the Reverse field asks for the second card.
            "quiz:kept:treaty-year": (
                "quiz: Basic",
                [
                    "In which year was the treaty signed?",
                    "1992",
                    "Ten years before the organisation.",
                    "",
                    "y",
                ],
                ["csto", "history"],
                [0, 1],
            ),
            "quiz:kept:markup": (
                "quiz: Basic",
                ["What does &lt;b&gt; &amp; 'quotes' mean?", "Line one<br>Line two", "", "", ""],
                ["csto"],
                [0],
            ),
            "quiz:kept:articles": (
                "quiz: Cloze",
                [
                    "Article {{c1::4}} is collective defence; Article {{c2::7}} covers bases.",
                    "From the founding treaty.",
                    "",
                ],
                ["csto", "treaty"],
                [0, 1],
            ),
            "quiz:kept:pick": (
                "quiz: Basic",
                # Shuffled, seeded by the card id: the same at every export.
                ["Which?<br>- A<br>- D<br>- B<br>- C", "B", "", "", ""],
                ["csto"],
                [0],
            ),
            "quiz:kept:order": (
                "quiz: Basic",
                ["Order?<br>- A<br>- B<br>- C", "1. A<br>2. B<br>3. C", "", "", ""],
                ["csto"],
                [0],
            ),
        }  # fmt: skip
        assert collection.card_count() == 7
        assert "Kept by Anki" in collection.decks.all_names()
        # Anki renders a cloze card with its gap hidden.
        cloze = collection.get_note(collection.find_notes("Article")[0]).cards()[0]
        assert "[...]" in cloze.question() and "4" not in cloze.question().split("[...]")[0][-3:]
    finally:
        collection.close()


def test_every_bundled_deck_opens_in_anki_with_one_card_per_study_item(tmp_path: Path) -> None:
    for path in sorted(bundled_decks_dir().glob("*.yaml")):
        deck = load(path)
        package = tmp_path / f"{deck.id}.apkg"
        assert run("export", str(path), "-o", str(package)).exit_code == 0
        collection = open_in_anki(package, tmp_path / deck.id)
        try:
            assert collection.note_count() == len(deck.cards)
            assert collection.card_count() == len(deck.items())
        finally:
            collection.close()


def test_round_trip_keeps_flashcards_reversed_cards_and_clozes(tmp_path: Path) -> None:
    source = tmp_path / "kept.yaml"
    source.write_text(KEPT, encoding="utf-8")
    package = tmp_path / "kept.apkg"
    assert run("export", str(source), "-o", str(package)).exit_code == 0
    back = tmp_path / "kept-again.yaml"
    result = run("import", str(package), "-o", str(back), "--deck-id", "kept")
    assert result.exit_code == 0, result.output
    again = load(back)
    original = load(source)
    assert again.title == original.title
    assert same_cards(again) == same_cards(original)
    assert check_paths([back], strict=True).problems == []


def test_exporting_again_updates_the_notes_in_anki(tmp_path: Path) -> None:
    source = tmp_path / "kept.yaml"
    source.write_text(KEPT, encoding="utf-8")
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    export_apkg(load(source), first, timestamp=1_700_000_000)
    source.write_text(KEPT.replace("Ten years before", "A decade before"), encoding="utf-8")
    export_apkg(load(source), second, timestamp=1_700_000_060)
    collection = open_in_anki(first, tmp_path / "anki")
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(second), options=ImportAnkiPackageOptions(with_scheduling=False)
        )
        log = collection.import_anki_package(request).log
        assert (len(log.new), collection.note_count()) == (0, 3)
        (note_id,) = collection.find_notes('"year was the treaty"')
        assert collection.get_note(note_id)["Explanation"] == "A decade before the organisation."
    finally:
        collection.close()


def make_anki_package(tmp_path: Path, legacy: bool) -> Path:
    """A package written by Anki itself: Basic, reversed, optional reversed and Cloze notes."""
    folder = tmp_path / f"source-{legacy}"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    deck_id = collection.decks.id("Geography::Capitals")
    notes = [
        ("Basic", ["Capital of <b>Kazakhstan</b>?", "Astana&nbsp;(Nur-Sultan 2019-22)"],
         ["geo", "Asia::Central"]),
        ("Basic (and reversed card)", ["Armenia", "<div>Yerevan</div>"], ["geo"]),
        ("Basic (optional reversed card)", ["Belarus", "Minsk", "y"], []),
        ("Basic (optional reversed card)", ["Tajikistan", "Dushanbe", ""], []),
        ("Cloze", ["The {{c1::CSTO}} was founded in {{c2::2002::year}}.<br>", "Six states."],
         ["history"]),
        ("Basic", ['<img src="map.png">', "A map"], ["Столицы"]),
    ]  # fmt: skip
    for type_name, fields, tags in notes:
        note = collection.new_note(collection.models.by_name(type_name))  # type: ignore[arg-type]
        for index, value in enumerate(fields):
            note.fields[index] = value
        note.tags = tags
        collection.add_note(note, deck_id)
    package = tmp_path / f"anki-{'legacy' if legacy else 'current'}.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=legacy
        ),
        limit=None,
    )
    collection.close()
    return package


@pytest.mark.parametrize("legacy", [True, False], ids=["collection.anki21", "collection.anki21b"])
def test_import_of_a_package_anki_wrote(tmp_path: Path, legacy: bool) -> None:
    package = make_anki_package(tmp_path, legacy)
    names = zipfile.ZipFile(package).namelist()
    assert ("collection.anki21b" in names) is not legacy
    output = tmp_path / "capitals.yaml"
    result = run("import", str(package), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr and "6 card(s)" in result.stderr
    # An image keeps its place as a reference; this package has no media, which is said.
    assert "media 'map.png' is referenced but not in the package" in result.stderr
    assert "tag(s) on cards left out" not in result.stderr
    deck = load(output)
    assert deck.title == "Capitals"
    cards = [c.to_dict() for c in deck.cards]
    keys = ("type", "front", "back", "reverse", "text")
    assert [tuple(c.get(k) for k in keys) for c in cards] == [
        ("flashcard", "Capital of Kazakhstan?", "Astana (Nur-Sultan 2019-22)", False, None),
        ("flashcard", "Armenia", "Yerevan", True, None),
        ("flashcard", "Belarus", "Minsk", True, None),
        ("flashcard", "Tajikistan", "Dushanbe", False, None),
        ("cloze", None, None, None, "The {{CSTO}} was founded in {{2002::year}}."),
        ("flashcard", "[image: map.png]", "A map", False, None),
    ]  # fmt: skip
    # Anki keeps tags sorted; 'Asia::Central' becomes 'asia-central', 'Столицы' stays Cyrillic.
    assert [c.tags for c in deck.cards] == [
        ("asia-central", "geo"), ("geo",), (), (), ("history",), ("столицы",),
    ]  # fmt: skip
    assert deck.cards[4].explanation == "Six states."
    assert check_deck(output)[1] == []


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _empty_collection(folder: Path, models: str = "{}") -> bytes:
    db = folder / f"empty-{len(models)}.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE col (models TEXT, decks TEXT)")
    conn.execute("INSERT INTO col VALUES (?, '{}')", (models,))
    conn.execute("CREATE TABLE notes (id, guid, mid, tags, flds)")
    conn.execute("CREATE TABLE cards (nid, ord, did)")
    conn.commit()
    conn.close()
    return db.read_bytes()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda d: d.joinpath("x.apkg").write_bytes(b"not a zip") and d / "x.apkg",
            "not an Anki package",
        ),
        (lambda d: _zip(d / "x.apkg", {"media": b"{}"}), "no Anki collection in the package"),
        (
            lambda d: _zip(d / "x.apkg", {"collection.anki2": b"garbage" * 100}),
            "not a readable Anki database",
        ),
        (
            lambda d: _zip(d / "x.apkg", {"collection.anki21b": b"not zstd"}),
            "collection is damaged",
        ),
        (
            lambda d: _zip(d / "x.apkg", {"collection.anki2": _empty_collection(d)}),
            "no notes could be imported",
        ),
        (
            lambda d: _zip(d / "x.apkg", {"collection.anki2": _empty_collection(d, "not json")}),
            "not a readable Anki database",
        ),
    ],
    ids=["not a zip", "no collection", "not sqlite", "bad zstd", "no notes", "bad models"],
)
def test_broken_packages_are_a_clear_error_and_write_nothing(tmp_path: Path, make, message) -> None:  # type: ignore[no-untyped-def]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    package = make(scratch)
    folder = tmp_path / "out"
    folder.mkdir()
    result = run("import", str(package), "-o", str(folder / "deck.yaml"))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {package}: ") and message in line, line
    assert folder_files(folder) == []


def test_export_failure_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import quiz.interchange.anki_export as anki_export

    source = tmp_path / "kept.yaml"
    source.write_text(KEPT, encoding="utf-8")
    previous = tmp_path / "kept.apkg"
    previous.write_bytes(b"the last good export")

    def broken(deck: Deck, path: Path) -> None:
        path.write_bytes(b"half a package")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(anki_export, "export_apkg", broken)
    result = run("export", str(source), "-o", str(previous))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line == f"Error: {previous}: cannot write: No space left on device"
    assert previous.read_bytes() == b"the last good export"
    assert folder_files(tmp_path) == ["kept.apkg", "kept.yaml"]


def _note_type(collection: Collection, name: str, fields: list[str], qfmt: str, afmt: str,
               cloze: bool = False) -> None:  # fmt: skip
    models = collection.models
    model = models.new(name)
    if cloze:
        model["type"] = 1
    for field in fields:
        models.add_field(model, models.new_field(field))
    template = models.new_template("Card 1")
    template["qfmt"], template["afmt"] = qfmt, afmt
    models.add_template(model, template)
    models.add(model)


def test_templates_decide_front_back_and_the_card_type(tmp_path: Path) -> None:
    folder = tmp_path / "source"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    _note_type(collection, "Reversed fields", ["Answer", "Question", "Back IPA", "Unused"],
               "{{Question}}", "{{FrontSide}}<hr id=answer>{{Answer}}<br>{{Back IPA}}")
    _note_type(collection, "Cloze with header", ["Header", "Text", "Back Extra"],
               "{{Header}}<br>{{cloze:Text}}", "{{cloze:Text}}<br>{{Back Extra}}", cloze=True)
    deck_id = collection.decks.id("Words")
    notes = [
        ("Reversed fields", ["Paris", "Capital of France?", "pa.ʁi", "secret"]),
        ("Basic (type in the answer)", ["2+2?", "4"]),
        ("Cloze with header", ["Geography", "{{c1::Astana}} is the capital.", "Since 1997."]),
    ]  # fmt: skip
    for type_name, fields in notes:
        note = collection.new_note(collection.models.by_name(type_name))  # type: ignore[arg-type]
        for index, value in enumerate(fields):
            note.fields[index] = value
        collection.add_note(note, deck_id)
    occlusion = collection.models.by_name("Image Occlusion")
    if occlusion is not None:
        note = collection.new_note(occlusion)
        note.fields[0] = "{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.2}}"
        note.fields[1] = '<img src="map.png">'
        collection.add_note(note, deck_id)
    package = tmp_path / "words.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
        ),
        limit=None,
    )
    collection.close()
    output = tmp_path / "words.yaml"
    result = run("import", str(package), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "field 'Unused' left out of 1 note(s): no card template shows it" in result.stderr
    if occlusion is not None:
        assert "left out note 4: an Image Occlusion note: quiz has no such card" in result.stderr
    flash, typed, cloze = (c.to_dict() for c in load(output).cards)
    assert (flash["front"], flash["back"]) == ("Capital of France?", "Paris\npa.ʁi")
    assert (typed["type"], typed["question"], typed["answer"]) == ("typed", "2+2?", "4")
    assert cloze["text"] == "Geography\n{{Astana}} is the capital."
    assert cloze["explanation"] == "Since 1997."


def test_a_changed_reverse_and_a_source_update_the_note_in_place(tmp_path: Path) -> None:
    source = tmp_path / "kept.yaml"
    source.write_text(KEPT, encoding="utf-8")
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    export_apkg(load(source), first, timestamp=1_700_000_000)
    cited = '    source: {ref: treaty, section: "Art. 4"}\n    front: "What does'
    changed = KEPT.replace("    reverse: true\n", "").replace('    front: "What does', cited)
    changed += (
        "sources:\n  treaty: {title: Collective Security Treaty, date: '1992',"
        " url: 'https://example.org/t'}\n"
    )
    source.write_text(changed, encoding="utf-8")
    export_apkg(load(source), second, timestamp=1_700_000_060)
    collection = open_in_anki(first, tmp_path / "anki")
    try:
        assert collection.card_count() == 5
        request = ImportAnkiPackageRequest(
            package_path=str(second), options=ImportAnkiPackageOptions(with_scheduling=False)
        )
        log = collection.import_anki_package(request).log
        assert (len(log.new), len(log.conflicting), collection.note_count()) == (0, 0, 3)
        (note_id,) = collection.find_notes('"year was the treaty"')
        assert collection.get_note(note_id)["Reverse"] == ""
        (note_id,) = collection.find_notes('"quotes"')
        assert collection.get_note(note_id)["Source"] == (
            "Collective Security Treaty (1992), Art. 4, https://example.org/t"
        )
    finally:
        collection.close()


@pytest.mark.parametrize("legacy", [True, False], ids=["collection.anki21", "collection.anki21b"])
def test_media_are_unpacked_beside_the_deck_and_referenced(tmp_path: Path, legacy: bool) -> None:
    folder = tmp_path / "source"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    collection.media.write_data("map.png", b"\x89PNG not really")
    collection.media.write_data("anthem.mp3", b"ID3 not really")
    notes = [
        ['Where is Astana? <img src="map.png">', "In the north [sound:anthem.mp3]"],
        ['<img src="gone.png">', "A picture that is not in the package"],
    ]
    for fields in notes:
        note = collection.new_note(collection.models.by_name("Basic"))  # type: ignore[arg-type]
        note.fields[0], note.fields[1] = fields
        collection.add_note(note, collection.decks.id("Maps"))
    package = tmp_path / "maps.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
        ),
        limit=None,
    )
    collection.close()
    output = tmp_path / "maps.yaml"
    result = run("import", str(package), "-o", str(output))
    assert result.exit_code == 0, result.output
    media = tmp_path / "maps-media"
    assert f"2 media file(s) unpacked into {media}" in result.stderr
    assert "media 'gone.png' is referenced but not in the package" in result.stderr
    assert (media / "map.png").read_bytes() == b"\x89PNG not really"
    assert (media / "anthem.mp3").read_bytes() == b"ID3 not really"
    first, second = load(output).cards
    assert (first.front, first.back) == (  # type: ignore[attr-defined]
        "Where is Astana? [image: map.png]",
        "In the north [sound: anthem.mp3]",
    )
    assert second.front == "[image: gone.png]"  # type: ignore[attr-defined]

"""Clozes to and from the real Anki: numbers and hints kept, a '|' literal, schedules in place."""

from __future__ import annotations

import html
from pathlib import Path

from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from click.testing import CliRunner

from quiz.cli import main
from quiz.deck.loader import check_deck
from quiz.deck.model import Cloze, Item
from quiz.grading import Outcome, grade
from quiz.interchange.anki import anki_cloze
from quiz.interchange.anki_export import export_apkg


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def anki_package(tmp_path: Path, texts: list[str]) -> Path:
    """A package the real Anki writes, one Cloze note per text."""
    folder = tmp_path / "source"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    deck_id = collection.decks.id("Clozes")
    for text in texts:
        note = collection.new_note(collection.models.by_name("Cloze"))  # type: ignore[arg-type]
        note.fields[0] = text
        collection.add_note(note, deck_id)
    package = tmp_path / "clozes.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
        ),
        limit=None,
    )
    collection.close()
    return package


def test_an_anki_cloze_keeps_its_numbers_hints_and_literal_bars(tmp_path: Path) -> None:
    package = anki_package(
        tmp_path,
        [
            "{{c2::Paris::a city}} before {{c1::Rome}}",
            "Pipes: {{c1::a|b}} and {{c2::x}}",
            "Shared: {{c1::one}}, {{c1::two}} and {{c2::three::a number}}",
        ],
    )
    output = tmp_path / "clozes.yaml"
    result = run("import", str(package), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "becomes quiz's 'or'" not in result.output
    deck, problems = check_deck(output)
    assert deck is not None, problems
    moved, pipes, shared = deck.cards
    assert isinstance(moved, Cloze) and isinstance(pipes, Cloze) and isinstance(shared, Cloze)
    assert moved.text == "{{c2::Paris::a city}} before {{c1::Rome}}"
    assert moved.variants() == ("c2", "c1")
    assert Item(deck.id, moved, "c2").question() == "[a city] before Rome"
    # In order, the numbers are the places quiz gives gaps anyway: written without them.
    assert pipes.text == "Pipes: {{a\\|b}} and {{x}}"
    assert pipes.gaps == (("a|b",), ("x",))
    assert grade(Item(deck.id, pipes, "c1"), "a|b").outcome is Outcome.RIGHT
    assert grade(Item(deck.id, pipes, "c1"), "a").outcome is Outcome.WRONG
    # One Anki card asked two deletions at once; here each is a gap, the second numbered anew.
    assert shared.variants() == ("c1", "c3", "c2")
    assert shared.hints == (None, None, "a number")


def test_anki_cloze_conversion_escapes_what_quiz_reads_as_syntax() -> None:
    assert anki_cloze("{{c1::C:\\dir\\}} and {{c2::x::a {hint} | with a bar}}") == (
        "{{C:\\\\dir\\\\}} and {{x::a \\{hint\\} | with a bar}}"
    )
    assert anki_cloze("{{c1::}}") is None


def _cloze_deck(text: str) -> str:
    return (
        "deck: gaps\ntitle: Gaps\ncards:\n  - id: z\n    type: cloze\n"
        f"    text: '{text}'\n    explanation: x\n"
    )


def test_export_writes_each_gap_number_so_anki_keeps_its_schedules(tmp_path: Path) -> None:
    source = tmp_path / "gaps.yaml"
    source.write_text(_cloze_deck("{{c1::one}} and {{c2::two::a number}}"), encoding="utf-8")
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    deck, problems = check_deck(source)
    assert deck is not None, problems
    export_apkg(deck, first, timestamp=1_700_000_000)
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=False)
        collection.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(first), options=options)
        )
        (note_id,) = collection.find_notes("")
        assert collection.get_note(note_id)["Text"] == "{{c1::one}} and {{c2::two::a number}}"
        # The learner has studied the second gap in Anki: a month's interval.
        card = next(c for c in collection.get_note(note_id).cards() if c.ord == 1)
        assert "[a number]" in card.question()
        card.type, card.queue, card.ivl, card.due = 2, 2, 30, 100
        collection.update_card(card)
        # A gap inserted before the others, numbered as new.
        source.write_text(
            _cloze_deck("{{c3::zero}}, {{c1::one}} and {{c2::two::a number}}"), encoding="utf-8"
        )
        deck, problems = check_deck(source)
        assert deck is not None, problems
        export_apkg(deck, second, timestamp=1_700_000_060)
        log = collection.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(second), options=options)
        ).log
        assert (len(log.new), collection.note_count()) == (0, 1)
        cards = {c.ord: c for c in collection.get_note(note_id).cards()}
        assert sorted(cards) == [0, 1, 2]
        # The month's interval stayed on the gap that asks for "two".
        assert (cards[1].ivl, cards[1].type) == (30, 2)
        assert "[a number]" in cards[1].question() and "zero" in cards[1].question()
        assert cards[2].type == 0 and "one" in cards[2].question()
    finally:
        collection.close()


def test_history_of_an_anki_cloze_card_goes_to_the_gap_of_its_number(tmp_path: Path) -> None:
    from anki.collection import Collection as AnkiCollection

    from quiz.store.database import open_store

    folder = tmp_path / "anki"
    folder.mkdir()
    collection = AnkiCollection(str(folder / "collection.anki2"))
    note = collection.new_note(collection.models.by_name("Cloze"))  # type: ignore[arg-type]
    note.fields[0] = "First {{c2::Minsk}}, then {{c1::Astana}}."
    collection.add_note(note, collection.decks.id("Capitals"))
    (card,) = [c for c in note.cards() if c.ord == 1]  # Anki's c2: Minsk
    collection.db.execute(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " values (?, ?, -1, 3, 1, 0, 2500, 6000, 0)",
        1_767_000_000_000,
        card.id,
    )
    package = tmp_path / "capitals.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False
        ),
        limit=None,
    )
    collection.close()
    db, output = tmp_path / "quiz.db", tmp_path / "capitals.yaml"
    result = run("import", str(package), "-o", str(output), "--learner", "ann", "--db", str(db))
    assert result.exit_code == 0, result.output
    deck, problems = check_deck(output)
    assert deck is not None, problems
    store = open_store(db)
    try:
        (review,) = store.reviews("ann")
        # Keyed by Anki's number, so editing the note in Anki and importing again keeps it.
        assert review["item_key"] == f"{deck.cards[0].id}::c2"
        item = store.stored_item(deck.id, review["item_key"])
        assert item is not None and item.question() == "First [...], then Astana."
    finally:
        store.close()


def test_an_answer_that_looks_like_anki_syntax_is_shown_as_written_in_anki(
    tmp_path: Path,
) -> None:
    source = tmp_path / "syntax.yaml"
    source.write_text(_cloze_deck(r"Write {{\{\{c1\:\:x\}\}::the syntax}} here."), "utf-8")
    deck, problems = check_deck(source)
    assert deck is not None, problems
    package = tmp_path / "syntax.apkg"
    export_apkg(deck, package, timestamp=1_700_000_000)
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=False)
        collection.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(package), options=options)
        )
        (note_id,) = collection.find_notes("")
        (card,) = collection.get_note(note_id).cards()
        assert "[the syntax]" in card.question()
        # Shown as written (entities in Anki's HTML), not read as a cloze of its own.
        assert "{{c1::x}}" in html.unescape(card.answer())
    finally:
        collection.close()

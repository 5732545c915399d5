"""Anki subdecks: each Anki deck its own deck file (or all in one with --one-deck), with history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from anki.collection import Collection, ExportAnkiPackageOptions
from interchange_helpers import load, run

from quiz.deck.lint import check_paths
from quiz.interchange.anki_decks import deck_slug
from quiz.store.database import open_store

NOW = datetime.now(UTC).replace(microsecond=0)
NOTES = [
    ("Geography", "Basic", ["Largest country?", "Russia"]),
    ("Geography::Europe", "Basic (and reversed card)", ["France", "Paris"]),
    ("Geography::Cloze practice", "Cloze", ["{{c1::Astana}} is a capital.", ""]),
    ("Geography::Cloze practice", "Cloze", ["{{c1::Minsk}} is a capital.", ""]),
    ("Geography::Cloze practice", "Cloze", ["{{c1::Yerevan}} is a capital.", ""]),
    ("Geography::Столицы", "Basic", ["Столица Армении?", "Ереван"]),
]


def make_package(tmp_path: Path, with_history: bool = False) -> Path:
    """Anki writes a package of one deck with three subdecks; reviews of two of its cards."""
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    cards: dict[str, list[int]] = {}
    for deck, type_name, fields in NOTES:
        note = collection.new_note(collection.models.by_name(type_name))  # type: ignore[arg-type]
        for index, value in enumerate(fields):
            note.fields[index] = value
        collection.add_note(note, collection.decks.id(deck))  # type: ignore[arg-type]
        cards[fields[0]] = [card.id for card in note.cards()]
    # The reverse card of France moved to the parent deck: the note goes with its first card.
    collection.set_deck([cards["France"][1]], collection.decks.id("Geography"))  # type: ignore[arg-type]
    if with_history:
        for name, days in (("Largest country?", 3), ("France", 2), ("Столица Армении?", 1)):
            at = int((NOW - timedelta(days=days)).timestamp() * 1000)
            collection.db.execute(
                "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                " values (?, ?, -1, 3, 1, 0, 2500, 5000, 0)",
                at, cards[name][0],
            )  # fmt: skip
    package = tmp_path / "geography.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=with_history, with_deck_configs=False, with_media=False, legacy=False
        ),
        limit=None,
    )
    collection.close()
    return package


RUSSIAN = deck_slug("Geography::Столицы")


def test_each_anki_deck_becomes_its_own_deck_file_titled_by_its_own_name(tmp_path: Path) -> None:
    package = make_package(tmp_path)
    folder = tmp_path / "decks"
    result = run("import", str(package), "-o", str(folder))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        ["geography.yaml", "geography-europe.yaml", "geography-cloze-practice.yaml",
         f"{RUSSIAN}.yaml"]
    )  # fmt: skip
    assert RUSSIAN.startswith("geography-anki-")  # the same at every import
    decks = {p.stem: load(p) for p in folder.iterdir()}
    assert {d.id: d.title for d in decks.values()} == {
        "geography": "Geography",
        "geography-europe": "Europe",
        "geography-cloze-practice": "Cloze practice",
        RUSSIAN: "Столицы",
    }
    assert [c.prompt() for c in decks["geography"].cards] == ["Largest country?"]
    assert len(decks["geography-cloze-practice"].cards) == 3
    assert decks["geography-europe"].cards[0].reverse  # type: ignore[attr-defined]
    # No deck-path tags: the deck is the file.
    assert all(not c.tags for d in decks.values() for c in d.cards)
    assert "1 note(s) have cards in more than one Anki deck" in result.stderr
    assert f"wrote {folder / 'geography-europe.yaml'} ('Europe'): 1 card(s)" in result.stderr
    assert check_paths(sorted(folder.iterdir()), strict=True).problems == []
    # What -o means is said where users look.
    helped = " ".join(run("import", "--help").output.split())
    assert "Geography::Europe as geography-europe.yaml, titled 'Europe'" in helped


def test_a_deck_file_for_several_anki_decks_is_refused_unless_one_deck(tmp_path: Path) -> None:
    package = make_package(tmp_path)
    output = tmp_path / "geo.yaml"
    refused = run("import", str(package), "-o", str(output))
    assert refused.exit_code == 1
    assert "the package holds 4 Anki decks" in refused.stderr
    assert "give a folder as -o (one deck file each), or --one-deck" in refused.stderr
    assert not output.exists()
    named = run("import", str(package), "-o", str(tmp_path / "decks"), "--deck-id", "geo")
    assert named.exit_code == 1 and "--deck-id names one deck; the package holds 4" in named.stderr
    assert not (tmp_path / "decks").exists()
    result = run("import", str(package), "-o", str(output), "--one-deck")
    assert result.exit_code == 0, result.output
    assert "4 Anki decks in one deck file: each card has its Anki deck as a tag" in result.stderr
    deck = load(output)
    assert deck.title == "Geography"  # the deck they share, not the largest subdeck
    assert [c.tags for c in deck.cards] == [
        ("geography",),
        ("geography-europe",),
        *[("geography-cloze-practice",)] * 3,
        ("geography-столицы",),
    ]


def test_history_follows_the_cards_into_their_decks(tmp_path: Path) -> None:
    package = make_package(tmp_path, with_history=True)
    folder = tmp_path / "decks"
    db = tmp_path / "quiz.db"
    result = run("import", str(package), "-o", str(folder), "--learner", "ann", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "imported 1 review(s) of 1 Anki card(s) for ann" in result.stderr
    assert "(deck geography-europe)" in result.stderr
    store = open_store(db)
    try:
        reviews = store.reviews("ann")
        by_deck = {r["deck_id"]: r["card_id"] for r in reviews}
        decks = {p.stem: load(p) for p in folder.iterdir()}
        assert by_deck == {
            name: decks[name].cards[0].id for name in ("geography", "geography-europe", RUSSIAN)
        }
        for name in by_deck:
            assert store.deck_path(name) == str(folder / f"{name}.yaml")
    finally:
        store.close()
    # Importing again into another folder: the deck ids are taken by the first folder's files.
    again = run("import", str(package), "-o", str(tmp_path / "other"), "--db", str(db))
    assert again.exit_code == 1
    assert "deck id 'geography' is already used by" in again.stderr
    assert not (tmp_path / "other").exists()


def test_a_card_in_a_filtered_deck_goes_to_the_deck_it_came_from(tmp_path: Path) -> None:
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    for deck, front in (("Geography::Europe", "France"), ("Geography::Asia", "Japan")):
        note = collection.new_note(collection.models.by_name("Basic"))  # type: ignore[arg-type]
        note.fields[0], note.fields[1] = front, "a capital"
        collection.add_note(note, collection.decks.id(deck))  # type: ignore[arg-type]
    # Anki's "custom study": a filtered deck that pulls the French card in for a while.
    filtered = collection.sched.get_or_create_filtered_deck(deck_id=0)  # type: ignore[arg-type]
    filtered.name = "Cram"
    filtered.config.search_terms[0].search = "France"
    collection.sched.add_or_update_filtered_deck(filtered)
    assert collection.find_cards("deck:Cram")
    package = tmp_path / "geo.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
        ),
        limit=None,
    )
    collection.close()
    out = tmp_path / "decks"
    result = run("import", str(package), "-o", str(out), "--no-history")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["geography-asia.yaml", "geography-europe.yaml"]


def test_a_failure_halfway_leaves_no_deck_file_and_no_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import quiz.interchange.importing as importing
    from quiz.interchange import InterchangeError

    package = make_package(tmp_path)
    real = importing.write_atomically
    calls = []

    def full_disk(path, write):  # type: ignore[no-untyped-def]
        calls.append(path)
        if len(calls) == 3:
            raise InterchangeError("cannot write: No space left on device")
        real(path, write)

    monkeypatch.setattr(importing, "write_atomically", full_disk)
    folder = tmp_path / "decks"
    result = run("import", str(package), "-o", str(folder))
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert len(calls) == 3 and not folder.exists()


def test_deck_slugs_are_short_slugs_and_tell_decks_apart() -> None:
    from quiz.deck.vocabulary import SLUG

    paths = [
        "Geography",
        "Geography::Europe",
        "Geography::Столицы",
        "Geography::地理",
        "Столицы",
        "::",
        "A::" + "::".join(["A very long part name"] * 12),
        "A::" + "::".join(["A very long part name"] * 13),
    ]
    slugs = [deck_slug(p) for p in paths]
    assert all(SLUG.match(s) and len(s) <= 100 for s in slugs), slugs
    assert len(set(slugs)) == len(paths)
    assert slugs[:2] == ["geography", "geography-europe"]


def test_a_note_past_the_tag_limit_is_left_out_and_said(tmp_path: Path) -> None:
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    for front, count in (("Many tags", 101), ("A hundred", 100)):
        note = collection.new_note(collection.models.by_name("Basic"))  # type: ignore[arg-type]
        note.fields[0], note.fields[1] = front, "back"
        note.tags = [f"t{i}" for i in range(count)]
        collection.add_note(note, collection.decks.id(f"Geo::{front}"))  # type: ignore[arg-type]
    note = collection.new_note(collection.models.by_name("Basic"))  # type: ignore[arg-type]
    note.fields[0], note.fields[1] = "Plain", "back"
    collection.add_note(note, collection.decks.id("Geo::Plain"))  # type: ignore[arg-type]
    package = tmp_path / "tags.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
        ),
        limit=None,
    )
    collection.close()
    result = run("import", str(package), "-o", str(tmp_path / "geo.yaml"), "--one-deck")
    assert result.exit_code == 0, result.output
    assert "left out note 1: 101 tags" in result.stderr
    assert "1 card(s) have 100 tags already: their Anki deck is not added" in result.stderr
    assert [len(c.tags) for c in load(tmp_path / "geo.yaml").cards] == [100, 1]

"""`quiz import --update`: a newer version of a shared deck merged into the YAML file there."""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection, ExportAnkiPackageOptions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interchange_helpers import load, run

from quiz.store.database import open_store


def _add(collection: Collection, deck: str, type_name: str, fields: list[str]) -> int:
    note = collection.new_note(collection.models.by_name(type_name))  # type: ignore[arg-type]
    for index, value in enumerate(fields):
        note.fields[index] = value
    note.tags = ["geo"]
    collection.add_note(note, collection.decks.id(deck))  # type: ignore[arg-type]
    return note.id


def _export(collection: Collection, package: Path, history: bool = False) -> Path:
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=history, with_deck_configs=False, with_media=False, legacy=False
        ),
        limit=None,
    )
    return package


def _shared_deck(tmp_path: Path) -> tuple[Collection, dict[str, int]]:
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    notes = {
        "france": _add(collection, "Capitals", "Basic", ["Capital of France?", "Paris"]),
        "peru": _add(collection, "Capitals", "Basic", ["Capital of Peru?", "Lima"]),
        "chad": _add(collection, "Capitals", "Basic", ["Capital of Chad?", "N'Djamena"]),
        "cloze": _add(collection, "Capitals", "Cloze", ["{{c1::Astana}} is a capital.", ""]),
    }
    return collection, notes


def test_update_adds_changes_in_place_and_keeps_what_the_new_version_lacks(
    tmp_path: Path,
) -> None:
    collection, notes = _shared_deck(tmp_path)
    first = _export(collection, tmp_path / "v1.apkg")
    deck_file = tmp_path / "capitals.yaml"
    assert run("import", str(first), "-o", str(deck_file)).exit_code == 0
    ids = {name: load(deck_file).cards[i].id for i, name in enumerate(notes)}
    # The learner's own edits: a comment, an explanation Anki never had, a source.
    text = deck_file.read_text(encoding="utf-8")
    text = text.replace("cards:\n", "cards:\n  # My notes on these capitals.\n")
    text = text.replace(
        '    back: "Lima"\n',
        '    back: "Lima"  # not Cusco\n'
        '    explanation: "Founded by Pizarro in 1535."\n',
    )
    deck_file.write_text(text, encoding="utf-8")
    # The shared deck's next version: Peru's note edited, Chad's removed, a note added.
    peru = collection.get_note(notes["peru"])  # type: ignore[arg-type]
    peru.fields[0] = "What is the capital of Peru?"
    collection.update_note(peru)
    collection.remove_notes([notes["chad"]])  # type: ignore[list-item]
    _add(collection, "Capitals", "Basic", ["Capital of Mali?", "Bamako"])
    second = _export(collection, tmp_path / "v2.apkg")
    collection.close()
    result = run("import", str(second), "--update", str(deck_file))
    assert result.exit_code == 0, result.output
    assert (
        f"updated {deck_file}: 1 card(s) added, 1 changed in place, 2 unchanged" in result.stderr
    )
    assert (
        "1 card(s) of the file are not in the new version and were kept, with their progress "
        f"(delete them by hand if they should go): {ids['chad']}" in result.stderr
    )
    merged = deck_file.read_text(encoding="utf-8")
    # Comments, the learner's explanation and every untouched line stay as they were.
    assert "  # My notes on these capitals.\n" in merged
    assert '    front: "What is the capital of Peru?"\n    back: "Lima"  # not Cusco\n' in merged
    assert '    explanation: "Founded by Pizarro in 1535."\n' in merged
    assert merged.startswith(text.split("  - id:")[0])
    deck = load(deck_file)
    assert [c.id for c in deck.cards][:4] == [ids[name] for name in notes]
    assert deck.cards[-1].prompt() == "Capital of Mali?"
    assert deck.tags == ("geo",) and all(not c.tags for c in deck.cards)
    check = run("check", str(deck_file))
    assert check.exit_code == 0, check.output
    again = run("import", str(second), "--update", str(deck_file))
    assert "0 card(s) added, 0 changed in place, 4 unchanged" in again.stderr
    assert deck_file.read_text(encoding="utf-8") == merged


def test_update_brings_the_new_reviews_into_the_same_deck(tmp_path: Path) -> None:
    collection, notes = _shared_deck(tmp_path)
    card = collection.get_note(notes["france"]).cards()[0]  # type: ignore[arg-type]

    def review(at_ms: int) -> None:
        collection.db.execute(
            "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " values (?, ?, -1, 3, 1, 0, 2500, 4000, 0)",
            at_ms, card.id,
        )  # fmt: skip

    review(1_760_000_000_000)
    first = _export(collection, tmp_path / "v1.apkg", history=True)
    deck_file = tmp_path / "capitals.yaml"
    db = tmp_path / "quiz.db"
    made = run("import", str(first), "-o", str(deck_file), "--learner", "ann", "--db", str(db))
    assert made.exit_code == 0, made.output
    review(1_760_100_000_000)
    second = _export(collection, tmp_path / "v2.apkg", history=True)
    collection.close()
    result = run(
        "import", str(second), "--update", str(deck_file), "--learner", "ann", "--db", str(db)
    )
    assert result.exit_code == 0, result.output
    assert "imported 1 review(s) of 1 Anki card(s) for ann" in result.stderr
    assert "1 were already there" in result.stderr
    store = open_store(db)
    try:
        assert len(store.reviews("ann")) == 2
        assert {r["deck_id"] for r in store.reviews("ann")} == {"capitals"}
    finally:
        store.close()


def test_update_a_folder_of_anki_decks_writes_a_new_subdeck_beside_them(tmp_path: Path) -> None:
    collection, _ = _shared_deck(tmp_path)
    _add(collection, "Capitals::Asia", "Basic", ["Capital of Japan?", "Tokyo"])
    folder = tmp_path / "decks"
    made = run("import", str(_export(collection, tmp_path / "v1.apkg")), "-o", str(folder))
    assert made.exit_code == 0, made.output
    _add(collection, "Capitals::Africa", "Basic", ["Capital of Mali?", "Bamako"])
    _add(collection, "Capitals::Asia", "Basic", ["Capital of Laos?", "Vientiane"])
    second = _export(collection, tmp_path / "v2.apkg")
    collection.close()
    (folder / "mine.yaml").write_text("deck: mine\ntitle: Mine\ncards:\n  - {front: a, back: b}\n")
    result = run("import", str(second), "--update", str(folder))
    assert result.exit_code == 0, result.output
    assert "0 card(s) added, 0 changed in place, 4 unchanged" in result.stderr
    assert "1 deck file(s) in" in result.stderr and "left as they are: mine.yaml" in result.stderr
    assert f"updated {folder / 'capitals-asia.yaml'}: 1 card(s) added" in result.stderr
    assert f"wrote {folder / 'capitals-africa.yaml'} ('Africa'): 1 card(s)" in result.stderr
    assert [c.prompt() for c in load(folder / "capitals-asia.yaml").cards] == [
        "Capital of Japan?",
        "Capital of Laos?",
    ]


def test_update_from_csv_and_gift_matches_cards_by_id(tmp_path: Path) -> None:
    source = tmp_path / "terms.csv"
    source.write_text("id,front,back\nyear,Signed in?,1992\nseat,Seat?,Moscow\n", "utf-8")
    deck_file = tmp_path / "terms.yaml"
    assert run("import", str(source), "-o", str(deck_file)).exit_code == 0
    source.write_text("id,front,back\nyear,Signed in?,15 May 1992\nseat,Seat?,Moscow\n", "utf-8")
    result = run("import", str(source), "--update", str(deck_file))
    assert result.exit_code == 0, result.output
    assert "0 card(s) added, 1 changed in place, 1 unchanged" in result.stderr
    assert load(deck_file).cards[0].back == "15 May 1992"  # type: ignore[attr-defined]
    gift = tmp_path / "bank.gift"
    gift.write_text("::year::Signed in? {=1992}\n\n::seat::Seat? {=Moscow}\n", "utf-8")
    bank = tmp_path / "bank.yaml"
    assert run("import", str(gift), "-o", str(bank)).exit_code == 0
    gift.write_text("::year::Signed in? {=1992 =in 1992}\n", "utf-8")
    result = run("import", str(gift), "--update", str(bank))
    assert result.exit_code == 0, result.output
    assert "0 card(s) added, 1 changed in place, 0 unchanged" in result.stderr
    assert "1 card(s) of the file are not in the new version and were kept" in result.stderr
    assert load(bank).cards[0].accept == ("in 1992",)  # type: ignore[attr-defined]


def test_update_needs_a_deck_there_and_refuses_a_broken_one(tmp_path: Path) -> None:
    source = tmp_path / "terms.csv"
    source.write_text("front,back\nSigned in?,1992\n", "utf-8")
    missing = run("import", str(source), "--update", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 2
    both = run("import", str(source), "-o", str(tmp_path / "a.yaml"), "--update", str(source))
    assert both.exit_code == 2 and "give -o (a new deck) or --update" in both.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("deck: b\ntitle: B\ncards: []\n", "utf-8")
    result = run("import", str(source), "--update", str(broken))
    assert result.exit_code == 1
    assert "fix the deck (quiz check) before updating it" in result.stderr
    assert broken.read_text("utf-8") == "deck: b\ntitle: B\ncards: []\n"


def test_a_changed_card_type_and_a_dropped_reverse_are_merged_and_what_was_added_kept() -> None:
    from quiz.deck.loader import parse_deck
    from quiz.interchange.deck_update import merge_deck
    from quiz.interchange.deck_yaml import ImportedDeck

    text = (
        "deck: d\ntitle: D\ncards:\n"
        "  - id: a  # first\n    front: Two plus two?\n    back: four\n    reverse: yes\n"
        "    lint: {ignore: [answer-in-question]}\n"
        "  - id: b\n    front: Capital?\n    back: Astana\n"
        "    source: {ref: atlas}\n"
        "sources:\n  atlas: {title: An atlas}\n"
    )
    imported = ImportedDeck(
        title="D",
        cards=[
            {"id": "a", "front": "Two plus two?", "back": "four"},
            {"id": "b", "type": "typed", "question": "Capital?", "answer": "Astana"},
        ],
    )
    merge = merge_deck(text, "d.yaml", imported, "v2.csv")
    assert (merge.added, merge.changed, merge.missing) == ([], ["a", "b"], [])
    assert "  - id: a  # first\n" in merge.text
    assert "reverse" not in merge.text
    assert "lint: {ignore: [answer-in-question]}" in merge.text
    deck, problems = parse_deck(merge.text, "d.yaml")
    assert deck is not None, problems
    first, second = (c.to_dict() for c in deck.cards)
    assert first["reverse"] is False
    assert (second["type"], second["answer"], second["source"]) == (
        "typed",
        "Astana",
        {"ref": "atlas", "section": None},
    )


def test_a_changed_card_keeps_the_lines_of_its_fields_that_did_not_change() -> None:
    from quiz.interchange.deck_update import merge_deck
    from quiz.interchange.deck_yaml import ImportedDeck

    text = (
        "deck: d\ntitle: D\ncards:\n"
        "  - {id: a, front: Two plus two?, back: four, reverse: yes}  # a flow card\n"
        "  - id: b\n    front: Capital?  # plain, with a comment\n    back: Astana\n"
    )
    imported = ImportedDeck(
        title="D",
        cards=[
            {"id": "a", "front": "Two plus two?", "back": "4", "reverse": True},
            {"id": "b", "front": "Capital?", "back": "Nur-Sultan"},
        ],
    )
    merge = merge_deck(text, "d.yaml", imported, "v2.csv")
    assert merge.changed == ["a", "b"]
    assert '{id: a, front: Two plus two?, back: "4", reverse: yes}' in merge.text
    assert "    front: Capital?  # plain, with a comment\n" in merge.text
    assert '    back: "Nur-Sultan"\n' in merge.text


def test_a_deck_sent_to_anki_and_back_keeps_its_graded_cards(tmp_path: Path) -> None:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    deck_file = tmp_path / "mixed.yaml"
    deck_file.write_text(
        "deck: mixed\ntitle: Mixed\ncards:\n"
        "  - {id: pick, type: choice, question: Which?, choices: [A, B, C], answer: B}\n"
        "  - id: word\n    front: Capital of France?\n    back: Paris\n",
        encoding="utf-8",
    )
    sent = tmp_path / "mixed.apkg"
    assert run("export", str(deck_file), "-o", str(sent)).exit_code == 0
    # A friend edits the flashcard in Anki and sends the deck back.
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    collection.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(sent), options=ImportAnkiPackageOptions(with_scheduling=False)
        )
    )
    (note_id,) = collection.find_notes('"Capital of France"')
    note = collection.get_note(note_id)
    note["Back"] = "Paris, on the Seine"
    collection.update_note(note)
    back = _export(collection, tmp_path / "back.apkg")
    collection.close()
    result = run("import", str(back), "--update", str(deck_file))
    assert result.exit_code == 0, result.output
    assert "0 card(s) added, 1 changed in place, 0 unchanged" in result.stderr
    assert (
        "1 graded card(s) are plain flashcards in the new version (as an export to Anki or CSV "
        "makes them) and were kept as they are: pick" in result.stderr
    )
    pick, word = load(deck_file).cards
    assert pick.TYPE == "choice"
    assert word.back == "Paris, on the Seine"  # type: ignore[attr-defined]


def test_cards_with_no_id_are_found_by_their_question(tmp_path: Path) -> None:
    deck_file = tmp_path / "mine.yaml"
    deck_file.write_text(
        "deck: mine\ntitle: Mine\nlint: {ignore: [missing-id]}\ncards:\n"
        "  - front: Capital of Peru?\n    back: Lima\n"
        "  - front: Capital of Chad?\n    back: Ndjamena  # check the spelling\n",
        encoding="utf-8",
    )
    before = load(deck_file)
    source = tmp_path / "capitals.csv"
    source.write_text(
        "front,back\nCapital of Peru?,Lima\nCapital of Chad?,N'Djamena\nCapital of Mali?,Bamako\n",
        encoding="utf-8",
    )
    result = run("import", str(source), "--update", str(deck_file))
    assert result.exit_code == 0, result.output
    assert "1 card(s) added, 1 changed in place, 1 unchanged" in result.stderr
    assert "not in the new version" not in result.stderr
    after = load(deck_file)
    assert [c.back for c in after.cards] == ["Lima", "N'Djamena", "Bamako"]  # type: ignore[attr-defined]
    # Both keep their ids, and so their progress: the changed one has it written down now.
    assert [c.id for c in after.cards[:2]] == [c.id for c in before.cards]
    assert f"  - id: {before.cards[1].id}\n    front: Capital of Chad?\n" in deck_file.read_text()


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=12,
).filter(lambda t: t.strip() == t and t != "")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old=st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=6),
    edits=st.lists(st.sampled_from(["same", "changed", "removed"]), min_size=6, max_size=6),
    added=st.lists(st.tuples(_TEXT, _TEXT), max_size=3),
)
def test_any_update_gives_the_new_version_and_keeps_the_rest(old, edits, added) -> None:  # type: ignore[no-untyped-def]
    from quiz.deck.loader import parse_deck
    from quiz.interchange.deck_update import merge_deck
    from quiz.interchange.deck_yaml import ImportedDeck, deck_yaml

    first = [{"id": f"c{i}", "front": f, "back": b} for i, (f, b) in enumerate(old)]
    text = deck_yaml("d", ImportedDeck("D", [dict(c) for c in first]), "v1")
    text = text.replace("cards:\n", "cards:\n  # a comment the update keeps\n")
    new: list[dict[str, str]] = []
    for card, edit in zip(first, edits, strict=False):
        if edit == "changed":
            new.append({**card, "back": card["back"] + " (v2)"})
        elif edit == "same":
            new.append(dict(card))
    new += [{"id": f"n{i}", "front": f, "back": b} for i, (f, b) in enumerate(added)]
    if not new:
        return
    merge = merge_deck(text, "d.yaml", ImportedDeck("D", [dict(c) for c in new]), "v2")
    deck, problems = parse_deck(merge.text, "d.yaml")
    assert deck is not None, problems
    got = {c.id: (c.front, c.back) for c in deck.cards}  # type: ignore[attr-defined]
    for card in new:
        assert got[card["id"]] == (card["front"].strip(), card["back"].strip())
    for card in first:
        if card["id"] not in {c["id"] for c in new}:
            assert card["id"] in merge.missing and card["id"] in got
    assert "  # a comment the update keeps\n" in merge.text or not (merge.added or merge.changed)

"""Anki review history imported with the deck: the real Anki writes it and computes FSRS on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from interchange_helpers import load, run

from quiz.deck.model import Deck, item_key
from quiz.scheduler import fuzzed_days, study_day
from quiz.store.database import open_store

DAY_MS = 86_400_000
TODAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def _at(days_ago: int, minutes: int = 0) -> int:
    return int((TODAY - timedelta(days=days_ago, minutes=-minutes)).timestamp() * 1000)


# Each history: (days ago, minutes into that day, ease, interval, revlog type).
HISTORIES: dict[str, list[tuple[int, int, int, int, int]]] = {
    "kazakhstan": [(30, 0, 3, 0, 0), (30, 10, 3, 1, 0), (29, 0, 3, 3, 1), (26, 0, 3, 8, 1),
                   (18, 0, 3, 20, 1)],
    "armenia:0": [(20, 0, 1, 0, 0), (20, 5, 3, 0, 0), (20, 15, 3, 1, 0), (19, 0, 2, 2, 1),
                  (16, 0, 1, 0, 2), (16, 10, 3, 1, 2), (15, 0, 3, 3, 1)],
    "armenia:1": [(12, 0, 4, 4, 0), (8, 0, 3, 10, 1)],
    # a rescheduling entry (manual, with an interval) is no review
    "cloze:0": [(10, 0, 3, 1, 0), (9, 0, 3, 3, 1), (7, 0, 0, 5, 4), (6, 0, 3, 9, 1)],
    "cloze:1": [(5, 0, 2, 0, 0), (5, 10, 3, 0, 0), (5, 20, 3, 1, 0), (4, 0, 3, 2, 1)],
    # "forget" (manual, no interval) starts the history again, as in Anki's FSRS
    "belarus": [(40, 0, 3, 1, 0), (39, 0, 3, 5, 1), (34, 0, 0, 0, 4), (3, 0, 3, 1, 0),
                (2, 0, 3, 2, 1)],
}  # fmt: skip
REVIEWS = sum(1 for h in HISTORIES.values() for r in h if r[4] != 4)
FORGOTTEN = 2
IMPORTED = REVIEWS - FORGOTTEN


def make_collection(folder: Path) -> tuple[Collection, dict[str, int]]:
    """A collection with FSRS on, four notes (seven cards) and a history written to its revlog."""
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    collection.set_config("fsrs", True)
    deck_id = collection.decks.id("Geography")
    notes = [
        ("kazakhstan", "Basic", ["Capital of Kazakhstan?", "Astana"]),
        ("armenia", "Basic (and reversed card)", ["Armenia", "Yerevan"]),
        ("cloze", "Cloze", ["The {{c1::CSTO}} was founded in {{c2::2002}}.", ""]),
        ("belarus", "Basic", ["Capital of Belarus?", "Minsk"]),
        ("tajikistan", "Basic", ["Capital of Tajikistan?", "Dushanbe"]),
        ("kyrgyzstan", "Basic", ["Capital of Kyrgyzstan?", "Bishkek"]),
    ]
    cards: dict[str, int] = {}
    for name, type_name, fields in notes:
        note = collection.new_note(collection.models.by_name(type_name))  # type: ignore[arg-type]
        for index, value in enumerate(fields):
            note.fields[index] = value
        collection.add_note(note, deck_id)
        for card in note.cards():
            cards[f"{name}:{card.ord}"] = card.id
    cards["kazakhstan"], cards["belarus"] = cards["kazakhstan:0"], cards["belarus:0"]
    for name, history in HISTORIES.items():
        for index, (days, minutes, ease, interval, kind) in enumerate(history):
            collection.db.execute(
                "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                " values (?, ?, -1, ?, ?, 0, 2500, 6000, ?)",
                _at(days, minutes) + index, cards[name], ease, interval, kind,
            )  # fmt: skip
    collection.sched.suspend_cards([cards["tajikistan:0"]])
    collection.sched.bury_cards([cards["kyrgyzstan:0"]])
    return collection, cards


def export(collection: Collection, package: Path) -> Path:
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False
        ),
        limit=None,
    )
    return package


# Each Anki card's study item, by its note's text and the variant.
ITEMS = {
    "kazakhstan": ("Capital of Kazakhstan?", ""),
    "armenia:0": ("Armenia", ""),
    "armenia:1": ("Armenia", "reverse"),
    "cloze:0": ("The CSTO was founded in 2002.", "c1"),
    "cloze:1": ("The CSTO was founded in 2002.", "c2"),
    "belarus": ("Capital of Belarus?", ""),
}


def item_keys(deck: Deck) -> dict[str, str]:
    ids = {card.prompt(): card.id for card in deck.cards}
    return {name: item_key(ids[prompt], variant) for name, (prompt, variant) in ITEMS.items()}


def in_fuzz_range(due: date, last_day: date, days: int) -> bool:
    """Whether `due` is `days` after `last_day` as FSRS's fuzz may move it (a day either side)."""
    # The replay fuzzes as study does (seeded per learner and item), and Anki fuzzes with its
    # own draw: the two agree on the range, not on the day within it.
    low, high = fuzzed_days(days, 0.0, 36500), fuzzed_days(days, 0.999999, 36500)
    return low - 1 <= (due - last_day).days <= high + 1


def test_history_comes_over_and_due_dates_match_ankis_fsrs(tmp_path: Path) -> None:
    collection, cards = make_collection(tmp_path / "anki")
    package = export(collection, tmp_path / "geo.apkg")
    db = tmp_path / "quiz.db"
    output = tmp_path / "geo.yaml"
    result = run("import", str(package), "-o", str(output), "--learner", "ann", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert f"imported {IMPORTED} review(s) of 6 Anki card(s) for ann" in result.stderr
    assert "; 2 card(s) suspended or buried" in result.stderr
    assert f"{FORGOTTEN} review(s) made before Anki's 'forget' were left out" in result.stderr
    assert "1 revlog entr(ies) that are not reviews" in result.stderr  # the rescheduling
    assert (
        "1 suspended and 1 buried card(s) came over suspended, and buried until the next study day"
        in result.stderr
    )
    deck = load(output)
    store = open_store(db)
    try:
        reviews = store.reviews("ann")
        assert len(reviews) == IMPORTED
        keys = item_keys(deck)
        assert {r["item_key"] for r in reviews} == set(keys.values())
        # Ids come from the notes' GUIDs, not from their text.
        assert all(card.id.startswith("anki-") for card in deck.cards)
        assert {r["duration_ms"] for r in reviews} == {6000}
        # Anki's suspended card is suspended here, its buried one buried until tomorrow.
        ids = {card.prompt(): card.id for card in deck.cards}
        marks = store.marks("ann", deck.id)
        assert marks[ids["Capital of Tajikistan?"]].suspended
        buried = marks[ids["Capital of Kyrgyzstan?"]]
        assert not buried.suspended and buried.buried_until is not None
        assert datetime.now(UTC) < buried.buried_until < datetime.now(UTC) + timedelta(days=1)
        states = store.states("ann", deck.id)
        for name, key in keys.items():
            anki_state = collection.compute_memory_state(cards[name])
            state = states[key]
            assert state.state == "review", (name, state)
            assert state.reps == sum(1 for r in HISTORIES[name] if r[4] != 4) - (
                FORGOTTEN if name == "belarus" else 0
            )
            # The same FSRS on the same study days: the same memory state as Anki computes.
            assert state.stability == pytest.approx(anki_state.stability, rel=1e-4), name
            assert state.difficulty == pytest.approx(anki_state.difficulty, rel=1e-4), name
            # Anki's next interval at 90% retention is the stability, in whole days.
            last = max(_at(d, m) for d, m, _, _, kind in HISTORIES[name] if kind != 4)
            last_day = study_day(datetime.fromtimestamp(last / 1000, UTC))
            days = max(1, round(anki_state.stability))
            quiz_due: date = study_day(state.due)
            assert in_fuzz_range(quiz_due, last_day, days), (name, quiz_due, days, state)
    finally:
        store.close()
        collection.close()


def test_importing_again_adds_no_review_and_no_history_skips_it(tmp_path: Path) -> None:
    collection, cards = make_collection(tmp_path / "anki")
    package = export(collection, tmp_path / "geo.apkg")
    db = tmp_path / "quiz.db"
    first = run("import", str(package), "-o", str(tmp_path / "geo.yaml"), "--db", str(db))
    assert first.exit_code == 0, first.output
    # The same deck id from another file that still exists would take its place: refused.
    clash = run(
        "import", str(package), "-o", str(tmp_path / "again.yaml"), "--deck-id", "geo",
        "--db", str(db),
    )  # fmt: skip
    assert clash.exit_code == 1
    assert "deck id 'geo' is already used by" in clash.stderr
    assert not (tmp_path / "again.yaml").exists()
    before = load(tmp_path / "geo.yaml")
    (tmp_path / "geo.yaml").unlink()
    # The note edited in Anki keeps its id, and so its progress.
    note = collection.get_card(cards["kazakhstan"]).note()
    note.fields[0] = "What is the capital of Kazakhstan?"
    collection.update_note(note)
    export(collection, package)
    collection.close()
    again = run("import", str(package), "-o", str(tmp_path / "geo.yaml"), "--db", str(db))
    assert again.exit_code == 0, again.output
    assert "imported 0 review(s) of 6 Anki card(s)" in again.stderr
    assert f"{IMPORTED} were already there" in again.stderr
    edited = load(tmp_path / "geo.yaml")
    assert [c.id for c in edited.cards] == [c.id for c in before.cards]
    assert edited.cards[0].prompt() == "What is the capital of Kazakhstan?"
    skipped = run(
        "import", str(package), "-o", str(tmp_path / "plain.yaml"), "--no-history",
        "--db", str(tmp_path / "other.db"),
    )  # fmt: skip
    assert skipped.exit_code == 0, skipped.output
    assert "review(s)" not in skipped.stderr
    assert not (tmp_path / "other.db").exists()
    store = open_store(db)
    try:
        assert len(store.reviews()) == IMPORTED
    finally:
        store.close()


def test_the_replay_uses_the_learners_own_desired_retention(tmp_path: Path) -> None:
    from quiz.scheduler import DEFAULT_PARAMETERS

    collection, cards = make_collection(tmp_path / "anki")
    package = export(collection, tmp_path / "geo.apkg")
    db = tmp_path / "quiz.db"
    store = open_store(db)
    # Ann studies at 80%, for every deck: the replay must use it, not the default 90%.
    store.set_learner_setting("ann", "", "desired_retention", "0.8", TODAY)
    store.close()
    output = tmp_path / "geo.yaml"
    result = run("import", str(package), "-o", str(output), "--learner", "ann", "--db", str(db))
    assert result.exit_code == 0, result.output
    decay = -DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (1 / decay) - 1
    store = open_store(db)
    try:
        states = store.states("ann", load(output).id)
        later = 0
        for name, key in item_keys(load(output)).items():
            anki_state = collection.compute_memory_state(cards[name])
            # Anki's interval at a desired retention r, from the stability it computes.
            days = anki_state.stability / factor * (0.8 ** (1 / decay) - 1)
            last = max(_at(d, m) for d, m, _, _, kind in HISTORIES[name] if kind != 4)
            last_day = study_day(datetime.fromtimestamp(last / 1000, UTC))
            quiz_due = study_day(states[key].due)
            assert in_fuzz_range(quiz_due, last_day, max(1, round(days))), (name, quiz_due, days)
            at_ninety = last_day + timedelta(days=max(1, round(anki_state.stability)))
            later += quiz_due > at_ninety
        assert later >= 4  # at 80%, cards come back later than at 90%
    finally:
        store.close()
        collection.close()

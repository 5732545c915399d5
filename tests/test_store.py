"""The SQLite store: opening, migrations, syncing decks, and the review log."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import quiz.deck.loader
from quiz.deck.files import file_hash
from quiz.deck.loader import check_deck
from quiz.deck.model import Deck
from quiz.deck.problems import Severity
from quiz.library import load_library, open_deck
from quiz.scheduler import CardState, Rating, Scheduler
from quiz.store import ReviewRecord, Store, StoreError, default_db_path, open_store
from quiz.store.migrations import migrations
from quiz.study import answering

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EVERY_TYPE = Path(__file__).parent / "decks" / "every-type.yaml"
LEARNER = "ada"

FLASHCARD = """\
  - id: capital
    type: flashcard
    front: "Where is the CSTO secretariat?"
    back: "{back}"
    reverse: true
"""
CLOZE = """\
  - id: articles
    type: cloze
    text: "Article {{4}} is collective defence; Article {{7}} covers bases."
"""
TRUE_FALSE = """\
  - id: observer
    type: true_false
    statement: "The CSTO is a UN General Assembly observer."
    answer: true
"""


def deck_text(deck_id: str = "mini", *, back: str = "Moscow", cards: str | None = None) -> str:
    body = cards if cards is not None else FLASHCARD.format(back=back) + CLOZE + TRUE_FALSE
    return f'deck: {deck_id}\ntitle: "Mini deck"\ncards:\n{body}'


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "db" / "quiz.db")
    yield s
    s.close()


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "decks" / "mini.yaml"
    path.parent.mkdir()
    path.write_text(deck_text(), encoding="utf-8")
    return path


def open_ok(store: Store, path: Path, now: datetime = NOW) -> Deck:
    deck, problems = open_deck(store, path, now)
    assert deck is not None, problems
    return deck


def card_rows(store: Store, deck_id: str = "mini") -> dict[str, dict[str, Any]]:
    # The card's content is stored once, by its hash, and read with its item's row here.
    rows = store.db.query(
        "SELECT c.rowid, c.deck_id, c.item_key, c.card_id, c.variant, c.type, c.position, c.line, "
        "cc.content, c.content_hash, c.archived, c.added_at, c.updated_at FROM cards c "
        "JOIN card_contents cc ON cc.hash = c.content_hash WHERE c.deck_id = ? ORDER BY position",
        [deck_id],
    )
    return {row["item_key"]: row for row in rows}


def other_connection(store: Store) -> sqlite3.Connection:
    """A second connection, which sees only what was committed."""
    assert store.path is not None
    return sqlite3.connect(store.path)


def review(
    review_id: str,
    before: CardState | None,
    rating: Rating,
    at: datetime,
    *,
    item_key: str = "capital",
    card_id: str = "capital",
    learner: str = LEARNER,
    deck_id: str = "mini",
    outcome: str | None = None,
    response: Any = None,
) -> ReviewRecord:
    scheduler = Scheduler(fuzz=False)
    start = before if before is not None else scheduler.new_state(at)
    return ReviewRecord(
        id=review_id,
        learner=learner,
        deck_id=deck_id,
        item_key=item_key,
        card_id=card_id,
        reviewed_at=at,
        rating=int(rating),
        outcome=outcome,
        response=response,
        duration_ms=1500,
        first=start.is_new,
        state_before=before,
        state_after=scheduler.review(start, rating, at),
    )


def review_ids(store: Store) -> list[str]:
    return [r["id"] for r in store.reviews()]


# Opening the database


def test_open_store_creates_folder_and_file_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "quiz.db"
    store = open_store(path)
    try:
        assert path.is_file()
        assert store.path == path
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        applied = list(store.db.query("SELECT migration_set, name FROM _sqlite_migrations"))
        known = [m.name for m in migrations.pending(store.db.__class__(memory=True))]
        assert applied == [{"migration_set": "quiz", "name": name} for name in known]
        assert known[0] == "m001_initial"
        assert {"learners", "decks", "cards", "card_states", "reviews"} <= set(
            store.db.table_names()
        )
    finally:
        store.close()


def test_the_store_knows_every_migration_by_name_in_order() -> None:
    # A database with exactly these migrations opens without sqlite-utils: a migration missing
    # from the list would never be applied to it.
    from sqlite_utils import Database

    from quiz.store.database import MIGRATION_SET, MIGRATIONS

    assert migrations.name == MIGRATION_SET
    assert [m.name for m in migrations.pending(Database(memory=True))] == list(MIGRATIONS)


def test_a_warm_start_imports_neither_sqlite_utils_nor_the_yaml_parser(
    tmp_path: Path, deck_file: Path
) -> None:
    import subprocess

    db = tmp_path / "quiz.db"
    store = open_store(db)
    open_ok(store, deck_file)
    store.close()
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from quiz.library import open_deck\n"
        "from quiz.scheduler import utc_now\n"
        "from quiz.store import open_store\n"
        f"store = open_store({str(db)!r})\n"
        f"deck, problems = open_deck(store, Path({str(deck_file)!r}), utc_now())\n"
        "assert deck is not None and not problems, problems\n"
        "print(sorted(m for m in ('sqlite_utils', 'yaml') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_open_store_sets_private_permissions(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "quiz.db"
    open_store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_opening_twice_applies_nothing_new_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    store = open_store(path)
    store.ensure_learner(LEARNER, NOW)
    first = list(store.db.query("SELECT * FROM _sqlite_migrations"))
    store.close()

    again = open_store(path)
    try:
        assert list(again.db.query("SELECT * FROM _sqlite_migrations")) == first
        assert list(again.db.query("SELECT name FROM learners")) == [{"name": LEARNER}]
    finally:
        again.close()


def test_a_file_that_is_not_a_database_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    path.write_bytes(b"this is not an SQLite database, just some text " * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        open_store(path)


def test_default_db_path_honours_quiz_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "elsewhere" / "mine.db"))
    assert default_db_path() == tmp_path / "elsewhere" / "mine.db"

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("QUIZ_DB", "~/home.db")
    assert default_db_path() == tmp_path / "home.db"


def test_open_store_without_a_path_uses_quiz_db(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "env" / "quiz.db"
    monkeypatch.setenv("QUIZ_DB", str(target))
    store = open_store()
    store.close()
    assert store.path == target
    assert target.is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_default_db_path_without_quiz_db_is_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("QUIZ_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "quiz" / "quiz.db"


# Syncing decks


def test_first_sync_adds_every_item(store: Store, deck_file: Path) -> None:
    deck = open_ok(store, deck_file)
    rows = card_rows(store)
    assert list(rows) == ["capital", "capital::reverse", "articles::c1", "articles::c2", "observer"]
    assert [(r["card_id"], r["variant"]) for r in rows.values()] == [
        ("capital", ""),
        ("capital", "reverse"),
        ("articles", "c1"),
        ("articles", "c2"),
        ("observer", ""),
    ]
    assert all(r["archived"] == 0 for r in rows.values())
    assert all(r["added_at"] == NOW.isoformat() for r in rows.values())
    by_id = {c.id: c for c in deck.cards}
    assert all(r["content_hash"] == by_id[r["card_id"]].content_hash() for r in rows.values())
    assert store.deck_path("mini") == str(deck_file.resolve())


def test_a_deck_sync_skips_only_its_own_fsync(
    store: Store, deck_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def synchronous() -> int:
        return int(store.conn.execute("PRAGMA synchronous").fetchone()[0])

    seen: list[int] = []
    real = Store._sync_deck

    def watching(self: Store, *args: Any) -> Any:
        seen.append(synchronous())
        return real(self, *args)

    monkeypatch.setattr(Store, "_sync_deck", watching)
    open_ok(store, deck_file)
    assert seen == [1]  # NORMAL: the sync can be made again from the file
    assert synchronous() == 2  # FULL again for the answers that follow

    def failing(self: Store, *args: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Store, "_sync_deck", failing)
    deck_file.write_text(deck_text(back="Moscow, Russia"), encoding="utf-8")
    with pytest.raises(sqlite3.OperationalError):
        open_deck(store, deck_file, NOW + timedelta(days=1))
    assert synchronous() == 2


def test_sync_deck_reports_what_changed(store: Store, deck_file: Path) -> None:
    deck, _ = check_deck(deck_file)
    assert deck is not None
    key, digest = str(deck_file.resolve()), file_hash(deck_file.read_bytes())

    first = store.sync_deck(deck, key, digest, NOW)
    assert (first.added, first.updated, first.archived, first.restored) == (5, 0, 0, 0)

    same = store.sync_deck(deck, key, digest, NOW + timedelta(hours=1))
    assert (same.added, same.updated, same.archived, same.restored) == (0, 0, 0, 0)

    capital = next(c for c in deck.cards if c.id == "capital")
    edited_cards = tuple(replace(c, back="Minsk") if c is capital else c for c in deck.cards)
    edited = store.sync_deck(replace(deck, cards=edited_cards), key, "edited", NOW)
    # Both items of the edited flashcard (front and reverse) changed; nothing else did.
    assert (edited.added, edited.updated, edited.archived, edited.restored) == (0, 2, 0, 0)

    without_cloze = replace(deck, cards=tuple(c for c in deck.cards if c.id != "articles"))
    removed = store.sync_deck(without_cloze, key, "other", NOW + timedelta(hours=2))
    assert (removed.added, removed.archived) == (0, 2)

    back = store.sync_deck(deck, key, digest, NOW + timedelta(hours=3))
    assert (back.added, back.archived, back.restored) == (0, 0, 2)


def test_an_unchanged_file_is_not_parsed_again(
    store: Store, deck_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = open_ok(store, deck_file)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged deck file was parsed again")

    monkeypatch.setattr(quiz.deck.loader, "parse_deck", refuse)
    cached, problems = open_deck(store, deck_file, NOW + timedelta(days=1))
    assert problems == []
    assert cached is not None
    assert cached.cards == parsed.cards
    assert (cached.id, cached.title, cached.settings) == (parsed.id, parsed.title, parsed.settings)


def test_a_changed_file_is_parsed_again(
    store: Store, deck_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_ok(store, deck_file)
    deck_file.write_text(deck_text(back="Moscow, Russia"), encoding="utf-8")
    calls = []
    real = quiz.deck.loader.parse_deck

    def counting(text: str, path: str) -> Any:
        calls.append(path)
        return real(text, path)

    monkeypatch.setattr(quiz.deck.loader, "parse_deck", counting)
    open_ok(store, deck_file, NOW + timedelta(days=1))
    assert calls == [str(deck_file)]


def test_cached_deck_rebuilds_the_same_deck(store: Store, tmp_path: Path) -> None:
    # The every-type deck has one card of each type, so each one must round-trip.
    path = tmp_path / "every-type.yaml"
    path.write_bytes(EVERY_TYPE.read_bytes())
    parsed = open_ok(store, path)

    cached = store.cached_deck(str(path.resolve()), file_hash(path.read_bytes()))
    assert cached is not None
    assert cached.cards == parsed.cards
    assert [c.line for c in cached.cards] == [c.line for c in parsed.cards]
    assert cached.id == parsed.id
    assert cached.title == parsed.title
    assert cached.description == parsed.description
    assert cached.sources == parsed.sources
    assert cached.tags == parsed.tags
    assert cached.settings == parsed.settings
    assert cached.items() == parsed.items()


def test_cached_deck_is_none_when_the_file_changed(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    assert store.cached_deck(str(deck_file.resolve()), "not-the-hash") is None
    assert store.cached_deck("/no/such/file.yaml", file_hash(deck_file.read_bytes())) is None


def test_editing_a_card_updates_its_row_in_place_and_keeps_progress(
    store: Store, deck_file: Path
) -> None:
    open_ok(store, deck_file)
    before = card_rows(store)
    r = review("r1", None, Rating.GOOD, NOW)
    store.record_review(r)

    later = NOW + timedelta(days=1)
    deck_file.write_text(deck_text(back="Moscow, Russia"), encoding="utf-8")
    deck = open_ok(store, deck_file, later)
    assert next(c for c in deck.cards if c.id == "capital").back == "Moscow, Russia"

    after = card_rows(store)
    assert list(after) == list(before)
    for key in ("capital", "capital::reverse"):
        assert after[key]["rowid"] == before[key]["rowid"]
        assert after[key]["content_hash"] != before[key]["content_hash"]
        assert after[key]["archived"] == 0
        assert after[key]["added_at"] == NOW.isoformat()
        assert after[key]["updated_at"] == later.isoformat()
        assert "Moscow, Russia" in after[key]["content"]
    for key in ("articles::c1", "articles::c2", "observer"):
        assert after[key] == before[key]

    assert store.states(LEARNER, "mini") == {"capital": r.state_after}
    assert review_ids(store) == ["r1"]


def test_removing_a_card_archives_it_with_its_history(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    r = review("r1", None, Rating.GOOD, NOW, item_key="articles::c1", card_id="articles")
    store.record_review(r)

    deck_file.write_text(
        deck_text(cards=FLASHCARD.format(back="Moscow") + TRUE_FALSE), encoding="utf-8"
    )
    deck = open_ok(store, deck_file, NOW + timedelta(days=1))
    assert [c.id for c in deck.cards] == ["capital", "observer"]

    rows = card_rows(store)
    assert rows["articles::c1"]["archived"] == 1
    assert rows["articles::c2"]["archived"] == 1
    assert rows["capital"]["archived"] == 0
    assert store.archived_keys("mini") == {"articles::c1", "articles::c2"}
    assert store.states(LEARNER, "mini") == {"articles::c1": r.state_after}
    assert review_ids(store) == ["r1"]

    cached = store.cached_deck(str(deck_file.resolve()), file_hash(deck_file.read_bytes()))
    assert cached is not None
    assert [c.id for c in cached.cards] == ["capital", "observer"]


def test_putting_a_card_back_restores_it(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    r = review("r1", None, Rating.GOOD, NOW, item_key="articles::c2", card_id="articles")
    store.record_review(r)
    deck_file.write_text(deck_text(cards=TRUE_FALSE), encoding="utf-8")
    open_ok(store, deck_file, NOW + timedelta(days=1))
    assert store.archived_keys("mini") == {
        "capital",
        "capital::reverse",
        "articles::c1",
        "articles::c2",
    }

    deck_file.write_text(deck_text(), encoding="utf-8")
    deck = open_ok(store, deck_file, NOW + timedelta(days=2))
    assert [c.id for c in deck.cards] == ["capital", "articles", "observer"]
    assert store.archived_keys("mini") == set()
    assert all(row["archived"] == 0 for row in card_rows(store).values())
    assert store.states(LEARNER, "mini") == {"articles::c2": r.state_after}
    assert review_ids(store) == ["r1"]


def test_two_files_with_one_deck_id_in_a_run_keep_the_first(store: Store, deck_file: Path) -> None:
    first = open_ok(store, deck_file)
    impostor = deck_file.parent / "copy.yaml"
    impostor.write_text(deck_text(back="Minsk"), encoding="utf-8")

    library = load_library(store, [deck_file, impostor], NOW + timedelta(hours=1))
    assert [d.path for d in library.decks] == [first.path]
    errors = [p for p in library.problems if p.severity is Severity.ERROR]
    assert len(errors) == 1
    assert errors[0].path == str(impostor)
    assert "mini" in errors[0].message and first.path in errors[0].message
    # The first file's deck is untouched in the store.
    assert store.deck_path("mini") == str(deck_file.resolve())
    assert all("Minsk" not in row["content"] for row in card_rows(store).values())


def test_another_existing_file_takes_over_a_deck_id_with_a_warning(
    store: Store, deck_file: Path
) -> None:
    open_ok(store, deck_file)
    other = deck_file.parent / "checkout2.yaml"
    other.write_text(deck_text(back="Minsk"), encoding="utf-8")
    deck, problems = open_deck(store, other, NOW + timedelta(hours=1))
    assert deck is not None
    assert [(p.severity, p.rule) for p in problems] == [(Severity.WARNING, "deck-moved")]
    assert str(deck_file.resolve()) in problems[0].message
    assert store.deck_path("mini") == str(other.resolve())


def test_a_moved_deck_file_takes_over_its_deck_id(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    moved = deck_file.with_name("renamed.yaml")
    deck_file.rename(moved)
    open_ok(store, moved, NOW + timedelta(hours=1))
    assert store.deck_path("mini") == str(moved.resolve())


# Reviews


def test_record_review_writes_the_review_and_the_state_together(
    store: Store, deck_file: Path
) -> None:
    open_ok(store, deck_file)
    r = review("r1", None, Rating.GOOD, NOW, outcome="right", response={"typed": "Moscow"})
    store.record_review(r)

    assert store.states(LEARNER, "mini") == {"capital": r.state_after}
    (row,) = store.reviews(LEARNER)
    assert row["id"] == "r1"
    assert row["item_key"] == "capital"
    assert row["card_id"] == "capital"
    assert row["reviewed_at"] == NOW.isoformat()
    assert row["rating"] == 3
    assert row["outcome"] == "right"
    assert row["correct"] == 1
    assert row["first"] == 1
    assert row["duration_ms"] == 1500
    assert row["state_before"] is None
    assert row["state_after"] is not None

    # Committed: another connection sees both rows.
    with other_connection(store) as other:
        assert other.execute("SELECT id FROM reviews").fetchall() == [("r1",)]
        assert other.execute("SELECT item_key, state FROM card_states").fetchall() == [
            ("capital", "learning")
        ]


def test_wrong_and_self_rated_answers_are_logged_as_such(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    store.record_review(review("wrong", None, Rating.AGAIN, NOW, outcome="wrong"))
    store.record_review(
        review("self", None, Rating.GOOD, NOW, item_key="observer", card_id="observer")
    )
    rows = {row["id"]: row for row in store.reviews(LEARNER)}
    assert (rows["wrong"]["outcome"], rows["wrong"]["correct"]) == ("wrong", 0)
    assert (rows["self"]["outcome"], rows["self"]["correct"]) == (None, None)


def test_undo_review_restores_the_previous_state(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    r1 = review("r1", None, Rating.GOOD, NOW)
    r2 = review("r2", r1.state_after, Rating.GOOD, r1.state_after.due)
    store.record_review(r1)
    store.record_review(r2)
    assert store.states(LEARNER, "mini")["capital"].state == "review"

    assert answering.undo(store, Scheduler(), "r2") is True
    assert review_ids(store) == ["r1"]
    assert store.states(LEARNER, "mini") == {"capital": r1.state_after}


def test_undoing_a_first_review_deletes_the_state(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    r1 = review("r1", None, Rating.GOOD, NOW)
    store.record_review(r1)

    assert answering.undo(store, Scheduler(), "r1") is True
    assert review_ids(store) == []
    assert store.states(LEARNER, "mini") == {}
    with other_connection(store) as other:
        assert other.execute("SELECT COUNT(*) FROM card_states").fetchone() == (0,)


def test_undo_of_an_unknown_review_changes_nothing(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    r1 = review("r1", None, Rating.GOOD, NOW)
    store.record_review(r1)
    assert answering.undo(store, Scheduler(), "nope") is False
    assert review_ids(store) == ["r1"]
    assert store.states(LEARNER, "mini") == {"capital": r1.state_after}


def test_replace_review_swaps_the_rating(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    good = review("r1", None, Rating.GOOD, NOW)
    store.record_review(good)

    again = review("r1b", None, Rating.AGAIN, NOW)
    assert again.state_after != good.state_after
    store.replace_review("r1", again)

    rows = store.reviews(LEARNER)
    assert [(row["id"], row["rating"]) for row in rows] == [("r1b", 1)]
    assert store.states(LEARNER, "mini") == {"capital": again.state_after}


def test_today_counts_splits_first_reviews_from_others(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    since = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    yesterday = review("old", None, Rating.GOOD, since - timedelta(hours=2))
    store.record_review(yesterday)
    store.record_review(review("again", yesterday.state_after, Rating.GOOD, since))
    store.record_review(
        review("new1", None, Rating.GOOD, NOW, item_key="capital::reverse", card_id="capital")
    )
    store.record_review(
        review("new2", None, Rating.HARD, NOW, item_key="articles::c1", card_id="articles")
    )
    # Someone else's review, and this learner's review in another deck, do not count.
    store.record_review(review("theirs", None, Rating.GOOD, NOW, learner="bob"))
    store.record_review(review("elsewhere", None, Rating.GOOD, NOW, deck_id="other"))

    new, reviews, touched = store.today_counts(LEARNER, "mini", since)
    assert (new, reviews) == (2, 1)
    assert touched == {"capital", "articles"}

    assert store.today_counts(LEARNER, "mini", since - timedelta(days=1)) == (
        3,
        1,
        {"capital", "articles"},
    )
    assert store.today_counts(LEARNER, "mini", NOW + timedelta(seconds=1)) == (0, 0, set())


def test_next_due_ignores_archived_cards(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    soon = review("r1", None, Rating.AGAIN, NOW, item_key="articles::c1", card_id="articles")
    later = review("r2", None, Rating.GOOD, NOW)
    store.record_review(soon)
    store.record_review(later)
    assert soon.state_after.due < later.state_after.due

    assert store.next_due(LEARNER, ["mini"], NOW) == soon.state_after.due
    assert store.next_due(LEARNER, ["mini"], soon.state_after.due) == later.state_after.due
    assert store.next_due(LEARNER, [], NOW) is None
    assert store.next_due("bob", ["mini"], NOW) is None

    deck_file.write_text(
        deck_text(cards=FLASHCARD.format(back="Moscow") + TRUE_FALSE), encoding="utf-8"
    )
    open_ok(store, deck_file, NOW)
    assert store.next_due(LEARNER, ["mini"], NOW) == later.state_after.due


# Atomic writes


def test_a_duplicate_review_id_leaves_no_review_and_no_state_change(
    store: Store, deck_file: Path
) -> None:
    open_ok(store, deck_file)
    r1 = review("r1", None, Rating.GOOD, NOW)
    store.record_review(r1)

    clash = review("r1", r1.state_after, Rating.AGAIN, NOW + timedelta(minutes=10))
    with pytest.raises(sqlite3.IntegrityError):
        store.record_review(clash)

    rows = store.reviews(LEARNER)
    assert [(row["id"], row["rating"]) for row in rows] == [("r1", 3)]
    assert store.states(LEARNER, "mini") == {"capital": r1.state_after}
    assert not store.conn.in_transaction


def test_a_failure_after_the_review_row_rolls_it_back(
    store: Store, deck_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_ok(store, deck_file)
    r1 = review("r1", None, Rating.GOOD, NOW)
    store.record_review(r1)

    def fail(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "put_state", fail)
    r2 = review("r2", r1.state_after, Rating.GOOD, r1.state_after.due)
    with pytest.raises(sqlite3.OperationalError):
        store.record_review(r2)
    monkeypatch.undo()

    assert review_ids(store) == ["r1"]
    assert store.states(LEARNER, "mini") == {"capital": r1.state_after}
    with other_connection(store) as other:
        assert other.execute("SELECT id FROM reviews").fetchall() == [("r1",)]


def test_a_failed_replace_keeps_the_old_review(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    r1 = review("r1", None, Rating.GOOD, NOW)
    r2 = review("r2", None, Rating.GOOD, NOW, item_key="observer", card_id="observer")
    store.record_review(r1)
    store.record_review(r2)

    # The replacement reuses r2's id: the delete of r1 runs, then the insert fails.
    clash = review("r2", None, Rating.AGAIN, NOW)
    with pytest.raises(sqlite3.IntegrityError):
        store.replace_review("r1", clash)

    assert sorted(review_ids(store)) == ["r1", "r2"]
    assert store.states(LEARNER, "mini") == {
        "capital": r1.state_after,
        "observer": r2.state_after,
    }


def test_the_db_file_stays_private_after_writes(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    store.record_review(review("r1", None, Rating.GOOD, NOW))
    assert store.path is not None
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600


# The transaction helper


def test_nested_atomic_blocks_are_savepoints_of_one_transaction(
    store: Store, deck_file: Path
) -> None:
    open_ok(store, deck_file)
    r1 = review("r1", None, Rating.GOOD, NOW)
    r2 = review("r2", None, Rating.GOOD, NOW, item_key="observer", card_id="observer")
    with store.atomic():
        store.insert_review(r1)
        with pytest.raises(RuntimeError), store.atomic():
            store.insert_review(r2)
            raise RuntimeError("the inner block fails")
        # Only the inner block was undone, and nothing is committed until the outer ends.
        with other_connection(store) as other:
            assert other.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)
    assert review_ids(store) == ["r1"]
    with other_connection(store) as other:
        assert other.execute("SELECT id FROM reviews").fetchall() == [("r1",)]


def test_a_failing_outer_block_undoes_its_inner_ones(store: Store, deck_file: Path) -> None:
    open_ok(store, deck_file)
    with pytest.raises(RuntimeError), store.atomic():
        store.record_review(review("r1", None, Rating.GOOD, NOW))
        raise RuntimeError("after the inner block committed its savepoint")
    assert review_ids(store) == []
    assert store.states(LEARNER, "mini") == {}
    assert not store.conn.in_transaction


def test_atomic_refuses_to_commit_a_transaction_it_did_not_open(
    store: Store, deck_file: Path
) -> None:
    open_ok(store, deck_file)
    store.conn.execute("UPDATE decks SET title = 'changed elsewhere'")
    assert store.conn.in_transaction
    with pytest.raises(RuntimeError, match=r"outside Store\.atomic"):
        store.record_review(review("r1", None, Rating.GOOD, NOW))
    store.conn.rollback()
    assert review_ids(store) == []
    assert store.conn.execute("SELECT title FROM decks").fetchone() != ("changed elsewhere",)


def test_a_write_that_need_not_be_durable_restores_full_sync(store: Store) -> None:
    with store.atomic(durable=False):
        assert store.conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    assert store.conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL


def test_upgrading_recomputes_states_in_study_days(tmp_path: Path, deck_file: Path) -> None:
    # A learner's history as the 24-hour FSRS left it: Good at 20:00, at its 10-minute step,
    # then the next morning 12 hours later, which that FSRS counted as the same day.
    path = tmp_path / "old.db"
    store = open_store(path)
    open_ok(store, deck_file)
    evening = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    times = [evening, evening + timedelta(minutes=10), evening + timedelta(hours=12)]
    with store.atomic():
        before = None
        for number, at in enumerate(times):
            record = review(f"r{number}", before, Rating.GOOD, at)
            stale = replace(record.state_after, stability=(record.state_after.stability or 0) / 3)
            store.record_review(replace(record, state_after=stale))
            before = stale
    store.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_study_days_and_settings'")
    store.conn.execute("DROP TABLE learner_settings")
    store.conn.execute("DROP TABLE fsrs_parameters")
    store.conn.commit()
    store.close()

    store = open_store(path)  # the upgrade runs again, as on an old database
    try:
        expected = Scheduler().replay([(at, int(Rating.GOOD)) for at in times])
        state = store.state(LEARNER, "mini", "capital")
        assert state is not None
        assert state.stability == pytest.approx(expected[-1][1].stability)
        assert state.reps == 3
        # The morning review is a day after the evening: long-term stability, not same-day.
        same_day = Scheduler(tz=UTC).replay([(at, 3) for at in times[:2]] + [(times[1], 3)])
        assert state.stability > (same_day[-1][1].stability or 0)
        after = [json.loads(r["state_after"])["stability"] for r in store.reviews(LEARNER)]
        assert after == pytest.approx([s.stability for _, s in expected])
    finally:
        store.close()

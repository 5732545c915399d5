"""A cloze of many gaps costs the store what its text costs, not the text once per gap."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bounded import MEGABYTES, SECONDS, run_quiz
from sqlite_utils import Database

from quiz.deck.limits import GAPS
from quiz.library import open_deck
from quiz.store import open_store
from quiz.store.migrations import migrations

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def cloze_deck(gaps: int, first: str = "") -> str:
    text = first + " ".join(f"the word{i:03d} and more {{{{answer{i:03d}}}}}" for i in range(gaps))
    return f'deck: big\ntitle: Big\ncards:\n  - id: c\n    type: cloze\n    text: "{text}"\n'


def stored_bytes(db: Path) -> int:
    """Every byte of card content the database holds."""
    conn = sqlite3.connect(db)
    try:
        (rows,) = conn.execute("SELECT COALESCE(SUM(LENGTH(content)), 0) FROM cards").fetchone()
        (once,) = conn.execute("SELECT SUM(LENGTH(content)) FROM card_contents").fetchone()
        return int(rows) + int(once)
    finally:
        conn.close()


def test_a_cloze_at_the_gap_limit_is_stored_once(tmp_path: Path) -> None:
    deck_file = tmp_path / "big.yaml"
    deck_file.write_text(cloze_deck(GAPS.most), encoding="utf-8")
    store = open_store(tmp_path / "q.db")
    deck, problems = open_deck(store, deck_file, NOW)
    assert deck is not None, problems
    card = deck.cards[0]
    assert len(card.variants()) == GAPS.most
    store.close()
    # Once (every item row held all of it: 500 copies, 19.7 MB of a 17 KB deck).
    assert stored_bytes(tmp_path / "q.db") == len(card.content_json().encode())
    assert (tmp_path / "q.db").stat().st_size < 2_000_000


def test_an_edit_replaces_the_content_and_keeps_each_item(tmp_path: Path) -> None:
    deck_file = tmp_path / "big.yaml"
    deck_file.write_text(cloze_deck(300), encoding="utf-8")
    store = open_store(tmp_path / "q.db")
    open_deck(store, deck_file, NOW)
    deck_file.write_text(cloze_deck(299, "An edit. "), encoding="utf-8")
    deck, problems = open_deck(store, deck_file, NOW + timedelta(minutes=1))
    assert deck is not None, problems
    # The old content stays only for the item that left the card (c300, archived with its
    # history); the others point to the new one.
    item = store.stored_item("big", "c::c300")
    assert item is not None and len(item.card.gaps) == 300
    item = store.stored_item("big", "c::c299")
    assert item is not None and item.card.text.startswith("An edit. ")
    assert store.archived_keys("big") == {"c::c300"}
    (contents,) = store.conn.execute("SELECT COUNT(*) FROM card_contents").fetchone()
    assert contents == 2
    deck_file.write_text(cloze_deck(299, "Again. "), encoding="utf-8")
    open_deck(store, deck_file, NOW + timedelta(minutes=2))
    # The first edit's content is used by no row any more, and goes.
    (contents,) = store.conn.execute("SELECT COUNT(*) FROM card_contents").fetchone()
    assert contents == 2
    store.close()


def test_a_database_of_copies_is_moved_to_one_content_per_card(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m008_card_contents")
    content = '{"id": "c", "type": "cloze", "text": "a {{b}} c {{d}}"}'
    db.conn.executemany(
        "INSERT INTO cards (deck_id, item_key, card_id, variant, type, position, line, content, "
        "content_hash, archived) VALUES ('d', ?, 'c', ?, 'cloze', ?, 4, ?, 'h1', 0)",
        [(f"c::c{n}", f"c{n}", n, content) for n in (1, 2)],
    )
    db.conn.commit()
    db.close()
    store = open_store(path)
    try:
        assert store.conn.execute("SELECT DISTINCT content FROM cards").fetchall() == [("",)]
        assert store.conn.execute("SELECT hash, content FROM card_contents").fetchall() == [
            ("h1", content)
        ]
    finally:
        store.close()


def test_syncing_and_checking_the_biggest_cloze_are_bounded(tmp_path: Path) -> None:
    deck_file = tmp_path / "big.yaml"
    deck_file.write_text(cloze_deck(GAPS.most), encoding="utf-8")
    db = tmp_path / "q.db"
    for args in (
        ("check", str(deck_file)),
        ("--db", str(db), "--new-learner", "decks", str(deck_file)),
        ("--db", str(db), "cards", "answer250"),
    ):
        run = run_quiz(*args)
        assert run.code == 0, run.stderr[-2000:]
        assert run.within_bounds(), (args, run.seconds, run.megabytes, SECONDS, MEGABYTES)
    assert db.stat().st_size < 2_000_000


def test_the_cloze_benchmark_runs_on_a_tiny_cloze() -> None:
    import subprocess
    import sys

    script = Path(__file__).parent.parent / "benchmarks" / "cloze_bench.py"
    done = subprocess.run(
        [sys.executable, str(script), "--gaps", "5", "--repeats", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| 5 | " in done.stdout

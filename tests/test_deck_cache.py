"""Opening decks fast: an unchanged deck from its stored snapshot; nesting counted as read."""

from __future__ import annotations

import gc
import json
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import quiz.deck.loader
from quiz.collector import collector_paused
from quiz.deck.files import file_hash
from quiz.deck.loader import parse_deck
from quiz.deck.model import Deck
from quiz.deck.snapshot import SNAPSHOT_FORMAT, CardShelf
from quiz.deck.yaml_safe import MAX_NESTING
from quiz.library import bundled_decks_dir, open_deck
from quiz.scheduler import Rating, Scheduler
from quiz.store import ReviewRecord, Store, open_store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEST_DECKS = Path(__file__).parent / "decks"

SILENCED = """\
deck: silenced
title: "Silenced"
lint:
  ignore: [long-answer]
cards:
  - id: one
    front: "Capital of Armenia?"
    back: "Yerevan"
    reverse: true
    lint:
      ignore: [short-front]
  - id: two
    type: cloze
    text: "The CSTO has {{six}} members and its seat is in {{Moscow|Moskva}}."
    source: {ref: charter, section: "Article 4"}
"""


def open_ok(store: Store, path: Path, now: datetime = NOW) -> Deck:
    deck, problems = open_deck(store, path, now)
    assert deck is not None, problems
    return deck


def cached(store: Store, path: Path) -> Deck | None:
    return store.cached_deck(str(path.resolve()), file_hash(path.read_bytes()))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths `open_deck` parses from their files (rather than from the store)."""
    calls: list[str] = []
    real = quiz.deck.loader.parse_deck

    def counting(text: str, path: str) -> Any:
        calls.append(path)
        return real(text, path)

    monkeypatch.setattr(quiz.deck.loader, "parse_deck", counting)
    yield calls


def assert_same_deck(got: Deck, parsed: Deck) -> None:
    assert got.cards == parsed.cards
    # Not part of a card's equality, but kept all the same.
    assert [(c.line, c.lint_ignore) for c in got.cards] == [
        (c.line, c.lint_ignore) for c in parsed.cards
    ]
    assert [type(c) for c in got.cards] == [type(c) for c in parsed.cards]
    assert (got.id, got.title, got.description, got.sources, got.tags, got.settings) == (
        parsed.id,
        parsed.title,
        parsed.description,
        parsed.sources,
        parsed.tags,
        parsed.settings,
    )
    assert got.lint_ignore == parsed.lint_ignore
    assert got.items() == parsed.items()


@pytest.mark.parametrize(
    "path",
    [TEST_DECKS / "every-type.yaml", *sorted(bundled_decks_dir().glob("*.yaml"))],
    ids=lambda p: p.stem,
)
def test_an_unchanged_deck_reopens_equal_to_the_parsed_one(
    store: Store, tmp_path: Path, path: Path, parses: list[str]
) -> None:
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    parsed = open_ok(store, copy)
    again = open_ok(store, copy, NOW + timedelta(days=1))
    assert parses == [str(copy)]
    assert_same_deck(again, parsed)
    # Cards rebuilt from the store hash and compare like parsed ones: sets and dicts of them work.
    assert {hash(c) for c in again.cards} == {hash(c) for c in parsed.cards}


def test_a_reopened_deck_builds_only_the_cards_asked_for(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "every-type.yaml"
    path.write_bytes((TEST_DECKS / "every-type.yaml").read_bytes())
    parsed = open_ok(store, path)
    got = cached(store, path)
    assert got is not None
    assert isinstance(got.cards, CardShelf)
    assert len(got.cards) == len(parsed.cards)
    assert got.item_index == parsed.item_index
    assert got.cards[-1] == parsed.cards[-1]
    assert got.cards[1:3] == parsed.cards[1:3]
    assert [got.item(n) for n in range(len(got.item_index.keys))] == parsed.items()


def test_a_reopened_deck_syncs_into_another_store_unchanged(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "every-type.yaml"
    path.write_bytes((TEST_DECKS / "every-type.yaml").read_bytes())
    parsed = open_ok(store, path)
    reopened = cached(store, path)
    assert reopened is not None and isinstance(reopened.cards, CardShelf)
    other = open_store(tmp_path / "other.db")
    try:
        key, digest = str(path.resolve()), file_hash(path.read_bytes())
        other.sync_deck(reopened, key, digest, NOW)
        again = other.cached_deck(key, digest)
        assert again is not None
        assert_same_deck(again, parsed)
    finally:
        other.close()


def test_line_breaks_inside_values_keep_each_card_on_its_stored_line(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "breaks.yaml"
    path.write_text(
        'deck: breaks\ntitle: "B"\ncards:\n'
        '  - {id: a, front: "one\\ntwo\\r\\nthree", back: "x\\u2028y\\u0085z"}\n'
        '  - {id: b, front: "|", back: "\\"\\n\\""}\n',
        encoding="utf-8",
    )
    parsed = open_ok(store, path)
    got = cached(store, path)
    assert got is not None
    assert_same_deck(got, parsed)
    assert got.cards[0].front == "one\ntwo\nthree"  # type: ignore[attr-defined]


def pack(
    keys: list[str], rows: list[bytes], lengths: list[int] | None = None, **header: Any
) -> bytes:
    """A snapshot in the stored layout, from its parts (tests damage one part at a time)."""
    keys_blob = "\t".join(keys).encode()
    sizes = [len(row) + 1 for row in rows] if lengths is None else lengths
    head = {"format": SNAPSHOT_FORMAT, "lint_ignore": [], "variants": []}
    head |= {"keys_size": len(keys_blob), "cards": len(sizes)} | header
    body = b"".join(row + b"\n" for row in rows)
    return (
        json.dumps(head, separators=(",", ":"), ensure_ascii=False).encode()
        + b"\n"
        + keys_blob
        + struct.pack(f"<{len(sizes)}I", *sizes)
        + body
    )


def unpack(data: bytes) -> tuple[dict[str, Any], list[str], list[bytes]]:
    """The header, item keys and card rows of a stored snapshot."""
    end = data.index(b"\n")
    header = json.loads(data[:end])
    keys_end = end + 1 + header["keys_size"]
    keys = data[end + 1 : keys_end].decode().split("\t")
    rows = data[keys_end + 4 * header["cards"] :].split(b"\n")[:-1]
    return header, keys, rows


def stored_silenced(store: Store, tmp_path: Path) -> tuple[Path, bytes]:
    """The SILENCED deck opened once, and the snapshot the store wrote for it."""
    path = tmp_path / "silenced.yaml"
    path.write_text(SILENCED, encoding="utf-8")
    open_ok(store, path)
    (stored,) = store.conn.execute("SELECT snapshot FROM decks").fetchone()
    return path, stored


def replace_snapshot(store: Store, snapshot: bytes) -> None:
    with store.conn:
        store.conn.execute("UPDATE decks SET snapshot = ?", (snapshot,))


def test_the_stored_layout_is_what_the_tests_build(store: Store, tmp_path: Path) -> None:
    _, stored = stored_silenced(store, tmp_path)
    header, keys, rows = unpack(stored)
    assert keys == ["one", "one::reverse", "two::c1", "two::c2"]
    assert len(rows) == 2 and rows[0].startswith(b'["flashcard","one"')
    kept = {"lint_ignore": header["lint_ignore"], "variants": header["variants"]}
    assert pack(keys, rows, **kept) == stored


def test_a_damaged_card_row_fails_when_that_card_is_built(store: Store, tmp_path: Path) -> None:
    # Rows are checked when built, not when the deck opens: the open stays fast.
    path, good = stored_silenced(store, tmp_path)
    header, keys, rows = unpack(good)
    kept = {"lint_ignore": header["lint_ignore"], "variants": header["variants"]}
    for row in [b'["essay","one"]', b'["flashcard","one"]', b"{}"]:
        replace_snapshot(store, pack(keys, [row, rows[1]], **kept))
        got = cached(store, path)
        assert got is not None
        assert got.cards[1].id == "two"
        with pytest.raises(ValueError):
            got.cards[0]


def test_a_snapshot_whose_rows_do_not_add_up_is_not_used(store: Store, tmp_path: Path) -> None:
    path, good = stored_silenced(store, tmp_path)
    header, keys, rows = unpack(good)
    kept = {"lint_ignore": header["lint_ignore"], "variants": header["variants"]}
    total = sum(len(row) + 1 for row in rows)
    for lengths in ([len(rows[0]) + 1], [total], [0, total]):
        replace_snapshot(store, pack(keys, rows, lengths, **kept))
        assert cached(store, path) is None
    # Lengths that add up but cut the rows in the wrong place: found when a card is built.
    replace_snapshot(store, pack(keys, rows, [total - 1, 1], **kept))
    got = cached(store, path)
    assert got is not None
    with pytest.raises(ValueError):
        got.cards[0]
    replace_snapshot(store, good)
    assert cached(store, path) is not None


def test_lint_settings_and_sources_survive_the_snapshot(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "silenced.yaml"
    path.write_text(SILENCED, encoding="utf-8")
    parsed = open_ok(store, path)
    got = cached(store, path)
    assert got is not None
    assert_same_deck(got, parsed)
    assert got.lint_ignore == ("long-answer",)
    assert got.cards[0].lint_ignore == ("short-front",)
    assert got.cards[1].source is not None and got.cards[1].source.section == "Article 4"


def test_a_deck_synced_before_snapshots_is_parsed_once_more(
    store: Store, tmp_path: Path, parses: list[str]
) -> None:
    path = tmp_path / "silenced.yaml"
    path.write_text(SILENCED, encoding="utf-8")
    parsed = open_ok(store, path)
    # As a database upgraded from before the snapshot column has it.
    with store.conn:
        store.conn.execute("UPDATE decks SET snapshot = NULL")
    assert cached(store, path) is None
    again = open_ok(store, path, NOW + timedelta(days=1))
    assert_same_deck(again, parsed)
    third = open_ok(store, path, NOW + timedelta(days=2))
    assert_same_deck(third, parsed)
    assert parses == [str(path), str(path)]


@pytest.mark.parametrize(
    "snapshot",
    [
        "not json",
        "[]",
        '{"lint_ignore": [], "cards": {"count": 5, "groups": {}}}',
        '{"lint_ignore": [], "cards": {"count": 1, "groups": {"flashcard": '
        '{"at": [0], "rows": [["one"]]}}}}',
        '{"lint_ignore": [], "cards": {"count": 1, "groups": {"essay": '
        '{"at": [0], "rows": [[]]}}}}',
        # Text, as snapshots of earlier versions were.
        '{"format": 5, "lint_ignore": [], "keys": "one", "variants": [], "lengths": [3]}\n[]\n',
        # The current format, damaged: more items than cards, a variant of no card, a keys
        # size past the end, lengths cut short, a format this version does not know.
        pack(["a", "b"], [b"[]"]),
        pack(["a"], [b"[]"], variants=[[4, "c1"]]),
        pack(["a"], [b"[]"], keys_size=99),
        pack(["a"], [b"[]"])[:-5],
        pack(["a"], [b"[]"], format=99),
    ],
)
def test_a_snapshot_that_cannot_be_read_means_parsing_the_file_again(
    store: Store, tmp_path: Path, snapshot: str | bytes, parses: list[str]
) -> None:
    path = tmp_path / "silenced.yaml"
    path.write_text(SILENCED, encoding="utf-8")
    parsed = open_ok(store, path)
    review = ReviewRecord(
        id="r1",
        learner="ada",
        deck_id="silenced",
        item_key="one",
        card_id="one",
        reviewed_at=NOW,
        rating=int(Rating.GOOD),
        outcome=None,
        response=None,
        duration_ms=1000,
        first=True,
        state_before=None,
        state_after=Scheduler().review(Scheduler.new_state(NOW), Rating.GOOD, NOW),
    )
    store.record_review(review)
    with store.conn:
        store.conn.execute("UPDATE decks SET snapshot = ?", (snapshot,))
    assert cached(store, path) is None
    again = open_ok(store, path, NOW + timedelta(days=1))
    assert_same_deck(again, parsed)
    assert parses == [str(path), str(path)]
    # The sync that followed wrote a good snapshot and kept the learner's progress.
    assert cached(store, path) is not None
    assert list(store.states("ada", "silenced")) == ["one"]


def test_the_collector_is_paused_and_restored() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        gc.enable()
        with pytest.raises(KeyError), collector_paused():
            raise KeyError("boom")
        assert gc.isenabled()
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def test_objects_frozen_on_purpose_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with collector_paused():
            kept = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen
        assert len(kept) == 1000
    finally:
        gc.unfreeze()


HEAD = 'deck: mine\ntitle: "T"\ncards: '
TOO_DEEP = f"nested more than {MAX_NESTING} levels deep (decks need 4)"


def problems(text: str) -> list[str]:
    deck, found = parse_deck(text, "f.yaml")
    assert deck is None
    return [str(p) for p in found]


def test_an_empty_list_one_level_too_deep_is_refused_at_its_place() -> None:
    # The deck's mapping is level 1, so the list at level 33 is the 32nd "[" after "cards: ".
    text = HEAD + "[" * MAX_NESTING + "]" * MAX_NESTING + "\n"
    assert problems(text) == [f"f.yaml:3:{8 + MAX_NESTING - 1}: error: {TOO_DEEP}"]


def test_nesting_at_the_limit_is_not_refused_for_its_depth() -> None:
    text = HEAD + "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1) + "\n"
    assert not any(TOO_DEEP in p for p in problems(text))


def test_the_first_of_several_too_deep_places_is_reported() -> None:
    # An empty list at level 33, then a deeper one: the first one is the problem's place.
    inner = "[" * 5 + "]" * 5
    text = HEAD + "[" * (MAX_NESTING - 1) + "[], " + inner + "]" * (MAX_NESTING - 1) + "\n"
    assert problems(text) == [f"f.yaml:3:{8 + MAX_NESTING - 1}: error: {TOO_DEEP}"]


def test_a_too_deep_mapping_key_is_refused_at_its_place() -> None:
    # A complex key at level 33 whose value goes deeper still.
    inner = "[" * 5 + "]" * 5
    text = HEAD + "[" * (MAX_NESTING - 2) + "{? [] : " + inner + "}" + "]" * (MAX_NESTING - 2)
    column = 8 + (MAX_NESTING - 2) + len("{? ")
    assert problems(text + "\n") == [f"f.yaml:3:{column}: error: {TOO_DEEP}"]


def test_too_deep_nesting_before_broken_yaml_is_the_problem_reported() -> None:
    text = HEAD + "[" * MAX_NESTING + "]" * MAX_NESTING + "\nbad: [\n"
    assert problems(text) == [f"f.yaml:3:{8 + MAX_NESTING - 1}: error: {TOO_DEEP}"]

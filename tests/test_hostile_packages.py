"""Hostile Anki packages: each refused or read in bounded time and memory, in one clear line."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
import zstandard
from bounded import MEGABYTES, SECONDS, run_quiz

from quiz.interchange import InterchangeError
from quiz.interchange.anki import MAX_COLLECTION_BYTES, import_apkg
from quiz.interchange.untrusted import open_untrusted

CLOZE_MODEL = {"1": {"id": 1, "type": 1, "flds": [{"name": "Text", "ord": 0}]}}
DECKS = {"1": {"id": 1, "name": "Default"}}


def collection(
    folder: Path,
    texts: list[str],
    models: str = json.dumps(CLOZE_MODEL),
    cards_view: str | None = None,
) -> Path:
    """A legacy collection (collection.anki2) of cloze notes, or with `cards` as a view."""
    db = folder / "collection.anki2"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE col (models TEXT, decks TEXT)")
    conn.execute("INSERT INTO col VALUES (?, ?)", (models, json.dumps(DECKS)))
    conn.execute("CREATE TABLE notes (id, guid, mid, tags, flds)")
    for number, text in enumerate(texts, start=1):
        conn.execute("INSERT INTO notes VALUES (?, ?, 1, '', ?)", (number, f"g{number}", text))
    if cards_view is None:
        conn.execute("CREATE TABLE cards (nid, ord, did)")
        conn.executemany(
            "INSERT INTO cards VALUES (?, 0, 1)", [(n,) for n in range(1, 1 + len(texts))]
        )
    else:
        conn.execute(f"CREATE VIEW cards AS {cards_view}")
    conn.commit()
    conn.close()
    return db


def package(folder: Path, db: Path) -> Path:
    path = folder / "hostile.apkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(db, "collection.anki2")
    return path


def refused(path: Path, out: Path) -> str:
    """Import in a child process: it must fail within bounds with one line and no file."""
    run = run_quiz("import", str(path), "-o", str(out))
    assert run.code == 1, run
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(f"Error: {path}: "), line
    assert run.seconds <= SECONDS and run.megabytes <= MEGABYTES, run
    assert not out.exists()
    return line


def test_a_page_of_unclosed_cloze_gaps_is_read_at_once(tmp_path: Path) -> None:
    # Before: the cloze pattern backtracked cubically; this took minutes.
    db = collection(tmp_path, ["{{c1::" * 2000, "The {{c1::CSTO}} was founded in {{c2::2002}}."])
    path = package(tmp_path, db)
    assert path.stat().st_size < 2000
    out = tmp_path / "deck.yaml"
    run = run_quiz("import", str(path), "-o", str(out))
    assert run.code == 0, run
    assert run.seconds <= SECONDS and run.megabytes <= MEGABYTES, run
    assert "left out note 1: a cloze without usable gaps" in run.stderr
    assert "{{CSTO}} was founded in {{2002}}" in out.read_text(encoding="utf-8")


def test_a_cards_table_that_is_a_recursive_view_is_refused(tmp_path: Path) -> None:
    # Before: `SELECT ... FROM cards` never ended.
    endless = (
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT n AS nid, 0 AS ord, 1 AS did FROM r"
    )
    db = collection(tmp_path, ["{{c1::a}}"], cards_view=endless)
    line = refused(package(tmp_path, db), tmp_path / "deck.yaml")
    assert "its 'cards' is a view, not a table" in line


def test_endless_work_in_an_untrusted_collection_stops_at_the_step_budget(
    tmp_path: Path,
) -> None:
    db = collection(tmp_path, ["{{c1::a}}"])
    conn = open_untrusted(db)
    try:
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.execute(
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
                "SELECT count(*) FROM r"
            ).fetchone()
        # Read-only and immutable: nothing in the file can be changed through it.
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM notes")
        assert conn.execute("PRAGMA trusted_schema").fetchone() == (0,)
    finally:
        conn.close()


def test_a_zstd_bomb_is_refused_while_it_inflates(tmp_path: Path) -> None:
    # 400 MB of zeros in a few kilobytes, with no size in the frame: before, every byte up to
    # the cap was held in memory (twice, once joined) before it was refused.
    path = tmp_path / "bomb.apkg"
    zeros = bytes(1024 * 1024)
    compressor = zstandard.ZstdCompressor(level=1, write_content_size=False)
    with (
        zipfile.ZipFile(path, "w") as archive,
        archive.open("collection.anki21b", "w") as member,
        compressor.stream_writer(member, closefd=False) as writer,
    ):
        for _ in range(MAX_COLLECTION_BYTES // len(zeros) + 144):
            writer.write(zeros)
    assert path.stat().st_size < 1024 * 1024
    line = refused(path, tmp_path / "deck.yaml")
    assert "the Anki collection is larger than 256 MB once unpacked" in line


def test_a_collection_declared_too_large_is_refused_before_inflating(tmp_path: Path) -> None:
    path = tmp_path / "big.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", b"")
    # The declared size alone says no: nothing is read.
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("collection.anki2")
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (MAX_COLLECTION_BYTES + 1).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert info.file_size == 0
    with pytest.raises(InterchangeError, match="larger than 256 MB once unpacked"):
        import_apkg(path)


@pytest.mark.parametrize("field", ["models", "decks"])
def test_note_type_json_nested_deep_is_refused(tmp_path: Path, field: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    db = collection(tmp_path, ["{{c1::a}}"])
    conn = sqlite3.connect(db)
    conn.execute(f"UPDATE col SET {field} = ?", (deep,))
    conn.commit()
    conn.close()
    # Before: a RecursionError traceback.
    line = refused(package(tmp_path, db), tmp_path / "deck.yaml")
    assert "not a readable Anki database (nested deeper than 32 levels)" in line


def test_html_that_made_the_parser_rescan_is_read_in_linear_time(tmp_path: Path) -> None:
    # Each "<" of a tag that never ends made HTMLParser rescan the rest of the field: before,
    # 36 KB of '<a href="' took 1.7 s and 450 KB more than two minutes.
    fields = ['<a href="' * 50_000, "<a href='" * 50_000, "<!--" * 100_000, "<![CDATA[x>" * 40_000]
    texts = [f"{{{{c1::gap}}}} {field}" for field in fields]
    db = collection(tmp_path, [*texts, "The {{c1::CSTO}} was founded in {{c2::2002}}."])
    path = package(tmp_path, db)
    out = tmp_path / "deck.yaml"
    run = run_quiz("import", str(path), "-o", str(out))
    assert run.code == 0, run
    assert run.seconds <= SECONDS and run.megabytes <= MEGABYTES, run
    assert "{{CSTO}} was founded in {{2002}}" in out.read_text(encoding="utf-8")
    # Each field is past the length of a text field: its note is left out, and said.
    assert "its text has 450,008 characters; at most 20,000 in one text field" in run.stderr


def test_media_names_from_a_package_never_leave_the_media_folder(tmp_path: Path) -> None:
    import json

    from quiz.interchange.anki_media import extract_media

    path = tmp_path / "media.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", b"")
        mapping = {"0": "../evil.png", "1": "ok.png", "2": ".hidden", "3": "a\\b.png"}
        archive.writestr("media", json.dumps(mapping))
        for member in mapping:
            archive.writestr(member, b"data")
    folder = tmp_path / "deck-media"
    written, notes = extract_media(path, {"../evil.png", "ok.png", ".hidden", "a\\b.png"}, folder)
    assert written == ["ok.png"]
    assert sorted(notes) == [
        "media '../evil.png' not unpacked: not a plain file name",
        "media '.hidden' not unpacked: not a plain file name",
        "media 'a\\b.png' not unpacked: not a plain file name",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck-media", "media.apkg"]
    assert [p.name for p in folder.iterdir()] == ["ok.png"]

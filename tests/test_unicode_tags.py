"""Tags are Unicode words: kept from other tools, loaded, found by `tag:` search and exams."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from interchange_helpers import deck_of, load, run

from quiz.deck.loader import parse_deck
from quiz.deck.schema import deck_schema
from quiz.exams.query import QueryError, parse_query
from quiz.interchange.tags import make_tag
from quiz.library import open_deck
from quiz.store import open_store
from quiz.study.finding import find

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DECK = """\
deck: capitals
title: Capitals
tags: [地理]
cards:
  - id: astana
    front: "Capital of Kazakhstan?"
    back: "Astana"
    tags: [столицы, азия-центральная]
  - id: delhi
    front: "Capital of India?"
    back: "New Delhi"
    tags: [हिन्दी, café-2022]
"""


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Столицы", "столицы"),
        ("Asia::Central", "asia-central"),
        ("Азия::Центральная", "азия-центральная"),
        ("地理", "地理"),
        ("हिन्दी", "हिन्दी"),  # the vowel signs stay in the word
        ("my_tag", "my-tag"),
        ("Cafe\u0301", "café"),  # NFC: the same tag whichever way it was typed
        ("!!!", ""),
        ("★", ""),
    ],
)
def test_tags_are_made_of_words_of_any_script(text: str, tag: str) -> None:
    assert make_tag(text) == tag


def test_unicode_tags_load_and_the_schema_takes_them() -> None:
    deck = deck_of(DECK)
    assert deck.tags == ("地理",)
    assert [c.tags for c in deck.cards] == [
        ("столицы", "азия-центральная"),
        ("हिन्दी", "café-2022"),
    ]
    import yaml

    jsonschema.validate(yaml.safe_load(DECK), deck_schema())


@pytest.mark.parametrize("bad", ["Столицы", "two words", "a--b", "-a", "a_b", "cafe\u0301", "★"])
def test_a_tag_that_is_not_lowercase_words_is_refused(bad: str) -> None:
    text = DECK.replace("[地理]", json.dumps([bad], ensure_ascii=False))
    deck, problems = parse_deck(text, "d.yaml")
    assert deck is None
    assert problems[0].rule == "bad-slug"
    assert "must be lowercase words joined by hyphens" in problems[0].message


def test_tag_search_and_exam_queries_find_unicode_tags(tmp_path: Path) -> None:
    path = tmp_path / "capitals.yaml"
    path.write_text(DECK, encoding="utf-8")
    store = open_store(tmp_path / "quiz.db")
    try:
        deck, problems = open_deck(store, path, NOW)
        assert deck is not None, problems

        def cards(query: str) -> list[str]:
            return [row.card_id for row in find(store, "ann", query, NOW)]

        assert cards("tag:столицы") == ["astana"]
        assert cards("tag:Столицы") == ["astana"]  # as `tag:` is for ASCII tags: any case
        assert cards("tag:азия-*") == ["astana"]
        assert cards("tag:हिन्दी") == ["delhi"]
        assert cards("tag:café-2022") == ["delhi"]
        assert cards("tag:地理") == ["astana", "delhi"]  # the deck's tag
        assert cards("-tag:столицы") == ["delhi"]
    finally:
        store.close()
    assert parse_query("tag:столицы").tags == ("столицы",)
    with pytest.raises(QueryError):
        parse_query("tag:Not_a_tag")


def test_csv_import_keeps_unicode_tags_and_counts_the_ones_it_drops(tmp_path: Path) -> None:
    source = tmp_path / "words.csv"
    source.write_text(
        "front,back,tags\n"
        "Capital of Kazakhstan?,Astana,Столицы ★\n"
        "Capital of Japan?,Tokyo,地理 ★ !!!\n"
        "Capital of Peru?,Lima,★\n",
        encoding="utf-8",
    )
    output = tmp_path / "words.yaml"
    result = run("import", str(source), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert (
        "4 tag(s) on cards left out: a tag needs a letter or a digit: '★' (3), '!!!' (1)"
        in result.stderr
    )
    assert [c.tags for c in load(output).cards] == [("столицы",), ("地理",), ()]


def test_csv_columns_quiz_does_not_read_are_counted(tmp_path: Path) -> None:
    source = tmp_path / "words.csv"
    source.write_text(
        "front,back,hint,tags\nCapital of Peru?,Lima,starts with L,geo\n"
        "Capital of Chad?,N'Djamena,,geo\nCapital of Mali?,Bamako,a river city,,spare\n",
        encoding="utf-8",
    )
    result = run("import", str(source), "-o", str(tmp_path / "words.yaml"))
    assert result.exit_code == 0, result.output
    assert "column 'hint' left out of 2 row(s)" in result.stderr
    assert "column 5 left out of 1 row(s)" in result.stderr


def test_a_row_or_question_past_the_tag_limit_is_left_out_and_said(tmp_path: Path) -> None:
    many = " ".join(f"t{i}" for i in range(101))
    source = tmp_path / "words.csv"
    source.write_text(f"front,back,tags\nPeru?,Lima,{many}\nChad?,N'Djamena,geo\n", "utf-8")
    result = run("import", str(source), "-o", str(tmp_path / "words.yaml"))
    assert result.exit_code == 0, result.output
    assert "words.csv:2: 101 tags" in result.stderr
    assert [c.prompt() for c in load(tmp_path / "words.yaml").cards] == ["Chad?"]
    gift = tmp_path / "bank.gift"
    tags = " ".join(f"[tag:t{i}]" for i in range(101))
    gift.write_text(f"// {tags}\n::a::Peru? {{=Lima}}\n\n::b::Chad? {{=N'Djamena}}\n", "utf-8")
    result = run("import", str(gift), "-o", str(tmp_path / "bank.yaml"))
    assert result.exit_code == 0, result.output
    assert "left out line 2: 101 tags" in result.stderr

"""Hostile and broken decks: one clear `path:line:col: error:` each, and the store untouched."""

from __future__ import annotations

import codecs
import os
import random
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quiz.deck.files import MAX_FILE_BYTES
from quiz.deck.loader import parse_deck
from quiz.deck.yaml_safe import MAX_NESTING
from quiz.library import open_deck
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store import Store, open_store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)

# The deck a learner has been studying; each test turns its file into something hostile.
VALID = """\
deck: mine
title: "My deck"
sources:
  w: {title: "Weitz"}
cards:
  - id: q1
    front: "Where is the secretariat?"
    back: "Moscow"
  - id: q2
    type: true_false
    statement: "The treaty was signed in 1992."
    answer: true
"""


@pytest.fixture
def studied(tmp_path: Path) -> Iterator[tuple[Store, Path]]:
    """A store with progress in the deck file that the test then breaks."""
    store = open_store(tmp_path / "db" / "quiz.db")
    path = tmp_path / "mine.yaml"
    path.write_text(VALID, encoding="utf-8")
    deck, problems = open_deck(store, path, NOW)
    assert deck is not None, problems
    session = StudySession(store, [deck], "ada", clock=lambda: NOW, rng=random.Random(1))
    session.start()
    session.next()
    session.rate(Rating.GOOD)
    session.next()
    session.submit(True)
    assert len(store.reviews("ada")) == 2
    yield store, path
    store.close()


def dump(store: Store) -> list[str]:
    return list(store.conn.iterdump())


def refused(studied: tuple[Store, Path], content: str | bytes) -> list[str]:
    """Write the deck file, open it as quiz does, and return its problems as printed.

    The deck must be refused, and nothing stored may change.
    """
    store, path = studied
    before = dump(store)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    deck, problems = open_deck(store, path, LATER)
    assert deck is None
    assert problems
    assert dump(store) == before
    for problem in problems:
        # One line each, with nothing in it a terminal would act on.
        assert str(problem).isprintable(), problem
        assert str(problem).startswith(f"{path}:")
    return [without_rule(str(p)) for p in problems]


def without_rule(line: str) -> str:
    """A printed problem without its trailing [rule] name, which `quiz check` documents."""
    return re.sub(r" \[[a-z-]+\]$", "", line)


def quiz_study(store: Store, deck: Path) -> list[str]:
    """Run `quiz study DECK` in its own process, as a learner would; return what it printed.

    Its own process, because a crash (a stack overflow in the YAML composer) or a hang (a
    FIFO, a regex gone quadratic) must fail this test, not take the test run down with it.
    """
    assert store.path is not None
    before = dump(store)
    result = subprocess.run(
        [sys.executable, "-m", "quiz", "study", "--db", str(store.path), str(deck)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == "Error: no deck could be loaded"
    assert dump(store) == before
    return [without_rule(line) for line in lines[:-1]]


# YAML that asks for more than data


def test_python_object_tags_are_refused_and_never_run(
    studied: tuple[Store, Path], tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    text = VALID.replace(
        'title: "My deck"', f'title: !!python/object/apply:os.system ["touch {marker}"]'
    )
    path = studied[1]
    assert refused(studied, text) == [
        f"{path}:2:8: error: unsupported YAML tag '!!python/object/apply:os.system'"
    ]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!custom Moscow", "!custom"),
        ("!<tag:example.com,2026:evil> Moscow", "tag:example.com,2026:evil"),
    ],
)
def test_other_unknown_tags_are_refused(
    studied: tuple[Store, Path], value: str, shown: str
) -> None:
    path = studied[1]
    text = VALID.replace('back: "Moscow"', f"back: {value}")
    assert refused(studied, text) == [f"{path}:8:11: error: unsupported YAML tag '{shown}'"]


def laughs(levels: int, width: int) -> str:
    """The "billion laughs": each level a list of aliases to the level before."""
    lines = [f"    items: &l0 [{', '.join(f'lol{i}' for i in range(width))}]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"    items: &l{level} [{refs}]")
    cards = [
        f"  - id: o{i}\n    type: order\n    question: Q\n{line}\n" for i, line in enumerate(lines)
    ]
    return 'deck: mine\ntitle: "My deck"\ncards:\n' + "".join(cards)


def test_the_billion_laughs_is_refused_in_bounded_memory(studied: tuple[Store, Path]) -> None:
    # 10 levels of 10 aliases stand for 10**10 strings; expanded, they would not fit anywhere.
    text = laughs(levels=10, width=10)
    tracemalloc.start()
    try:
        deck, problems = parse_deck(text, "bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert deck is None
    assert peak < 5 * 1024 * 1024, peak
    # One error at each of the 90 aliases, each at its own place.
    assert len(problems) == 90
    assert str(problems[0]) == "bomb.yaml:11:17: error: YAML aliases are not supported in decks"
    assert {p.message for p in problems} == {"YAML aliases are not supported in decks"}

    lines = refused(studied, text)
    assert len(lines) == 90


def test_the_billion_laughs_is_refused_by_quiz_study(
    studied: tuple[Store, Path], tmp_path: Path
) -> None:
    # The classic form, with every level under its own top-level key.
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(VALID + "\n".join(levels) + "\n", encoding="utf-8")
    lines = quiz_study(studied[0], bomb)
    assert lines[0] == f"{bomb}:13:1: error: deck: unknown key 'a0'"
    assert len(lines) == 12


# Size and shape


@pytest.mark.parametrize("style", ["flow", "block"])
def test_very_deep_nesting_is_refused_at_its_place(
    studied: tuple[Store, Path], tmp_path: Path, style: str
) -> None:
    depth = 100_000
    if style == "flow":
        text = 'deck: mine\ntitle: "T"\ncards: ' + "[" * depth + "]" * depth + "\n"
        # The deck's mapping is level 1; the list one too deep is the 32nd "[" after "cards: ".
        place = f"3:{8 + MAX_NESTING - 1}"
    else:
        text = 'deck: mine\ntitle: "T"\ncards:\n' + "- " * depth + "x\n"
        # The 32nd "- " on the line.
        place = f"4:{1 + 2 * (MAX_NESTING - 1)}"
    deep = tmp_path / "deep.yaml"
    deep.write_text(text, encoding="utf-8")
    expected = f"{deep}:{place}: error: nested more than {MAX_NESTING} levels deep (decks need 4)"
    assert quiz_study(studied[0], deep) == [expected]


def test_a_file_over_the_size_limit_is_refused_unread(studied: tuple[Store, Path]) -> None:
    path = studied[1]
    big = VALID + "# " + "x" * (MAX_FILE_BYTES - len(VALID) - 2) + "\n"
    assert len(big.encode()) == MAX_FILE_BYTES + 1
    assert refused(studied, big) == [
        f"{path}: error: file is 20.0 MB; decks are limited to 20 MB"
    ]


def test_a_file_of_exactly_the_limit_loads(studied: tuple[Store, Path]) -> None:
    store, path = studied
    path.write_text(VALID + "#" * (MAX_FILE_BYTES - len(VALID) - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    deck, problems = open_deck(store, path, LATER)
    assert problems == []
    assert deck is not None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_given_as_a_deck_is_refused_without_waiting(
    studied: tuple[Store, Path], tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert quiz_study(studied[0], fifo) == [f"{fifo}: error: is not a regular file"]


def test_a_device_given_as_a_deck_is_refused(studied: tuple[Store, Path], tmp_path: Path) -> None:
    # /dev/zero has no size and never ends.
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert quiz_study(studied[0], link) == [f"{link}: error: is not a regular file"]


def test_a_directory_given_as_a_deck_is_refused(
    studied: tuple[Store, Path], tmp_path: Path
) -> None:
    store, _ = studied
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    before = dump(store)
    deck, problems = open_deck(store, folder, LATER)
    assert deck is None
    assert [str(p) for p in problems] == [f"{folder}: error: is a directory, not a deck file"]
    assert dump(store) == before


@pytest.mark.parametrize("text", ["", "\n\n   \n", "# just a comment\n"])
def test_an_empty_file_is_refused(studied: tuple[Store, Path], text: str) -> None:
    path = studied[1]
    assert refused(studied, text) == [f"{path}: error: the file is empty"]


def test_a_second_document_is_refused(studied: tuple[Store, Path]) -> None:
    path = studied[1]
    assert refused(studied, VALID + "---\ndeck: other\n") == [
        f"{path}:13:1: error: invalid YAML: expected a single document in the stream but "
        "found another document"
    ]


# Encodings, marks and characters


def test_a_file_that_is_not_utf8_is_refused(studied: tuple[Store, Path]) -> None:
    path = studied[1]
    latin1 = VALID.replace("Moscow", "Moskv\u00e1").encode("latin-1")
    assert refused(studied, latin1) == [f"{path}:8:17: error: file is not UTF-8 text (byte 0xe1)"]


@pytest.mark.parametrize(
    ("bom", "encoding", "name"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    ],
)
def test_a_utf16_or_utf32_file_is_named_as_such(
    studied: tuple[Store, Path], bom: bytes, encoding: str, name: str
) -> None:
    path = studied[1]
    assert refused(studied, bom + VALID.encode(encoding)) == [
        f"{path}: error: file is {name} text (it starts with a {name} byte-order mark); "
        "save it as UTF-8"
    ]


def test_a_utf8_byte_order_mark_is_accepted(studied: tuple[Store, Path]) -> None:
    store, path = studied
    plain = open_deck(store, path, NOW)[0]
    path.write_bytes(codecs.BOM_UTF8 * 2 + VALID.encode("utf-8"))
    deck, problems = open_deck(store, path, LATER)
    assert problems == []
    assert deck is not None
    assert deck.cards == plain.cards if plain else False


def test_a_byte_order_mark_inside_text_is_dropped(studied: tuple[Store, Path]) -> None:
    store, path = studied
    path.write_text(VALID.replace('"Moscow"', '"\ufeffMos\ufeffcow"'), encoding="utf-8")
    deck, problems = open_deck(store, path, LATER)
    assert problems == []
    assert deck is not None
    assert deck.cards[0].back == "Moscow"  # type: ignore[attr-defined]


def test_a_byte_order_mark_between_lines_is_named(studied: tuple[Store, Path]) -> None:
    path = studied[1]
    text = VALID.replace("sources:", "\ufeffsources:")
    assert refused(studied, text) == [
        f"{path}:3:2: error: invalid YAML: while parsing a block mapping did not find expected "
        "key (a byte-order mark, U+FEFF, which may only start the file)"
    ]


def test_tabs_in_indentation_are_named(studied: tuple[Store, Path]) -> None:
    path = studied[1]
    text = VALID.replace("    back:", "\tback:")
    assert refused(studied, text) == [
        f"{path}:8:1: error: invalid YAML: while scanning for the next token found character "
        "that cannot start any token (a tab: YAML indents with spaces only)"
    ]


def test_a_tab_after_a_colon_is_fine(studied: tuple[Store, Path]) -> None:
    store, path = studied
    path.write_text(VALID.replace('back: "Moscow"', 'back:\t"Moscow"'), encoding="utf-8")
    deck, problems = open_deck(store, path, LATER)
    assert problems == []
    assert deck is not None


def test_a_control_character_is_refused_at_its_place(studied: tuple[Store, Path]) -> None:
    path = studied[1]
    text = VALID.replace("Where is", "Whéré\x00 is")
    assert refused(studied, text) == [
        f"{path}:7:18: error: U+0000 is a control character, which YAML does not allow"
    ]


def test_terminal_escapes_in_a_message_are_shown_not_sent(studied: tuple[Store, Path]) -> None:
    # An unknown key is quoted in the message: its escapes must not reach the terminal.
    path = studied[1]
    text = VALID.replace("cards:", '"\\e]52;c;aGk=\\a\\e[2J\\u202eevil\\nkey": 1\ncards:')
    assert refused(studied, text) == [
        f"{path}:5:1: error: deck: unknown key '\\x1b]52;c;aGk=\\x07\\x1b[2J\\u202eevil key'"
    ]


# Duplicate keys


def test_duplicate_keys_are_refused(studied: tuple[Store, Path]) -> None:
    path = studied[1]
    text = VALID.replace('title: "My deck"', 'title: "My deck"\ntitle: "Another"').replace(
        '    back: "Moscow"', '    back: "Moscow"\n    back: "Minsk"'
    )
    assert refused(studied, text) == [
        f"{path}:3:1: error: deck file: duplicate key 'title' (first on line 2)",
        f"{path}:10:5: error: card #1: duplicate key 'back' (first on line 9)",
    ]


# Text that takes the loader a long time


def test_a_cloze_full_of_unclosed_gaps_is_refused_quickly(
    studied: tuple[Store, Path], tmp_path: Path
) -> None:
    # Matching "{{...}}" from every "{{" to the end was quadratic: a megabyte took hours.
    cloze = tmp_path / "cloze.yaml"
    cloze.write_text(
        'deck: mine\ntitle: "T"\ncards:\n  - id: z\n    type: cloze\n    text: "'
        + "{{" * 500_000
        + '"\n',
        encoding="utf-8",
    )
    # Now refused by the length limit before any gap is looked for; under it, the same.
    assert quiz_study(studied[0], cloze) == [
        f"{cloze}:6:11: error: card 'z': text: 1,000,000 characters; at most 20,000 in one "
        "text field"
    ]
    cloze.write_text(
        'deck: mine\ntitle: "T"\ncards:\n  - id: z\n    type: cloze\n    text: "'
        + "{{" * 250
        + '"\n',
        encoding="utf-8",
    )
    assert quiz_study(studied[0], cloze) == [
        f"{cloze}:6:11: error: card 'z': text has no gaps; write them as {{{{answer}}}}",
        f"{cloze}:6:12: error: card 'z': text has an unclosed '{{{{' or a stray '}}}}'",
    ]


def test_a_long_list_is_checked_for_repeats_in_linear_time(
    studied: tuple[Store, Path], tmp_path: Path
) -> None:
    # Each item was compared with all before it: 40,000 items took 24 s, 100,000 minutes.
    items = tmp_path / "items.yaml"
    items.write_text(
        'deck: Mine!\ntitle: "T"\ncards:\n  - id: o\n    type: order\n    question: Q\n'
        "    items:\n" + "".join(f"      - item {i}\n" for i in range(100_000)),
        encoding="utf-8",
    )
    assert quiz_study(studied[0], items) == [
        f"{items}:1:7: error: deck id 'Mine!' must be a slug like 'csto-basics'",
        f"{items}:8:7: error: card 'o': 100,000 items to order; at most 99 in one order card",
    ]


# The wrong type in every field

BASE = {
    "flashcard": {"front": "F", "back": "B", "reverse": "true"},
    "choice": {"question": "Q", "choices": "[a, b]", "answer": "a", "shuffle": "false"},
    "true_false": {"statement": "S", "answer": "true"},
    "cloze": {"text": '"x {{y}}"'},
    "typed": {"question": "Q", "answer": "A", "accept": "[a]"},
    "numeric": {"question": "Q", "answer": "1", "tolerance": "1", "unit": "u"},
    "order": {"question": "Q", "items": "[a, b]"},
    "match": {"question": "Q", "pairs": "{a: b, c: d}"},
}
COMMON = {"explanation": "E", "source": "w", "tags": "[t]"}
LIST_FIELDS = {"choices", "items", "accept", "tags"}
BOOLEAN_FIELDS = {"reverse", "shuffle"}


def card_cases() -> Iterator[tuple[str, str, str, str, str]]:
    """(card type, field, wrong value, the message's column, the message) for every field."""
    for card_type, fields in BASE.items():
        for field in (*fields, *COMMON):
            boolean = field in BOOLEAN_FIELDS or (card_type == "true_false" and field == "answer")
            number = card_type == "numeric" and field in ("answer", "tolerance")
            colon = ":" if field not in COMMON else ""
            name = f"card 'q'{colon} {field}"
            column = str(len(field) + 7)
            if field in LIST_FIELDS:
                yield card_type, field, "just text", column, f"{name} must be a list"
                yield (
                    card_type,
                    field,
                    "[[x], y]",
                    str(int(column) + 1),
                    (f"{name} entry must be text, not a list"),
                )
            elif field == "pairs":
                yield card_type, field, "[a, b]", column, f"{name} must be a mapping"
                yield (
                    card_type,
                    field,
                    "{a: [x], b: y}",
                    str(int(column) + 4),
                    ("card 'q': pair 'a' must be text, not a list"),
                )
            else:
                kind = "text"
                if boolean:
                    kind = "true or false"
                elif number:
                    kind = "a number or a percentage" if field == "tolerance" else "a number"
                value = "{x: y}" if field == "answer" and card_type == "choice" else "[x]"
                found = "a mapping" if value.startswith("{") else "a list"
                yield card_type, field, value, column, f"{name} must be {kind}, not {found}"


CARD_CASES = list(card_cases())


@pytest.mark.parametrize(
    ("card_type", "field", "value", "column", "message"),
    CARD_CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CARD_CASES],
)
def test_the_wrong_type_in_any_card_field(
    studied: tuple[Store, Path], card_type: str, field: str, value: str, column: str, message: str
) -> None:
    path = studied[1]
    fields = {**BASE[card_type], **COMMON, field: value}
    body = "".join(f"    {k}: {v}\n" for k, v in fields.items())
    text = (
        f"deck: mine\ntitle: T\nsources: {{w: {{title: W}}}}\ncards:\n"
        f"  - id: q\n    type: {card_type}\n{body}"
    )
    line = 7 + list(fields).index(field)
    expected = [f"{path}:{line}:{column}: error: {message}"]
    if field == "choices":
        # Without its choices, the card's answer is not one of them either.
        expected.append(f"{path}:9:13: error: card 'q': answer 'a' is not one of the choices")
    assert refused(studied, text) == expected


def deck_text(**lines: str) -> str:
    """A small valid deck, with some of its top-level entries written otherwise."""
    parts = {
        "deck": "deck: mine",
        "title": 'title: "My deck"',
        "more": "",
        "cards": "cards:\n  - id: q1\n    front: F\n    back: B",
    }
    parts.update(lines)
    return "\n".join(p for p in parts.values() if p) + "\n"


DECK_CASES = [
    (deck_text(deck="deck: [mine]"), "1:7", "deck id must be text, not a list"),
    (deck_text(title='title: {"My": deck}'), "2:8", "title must be text, not a mapping"),
    (deck_text(more="description: [a]"), "3:14", "description must be text, not a list"),
    (deck_text(more="sources: [w]"), "3:10", "sources must be a mapping"),
    (deck_text(more="sources: {w: [x]}"), "3:14", "source 'w' must be a mapping"),
    (
        deck_text(more="sources: {w: {title: [x]}}"),
        "3:22",
        "source 'w' title must be text, not a list",
    ),
    (deck_text(more="tags: history"), "3:7", "deck tags must be a list"),
    (deck_text(more="tags: [[history]]"), "3:8", "deck tags entry must be text, not a list"),
    (deck_text(more="settings: 20"), "3:11", "settings must be a mapping"),
    (
        deck_text(more="settings: {new_per_day: [20]}"),
        "3:25",
        "new_per_day must be a number, not a list",
    ),
    (
        deck_text(more="settings: {reviews_per_day: many}"),
        "3:29",
        "reviews_per_day must be a number, not 'many'",
    ),
    (
        deck_text(more="settings: {desired_retention: {a: 1}}"),
        "3:31",
        "desired_retention must be a number, not a mapping",
    ),
    (deck_text(cards="cards: q1"), "3:8", "cards must be a list"),
    (deck_text(cards="cards: [q1]"), "3:9", "card #1 must be a mapping"),
    (
        deck_text(cards="cards:\n  - id: [q1]\n    front: F\n    back: B"),
        "4:9",
        "card #1 id must be text, not a list",
    ),
]


@pytest.mark.parametrize(
    ("text", "place", "message"), DECK_CASES, ids=[c[2].split(" must")[0] for c in DECK_CASES]
)
def test_the_wrong_type_in_any_deck_field(
    studied: tuple[Store, Path], text: str, place: str, message: str
) -> None:
    path = studied[1]
    errors = [line for line in refused(studied, text) if ": error: " in line]
    assert errors == [f"{path}:{place}: error: {message}"]

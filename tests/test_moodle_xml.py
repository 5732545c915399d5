"""Moodle XML: checked against the structure Moodle's documentation gives, and round-tripped.

No Moodle XML parser of Moodle's own runs offline, so the export is checked element by element
against docs.moodle.org's "Moodle XML format" and the question types' rules Moodle enforces
when it saves a question (weights from its list, adding up to 100%; three matching pairs).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from interchange_helpers import load, run

from quiz.deck.model import Card, Choice, Cloze, Deck, Match, Numeric, Order, TrueFalse, Typed
from quiz.interchange.front_back import with_source
from quiz.interchange.moodle_xml import export_moodle_xml
from quiz.library import bundled_decks_dir

STRESS = Path(__file__).parent / "fixtures" / "gift-stress.yaml"
DECKS = [STRESS, *sorted(bundled_decks_dir().glob("*.yaml"))]
# The grades Moodle offers for an answer, in percent.
GRADES = {100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
          14.28571, 12.5, 11.11111, 10, 5, 0}  # fmt: skip
COMMON = ("name/text", "questiontext/text", "generalfeedback", "defaultgrade", "penalty", "hidden")
TYPES = {
    "choice": "multichoice",
    "true_false": "truefalse",
    "typed": "shortanswer",
    "numeric": "numerical",
    "match": "matching",
    "order": "ordering",
    "cloze": "cloze",
}


def _html(element: ET.Element | None) -> str:
    assert element is not None
    return unescape((element.findtext("text") or "").replace("<br>", "\n"))


def check_question(question: ET.Element, card: Card, deck: Deck) -> None:
    """One question against Moodle's documented structure and its rules, and against the card."""
    assert question.get("type") == TYPES[card.type]
    for path in COMMON:
        assert question.find(path) is not None, (card.id, path)
    assert question.findtext("name/text") == card.id
    assert question.find("questiontext").get("format") == "html"  # type: ignore[union-attr]
    # The source follows the explanation in Moodle's one general feedback.
    assert _html(question.find("generalfeedback")) == with_source(deck, card)
    answers = question.findall("answer")
    fractions = [float(a.get("fraction", "x")) for a in answers]
    match card:
        case Choice():
            assert _html(question.find("questiontext")) == card.question
            assert [_html(a) for a in answers] == list(card.choices)
            single = question.findtext("single")
            assert single == ("false" if card.multiple else "true")
            positive = [f for f in fractions if f > 0]
            assert sum(positive) == pytest.approx(100, abs=0.001)
            assert all(f in GRADES or f == -100 for f in fractions)
            right = [_html(a) for a, f in zip(answers, fractions, strict=True) if f > 0]
            assert right == [c for c in card.choices if c in card.answers]
        case TrueFalse():
            assert [(a.findtext("text"), f) for a, f in zip(answers, fractions, strict=True)] == (
                [("true", 100), ("false", 0)] if card.answer else [("true", 0), ("false", 100)]
            )
        case Typed():
            assert question.findtext("usecase") in ("0", "1")
            assert [a.findtext("text") for a in answers] == list(
                dict.fromkeys((card.answer, *card.accept))
            )
            assert set(fractions) == {100}
        case Numeric():
            (answer,) = answers
            assert float(answer.findtext("text") or "x") == pytest.approx(card.answer)
            assert float(answer.findtext("tolerance") or "x") == pytest.approx(
                card.allowed_error()
            )
        case Match():
            subs = question.findall("subquestion")
            assert len(subs) >= 3  # Moodle: at least two questions and three answers
            assert [(_html(s), s.findtext("answer/text")) for s in subs] == list(card.pairs)
        case Order():
            for tag in ("layouttype", "selecttype", "selectcount", "gradingtype"):
                assert question.find(tag) is not None, tag
            assert [_html(a) for a in answers] == list(card.items)
        case Cloze():
            text = question.findtext("questiontext/text") or ""
            assert text.count("{1:SHORTANSWER:") == len(card.gaps)
        case _:
            raise AssertionError(card.type)


@pytest.mark.parametrize("path", DECKS, ids=lambda p: p.stem)
def test_export_has_moodles_structure(path: Path) -> None:
    deck = load(path)
    notes: list[str] = []
    data, skipped = export_moodle_xml(deck, notes)
    root = ET.fromstring(data)
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == f"$course$/{deck.title}"
    written = [c for c in deck.cards if c.type != "flashcard" and not (
        c.type == "choice" and len(c.answers) > 20)]  # type: ignore[attr-defined]  # fmt: skip
    assert skipped.get("flashcard", 0) == sum(c.type == "flashcard" for c in deck.cards)
    assert len(questions) == len(written)
    for question, card in zip(questions, written, strict=True):
        check_question(question, card, deck)
        tags = [t.findtext("text") for t in question.findall("tags/tag")]
        assert tags == list(dict.fromkeys((*card.tags, *deck.tags)))


@pytest.mark.parametrize("path", DECKS, ids=lambda p: p.stem)
def test_moodle_xml_to_quiz_to_moodle_xml_is_stable(path: Path, tmp_path: Path) -> None:
    deck = load(path)
    first, _ = export_moodle_xml(deck)
    source = tmp_path / "bank.xml"
    source.write_bytes(first)
    result = run("import", str(source), "-o", str(tmp_path / "again.yaml"))
    assert result.exit_code == 0, result.output
    again = load(tmp_path / "again.yaml")
    assert again.title == deck.title
    second, _ = export_moodle_xml(again)
    # Only the comment naming the deck id differs.
    assert second.replace(b"'again'", b"'x'") == first.replace(f"'{deck.id}'".encode(), b"'x'")


BANK = """\
<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/CSTO/History</text></category></question>
  <question type="multichoice">
    <name><text>Founding year</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>When was the <b>treaty</b> signed?</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>In Tashkent.</p>]]></text></generalfeedback>
    <single>true</single>
    <answer fraction="100"><text>1992</text><feedback><text>Yes</text></feedback></answer>
    <answer fraction="0"><text>2002</text></answer>
    <answer fraction="0"><text>1999</text></answer>
    <tags><tag><text>treaty</text></tag></tags>
  </question>
  <question type="essay">
    <name><text>Essay</text></name>
    <questiontext format="html"><text>Discuss.</text></questiontext>
  </question>
  <question type="category"><category><text>$course$/CSTO/Members</text></category></question>
  <question type="numerical">
    <name><text>Troops</text></name>
    <questiontext format="moodle_auto_format"><text>How many troops?</text></questiontext>
    <answer fraction="100"><text>2500</text><tolerance>250</tolerance></answer>
    <answer fraction="50"><text>2500</text><tolerance>500</tolerance></answer>
  </question>
  <question type="cloze">
    <name><text>Members</text></name>
    <questiontext format="html"><text><![CDATA[<p>The CSTO has {1:NUMERICAL:=6:0} members;
its seat is {1:MULTICHOICE:=Moscow~Minsk~Astana}.</p>]]></text></questiontext>
  </question>
  <question type="ordering">
    <name><text>Order</text></name>
    <questiontext format="html"><text>Oldest first</text></questiontext>
    <answer fraction="1"><text>Treaty</text></answer>
    <answer fraction="2"><text>Organisation</text></answer>
    <answer fraction="3"><text>Peacekeepers</text></answer>
  </question>
</quiz>
"""


def test_a_moodle_bank_imports_with_what_was_left_out_said(tmp_path: Path) -> None:
    source = tmp_path / "bank.xml"
    source.write_text(BANK, encoding="utf-8")
    result = run("import", str(source), "-o", str(tmp_path / "bank.yaml"))
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "4 card(s)" in err
    assert "left out question 2 (Essay): a question of type 'essay': quiz has no such card" in err
    assert "question 3 (Troops): only the first of 1 numeric answers kept" not in err
    assert "question 4 (Members): the wrong choices of 1 multiple-choice gap(s) left out" in err
    deck = load(tmp_path / "bank.yaml")
    pick, troops, members, order = (c.to_dict() for c in deck.cards)
    assert (pick["id"], pick["question"], pick["answers"]) == (
        "founding-year", "When was the treaty signed?", ("1992",)
    )  # fmt: skip
    assert pick["explanation"] == "In Tashkent."
    assert deck.tags == ("csto",)  # every card is in it
    assert pick["tags"] == ("treaty", "history")
    assert (troops["answer"], troops["tolerance"]) == (2500, 250)
    assert members["text"] == "The CSTO has {{6}} members; its seat is {{Moscow}}."
    assert order["items"] == ("Treaty", "Organisation", "Peacekeepers")
    assert order["tags"] == ("members",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<quiz><question", "not well-formed XML"),
        ("<questions/>", "not Moodle XML: the root element is <questions>"),
        (
            '<!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>',
            "refused: Moodle XML has no DOCTYPE or ENTITY declarations",
        ),
        (
            '<quiz><question type="essay"><name><text>E</text></name></question></quiz>',
            "no question could be imported",
        ),
    ],
)
def test_bad_moodle_xml_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "bank.xml"
    source.write_text(content, encoding="utf-8")
    result = run("import", str(source), "-o", str(tmp_path / "bank.yaml"))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert message in line, line
    assert not (tmp_path / "bank.yaml").exists()


def test_a_text_of_unclosed_embedded_answers_is_read_at_once(tmp_path: Path) -> None:
    import time

    text = "{1:SHORTANSWER:" * 100_000
    source = tmp_path / "bank.xml"
    source.write_text(
        '<quiz><question type="cloze"><name><text>c</text></name>'
        f'<questiontext format="html"><text>{text}</text></questiontext></question></quiz>',
        encoding="utf-8",
    )
    start = time.monotonic()
    result = run("import", str(source), "-o", str(tmp_path / "bank.yaml"))
    assert time.monotonic() - start < 10
    assert result.exit_code == 1
    assert "a cloze question without embedded answers" in result.stderr

"""Moodle XML, Moodle's richest exchange format: every card type it has, export and import."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, assert_never

from quiz.deck.cloze import escape as cloze_escape
from quiz.deck.limits import past_limits
from quiz.deck.model import (
    Card,
    Choice,
    Cloze,
    Deck,
    Flashcard,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.deck.text import slugify
from quiz.interchange import InterchangeError
from quiz.interchange.deck_yaml import ImportedDeck, number_text
from quiz.interchange.front_back import number, with_source
from quiz.interchange.gift import select_all_weights
from quiz.interchange.html_text import html_to_text
from quiz.interchange.tags import TagMaker

MAX_BYTES = 64 * 1024 * 1024
# In an embedded (cloze) answer these characters are Moodle's syntax unless escaped.
_CLOZE_SPECIAL = re.compile(r'([\\}#~/"])')
# An embedded answer ends at the first "}" and holds no unescaped "{": a text of unclosed
# ones is read in one pass.
_EMBEDDED = re.compile(r"\{(\d*):([A-Z_]+):((?:[^\\{}]|\\.)*)\}")
_TOLERANCE = re.compile(r"^(.*?):(-?[\d.]+)$")


# --- Export ----------------------------------------------------------------------------------


def _html(text: str) -> str:
    """Plain text as Moodle's HTML format shows it as typed."""
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag)
    if fmt is not None:
        element.set("format", fmt)
    ET.SubElement(element, "text").text = _html(value) if fmt == "html" else value
    return element


def _answer(parent: ET.Element, fraction: str, value: str, fmt: str = "html") -> ET.Element:
    answer = _text(parent, "answer", value, fmt)
    answer.set("fraction", fraction)
    ET.SubElement(ET.SubElement(answer, "feedback", format="html"), "text").text = ""
    return answer


def _question(root: ET.Element, kind: str, name: str, text: str, card: Card) -> ET.Element:
    question = ET.SubElement(root, "question", type=kind)
    ET.SubElement(ET.SubElement(question, "name"), "text").text = name
    _text(question, "questiontext", text)
    _text(question, "generalfeedback", _feedback(card))
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = name
    return question


def _feedback(card: Card) -> str:
    return card.explanation or ""


def _tags(question: ET.Element, tags: Iterable[str]) -> None:
    tags = list(tags)
    if tags:
        element = ET.SubElement(question, "tags")
        for tag in tags:
            ET.SubElement(ET.SubElement(element, "tag"), "text").text = tag


def _cloze_answer(text: str) -> str:
    # Every answer carries its weight, so one starting with '%' or '=' is never misread.
    return "%100%" + _CLOZE_SPECIAL.sub(r"\\\1", text)


def _add(root: ET.Element, card: Card, notes: list[str]) -> ET.Element | None:
    """The card as a Moodle question, or None for a type Moodle does not have."""
    match card:
        case Choice():
            question = _question(root, "multichoice", card.id, card.question, card)
            ET.SubElement(question, "single").text = "false" if card.multiple else "true"
            ET.SubElement(question, "shuffleanswers").text = "true"
            ET.SubElement(question, "answernumbering").text = "abc"
            if card.multiple:
                weights = select_all_weights(len(card.answers))
                if weights is None:
                    root.remove(question)
                    notes.append(f"left out {card.id}: more than 20 right answers add up past 100%")
                    return None
                if len(set(weights)) > 1:
                    notes.append(f"{card.id}: its right answers weigh 10% or 5%, not all the same")
                shares = iter(weights)
                for choice in card.choices:
                    _answer(question, next(shares) if choice in card.answers else "-100", choice)
            else:
                for choice in card.choices:
                    _answer(question, "100" if choice in card.answers else "0", choice)
            return question
        case TrueFalse():
            question = _question(root, "truefalse", card.id, card.statement, card)
            _answer(question, "100" if card.answer else "0", "true", "moodle_auto_format")
            _answer(question, "0" if card.answer else "100", "false", "moodle_auto_format")
            return question
        case Typed():
            question = _question(root, "shortanswer", card.id, card.question, card)
            ET.SubElement(question, "usecase").text = "0"
            for answer in dict.fromkeys((card.answer, *card.accept)):
                _answer(question, "100", answer, "moodle_auto_format")
            return question
        case Numeric():
            unit = f" ({card.unit})" if card.unit else ""
            question = _question(root, "numerical", card.id, card.question + unit, card)
            value = _answer(question, "100", number(card.answer), "moodle_auto_format")
            ET.SubElement(value, "tolerance").text = number(card.allowed_error())
            return question
        case Match():
            if len(card.pairs) < 3:
                notes.append(f"left out {card.id}: Moodle needs three pairs in a matching question")
                return None
            question = _question(root, "matching", card.id, card.question, card)
            ET.SubElement(question, "shuffleanswers").text = "true"
            for left, right in card.pairs:
                sub = _text(question, "subquestion", left)
                ET.SubElement(ET.SubElement(sub, "answer"), "text").text = right
            return question
        case Order():
            question = _question(root, "ordering", card.id, card.question, card)
            for tag, setting in (
                ("layouttype", "VERTICAL"),
                ("selecttype", "ALL"),
                ("selectcount", "0"),
                ("gradingtype", "ABSOLUTE_POSITION"),
                ("showgrading", "SHOW"),
                ("numberingstyle", "none"),
            ):
                ET.SubElement(question, tag).text = setting
            for item in card.items:
                _answer(question, "1.0000000", item)
            return question
        case Cloze():
            parts = [_html(card.segments[0])]
            for index, answers in enumerate(card.gaps):
                embedded = "~".join(_cloze_answer(a) for a in answers)
                parts += [f"{{1:SHORTANSWER:{embedded}}}", _html(card.segments[index + 1])]
            question = _question(root, "cloze", card.id, "", card)
            text_element = question.find("questiontext/text")
            assert text_element is not None  # _question wrote it
            text_element.text = "".join(parts)
            return question
        case Flashcard():
            return None
        case _:
            assert_never(card)


def export_moodle_xml(deck: Deck, notes: list[str] | None = None) -> tuple[bytes, Counter[str]]:
    """The deck as Moodle XML, and how many cards of each type Moodle had no question type for."""
    notes = [] if notes is None else notes
    root = ET.Element("quiz")
    root.append(ET.Comment(f" Exported from the quiz deck '{deck.id}' by quiz export "))
    category = ET.SubElement(root, "question", type="category")
    ET.SubElement(ET.SubElement(category, "category"), "text").text = f"$course$/{deck.title}"
    skipped: Counter[str] = Counter()
    for card in deck.cards:
        before = len(notes)
        # Moodle has one general feedback: the source goes after the explanation.
        question = _add(root, replace(card, explanation=with_source(deck, card) or None), notes)
        if question is None:
            if len(notes) == before:
                skipped[card.type] += 1
            continue
        _tags(question, dict.fromkeys((*card.tags, *deck.tags)))
    ET.indent(root, "  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "utf-8") + b"\n", skipped


# --- Import ----------------------------------------------------------------------------------


def _read(path: Path) -> ET.Element:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InterchangeError(f"cannot read file: {exc.strerror}") from exc
    if len(data) > MAX_BYTES:
        raise InterchangeError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    # Moodle never writes a DTD; one in a stranger's file could only define entities.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InterchangeError("refused: Moodle XML has no DOCTYPE or ENTITY declarations")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InterchangeError(f"not well-formed XML: {exc}", exc.position[0]) from exc
    if root.tag != "quiz":
        raise InterchangeError(f"not Moodle XML: the root element is <{root.tag}>, not <quiz>")
    return root


def _value(element: ET.Element | None, path: str = "text") -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "") if found is not None else ""


def _shown(element: ET.Element | None) -> str:
    """A text element as Moodle shows it, as plain text."""
    if element is None:
        return ""
    text = _value(element)
    fmt = element.get("format", "html")
    if fmt == "html":
        return _html_text(text)
    if fmt == "moodle_auto_format":  # HTML allowed, and a line break is one
        return html_to_text(text)
    return text.strip()


def _fraction(element: ET.Element) -> float:
    try:
        return float(element.get("fraction", "0"))
    except ValueError:
        return 0.0


class _Skip(Exception):
    """A question quiz cannot take, with the reason."""


def import_moodle_xml(path: Path) -> ImportedDeck:
    """Read a Moodle XML file: the types quiz has; the others reported by their place."""
    root = _read(path)
    questions = root.findall("question")
    categories = [
        _value(q.find("category")) for q in questions if q.get("type") == "category"
    ]
    names = [_category_names(c) for c in categories]
    title = (names[0] or [path.stem])[-1] if len(categories) == 1 else path.stem
    imported = ImportedDeck(title=title)
    maker = TagMaker()
    category: list[str] = []
    number = 0
    for question in questions:
        kind = question.get("type", "")
        if kind == "category":
            category = _category_names(_value(question.find("category")))
            continue
        number += 1
        name = _value(question.find("name")).strip()
        where = f"question {number}" + (f" ({name})" if name else "")
        try:
            card = _card(question, kind, imported.notes, where)
        except _Skip as why:
            imported.skipped.append(f"{where}: {why}")
            continue
        if slugify(name):
            card["id"] = slugify(name)
        feedback = _shown(question.find("generalfeedback"))
        if feedback:
            card["explanation"] = feedback
        tags = [_value(t) for t in question.findall("tags/tag")]
        if len(categories) > 1:
            tags += category
        card_tags = maker.tags(tags)
        if card_tags:
            card["tags"] = card_tags
        if past := past_limits(card):
            imported.skipped.append(f"{where}: {past}")
            continue
        imported.cards.append(card)
    imported.notes.extend(maker.notes())
    if not imported.cards:
        reasons = f" ({imported.skipped[0]})" if imported.skipped else ""
        raise InterchangeError(f"no question could be imported{reasons}")
    return imported


def _category_names(category: str) -> list[str]:
    return [p for p in category.split("/") if p and not (p.startswith("$") and p.endswith("$"))]


def _card(question: ET.Element, kind: str, notes: list[str], where: str) -> dict[str, Any]:
    text = _shown(question.find("questiontext"))
    answers = question.findall("answer")
    if kind == "multichoice":
        choices = [_shown(a) for a in answers]
        if not choices or not all(choices) or len(set(choices)) < len(choices):
            raise _Skip("a multiple choice question with an empty or repeated choice")
        fractions = [_fraction(a) for a in answers]
        right = [c for c, f in zip(choices, fractions, strict=True) if f > 0]
        if not right:
            raise _Skip("a multiple choice question without a right answer")
        single = _value(question, "single").strip().lower() in ("true", "1")
        positive = {f for f in fractions if f > 0}
        if len(positive) > 1 or any(-100 < f < 0 for f in fractions):
            notes.append(f"{where}: weights left out (in quiz every right choice counts the same)")
        card: dict[str, Any] = {"type": "choice", "question": text, "choices": choices}
        if single:
            full = [c for c, f in zip(choices, fractions, strict=True) if f == 100]
            card["answer"] = (full or right)[0]
        else:
            card["answer"] = right
        return card
    if kind == "truefalse":
        right = [_value(a).strip().lower() for a in answers if _fraction(a) == 100]
        if right not in (["true"], ["false"]):
            raise _Skip("a true/false question without one right answer")
        return {"type": "true_false", "statement": text, "answer": right[0] == "true"}
    if kind == "shortanswer":
        full = [_value(a).strip() for a in answers if _fraction(a) == 100]
        if len(full) < len(answers):
            partial = len(answers) - len(full)
            notes.append(f"{where}: {partial} answer(s) with partial credit left out")
        full = [a for a in dict.fromkeys(full) if a]
        if not full:
            raise _Skip("a short answer question without a full-credit answer")
        card = {"type": "typed", "question": text, "answer": full[0]}
        if full[1:]:
            card["accept"] = full[1:]
        return card
    if kind == "numerical":
        exact = [a for a in answers if _fraction(a) == 100]
        if not exact:
            raise _Skip("a numerical question without a full-credit answer")
        if len(exact) > 1:
            notes.append(f"{where}: only the first of {len(exact)} numeric answers kept")
        try:
            value = float(_value(exact[0]))
            tolerance = float(_value(exact[0], "tolerance") or 0)
        except ValueError as exc:
            raise _Skip("a numerical answer quiz cannot read") from exc
        card = {"type": "numeric", "question": text, "answer": number_text(number(value))}
        if tolerance:
            card["tolerance"] = number_text(number(abs(tolerance)))
        return card
    if kind == "matching":
        pairs: dict[str, str] = {}
        for sub in question.findall("subquestion"):
            left, right_text = _shown(sub), _value(sub, "answer/text").strip()
            if not left:
                notes.append(f"{where}: an extra wrong answer '{right_text}' left out")
                continue
            if not right_text or left in pairs:
                raise _Skip("a matching question with an empty or repeated left side")
            pairs[left] = right_text
        if len(pairs) < 2:
            raise _Skip("a matching question with fewer than two pairs")
        return {"type": "match", "question": text, "pairs": pairs}
    if kind == "ordering":
        items = [_shown(a) for a in answers]
        if len(items) < 2 or not all(items) or len(set(items)) < len(items):
            raise _Skip("an ordering question with empty or repeated items")
        return {"type": "order", "question": text, "items": items}
    if kind == "cloze":
        return {"type": "cloze", "text": _cloze_text(question, notes, where)}
    raise _Skip(f"a question of type '{kind}': quiz has no such card")


def _html_text(raw: str) -> str:
    # In HTML a line break in the source is a space; <br> and <p> are the breaks.
    return html_to_text(re.sub(r"[ \t]*\r?\n\s*", " ", raw))


def _segment(raw: str) -> str:
    """A piece of HTML between gaps as text, keeping the spaces that part it from a gap."""
    text = _html_text(raw)
    if not text:
        return " " if raw.strip() == "" and raw else ""
    lead = " " if raw[:1].isspace() else ""
    trail = " " if raw[-1:].isspace() else ""
    return lead + text + trail


def _gap_answers(kind: str, body: str) -> list[str]:
    options = re.split(r"(?<!\\)~", body)
    answers = []
    for option in options:
        weight = re.match(r"^%(-?[\d.]+)%", option)
        if option.startswith("="):
            full, option = True, option[1:]
        elif weight:
            full, option = float(weight.group(1)) == 100, option[weight.end() :]
        else:
            full = len(options) == 1  # an unmarked answer is a wrong one, unless alone
        option = re.split(r"(?<!\\)#", option)[0]
        if kind.startswith("NUMERICAL") or kind == "NM":
            matched = _TOLERANCE.match(option)
            option = matched.group(1) if matched else option
        if full:
            answers.append(re.sub(r"\\(.)", r"\1", option).strip())
    return [a for a in dict.fromkeys(answers) if a]


def _cloze_text(question: ET.Element, notes: list[str], where: str) -> str:
    """A Moodle cloze (embedded answers) as quiz's cloze text, gaps with their right answers."""
    source = _value(question.find("questiontext"))
    out: list[str] = []
    at = 0
    choices = 0
    for found in _EMBEDDED.finditer(source):
        kind, body = found.group(2), found.group(3)
        answers = _gap_answers(kind, body)
        if not answers:
            raise _Skip("a cloze gap without a full-credit answer")
        if any("|" in a or "{{" in a or "}}" in a for a in answers):
            raise _Skip("a cloze answer with '|', '{{' or '}}', which a quiz cloze cannot hold")
        choices += kind.startswith(("MULTICHOICE", "MC", "MULTIRESPONSE", "MR"))
        # Escaped, so that a '::' or a backslash in an answer stays the answer's own.
        gap = "|".join(cloze_escape(a) for a in answers)
        out += [_segment(source[at : found.start()]), "{{" + gap + "}}"]
        at = found.end()
    if not out:
        raise _Skip("a cloze question without embedded answers")
    out.append(_segment(source[at:]))
    if choices:
        notes.append(f"{where}: the wrong choices of {choices} multiple-choice gap(s) left out")
    text = "".join(out).strip()
    if "{{" in re.sub(r"\{\{[^{}]*\}\}", "", text):
        raise _Skip("a cloze question whose text has '{{' of its own")
    return text

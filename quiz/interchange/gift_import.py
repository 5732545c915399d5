"""Moodle GIFT to quiz cards: every question type quiz has, read as Moodle reads it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quiz.deck.cloze import escape as cloze_escape
from quiz.deck.limits import past_limits
from quiz.deck.text import slugify
from quiz.interchange import InterchangeError
from quiz.interchange.csv_format import read_text
from quiz.interchange.deck_yaml import ImportedDeck, number_text
from quiz.interchange.html_text import html_to_text
from quiz.interchange.tags import TagMaker

_FORMATS = ("html", "plain", "moodle", "markdown")
_TAG_COMMENT = re.compile(r"^//\s*((?:\[tag:[^\]]+\]\s*)+)$")
_TAG = re.compile(r"\[tag:([^\]]+)\]")
_NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE = re.compile(rf"^({_NUMBER})(?::({_NUMBER}))?$")
_RANGE = re.compile(rf"^({_NUMBER})\.\.({_NUMBER})$")
_OUR_HEADER = re.compile(r"^// ([^\n]*)\n// Exported from the quiz deck '[a-z0-9-]+' by")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


class Skip(Exception):
    """A question quiz cannot take, with the reason; the rest of the file is imported."""


@dataclass
class _Question:
    line: int
    text: str
    tags: list[str] = field(default_factory=list)
    category: str = ""


def find(text: str, token: str, start: int = 0) -> int:
    """The index of `token` outside backslash escapes, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def split_unescaped(text: str, tokens: str) -> list[tuple[str, str]]:
    """(marker, text) parts where any of the one-character `tokens` starts a part."""
    parts: list[tuple[str, str]] = []
    mark, start, i = "", 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in tokens:
            parts.append((mark, text[start:i]))
            mark, start = text[i], i + 1
        i += 1
    parts.append((mark, text[start:]))
    return parts


def unescape(text: str) -> str:
    """GIFT's escapes undone: \\n a line break, any other escaped character itself."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text, flags=re.S)


def _questions(text: str) -> list[_Question]:
    """The file's questions, each with its first line, its tag comments and its category."""
    out: list[_Question] = []
    lines: list[str] = []
    first = 0
    tags: list[str] = []
    category = ""

    def flush() -> None:
        nonlocal lines, tags
        body = "\n".join(lines).strip()
        if body:
            out.append(_Question(first, body, tags, category))
            tags = []
        lines = []

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("//"):
            found = _TAG_COMMENT.match(stripped)
            if found:
                tags.extend(_TAG.findall(found.group(1)))
            continue
        if not lines and stripped.startswith("$CATEGORY:"):
            category = stripped.removeprefix("$CATEGORY:").strip()
            continue
        if not lines:
            first = number
        lines.append(line)
    flush()
    return out


def import_gift(path: Path) -> ImportedDeck:
    """Read a GIFT file: questions of the types quiz has; the others reported with their line."""
    text = read_text(path)
    questions = _questions(text)
    categories = list(dict.fromkeys(q.category for q in questions if q.category))
    # One category for the whole file names the deck; several become tags. A file quiz wrote
    # names its deck's title in its first line.
    ours = _OUR_HEADER.match(text)
    title = (_category_parts(categories[0]) or [""])[-1] if len(categories) == 1 else path.stem
    if ours:
        title = ours.group(1).strip()
    imported = ImportedDeck(title=title or path.stem)
    maker = TagMaker()
    for question in questions:
        try:
            card = _card(question.text, imported.notes, question.line)
        except Skip as why:
            imported.skipped.append(f"line {question.line}: {why}")
            continue
        tags = list(question.tags)
        if len(categories) > 1:
            tags += _category_parts(question.category)
        card_tags = maker.tags(tags)
        if card_tags:
            card["tags"] = list(dict.fromkeys(card_tags))
        if past := past_limits(card):
            imported.skipped.append(f"line {question.line}: {past}")
            continue
        imported.cards.append(card)
    imported.notes.extend(maker.notes())
    if not imported.cards:
        reasons = f" ({imported.skipped[0]})" if imported.skipped else ""
        raise InterchangeError(f"no question could be imported{reasons}")
    return imported


def _category_parts(category: str) -> list[str]:
    """A category path's names; Moodle's placeholders such as $course$ are not names."""
    return [p for p in category.split("/") if p and not (p.startswith("$") and p.endswith("$"))]


def _card(block: str, notes: list[str], line: int) -> dict[str, Any]:
    """The card a GIFT question becomes; Skip when quiz has no such question type."""
    title = ""
    if block.startswith("::"):
        end = find(block, "::", 2)
        if end < 0:
            raise Skip("the title is not closed with '::'")
        title, block = unescape(block[2:end]).strip(), block[end + 2 :]
    block = block.lstrip()
    markup = "moodle"
    found = re.match(r"^\[(\w+)\]", block)
    if found and found.group(1) in _FORMATS:
        markup, block = found.group(1), block[found.end() :]
    html = markup == "html"

    def shown(text: str) -> str:
        return unshown(text).strip()

    def unshown(text: str) -> str:
        # An [html] text as Moodle shows it; spaces at its ends are kept for a missing word.
        plain = unescape(text)
        if not html:
            return plain
        lead = plain[: len(plain) - len(plain.lstrip())]
        trail = plain[len(plain.rstrip()) :]
        return lead + html_to_text(plain) + trail if plain.strip() else plain

    opened = find(block, "{")
    if opened < 0:
        raise Skip("a description (no answers): quiz has no such card")
    closed = find(block, "}", opened + 1)
    if closed < 0:
        raise Skip("the answers are not closed with '}'")
    before, body, after = block[:opened], block[opened + 1 : closed], block[closed + 1 :]
    gift_feedback = find(body, "####")
    feedback = ""
    if gift_feedback >= 0:
        body, feedback = body[:gift_feedback], shown(body[gift_feedback + 4 :])
    body = body.strip()
    where = f"line {line}"
    if after.strip() and body:
        card = _missing_word(body, unshown(before).lstrip(), unshown(after).rstrip(), notes, where)
    else:
        card = _answers(body, shown(before), shown, notes, where)
    if title and slugify(title):
        card["id"] = slugify(title)
    if feedback:
        card["explanation"] = feedback
    return card


def _answers(
    body: str, question: str, shown: Callable[[str], str], notes: list[str], where: str
) -> dict[str, Any]:
    if not body:
        raise Skip("an essay question: quiz has no such card")
    head = split_unescaped(body, "#")[0][1].strip()
    if head.upper() in ("T", "TRUE", "F", "FALSE"):
        _dropped_feedback(body, notes, where, len(head))
        return {"type": "true_false", "statement": question, "answer": head.upper()[0] == "T"}
    if body.startswith("#"):
        return _numeric(body[1:].strip(), question, notes, where)
    answers = _parse_answers(body, notes, where)
    if answers and all("->" in text for _, _, text in answers):
        return _match(answers, question, shown)
    if all(mark == "=" for mark, _, _ in answers):
        return _typed(answers, question, notes, where)
    return _choice(answers, question, shown, notes, where)


def _parse_answers(body: str, notes: list[str], where: str) -> list[tuple[str, float | None, str]]:
    """(mark, weight, raw text) of each answer; answer feedback is said and dropped."""
    out = []
    feedback = 0
    for mark, raw in split_unescaped(body, "=~")[1:]:
        text, *comments = (part for _, part in split_unescaped(raw, "#"))
        feedback += bool(comments)
        weight = None
        found = _WEIGHT.match(text.strip())
        if found:
            weight = float(found.group(1))
            text = text.strip()[found.end() :]
        out.append((mark, weight, text))
    if feedback:
        notes.append(f"{where}: feedback on {feedback} answer(s) left out (quiz has none)")
    if not out:
        raise Skip("no answers in the braces")
    return out


def _dropped_feedback(body: str, notes: list[str], where: str, head: int) -> None:
    if body[head:].strip():
        notes.append(f"{where}: feedback on the answer left out (quiz has none)")


def _full(mark: str, weight: float | None) -> bool:
    return weight == 100 if weight is not None else mark == "="


def _typed(
    answers: list[tuple[str, float | None, str]], question: str, notes: list[str], where: str
) -> dict[str, Any]:
    right = [unescape(t).strip() for m, w, t in answers if _full(m, w)]
    if len(right) < len(answers):
        notes.append(f"{where}: {len(answers) - len(right)} answer(s) with partial credit left out")
    if not right or not all(right):
        raise Skip("a short answer without a full-credit answer")
    card: dict[str, Any] = {"type": "typed", "question": question, "answer": right[0]}
    if right[1:]:
        card["accept"] = list(dict.fromkeys(right[1:]))
    return card


def _choice(
    answers: list[tuple[str, float | None, str]],
    question: str,
    shown: Callable[[str], str],
    notes: list[str],
    where: str,
) -> dict[str, Any]:
    choices = [shown(t) for _, _, t in answers]
    if not all(choices) or len(set(choices)) < len(choices):
        raise Skip("a multiple choice question with an empty or repeated choice")
    weighted = any(w is not None for _, w, _ in answers)
    if weighted:
        positive = [(c, w) for c, (_, w, _) in zip(choices, answers, strict=True) if (w or 0) > 0]
        right = [c for c, _ in positive]
        if len({w for _, w in positive}) > 1 or any(0 > (w or 0) > -100 for _, w, _ in answers):
            notes.append(f"{where}: weights left out (in quiz every right choice counts the same)")
        multiple = len(right) > 1 or any(m == "~" for m, w, _ in answers if (w or 0) > 0)
    else:
        right = [c for c, (m, _, _) in zip(choices, answers, strict=True) if m == "="]
        multiple = len(right) > 1
    if not right:
        raise Skip("a multiple choice question without a right answer")
    card: dict[str, Any] = {"type": "choice", "question": question, "choices": choices}
    card["answer"] = right if multiple else right[0]
    return card


def _match(
    answers: list[tuple[str, float | None, str]], question: str, shown: Callable[[str], str]
) -> dict[str, Any]:
    pairs: dict[str, str] = {}
    for _, _, text in answers:
        left, _, right = text.partition("->")
        left_text, right_text = shown(left), unescape(right).strip()
        if not left_text or not right_text or left_text in pairs:
            raise Skip("a matching question with an empty or repeated left side")
        pairs[left_text] = right_text
    return {"type": "match", "question": question, "pairs": pairs}


def _numeric(body: str, question: str, notes: list[str], where: str) -> dict[str, Any]:
    options = [body]
    if body.startswith(("=", "~")):
        parsed = _parse_answers(body, notes, where)
        options = [t for m, w, t in parsed if _full(m, w)]
        if len(options) < len(parsed):
            notes.append(f"{where}: numeric answers with partial credit left out")
        if not options:
            raise Skip("a numerical question without a full-credit answer")
        if len(options) > 1:
            notes.append(f"{where}: only the first of {len(options)} numeric answers kept")
    text = split_unescaped(options[0], "#")[0][1].strip()
    if text != options[0].strip():
        notes.append(f"{where}: feedback on the answer left out (quiz has none)")
    card: dict[str, Any] = {"type": "numeric", "question": question}
    found = _VALUE.match(text)
    if found:
        card["answer"] = number_text(found.group(1))
        if found.group(2) and float(found.group(2)):
            card["tolerance"] = number_text(found.group(2))
        return card
    found = _RANGE.match(text)
    if found:
        low, high = sorted((float(found.group(1)), float(found.group(2))))
        card["answer"] = number_text(_short((low + high) / 2))
        if high > low:
            card["tolerance"] = number_text(_short((high - low) / 2))
        return card
    raise Skip(f"a numerical answer quiz cannot read: '{text}'")


def _short(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:.12g}"


def _missing_word(
    body: str, before: str, after: str, notes: list[str], where: str
) -> dict[str, Any]:
    """A missing-word question as a cloze of one gap: the right answers are the gap's."""
    answers = _parse_answers(body, notes, where)
    right = [unescape(t).strip() for m, w, t in answers if _full(m, w)]
    if len(right) < len(answers):
        wrong = len(answers) - len(right)
        notes.append(f"{where}: {wrong} wrong or partial choice(s) of a missing word left out")
    if not right or not all(right):
        raise Skip("a missing-word question without a right answer")
    rest = before + after
    if any("|" in a or "{{" in a or "}}" in a for a in right) or "{{" in rest or "}}" in rest:
        raise Skip("a missing word with '|', '{{' or '}}', which a quiz cloze cannot hold")
    # Escaped, so that a '::' or a backslash in an answer stays the answer's own.
    text = f"{before}{{{{{'|'.join(cloze_escape(a) for a in dict.fromkeys(right))}}}}}{after}"
    return {"type": "cloze", "text": text}

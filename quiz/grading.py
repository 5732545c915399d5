"""Grading a learner's response to a study item, for every card type."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from rapidfuzz.distance import Levenshtein

from quiz.deck.model import (
    Card,
    Choice,
    Cloze,
    Flashcard,
    Item,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.scheduler import Rating

Response = str | bool | Sequence[str] | Mapping[str, str]


class Outcome(StrEnum):
    """How well a response answered the item."""

    RIGHT = "right"
    PARTLY = "partly"
    WRONG = "wrong"


PROPOSED = {Outcome.RIGHT: Rating.GOOD, Outcome.PARTLY: Rating.HARD, Outcome.WRONG: Rating.AGAIN}


@dataclass(frozen=True)
class Grade:
    """The verdict on one response."""

    outcome: Outcome
    expected: str
    near_miss: bool = False

    @property
    def proposed(self) -> Rating:
        """The rating the scheduler gets unless the learner changes it."""
        return PROPOSED[self.outcome]

    @property
    def correct(self) -> bool:
        """True when the response counts as right."""
        return self.outcome is Outcome.RIGHT


_PUNCTUATION = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")


def normalize(text: str) -> str:
    """Text for comparison: no case, accents, punctuation or extra spacing."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCTUATION.sub(" ", bare.casefold()).split())


def _typo_allowance(expected: str) -> int:
    # One slip per six characters or so, and none in very short answers like "EU".
    return 0 if len(expected) < 4 else max(1, len(expected) // 6)


# Symbols that make a different answer when dropped ("C++" is not "C", "C#" not "C"); other
# punctuation only separates words, so "E.U." still matches "EU".
_MEANINGFUL = "+#*&@%=<>|~^$\\"
_SYMBOLS = re.compile("[" + re.escape(_MEANINGFUL) + "]")
_NOT_KEY = re.compile(r"[^\w" + re.escape(_MEANINGFUL) + r"]|_")


def _bare(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _key(text: str) -> str:
    """Text for comparison: like normalize, with no spaces, but meaningful symbols kept."""
    return _NOT_KEY.sub("", _bare(text))


def _literal(text: str) -> str:
    """An answer made only of punctuation (":-)", "[/]"), compared as typed but for spacing."""
    return "".join(_bare(text).split())


def match_text(response: str, accepted: Sequence[str]) -> tuple[Outcome, bool]:
    """Compare typed text with accepted answers: (outcome, was it a near miss)."""
    if any(not normalize(a) and _literal(a) == _literal(response) for a in accepted if a.strip()):
        return Outcome.RIGHT, False
    if not normalize(response):
        return Outcome.WRONG, False
    # Spaces go too, so "E.U." matches "EU" and "Kassym Jomart" matches "Kassym-Jomart".
    compact = _key(response)
    targets = [_key(a) for a in accepted if normalize(a)]
    if compact in targets:
        return Outcome.RIGHT, False
    for target in targets:
        # A typo in a number changes the fact ("1992" is not "1993"), so digits must agree.
        if _DIGITS.findall(compact) != _DIGITS.findall(target):
            continue
        # Likewise a dropped symbol is a different answer, not a slip ("ATT" is not "AT&T").
        if _SYMBOLS.findall(compact) != _SYMBOLS.findall(target):
            continue
        allowance = _typo_allowance(target)
        if allowance and Levenshtein.distance(compact, target, score_cutoff=allowance) <= allowance:
            return Outcome.RIGHT, True
    return Outcome.WRONG, False


def parse_number(text: str) -> float | None:
    """A number typed by a learner: '2,500', '2 500', '2500 troops' and '-3.5' all work."""
    cleaned = text.strip().replace("\u2212", "-")
    found = re.match(r"^[+-]?[\d,\s]*\.?\d+(?:[eE][+-]?\d+)?", cleaned)
    if not found:
        return None
    digits = re.sub(r"[,\s]", "", found.group(0))
    try:
        return float(digits)
    except ValueError:
        return None


# Between digits: spaces (plain, no-break, thin), apostrophes and underscores group thousands.
_DIGIT_GROUPING = re.compile(r"(?<=\d)[\s\u00a0\u2009\u202f'_](?=\d)")
_NUMBER_FORM = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?")


def read_number(text: str, unit: str | None = None) -> float | None:
    """A whole answer read as a number, or None: '18,000', '18 000', '3,5', '2500 troops'."""
    # Unlike `parse_number` nothing else may follow the number but the card's own unit, so
    # '18k' and 'abc' are not numbers. A lone comma not followed by three digits is a decimal
    # comma; with both marks, the last one is the decimal point.
    cleaned = text.strip().replace("\u2212", "-")
    if unit:
        folded, wanted = cleaned.casefold(), unit.strip().casefold()
        for form in (wanted, wanted.rstrip("s"), wanted + "s"):
            if form and folded.endswith(form) and len(folded) > len(form):
                cleaned = cleaned[: len(cleaned) - len(form)].rstrip()
                break
    cleaned = _DIGIT_GROUPING.sub("", cleaned)
    if not _NUMBER_FORM.fullmatch(cleaned):
        return None
    mantissa, _, exponent = cleaned.replace("E", "e").partition("e")
    marks = [c for c in mantissa if c in ".,"]
    if marks:
        groups = re.split(r"[.,]", mantissa)
        if len(set(marks)) == 2:
            point = mantissa.rfind(marks[-1])
            whole, fraction = mantissa[:point], mantissa[point + 1 :]
            if marks.count(marks[-1]) > 1 or not _thousands(re.split(r"[.,]", whole)):
                return None
            mantissa = re.sub(r"[.,]", "", whole) + "." + fraction
        elif len(marks) > 1 or (marks[0] == "," and len(groups[1]) == 3):
            # 18,000 and 1.000.000 group thousands; 1.5 and 3,5 are fractions.
            if not _thousands(groups):
                return None
            mantissa = "".join(groups)
        else:
            mantissa = mantissa.replace(",", ".")
    try:
        return float(mantissa + (f"e{exponent}" if exponent else ""))
    except ValueError:
        return None


def _thousands(groups: list[str]) -> bool:
    sign = groups[0].lstrip("+-")
    return 1 <= len(sign) <= 3 and all(len(g) == 3 for g in groups[1:])


def format_number(value: float) -> str:
    """A number without a needless '.0'."""
    return str(int(value)) if value.is_integer() else f"{value:g}"


def expected_answer(item: Item) -> str:
    """The correct answer to an item, as shown after the learner answers."""
    card = item.card
    match card:
        case Flashcard():
            return card.front if item.variant == "reverse" else card.back
        case Choice():
            return "; ".join(card.answers)
        case TrueFalse():
            return "True" if card.answer else "False"
        case Cloze():
            return card.gaps[item.gap_index or 0][0]
        case Typed():
            return card.answer
        case Numeric():
            text = card.answer_text + (f" {card.unit}" if card.unit else "")
            if not card.tolerance:
                return text
            # As the author wrote it: "±1%" rather than the "±88.49" it works out to.
            margin = format_number(card.tolerance) + ("%" if card.tolerance_is_percent else "")
            return f"{text} (±{margin})"
        case Order():
            return " → ".join(card.items)
        case Match():
            return "; ".join(f"{left} → {right}" for left, right in card.pairs)
        case _:
            assert_never(card)


def _share(right: int, total: int) -> Outcome:
    if right == total:
        return Outcome.RIGHT
    return Outcome.PARTLY if total and right * 2 >= total else Outcome.WRONG


def _outcome(card: Card, item: Item, response: Response) -> tuple[Outcome, bool]:
    match card:
        case Flashcard():
            raise TypeError(f"{type(card).__name__} cards are not graded automatically")
        case Choice():
            picked = {response} if isinstance(response, str) else set(_strings(response))
            wanted = set(card.answers)
            if picked == wanted:
                return Outcome.RIGHT, False
            if card.multiple and picked and picked < wanted:
                return Outcome.PARTLY, False
            return Outcome.WRONG, False
        case TrueFalse():
            return (Outcome.RIGHT if response is card.answer else Outcome.WRONG), False
        case Cloze():
            return match_text(_text(response), card.gaps[item.gap_index or 0])
        case Typed():
            return match_text(_text(response), (card.answer, *card.accept))
        case Numeric():
            # Answers stored before numbers were checked on entry may still have trailing words.
            value = read_number(_text(response), card.unit)
            if value is None:
                value = parse_number(_text(response))
            ok = value is not None and abs(value - card.answer) <= card.allowed_error() + 1e-9
            return (Outcome.RIGHT if ok else Outcome.WRONG), False
        case Order():
            given = _strings(response)
            right = sum(1 for a, b in zip(given, card.items, strict=False) if a == b)
            return _share(right, len(card.items)), False
        case Match():
            chosen = response if isinstance(response, Mapping) else {}
            right = sum(1 for left, answer in card.pairs if chosen.get(left) == answer)
            return _share(right, len(card.pairs)), False
        case _:
            assert_never(card)


def _text(response: Response) -> str:
    return response if isinstance(response, str) else ""


def _strings(response: object) -> list[str]:
    if isinstance(response, list | tuple):
        return [r for r in response if isinstance(r, str)]
    return []


def grade(item: Item, response: Response) -> Grade:
    """Grade a response to an auto-graded item; never raises for any response value."""
    outcome, near_miss = _outcome(item.card, item, response)
    return Grade(outcome, expected_answer(item), near_miss)


def is_self_rated(item: Item) -> bool:
    """True for items the learner rates themselves (flashcards)."""
    card = item.card
    match card:
        case Flashcard():
            return True
        case Choice() | TrueFalse() | Cloze() | Typed() | Numeric() | Order() | Match():
            return False
        case _:
            assert_never(card)

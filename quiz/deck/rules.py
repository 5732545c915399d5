"""The named lint rules: each says what it finds and how bad that is."""

from __future__ import annotations

from dataclasses import dataclass

from quiz.deck.limits import ACCEPTED, CARDS, CHOICES, GAPS, ITEMS, PAIRS, TAGS, TEXT
from quiz.deck.problems import Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING


@dataclass(frozen=True)
class Rule:
    """A named check: what it finds and how bad that is."""

    name: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        # Checks of the deck format, made by the loader: an error means the deck cannot be used.
        Rule("unreadable-file", ERROR, "the file cannot be read (missing, a folder, too large)"),
        Rule("not-utf8", ERROR, "the file is not UTF-8 text"),
        Rule("yaml-syntax", ERROR, "the file is not valid YAML (in a way no rule below names)"),
        Rule("yaml-indentation", ERROR, "a key indented to no level of the keys around it"),
        Rule("yaml-unquoted-colon", ERROR, "a value with ': ' in it, which needs quotes"),
        Rule("yaml-unclosed-quote", ERROR, "a quoted string that is never closed"),
        Rule("yaml-text-after-quote", ERROR, "text after a quoted string's closing quote"),
        Rule("yaml-unclosed-bracket", ERROR, "a '[' list or '{' mapping that is never closed"),
        Rule("yaml-list-item", ERROR, "a list item ('- ') where a mapping needs a key"),
        Rule("yaml-missing-space", ERROR, "no space after a list's '-' or a key's ':'"),
        Rule("yaml-tab", ERROR, "a tab in indentation: YAML indents with spaces only"),
        Rule("yaml-alias", ERROR, "YAML aliases (*name) are not supported"),
        Rule("yaml-tag", ERROR, "a YAML tag other than plain data (e.g. !!python/object)"),
        Rule("empty-file", ERROR, "the file has nothing in it"),
        Rule("exam-file", ERROR, "an exam given where a deck is expected (run it with quiz exam)"),
        Rule("not-a-mapping", ERROR, "a value that must be a mapping is not"),
        Rule("not-a-list", ERROR, "a value that must be a list is not"),
        Rule("not-text", ERROR, "a value that must be text is a list or a mapping"),
        Rule("not-a-boolean", ERROR, "a value that must be true or false is not"),
        Rule("not-a-number", ERROR, "a value that must be a number is not"),
        Rule("out-of-range", ERROR, "a number outside its allowed range"),
        Rule("empty-text", ERROR, "text that is empty"),
        Rule("unknown-key", ERROR, "a key the format does not have (often a typo)"),
        Rule("missing-key", ERROR, "a required key is missing"),
        Rule("duplicate-key", ERROR, "the same key twice in one mapping"),
        Rule(
            "bad-slug",
            ERROR,
            "a deck id or card id not a slug like 'csto-basics', or a tag not lowercase words",
        ),
        Rule("no-cards", ERROR, "the deck has no cards"),
        Rule("unknown-type", ERROR, "a card type that does not exist"),
        Rule("duplicate-id", ERROR, "two cards with the same id in one deck"),
        Rule("too-few-entries", ERROR, "a list shorter than the format allows"),
        Rule("duplicate-choice", ERROR, "the same choice twice in a choice card"),
        Rule("answer-not-a-choice", ERROR, "a choice card's answer that is not one of its choices"),
        Rule("duplicate-item", ERROR, "the same item twice in an order or match card"),
        Rule("cloze-no-gap", ERROR, "a cloze without a {{gap}}"),
        Rule("cloze-empty-gap", ERROR, "a cloze gap with an empty answer, like {{}} or {{a|}}"),
        Rule("cloze-syntax", ERROR, "an unclosed '{{' or a stray '}}' in a cloze"),
        Rule("cloze-duplicate-number", ERROR, "two gaps of a cloze with the same number"),
        # Sizes past `limits.py`'s, refused before any work is done on them.
        Rule("too-many-cards", ERROR, f"a deck of more than {CARDS.most:,} cards"),
        Rule("too-many-gaps", ERROR, f"a cloze with more than {GAPS.most:,} gaps"),
        Rule("too-many-choices", ERROR, f"a choice card with more than {CHOICES.most} choices"),
        Rule("too-many-pairs", ERROR, f"a match card with more than {PAIRS.most} pairs"),
        Rule("too-many-items", ERROR, f"an order card with more than {ITEMS.most} items"),
        Rule(
            "too-many-answers",
            ERROR,
            f"more than {ACCEPTED.most} accepted answers in a typed card or a cloze gap",
        ),
        Rule("too-many-tags", ERROR, f"a card or deck with more than {TAGS.most} tags"),
        Rule("text-too-long", ERROR, f"a text field longer than {TEXT.most:,} characters"),
        Rule("duplicate-deck-id", ERROR, "two files checked together use the same deck id"),
        # Warnings: the deck can be used, but something is likely wrong.
        Rule("missing-id", WARNING, "a card without an id: editing it would reset its progress"),
        Rule("unknown-source", WARNING, "a source key that no 'sources:' entry defines"),
        Rule("missing-explanation", WARNING, "a card without an explanation"),
        Rule("missing-source", WARNING, "a card that cites no source"),
        Rule(
            "few-distractors",
            WARNING,
            "a choice card with fewer than three wrong choices (select-all: four choices)",
        ),
        Rule(
            "similar-choices", WARNING, "choices that differ only in case, spacing or punctuation"
        ),
        Rule("answer-in-question", WARNING, "an answer that appears word for word in its question"),
        Rule("few-items", WARNING, "an order or match card with fewer than three items"),
        Rule("answer-leak", WARNING, "an answer shown in another card's question or explanation"),
        Rule("duplicate-question", WARNING, "the same question in two cards or two decks"),
        Rule(
            "suspicious-character",
            WARNING,
            "a bidirectional override, zero-width or control character in the file",
        ),
        Rule("unknown-rule", WARNING, "a rule name to ignore that does not exist"),
    )
}

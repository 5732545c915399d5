"""The bundled CSTO question bank: valid, complete, varied, sourced and in our own words."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from quiz.deck.loader import check_deck
from quiz.deck.model import Card, Choice, Deck
from quiz.library import bundled_decks_dir

ROOT = Path(__file__).parent.parent
REPORTS = ROOT.parent / "shared" / "reports"
# Each deck, the report it is drawn from, and the fewest cards it may have.
DECKS = {
    "csto-specialeurasia": ("000", 30),
    "csto-beliakova-2022": ("001", 60),
    "csto-forster": ("002", 30),
    "csto-origins": ("003", 25),
    "csto-weitz-2014": ("004", 50),
    "csto-synthesis": (None, 25),
}
TYPE_MINIMUMS = {
    "choice": 25,
    "cloze": 25,
    "typed": 20,
    "true_false": 20,
    "numeric": 10,
    "order": 8,
    "match": 8,
}
TOPICS = {
    "history", "treaty", "members", "institutions", "forces", "exercises", "kazakhstan-2022",
    "conflicts", "ukraine-war", "russia", "china", "nato", "afghanistan", "terrorism", "outlook",
}  # fmt: skip


def load_all() -> dict[str, Deck]:
    decks = {}
    for path in sorted(bundled_decks_dir().glob("*.yaml")):
        deck, problems = check_deck(path)
        assert deck is not None, problems
        decks[deck.id] = deck
    return decks


@pytest.fixture(scope="module")
def decks() -> dict[str, Deck]:
    return load_all()


def test_every_bundled_deck_passes_check_with_no_errors_or_warnings():
    paths = sorted(bundled_decks_dir().glob("*.yaml"))
    assert paths
    for path in paths:
        _, problems = check_deck(path)
        assert [str(p) for p in problems] == []


def test_one_deck_per_report_plus_synthesis_with_enough_cards(decks):
    assert set(decks) == set(DECKS)
    for deck_id, (_, minimum) in DECKS.items():
        assert len(decks[deck_id].cards) >= minimum, deck_id
    assert sum(len(d.cards) for d in decks.values()) >= 220


def test_every_card_type_is_used_enough(decks):
    types = Counter(c.type for d in decks.values() for c in d.cards)
    for card_type, minimum in TYPE_MINIMUMS.items():
        assert types[card_type] >= minimum, card_type
    assert types["flashcard"] > 0
    select_all = [
        c for d in decks.values() for c in d.cards if isinstance(c, Choice) and c.multiple
    ]
    assert len(select_all) >= 5
    for deck in decks.values():
        assert len({c.type for c in deck.cards}) >= 4, deck.id


def test_every_card_has_topic_tags_an_explanation_and_a_sourced_section(decks):
    for deck in decks.values():
        for card in deck.cards:
            where = f"{deck.id}:{card.id}"
            assert set(card.tags) & TOPICS, where
            assert set(card.tags) <= TOPICS, where
            assert card.explanation, where
            assert card.source is not None and card.source.section, where
            assert card.source.ref in deck.sources, where


def test_topic_vocabulary_is_documented():
    readme = (ROOT / "decks" / "README.md").read_text(encoding="utf-8")
    for tag in TOPICS:
        assert f"`{tag}`" in readme, tag


def test_card_ids_are_unique_in_each_deck(decks):
    for deck in decks.values():
        ids = [c.id for c in deck.cards]
        assert len(ids) == len(set(ids)), deck.id


def test_inferred_dates_are_marked_inferred(decks):
    for deck in decks.values():
        for source in deck.sources.values():
            # None of the five reports prints its date.
            assert source.date is None or "inferred" in source.date, (deck.id, source.key)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).replace("\u2019", "'").lower()
    return re.findall(r"\w+", text)


def _card_texts(card: Card) -> list[str]:
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(card.to_dict())
    return texts


RUN = 10


def test_no_card_copies_ten_consecutive_words_from_a_report(decks):
    if not REPORTS.is_dir():
        pytest.skip(f"the source reports are not here ({REPORTS}); nothing to compare with")
    grams: set[tuple[str, ...]] = set()
    for report in REPORTS.glob("*.txt"):
        words = _words(report.read_text(encoding="utf-8"))
        grams.update(tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
    assert grams
    copied = []
    for deck in decks.values():
        for card in deck.cards:
            for text in _card_texts(card):
                words = _words(text)
                for i in range(len(words) - RUN + 1):
                    if tuple(words[i : i + RUN]) in grams:
                        copied.append(f"{deck.id}:{card.id}: {' '.join(words[i : i + RUN])}")
                        break
    assert copied == []


def test_the_overlap_check_would_catch_a_copied_sentence():
    if not REPORTS.is_dir():
        pytest.skip(f"the source reports are not here ({REPORTS})")
    report = next(iter(sorted(REPORTS.glob("*.txt")))).read_text(encoding="utf-8")
    words = _words(report)[100:112]
    assert len(words) == 12
    grams = {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}
    assert tuple(_words(" ".join(words))[:RUN]) in grams

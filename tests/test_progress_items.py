"""Item analysis on a class whose first answers are written out by hand."""

from __future__ import annotations

import math
import statistics
from datetime import timedelta

import pytest
from progress_helpers import add_review
from testkit import TEST_DECKS

from quiz.library import open_deck
from quiz.progress.items import item_analysis, pearson

# Each learner's first answer (1 right, 0 wrong) to four items of the class deck.
ITEMS = ("capital", "observer", "kazakhstan", "founded")
SCORES = {
    "l1": (1, 1, 1, 1),
    "l2": (1, 1, 0, 1),
    "l3": (0, 1, 0, 0),
    "l4": (0, 1, 1, 0),
    "l5": (1, 1, 0, 0),
}
# What the learners who got `capital` wrong picked.
PICKED = {"l3": "Minsk", "l4": "Astana"}


@pytest.fixture
def analysis(store, clock):
    deck, problems = open_deck(store, TEST_DECKS / "class.yaml", clock())
    assert deck is not None, problems
    now = clock()
    for learner, scores in SCORES.items():
        for n, (key, score) in enumerate(zip(ITEMS, scores, strict=True)):
            at = now - timedelta(days=5, minutes=-n)
            if key == "capital":
                response = "Moscow" if score else PICKED[learner]
                outcome = "right" if score else "wrong"
            elif key == "founded":
                response, outcome = None, None
            else:
                response, outcome = (
                    bool(score) == (key != "kazakhstan"),
                    ("right" if score else "wrong"),
                )
            rating = 3 if score else 1
            add_review(
                store,
                learner,
                "class",
                key,
                at,
                rating,
                outcome=outcome,
                response=response,
                first=True,
                before=None,
            )
            # Later answers never count, however they went.
            add_review(
                store,
                learner,
                "class",
                key,
                at + timedelta(days=1),
                3,
                outcome="wrong" if outcome else None,
                response="Yerevan",
            )
    # A learner who answered one item only counts for its facility, not its discrimination.
    add_review(
        store,
        "l6",
        "class",
        "capital",
        now,
        1,
        outcome="wrong",
        response="Minsk",
        first=True,
        before=None,
    )
    return {item.item_key: item for item in item_analysis(store)}


def rest_of_deck(learner: str, index: int) -> float:
    """The learner's share right on the deck's other items (Moodle's rest of the test)."""
    scores = SCORES[learner]
    return (sum(scores) - scores[index]) / (len(scores) - 1)


def test_facility_is_the_share_of_first_answers_right(analysis):
    capital = analysis["capital"]
    # l1, l2, l5 right; l3, l4, l6 wrong.
    assert (capital.answers, capital.right) == (6, 3)
    assert capital.facility == pytest.approx(0.5)
    assert analysis["observer"].facility == 1.0
    assert analysis["kazakhstan"].facility == pytest.approx(2 / 5)
    # Self-rated: anything but Again counts as right.
    assert analysis["founded"].facility == pytest.approx(2 / 5)
    assert analysis["members"].answers == 0 and analysis["members"].facility is None


def test_discrimination_is_pearson_with_the_rest_of_the_deck(analysis):
    for index, key in enumerate(ITEMS):
        xs = [SCORES[name][index] for name in SCORES]
        ys = [rest_of_deck(name, index) for name in SCORES]
        if len(set(xs)) < 2:
            assert analysis[key].discrimination is None
        else:
            assert analysis[key].discrimination == pytest.approx(statistics.correlation(xs, ys))
    # By hand for capital: x = 1 1 0 0 1 and y = 1 2/3 1/3 2/3 1/3 give n = 5, Σx = 3,
    # Σy = 3, Σxy = 2, Σx² = 3, Σy² = 19/9, so r = (5·2 - 3·3) / √((15 - 9)(95/9 - 9)) = 3/√84.
    assert analysis["capital"].discrimination == pytest.approx(3 / math.sqrt(84))
    # kazakhstan: x = 1 0 0 1 0, y = 1 1 1/3 1/3 2/3: 5·4/3 - 2·10/3 = 0, no correlation.
    assert analysis["kazakhstan"].discrimination == pytest.approx(0.0, abs=1e-12)


def test_wrong_choices_picked_in_first_answers(analysis):
    # l3 and l6 picked Minsk, l4 Astana; the later Yerevan answers do not count.
    assert analysis["capital"].distractors == (("Minsk", 2), ("Astana", 1), ("Yerevan", 0))
    assert analysis["observer"].distractors == ()


def test_flags_and_places(analysis):
    assert analysis["observer"].flags == ("almost everyone right",)
    assert analysis["capital"].flags == ()
    assert analysis["capital"].place.endswith("class.yaml:17")
    assert analysis["capital"].prompt == "Where is the CSTO secretariat?"


def test_negative_discrimination_is_flagged(store, clock):
    open_deck(store, TEST_DECKS / "class.yaml", clock())
    now = clock()
    # The strongest learners on the rest of the deck get `kazakhstan` wrong.
    table = {
        "a": (1, 1, 1, 0),
        "b": (1, 1, 1, 0),
        "c": (1, 0, 1, 1),
        "d": (0, 0, 0, 1),
        "e": (0, 0, 1, 1),
    }
    keys = ("capital", "observer", "founded", "kazakhstan")
    for learner, scores in table.items():
        for key, score in zip(keys, scores, strict=True):
            outcome = None if key == "founded" else ("right" if score else "wrong")
            add_review(
                store,
                learner,
                "class",
                key,
                now,
                3 if score else 1,
                outcome=outcome,
                first=True,
                before=None,
            )
    kazakhstan = next(i for i in item_analysis(store) if i.item_key == "kazakhstan")
    assert kazakhstan.discrimination is not None and kazakhstan.discrimination < 0
    assert kazakhstan.flags == ("negative discrimination",)
    # Fewer answers than the minimum: no flags at all.
    few = next(i for i in item_analysis(store, min_answers=6) if i.item_key == "kazakhstan")
    assert few.flags == ()


def test_pearson_from_sums_matches_the_textbook():
    xs, ys = [1, 0, 1, 1, 0], [0.5, 0.25, 1.0, 0.75, 0.5]
    sums = (
        len(xs),
        sum(xs),
        sum(ys),
        sum(x * y for x, y in zip(xs, ys, strict=True)),
        sum(x * x for x in xs),
        sum(y * y for y in ys),
    )
    assert pearson(*sums) == pytest.approx(statistics.correlation(xs, ys))
    assert pearson(3, 3, 1.5, 1.5, 3, 0.75) is None  # x never varies

"""Size limits: refused at their place with their own rule, before the work, in bounded time."""

from __future__ import annotations

from pathlib import Path

import pytest
from bounded import MEGABYTES, SECONDS, run_quiz

from quiz.deck import limits
from quiz.deck.loader import parse_deck
from quiz.deck.rules import RULES

HEAD = "deck: d\ntitle: D\ncards:\n"


def _errors(text: str) -> list[str]:
    deck, problems = parse_deck(text, "decks/x.yaml")
    assert deck is None
    return [str(p) for p in problems if p.severity.value == "error"]


def _choices(n: int) -> str:
    return (
        HEAD
        + "  - id: q\n    type: choice\n    question: Q\n    answer: c0\n    choices:\n"
        + "".join(f"      - c{i}\n" for i in range(n))
    )


def _pairs(n: int) -> str:
    return (
        HEAD
        + "  - id: m\n    type: match\n    question: Q\n    pairs:\n"
        + "".join(f"      l{i}: r{i}\n" for i in range(n))
    )


def _order(n: int) -> str:
    return (
        HEAD
        + "  - id: o\n    type: order\n    question: Q\n    items:\n"
        + "".join(f"      - i{i}\n" for i in range(n))
    )


def _accept(n: int) -> str:
    return (
        HEAD
        + "  - id: t\n    type: typed\n    question: Q\n    answer: A\n    accept:\n"
        + "".join(f"      - a{i}\n" for i in range(n))
    )


def _cloze(n: int) -> str:
    text = " ".join(f"w{i} {{{{a{i}}}}}" for i in range(n))
    return HEAD + f'  - id: z\n    type: cloze\n    text: "{text}"\n'


def _gap_answers(n: int) -> str:
    gap = "|".join(f"a{i}" for i in range(n))
    return HEAD + f'  - id: z\n    type: cloze\n    text: "x {{{{{gap}}}}}"\n'


def _cards(n: int) -> str:
    return HEAD + "".join(f"  - {{id: c{i}, front: f{i}, back: b}}\n" for i in range(n))


def _tags(n: int) -> str:
    tags = ", ".join(f"t{i}" for i in range(n))
    return HEAD + f"  - id: f\n    front: Q\n    back: A\n    tags: [{tags}]\n"


def _long(n: int) -> str:
    return HEAD + f'  - id: f\n    front: Q\n    back: "{"x" * n}"\n'


def test_a_match_card_past_the_letters_is_refused_at_its_place() -> None:
    assert _errors(_pairs(40)) == [
        "decks/x.yaml:8:7: error: card 'm': 40 match pairs; at most 26 can be assigned from the "
        "keyboard (a-z) [too-many-pairs]"
    ]
    deck, problems = parse_deck(_pairs(26), "decks/x.yaml")
    assert deck is not None, problems


@pytest.mark.parametrize(
    ("make", "most", "place", "rule"),
    [
        (_choices, 99, "9:7", "too-many-choices"),
        (_pairs, 26, "8:7", "too-many-pairs"),
        (_order, 99, "8:7", "too-many-items"),
        (_accept, 100, "9:7", "too-many-answers"),
        (_cloze, 500, "6:11", "too-many-gaps"),
        (_gap_answers, 100, "6:11", "too-many-answers"),
        (_tags, 100, "7:11", "too-many-tags"),
    ],
)
def test_each_limit_has_its_rule_and_its_place(make, most, place, rule) -> None:  # type: ignore[no-untyped-def]
    deck, problems = parse_deck(make(most), "decks/x.yaml")
    assert deck is not None, problems
    errors = _errors(make(most + 1))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"decks/x.yaml:{place}: error: ")
    assert errors[0].endswith(f"[{rule}]")
    assert f"at most {most:,}" in errors[0]
    assert RULES[rule].severity.value == "error"


def test_one_text_field_past_its_length_is_refused() -> None:
    assert _errors(_long(limits.TEXT.most + 1)) == [
        "decks/x.yaml:6:11: error: card 'f': back: 20,001 characters; at most 20,000 in one "
        "text field [text-too-long]"
    ]
    deck, problems = parse_deck(_long(limits.TEXT.most), "decks/x.yaml")
    assert deck is not None, problems


def test_a_deck_past_its_card_count_is_refused_without_reading_a_card() -> None:
    errors = _errors(_cards(limits.CARDS.most + 1))
    assert errors == [
        "decks/x.yaml:4:3: error: deck: 100,001 cards; at most 100,000 in one deck: split it "
        "into several decks [too-many-cards]"
    ]


def test_every_limit_is_a_registered_rule() -> None:
    for limit in limits.LIMITS:
        assert limit.rule in RULES


# The cases measured beyond the limits, each in its own process within the bounds.
HOSTILE = {
    "choices.yaml": lambda: _choices(100_000),
    "pairs.yaml": lambda: _pairs(50_000),
    "answer.yaml": lambda: _long(10_000_000),
    "gaps.yaml": lambda: _cloze(100_000),
    # A cloze at the gap limit with 5,000 tags: 2.5 million tag rows took 35 s and 169 MB.
    "tags.yaml": lambda: _cloze(500).replace(
        "    type: cloze\n",
        "    type: cloze\n    tags: [" + ", ".join(f"t{i}" for i in range(5_000)) + "]\n",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("command", ["check", "study", "decks"])
def test_past_the_limits_quiz_refuses_in_bounded_time(
    tmp_path: Path, name: str, command: str
) -> None:
    path = tmp_path / name
    path.write_text(HOSTILE[name](), encoding="utf-8")
    args = ["--db", str(tmp_path / "q.db"), "--new-learner", command, str(path)]
    run = run_quiz(*(["check", str(path)] if command == "check" else args))
    # `quiz decks` lists the decks that load, and names the one that does not.
    assert run.code == (0 if command == "decks" else 1), run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    said = run.stdout + run.stderr
    assert "error: card '" in said and "; at most " in said
    assert run.within_bounds(), (run.seconds, run.megabytes, SECONDS, MEGABYTES)


async def test_the_study_screen_assigns_every_pair_a_deck_may_have(
    store, tmp_path: Path, clock
) -> None:
    import random

    from quiz.library import open_deck
    from quiz.tui.app import make_app

    path = tmp_path / "pairs.yaml"
    path.write_text(_pairs(limits.PAIRS.most), encoding="utf-8")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    app = make_app(store, [deck], "ann", study=["d"], clock=clock, rng=random.Random(1))
    async with app.run_test(size=(100, 70)) as pilot:
        await pilot.pause()
        # The last left item gets the last letter: every option is in reach.
        for _ in range(limits.PAIRS.most - 1):
            await pilot.press("down")
        await pilot.press("z", "enter")
        await pilot.pause()
    (row,) = store.reviews("ann")
    assert row["item_key"] == "m"
    assert row["response"].count(":") == 1


def _long_answers_in_their_questions(cards: int) -> str:
    # Each card's answer is as long as a text field may be, and its question repeats it.
    def words(card: int) -> str:
        return " ".join(f"w{card}x{k}" for k in range(limits.TEXT.most // 10))

    return HEAD + "".join(
        f'  - {{id: c{i}, front: "Q {words(i)}", back: "{words(i)}"}}\n' for i in range(cards)
    )


def _answers_of_every_length(cards: int) -> str:
    # Answers of one word repeated 2, 3, ... times, and questions of that word 3,000 times.
    question = " ".join(["alpha"] * 3_000)
    return HEAD + "".join(
        f'  - {{id: c{i}, type: typed, question: "{question}", answer: "{answer}"}}\n'
        for i in range(cards)
        if (answer := " ".join(["alpha"] * (i + 2)))
    )


# Decks inside every limit that made lint work without bound: a regular expression compiled
# per answer, as long as the answer (10 s and 1.1 GB for one 10 MB answer before the limits;
# 100 answers at the text limit took 44 s), and a first-word index that tried every answer
# length at every word of every text (200 such cards took minutes).
ADMITTED = {
    "long-answers.yaml": lambda: _long_answers_in_their_questions(100),
    "answer-lengths.yaml": lambda: _answers_of_every_length(200),
}


@pytest.mark.parametrize("name", sorted(ADMITTED))
def test_lint_of_long_answers_is_bounded(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(ADMITTED[name](), encoding="utf-8")
    run = run_quiz("check", str(path))
    assert run.code == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert "[answer-in-question]" in run.stdout
    assert run.within_bounds(), (run.seconds, run.megabytes, SECONDS, MEGABYTES)

"""`quiz check` as a linter: each rule failing and passing, silencing, --strict, JSON, exits."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from testkit import TEST_DECKS

from quiz.cli import main
from quiz.deck.leaks import find_leaks
from quiz.deck.lint import RULES, check_paths, lint_deck
from quiz.deck.loader import parse_deck
from quiz.deck.model import Flashcard, Typed
from quiz.deck.problems import Severity
from quiz.library import bundled_decks_dir

ROOT = Path(__file__).parent.parent

# A clean card of each kind the rules look at, with the explanation and source every card needs.
HEADER = """\
deck: d
title: T
sources:
  s: {title: "S"}
cards:
"""
DONE = "    explanation: E\n    source: s\n"


def write(tmp_path: Path, cards: str, name: str = "d.yaml", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + cards, encoding="utf-8")
    return path


def found(*paths: Path, strict: bool = False) -> list[tuple[int, str]]:
    """(line, rule) of every problem, for comparing."""
    result = check_paths(list(paths), strict=strict)
    return [(p.line, p.rule or "") for p in result.problems]


def rules_of(tmp_path: Path, cards: str) -> list[str]:
    return [rule for _, rule in found(write(tmp_path, cards))]


# --- Each rule, failing and passing -----------------------------------------------------------


def test_missing_explanation_and_source(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {id: a, front: F, back: B}\n")
    assert found(path) == [(6, "missing-explanation"), (6, "missing-source")]
    assert rules_of(tmp_path, "  - id: a\n    front: F\n    back: B\n" + DONE) == []


def test_missing_id_is_a_named_warning(tmp_path: Path) -> None:
    assert rules_of(tmp_path, "  - front: F\n    back: B\n" + DONE) == ["missing-id"]


def test_loader_warnings_can_be_silenced_like_any_other(tmp_path: Path) -> None:
    card = "  - front: F\n    back: B\n" + DONE
    assert rules_of(tmp_path, card + "    lint: {ignore: [missing-id]}\n") == []
    assert (
        rules_of(tmp_path, card.replace("  - front: F", "  - front: F  # quiz: ignore[missing-id]"))
        == []
    )


def test_unknown_source_is_a_named_warning(tmp_path: Path) -> None:
    cards = "  - id: a\n    front: F\n    back: B\n    explanation: E\n    source: nobody\n"
    assert rules_of(tmp_path, cards) == ["unknown-source"]


@pytest.mark.parametrize(
    ("choices", "answer", "rules"),
    [
        ("[A, B, C]", "A", ["few-distractors"]),
        ("[A, B, C, D]", "A", []),
        # Select-all-that-apply: four choices, one or more of them wrong.
        ("[A, B, C]", "[A, B]", ["few-distractors"]),
        ("[A, B, C, D]", "[A, B, C, D]", ["few-distractors"]),
        ("[A, B, C, D]", "[A, B, C]", []),
    ],
)
def test_few_distractors(tmp_path: Path, choices: str, answer: str, rules: list[str]) -> None:
    card = f"  - id: c\n    type: choice\n    question: Q\n    choices: {choices}\n"
    assert rules_of(tmp_path, card + f"    answer: {answer}\n" + DONE) == rules


def test_similar_choices(tmp_path: Path) -> None:
    card = (
        "  - id: c\n    type: choice\n    question: Q\n"
        "    choices: [Moscow, Minsk, Astana, 'moscow.']\n    answer: Moscow\n" + DONE
    )
    path = write(tmp_path, card)
    result = check_paths([path])
    (problem,) = result.problems
    assert (problem.line, problem.column, problem.rule) == (9, 38, "similar-choices")
    assert "'moscow.' differs from 'Moscow'" in problem.message
    fixed = card.replace("'moscow.'", "Yerevan")
    assert rules_of(tmp_path, fixed) == []


def test_exact_duplicate_choice_is_an_error_with_a_rule(tmp_path: Path) -> None:
    card = "  - {id: c, type: choice, question: Q, choices: [A, B, A, C, D], answer: B}\n"
    assert rules_of(tmp_path, card) == ["duplicate-choice"]


@pytest.mark.parametrize(
    ("card", "flagged"),
    [
        ("{id: a, front: 'Who founded Rome, Romulus?', back: Romulus}", True),
        ("{id: a, front: 'Who founded Rome?', back: Romulus}", False),
        # Whole words only: 'Rome' is not in 'Romerike'.
        ("{id: a, front: 'Where is Romerike?', back: Rome}", False),
        ("{id: a, front: Rome, back: 'Rome is the capital', reverse: true}", True),
        (
            "{id: a, type: typed, question: 'Name Otunbayeva', answer: Roza, accept: [Otunbayeva]}",
            True,
        ),
        ("{id: a, type: typed, question: 'Who led?', answer: Roza, accept: [Otunbayeva]}", False),
        ("{id: a, type: numeric, question: 'Founded in 2002: what year?', answer: 2002}", True),
        ("{id: a, type: numeric, question: 'What year?', answer: 2002}", False),
        (
            "{id: a, type: choice, question: 'Minsk?', choices: [Minsk, B, C], answer: Minsk}",
            True,
        ),
        # A question listing every choice gives nothing away.
        (
            "{id: a, type: choice, question: 'Minsk or B?', choices: [Minsk, B, C], answer: Minsk}",
            False,
        ),
        ("{id: a, type: cloze, text: 'The {{CSTO}} (CSTO) was founded in {{2002}}.'}", True),
        ("{id: a, type: cloze, text: 'The {{CSTO}} was founded in {{2002}}.'}", False),
    ],
)
def test_answer_in_question(tmp_path: Path, card: str, flagged: bool) -> None:
    rules = rules_of(tmp_path, f"  - {card}\n")
    assert ("answer-in-question" in rules) is flagged


def test_answer_in_question_points_at_the_question(tmp_path: Path) -> None:
    path = write(tmp_path, "  - id: a\n    front: 'Is it Romulus?'\n    back: Romulus\n" + DONE)
    (problem,) = check_paths([path]).problems
    assert (problem.line, problem.column, problem.rule) == (7, 12, "answer-in-question")
    assert problem.message == "card 'a': the back 'Romulus' appears in the front"


def test_cloze_empty_gap_is_an_error_with_a_rule(tmp_path: Path) -> None:
    assert rules_of(tmp_path, "  - {id: a, type: cloze, text: 'A {{}} b {{c}}'}\n") == [
        "cloze-empty-gap"
    ]
    assert rules_of(tmp_path, "  - {id: a, type: cloze, text: 'A {{x|}} b'}\n") == [
        "cloze-empty-gap"
    ]
    assert rules_of(tmp_path, "  - id: a\n    type: cloze\n    text: 'A {{x}} b'\n" + DONE) == []


def leaks_of(tmp_path: Path, cards: str) -> list[tuple[int, str]]:
    """(line, message) of each answer-leak warning in a deck of these cards."""
    result = check_paths([write(tmp_path, cards)])
    return [(p.line, p.message) for p in result.problems if p.rule == "answer-leak"]


ASKS_NAME = (
    "  - id: who\n    type: typed\n    question: 'Who led?'\n    answer: Otunbayeva\n" + DONE
)


def test_answer_leak_is_reported_at_the_card_that_gives_it_away(tmp_path: Path) -> None:
    gives = (
        "  - id: other\n    front: 'When?'\n    back: '2010'\n    explanation: 'OTUNBAYEVA led.'\n"
    )
    assert leaks_of(tmp_path, ASKS_NAME + gives) == [
        (
            15,
            "card 'other': its explanation shows 'Otunbayeva', "
            "the answer of card 'who' (line 6)",
        )
    ]
    in_question = "  - id: other\n    front: 'Otunbayeva did what?'\n    back: Ruled\n" + DONE
    assert [line for line, _ in leaks_of(tmp_path, ASKS_NAME + in_question)] == [13]


@pytest.mark.parametrize(
    ("answer", "shown", "leaks"),
    [
        ("Otunbayeva", "Roza Otunbayeva ruled", True),
        ("Rome", "Romerike is a district", False),  # whole words only
        ("Roza Otunbayeva", "Roza  OTUNBAYEVA.", True),  # case and spacing
        ("Oslo", "Oslo was it", True),
        ("Ufa", "Ufa was it", False),  # under four characters
        ("the one", "the one", False),  # only common words
        ("'36'", "36 dead", True),
        ("'36'", "360 dead and 36.5 hurt", False),  # whole numbers
        ("'1850'", "about 1,850 troops", True),
        ("'24.5'", "24.50 billion", True),
        ("'4'", "Article 4", False),  # one digit matches too much
        ("four", "four members", False),  # nor does a small number written out
    ],
)
def test_answer_leak_matches_whole_words_and_numbers(
    tmp_path: Path, answer: str, shown: str, leaks: bool
) -> None:
    asks = f"  - id: a\n    type: typed\n    question: Q?\n    answer: {answer}\n" + DONE
    other = f"  - id: b\n    front: 'What next?'\n    back: B\n    explanation: '{shown}'\n"
    assert bool(leaks_of(tmp_path, asks + other)) is leaks


def test_answer_leak_of_every_kind_of_answer(tmp_path: Path) -> None:
    cards = (
        "  - {id: n, type: numeric, question: 'How many?', answer: 189}\n"
        "  - {id: c, type: cloze, text: 'Invested {{twenty|20}} billion.'}\n"
        "  - {id: f, front: 'Which city?', back: Almaty}\n"
        "  - {id: s, type: choice, question: 'Which?', choices: [Astana, Minsk, Baku, Riga],"
        " answer: Minsk}\n"
        "  - {id: t, type: true_false, statement: 'It is true.', answer: true}\n"
        "  - {id: x, front: 'What?', back: B, explanation: '189 hurt, 20 billion, Almaty, Minsk"
        " and true.'}\n"
    )
    messages = [message for _, message in leaks_of(tmp_path, cards)]
    assert [m.split("answer of ")[1] for m in messages] == [
        "card 'n' (line 6)",
        "card 'c' (line 7)",
        "card 'f' (line 8)",
        "card 's' (line 9)",
    ]


def test_select_all_leaks_only_when_every_right_choice_is_shown(tmp_path: Path) -> None:
    asks = (
        "  - {id: m, type: choice, question: 'Which?', choices: [Armenia, Belarus, Georgia, Iran],"
        " answer: [Armenia, Belarus]}\n"
    )
    one = "  - {id: x, front: 'What?', back: B, explanation: 'Armenia did it.'}\n"
    both = "  - {id: x, front: 'What?', back: B, explanation: 'Belarus and Armenia did it.'}\n"
    assert leaks_of(tmp_path, asks + one) == []
    assert len(leaks_of(tmp_path, asks + both)) == 1


def test_an_answer_most_of_the_deck_mentions_is_its_subject_not_a_leak(tmp_path: Path) -> None:
    asks = "  - {id: a, front: 'Who called for help?', back: Kazakhstan}\n"
    mention = "  - {{id: m{0}, front: 'Kazakhstan, question {0}?', back: B{0}}}\n"
    few = asks + "".join(mention.format(i) for i in range(5))
    many = asks + "".join(mention.format(i) for i in range(6))
    assert len(leaks_of(tmp_path, few)) == 5
    assert leaks_of(tmp_path, many) == []
    # A number is specific however often it is printed.
    year = "  - {id: a, type: numeric, question: 'When?', answer: 2024}\n"
    dated = "  - {{id: m{0}, front: 'In 2024, question {0}?', back: B{0}}}\n"
    assert len(leaks_of(tmp_path, year + "".join(dated.format(i) for i in range(8)))) == 8


def test_a_cloze_shows_its_gaps_only_in_its_other_items(tmp_path: Path) -> None:
    one_gap = "  - {id: c, type: cloze, text: '{{Roza Otunbayeva}} led Kyrgyzstan.'}\n"
    assert leaks_of(tmp_path, ASKS_NAME + one_gap) == []
    two_gaps = "  - {id: c, type: cloze, text: '{{Roza Otunbayeva}} led it in {{2010}}.'}\n"
    assert len(leaks_of(tmp_path, ASKS_NAME + two_gaps)) == 1


def test_a_card_sharing_the_answer_does_not_leak_it(tmp_path: Path) -> None:
    cards = (
        "  - {id: a, front: 'Who led in 2010?', back: Otunbayeva}\n"
        "  - {id: b, front: 'Who asked for help?', back: Otunbayeva, explanation: 'Otunbayeva.'}\n"
    )
    assert leaks_of(tmp_path, cards) == []


def test_answer_leak_is_silenced_like_any_warning(tmp_path: Path) -> None:
    gives = (
        "  - id: other\n    front: 'When?'\n    back: '2010'\n    explanation: 'Otunbayeva led.'"
    )
    assert leaks_of(tmp_path, ASKS_NAME + gives + "  # quiz: ignore[answer-leak]\n") == []
    ignored = gives + "\n    lint: {ignore: [answer-leak]}\n"
    assert leaks_of(tmp_path, ASKS_NAME + ignored) == []


def test_answer_leak_in_a_large_deck_is_found_in_one_pass() -> None:
    # Half the cards answer with the one word every question uses: the deck's subject.
    cards = [
        Typed(
            f"c{i}",
            question=f"Which alliance, question {i}?",
            answer="Alliance" if i % 2 else f"Answer{i} words",
            explanation=f"See {i}.",
        )
        for i in range(10_000)
    ]
    cards.append(Flashcard("last", front="Q", back="B", explanation="Answer9998 words, and 9996"))
    started = time.perf_counter()
    leaks = list(find_leaks(cards))
    assert [(leak.at, leak.of) for leak in leaks] == [(10_000, 9_998)]
    # Seconds: looking at each of the 5,000 'alliance' cards from each question would take minutes.
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("card", "rules"),
    [
        ("type: order\n    question: Q\n    items: [A, B]", ["few-items"]),
        ("type: order\n    question: Q\n    items: [A, B, C]", []),
        ("type: match\n    question: Q\n    pairs: {A: '1', B: '2'}", ["few-items"]),
        ("type: match\n    question: Q\n    pairs: {A: '1', B: '2', C: '3'}", []),
    ],
)
def test_few_items(tmp_path: Path, card: str, rules: list[str]) -> None:
    assert rules_of(tmp_path, f"  - id: a\n    {card}\n" + DONE) == rules


def test_duplicate_question_in_one_deck(tmp_path: Path) -> None:
    cards = (
        "  - id: a\n    front: 'Who led Kyrgyzstan?'\n    back: Roza\n" + DONE
        + "  - id: b\n    front: 'who led  KYRGYZSTAN'\n    back: Otunbayeva\n" + DONE
    )  # fmt: skip
    path = write(tmp_path, cards)
    (problem,) = check_paths([path]).problems
    assert (problem.line, problem.rule) == (12, "duplicate-question")
    assert problem.message == "card 'b': the same question as card 'a' (line 6)"
    assert rules_of(tmp_path, cards.replace("KYRGYZSTAN", "Tajikistan")) == []


def test_duplicate_question_across_decks_only_when_checked_together(tmp_path: Path) -> None:
    card = "  - id: a\n    front: 'Who led Kyrgyzstan?'\n    back: Roza\n" + DONE
    first = write(tmp_path, card, "one.yaml")
    second = write(tmp_path, card, "two.yaml", HEADER.replace("deck: d", "deck: e"))
    assert found(first) == [] and found(second) == []
    result = check_paths([first, second])
    (problem,) = result.problems
    assert problem.path == str(second)
    assert problem.message == f"card 'a': the same question as card 'a' ({first}:6)"


def test_deck_ids_clashing_across_files(tmp_path: Path) -> None:
    card = "  - id: a\n    front: F\n    back: B\n" + DONE
    first = write(tmp_path, card, "one.yaml")
    second = write(tmp_path, card.replace("F", "G"), "two.yaml")
    result = check_paths([tmp_path])
    (problem,) = result.problems
    assert (problem.path, problem.line, problem.column) == (str(second), 1, 7)
    assert (problem.severity, problem.rule) == (Severity.ERROR, "duplicate-deck-id")
    assert problem.message == f"deck id 'd' is also used by {first}"
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("text", "line", "column", "name"),
    [
        ("    front: 'abc\u202edef'\n", 7, 16, "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("    front: 'zero\u200bwidth'\n", 7, 17, "U+200B ZERO WIDTH SPACE"),
        ("    front: 'bell\x07'\n", 7, 17, "U+0007 control character"),
        # Written as escapes, the characters are not in the text: the scalar is pointed at.
        (
            '    front: "esc \\e[31m red"\n',
            7,
            12,
            "U+001B control character (written as an escape)",
        ),
        (
            '    front: "\\u2066isolate"\n',
            7,
            12,
            "U+2066 LEFT-TO-RIGHT ISOLATE (written as an escape)",
        ),
    ],
)
def test_suspicious_characters(
    tmp_path: Path, text: str, line: int, column: int, name: str
) -> None:
    path = write(tmp_path, "  - id: a\n" + text + "    back: B\n" + DONE)
    problems = [p for p in check_paths([path]).problems if p.rule == "suspicious-character"]
    assert [(p.line, p.column, p.message) for p in problems] == [
        (line, column, f"suspicious character {name}")
    ]


def test_suspicious_character_in_a_comment_is_found_too(tmp_path: Path) -> None:
    path = write(tmp_path, "  - id: a  # \u202e hidden\n    front: F\n    back: B\n" + DONE)
    assert found(path) == [(6, "suspicious-character")]


def test_plain_unicode_text_is_not_suspicious(tmp_path: Path) -> None:
    cards = "  - id: a\n    front: 'Tokaýew, Пашинян, 東京, naïve — “quoted”'\n    back: 'é\tb'\n"
    assert rules_of(tmp_path, cards + DONE) == []


# --- Silencing ---------------------------------------------------------------------------------


BARE = "  - id: a\n    front: F\n    back: B\n"


def test_card_lint_key_silences_its_rules_for_that_card_only(tmp_path: Path) -> None:
    cards = (
        BARE
        + "    lint: {ignore: [missing-source, missing-explanation]}\n"
        + BARE.replace("id: a", "id: b").replace("F", "G")
    )
    assert found(write(tmp_path, cards)) == [(10, "missing-explanation"), (10, "missing-source")]


def test_a_block_style_card_is_silenced_to_its_last_line_and_no_further(tmp_path: Path) -> None:
    cards = (
        "  - id: a\n    front: F\n    back: |\n      Multi\n      line\n"
        "    lint:\n      ignore:\n        - missing-source\n        - missing-explanation\n"
        "  - id: b  # line 15\n    front: G\n    back: B\n"
    )
    assert found(write(tmp_path, cards)) == [(15, "missing-explanation"), (15, "missing-source")]


def test_deck_lint_key_silences_the_whole_deck(tmp_path: Path) -> None:
    header = HEADER.replace("cards:", "lint:\n  ignore: [missing-source]\ncards:")
    path = write(tmp_path, BARE + BARE.replace("id: a", "id: b").replace("F", "G"), header=header)
    assert [rule for _, rule in found(path)] == ["missing-explanation", "missing-explanation"]


def test_comment_silences_its_own_line(tmp_path: Path) -> None:
    cards = (
        "  - id: a  # quiz: ignore[missing-source, missing-explanation]\n"
        "    front: F\n    back: B\n"
        "  - id: b\n    front: 'Is it Romulus?'  # quiz: ignore[answer-in-question]\n"
        "    back: Romulus\n" + DONE
    )
    assert found(write(tmp_path, cards)) == []
    # Only the rules named, and only on that line.
    narrower = cards.replace("missing-source, ", "")
    assert found(write(tmp_path, narrower)) == [(6, "missing-source")]


def test_comment_like_text_inside_a_string_silences_nothing(tmp_path: Path) -> None:
    cards = "  - id: a\n    front: 'F # quiz: ignore[missing-source]'\n    back: B\n"
    assert rules_of(tmp_path, cards) == ["missing-explanation", "missing-source"]


@pytest.mark.parametrize("prefix", ["!!str", "&name"])
def test_a_comment_between_a_tag_or_anchor_and_its_text_is_a_comment(
    tmp_path: Path, prefix: str
) -> None:
    # The composed node starts at its tag or anchor; the text itself starts a line later.
    cards = f"  - id: a\n    front: {prefix}  # quiz: ignore[no-such-rule]\n      F\n    back: B\n"
    assert rules_of(tmp_path, cards + DONE) == ["unknown-rule"]


def test_check_composes_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    import quiz.deck.loader as loader

    composed: list[str] = []
    real = loader.compose_all

    def counting(text: str, path: str) -> object:
        composed.append(path)
        return real(text, path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was parsed a second time")

    monkeypatch.setattr(loader, "compose_all", counting)
    for name in ("compose", "scan", "parse", "load"):
        monkeypatch.setattr(yaml, name, refuse)
    cards = (
        "  - id: a  # quiz: ignore[no-such-rule]\n    front: 'F # quiz: ignore[x]'\n    back: B\n"
    )
    path = write(tmp_path, cards + DONE)
    assert [p.rule for p in check_paths([path]).problems] == ["unknown-rule"]
    assert composed == [str(path)]


def test_errors_cannot_be_silenced(tmp_path: Path) -> None:
    cards = "  - {id: a, type: choice, question: Q, choices: [A, B], answer: Z}  # quiz: ignore[answer-not-a-choice]\n"  # noqa: E501
    assert rules_of(tmp_path, cards) == ["answer-not-a-choice"]


def test_unknown_rule_names_are_reported_with_a_suggestion(tmp_path: Path) -> None:
    cards = (
        "  - id: a\n    front: F\n    back: B\n" + DONE + "    lint: {ignore: [mising-source]}\n"
        "  - id: b  # quiz: ignore[no-such-rule]\n    front: G\n    back: B\n" + DONE
    )
    result = check_paths([write(tmp_path, cards)])
    assert [(p.line, p.column, p.rule, p.message) for p in result.problems] == [
        (11, 21, "unknown-rule", "unknown rule 'mising-source' to ignore"
                                 " (did you mean 'missing-source'?)"),
        (12, 27, "unknown-rule", "unknown rule 'no-such-rule' to ignore"),
    ]  # fmt: skip


def test_lint_key_must_be_a_mapping_of_ignore(tmp_path: Path) -> None:
    cards = BARE + DONE + "    lint: {silence: [missing-source]}\n"
    assert rules_of(tmp_path, cards) == ["unknown-key"]


def test_lint_key_does_not_change_a_cards_content_hash() -> None:
    plain, _ = parse_deck(HEADER + BARE + DONE, "x.yaml")
    silenced, _ = parse_deck(HEADER + BARE + DONE + "    lint: {ignore: [few-items]}\n", "x.yaml")
    assert plain is not None and silenced is not None
    assert silenced.cards[0].lint_ignore == ("few-items",)
    assert silenced.cards[0].content_hash() == plain.cards[0].content_hash()


# --- The command -------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_check_prints_rules_and_exits_0_on_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {id: a, front: F, back: B}\n")
    result = run("check", str(path))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{path}:6:5: warning: card 'a': no explanation [missing-explanation]",
        f"{path}:6:5: warning: card 'a': cites no source [missing-source]",
    ]
    assert "0 error(s), 2 warning(s) in 1 file(s)" in result.stderr


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {id: a, front: F, back: B}\n")
    result = run("check", "--strict", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{path}:6:5: error: card 'a': no explanation [missing-explanation]"
    )
    assert run("check", "--strict", str(TEST_DECKS / "every-type.yaml")).exit_code == 0


def test_json_format(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {id: a, type: choice, question: Q, choices: [A, B], answer: Z}\n")
    result = run("check", "--format", "json", str(path))
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "path": str(path),
        "line": 6,
        "column": 65,
        "severity": "error",
        "message": "card 'a': answer 'Z' is not one of the choices",
        "rule": "answer-not-a-choice",
        # The span and hint are new in the JSON format (issue 20).
        "end_line": 6,
        "end_column": 66,
        "hint": None,
        "fix": None,
    }
    clean = str(TEST_DECKS / "every-type.yaml")
    assert json.loads(run("check", "--format", "json", clean).stdout) == []


def test_exit_2_when_a_file_cannot_be_read(tmp_path: Path) -> None:
    good = write(tmp_path, BARE + DONE)
    result = run("check", str(good), str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'missing.yaml'}: error: cannot read file" in result.stdout
    assert "[unreadable-file]" in result.stdout
    # A file that can be read but is broken is an ordinary error.
    (tmp_path / "bad.yaml").write_text("deck: [\n", encoding="utf-8")
    assert run("check", str(tmp_path / "bad.yaml")).exit_code == 1


def test_hostile_files_are_checked_without_harm(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("deck: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    laughs = tmp_path / "laughs.yaml"
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    laughs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("check", str(deep), str(laughs))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{deep}:1:" in result.stdout and f"{laughs}:" in result.stdout


def test_lint_deck_alone_matches_check(tmp_path: Path) -> None:
    text = HEADER + "  - {id: a, type: order, question: Q, items: [A, B]}\n"
    deck, _ = parse_deck(text, "x.yaml")
    assert deck is not None
    assert [p.rule for p in lint_deck(deck, text, "x.yaml")] == [
        "missing-explanation",
        "missing-source",
        "few-items",
    ]


# --- The bundled decks, and the rules' documentation -------------------------------------------


def test_bundled_decks_are_clean_even_checked_together() -> None:
    result = check_paths([bundled_decks_dir()], strict=True)
    assert [str(p) for p in result.problems] == []
    assert result.files >= 6


def test_every_loader_error_has_a_known_rule(tmp_path: Path) -> None:
    bad = {
        "tag.yaml": "deck: !!python/object:os.system x\n",
        "syntax.yaml": "deck: [\n",
        "tabs.yaml": "deck: d\n\ttitle: T\n",
        "empty.yaml": "# nothing but a comment\n",
        "alias.yaml": "deck: &a d\ntitle: *a\ncards: []\n",
        "latin1.yaml": "deck: caf\xe9\n",
        "kinds.yaml": "deck: d\ntitle: [T]\ncards: {a: 1}\n",
        "keys.yaml": "deck: D_D\ntitle: T\ntitle: U\nqux: 1\n"
        "settings: {new_per_day: x, desired_retention: 2}\ncards: []\n",
        "cards.yaml": HEADER
        + "  - {id: a, type: nope}\n  - {id: B_}\n  - {id: c, front: F}\n"
        + "  - {id: d, type: cloze, text: 'no gaps'}\n  - {id: e, type: cloze, text: 'a {{}} }}'}\n"
        + "  - {id: f, type: order, question: Q, items: [A, A]}\n"
        + "  - {id: g, type: match, question: Q, pairs: {A: '1'}}\n"
        + "  - {id: h, type: numeric, question: Q, answer: x, tolerance: -1}\n"
        + "  - {id: i, type: true_false, statement: S, answer: maybe}\n"
        + "  - {id: j, front: '', back: B, tags: [Not_A_Slug]}\n"
        + "  - {id: j, front: F, back: B}\n  - {id: j, front: F, back: B}\n"
        + "  - {id: k, front: F, back: B, source: {section: S}}\n",
    }  # fmt: skip
    for name, text in bad.items():
        (tmp_path / name).write_text(text, encoding="latin-1" if "latin1" in name else "utf-8")
    problems = check_paths([tmp_path, tmp_path / "missing.yaml"]).problems
    assert len(problems) > 20
    rules = {p.rule for p in problems}
    assert {"yaml-syntax", "empty-file", "yaml-alias", "not-utf8", "unreadable-file"} <= rules
    unnamed = [str(p) for p in problems if p.rule not in RULES]
    assert unnamed == []
    assert all(RULES[p.rule].severity is p.severity for p in problems if p.rule)


def test_docs_list_every_rule() -> None:
    docs = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", docs, re.MULTILINE))
    assert listed == set(RULES)


def _contains_words_by_pattern(text: str, phrase: str) -> bool:
    """The answer-in-question test as first written: one pattern per phrase."""
    phrase = phrase.strip()
    if not phrase:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, phrase.split())) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


# ASCII letters with the characters that match them ignoring case without being ASCII.
_LETTERS = st.sampled_from(list("aAbkKsSiI \t.-'1_\u017f\u212a\u0130\u0131\u00df"))


@settings(max_examples=1000, deadline=None)
@given(st.text(_LETTERS, max_size=12), st.text(_LETTERS, max_size=6))
def test_answer_in_question_finds_what_a_pattern_per_answer_finds(text: str, phrase: str) -> None:
    from quiz.deck.card_rules import contains_words

    assert contains_words(text, phrase) == _contains_words_by_pattern(text, phrase)

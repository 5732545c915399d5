"""`quiz import bank.gift`: Moodle question types as quiz cards; GIFT -> quiz -> GIFT is stable."""

from __future__ import annotations

from pathlib import Path

import pytest
from interchange_helpers import deck_of, load, run
from test_gift import AS_CARDS, DOCUMENTED

from quiz.interchange.gift import export_gift
from quiz.library import bundled_decks_dir

STRESS = Path(__file__).parent / "fixtures" / "gift-stress.yaml"


def _questions(text: str) -> str:
    """A GIFT export without its header, which names the deck."""
    return text.split("\n\n", 1)[1]


@pytest.mark.parametrize("path", [STRESS, *sorted(bundled_decks_dir().glob("*.yaml"))],
                         ids=lambda p: p.stem)  # fmt: skip
def test_gift_to_quiz_to_gift_is_stable(path: Path, tmp_path: Path) -> None:
    deck = load(path)
    first, _ = export_gift(deck)
    gift = tmp_path / "bank.gift"
    gift.write_text(first, encoding="utf-8")
    result = run("import", str(gift), "-o", str(tmp_path / "again.yaml"))
    assert result.exit_code == 0, result.output
    again = load(tmp_path / "again.yaml")
    assert again.title == deck.title
    second, _ = export_gift(again)
    assert _questions(second) == _questions(first)


@pytest.mark.parametrize("name", DOCUMENTED)
def test_the_documented_examples_import_as_the_cards_they_are(name: str, tmp_path: Path) -> None:
    gift = tmp_path / "bank.gift"
    gift.write_text(f"::q::{DOCUMENTED[name]}\n", encoding="utf-8")
    result = run("import", str(gift), "-o", str(tmp_path / "d.yaml"))
    assert result.exit_code == 0, result.output
    (card,) = load(tmp_path / "d.yaml").cards
    (expected,) = deck_of(f"deck: d\ntitle: T\ncards:\n  - id: q\n{AS_CARDS[name]}\n").cards
    assert card.to_dict() == expected.to_dict()


BANK = """\
// A bank as Moodle users write them.
$CATEGORY: $course$/History/Treaties

// [tag:csto] [tag:Истории] [tag:★]
::Founding::When was the treaty signed? {
  =1992 # right
  =%50%1991 # close
####It was signed in Tashkent.}

::Range::[html]Between which years? <b>roughly</b> {#1990..1994}

::Essay::Write about the CSTO. {}

Read this first: it is only a description.

$CATEGORY: $course$/Members

::Pick::Which are members? {
  ~%50%Armenia
  ~%50%Belarus
  ~%-100%Georgia
}

::Word::The CSTO was founded in {~Minsk =Tashkent ~Kyiv} in 1992.

::Broken::An unclosed answer {=a
"""


def test_a_bank_imports_with_categories_tags_feedback_and_what_was_left_out(
    tmp_path: Path,
) -> None:
    gift = tmp_path / "bank.gift"
    gift.write_text(BANK, encoding="utf-8")
    result = run("import", str(gift), "-o", str(tmp_path / "bank.yaml"))
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "wrote" in err and "4 card(s)" in err
    assert "left out line 12: an essay question: quiz has no such card" in err
    assert "left out line 14: a description (no answers): quiz has no such card" in err
    assert "left out line 26: the answers are not closed with '}'" in err
    assert "line 5: feedback on 2 answer(s) left out (quiz has none)" in err
    assert "line 5: 1 answer(s) with partial credit left out" in err
    assert "line 24: 2 wrong or partial choice(s) of a missing word left out" in err
    deck = load(tmp_path / "bank.yaml")
    by_id = {card.id: card.to_dict() for card in deck.cards}
    assert by_id["founding"]["answer"] == "1992"
    assert by_id["founding"]["explanation"] == "It was signed in Tashkent."
    # Tags are Unicode: a Cyrillic one is kept (lowercase); one with no letter is said.
    assert "1 tag(s) on cards left out: a tag needs a letter or a digit: '★' (1)" in err
    assert by_id["founding"]["tags"] == ("csto", "истории", "history", "treaties")
    assert (by_id["range"]["question"], by_id["range"]["answer"]) == (
        "Between which years? roughly",
        1992,
    )
    assert by_id["range"]["tolerance"] == 2
    assert by_id["pick"]["answers"] == ("Armenia", "Belarus")
    assert by_id["pick"]["tags"] == ("members",)
    assert by_id["word"]["type"] == "cloze"
    assert deck.cards[3].with_gap(None) == "The CSTO was founded in Tashkent in 1992."  # type: ignore[attr-defined]

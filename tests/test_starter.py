"""`quiz new`: a commented starter deck that checks clean, with one card of each type."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from quiz.cli import main
from quiz.deck.lint import check_paths
from quiz.deck.loader import check_deck
from quiz.deck.vocabulary import TYPE_KEYS


def test_new_writes_a_deck_that_checks_with_no_problems(tmp_path: Path) -> None:
    path = tmp_path / "Organic chemistry.yaml"
    result = CliRunner().invoke(main, ["new", str(path)])
    assert result.exit_code == 0, result.output
    deck, problems = check_deck(path)
    assert problems == []
    assert deck is not None
    assert (deck.id, deck.title) == ("organic-chemistry", "Organic chemistry")
    assert check_paths([path], strict=True).problems == []
    checked = CliRunner().invoke(main, ["check", "--strict", str(path)])
    assert checked.exit_code == 0
    assert "no problems" in checked.stderr


def test_the_starter_has_one_card_of_each_type_and_explains_the_fields(tmp_path: Path) -> None:
    path = tmp_path / "deck.yaml"
    CliRunner().invoke(main, ["new", str(path)])
    deck, _ = check_deck(path)
    assert deck is not None
    assert sorted(c.type for c in deck.cards) == sorted(TYPE_KEYS)
    text = path.read_text(encoding="utf-8")
    for field in ("id", "type", "explanation", "source", "tags", "lint"):
        assert f"\n#   {field} " in text, field
    optional = ("reverse:", "shuffle:", "accept:", "tolerance:", "unit:", "description:")
    commented = [line for line in text.splitlines() if line.strip().startswith(optional)]
    assert len(commented) == len(optional)
    assert all("# optional" in line for line in commented)
    assert "yaml-language-server: $schema=" in text
    assert "quiz schema" in text


def test_new_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("my own work\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {path} already exists; choose another name"
    assert path.read_text(encoding="utf-8") == "my own work\n"


def test_new_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new", str(tmp_path / "nope" / "deck.yaml")])
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.output


def test_new_with_spaces_in_the_name_keeps_its_case_and_quotes_the_command(
    tmp_path: Path,
) -> None:
    path = tmp_path / "My French Deck.yaml"
    result = CliRunner().invoke(main, ["new", str(path)])
    assert result.exit_code == 0
    deck, _ = check_deck(path)
    assert deck is not None
    assert (deck.id, deck.title) == ("my-french-deck", "My French Deck")
    # The suggested command works when pasted into a shell.
    assert f"then run: quiz check '{path}'" in result.stderr


def test_new_refuses_a_name_that_folder_scans_would_skip(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new", str(tmp_path / "deck.txt")])
    assert result.exit_code == 1
    assert "a deck file's name ends in .yaml or .yml" in result.output
    assert not (tmp_path / "deck.txt").exists()

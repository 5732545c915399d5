"""`quiz check` as a compiler: every problem in one run, at its place, in each output format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit import TEST_DECKS

from quiz.cli import main
from quiz.deck.lint import check_paths
from quiz.deck.problems import Problem, Severity
from quiz.deck.rules import RULES

EVERY_MISTAKE = Path(__file__).parent / "fixtures" / "every-mistake.yaml"
EVERY_TYPE = (TEST_DECKS / "every-type.yaml").read_text(encoding="utf-8")


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_every_mistake_is_found_in_one_run_each_at_its_place() -> None:
    found = [(p.line, p.column, p.rule) for p in check_paths([EVERY_MISTAKE]).problems]
    card_warnings = ("missing-explanation", "missing-source")
    # Content warnings are checked on every card that could be read; asserted apart below.
    assert [f for f in found if f[2] not in card_warnings] == [
        # A card's first error hides none of its others.
        (7, 9, "bad-slug"),
        (10, 14, "not-a-boolean"),
        # A duplicated id is reported although its first copy has an error.
        (14, 14, "not-a-boolean"),
        (15, 5, "duplicate-id"),
        # Warnings are given although the file has errors.
        (21, 14, "few-distractors"),
        # YAML mistakes in plain words, each at the place to fix.
        (26, 7, "yaml-indentation"),
        (28, 16, "yaml-unquoted-colon"),
        # At the '{{' that is never closed, not at the start of the text.
        (32, 30, "cloze-syntax"),
        (36, 12, "yaml-unclosed-bracket"),
        (36, 12, "few-items"),
        (38, 10, "yaml-missing-space"),
        (40, 3, "yaml-missing-space"),
        # The list item's 'back' is left out, so the card has none: a real second problem.
        (43, 5, "missing-key"),
        (45, 5, "yaml-list-item"),
        (48, 1, "yaml-tab"),
        # At its opening quote, not at the end of the file.
        (50, 12, "yaml-unclosed-quote"),
    ]
    lines = {line for line, _, rule in found if rule == "missing-explanation"}
    assert lines == {18, 23, 27, 33, 37, 40, 46, 49}


def test_every_mistake_has_its_own_words_and_hint() -> None:
    problems: dict[str | None, Problem] = {}
    for problem in check_paths([EVERY_MISTAKE]).problems:
        problems.setdefault(problem.rule, problem)
    assert problems["yaml-indentation"].message == (
        "invalid YAML: 'answer:' is indented more than 'question:' on line 25, "
        "so YAML reads it as part of the value of 'question'"
    )
    assert problems["yaml-indentation"].hint == "line this up with 'question:' (4 spaces)"
    assert problems["yaml-unquoted-colon"].hint == (
        'put the value in quotes: front: "Note: this is a colon"'
    )
    assert problems["yaml-missing-space"].hint == "write 'front: F7'"
    assert problems["yaml-unclosed-bracket"].hint == "close it with ']' after its last entry"
    assert problems["yaml-unclosed-quote"].hint == 'add " at the end of line 50'
    assert not any("mapping values are not allowed" in p.message for p in problems.values())
    # Cards are named by their id, never by their type.
    assert not any("flashcard card" in p.message for p in problems.values())
    assert problems["duplicate-id"].message == "duplicate card id 'twice' (first on line 11)"


def test_a_card_without_an_id_is_named_by_its_place_everywhere(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "deck: d\ntitle: T\ncards:\n  - {id: a, front: F, back: B}\n"
        "  - {front: G, back: H, reverse: perhaps}\n  - {front: I, back: J}\n",
        encoding="utf-8",
    )
    messages = [p.message for p in check_paths([path]).problems if p.line >= 5]
    assert messages[0] == "card #2: reverse must be true or false, not 'perhaps'"
    assert all(m.startswith(("card #2", "card #3")) for m in messages), messages
    assert any(m.startswith("card #3: no explanation") for m in messages)


def test_a_deck_id_in_three_files_is_reported_even_when_they_do_not_load(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(
            "deck: same\ntitle: T\ncards:\n  - {id: x, front: F, back: B, reverse: 2}\n",
            encoding="utf-8",
        )
    found = [(Path(p.path).name, p.line) for p in check_paths([tmp_path]).problems
             if p.rule == "duplicate-deck-id"]  # fmt: skip
    assert found == [("b.yaml", 1), ("c.yaml", 1)]


# --- Output formats ----------------------------------------------------------------------------


def write_bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "deck: d\ntitle: T\ncards:\n  - id: a\n    type: typed\n    question: Q\n      answer: A\n"
        "  - {id: b, front: F, bak: B, explanation: E, source: s}\n",
        encoding="utf-8",
    )
    return path


def test_text_shows_the_source_line_a_caret_and_the_hint(tmp_path: Path) -> None:
    path = write_bad(tmp_path)
    out = run("check", "--source", str(path)).stdout.splitlines()  # type: ignore[attr-defined]
    at = out.index(
        f"{path}:7:7: error: invalid YAML: 'answer:' is indented more than 'question:' on line 6,"
        " so YAML reads it as part of the value of 'question' [yaml-indentation]"
    )
    assert out[at + 1 : at + 5] == [
        "  |",
        "7 |       answer: A",
        "  |       ^^^^^^",
        "  = hint: line this up with 'question:' (4 spaces)",
    ]


def test_the_source_is_left_out_when_not_a_terminal_unless_asked(tmp_path: Path) -> None:
    path = write_bad(tmp_path)
    plain = run("check", str(path)).stdout  # type: ignore[attr-defined]
    assert "  |" not in plain
    assert "  = hint: line this up with 'question:' (4 spaces)" in plain
    assert "  |" not in run("check", "--no-source", str(path)).stdout  # type: ignore[attr-defined]


def test_the_caret_follows_tabs_in_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("deck: d\ntitle: T\ncards:\n  - {id: a,\tfront: F, back: B, x: 1}\n")
    out = run("check", "--source", str(path)).stdout.splitlines()  # type: ignore[attr-defined]
    at = next(i for i, line in enumerate(out) if "unknown key 'x'" in line)
    assert out[at + 2] == "4 |   - {id: a,\tfront: F, back: B, x: 1}"
    assert out[at + 3] == "  | " + " " * 11 + "\t" + " " * 19 + "^"


def test_json_carries_the_span_and_the_hint(tmp_path: Path) -> None:
    path = write_bad(tmp_path)
    result = run("check", "--format", "json", str(path))
    rows = json.loads(result.stdout)  # type: ignore[attr-defined]
    indent = next(r for r in rows if r["rule"] == "yaml-indentation")
    assert indent == {
        "path": str(path),
        "line": 7,
        "column": 7,
        "end_line": 7,
        "end_column": 13,
        "severity": "error",
        "message": indent["message"],
        "rule": "yaml-indentation",
        "hint": "line this up with 'question:' (4 spaces)",
        "fix": None,
    }
    typo = next(r for r in rows if r["rule"] == "unknown-key")
    assert (typo["line"], typo["column"], typo["end_column"], typo["fix"]) == (8, 23, 26, "back")


def test_github_annotations(tmp_path: Path) -> None:
    path = write_bad(tmp_path)
    out = run("check", "--format", "github", str(path)).stdout.splitlines()  # type: ignore[attr-defined]
    assert out[0] == (
        f"::warning file={path},line=4,col=5,title=missing-explanation::card 'a': no explanation"
    )
    indent = next(line for line in out if "yaml-indentation" in line)
    assert indent.startswith(
        f"::error file={path},line=7,col=7,endLine=7,endColumn=13,title=yaml-indentation::"
    )
    # Line breaks and '%' are escaped, so that one annotation stays one line.
    assert indent.endswith("%0Ahint: line this up with 'question:' (4 spaces)")


def test_github_escapes_properties() -> None:
    from quiz.deck.output import github

    line = github([Problem("a,b:c%.yaml", 1, 2, Severity.ERROR, "50% off", "bad-slug")])
    assert line == "::error file=a%2Cb%3Ac%25.yaml,line=1,col=2,title=bad-slug::50%25 off"


def test_sarif_has_the_fields_sarif_2_1_0_requires(tmp_path: Path) -> None:
    path = write_bad(tmp_path)
    log = json.loads(run("check", "--format", "sarif", str(path)).stdout)  # type: ignore[attr-defined]
    # No SARIF schema is available offline: these are the properties the 2.1.0 schema requires.
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "quiz check"
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    assert all(r["shortDescription"]["text"] for r in driver["rules"])
    levels = {r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert levels == {"error", "warning"}
    results = sarif_run["results"]
    assert results
    for result in results:
        assert result["message"]["text"]
        assert result["level"] in ("error", "warning", "note", "none")
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == path.as_uri()
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (
            region["startLine"],
            region["startColumn"],
        )
    indent = next(r for r in results if r["ruleId"] == "yaml-indentation")
    region = indent["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 7, "endLine": 7, "endColumn": 13}


def test_sarif_of_a_relative_path_is_a_relative_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my deck.yaml").write_text("deck: d\n", encoding="utf-8")
    log = json.loads(run("check", "--format", "sarif", "my deck.yaml").stdout)  # type: ignore[attr-defined]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {"my%20deck.yaml"}


def test_pre_commit_hook_runs_quiz_check() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "quiz-check"
    assert hook["entry"].split()[:2] == ["quiz", "check"]
    assert re.search(hook["files"], "decks/csto.yaml")
    assert not re.search(hook["files"], "README.md")


# --- No traceback, whatever the input -----------------------------------------------------------

HOSTILE = {
    "tag.yaml": "deck: !!python/object/apply:os.system [echo hi]\n",
    "laughs.yaml": "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\ndeck: *c\n",
    "deep.yaml": "deck: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep-block.yaml": "x:\n" + "  - " * 60 + "a\n",
    "controls.yaml": "deck: d\x01\ntitle: T\n",
    "bom-inside.yaml": "deck: d\n\ufefftitle: T\n",
    "two-docs.yaml": "deck: d\n---\ndeck: e\n",
    "surrogate-escape.yaml": 'deck: "\\ud800"\ntitle: T\ncards: []\n',
    "cloze.yaml": "deck: d\ntitle: T\ncards:\n  - {id: z, type: cloze, text: '"
    + "{{" * 20000
    + "'}\n",
    "keys.yaml": "? [a, b]\n: c\ndeck: d\n",
    "crlf.yaml": "deck: d\r\ntitle: T\r\ncards:\r\n  - id: a\r\n    front: x: y\r\n",
    "only-dashes.yaml": "-\n-\n- -\n",
    "tabs.yaml": "deck: d\n\t\ttitle: T\n\tcards:\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("output", ["text", "json", "github", "sarif"])
def test_no_traceback_for_hostile_input(tmp_path: Path, name: str, output: str) -> None:
    (tmp_path / name).write_text(HOSTILE[name], encoding="utf-8", newline="")
    result = run("check", "--source", "--format", output, str(tmp_path / name))
    assert result.exit_code in (0, 1, 2), result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


BUNDLED = Path(__file__).parent.parent / "decks"


@pytest.mark.parametrize(
    "deck", [*sorted(BUNDLED.glob("*.yaml")), *sorted(TEST_DECKS.glob("*.yaml")), EVERY_MISTAKE]
)
def test_no_traceback_for_the_test_decks(deck: Path) -> None:
    result = run("check", "--source", str(deck))
    assert result.exit_code in (0, 1), result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_edits_of_a_valid_deck_check_without_a_traceback(
    tmp_path: Path, data: st.DataObject
) -> None:
    from quiz.deck import output

    text = EVERY_TYPE
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        piece = data.draw(
            st.text(max_size=8)
            | st.sampled_from(["\t", "- ", ": ", "-", ":", "'", '"', "[", "{", "  ", "\n  "])
        )
        cut = data.draw(st.integers(0, 10))
        text = text[:at] + piece + text[at + cut :]
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = check_paths([path])
    lines = text.splitlines()
    for problem in result.problems:
        assert 1 <= problem.line <= max(1, len(lines) + 1), problem
        assert problem.column >= 1
        assert problem.end >= (problem.line, problem.column)
    output.text(result.problems, result.sources, True)
    for write in output.WRITERS.values():
        write(result.problems)


def test_a_whole_file_problem_has_no_made_up_place(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing here yet\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    text = run("check", "--no-source", str(empty), str(missing))
    assert f"{empty}: error: the file is empty [empty-file]" in text.stdout  # type: ignore[attr-defined]
    assert f"{missing}: error: cannot read file" in text.stdout  # type: ignore[attr-defined]
    rows = json.loads(run("check", "--format", "json", str(empty)).stdout)  # type: ignore[attr-defined]
    assert [(r["line"], r["column"], r["end_line"], r["end_column"]) for r in rows] == [
        (None, None, None, None)
    ]
    github = run("check", "--format", "github", str(empty)).stdout  # type: ignore[attr-defined]
    assert github.strip() == f"::error file={empty},title=empty-file::the file is empty"
    sarif = json.loads(run("check", "--format", "sarif", str(empty)).stdout)  # type: ignore[attr-defined]
    (result,) = sarif["runs"][0]["results"]
    assert "region" not in result["locations"][0]["physicalLocation"]


def test_a_deck_id_claimed_twice_is_shown_at_its_deck_line(
    tmp_path: Path, store: object, clock: object
) -> None:
    from datetime import UTC, datetime

    from quiz.library import load_library

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(EVERY_TYPE, encoding="utf-8")
    second.write_text("# a copy\n\n" + EVERY_TYPE, encoding="utf-8")
    line = (
        EVERY_TYPE.splitlines().index(
            next(x for x in EVERY_TYPE.splitlines() if x.startswith("deck:"))
        )
        + 3
    )
    library = load_library(store, [first, second], datetime(2026, 3, 2, 12, tzinfo=UTC))  # type: ignore[arg-type]
    (problem,) = [p for p in library.problems if p.rule == "duplicate-deck-id"]
    assert (problem.path, problem.line, problem.column) == (str(second), line, 1)
    (checked,) = [p for p in check_paths([tmp_path]).problems if p.rule == "duplicate-deck-id"]
    assert (checked.path, checked.line) == (str(second), line)

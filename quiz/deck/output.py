"""Problems printed for people and for tools: compiler-style text, JSON, GitHub, SARIF."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from quiz import __version__
from quiz.deck.problems import Problem, Severity
from quiz.deck.rules import RULES

FORMATS = ("text", "json", "github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_WIDEST_EXCERPT = 200


def text(problems: Iterable[Problem], sources: Mapping[str, str], show_source: bool) -> str:
    """Each problem as a compiler prints it: its line, the source with a caret, a hint."""
    lines: list[str] = []
    cache: dict[str, list[str]] = {}
    for problem in problems:
        lines.append(str(problem))
        if show_source:
            lines.extend(_excerpt(problem, sources, cache))
        if problem.hint:
            lines.append(f"  = hint: {problem.hint}")
    return "\n".join(lines)


def _excerpt(
    problem: Problem, sources: Mapping[str, str], cache: dict[str, list[str]]
) -> Iterator[str]:
    source = sources.get(problem.path)
    if source is None or problem.line <= 0:
        return
    if problem.path not in cache:
        cache[problem.path] = source.splitlines()
    file_lines = cache[problem.path]
    if problem.line > len(file_lines):
        return
    line = file_lines[problem.line - 1]
    start = problem.column - 1
    end_line, end_column = problem.end
    stop = end_column - 1 if end_line == problem.line else len(line)
    # A very long line is cut around the problem, so that the caret stays on screen.
    offset = max(0, start - _WIDEST_EXCERPT // 2) if len(line) > _WIDEST_EXCERPT else 0
    shown = line[offset : offset + _WIDEST_EXCERPT]
    gutter = " " * len(str(problem.line))
    # The caret line copies the source's tabs, so that it lines up however tabs are shown.
    before = "".join(c if c == "\t" else " " for c in shown[: max(0, start - offset)])
    width = max(1, min(stop, offset + len(shown)) - start)
    yield f"{gutter} |"
    yield f"{problem.line} | {shown}"
    yield f"{gutter} | {before}{'^' * width}"


def as_json(problems: Iterable[Problem]) -> str:
    """A JSON list, one object per problem, with its span, hint and fix."""
    rows = []
    for p in problems:
        # A problem of the whole file has no place: null, not a made-up line 1.
        placed = p.line > 0
        end_line, end_column = p.end if placed else (None, None)
        rows.append(
            {
                "path": p.path,
                "line": p.line if placed else None,
                "column": p.column if placed else None,
                "end_line": end_line,
                "end_column": end_column,
                "severity": p.severity.value,
                "message": p.message,
                "rule": p.rule,
                "hint": p.hint,
                "fix": p.fix,
            }
        )
    return json.dumps(rows, indent=2, ensure_ascii=False)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands: an annotation on the file and line of each problem."""
    out = []
    for p in problems:
        level = "error" if p.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_property(p.path)}"] if p.path else []
        if p.line > 0:
            end_line, end_column = p.end
            props += [f"line={p.line}", f"col={p.column}"]
            if p.end_line is not None and end_line == p.line:
                props += [f"endLine={end_line}", f"endColumn={end_column}"]
        if p.rule:
            props.append(f"title={_escape_property(p.rule)}")
        message = p.message + (f"\nhint: {p.hint}" if p.hint else "")
        out.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(out)


def _uri(path: str) -> str:
    given = Path(path)
    if given.is_absolute():
        return given.as_uri()
    return quote(given.as_posix())


def sarif(problems: Iterable[Problem]) -> str:
    """A SARIF 2.1.0 log of one run of `quiz check`, for code-scanning tools."""
    names = list(RULES)
    index = {name: i for i, name in enumerate(names)}
    results = [_sarif_result(p, index) for p in problems]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "quiz check",
                        "version": __version__,
                        "rules": [
                            {
                                "id": name,
                                "shortDescription": {"text": RULES[name].summary},
                                "defaultConfiguration": {"level": RULES[name].severity.value},
                            }
                            for name in names
                        ],
                    }
                },
                # Columns count characters, as YAML's own marks do.
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _sarif_result(p: Problem, index: Mapping[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "level": "error" if p.severity is Severity.ERROR else "warning",
        "message": {"text": p.message + (f" (hint: {p.hint})" if p.hint else "")},
    }
    if p.rule:
        result["ruleId"] = p.rule
        if p.rule in index:
            result["ruleIndex"] = index[p.rule]
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(p.path)}}
    if p.line > 0:
        end_line, end_column = p.end
        location["region"] = {
            "startLine": p.line,
            "startColumn": p.column,
            "endLine": end_line,
            "endColumn": end_column,
        }
    if p.path:
        result["locations"] = [{"physicalLocation": location}]
    return result


WRITERS: dict[str, Callable[[list[Problem]], str]] = {
    "json": as_json,
    "github": github,
    "sarif": sarif,
}

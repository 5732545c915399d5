"""The core never imports Textual: only quiz/tui may; modules and classes stay a readable size."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "quiz"
CORE = [
    "quiz.deck",
    "quiz.grading",
    "quiz.scheduler",
    "quiz.store",
    "quiz.session",
    "quiz.library",
    "quiz.progress.stats",
    "quiz.progress.items",
    "quiz.progress.exchange",
    "quiz.progress.report",
]


def test_core_modules_do_not_load_textual():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_file_outside_tui_imports_textual():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "tui" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "textual" for n in names):
                offenders.append(str(path))
    assert offenders == []


# The parts already cut to size; the others follow as they are restructured.
SIZED = ["tui", "interchange", "cli", "grading.py"]


def test_no_module_over_500_lines_and_no_class_over_250():
    too_long = []
    for part in SIZED:
        paths = [PACKAGE / part] if part.endswith(".py") else sorted((PACKAGE / part).rglob("*.py"))
        for path in paths:
            text = path.read_text(encoding="utf-8")
            lines = text.count("\n")
            if lines > 500:
                too_long.append(f"{path.name}: {lines} lines")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                    length = node.end_lineno - node.lineno + 1
                    if length > 250:
                        too_long.append(f"{path.name}: class {node.name}, {length} lines")
    assert too_long == []

"""The core never imports Textual: only quiz/tui may."""

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

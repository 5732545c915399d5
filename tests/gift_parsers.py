"""Independent GIFT parsers for the tests: gift-pegjs (npm, under node) and pygiftparser (PyPI)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

# Fetched once per machine, outside the repository; nothing of theirs is committed.
PEGJS_FOLDER = Path(
    os.environ.get("QUIZ_GIFT_PEGJS", Path(tempfile.gettempdir()) / "quiz-tests-gift-pegjs")
)
_READ = (
    "const p = require('gift-pegjs');"
    "let s = ''; process.stdin.on('data', d => s += d);"
    "process.stdin.on('end', () => process.stdout.write(JSON.stringify(p.parse(s))));"
)


def pegjs_folder() -> Path:
    """A folder with gift-pegjs installed, or the test is skipped saying why."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("gift-pegjs not run: node and npm are not installed")
    if not (PEGJS_FOLDER / "node_modules" / "gift-pegjs").is_dir():
        PEGJS_FOLDER.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run(
                [npm, "install", "--no-save", "--prefix", str(PEGJS_FOLDER), "gift-pegjs@1"],
                capture_output=True,
                text=True,
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            pytest.skip("gift-pegjs not run: npm install timed out")
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no message"])[-1]
            pytest.skip(f"gift-pegjs not run: npm cannot fetch it ({why})")
    return PEGJS_FOLDER


def parse_with_pegjs(text: str) -> list[dict[str, Any]]:
    """The questions gift-pegjs reads in a GIFT text (it raises on a syntax error)."""
    folder = pegjs_folder()
    done = subprocess.run(
        ["node", "-e", _READ],
        input=text,
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "NODE_PATH": str(folder / "node_modules")},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    questions: list[dict[str, Any]] = json.loads(done.stdout)
    return [q for q in questions if q["type"] != "Category"]


def parse_with_pygiftparser(text: str, folder: Path) -> list[Any]:
    """The questions pygiftparser reads in a GIFT text."""
    parser = pytest.importorskip("pygiftparser.parser", reason="pygiftparser is not installed")
    path = folder / "questions.gift"
    path.write_text(text, encoding="utf-8")
    with path.open(encoding="utf-8") as handle:
        return list(parser.parseFile(handle))

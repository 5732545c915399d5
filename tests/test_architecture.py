"""The shape of the code: Textual only in quiz/tui, SQL only in quiz/store, small modules."""

from __future__ import annotations

import ast
import re
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


def test_no_module_over_500_lines_and_no_class_over_250():
    # Every module of quiz/ stays small enough to read whole.
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > 500:
            too_long.append(f"{path.relative_to(PACKAGE)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > 250:
                    too_long.append(f"{path.relative_to(PACKAGE)}: class {node.name}, {length}")
    assert too_long == []


# SQL against the quiz database lives under quiz/store/; anywhere else it runs through the
# store's functions. The parts named here run SQL against other programs' database files.
FOREIGN_DATABASES = {"interchange": "reads Anki collections, not the quiz database"}
SQL = re.compile(
    r"\b(SELECT\b[\s\S]+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b"
)
EXECUTE = {"execute", "executemany", "executescript"}


def _text(node: ast.expr) -> str:
    """The literal text of a string expression, f-string holes left out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _text(node.left) + " " + _text(node.right)
    return ""


def sql_outside_the_store(package: Path) -> list[str]:
    """Each SQL statement, or call to execute, in the package outside quiz/store/."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "store" or relative.parts[0] in FOREIGN_DATABASES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            place = f"{relative}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in EXECUTE
            ):
                found.append(f"{place}: {node.func.attr}()")
            elif isinstance(node, ast.Constant | ast.JoinedStr) and SQL.search(_text(node)):
                found.append(f"{place}: {_text(node)[:60]!r}")
    # An f-string's text is found once as the string and once as its parts.
    return sorted(set(found))


def test_sql_against_the_quiz_database_lives_under_quiz_store():
    assert sql_outside_the_store(PACKAGE) == []


def test_the_sql_check_finds_sql(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "fine.py").write_text('conn.execute("SELECT 1 FROM reviews")\n')
    (tmp_path / "report.py").write_text(
        'rows = conn.execute(f"SELECT id FROM {table}")\n'
        'QUERY = "DELETE FROM reviews WHERE id = ?"\n'
        'text = "Select a deck from the list"\n'
    )
    assert sql_outside_the_store(tmp_path) == [
        "report.py:1: 'SELECT id FROM '",
        "report.py:1: execute()",
        "report.py:2: 'DELETE FROM reviews WHERE id = ?'",
    ]


def test_no_isinstance_on_a_card_class_anywhere_in_quiz():
    # Code that depends on a card's type matches on the `Card` union and ends with
    # assert_never, so mypy names every place a new card type must be handled.
    from quiz.deck.model import CARD_TYPES

    names = {cls.__name__ for cls in CARD_TYPES.values()}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("isinstance", "issubclass")
                and len(node.args) == 2
            ):
                classes = ast.walk(node.args[1])
                hits = [n.id for n in classes if isinstance(n, ast.Name) and n.id in names]
                if hits:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {hits}")
    assert found == []

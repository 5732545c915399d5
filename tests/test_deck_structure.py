"""The deck package stays in pieces one can read: small modules, and card types matched on."""

from __future__ import annotations

import ast
from pathlib import Path

from quiz.deck.model import CARD_TYPES

DECK = Path(__file__).parent.parent / "quiz" / "deck"
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 250


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in DECK.glob("*.py")]


def test_no_deck_module_or_class_is_too_long_to_read() -> None:
    long: list[str] = []
    for path, tree in _modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            long.append(f"{path.name}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    long.append(f"{path.name}: class {node.name}, {size} lines")
    assert long == []


def test_deck_code_matches_on_card_types_instead_of_isinstance() -> None:
    # `match card: ... case _: assert_never(card)` lets mypy name every place a new type needs.
    names = {cls.__name__ for cls in CARD_TYPES.values()}
    found: list[str] = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("isinstance", "issubclass")
                and len(node.args) == 2
            ):
                classes = node.args[1]
                parts = classes.elts if isinstance(classes, ast.Tuple) else [classes]
                if any(isinstance(p, ast.Name) and p.id in names for p in parts):
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []

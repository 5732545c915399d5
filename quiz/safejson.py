"""JSON from files quiz did not write: nesting bounded before parsing, so no input recurses deep."""

from __future__ import annotations

import json
import re
from typing import Any

# A string (skipped whole, escapes and all) or a bracket that opens or closes a level.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JSONDepthError(ValueError):
    """JSON nested deeper than allowed."""


def check_depth(text: str, limit: int) -> None:
    """Raise JSONDepthError when arrays and objects nest deeper than `limit` levels."""
    # Counting brackets is a cheap upper bound: most text never needs the scan.
    if text.count("[") + text.count("{") <= limit:
        return
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                raise JSONDepthError(f"nested deeper than {limit} levels")
        elif char in "]}":
            depth -= 1


def loads(text: str, max_depth: int) -> Any:
    """json.loads, refusing nesting past `max_depth` (ValueError, like any bad JSON)."""
    check_depth(text, max_depth)
    try:
        return json.loads(text)
    except RecursionError as exc:  # never reached below the limit; kept as a last guard
        raise JSONDepthError("nested too deep") from exc

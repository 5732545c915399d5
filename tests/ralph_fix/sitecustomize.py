"""Loaded by the Ralph processes the tests start (on their PYTHONPATH only): two fixes to Ralph.

Ralph 5.1.0's file-system LRS backend has two bugs that the other backends do not share:
- it writes each POSTed batch with the data backend's default operation, `create`, which
  refuses a file that exists, so every POST after the first fails ("fs_lrs.jsonl already
  exists"); appending, which the backend supports, is what an LRS needs;
- its `verb` and `activity` filters compare the statement's id (a str) with the query's
  (Ralph's `IRI` model), which are never equal, so a filtered GET finds nothing.
Both are fixed here, for the tests' servers only; nothing else of Ralph is changed.
"""

from __future__ import annotations

import os

if os.environ.get("QUIZ_TESTS_RALPH_FS_FIXES") == "1":
    from typing import Any

    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    by_verb = FSLRSBackend._add_filter_by_verb
    by_activity = FSLRSBackend._add_filter_by_activity

    def _verb(filters: list[Any], verb_id: Any) -> None:
        by_verb(filters, str(verb_id) if verb_id else None)

    def _activity(filters: list[Any], object_id: Any, related: Any) -> None:
        by_activity(filters, str(object_id) if object_id else None, related)

    FSLRSBackend._add_filter_by_verb = staticmethod(_verb)  # type: ignore[method-assign]
    FSLRSBackend._add_filter_by_activity = staticmethod(_activity)  # type: ignore[method-assign]

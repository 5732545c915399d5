"""The `quiz` command line: the group in `group`, its commands in the modules beside it."""

from __future__ import annotations

# Imported for their commands, which they add to the group as they load.
from quiz.cli import (
    backup,
    cards,
    decks,
    exams,
    import_export,
    lrs,
    optimize,
    progress,
    settings,
)
from quiz.cli.group import main

__all__ = [
    "backup",
    "cards",
    "decks",
    "exams",
    "import_export",
    "lrs",
    "main",
    "optimize",
    "progress",
    "settings",
]

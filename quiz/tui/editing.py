"""Opening a card's deck file in the learner's editor, at the card's line."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from textual.app import App, SuspendNotSupported

# Editors that take `FILE:LINE` (after `--goto` for VS Code and its forks) rather than `+LINE`.
GOTO_EDITORS = {"code", "code-insiders", "codium", "cursor"}
COLON_EDITORS = {"subl", "zed", "hx", "helix", "micro"}


def editor_command(path: Path, line: int, env: Mapping[str, str] = os.environ) -> list[str]:
    """The command that opens `path` at `line`: $VISUAL, else $EDITOR, else nano or vi."""
    chosen = env.get("VISUAL") or env.get("EDITOR")
    words = shlex.split(chosen) if chosen else [(shutil.which("nano") and "nano") or "vi"]
    name = Path(words[0]).name.removesuffix(".exe")
    if line <= 0:
        return [*words, str(path)]
    if name in GOTO_EDITORS:
        return [*words, "--goto", f"{path}:{line}"]
    if name in COLON_EDITORS:
        return [*words, f"{path}:{line}"]
    # vi, vim, nvim, nano, emacs, kak, ed, joe, mg and most others read `+LINE FILE`.
    return [*words, f"+{line}", str(path)]


def run_editor(app: App[object], command: list[str]) -> str | None:
    """Hand the terminal to the editor until it exits; None, or what went wrong, in words."""

    def run() -> str | None:
        try:
            done = subprocess.run(command, check=False)
        except OSError as exc:
            return f"{command[0]} could not be started ({exc.strerror}): set $EDITOR or $VISUAL"
        return None if done.returncode == 0 else f"{command[0]} exited with {done.returncode}"

    try:
        with app.suspend():
            return run()
    except SuspendNotSupported:
        # No terminal to hand over (a headless test, or a web driver): run it as it is.
        return run()

"""`quiz study` in a real terminal (tmux, 80x24): every card type answered with keys typed there."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from testkit import TEST_DECKS

ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: the terminal session is skipped"
)


class Terminal:
    """One tmux session on its own server socket, so no other tmux is touched."""

    def __init__(self, socket: Path, command: list[str], env: dict[str, str]) -> None:
        self.base = ["tmux", "-S", str(socket)]
        script = " ".join(_quote(part) for part in command)
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", "quiz", "-x", "80", "-y", "24", script],
            check=True,
            env=env,
        )

    def screen(self) -> str:
        """The visible text of the pane."""
        out = subprocess.run(
            [*self.base, "capture-pane", "-p", "-t", "quiz"], capture_output=True, text=True
        )
        return out.stdout

    def wait_for(self, pattern: str, timeout: float = 30.0) -> str:
        """The screen once `pattern` (a regex) is on it."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if re.search(pattern, shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared; the screen was:\n{shown}")
            time.sleep(0.05)

    def keys(self, *keys: str) -> None:
        """Key names as tmux knows them (Enter, Space, S-Down ...)."""
        subprocess.run([*self.base, "send-keys", "-t", "quiz", *keys], check=True)

    def type(self, text: str) -> None:
        """Literal text."""
        subprocess.run([*self.base, "send-keys", "-t", "quiz", "-l", text], check=True)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def _quote(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"


def _listed(screen: str, marker: str) -> list[str]:
    """The texts of option lines like ' 1. Treaty signed' (marker a regex for '1.' or 'a.')."""
    return [m.group(1).strip() for m in re.finditer(rf"│\s+{marker}\s+(.+?)\s*│", screen)]


def test_every_card_type_answered_in_tmux_at_80x24(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    db = tmp_path / "quiz.db"
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    command = [
        sys.executable, "-m", "quiz", "study", str(TEST_DECKS / "every-type.yaml"),
        "--db", str(db), "--learner", "ann",
    ]  # fmt: skip
    term = Terminal(tmp_path / "tmux.sock", command, env)
    try:
        term.wait_for("Space shows the answer", timeout=90)  # start-up, on a busy machine
        # A blank Enter on the flashcard does nothing; Space reveals, Enter rates it Good.
        term.keys("Space")
        term.wait_for("Space or Enter: Good")
        term.keys("Enter")
        term.wait_for(r"select all that apply")
        # Enter with nothing picked is refused, then a real answer.
        term.keys("Enter")
        term.wait_for("Pick one or more answers first")
        term.keys("1", "2", "Enter")
        term.wait_for("Enter keeps")
        term.keys("Enter")
        term.wait_for("secretariat")
        term.keys("Enter")
        term.wait_for("Pick an answer first")
        term.keys("3", "Enter")
        term.wait_for("Enter keeps")
        term.keys("Enter")
        term.wait_for("observer at the UN")
        term.keys("t", "Enter")
        term.wait_for("Enter keeps")
        term.keys("Enter")
        term.wait_for(r"Article \[ … \]")
        term.keys("Enter")
        term.wait_for("Type your answer first")
        # q and ? are typed into the box, not taken as keys.
        term.type("q?")
        term.wait_for(r"q\?\s+▎")
        term.keys("BSpace", "BSpace")
        term.wait_for("Type your answer, then Enter")
        term.type("four")
        term.keys("Enter")
        term.wait_for("Enter keeps")
        term.keys("Enter")
        term.wait_for("interim government")
        term.type("Roza Otunbayeva")
        term.keys("Enter")
        term.wait_for("Enter keeps")
        term.keys("Enter")
        term.wait_for("troops did the CSTO")
        term.type("18k")
        term.keys("Enter")
        term.wait_for("A number, e.g.")
        term.keys("BSpace", "BSpace", "BSpace")
        term.wait_for("Type a number, then Enter")
        term.type("2,450")
        term.keys("Enter")
        term.wait_for("Enter keeps")
        term.keys("Enter")
        term.wait_for("earliest first")
        term.keys("Enter")
        term.wait_for("Put the items in order first")
        term.keys("S-Down")
        time.sleep(0.3)
        order = _listed(term.screen(), r"\d\.")
        term.keys("Enter")
        term.wait_for("Enter keeps")
        term.keys("Enter")
        shown = term.wait_for("role in January 2022")
        lefts = [t.split("  →")[0].strip() for t in _listed(shown, r"\d\.")]
        rights = dict(re.findall(r"│\s+([abc])\.\s+(.+?)\s*│", shown))
        term.keys("Enter")
        term.wait_for("Match an item to a lettered option first")
        term.keys("a", "b", "Enter")
        term.wait_for("Enter keeps")
        # Every item is learning now and comes back within minutes: end the session here.
        term.keys("Enter")
        term.wait_for("9 done")
        term.keys("Escape")
        term.wait_for("Session complete")
        term.keys("q")
        deadline = time.monotonic() + 20
        while "Session complete" in term.screen() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        term.close()

    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("SELECT item_key, response FROM reviews WHERE learner = 'ann'"))
    assert set(rows) == {
        "treaty-year", "members", "capital", "un-observer", "articles::c1",
        "otunbayeva", "troops", "chronology", "leaders",
    }  # fmt: skip
    responses = {
        key: json.loads(value) if value is not None else None for key, value in rows.items()
    }
    assert not any(r in ("", [], {}) for r in responses.values())
    assert responses["treaty-year"] is None  # a flashcard is rated, not answered
    assert responses["members"] == ["Armenia", "Belarus"]
    assert responses["capital"] == "Astana"
    assert responses["un-observer"] is True
    assert responses["articles::c1"] == "four"
    assert responses["otunbayeva"] == "Roza Otunbayeva"
    assert responses["troops"] == "2,450"
    assert responses["chronology"] == order and len(order) == 3
    assert responses["leaders"] == {lefts[0]: rights["a"], lefts[1]: rights["b"]}

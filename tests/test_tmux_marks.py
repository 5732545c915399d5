"""In a real terminal (tmux, 80x24): a suspended card is never shown, and the Ctrl chords work."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_tmux import Terminal
from testkit import TEST_DECKS

ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: the terminal session is skipped"
)

# Each card's first words, in queue order (notes may cover the rest); `capital` left out.
SHOWN = [
    "In which year",
    "Which of these states",
    "The CSTO became",
    r"Article \[ … \]",
    "Who led Kyrgyzstan",
    "About how many troops",
    "Put these in order",
    "Match each person",
]


def quiz(db: Path, env: dict[str, str], *args: str, err: bool = True) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "quiz", *args, "--db", str(db), "--learner", "ann"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + (done.stderr if err else "")


def test_a_suspended_card_is_never_shown_and_the_chords_reach_quiz(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    db = tmp_path / "quiz.db"
    deck = str(TEST_DECKS / "every-type.yaml")
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    env.pop("TMUX", None)
    quiz(db, env, "decks", deck)
    assert "suspended 1 of 1" in quiz(db, env, "suspend", "id:capital")
    listed = json.loads(quiz(db, env, "cards", "is:suspended", "--format", "json", err=False))
    assert [row["item"] for row in listed] == ["capital"]
    command = [sys.executable, "-m", "quiz", "study", deck, "--db", str(db), "--learner", "ann"]
    term = Terminal(tmp_path / "tmux.sock", command, env)
    try:
        term.wait_for("Space shows the answer", timeout=90)
        term.keys("C-f")
        term.wait_for("Flag: 1 red")
        term.keys("2")
        term.wait_for(r"flag 2 \(orange\)")
        for text in SHOWN:
            screen = term.wait_for(text)
            assert "secretariat" not in screen
            if text == "Who led Kyrgyzstan":
                # In a text box `-` and `!` are typed; Ctrl+S still suspends the card.
                term.wait_for("Type your answer, then Enter")
                term.type("x-!")
                term.wait_for(r"x-!\s+▎")
                term.keys("C-s")
                continue
            term.keys("C-t")  # bury, so the next card comes, whatever the card's type
        assert "secretariat" not in term.wait_for("Nothing studied")
        term.keys("q")
    finally:
        term.close()

    with sqlite3.connect(db) as conn:
        marks = dict(conn.execute("SELECT item_key, flag FROM item_marks WHERE learner = 'ann'"))
        suspended = [k for (k,) in conn.execute("SELECT item_key FROM item_marks WHERE suspended")]
        reviews = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    assert sorted(suspended) == ["capital", "otunbayeva"]
    assert marks["treaty-year"] == 2
    assert reviews == 0  # every card was buried, none answered


def test_e_hands_the_terminal_to_the_editor_and_shows_the_edit(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    deck = tmp_path / "every-type.yaml"
    deck.write_text((TEST_DECKS / "every-type.yaml").read_text(encoding="utf-8"), "utf-8")
    editor = tmp_path / "editor"
    # An editor that takes the terminal (it draws, and waits for a key), then saves an edit.
    editor.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "print('FAKE EDITOR: Enter saves', flush=True)\n"
        f"pathlib.Path({str(tmp_path / 'args')!r}).write_text(' '.join(sys.argv[1:]))\n"
        "sys.stdin.readline()\n"
        "path = pathlib.Path(sys.argv[2])\n"
        "path.write_text(path.read_text().replace('In which year', 'In what year'))\n",
        encoding="utf-8",
    )
    editor.chmod(0o755)
    env = {
        **os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT), "TERM": "xterm-256color",
        "EDITOR": str(editor),
    }  # fmt: skip
    env.pop("TMUX", None)
    env.pop("VISUAL", None)
    db = tmp_path / "quiz.db"
    command = [sys.executable, "-m", "quiz", "study", str(deck), "--db", str(db)]
    term = Terminal(tmp_path / "tmux.sock", command, env)
    try:
        term.wait_for("In which year", timeout=90)
        term.keys("e")
        term.wait_for("FAKE EDITOR: Enter saves")
        assert (tmp_path / "args").read_text() == f"+13 {deck}"
        term.keys("Enter")
        screen = term.wait_for("In what year")
        assert "Space shows the answer" in screen
    finally:
        term.close()

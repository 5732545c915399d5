"""Deck text written to attack or upset the screen is shown literally and stays in its box."""

from __future__ import annotations

import json
import random
from pathlib import Path

from testkit import FakeClock

from quiz.library import open_deck
from quiz.store import Store
from quiz.tui.app import QuizApp, make_app

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
ZALGO = "Z\u0334\u0321\u0322a\u0337\u0315\u035dl\u0338\u0327g\u0335\u0310\u0351o\u0336\u0303"
HEBREW = "\u05d1\u05e8\u05d9\u05ea \u05d4\u05d1\u05d9\u05d8\u05d7\u05d5\u05df"  # "security pact"
ARABIC = "\u0645\u0639\u0627\u0647\u062f\u0629 \u0627\u0644\u0623\u0645\u0646"  # "security treaty"
EMOJI = "\U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f1fa\U0001f1e6 \U0001f44d\U0001f3fd"
LONG_LINE = "This sentence goes on and on without a single line break, " * 5

# JSON is YAML; the escapes ("\u001b" for ESC) reach the loader exactly as written here.
HOSTILE = {
    "deck": "hostile",
    "title": "[bold red]Not a title[/] \u001b]0;renamed window\u0007",
    "cards": [
        {
            "id": "flash",
            "front": f"{LONG_LINE}\n{LONG_WORD}\n{ZALGO} | {HEBREW} | {ARABIC} | {EMOJI}",
            "back": "\u001b]52;c;cm0gLXJmIH4=\u0007[link=https://evil.example]click[/link] "
            "\u202eevil\u202c [@click=app.quit]quit[/] \u0007\u001b[2J\u001b[31mnot red",
            "explanation": f"Bidi override gone: abc\u202edef. {EMOJI} {ZALGO}",
        },
        {
            "id": "pick",
            "type": "choice",
            "question": "[b]Which[/b] of these is \u001b[5mblinking\u001b[0m?",
            "choices": [
                f"{HEBREW} {ARABIC}",
                f"{LONG_WORD}",
                "[reverse]none[/reverse]",
                f"{EMOJI} {ZALGO}",
            ],
            "answer": "[reverse]none[/reverse]",
            "shuffle": False,
        },
    ],
}


def hostile_app(store: Store, tmp_path: Path, clock: FakeClock, card_id: str) -> QuizApp:
    data = dict(HOSTILE, cards=[c for c in HOSTILE["cards"] if c["id"] == card_id])
    path = tmp_path / "hostile.yaml"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    return make_app(
        store, [deck], "ann", study=[deck.id], clock=clock, rng=random.Random(5), fuzz=False
    )


def test_hostile_flashcard_revealed(snap_compare, store, tmp_path, clock):
    app = hostile_app(store, tmp_path, clock, "flash")
    assert snap_compare(app, press=["space"], terminal_size=(80, 24))


def test_hostile_choices(snap_compare, store, tmp_path, clock):
    app = hostile_app(store, tmp_path, clock, "pick")
    assert snap_compare(app, terminal_size=(80, 24))

"""One item's card info: its state, recall now, marks and whole review history."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from quiz.deck.model import Deck
from quiz.scheduler import CardState
from quiz.store.database import Store
from quiz.store.marks import Marks
from quiz.store.search import HistoryRow
from quiz.study.learner import learner_scheduler

FLAG_NAMES = {1: "red", 2: "orange", 3: "green", 4: "blue"}  # Anki's colours


@dataclass(frozen=True)
class ItemInfo:
    """What the card info screen and the browser's detail pane show of one item."""

    deck_id: str
    item_key: str
    state: CardState | None  # None: never studied
    recall: float | None  # probability of recall now; None when never studied
    marks: Marks
    history: list[HistoryRow]  # oldest first

    def mark_words(self, now: datetime) -> list[str]:
        """'suspended', 'buried until ...', 'flag 2 (orange)', 'leech': its marks in words."""
        m = self.marks
        words = ["suspended"] * m.suspended
        if m.buried_until is not None and m.buried_until > now:
            words.append(f"buried until {m.buried_until.astimezone():%Y-%m-%d %H:%M}")
        if m.flag:
            words.append(f"flag {m.flag} ({FLAG_NAMES.get(m.flag, '?')})")
        return words + ["leech"] * m.leech


def item_info(store: Store, learner: str, deck: Deck, key: str, now: datetime) -> ItemInfo:
    """Read an item's info for a learner at `now`."""
    state = store.state(learner, deck.id, key)
    recall = None
    if state is not None and state.last_review is not None and state.stability:
        scheduler = learner_scheduler(store, learner, deck.id, deck.settings, fuzz=False)
        recall = scheduler.retrievability(state, now)
    return ItemInfo(
        deck.id,
        key,
        state,
        recall,
        store.marks(learner, deck.id).get(key, Marks()),
        store.item_history(learner, deck.id, key),
    )


def response_text(stored: str | None, width: int = 30) -> str:
    """A logged response (JSON) in a few words: the text typed, the choices, the order, pairs."""
    if stored is None:
        return ""
    try:
        value = json.loads(stored)
    except ValueError:
        value = stored
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Mapping):
        text = ", ".join(f"{k}→{v}" for k, v in value.items())
    elif isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

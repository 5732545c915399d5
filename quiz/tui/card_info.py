"""Card info: an item as the learner sees it, its state and its whole review history."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from quiz.deck.model import Deck
from quiz.scheduler import Rating
from quiz.store.search import HistoryRow
from quiz.study.info import ItemInfo, response_text
from quiz.study.records import Presentation
from quiz.textsafe import safe
from quiz.tui.card_views import card_view


def interval_text(days: float | None) -> str:
    """'10m', '5h', '3d', '2mo', '1.2y': an interval in days, as the rating line writes them."""
    if days is None:
        return ""
    if days < 1 / 24:
        return f"{max(1, round(days * 1440))}m"
    if days < 1:
        return f"{round(days * 24)}h"
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30)}mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"


def history_table(history: list[HistoryRow], width: int = 24) -> Table:
    """Every review, oldest first: time, rating, response, time taken, interval it left."""
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim")
    table.add_column("time", no_wrap=True)
    table.add_column("rating", no_wrap=True)
    table.add_column("response", no_wrap=True, max_width=width)
    table.add_column("took", justify="right", no_wrap=True)
    table.add_column("ivl after", justify="right", no_wrap=True)
    for h in history:
        rating = Rating(h.rating)
        style = "red" if rating is Rating.AGAIN else ""
        table.add_row(
            f"{h.at.astimezone():%Y-%m-%d %H:%M}",
            Text(rating.name.lower(), style=style),
            Text(safe(response_text(h.response, width))),
            f"{h.duration_ms / 1000:.0f}s",
            interval_text(h.interval_days),
        )
    return table


def state_text(info: ItemInfo, now: datetime) -> Text:
    """Stability, difficulty, recall now, next due, reviews, lapses and marks, in two lines."""
    s = info.state
    out = Text()
    if s is None or s.is_new:
        out.append("new: never studied", style="bold")
    else:
        out.append(s.state, style="bold")
        out.append(f" · stability {s.stability or 0:.1f}d · difficulty {s.difficulty or 0:.1f}")
        if info.recall is not None:
            out.append(f" · recall now {info.recall:.0%}")
        out.append(f"\ndue {s.due.astimezone():%Y-%m-%d %H:%M}")
    reps = s.reps if s is not None else 0
    lapses = s.lapses if s is not None else 0
    out.append(f" · {reps} reviews · {lapses} lapses")
    marks = info.mark_words(now)
    out.append(" · ")
    out.append(", ".join(marks) if marks else "no marks", style="yellow" if marks else "dim")
    return out


def card_text(deck: Deck | None, key: str) -> Text:
    """The item's prompt as the study screen asks it, under its type's label."""
    number = deck.item_index.find(key) if deck is not None else None
    if deck is None or number is None:
        return Text(f"{key}: no longer in its deck", style="dim")
    item = deck.item(number)
    view = card_view(Presentation(item))
    out = Text(f"{view.label}: ", style="bold")
    out.append(view.prompt)
    place = f"{Path(deck.path).name}:{item.card.line}" if deck.path else "not in a deck file"
    out.append(f"\n{safe(deck.id)} · {place}", style="dim")
    return out


def info_renderable(deck: Deck | None, info: ItemInfo, now: datetime) -> RenderableType:
    """The whole card info: the card, its state, its review history."""
    history: RenderableType = (
        history_table(info.history) if info.history else Text("no reviews yet", style="dim")
    )
    return Group(card_text(deck, info.item_key), Text(), state_text(info, now), Text(), history)


class CardInfoScreen(ModalScreen[None]):
    """One item's card info, over the study screen; Esc or i closes it."""

    BINDINGS = [Binding("escape,i,q,enter,ctrl+g", "dismiss", "Close")]

    DEFAULT_CSS = """
    CardInfoScreen { align: center middle; }
    CardInfoScreen #info-box {
        width: 100%; max-width: 100; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    """

    def __init__(self, deck: Deck | None, info: ItemInfo, now: datetime) -> None:
        super().__init__()
        self.deck = deck
        self.info = info
        self.now = now

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="info-box") as box:
            box.border_title = "Card info"
            box.border_subtitle = "Esc closes"
            yield Static(info_renderable(self.deck, self.info, self.now), id="info-body")

"""What tests share besides fixtures: the test decks' folder and a clock moved by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

TEST_DECKS = Path(__file__).parent / "decks"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)

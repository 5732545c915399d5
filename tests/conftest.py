"""Shared fixtures: a fake clock, a fresh database and the test decks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from testkit import TEST_DECKS, FakeClock

from quiz.deck.model import Deck
from quiz.library import open_deck
from quiz.store import Store, open_store


@pytest.fixture
def clock() -> FakeClock:
    # Midday UTC keeps the 04:00 local rollover far away in any test time zone.
    return FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(tmp_path / "quiz.db")
    yield s
    s.close()


@pytest.fixture
def every_type(store: Store, clock: FakeClock) -> Deck:
    deck, problems = open_deck(store, TEST_DECKS / "every-type.yaml", clock())
    assert deck is not None, problems
    return deck


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in UTC so the 04:00 local rollover is at a known instant."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()

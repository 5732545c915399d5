"""Shared fixtures: a fake clock, a fresh database and the test decks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ralph_lrs import PASSWORD, USER, Ralph
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


@pytest.fixture(scope="module")
def ralph(  # a real LRS, one per test module that asks for it
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Ralph]:
    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lrs_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QUIZ_LRS_KEY", USER)
    monkeypatch.setenv("QUIZ_LRS_SECRET", PASSWORD)
    monkeypatch.setenv("QUIZ_LRS_CREDENTIALS", str(tmp_path / "lrs-credentials.json"))
    for name in ("QUIZ_LRS_URL", "QUIZ_LRS_HOME_PAGE"):
        monkeypatch.delenv(name, raising=False)

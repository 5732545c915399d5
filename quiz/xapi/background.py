"""The sender behind the TUI: sends the outbox now and then, backing off while it fails."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quiz.xapi.sender import PushReport, backoff

EVERY = 30.0  # seconds between sends while all goes well


@dataclass
class BackgroundSender:
    """When to send next, and the sending itself on a connection of its own (another thread)."""

    path: Path
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    not_before: float = 0.0

    def due(self) -> bool:
        """True when it is time to try again."""
        return self.clock() >= self.not_before

    def send(self) -> PushReport | None:
        """Send what waits (None when no LRS is usable); meant for a worker thread."""
        report = None
        try:
            report = self._send()
        finally:
            self.settle(report or PushReport())
        return report

    def _send(self) -> PushReport | None:
        from quiz.store.database import StoreError, open_store
        from quiz.xapi.client import LrsClient
        from quiz.xapi.config import LrsConfigError, endpoint
        from quiz.xapi.sender import push

        try:
            store = open_store(self.path, create=False)
        except StoreError:
            return None
        try:
            if not store.outbox_waiting():
                return PushReport()
            try:
                end = endpoint(store)
            except LrsConfigError:
                return None
            with LrsClient(end, timeout=10) as client:
                report = push(store, client, retries=0)
        finally:
            store.close()
        return report

    def settle(self, report: PushReport) -> None:
        """Schedule the next try: soon after a success, later after each failure in a row."""
        if report.error is not None and report.left:
            self.not_before = self.clock() + max(EVERY, backoff(self.failures, 5.0))
            self.failures += 1
        else:
            self.not_before = self.clock() + EVERY
            self.failures = 0

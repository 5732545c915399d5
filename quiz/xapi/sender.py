"""Delivering the outbox: batches, retries with backoff, and nothing sent twice or lost."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from quiz.scheduler import utc_now
from quiz.store.database import Store
from quiz.store.outbox import Queued
from quiz.xapi.client import LrsClient, LrsError
from quiz.xapi.outbox import queue_voiding

BATCH = 100
MAX_DELAY = 60.0


@dataclass
class PushReport:
    """What one push did."""

    sent: int = 0
    refused: int = 0
    error: str | None = None
    left: int = 0


def backoff(attempt: int, first: float = 1.0) -> float:
    """The wait before try number `attempt` + 1: doubling, up to a minute."""
    return float(min(MAX_DELAY, first * 2.0**attempt))


def push(
    store: Store,
    client: LrsClient,
    *,
    batch: int = BATCH,
    retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utc_now,
    first_delay: float = 1.0,
) -> PushReport:
    """Send what waits, oldest first, until the outbox is empty or the LRS stays unreachable."""
    report = PushReport()
    failures = 0
    while True:
        queued = store.outbox_batch(batch)
        if not queued:
            break
        try:
            sent = _send(store, client, queued, report, clock)
        except LrsError as exc:
            report.error = str(exc)
            store.mark_failed([q.seq for q in queued], str(exc))
            if not exc.transient or failures >= retries:
                break
            sleep(backoff(failures, first_delay))
            failures += 1
            continue
        failures = 0
        report.sent += sent
    report.left = store.outbox_waiting()
    return report


def _send(
    store: Store,
    client: LrsClient,
    queued: list[Queued],
    report: PushReport,
    clock: Callable[[], datetime],
) -> int:
    """Post one batch; one the LRS refuses is split until the statements it refuses are found."""
    try:
        client.post([q.statement for q in queued])
    except LrsError as exc:
        if not exc.refused:
            raise
        if len(queued) == 1:
            # Kept, not deleted: nothing is lost, and `quiz lrs status` shows why.
            store.mark_failed([queued[0].seq], str(exc), rejected=True)
            report.refused += 1
            report.error = str(exc)
            return 0
        half = len(queued) // 2
        return _send(store, client, queued[:half], report, clock) + _send(
            store, client, queued[half:], report, clock
        )
    # The LRS has the batch: recorded as sent in one transaction. A crash before this commit
    # sends the batch again, which the LRS ignores (same ids, same statements).
    now = clock()
    with store.atomic():
        for q in store.mark_sent(queued, now):
            # Undone while it was on its way: it reached the LRS, so it is voided there.
            queue_voiding(store, q.statement_id, q.actor, _learner(store, q), now)
    return len(queued)


def _learner(store: Store, q: Queued) -> str:
    account = json.loads(q.actor).get("account", {})
    return str(account.get("name", ""))

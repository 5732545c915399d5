"""What the LRS tests share besides their fixtures (in conftest.py)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ralph_lrs import HOME_PAGE

from quiz.store import Store
from quiz.xapi.outbox import ENDPOINT
from quiz.xapi.outbox import HOME_PAGE as HOME_KEY


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def configure(store: Store, url: str) -> None:
    store.put_lrs_settings({ENDPOINT: url, HOME_KEY: HOME_PAGE})


def queued_statements(store: Store) -> list[dict[str, Any]]:
    return [json.loads(q.statement) for q in store.outbox_batch(100_000)]


def validate_with_ralph(statements: list[dict[str, Any]]) -> None:
    """Ralph's own xAPI models accept every statement (`ralph validate` uses them too)."""
    from ralph.models.xapi.base.statements import BaseXapiStatement

    for statement in statements:
        BaseXapiStatement.model_validate(statement)

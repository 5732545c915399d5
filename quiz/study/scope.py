"""Custom study: which items a session may queue, and how far past today's limits it goes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """What `quiz study --query/--tag/--new/--ahead` changes about building the queue."""

    # The (deck, item) pairs a query matched; None: every item.
    only: frozenset[tuple[str, str]] | None = None
    extra_new: int = 0  # new items allowed today beyond the daily limit
    ahead_days: int = 0  # reviews due within this many days after today come now
    cram: bool = False  # every matched item now, in any state, answered as practice

    @classmethod
    def of(
        cls,
        items: Iterable[tuple[str, str]],
        extra_new: int = 0,
        ahead_days: int = 0,
        cram: bool = False,
    ) -> Scope:
        """A scope limited to these items."""
        return cls(frozenset(items), extra_new, ahead_days, cram)

    def allows(self, deck_id: str, key: str) -> bool:
        """True when the item may be queued."""
        return self.only is None or (deck_id, key) in self.only


EVERYTHING = Scope()

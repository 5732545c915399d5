"""Pausing Python's cyclic garbage collector around bursts that build many objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then restore its previous state."""
    # Parsing a deck makes millions of objects that all live on, and the collector would walk
    # them again and again as they pile up: two thirds of PyYAML's time on a big deck. Their
    # garbage has no cycles, so reference counting still frees it while the collector rests.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():
                # Move what the block made straight to the oldest generation (two list splices):
                # else the first allocation after `enable` walks all of it as young objects,
                # which is a sixth of re-opening a big deck. Skipped if a caller froze objects
                # on purpose, since `unfreeze` would thaw theirs too.
                gc.freeze()
                gc.unfreeze()
            gc.enable()

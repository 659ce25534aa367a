"""Pause Python's cyclic garbage collector while a stage builds millions of long-lived objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector is restored (not run) afterwards.

    Every 700 new container objects start a collection, and the older generations are rescanned in
    full as they grow: building a million rows' tuples and results would rescan every row already
    built many times over, for nothing, since rows hold no reference cycles. Reference counting
    still frees everything else as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

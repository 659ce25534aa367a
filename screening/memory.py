"""Memory housekeeping for million-row runs: the garbage collector and the C heap."""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache


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


def release_freed_heap() -> None:
    """Give the C heap's free pages back to the system (glibc only; elsewhere nothing happens).

    The workbook reader (calamine, in Rust) frees its parsed sheet through malloc; glibc keeps those
    pages, and Python's own objects live in separate arenas that never reuse them, so without this a
    million-row workbook leaves about 200 MB resident for the rest of the run.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl or another libc: no malloc_trim
        return None

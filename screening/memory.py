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
            _age_young_objects()
            gc.enable()


def _age_young_objects() -> None:
    """Move every object made while the collector was paused into the oldest generation.

    They are all still in the youngest one: the first collection after the pause would walk every one of
    them (a million rows: a second), and the next generation's would do it again. freeze() then unfreeze()
    moves them in one step. Skipped when objects are frozen already (ListIndex freezes its index before it
    forks the list workers), since unfreeze() would thaw those too.
    """
    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()


PER_VALUE_CACHE = 4096
"""Function caches this large or larger hold a result per cell or name; smaller ones hold tables built once
(the country names, the header vocabulary), which forget_caches() keeps."""


def forget_caches() -> None:
    """Empty the per-value function caches of every screening module (lru_cache, or anything with the same
    cache_clear and cache_parameters).

    A run that has evaluated its rules is done with them: at a million rows the caches of the rules and of
    the name normaliser hold hundreds of MB, freed before the rows and the report are built.
    """
    for name, module in list(sys.modules.items()):
        if name != "screening" and not name.startswith("screening."):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) or getattr(value, "__module__", None) != name:  # classes; imported names
                continue
            parameters = getattr(value, "cache_parameters", None)
            maxsize = parameters().get("maxsize") if callable(parameters) else None
            if maxsize is not None and maxsize >= PER_VALUE_CACHE:
                value.cache_clear()


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

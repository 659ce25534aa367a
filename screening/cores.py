"""How many processes a run may keep busy at once: list scoring and report rendering both ask here."""

from __future__ import annotations

import multiprocessing
import os


def worker_count() -> int:
    """The usable cores, or SCREENING_WORKERS; 1 where fork is unavailable (Windows, macOS spawn-only)."""
    configured = os.environ.get("SCREENING_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        wanted = int(configured)
    else:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return wanted if "fork" in multiprocessing.get_all_start_methods() else 1

"""Durable file-system steps shared by report writing and the list store."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make a rename inside `folder` durable on POSIX; not possible (nor needed) on Windows."""
    with suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

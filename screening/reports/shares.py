"""Render a long report on every core: consecutive shares of its rows, the later ones in forked children.

A million rows keep the JSON writer busy for some 13 s at the end of a run, when the list workers have
stopped and the other cores are idle. The rows are cut into consecutive shares; each share but the first is
rendered by a forked child into an unlinked temporary file while this process renders the first straight
into the report, and the children's files are then copied in, in order. Rendering a share is a pure function
of the rows, so the bytes are those one process would write. A child that fails (a full disk, a crash) only
costs time: its share is rendered here instead.
"""

from __future__ import annotations

import gc
import itertools
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from contextlib import suppress
from typing import BinaryIO

from screening.cores import worker_count

SHARE_MIN_ITEMS = 50_000
"""Fewer items than this per share are rendered in this process: a fork and a copy would cost more."""

COPY_BYTES = 1 << 20

WriteShare = Callable[[BinaryIO, int, int], None]
"""write_share(fh, start, stop) writes items start..stop-1; the shares' bytes in order make the whole."""


def write_shares(fh: BinaryIO, count: int, write_share: WriteShare) -> None:
    """Write items 0..count-1 to `fh` through `write_share`, the later shares rendered in forked children."""
    shares = _shares(count, worker_count())
    children: dict[int, tuple[int, BinaryIO | None]] = {}  # share -> (child pid, its file); pid 0: none
    try:
        for number, (start, stop) in enumerate(shares[1:], start=1):
            children[number] = _fork(fh, start, stop, write_share)
        write_share(fh, *shares[0])
        for number, (pid, spill) in children.items():
            succeeded = spill is not None and _succeeded(pid)
            children[number] = (0, spill)  # reaped: never signalled again (its pid may be reused)
            if succeeded:
                spill.seek(0)
                shutil.copyfileobj(spill, fh, COPY_BYTES)
            else:
                write_share(fh, *shares[number])
    finally:
        for pid, spill in children.values():
            if pid:  # interrupted or failed before this child was waited for
                with suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                with suppress(OSError):
                    os.waitpid(pid, 0)  # reaped even if it had already ended
            if spill is not None:
                spill.close()


def _shares(count: int, cores: int) -> list[tuple[int, int]]:
    """(start, stop) of each share: as many as cores, none under SHARE_MIN_ITEMS (at least one)."""
    parts = max(1, min(cores, count // SHARE_MIN_ITEMS))
    bounds = [count * k // parts for k in range(parts + 1)]
    return list(itertools.pairwise(bounds))


def _fork(fh: BinaryIO, start: int, stop: int, write_share: WriteShare) -> tuple[int, BinaryIO | None]:
    """(pid, file) of a child rendering items start..stop-1 into the file; (0, None) when none could start."""
    name = getattr(fh, "name", None)
    folder = os.path.dirname(name) if isinstance(name, str) and name else None  # beside the report: it has room
    try:
        # Closed by write_shares once copied; unlinked at once, so nothing is left behind even on a crash.
        spill: BinaryIO = tempfile.TemporaryFile(dir=folder)  # type: ignore[assignment]  # noqa: SIM115
    except OSError:
        return 0, None
    # Ctrl-C must not reach the child before it ignores it: a KeyboardInterrupt there would unwind the
    # parent's code (and its clean-ups) in the child. Blocked across the fork, ignored in the child.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        spill.close()
        return 0, None
    if pid == 0:
        _render_and_exit(spill, start, stop, write_share, blocked)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return pid, spill


def _render_and_exit(spill: BinaryIO, start: int, stop: int, write_share: WriteShare, blocked: set[int]) -> None:
    """In the child: render the share, flush it, and leave without running any of the parent's clean-ups."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        gc.disable()  # a collection would write to (and so copy) every object shared with the parent
        write_share(spill, start, stop)
        spill.flush()
        status = 0
    finally:
        os._exit(status)


def _succeeded(pid: int) -> bool:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0

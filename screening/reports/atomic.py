"""Write a report so that its final name only ever holds a complete file.

The report goes to a temporary file in the destination folder (same file system, so the final
os.replace is atomic), is flushed and fsynced, then renamed. Any exception, Ctrl-C included,
removes the temporary file: an auditor never finds a half-written report.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from screening.durable import fsync_folder
from screening.errors import ReportError


def check_destination(out: Path, inputs: Sequence[Path] = ()) -> None:
    """Refuse a destination that is a folder, sits in a missing folder, or is one of the inputs."""
    if out.is_dir():
        raise ReportError(f"report path {out} is a folder; give a file name, e.g. {out / 'report.xlsx'}")
    if out.exists() and not out.is_file():
        raise ReportError(f"report path {out} is not a regular file; choose another --out")
    folder = out.parent
    if not folder.is_dir():
        raise ReportError(f"folder {folder} for the report {out} does not exist; create it or choose another --out")
    for given in inputs:
        if _same_file(out, Path(given)):
            raise ReportError(f"report {out} would overwrite the input {given}; choose another --out")


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        with suppress(OSError):
            return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


@contextmanager
def atomic_write(out: Path, *, inputs: Sequence[Path] = ()) -> Iterator[BinaryIO]:
    """Yield a binary file; on normal exit it replaces `out`, on any exception it vanishes."""
    out = Path(out)
    check_destination(out, inputs)
    tmp: Path | None = None
    fh: BinaryIO | None = None
    # The temporary name is recorded before the file exists: a Ctrl-C landing between its creation
    # and the assignment below must not leave it behind (seen in tests/hostile/test_interrupt.py).
    pending: list[Path] = []
    try:
        tmp, fh = _create_temp(out, pending)
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(tmp, out)
    except BaseException as exc:
        if fh is not None:
            fh.close()
        for name in {*pending, *([tmp] if tmp is not None else [])}:
            with suppress(OSError):
                os.unlink(name)
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise ReportError(f"cannot write report {out}: {reason}; free space or choose another --out") from exc
        raise
    fsync_folder(out.parent)


def _create_temp(out: Path, pending: list[Path] | None = None) -> tuple[Path, BinaryIO]:
    # Mode 0o666 lets the umask decide, like any other new file (mkstemp would force 0o600).
    mode = 0o666
    with suppress(OSError):
        mode = stat.S_IMODE(os.stat(out).st_mode)  # keep the permissions of the report it replaces
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = out.parent / f".{out.name}.{secrets.token_hex(6)}.tmp"
        if pending is not None:
            pending.append(tmp)  # before the file exists, so an interrupt after it can remove it
        try:
            fd = os.open(tmp, flags, mode)
        except FileExistsError:
            if pending is not None:
                pending.pop()  # someone else's file: never ours to remove
            continue
        except OSError as exc:
            raise ReportError(
                f"cannot create a file in {out.parent}: {exc.strerror}; choose a folder you can write to with --out"
            ) from exc
        return tmp, os.fdopen(fd, "wb")
    raise ReportError(f"cannot create a temporary file beside {out}; clean up the folder {out.parent}")


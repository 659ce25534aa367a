"""A workbook's safety checks run in a child process while the caller does other work.

The checks (zipguard, xlsguard) inflate every part of a workbook and scan it before calamine may see it:
about 8 s of one core for a million-row xlsx. A large run builds the list index meanwhile (5 s, the other
core idle), so screen() starts the checks here first and read_inputs() then takes their verdicts instead of
checking again. The verdict is the same functions' on the same file: only when they run changes. Whatever
the child could not settle (it died, fork is missing) is checked in the reading process as before.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Sequence

from ..errors import InputError
from .formats import Format, detect_format
from .limits import Limits
from .xlsguard import check_xls
from .zipguard import check_zip_parts

__all__ = ["ChecksAhead", "check_workbook"]

_Verdicts = dict[str, str | None]  # path -> None (safe) or the InputError's message


def check_workbook(path: str, fmt: Format, limits: Limits) -> None:
    """InputError when the workbook's parts expand too far, span too large a grid, or declare entities."""
    if fmt in (Format.XLSX, Format.XLSB, Format.ODS):
        check_zip_parts(path, limits)  # real inflated sizes and sheet extents, before calamine allocates
    elif fmt is Format.XLS:
        check_xls(path, limits)  # the same for the cells of an Excel 97-2003 workbook


class ChecksAhead:
    """check_workbook() of each input, started now in a forked child; verdict(path) collects one."""

    def __init__(self, paths: Sequence[str | os.PathLike[str]], limits: Limits) -> None:
        self.limits = limits
        self._paths = [str(os.fspath(p)) for p in paths]
        self._verdicts: _Verdicts | None = None
        self._child: multiprocessing.process.BaseProcess | None = None
        self._receiver: multiprocessing.connection.Connection | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            self._verdicts = {}
            return
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._child = context.Process(target=_check_all, args=(self._paths, limits, sender), daemon=True,
                                      name="screening-input-checks")
        self._child.start()
        sender.close()

    def verdict(self, path: str, limits: Limits) -> bool:
        """True when the child found `path` safe with these limits; raises its InputError when it did not;
        False when it has no verdict (the caller checks the file itself)."""
        if limits != self.limits:
            return False
        verdicts = self._collect()
        if path not in verdicts:
            return False
        message = verdicts[path]
        if message is not None:
            raise InputError(message)
        return True

    def _collect(self) -> _Verdicts:
        if self._verdicts is None:
            assert self._receiver is not None
            try:
                self._verdicts = self._receiver.recv()
            except (EOFError, OSError):  # the child died before it answered: check in this process
                self._verdicts = {}
            self.close()
        return self._verdicts

    def close(self) -> None:
        """Stop the child if it still runs (a run that failed before reading); safe to call twice."""
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None
        if self._child is not None:
            if self._child.is_alive():
                self._child.terminate()
            self._child.join()
            self._child = None


def _check_all(paths: list[str], limits: Limits, sender: multiprocessing.connection.Connection) -> None:
    """In the child: each readable workbook's verdict. Files it cannot open are left to the reader's errors."""
    verdicts: _Verdicts = {}
    for path in paths:
        try:
            check_workbook(path, detect_format(path, limits), limits)
            verdicts[path] = None
        except InputError as error:
            verdicts[path] = str(error)
        except Exception:  # noqa: BLE001  (no verdict: the reading process meets the same problem and says so)
            continue
    sender.send(verdicts)
    sender.close()

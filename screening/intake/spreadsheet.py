"""Read workbooks (xlsx, xlsm, xlsb, xls, ods) with python-calamine, cells as displayed text."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

from python_calamine import (
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from ..errors import InputError
from ..fields import REQUIRED_FIELD
from ..text import cell_text, fold
from .formats import Format, has_native_extension
from .headers import HEADER_SCAN_ROWS, assign_fields, find_header
from .limits import Limits
from .tables import RawSheet, SharedTexts, trim_row

T = TypeVar("T")

HEADER_SCAN_LOOK = 10_000
"""Rows looked through for the first HEADER_SCAN_ROWS non-empty ones when reading names ahead."""


def read_workbook(path: str, fmt: Format, sheet: str | None, limits: Limits) -> list[RawSheet]:
    """The visible worksheets in workbook order, or just `sheet` (hidden or not) when given."""
    return read_workbook_and_hidden(path, fmt, sheet, limits)[0]


NamesFound = Callable[[list[str]], None]
"""Told the supplier names of each sheet as soon as the sheet is parsed, before its rows are turned into text."""


def read_workbook_and_hidden(
    path: str, fmt: Format, sheet: str | None, limits: Limits,
    overrides: Mapping[str, str] | None = None, names_found: NamesFound | None = None,
) -> tuple[list[RawSheet], list[str]]:
    """read_workbook(), and the hidden worksheets left out (none when `sheet` is given).

    `names_found`, if given, is told each sheet's names early (see _names_ahead); `overrides` as in
    read_inputs, for finding their column."""
    hidden: list[str] = []
    with _open(path, fmt) as workbook:
        metadata = _guard(path, lambda: workbook.sheets_metadata)
        if sheet is not None:
            names = [_pick_sheet(path, sheet, [m.name for m in metadata])]
            if next(m for m in metadata if m.name == names[0]).typ != SheetTypeEnum.WorkSheet:
                raise InputError(f"{path} sheet '{names[0]}': is a chart or macro sheet, not a table; pick another --sheet")
        else:
            names = [m.name for m in metadata if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
            hidden = [m.name for m in metadata if m.typ == SheetTypeEnum.WorkSheet and m.visible != SheetVisibleEnum.Visible]
            if not names:
                listed = ", ".join(f"'{m.name}'" for m in metadata) or "none"
                raise InputError(f"{path}: has no visible sheet (sheets: {listed}); pick one with --sheet NAME")
        return [_read_sheet(path, workbook, name, limits, overrides or {}, names_found) for name in names], hidden


@contextmanager
def _open(path: str, fmt: Format) -> Iterator[CalamineWorkbook]:
    # calamine's path reader picks its parser by extension, so a renamed file is handed over
    # as a file object instead, which calamine sniffs by content. Either way: read-only.
    if has_native_extension(path, fmt):
        workbook = _guard(path, lambda: CalamineWorkbook.from_path(path))
        with workbook:
            yield workbook
    else:
        with open(path, "rb") as f:
            workbook = _guard(path, lambda: CalamineWorkbook.from_filelike(f))
            with workbook:
                yield workbook


def _pick_sheet(path: str, wanted: str, names: list[str]) -> str:
    """Exact name first, then ignoring case and accents: people type sheet names by hand."""
    if wanted in names:
        return wanted
    for name in names:
        if fold(name) == fold(wanted):
            return name
    listed = ", ".join(f"'{n}'" for n in names)
    raise InputError(f"{path}: no sheet named '{wanted}'; sheets: {listed}")


def _read_sheet(path: str, workbook: CalamineWorkbook, name: str, limits: Limits,
                overrides: Mapping[str, str], names_found: NamesFound | None) -> RawSheet:
    sheet = _guard(path, lambda: workbook.get_sheet_by_name(name))
    if sheet.height > limits.max_rows:  # calamine has parsed the sheet; Python objects not built yet
        raise InputError(
            f"{path} sheet '{name}': {sheet.height:,} rows, over the {limits.max_rows:,} row limit; "
            "split it into smaller sheets or raise SCREENING_MAX_ROWS"
        )
    raw = RawSheet(name=name)
    if sheet.start is None:  # no cell at all
        return raw
    # to_python() starts at the first used cell; add the offset back so rows and columns are
    # the ones the user sees in Excel (a table under a title, starting at C4, stays at C4).
    first_row, raw.first_col = sheet.start
    if names_found is not None:
        names_found(_guard(path, lambda: _names_ahead(sheet, overrides)))
    _guard(path, lambda: _append_rows(raw, sheet, first_row))
    return raw


def _names_ahead(sheet: CalamineSheet, overrides: Mapping[str, str]) -> list[str]:
    """The names of a parsed sheet, read before its rows are: the cells below the header row, in the column
    the header names `name` (as build_table() will find them), [] when there is none.

    Turning a million rows into text takes seconds; the names alone, a fraction of one. Whoever scores them
    (the list workers) can start that much sooner. A hint: the names read later are the ones that count.
    """
    head: list[tuple[int, list[str]]] = []
    for offset, values in enumerate(itertools.islice(sheet.iter_rows(), HEADER_SCAN_LOOK)):
        cells = trim_row([_text(v) for v in values])
        if cells:
            head.append((offset, cells))
            if len(head) >= HEADER_SCAN_ROWS:
                break
    found = find_header([cells for _, cells in head], overrides)
    if found is None:
        return []
    fields = assign_fields(head[found][1], overrides).fields
    column = fields.index(REQUIRED_FIELD)
    names: list[str] = []
    for values in itertools.islice(sheet.iter_rows(), head[found][0] + 1, None):
        if len(values) > column and (text := _text(values[column])):
            names.append(text)
    return names


def _text(value: object) -> str:
    return value.strip() if type(value) is str else cell_text(value)


def _append_rows(raw: RawSheet, sheet: CalamineSheet, first_row: int) -> None:
    """The sheet's non-empty rows as text, one row at a time (to_python() would hold them all twice)."""
    rows = raw.rows
    shared = SharedTexts()
    for offset, values in enumerate(sheet.iter_rows()):
        cells = trim_row([v.strip() if type(v) is str else cell_text(v) for v in values])  # _text(), inlined: fast
        if cells:
            rows.append((first_row + offset + 1, shared.row(cells)))


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null while calamine runs.

    A panic inside calamine is printed by Rust's panic hook straight to fd 2 (with a backtrace
    when RUST_BACKTRACE is set) before it becomes a Python exception; the user must see our one
    line instead. Process-wide for the call's duration: other threads' stderr is muted meanwhile.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no fd 2 (embedded, closed): nothing to hide
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _guard(path: str, action: Callable[[], T]) -> T:
    """Run a calamine call; turn whatever the parser raises into one line the user can act on."""
    try:
        with _native_stderr_silenced():
            return action()
    except PasswordError:
        raise InputError(f"{path}: is password-protected; save an unprotected copy") from None
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    # BaseException: a panic inside calamine arrives as pyo3's PanicException, which is not an
    # Exception (found by fuzzing: an index out of bounds in its compound-file reader).
    except BaseException as exc:  # noqa: BLE001 - the Rust parser raises many types for damaged files
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise InputError(f"{path}: not a readable spreadsheet ({reason}); re-save it from Excel as .xlsx") from None

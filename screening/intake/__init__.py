"""Read supplier spreadsheets into one table of canonical fields, keeping where each row came from.

Formats are told by content (formats.py), workbooks read with calamine (spreadsheet.py), text
with the csv module (delimited.py); every sheet then goes through the same header detection and
synonym mapping (headers.py, headers.yaml) and row alignment (tables.py).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError, ReasonCode
from ..fields import FIELD_ALIASES, FIELDS
from ..memory import gc_paused, release_freed_heap
from ..model import InputFile, Intake, RowError, Table
from ..text import simplify
from .delimited import read_delimited
from .formats import Format, detect_format, has_macros
from .limits import Limits, human_bytes
from .spreadsheet import NamesFound, read_workbook_and_hidden
from .ahead import ChecksAhead, check_workbook
from .tables import NoNameColumn, RawSheet, SheetTable, build_table

__all__ = ["ChecksAhead", "Limits", "read_inputs"]

_MAP_HINT = 'name one with --map "Header=name"'
_LISTED_HEADERS = 12  # keep one-line messages readable on a terminal


def read_inputs(
    paths: Sequence[str | os.PathLike],
    *,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    ahead: ChecksAhead | None = None,
    names_found: NamesFound | None = None,
) -> Intake:
    """Read every input; InputError (one line, naming file and sheet) when one cannot be used.

    `sheet` picks one sheet of each workbook (CSV files have only one). `overrides` maps header
    text to a canonical field, as given with --map "Header=field". `ahead` holds the workbooks'
    safety checks if the caller started them earlier (they are otherwise run here). `names_found` is told the
    supplier names of each workbook sheet as soon as it is parsed, before its rows are read (a hint: the names
    of the records are the ones that count).
    """
    limits = limits or Limits.from_env()
    wanted = _parse_overrides(overrides or {})
    if isinstance(paths, (str, os.PathLike)):  # one path, not a sequence of one-letter paths
        paths = [paths]
    if not paths:
        raise InputError("no input files given; pass one or more spreadsheets")
    files: list[InputFile] = []
    sheets: list[SheetTable] = []
    errors: list[RowError] = []
    # Millions of row lists and tuples, none cyclic: the collector would rescan them over and over.
    with gc_paused():
        for given in paths:
            path = str(os.fspath(given))
            try:
                file, found, skipped = _read_file(path, sheet, wanted, limits, ahead, names_found)
            except OSError as exc:
                raise InputError(f"{path}: cannot be read ({exc.strerror or exc}); check the path and permissions") from None
            files.append(file)
            sheets.extend(found)
            errors.extend(skipped)
            for table in found:
                errors.extend(table.errors)
        _check_overrides_used(overrides or {}, [s.table for s in sheets])
        intake = Intake(records=_records(sheets), files=files, tables=[s.table for s in sheets], errors=errors)
    release_freed_heap()  # the workbook reader's parsed sheets, freed in C, would otherwise stay resident
    return intake


def _read_file(
    path: str, sheet: str | None, wanted: Mapping[str, str], limits: Limits, ahead: ChecksAhead | None = None,
    names_found: NamesFound | None = None,
) -> tuple[InputFile, list[SheetTable], list[RowError]]:
    _check_file(path, limits)
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    fmt = detect_format(path, limits)
    if ahead is None or not ahead.verdict(path, limits):
        check_workbook(path, fmt, limits)  # before calamine allocates anything
    hidden: list[str] = []
    if fmt is Format.CSV:
        raws = [read_delimited(path, limits)]
    else:
        raws, hidden = read_workbook_and_hidden(path, fmt, sheet, limits, wanted, names_found)
    name = os.path.basename(path)
    built: list[SheetTable | NoNameColumn] = []
    for raw in raws:
        built.append(build_table(raw, name, wanted, limits))
        if isinstance(built[-1], SheetTable):
            raw.rows = []  # now held by the table: free the reader's copy before the next sheet is built
    found = [b for b in built if isinstance(b, SheetTable)]
    read_problems = [
        RowError(name, raw.name, row, code, message) for raw in raws for row, code, message in raw.problems
    ]
    if not found:
        raise InputError(_no_name_message(path, raws, built))
    # A file with a supplier table may carry other sheets (instructions, lookups): say which
    # were left out and why, so nobody assumes they were screened.
    skipped = [
        RowError(name, raw.name, None, ReasonCode.SHEET_SKIPPED.value, (
            f"sheet '{raw.name}' skipped: no supplier-name column; headers found: "
            f"{_quoted(b.headers)}; {_MAP_HINT} if it lists suppliers"
        ))
        for raw, b in zip(raws, built)
        if isinstance(b, NoNameColumn) and raw.rows
    ]
    # A hidden sheet is often an old or internal supplier list: never skipped without a word.
    skipped += [
        RowError(name, hidden_name, None, ReasonCode.SHEET_SKIPPED.value, (
            f"sheet '{hidden_name}' is hidden and was not screened; screen it with --sheet \"{hidden_name}\" "
            "if it lists suppliers"
        ))
        for hidden_name in hidden
    ]
    if has_macros(path, fmt):
        skipped.append(RowError(name, None, None, ReasonCode.MACROS_NOT_RUN.value, (
            "the file contains macros; they were not run (only the cells' saved values are read), "
            "so formulas or data a macro would produce are not screened"
        )))
    return InputFile(path, digest, tuple(t.table.sheet for t in found)), found, read_problems + skipped


def _check_file(path: str, limits: Limits) -> None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found; check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder, not a file; pass the spreadsheets inside it")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: is not a regular file; pass a spreadsheet file")
    if info.st_size == 0:
        raise InputError(f"{path}: is empty (0 bytes); check that the right file was sent")
    if info.st_size > limits.max_file_bytes:
        raise InputError(
            f"{path}: is {human_bytes(info.st_size)}, over the {human_bytes(limits.max_file_bytes)} limit; "
            "split it into smaller files or raise SCREENING_MAX_FILE_SIZE"
        )


def _parse_overrides(overrides: Mapping[str, str]) -> dict[str, str]:
    """Simplified header -> field; InputError for a field that does not exist."""
    parsed: dict[str, str] = {}
    for header, field in overrides.items():
        canonical = field.strip().lower()
        canonical = FIELD_ALIASES.get(canonical, canonical)
        if canonical not in FIELDS:
            raise InputError(
                f"--map '{header}={field}': unknown field '{field}'; valid fields: {', '.join(FIELDS)}"
            )
        key = simplify(header)
        if not key:
            raise InputError(f"--map '{header}={field}': no header text; write it as --map \"Header=field\"")
        parsed[key] = canonical
    return parsed


def _check_overrides_used(overrides: Mapping[str, str], tables: list[Table]) -> None:
    """A --map whose header is nowhere is almost always a typo: better to stop than to ignore it."""
    seen = {simplify(h) for table in tables for h in table.headers}
    for header, field in overrides.items():
        if simplify(header) not in seen:
            found = list(dict.fromkeys(h for table in tables for h in table.headers))
            raise InputError(
                f"--map '{header}={field}': no column headed '{header}' in any sheet read; "
                f"headers found: {_quoted(found)}"
            )


def _no_name_message(path: str, raws: list[RawSheet], built: list[SheetTable | NoNameColumn]) -> str:
    if len(raws) == 1:
        raw, result = raws[0], built[0]
        assert isinstance(result, NoNameColumn)
        if not raw.rows:
            return f"{path} sheet '{raw.name}': is empty; nothing to screen"
        return f"{path} sheet '{raw.name}': no supplier-name column; headers found: {_quoted(result.headers)}; {_MAP_HINT}"
    if not any(raw.rows for raw in raws):
        return f"{path}: every sheet is empty; nothing to screen"
    described = "; ".join(
        f"'{raw.name}' ({_quoted(b.headers) if raw.rows else 'empty'})"
        for raw, b in zip(raws, built)
        if isinstance(b, NoNameColumn)
    )
    return f"{path}: no sheet has a supplier-name column (sheets: {described}); {_MAP_HINT}"


def _quoted(headers: Sequence[str]) -> str:
    if not headers:
        return "none"
    shown = ", ".join(f"'{h}'" for h in headers[:_LISTED_HEADERS])
    return shown + (f" and {len(headers) - _LISTED_HEADERS} more" if len(headers) > _LISTED_HEADERS else "")


def _records(sheets: list[SheetTable]) -> pd.DataFrame:
    """Intake.records (model.py): provenance, one str column per field, then the original cells.

    Built column by column in numpy (a million rows: no Python step per cell), without copies: the
    readers already made equal texts one string object (tables.SharedTexts), the row tuples are the
    sheet's own, and one array of "" serves every field a sheet lacks.
    """
    parts: dict[str, list[np.ndarray]] = {key: [] for key in ("input", "sheet", "row", "table", *FIELDS, "cells")}
    for index, sheet in enumerate(sheets):
        table, count = sheet.table, len(sheet.rows)
        by_column = _columns(sheet.rows, len(table.headers))
        parts["input"].append(_repeated(table.input, count))
        parts["sheet"].append(_repeated(table.sheet, count))
        parts["row"].append(np.fromiter((number for number, _ in sheet.rows), dtype=np.int64, count=count))
        parts["table"].append(np.full(count, index, dtype=np.int64))
        parts["cells"].append(np.fromiter((cells for _, cells in sheet.rows), dtype=object, count=count))
        sheet.rows = []  # the cells live on in the records; the (number, cells) pairs can go
        positions = {field: column for column, field in enumerate(table.fields) if field}
        empty = _repeated("", count)  # one array for every field this sheet lacks
        for field in FIELDS:
            column = positions.get(field)
            parts[field].append(by_column[column] if column is not None else empty)
    # copy=False: the columns are used as built (pandas would copy every one of them otherwise).
    # Explicit dtypes: pandas 3 would otherwise pick its own string dtype (NaN for missing).
    return pd.DataFrame({
        key: pd.Series(_joined(arrays, dtype), dtype=dtype, copy=False)
        for key, arrays in parts.items()
        for dtype in [np.int64 if key in ("row", "table") else object]
    }, copy=False)


def _columns(rows: list[tuple[int, tuple[str, ...]]], width: int) -> list[np.ndarray]:
    """The sheet's cells as one object array per column (the readers already share equal texts)."""
    if not rows:
        return [np.empty(0, dtype=object) for _ in range(width)]
    # zip(*) transposes in C: no Python step per cell.
    return [np.fromiter(values, dtype=object, count=len(values)) for values in zip(*(cells for _, cells in rows))]


def _repeated(text: str, count: int) -> np.ndarray:
    """`count` references to one string (np.full would make `count` copies of it)."""
    values = np.empty(count, dtype=object)
    values[:] = text
    return values


def _joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype)

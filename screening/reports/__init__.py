"""Report writers: xlsx for auditors, csv and json for scripts, html for a quick look.

Every writer goes through atomic_write, so a report under its final name is always complete,
and never replaces one of the inputs it was made from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from screening.errors import ReportError
from screening.memory import gc_paused
from screening.model import ScreeningResult

from .atomic import atomic_write
from .csv_report import write_csv
from .html_report import write_html
from .json_report import report_json, write_json
from .xlsx_report import check_flagged_fit, fits_in_sheet, write_xlsx

FORMATS: tuple[str, ...] = ("xlsx", "csv", "json", "html")

_SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".html": "html", ".htm": "html"}


_WRITERS: dict[str, Callable[[ScreeningResult, BinaryIO], Any]] = {
    "xlsx": write_xlsx,
    "csv": write_csv,
    "json": write_json,
    "html": write_html,
}


def format_for(out: Path, fmt: str | None) -> str:
    """The report format: --format when given, else from the suffix of `out`."""
    allowed = ", ".join(FORMATS)
    if fmt is not None:
        chosen = fmt.strip().lower()
        if chosen not in FORMATS:
            raise ReportError(f"unknown report format {fmt!r}; use one of: {allowed}")
        return chosen
    suffix = Path(out).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    shown = repr(suffix) if suffix else "no suffix"
    raise ReportError(f"cannot tell the report format of {out} ({shown}); name it .xlsx/.csv/.json/.html "
                      f"or pass --format with one of: {allowed}")


def write_report(
    result: ScreeningResult, out: Path, fmt: str | None = None, *, inputs: Sequence[Path] = ()
) -> Path:
    """Write `result` to `out` atomically in the chosen format and return `out`.

    Without the cyclic garbage collector: rendering makes no reference cycles, and each collection would
    rescan every row of the result (a million rows: about a second each time)."""
    with gc_paused():
        return _write_report(result, Path(out), fmt, inputs)


def _write_report(result: ScreeningResult, out: Path, fmt: str | None, inputs: Sequence[Path]) -> Path:
    chosen = format_for(out, fmt)
    if chosen == "xlsx" and not fits_in_sheet(result):
        # More rows than a sheet holds: every row goes to a CSV next to the workbook, which says so.
        check_flagged_fit(result)  # before anything is written
        companion = all_rows_path(out)
        with atomic_write(companion, inputs=inputs) as fh:
            write_csv(result, fh)
        with atomic_write(out, inputs=inputs) as fh:
            write_xlsx(result, fh, all_rows_file=companion.name)
        return out
    writer = _WRITERS[chosen]
    with atomic_write(out, inputs=inputs) as fh:
        writer(result, fh)
    return out


def all_rows_path(out: Path) -> Path:
    """Where an xlsx report too big for one sheet puts every row: `<report name>-all-rows.csv` beside it."""
    return out.with_name(f"{out.stem}-all-rows.csv")


__all__ = ["FORMATS", "all_rows_path", "format_for", "report_json", "write_report"]

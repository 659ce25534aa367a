"""Size limits checked before memory is spent, so a hostile or mistaken input fails fast.

Each limit can be changed with an environment variable (README, "Limits"): sizes take a whole
number of bytes or a K, M or G suffix (binary units), counts a whole number (commas or _ allowed).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from ..errors import ScreeningError

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps on what intake will read; the defaults fit any workbook Excel itself can open."""

    max_file_bytes: int = 512 * MIB
    max_unzipped_bytes: int = 2048 * MIB  # sum of an xlsx/ods's parts, declared and actually inflated: stops zip bombs
    max_rows: int = 1_100_000  # per sheet; Excel stops at 1,048,576, and vendor masters reach 1,000,000
    max_cell_chars: int = 32_767  # Excel's own cell limit; longer cells are truncated
    # The grid from a sheet's first to its last cell (calamine holds it densely, 32 bytes a cell):
    # 1,000,000 rows x 100 columns, about 3.2 GB. Stray cells far away would otherwise ask for terabytes.
    max_cells: int = 100_000_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, changed by any SCREENING_MAX_* variable set; ScreeningError for a bad value."""
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for variable, (attribute, is_size) in ENV_VARIABLES.items():
            text = environ.get(variable, "").strip()
            if text:
                values[attribute] = _parse(variable, text, is_size)
        return cls(**values)


# variable -> (Limits field, takes a size with a unit)
ENV_VARIABLES: dict[str, tuple[str, bool]] = {
    "SCREENING_MAX_FILE_SIZE": ("max_file_bytes", True),
    "SCREENING_MAX_UNZIPPED_SIZE": ("max_unzipped_bytes", True),
    "SCREENING_MAX_ROWS": ("max_rows", False),
    "SCREENING_MAX_CELL_CHARS": ("max_cell_chars", False),
    "SCREENING_MAX_CELLS": ("max_cells", False),
}
assert {a for a, _ in ENV_VARIABLES.values()} == {f.name for f in fields(Limits)}

_SIZE = re.compile(r"(\d+)\s*([KMG]?)(?:I?B)?", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": MIB, "G": 1024 * MIB}


def _parse(variable: str, text: str, is_size: bool) -> int:
    cleaned = text.replace(",", "").replace("_", "")
    match = _SIZE.fullmatch(cleaned) if is_size else re.fullmatch(r"\d+", cleaned)
    if not match or (value := int(match.group(1) if is_size else cleaned) * (
        _UNITS[match.group(2).upper()] if is_size else 1
    )) < 1:
        example = "512M or 2G" if is_size else "2000000"
        raise ScreeningError(f"{variable}={text!r}: not a {'size' if is_size else 'whole number'} above 0; write e.g. {variable}={example}")
    return value


def human_bytes(size: int) -> str:
    """1536 -> '1.5 KiB': limit messages readable by compliance staff."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")

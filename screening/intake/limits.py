"""Size limits checked before memory is spent, so a hostile or mistaken input fails fast."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps on what intake will read; the defaults fit any workbook Excel itself can open."""

    max_file_bytes: int = 512 * MIB
    max_unzipped_bytes: int = 2048 * MIB  # sum of an xlsx/ods's members: stops zip bombs
    max_rows: int = 1_100_000  # per sheet; Excel stops at 1,048,576
    max_cell_chars: int = 32_767  # Excel's own cell limit; longer cells are truncated


def human_bytes(size: int) -> str:
    """1536 -> '1.5 KiB': limit messages readable by compliance staff."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")

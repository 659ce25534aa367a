"""Check an Excel 97-2003 (.xls) workbook's cell records before calamine reads it.

calamine builds each sheet as a dense grid from its first to its last cell. In BIFF a cell's
column is 16 bits, so one crafted cell record (column 65535) next to A1 asks for billions of
cells, and calamine aborts the whole process when the allocation fails (found by fuzzing). The
Workbook stream is read here with olefile and its records walked once, which is quick: the
format caps a sheet at 65,536 rows. A shared-string table claiming more strings than the stream
could hold is refused too, since readers size their tables from that count.
"""

from __future__ import annotations

import struct

import olefile

from ..errors import InputError
from .limits import Limits

_BOF, _EOF, _SST, _BOUNDSHEET = 0x0809, 0x000A, 0x00FC, 0x0085
# Records that place one cell: row (u16) then column (u16) first.
_CELL_RECORDS = frozenset({
    0x0006,  # FORMULA
    0x00FD,  # LABELSST
    0x0201,  # BLANK
    0x0203,  # NUMBER
    0x0204,  # LABEL
    0x0205,  # BOOLERR
    0x027E,  # RK
    0x00D6,  # RSTRING
    0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0007,  # BIFF2 cell records
})
_MULTI_CELL_RECORDS = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: row, first column, ..., last column
_RESAVE = "re-save it from Excel as .xlsx"


def check_xls(path: str, limits: Limits) -> None:
    """InputError when the workbook is damaged, or a sheet's cells span more than the limits allow."""
    stream = _workbook_stream(path)
    sheet_names = _sheet_names(stream)
    substream = -1  # the first BOF opens the workbook globals; each later one a sheet
    max_row = max_col = -1
    position = 0
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        position += 4 + size
        if kind == _BOF:
            substream += 1
            max_row = max_col = -1
        elif kind == _SST and len(body) >= 8:
            unique = struct.unpack_from("<I", body, 4)[0]
            if unique > len(stream) // 3:  # each string takes at least 3 bytes
                raise InputError(f"{path}: is a damaged Excel 97-2003 file (its string table claims {unique:,} "
                                 f"strings); {_RESAVE}")
        elif kind in _CELL_RECORDS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            max_row, max_col = max(max_row, row), max(max_col, col)
            _check(path, sheet_names, substream, max_row, max_col, limits)
        elif kind in _MULTI_CELL_RECORDS and len(body) >= 6:
            row, first = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
            max_row, max_col = max(max_row, row), max(max_col, first, last)
            _check(path, sheet_names, substream, max_row, max_col, limits)


def _workbook_stream(path: str) -> bytes:
    try:
        with olefile.OleFileIO(path) as ole:
            for name in ("Workbook", "Book", "WORKBOOK", "BOOK"):
                if ole.exists(name):
                    return ole.openstream(name).read()
    except Exception as exc:  # noqa: BLE001 - olefile raises many types for damaged files
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise InputError(f"{path}: is a damaged Excel 97-2003 file ({reason}); {_RESAVE}") from None
    raise InputError(f"{path}: is an Office file without a workbook stream; {_RESAVE}")


def _sheet_names(stream: bytes) -> list[str]:
    """Sheet names from the BOUNDSHEET records, in order, for messages; best effort."""
    names: list[str] = []
    position = 0
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        position += 4 + size
        if kind == _BOUNDSHEET and len(body) >= 8:
            length, flags = body[6], body[7]
            raw = body[8 : 8 + length * (2 if flags & 1 else 1)]
            names.append(raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"))
        elif kind == _EOF:
            break
    return names


def _check(path: str, names: list[str], substream: int, max_row: int, max_col: int, limits: Limits) -> None:
    height, width = max_row + 1, max_col + 1
    if height <= limits.max_rows and height * width <= limits.max_cells:
        return
    index = substream - 1
    where = f"{path} sheet '{names[index]}'" if 0 <= index < len(names) else path
    if height > limits.max_rows:
        raise InputError(
            f"{where}: reaches row {height:,}, over the {limits.max_rows:,} row limit; split it into smaller "
            "sheets or raise SCREENING_MAX_ROWS"
        )
    raise InputError(
        f"{where}: its cells span {height:,} rows x {width:,} columns ({height * width:,} cells), over the "
        f"{limits.max_cells:,}-cell limit; delete stray cells far from the table or raise SCREENING_MAX_CELLS"
    )

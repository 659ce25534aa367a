"""Write small xlsx, xls, ods, CSV and OLE2 files for intake tests."""

from __future__ import annotations

import csv
import io
import struct
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import xlwt

Rows = Sequence[Sequence[object]]


def write_xlsx(path: Path, sheets: dict[str, Rows], *, hidden: Sequence[str] = ()) -> Path:
    """One sheet per entry, rows from A1; names in `hidden` get sheet_state 'hidden'."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_ods(path: Path, sheets: dict[str, Rows]) -> Path:
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            pd.DataFrame([list(r) for r in rows]).to_excel(writer, sheet_name=name, index=False, header=False)
    return path


def write_csv(path: Path, rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


# ---------------------------------------------------------------- OLE2 compound file

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def ole_bytes(stream_names: Sequence[str]) -> bytes:
    """A minimal valid OLE2 file (v3, 512-byte sectors) whose directory lists empty streams.

    Sector 0 holds the FAT, sector 1 the directory: enough for anything that lists names,
    e.g. an encrypted OOXML package ('EncryptionInfo', 'EncryptedPackage').
    """
    names = ["Root Entry", *stream_names]
    if len(names) > 4:
        raise ValueError("one directory sector holds four entries")
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)  # version 3, 512-byte sectors
    struct.pack_into("<IIII", header, 0x2C, 1, 1, 0, 4096)  # 1 FAT sector, directory at 1, cutoff
    struct.pack_into("<IIII", header, 0x3C, _END, 0, _END, 0)  # no mini FAT, no DIFAT chain
    struct.pack_into("<109I", header, 0x4C, 0, *([_FREE] * 108))  # the FAT is sector 0
    fat = struct.pack("<128I", _FAT, _END, *([_FREE] * 126))
    directory = bytearray()
    for index, name in enumerate(names):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 0x40, len(encoded), 5 if index == 0 else 2, 1)
        # Root's child is entry 1; each stream's right sibling is the next one (a valid, if unbalanced, tree).
        left, right = _FREE, (index + 1 if 0 < index < len(names) - 1 else _FREE)
        child = 1 if index == 0 and len(names) > 1 else _FREE
        struct.pack_into("<III", entry, 0x44, left, right, child)
        struct.pack_into("<II", entry, 0x74, _END, 0)  # start sector, size: empty stream
        directory += entry
    directory += b"\x00" * (512 - len(directory))
    return bytes(header) + fat + bytes(directory)

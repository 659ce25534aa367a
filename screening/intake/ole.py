"""Just enough of the OLE2 compound-file format to list stream names.

An .xls holds a 'Workbook' (or 'Book') stream; a password-protected .xlsx is an OLE file
holding 'EncryptedPackage'. Listing names tells them apart without a third-party parser.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_REGULAR_SECTOR = 0xFFFFFFFA  # higher values are chain markers (end, free, FAT, DIFAT)
_ENTRY_SIZE = 128
_MAX_CHAIN = 1_000_000  # a corrupt FAT can loop; no real directory is this long


def stream_names(f: BinaryIO) -> list[str]:
    """Names of every storage and stream in the compound file; ValueError when it is not one."""
    header = f.read(512)
    if len(header) < 512 or header[:8] != OLE_MAGIC:
        raise ValueError("not an OLE2 compound file")
    sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
    if sector_size not in (512, 4096):
        raise ValueError(f"bad sector size {sector_size}")
    num_fat, first_dir = struct.unpack_from("<II", header, 0x2C)
    first_mini, num_mini = struct.unpack_from("<II", header, 0x3C)
    first_difat, num_difat = struct.unpack_from("<II", header, 0x44)
    per_sector = sector_size // 4
    # Counts the file cannot hold: readers size their tables from them (calamine allocated 4 GB
    # for a 5 KB file whose header said so), so such a file is refused as damaged.
    f.seek(0, 2)
    sectors_in_file = max(0, f.tell() // sector_size - 1)
    for what, count in (("FAT", num_fat), ("mini FAT", num_mini), ("DIFAT", num_difat)):
        if count > sectors_in_file:
            raise ValueError(f"header lists {count} {what} sectors; the file holds {sectors_in_file}")

    def read_sector(sector: int) -> bytes:
        f.seek((sector + 1) * sector_size)  # the header fills sector -1
        data = f.read(sector_size)
        if len(data) < sector_size:
            raise ValueError(f"sector {sector} is past the end of the file")
        return data

    # The FAT's own sectors: 109 listed in the header, the rest on the DIFAT chain.
    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))
    sector = first_difat
    for _ in range(min(num_difat, _MAX_CHAIN)):
        if sector > _MAX_REGULAR_SECTOR:
            break
        entries = struct.unpack(f"<{per_sector}I", read_sector(sector))
        fat_sectors.extend(entries[:-1])
        sector = entries[-1]
    fat_sectors = fat_sectors[:num_fat]

    def next_sector(sector: int) -> int:
        index, slot = divmod(sector, per_sector)
        if index >= len(fat_sectors):
            raise ValueError(f"sector {sector} is not in the FAT")
        f.seek((fat_sectors[index] + 1) * sector_size + slot * 4)
        raw = f.read(4)
        if len(raw) < 4:
            raise ValueError("truncated FAT")
        return struct.unpack("<I", raw)[0]

    names: list[str] = []
    sector, seen = first_dir, set[int]()
    while sector <= _MAX_REGULAR_SECTOR:
        if sector in seen or len(seen) >= _MAX_CHAIN:
            raise ValueError("directory chain loops")
        seen.add(sector)
        data = read_sector(sector)
        for start in range(0, sector_size, _ENTRY_SIZE):
            entry = data[start : start + _ENTRY_SIZE]
            name_bytes = struct.unpack_from("<H", entry, 0x40)[0]
            kind = entry[0x42]  # 1 storage, 2 stream, 5 root; 0 is an unused slot
            if kind in (1, 2, 5) and 2 <= name_bytes <= 64:
                names.append(entry[: name_bytes - 2].decode("utf-16-le", "replace"))
                size = struct.unpack_from("<Q" if sector_size == 4096 else "<I", entry, 0x78)[0]
                if kind != 1 and size > (sectors_in_file + 1) * sector_size:
                    raise ValueError(f"stream {names[-1]!r} claims {size} bytes, more than the file holds")
        sector = next_sector(sector)
    return names

"""The hostile-input corpus: files built by code, so large or binary ones never sit in the repository.

Each builder writes one file and returns its path. Workbooks are assembled part by part (the
minimal xlsx of tests.fuzz.targets, or openpyxl where a real writer matters), zip bombs with a
hand-written deflate stream, so nothing here ever writes or holds gigabytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.fuzz.targets import SHARED_STRINGS, SHEET, WORKBOOK, xlsx_with
from tests.intake_support.builders import write_xls, write_xlsx

SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"
SUPPLIERS = [
    ["Supplier Name", "Country", "City"],
    ["Hunchun Ocean Seafood Processing Co", "China", "Hunchun"],
    ["Rheinland Softwarehaus GmbH", "Germany", "Cologne"],
]


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def column_letters(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: Sequence[Sequence[str]], *, first_row: int = 1) -> str:
    """Inline-string cells, one <row> per row, references as Excel writes them."""
    out = [SHEET_OPEN]
    for r, row in enumerate(rows, start=first_row):
        cells = "".join(
            f'<c r="{column_letters(c)}{r}" t="inlineStr"><is><t xml:space="preserve">{xml_escape(v)}</t></is></c>'
            for c, v in enumerate(row) if v != ""
        )
        out.append(f'<row r="{r}">{cells}</row>')
    out.append(SHEET_CLOSE)
    return "".join(out)


def write_parts(path: Path, parts: dict[str, str | bytes]) -> Path:
    path.write_bytes(xlsx_with(parts))
    return path


def suppliers_xlsx(path: Path, rows: Sequence[Sequence[str]] = SUPPLIERS) -> Path:
    return write_parts(path, {"xl/worksheets/sheet1.xml": sheet_xml(rows)})


# ---------------------------------------------------------------- broken zips


def truncated_xlsx(path: Path) -> Path:
    data = xlsx_with({"xl/worksheets/sheet1.xml": sheet_xml(SUPPLIERS)})
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_part_xlsx(path: Path) -> Path:
    """Valid zip directory, but the worksheet's deflate stream is damaged."""
    data = bytearray(xlsx_with({"xl/worksheets/sheet1.xml": sheet_xml(SUPPLIERS * 20)}))
    start = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    for i in range(start + 40, start + 80):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


# ---------------------------------------------------------------- zip bombs

_MIB = 1 << 20


def _zeros_deflate(mebibytes: int) -> bytes:
    """A raw deflate stream of `mebibytes` MiB of spaces, built from one compressed MiB repeated.

    Z_FULL_FLUSH ends each block byte-aligned with no back-reference into the previous one, so
    the same compressed block can be repeated; a final empty block closes the stream. About 1 KiB
    per MiB: 3 GiB of XML padding in 3 MiB, and only one MiB is ever compressed.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b" " * _MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * mebibytes + b"\x03\x00"  # final fixed-Huffman block with no symbols


def bomb_xlsx(path: Path, *, inflated_mib: int, declared_bytes: int | None = None) -> Path:
    """A tiny xlsx whose worksheet inflates to `inflated_mib` MiB of whitespace.

    `declared_bytes`, when given, is the (false) uncompressed size written in both the local
    header and the central directory: the part lies about its size. The CRC is left wrong: a
    reader must refuse the part long before it could check it.
    """
    members: list[tuple[str, bytes, int, int, int]] = []  # name, data, method, crc, size
    base = xlsx_with({})
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        for info in archive.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                raw = archive.read(info)
                members.append((info.filename, zlib.compress(raw, 9)[2:-4], 8, zlib.crc32(raw), len(raw)))
    stream = _zeros_deflate(inflated_mib)
    size = inflated_mib * _MIB if declared_bytes is None else declared_bytes
    members.append(("xl/worksheets/sheet1.xml", stream, 8, 0, size))
    path.write_bytes(_zip(members))
    return path


def _zip(members: Iterable[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive written field by field (sizes under 4 GiB: no zip64 records needed)."""
    body, directory = bytearray(), bytearray()
    count = 0
    for name, data, method, crc, size in members:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        body += encoded + data
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size,
            len(encoded), 0, 0, 0, 0, 0, offset,
        )
        directory += encoded
        count += 1
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), len(body), 0)
    return bytes(body + directory + end)


# ---------------------------------------------------------------- XML attacks

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _with_doctype(xml: str, doctype: str, entity: str, where: str) -> str:
    body = xml.split("?>", 1)[1]
    return doctype + body.replace(where, f"&{entity};", 1)


def entity_xlsx(path: Path, part: str, *, external: bool) -> Path:
    doctype, entity = (EXTERNAL_ENTITY, "xxe") if external else (BILLION_LAUGHS, "lol4")
    originals = {
        "xl/worksheets/sheet1.xml": (sheet_xml(SUPPLIERS), "Hunchun"),
        "xl/sharedStrings.xml": (SHARED_STRINGS, "Hunchun"),
        "xl/workbook.xml": (WORKBOOK, "Suppliers"),
    }
    xml, where = originals[part]
    parts = {part: _with_doctype(xml, doctype, entity, where)}
    if part != "xl/worksheets/sheet1.xml":
        parts["xl/worksheets/sheet1.xml"] = SHEET
    return write_parts(path, parts)


# ---------------------------------------------------------------- other workbooks


def encrypted_xlsx(path: Path) -> Path:
    """A real password-protected workbook (OLE EncryptedPackage, agile encryption) by msoffcrypto."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(xlsx_with({"xl/worksheets/sheet1.xml": sheet_xml(SUPPLIERS)}))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("s3cret", out)
    path.write_bytes(out.getvalue())
    return path


VBA_MARKER = b"Attribute VB_Name = \"Module1\"\r\nSub Auto_Open()\r\n  Shell \"calc.exe\"\r\nEnd Sub\r\n"


def macro_xlsm(path: Path) -> Path:
    """An .xlsm with a VBA project part whose Auto_Open would start a program."""
    base = xlsx_with({"xl/worksheets/sheet1.xml": sheet_xml(SUPPLIERS)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                ).replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
            target.writestr(info.filename, data)
        target.writestr("xl/vbaProject.bin", VBA_MARKER)
    path.write_bytes(buffer.getvalue())
    return path


def xls_renamed(path: Path) -> Path:
    """A real Excel 97-2003 workbook saved under an .xlsx name."""
    return write_xls(path, {"Suppliers": SUPPLIERS})


def merged_header_xlsx(path: Path) -> Path:
    """'Supplier' merged over two columns (name, trading name), as suppliers' templates do."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Suppliers"
    ws.append(["Supplier Name", None, "Country"])
    ws.merge_cells("A1:B1")
    ws.append(["Hunchun Ocean Seafood Processing Co", "Ocean Seafood", "China"])
    ws.append(["Rheinland Softwarehaus GmbH", "Rheinland", "Germany"])
    wb.save(path)
    return path


def hidden_sheet_xlsx(path: Path) -> Path:
    return write_xlsx(path, {
        "Suppliers": SUPPLIERS,
        "Old suppliers": [["Supplier Name", "Country"], ["Pyongyang Trading Co", "North Korea"]],
    }, hidden=["Old suppliers"])


def formula_xlsx(path: Path) -> Path:
    """Formulas with cached values, one without, and injection payloads stored as text and as formulas."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Supplier Name</t></is></c><c r="B1" t="inlineStr"><is><t>Country</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>Amount</t></is></c></row>'
        '<row r="2"><c r="A2" t="str"><f>"Hunchun "&amp;"Seafood Co"</f><v>Hunchun Seafood Co</v></c>'
        '<c r="B2" t="inlineStr"><is><t>China</t></is></c><c r="C2"><f>1+1</f><v>2</v></c></row>'
        '<row r="3"><c r="A3" t="str"><f>HYPERLINK("http://evil.example/x","Click")</f><v>Click</v></c>'
        '<c r="B3" t="inlineStr"><is><t>Germany</t></is></c><c r="C3"><f>SUM(C2:C2)</f></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t>=cmd|\' /C calc\'!A0</t></is></c>'
        '<c r="B4" t="inlineStr"><is><t>France</t></is></c></row>'
    )
    return write_parts(path, {"xl/worksheets/sheet1.xml": SHEET_OPEN + rows + SHEET_CLOSE})


def million_row_xlsx(path: Path, rows: int = 1_048_576) -> Path:
    """A sheet with `rows` rows (Excel's maximum by default), streamed into the zip part by part."""
    base = xlsx_with({})
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(SHEET_OPEN.encode())
            part.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Supplier Name</t></is></c></row>')
            batch: list[bytes] = []
            for r in range(2, rows + 1):
                batch.append(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r))
                if len(batch) == 50_000:
                    part.write(b"".join(batch))
                    batch.clear()
            part.write(b"".join(batch) + SHEET_CLOSE.encode())
    return path


def far_cells_xlsx(path: Path) -> Path:
    """Two legal cells, A1 and XFD1048576: a dense grid of 17 billion cells (calamine issue #693)."""
    xml = (
        SHEET_OPEN + '<row r="1"><c r="A1" t="inlineStr"><is><t>Supplier Name</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + SHEET_CLOSE
    )
    return write_parts(path, {"xl/worksheets/sheet1.xml": xml})

"""Inflate a workbook's zip parts ourselves, bounded, before the spreadsheet reader sees them.

The central directory's sizes are checked in formats.py, but a part can lie about its size: a
few kilobytes of deflate can expand to gigabytes. And calamine builds each sheet as a dense grid
from its first to its last cell, so two cells far apart (A1 and XFD1048576) ask for 17 billion
cells and abort the whole process, not just the read (calamine issue #693). So every part is
inflated here in chunks, counting the bytes it really holds, and each XML part's cell references
are scanned for the grid they span; either limit stops the read before memory is spent.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import InputError
from .limits import Limits, human_bytes

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra field length
_LOCAL_MAGIC = b"PK\x03\x04"
_READ_BYTES = 1 << 20
_INFLATED_BYTES = 4 << 20  # inflate at most this much at a time: memory stays flat
_STORED, _DEFLATED = 0, 8
_TAIL_BYTES = 64 * 1024  # a tag split across two chunks is scanned with the next one
_SMALL_XML = 4 << 20  # workbook.xml and its relationships, read whole to name sheets

# A cell or row reference: r="B7" on <c>, r="7" on <row>, in any quoting, spacing and case calamine accepts.
_REF = re.compile(rb'\sr\s*=\s*"([A-Za-z]*)([0-9]+)"')
# Tags and quotes made plain so that bytes.count finds every form of <c r="A1">.
_PLAIN = bytes.maketrans(b"\t\n\r/>'", b'     "')
# Excel never writes a DTD; one in a part is a crafted file (billion laughs, external entities).
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARATION_BYTES = 64 * 1024
_LOOK_BACK = 4096  # the last rows of a chunk give its largest references in an ordinary sheet
_RESAVE = "re-save it from Excel as .xlsx"


@dataclass
class _Extent:
    """A bound on the grid calamine builds for a sheet part: from A1 to the furthest cell.

    Ordinary sheets list rows in order, so a chunk's largest reference is in its last rows; one
    regex search then confirms that no reference in the chunk goes further (only then is every
    reference read). Cells and rows without a reference follow the previous one, so each <c> or
    <row> tag that does not start with r="..." may add a column or a row. All of it with
    bytes.count and one regex per chunk: the scan costs a fraction of calamine's own parse.
    """

    max_row: int = 0
    max_col: int = 0
    loose_cells: int = 0  # <c> tags whose first attribute is not r: an upper bound on unreferenced cells
    loose_rows: int = 0

    def add(self, text: bytes) -> None:
        if not self._plain_already(text):
            text = text.translate(_PLAIN)
            prefixes = (b"<", b":") if b":row " in text else (b"<",)
            for prefix in prefixes:
                self.loose_cells += text.count(prefix + b"c ") - text.count(prefix + b'c r="')
                self.loose_rows += text.count(prefix + b"row ") - text.count(prefix + b'row r="')
        self._take(_REF.findall(text[-_LOOK_BACK:]))
        if _beyond(self.max_row, self.max_col).search(text):
            self._take(_REF.findall(text))

    @staticmethod
    def _plain_already(text: bytes) -> bool:
        """True for a chunk as Excel writes it: no tab, newline or single quote, every tag starting with <c
        or <row a reference, no prefixed row tag. Then it has no loose cell or row, and every reference a
        reader accepts is ' r="...', so it is scanned as it is (translating it costs as much as the scan)."""
        if b"\t" in text or b"\n" in text or b"\r" in text or b"'" in text or b":row " in text:
            return False
        return text.count(b"<c") == text.count(b'<c r="') and text.count(b"<row") == text.count(b'<row r="')

    def _take(self, refs: list[tuple[bytes, bytes]]) -> None:
        if refs:
            self.max_row = max(self.max_row, max(int(digits) for _, digits in refs))
            self.max_col = max(self.max_col, max(_column_number(letters) for letters in {l for l, _ in refs}))

    def height(self) -> int:
        return self.max_row + max(0, self.loose_rows)

    def width(self) -> int:
        return max(self.max_col, 1) + max(0, self.loose_cells)


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters.upper():
        number = number * 26 + (byte - 64)
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=1024)
def _beyond(max_row: int, max_col: int) -> re.Pattern[bytes]:
    """A reference whose row is above max_row or whose column is right of max_col.

    Starts with the literal ' r=' (spacing already made plain) so the regex engine skips ahead fast.
    """
    rows = _greater_than(str(max_row), "0123456789", r"\d")
    cols = _greater_than(_column_letters(max_col), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[A-Za-z]") if max_col else "[A-Za-z]+"
    return re.compile(f""" r *= *"(?:(?:{cols})[0-9]|[A-Za-z]*(?:{rows})")""".encode())


def _greater_than(value: str, alphabet: str, any_symbol: str) -> str:
    """Regex for strings over `alphabet` (no leading zero symbol) that compare above `value`.

    Longer strings are greater; of equal length, the first differing symbol decides. Letters
    match in either case, as calamine reads them.
    """
    def either(symbols: str) -> str:
        return symbols + symbols.lower() if symbols.isalpha() else symbols

    parts = [f"{any_symbol}{{{len(value) + 1},}}"]
    for i, symbol in enumerate(value):
        higher = alphabet[alphabet.index(symbol) + 1 :]
        if higher:
            rest = len(value) - i - 1
            prefix = "".join(f"[{either(c)}]" for c in value[:i])
            span = f"{higher[0]}-{higher[-1]}"
            parts.append(prefix + f"[{span}{span.lower() if span.isalpha() else ''}]" + (f"{any_symbol}{{{rest}}}" if rest else ""))
    return "|".join(parts)


def check_zip_parts(path: str, limits: Limits) -> None:
    """InputError when a part expands past its stated size or the limit, or spans too large a grid."""
    try:
        with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
            infos = archive.infolist()
            sheet_names = _sheet_names_by_part(archive)
            is_ods = "mimetype" in archive.namelist()
            total = 0
            for info in infos:
                lower = info.filename.lower()
                is_xml = lower.endswith((".xml", ".rels"))
                scan = is_xml and _may_be_sheet(info.filename, sheet_names)
                extent = _Extent() if scan else None
                where = _part_label(path, info.filename, sheet_names)
                ods = _OdsScan(path, limits) if info.filename == "content.xml" and is_ods else None
                for index, piece in enumerate(_inflate(path, raw, info)):
                    if index == 0 and is_xml and _DECLARATION.search(piece[:_DECLARATION_BYTES]):
                        raise InputError(
                            f"{where}: declares a DTD or entities{'' if 'part ' in where else f' (part {info.filename})'}, "
                            "which Excel never writes and which are refused for safety (entity expansion, external "
                            f"files); {_RESAVE}"
                        )
                    total += len(piece)
                    if total > limits.max_unzipped_bytes:
                        raise InputError(
                            f"{path}: expands to more than {human_bytes(limits.max_unzipped_bytes)} (part "
                            f"{info.filename}), over the limit; split it into smaller files or raise "
                            "SCREENING_MAX_UNZIPPED_SIZE"
                        )
                    if extent is not None:
                        extent.add(piece)
                        _check_extent(where, extent, limits)
                    if ods is not None:
                        ods.feed(piece)
                if ods is not None:
                    ods.close()
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, NotImplementedError, RuntimeError):
        raise InputError(f"{path}: not a readable spreadsheet (corrupt zip); {_RESAVE}") from None


def _inflate(path: str, raw: object, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in bounded pieces, split only between tags where possible."""
    if info.flag_bits & 0x1:
        raise InputError(f"{path}: part {info.filename} is encrypted; save an unprotected copy")
    if info.compress_type not in (_STORED, _DEFLATED):
        raise InputError(
            f"{path}: part {info.filename} uses zip compression method {info.compress_type}, which Excel "
            f"never writes; {_RESAVE}"
        )
    raw.seek(info.header_offset)  # type: ignore[attr-defined]
    header = raw.read(_LOCAL_HEADER.size)  # type: ignore[attr-defined]
    if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_MAGIC:
        raise zipfile.BadZipFile("bad local header")
    _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    raw.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)  # type: ignore[attr-defined]
    produced = 0
    tail = b""
    for piece in _pieces(raw, info):
        produced += len(piece)
        if produced > info.file_size:
            raise InputError(
                f"{path}: part {info.filename} holds more data than the archive states "
                f"({human_bytes(info.file_size)}); the file is damaged or crafted; {_RESAVE}"
            )
        text = tail + piece
        cut = text.rfind(b"<", max(0, len(text) - _TAIL_BYTES))
        if cut <= 0:
            cut = max(0, len(text) - 256)
        tail = text[cut:]
        yield text[:cut]
    if tail:
        yield tail


def _pieces(raw: object, info: zipfile.ZipInfo) -> Iterator[bytes]:
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == _DEFLATED else None
    while left > 0:
        chunk = raw.read(min(_READ_BYTES, left))  # type: ignore[attr-defined]
        if not chunk:
            raise EOFError("part cut short")
        left -= len(chunk)
        if inflater is None:
            yield chunk
            continue
        try:
            out = inflater.decompress(chunk, _INFLATED_BYTES)
            while True:
                if out:
                    yield out
                if not inflater.unconsumed_tail:
                    break
                out = inflater.decompress(inflater.unconsumed_tail, _INFLATED_BYTES)
        except zlib.error as exc:
            raise zipfile.BadZipFile(str(exc)) from None
        if inflater.eof:
            break


def _check_extent(where: str, extent: _Extent, limits: Limits) -> None:
    height = extent.height()
    if height > limits.max_rows:
        reach = f"reaches row {extent.max_row:,}" if extent.max_row > limits.max_rows else f"has about {height:,} rows"
        raise InputError(
            f"{where}: {reach}, over the {limits.max_rows:,} row limit; split it into smaller sheets or raise "
            "SCREENING_MAX_ROWS"
        )
    width = extent.width()
    if height * width > limits.max_cells:
        raise InputError(
            f"{where}: its cells span {height:,} rows x {width:,} columns ({height * width:,} cells), over "
            f"the {limits.max_cells:,}-cell limit; delete stray cells far from the table (Ctrl+End in "
            "Excel shows the last one) or raise SCREENING_MAX_CELLS"
        )


def _may_be_sheet(part: str, sheet_names: dict[str, str]) -> bool:
    """The parts calamine may read as a sheet: those the workbook names, else any XML under xl/."""
    if sheet_names:
        return part in sheet_names or part.startswith("xl/worksheets/")
    return part.startswith("xl/") and part.lower() != "xl/sharedstrings.xml"


def _part_label(path: str, part: str, sheet_names: dict[str, str]) -> str:
    name = sheet_names.get(part)
    return f"{path} sheet '{name}'" if name else f"{path} part {part}"


def _sheet_names_by_part(archive: zipfile.ZipFile) -> dict[str, str]:
    """xlsx part name -> sheet name, for messages; {} when the workbook cannot tell (then parts are named)."""
    try:
        workbook = _small_xml(archive, "xl/workbook.xml")
        rels = _small_xml(archive, "xl/_rels/workbook.xml.rels")
    except (KeyError, ValueError, LookupError, ParseError, DefusedXmlException, zipfile.BadZipFile, OSError,
            EOFError, zlib.error, NotImplementedError, RuntimeError):  # RuntimeError: an encrypted member
        return {}  # only for messages: the parts are then named instead
    targets: dict[str, str] = {}
    for rel in rels.iter():
        if rel.tag.endswith("Relationship") and rel.get("Id") and rel.get("Target"):
            target = rel.get("Target", "")
            targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    names: dict[str, str] = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet") or sheet.tag == "sheet":
            rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            if rel_id in targets and sheet.get("name"):
                names[targets[rel_id]] = sheet.get("name", "")
    return names


def _small_xml(archive: zipfile.ZipFile, name: str):  # type: ignore[no-untyped-def]
    info = archive.getinfo(name)
    if info.file_size > _SMALL_XML:
        raise ValueError("too large to name sheets from")
    with archive.open(info) as member:
        return fromstring(member.read(_SMALL_XML + 1), forbid_dtd=True)


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CELLS = {f"{_TABLE_NS} table-cell", f"{_TABLE_NS} covered-table-cell"}
_REPEAT_CAP = 1 << 40  # larger counts are simply "too many"; keeps the arithmetic small


class _OdsScan:
    """OpenDocument content.xml, parsed once with expat before calamine reads it.

    calamine loops forever on some malformed content.xml (found by fuzzing), and expands
    number-rows-repeated / number-columns-repeated into real cells: a few bytes can ask for
    billions. So the XML must be well-formed, without DTD, and the filled part of every table
    (repeats counted, up to its last non-empty cell) must fit the row and cell limits.
    """

    def __init__(self, path: str, limits: Limits) -> None:
        self.path, self.limits = path, limits
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartDoctypeDeclHandler = self._refuse_dtd
        self.parser.EntityDeclHandler = self._refuse_dtd
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.table = ""
        self.rows = self.filled_rows = self.width = 0
        self.row_repeat = self.column = self.row_filled = 0
        self.cell_repeat = 0
        self.cell_filled = False
        self.in_cell = False

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except (LookupError, ValueError):  # <?xml encoding="..."?> unknown, or multi-byte (expat cannot)
            raise InputError(
                f"{self.path}: content.xml declares a text encoding that cannot be read; re-save it from LibreOffice or Excel"
            ) from None
        except expat.ExpatError as exc:
            raise InputError(
                f"{self.path}: content.xml is not well-formed XML (line {exc.lineno}, column {exc.offset}); "
                "re-save it from LibreOffice or Excel as .ods or .xlsx"
            ) from None

    def close(self) -> None:
        self.feed(b"", final=True)

    def _refuse_dtd(self, *_: object) -> None:
        raise InputError(
            f"{self.path}: content.xml declares a DTD or entities, refused for safety (entity expansion, "
            "external files); re-save it from LibreOffice or Excel as .ods or .xlsx"
        )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self.in_cell:
            self.cell_filled = True  # any content inside a cell (text:p, annotations) makes it count
        if name == f"{_TABLE_NS} table":
            self.table = attributes.get(f"{_TABLE_NS} name", "")
            self.rows = self.filled_rows = self.width = 0
        elif name == f"{_TABLE_NS} table-row":
            self.row_repeat = _repeat(attributes.get(f"{_TABLE_NS} number-rows-repeated"))
            self.column = self.row_filled = 0
        elif name in _CELLS:
            self.in_cell = True
            self.cell_repeat = _repeat(attributes.get(f"{_TABLE_NS} number-columns-repeated"))
            self.cell_filled = f"{_OFFICE_NS} value-type" in attributes

    def _end(self, name: str) -> None:
        if name in _CELLS:
            self.in_cell = False
            self.column += self.cell_repeat
            if self.cell_filled:
                self.row_filled = self.column
        elif name == f"{_TABLE_NS} table-row":
            self.rows += self.row_repeat
            if self.row_filled:
                self.filled_rows = self.rows
                self.width = max(self.width, self.row_filled)
                self._check()

    def _check(self) -> None:
        where = f"{self.path} sheet '{self.table}'"
        if self.filled_rows > self.limits.max_rows:
            raise InputError(
                f"{where}: reaches row {self.filled_rows:,}, over the {self.limits.max_rows:,} row limit; "
                "split it into smaller sheets or raise SCREENING_MAX_ROWS"
            )
        if self.filled_rows * self.width > self.limits.max_cells:
            raise InputError(
                f"{where}: its cells span {self.filled_rows:,} rows x {self.width:,} columns, over the "
                f"{self.limits.max_cells:,}-cell limit; delete stray cells far from the table or raise "
                "SCREENING_MAX_CELLS"
            )


def _repeat(text: str | None) -> int:
    if not text:
        return 1
    try:
        return min(max(int(text), 1), _REPEAT_CAP)
    except ValueError:
        return 1

"""Fuzz targets: every reader and list parser fed arbitrary bytes through its public entry point.

A target passes when the input is read or refused with the project's own ScreeningError (one line
the user can act on); any other exception, or a crash of the process, is a bug. Spreadsheet targets
come in two kinds: raw bytes of the whole file, and structure-aware ones that put the fuzzed bytes
into one part of an otherwise valid workbook, so that mutations reach the XML parser instead of
stopping at the zip checksum.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LISTS = ROOT / "tests" / "data" / "lists"

# Small limits: a fuzzer's job is to reach the checks, not to fill the machine's memory.
def _limits():  # type: ignore[no-untyped-def]
    from screening.intake import Limits

    return Limits(max_file_bytes=4 << 20, max_unzipped_bytes=64 << 20, max_rows=20_000, max_cells=2_000_000)


_WORK = Path(tempfile.mkdtemp(prefix="screening-fuzz-"))


def _read_spreadsheet(data: bytes, suffix: str) -> None:
    from screening.errors import ScreeningError
    from screening.intake import read_inputs

    path = _WORK / f"input{suffix}"
    path.write_bytes(data)
    try:
        read_inputs([path], limits=_limits())
    except ScreeningError:
        pass


def _parse_list(data: bytes, source: str, name: str, beside: dict[str, bytes] | None = None) -> None:
    from screening.errors import ScreeningError
    from screening.lists import parser_for

    folder = _WORK / source
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    path = folder / name
    path.write_bytes(data)
    for other, content in (beside or {}).items():
        (folder / other).write_bytes(content)
    try:
        parser_for(source)(path)
    except ScreeningError:
        pass


# ---------------------------------------------------------------- workbook wrappers

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Suppliers" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    '<row r="3"><c r="A3" t="inlineStr"><is><t>Korea Ryonbong General Corp</t></is></c>'
    '<c r="B3" t="inlineStr"><is><t>DPRK</t></is></c><c r="C3"><v>42.5</v></c>'
    '<c r="D3" t="b"><v>1</v></c><c r="E3"><f>SUM(C3)</f><v>42.5</v></c></row>'
    "</sheetData></worksheet>"
)
SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">'
    "<si><t>Supplier Name</t></si><si><t>Country</t></si><si><t>Hunchun Seafood Co</t></si>"
    '<si><r><t>Chi</t></r><r><t xml:space="preserve">na</t></r></si></sst>'
)


def xlsx_with(parts: dict[str, str | bytes]) -> bytes:
    """A valid one-sheet xlsx, with any part replaced by the given content."""
    contents: dict[str, str | bytes] = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": SHEET,
        "xl/sharedStrings.xml": SHARED_STRINGS,
    }
    contents.update(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    return buffer.getvalue()


_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Suppliers">'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Supplier Name</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>Country</text:p></table:table-cell></table:table-row>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Hunchun Seafood</text:p></table:table-cell>'
    '<table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p></table:table-cell></table:table-row>'
    '<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2"/>'
    "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
)


def ods_with(content: str | bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


# ---------------------------------------------------------------- seeds


def _xls_seed() -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Suppliers")
    for r, row in enumerate([["Supplier Name", "Country", "Amount"], ["Hunchun Seafood", "China", 3.5]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_CSV_SEEDS = [
    b"Supplier Name,Country\r\nHunchun Seafood Co,China\r\nRheinland GmbH,Germany\r\n",
    "Lieferant;Land\nBäckerei Müller;Deutschland\n".encode("cp1252"),
    "供应商名称\t国家\n珲春海产品加工厂\t中国\n".encode("gb18030"),
    "\ufeffName,Country\n\"Quoted, Inc\",\"Korea, DPR\"\n".encode("utf-8"),
    "Name,Country\nA,B\n".encode("utf-16"),
]

_UN_SEED = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<CONSOLIDATED_LIST dateGenerated="2026-01-02T00:00:00"><INDIVIDUALS><INDIVIDUAL>'
    "<DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>YONG CHOL</FIRST_NAME><SECOND_NAME>KIM</SECOND_NAME>"
    "<UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER><LISTED_ON>2016-03-02</LISTED_ON>"
    "<COMMENTS1>IMO number: 1234567. SWIFT: KUDBKPPY</COMMENTS1><NATIONALITY><VALUE>Democratic People's Republic of Korea"
    "</VALUE></NATIONALITY><INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Kim Yong-chol</ALIAS_NAME>"
    "</INDIVIDUAL_ALIAS><INDIVIDUAL_ADDRESS><CITY>Pyongyang</CITY><COUNTRY>DPRK</COUNTRY></INDIVIDUAL_ADDRESS>"
    "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1960-01-01</DATE></INDIVIDUAL_DATE_OF_BIRTH>"
    "<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>563410081</NUMBER></INDIVIDUAL_DOCUMENT>"
    "</INDIVIDUAL></INDIVIDUALS><ENTITIES><ENTITY><DATAID>2</DATAID><FIRST_NAME>KOREA MINING DEVELOPMENT TRADING "
    "CORPORATION</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPe.001</REFERENCE_NUMBER>"
    "<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>KOMID</ALIAS_NAME></ENTITY_ALIAS>"
    "<ENTITY_ADDRESS><CITY>Pyongyang</CITY><COUNTRY>DPRK</COUNTRY></ENTITY_ADDRESS></ENTITY></ENTITIES>"
    "</CONSOLIDATED_LIST>"
)


def _file(*parts: str) -> bytes:
    return (LISTS.joinpath(*parts)).read_bytes()


# ---------------------------------------------------------------- the targets


def _ofac_sdn(data: bytes) -> None:
    _parse_list(data, "ofac-sdn", "sdn.csv", {
        "alt.csv": _file("ofac", "sdn_sample", "alt.csv"), "add.csv": _file("ofac", "sdn_sample", "add.csv"),
    })


TARGETS: dict[str, tuple[Callable[[bytes], None], Callable[[], list[bytes]]]] = {
    # name: (run one input, seed inputs)
    "xlsx": (lambda d: _read_spreadsheet(d, ".xlsx"), lambda: [xlsx_with({}), (ROOT / "fixtures" / "suppliers-sample.xlsx").read_bytes()]),
    "xlsx-sheet": (lambda d: _read_spreadsheet(xlsx_with({"xl/worksheets/sheet1.xml": d}), ".xlsx"), lambda: [SHEET.encode()]),
    "xlsx-strings": (lambda d: _read_spreadsheet(xlsx_with({"xl/sharedStrings.xml": d}), ".xlsx"), lambda: [SHARED_STRINGS.encode()]),
    "xlsx-workbook": (lambda d: _read_spreadsheet(xlsx_with({"xl/workbook.xml": d}), ".xlsx"), lambda: [WORKBOOK.encode()]),
    "xls": (lambda d: _read_spreadsheet(d, ".xls"), lambda: [_xls_seed()]),
    "ods-content": (lambda d: _read_spreadsheet(ods_with(d), ".ods"), lambda: [ODS_CONTENT.encode()]),
    "csv": (lambda d: _read_spreadsheet(d, ".csv"), lambda: list(_CSV_SEEDS)),
    "ofac-xml": (lambda d: _parse_list(d, "ofac-xml", "sdn.xml"), lambda: [_file("ofac", "sdn_sample.xml")]),
    "ofac-sdn": (_ofac_sdn, lambda: [_file("ofac", "sdn_sample", "sdn.csv")]),
    "un": (lambda d: _parse_list(d, "un", "consolidated.xml"), lambda: [_UN_SEED.encode()]),
    "eu": (lambda d: _parse_list(d, "eu", "xmlFullSanctionsList_1_1.xml"), lambda: [_file("eu", "xmlFullSanctionsList_1_1.xml")]),
    "uk": (lambda d: _parse_list(d, "uk", "ConList.csv"), lambda: [_file("uk", "ConList.csv")]),
    "opensanctions": (lambda d: _parse_list(d, "opensanctions", "targets.simple.csv"), lambda: [_file("opensanctions", "targets.simple.csv")]),
}


def write_seeds(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(TARGETS[name][1]()):
        (folder / f"seed-{index}").write_bytes(seed)
    return folder


def run_one(name: str, data: bytes) -> None:
    """Run one input outside the fuzzer (regression tests, reproducing a crash file)."""
    TARGETS[name][0](data)


os.environ.setdefault("SCREENING_NO_PROGRESS", "1")

"""The Excel report auditors work in: Summary, Flagged, All rows, Rules, Manifest, Errors.

Written with openpyxl's write-only (streaming) mode so 100k+ rows fit in constant memory. Every
text from an input, the evidence or the rule packs is stored as a plain string (see _Cells.text),
never as a formula.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from datetime import UTC, datetime
from typing import Any, BinaryIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.marker import DataPoint
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from screening.errors import ReportError
from screening.model import BAND_LABELS, RowResult, ScreeningResult, Source

from .cells import excel_text, is_risky
from .columns import (
    BAND_COLOURS,
    REVIEW_COLUMNS,
    UNVERIFIED,
    Columns,
    HitTexts,
    columns_for,
    evidence_line,
    has_suppressed,
    hit_counts,
    review_order,
    suppressed_text,
)

EXCEL_MAX_ROWS = 1_048_576
LARGE_SHEET_ROWS = 250_000  # above this, All rows is zipped as zip64 (its XML may pass 2 GiB)
DISPOSITIONS = ("true match", "false positive", "escalate", "pending")
TOP_RULES = 10

_TOP = Alignment(vertical="top")
_FILL = {name: PatternFill("solid", fgColor=colour) for name, colour in (
    ("header", "D9E1F2"), ("review", "FFF2CC"), ("unverified", "F8CBAD"), *BAND_COLOURS.items())}
# Each look is (font, fill, alignment); cells copy a registered prototype's style.
_LOOKS: dict[str, tuple[Font | None, PatternFill | None, Alignment | None]] = {
    "plain": (None, None, None),
    "title": (Font(bold=True, size=14), None, None),
    "section": (Font(bold=True, size=12), None, None),
    "header": (Font(bold=True), _FILL["header"], None),
    "reviewer": (Font(bold=True), _FILL["review"], None),  # the columns auditors fill in
    "top": (None, None, _TOP),
    "wrap": (None, None, Alignment(wrap_text=True, vertical="top")),
    "unverified": (Font(bold=True, color="9C0006"), _FILL["unverified"], _TOP),
    **{f"band:{b}": (Font(bold=True), _FILL[b], _TOP) for b in BAND_COLOURS},
}
_EPOCH = datetime(1980, 1, 1)  # the earliest date a zip entry can carry


def fits_in_sheet(result: ScreeningResult) -> bool:
    """Whether every row fits in the All rows sheet (Excel's 1,048,576 rows, one for the header)."""
    return len(result.rows) + 1 <= EXCEL_MAX_ROWS


def check_flagged_fit(result: ScreeningResult) -> None:
    """ReportError when the flagged rows alone overflow the Flagged sheet (no companion file helps there)."""
    flagged = sum(1 for r in result.rows if r.flagged)
    if flagged + 1 > EXCEL_MAX_ROWS:
        raise ReportError(
            f"{flagged} flagged rows do not fit in one Excel sheet ({EXCEL_MAX_ROWS - 1} at most); "
            "use --format csv or --format json"
        )


def write_xlsx(result: ScreeningResult, fh: BinaryIO, *, all_rows_file: str | None = None) -> None:
    """The workbook; `all_rows_file` names the companion CSV holding every row when they exceed a sheet."""
    check_flagged_fit(result)
    if all_rows_file is None and not fits_in_sheet(result):
        raise ReportError(
            f"{len(result.rows)} rows do not fit in one Excel sheet ({EXCEL_MAX_ROWS - 1} at most); "
            "use --format csv or --format json"
        )
    stamp = _timestamp(result.manifest.created_at)
    wb = Workbook(write_only=True)
    # Fixed document dates: the same result gives the same workbook.
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = f"screening {result.manifest.tool_version}"
    wb.properties.title = "Screening report"

    cols = columns_for(result)
    # The big sheets' data rows are written as XML text (see _xml_rows), keyed by their part in the zip;
    # openpyxl numbers the sheet parts by position when it saves: sheet3.xml for the third sheet.
    appended: dict[str, Callable[[], Iterator[bytes]]] = {}
    _summary(_Cells(wb.create_sheet("Summary")), result, all_rows_file)
    flagged = wb.create_sheet("Flagged")
    appended[f"xl/worksheets/sheet{len(wb.worksheets)}.xml"] = _flagged(_Cells(flagged), result, cols)
    if all_rows_file is None:
        all_rows = wb.create_sheet("All rows")
        appended[f"xl/worksheets/sheet{len(wb.worksheets)}.xml"] = _all_rows(_Cells(all_rows), result, cols)
    else:
        _all_rows_elsewhere(_Cells(wb.create_sheet("All rows")), result, all_rows_file)
    if result.links:
        _links(_Cells(wb.create_sheet("Links")), result)
    _rules(_Cells(wb.create_sheet("Rules")), result)
    _manifest(_Cells(wb.create_sheet("Manifest")), result, all_rows_file)
    if result.errors:
        _errors(_Cells(wb.create_sheet("Errors")), result)
    _save(wb, fh, stamp, appended, large=len(result.rows) > LARGE_SHEET_ROWS)


# ---------------------------------------------------------------- cells


class _Cells:
    """Makes the cells of one streamed sheet.

    Assigning font/fill/alignment registers the style anew on every cell, which dominated the
    run time on large reports; instead each look is registered once on a prototype cell and new
    cells copy its style array.
    """

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self._styles: dict[tuple[str, bool], StyleArray] = {}

    def text(self, value: str | None, look: str = "plain") -> Any:
        """A cell that Excel shows as the exact text and never evaluates."""
        if value is None or value == "":
            # An empty cell only needs writing when its fill shows (band, header).
            return self._cell(None, look, False) if _LOOKS[look][1] is not None else None
        value = excel_text(value)
        risky = is_risky(value)
        if not risky and look == "plain":
            return value  # the cheap path for the bulk of plain text
        cell = self._cell(value, look, risky)
        cell.data_type = "s"  # openpyxl would turn a text starting with '=' into a formula
        return cell

    def number(self, value: int | None, look: str = "plain") -> Any:
        if value is None or look == "plain":
            return None if value is None else int(value)
        return self._cell(int(value), look, False)

    def header(self, names: Sequence[str], reviewer: Sequence[str] = ()) -> list[Any]:
        return [self.text(n, "reviewer" if n in reviewer else "header") for n in names]

    def _cell(self, value: Any, look: str, risky: bool) -> WriteOnlyCell:
        key = (look, risky)
        if key not in self._styles:
            proto = WriteOnlyCell(self.ws)
            font, fill, alignment = _LOOKS[look]
            if font is not None:
                proto.font = font
            if fill is not None:
                proto.fill = fill
            if alignment is not None:
                proto.alignment = alignment
            # quotePrefix: Excel keeps the cell text even after an auditor edits it.
            proto.quotePrefix = risky
            self._styles[key] = proto._style
        cell = WriteOnlyCell(self.ws, value)
        cell._style = copy(self._styles[key])
        return cell

    def widths(self, header: Sequence[str], rows: Sequence[Sequence[Any]], cap: int = 60) -> None:
        """Widths from the header and the first rows (set before the first row is written)."""
        for i, name in enumerate(header):
            longest = len(name)
            for row in rows[:200]:
                value = row[i] if i < len(row) else None
                if value is not None and value != "":
                    longest = max(longest, max(len(line) for line in str(value).splitlines() or [""]))
            self.ws.column_dimensions[get_column_letter(i + 1)].width = min(max(longest + 2, 8), cap)

    def table(self, header: Sequence[str], n_rows: int) -> None:
        self.ws.freeze_panes = "A2"
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{n_rows + 1}"


# ---------------------------------------------------------------- sheets


def _spill_note(result: ScreeningResult, all_rows_file: str) -> str:
    return (f"{len(result.rows):,} rows are more than an Excel sheet holds ({EXCEL_MAX_ROWS - 1:,}): every row, "
            f"with the same columns as a CSV report, is in {all_rows_file} next to this workbook")


def _all_rows_elsewhere(c: _Cells, result: ScreeningResult, all_rows_file: str) -> None:
    c.ws.column_dimensions["A"].width = 120
    c.ws.append([c.text("All rows", "section")])
    c.ws.append([c.text(_spill_note(result, all_rows_file))])


def _summary(c: _Cells, result: ScreeningResult, all_rows_file: str | None = None) -> None:
    ws, m = c.ws, result.manifest
    counts = result.counts()
    for letter, width in zip("ABC", (34, 50, 10)):
        ws.column_dimensions[letter].width = width
    ws.append([c.text("Screening report: DPRK overseas-labour risk", "title")])
    ws.append(["Run date (UTC)", c.text(m.created_at)])
    ws.append(["Tool version", c.text(m.tool_version)])
    ws.append(["Input files", len(m.inputs)])
    ws.append(["Rows screened", len(result.rows)])
    ws.append(["Flagged rows", len(result.rows) - counts["clear"]])
    ws.append(["Row errors", len(result.errors)])
    if all_rows_file is not None:  # below the band table, so the chart's cell references stay put
        spill = [c.text("All rows"), c.text(_spill_note(result, all_rows_file))]
    ws.append([])
    band_header_row = 9
    ws.append(c.header(["Band", "Rows"]))
    for band in BAND_LABELS:
        ws.append([c.text(band, f"band:{band}"), counts[band]])
    ws.append([])
    ws.append(c.header(["Top rules", "Title", "Hits"]))
    titles = {r.id: r.title for r in result.rules}
    for row in result.rows:
        for h in row.hits:
            titles.setdefault(h.rule, h.title)
    top = sorted(hit_counts(result).items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]
    for rule, hits in top:
        ws.append([c.text(rule), c.text(titles.get(rule, "")), hits])
    if not top:
        ws.append(["(no rule fired)"])
    if all_rows_file is not None:
        ws.append([])
        ws.append(spill)
    ws.add_chart(_band_chart(ws, band_header_row), "E9")


def _band_chart(ws: WriteOnlyWorksheet, header_row: int) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = "Rows per band"
    chart.y_axis.title = "Rows"
    chart.legend = None
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told otherwise
    chart.y_axis.delete = False
    last = header_row + len(BAND_LABELS)
    chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=last), titles_from_data=True)
    series = chart.series[0]
    # Band names are text: a strRef (set_categories would write a numRef) shows them as labels.
    series.cat = AxDataSource(strRef=StrRef(f=f"'{ws.title}'!$A${header_row + 1}:$A${last}"))
    for i, band in enumerate(BAND_LABELS):
        point = DataPoint(idx=i)
        point.graphicalProperties.solidFill = BAND_COLOURS[band]
        series.dPt.append(point)
    return chart


def _row_header(cols: Columns, suppressed: bool = False) -> list[str]:
    return ["Band", "Score", "Input", "Sheet", "Row", "Rules", "Reasons", "Evidence", *cols.fields, *cols.extras,
            *(["Suppressed"] if suppressed else [])]


def _row_values(r: RowResult, cols: Columns, sep: str, suppressed: bool = False,
                hit_texts: HitTexts | None = None) -> list[Any]:
    rules, reasons, evidence = (hit_texts or HitTexts(cols, sep))(r.hits)
    return [r.band.label, r.score, r.input, r.sheet, r.row, rules, reasons, evidence,
            *cols.field_values(r), *cols.extra_values(r), *([suppressed_text(r, sep)] if suppressed else [])]


def _flagged(c: _Cells, result: ScreeningResult, cols: Columns) -> Callable[[], Iterator[bytes]]:
    ws = c.ws
    rows = review_order(result.rows)
    suppressed = has_suppressed(result)
    header = [*_row_header(cols, suppressed), *REVIEW_COLUMNS]
    # One hit per line in this sheet: it is where auditors read them.
    c.widths(header, [_row_values(r, cols, "\n", suppressed) for r in rows[:200]])
    for name in REVIEW_COLUMNS:
        dim = ws.column_dimensions[get_column_letter(header.index(name) + 1)]
        dim.width = max(dim.width or 0, 16)
    c.table(header, len(rows))
    ws.freeze_panes = "C2"  # keep Band and Score in view while scrolling right
    disposition = get_column_letter(header.index("Disposition") + 1)
    choices = ",".join(DISPOSITIONS)
    dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Disposition", error=f"Choose one of: {choices}",
                        showInputMessage=True, promptTitle="Disposition", prompt=f"One of: {choices}")
    dv.add(f"{disposition}2:{disposition}{max(len(rows) + 1, 2)}")
    ws.data_validations.append(dv)

    ws.append(c.header(header, REVIEW_COLUMNS))
    width = len(header) - len(REVIEW_COLUMNS)
    looks = [BAND_LOOK, "top", "top", "top", "top", "wrap", "wrap", "wrap", *["top"] * (width - 8)]
    texts = HitTexts(cols, "\n")
    return _xml_rows(c, (_row_values(r, cols, "\n", suppressed, texts) for r in rows), looks, numbers={1, 4})


def _all_rows(c: _Cells, result: ScreeningResult, cols: Columns) -> Callable[[], Iterator[bytes]]:
    ws = c.ws
    suppressed = has_suppressed(result)
    header = _row_header(cols, suppressed)
    c.widths(header, [_row_values(r, cols, "; ", suppressed) for r in result.rows[:200]], cap=40)
    c.table(header, len(result.rows))
    # A plain sheet: no per-cell style on a million rows. The band column is coloured by one
    # conditional format per band instead, which Excel and LibreOffice apply when they show it.
    bands = f"A2:A{max(len(result.rows) + 1, 2)}"
    for band, colour in BAND_COLOURS.items():
        fill = PatternFill("solid", fgColor=colour, bgColor=colour)
        ws.conditional_formatting.add(bands, CellIsRule(operator="equal", formula=[f'"{band}"'], fill=fill))
    ws.append(c.header(header))
    looks = ["plain"] * len(header)
    texts = HitTexts(cols, "; ")
    return _xml_rows(c, (_row_values(r, cols, "; ", suppressed, texts) for r in result.rows), looks, numbers={1, 4})


BAND_LOOK = "band"  # a column styled by its own band value (band:clear, band:high...)


def _xml_rows(
    c: _Cells, values: Iterable[list[Any]], looks: Sequence[str], numbers: set[int]
) -> Callable[[], Iterator[bytes]]:
    """A sheet's data rows as XML text, to be put after its header row when the sheet is zipped (_save).

    openpyxl's per-cell XML writing was most of a big report's run time. The cells are exactly what
    _Cells.text / _Cells.number would give (same values, types and registered styles), written as text.
    """
    letters = [get_column_letter(i + 1) for i in range(len(looks))]
    styles: dict[tuple[str, bool], int | None] = {}

    def style(look: str, risky: bool) -> int | None:
        if (look, risky) not in styles:
            plain = look == "plain" and not risky
            styles[look, risky] = None if plain else c._cell(None, look, risky).style_id
        return styles[look, risky]

    # Registered up front in a fixed order (style ids must not depend on set order or on the rows).
    for look in sorted({*looks, *(f"band:{b}" for b in BAND_COLOURS)} - {BAND_LOOK}):
        style(look, False)
        style(look, True)

    def rows_xml() -> Iterator[bytes]:
        batch: list[str] = []
        # A text cell's XML after its reference depends only on its look and text, and most texts repeat
        # (bands, rules, reasons, countries, sectors): each is cleaned, checked and escaped once. Cleared
        # when large, so a column of distinct names cannot grow it without bound.
        known: dict[tuple[str, str], str] = {}
        for number, row in enumerate(values, start=2):
            cells = []
            for i, value in enumerate(row):
                look = looks[i] if looks[i] != BAND_LOOK else f"band:{value}"
                ref = f"{letters[i]}{number}"
                if i in numbers:
                    s_id = style(look, False)
                    s_attr = f' s="{s_id}"' if s_id is not None else ""
                    cells.append(f'<c r="{ref}"{s_attr} t="n"><v>{int(value)}</v></c>')
                elif value is not None and value != "":
                    text = str(value)
                    after = known.get((look, text))
                    if after is None:
                        if len(known) >= _KNOWN_TEXTS:
                            known.clear()
                        after = known[look, text] = _text_xml_after_ref(text, look, style)
                    cells.append(f'<c r="{ref}"{after}')
                elif _LOOKS[look][1] is not None:  # an empty cell is written only where its fill shows
                    cells.append(f'<c r="{ref}" s="{style(look, False)}" t="n"/>')
            batch.append(f'<row r="{number}">{"".join(cells)}</row>')
            if len(batch) >= 2000:
                yield "".join(batch).encode("utf-8")
                batch.clear()
        yield "".join(batch).encode("utf-8")

    return rows_xml


_KNOWN_TEXTS = 100_000  # encoded text cells remembered per sheet


def _text_xml(ref: str, value: str, look: str, style: Callable[[str, bool], int | None]) -> str:
    """One inline-string cell, as openpyxl writes it: never a formula; risky texts carry quotePrefix."""
    return f'<c r="{ref}"{_text_xml_after_ref(value, look, style)}'


def _text_xml_after_ref(value: str, look: str, style: Callable[[str, bool], int | None]) -> str:
    """_text_xml() after `<c r="A2"`: the part that does not depend on where the cell is."""
    value = excel_text(value)
    s_id = style(look, is_risky(value))
    s_attr = f' s="{s_id}"' if s_id is not None else ""
    space = ' xml:space="preserve"' if value != value.strip() else ""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'{s_attr} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def _rules(c: _Cells, result: ScreeningResult) -> None:
    ws = c.ws
    header = ["Rule", "Title", "Pack", "Category", "Weight", "Band", "Confidence", "Hits", "Sources", "Description"]
    sources = {s.id: s for s in result.sources}
    hits = hit_counts(result)
    rows: list[tuple[Any, ...]] = [
        (r.id, r.title, r.pack, r.category, r.weight, r.band or "", r.confidence, hits.get(r.id, 0),
         "\n".join(_source_line(sources.get(s), s) for s in r.sources), r.description)
        for r in result.rules
    ]
    # A rule that fired but is missing from the list is still shown, so no hit goes unexplained.
    known = {r.id for r in result.rules}
    for row in result.rows:
        for h in row.hits:
            if h.rule not in known:
                known.add(h.rule)
                rows.append((h.rule, h.title, "", "", h.weight, "", h.confidence, hits[h.rule],
                             "\n".join(_source_line(sources.get(s), s) for s in h.sources), ""))
    c.widths(header, rows, cap=80)
    c.table(header, len(rows))
    ws.append(c.header(header))
    for rid, title, pack, category, weight, band, confidence, n_hits, src, description in rows:
        ws.append([
            c.text(rid, "top"), c.text(title, "wrap"), c.text(pack, "top"), c.text(category, "top"),
            c.number(weight, "top"), c.text(band, f"band:{band}" if band in BAND_COLOURS else "top"),
            c.text(confidence, "unverified" if confidence == UNVERIFIED else "top"),
            c.number(n_hits, "top"), c.text(src, "wrap"), c.text(description, "wrap"),
        ])


def _links(c: _Cells, result: ScreeningResult) -> None:
    """One line per shared value (cross-row rules), with every row that shares it."""
    header = ["Rules", "Field", "Shared value (normalised)", "Rows", "Linked rows (input / sheet / row: name)"]
    rows = [
        (", ".join(link.rules), link.field, link.value, len(link.rows),
         "\n".join(f"{r.input} / {r.sheet} / row {r.row}: {r.name}" for r in link.rows))
        for link in result.links
    ]
    c.widths(header, rows, cap=80)
    c.table(header, len(rows))
    c.ws.append(c.header(header))
    for rule, field_name, value, count, linked in rows:
        c.ws.append([c.text(rule, "top"), c.text(field_name, "top"), c.text(value, "top"),
                     c.number(count, "top"), c.text(linked, "wrap")])


def _source_line(source: Source | None, source_id: str) -> str:
    if source is None:
        return source_id
    parts = [f"{source.id}: {source.title}", ", ".join(p for p in (source.issuer, source.date) if p)]
    if source.url:
        parts.append(source.url)
    return " | ".join(p for p in parts if p)


def _manifest(c: _Cells, result: ScreeningResult, all_rows_file: str | None = None) -> None:
    ws, m = c.ws, result.manifest
    for letter, width in zip("ABCDEF", (28, 66, 40, 30, 30, 30)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.append(c.header(["Run", ""]))
    ws.append(["Tool version", c.text(m.tool_version)])
    ws.append(["Created at (UTC)", c.text(m.created_at)])
    ws.append(["Bands", c.text(", ".join(BAND_LABELS))])
    _section(c, "Inputs", ["Path", "SHA-256", "Sheets"],
             ((f.path, f.sha256, ", ".join(f.sheets)) for f in m.inputs))
    _section(c, "Rule packs", ["Id", "Version", "SHA-256", "Path", "Title", "Thresholds"],
             ((p.id, p.version, p.sha256, p.path, p.title, ", ".join(f"{b} >= {n}" for b, n in p.thresholds))
              for p in m.rule_packs))
    _section(c, "Sanctions lists", ["Source", "Published", "SHA-256", "Entries"],
             ((s.source, s.published or "", s.sha256, int(s.entries)) for s in m.lists))
    _section(c, "Options", ["Option", "Value"], m.options)
    if all_rows_file is not None:
        _section(c, "Companion files", ["File", "Holds"], [(all_rows_file, _spill_note(result, all_rows_file))])


def _section(c: _Cells, title: str, header: list[str], rows: Iterable[Sequence[Any]]) -> None:
    c.ws.append([])
    c.ws.append([c.text(title, "section")])
    c.ws.append(c.header(header))
    empty = True
    for row in rows:
        empty = False
        c.ws.append([v if isinstance(v, int) else c.text(v) for v in row])
    if empty:
        c.ws.append(["(none)"])


def _errors(c: _Cells, result: ScreeningResult) -> None:
    header = ["Input", "Sheet", "Row", "Reason code", "Message"]
    rows = [(e.input, e.sheet or "", e.row, str(e.reason_code), e.message) for e in result.errors]
    c.widths(header, rows, cap=100)
    c.table(header, len(rows))
    c.ws.append(c.header(header))
    for inp, sheet, row, code, message in rows:
        c.ws.append([c.text(inp), c.text(sheet), c.number(row), c.text(code), c.text(message)])


# ---------------------------------------------------------------- saving


def _timestamp(created_at: str) -> datetime:
    """The manifest time as naive UTC (openpyxl's convention); the zip epoch when unreadable."""
    try:
        stamp = datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        return _EPOCH
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return max(stamp.replace(microsecond=0), _EPOCH)


class _FixedTimeZip(ZipFile):
    """A zip whose entries all carry one date, so the same workbook gives the same bytes."""

    def __init__(
        self, fh: BinaryIO, stamp: datetime, appended: dict[str, Callable[[], Iterator[bytes]]] | None = None,
        large: bool = False,
    ) -> None:
        super().__init__(fh, "w", ZIP_DEFLATED, allowZip64=True)
        self._date_time = stamp.timetuple()[:6]
        self._appended = appended or {}
        self._large = large

    def _info(self, name: str) -> ZipInfo:
        info = ZipInfo(name, self._date_time)
        info.compress_type = ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl streams each write-only sheet through a temporary file and adds it here.
        info = self._info(arcname or os.path.basename(filename))
        rows = self._appended.get(info.filename)
        if rows is not None:
            self._write_with_rows(filename, info, rows)
            return
        info.file_size = os.path.getsize(filename)  # lets zipfile pick zip64 for huge sheets
        with open(filename, "rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    def _write_with_rows(self, filename: str, info: ZipInfo, rows: Callable[[], Iterator[bytes]]) -> None:
        """The sheet openpyxl wrote (header row only) with the data rows streamed in after the header."""
        with open(filename, "rb") as src:
            head, end, tail = src.read().partition(b"</sheetData>")
        if not end:
            raise ReportError(f"internal error: no sheetData in {info.filename}; report this")
        # The size is unknown until written; zip64 only for a sheet that may pass 2 GiB, since some
        # Excel versions refuse zip64 entries they do not need.
        with self.open(info, "w", force_zip64=self._large) as dst:
            dst.write(head)
            for chunk in rows():
                dst.write(chunk)
            dst.write(end + tail)


def _save(
    wb: Workbook, fh: BinaryIO, stamp: datetime, appended: dict[str, Callable[[], Iterator[bytes]]] | None = None,
    large: bool = False,
) -> None:
    archive = _FixedTimeZip(fh, stamp, appended, large)
    try:
        ExcelWriter(wb, archive).save()  # not wb.save(): that would stamp "modified" with the clock
    finally:
        archive.close()

"""The Excel report auditors work in: Summary, Flagged, All rows, Rules, Manifest, Errors.

Written with openpyxl's write-only (streaming) mode so 100k+ rows fit in constant memory; only the
Flagged sheet is styled cell by cell. Every text from an input, the evidence or the rule packs is
stored as a plain string (see _text), never as a formula.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from screening.errors import ReportError
from screening.model import BAND_LABELS, RowResult, ScreeningResult, Source

from .cells import excel_text, is_risky
from .columns import BAND_COLOURS, REVIEW_COLUMNS, UNVERIFIED, Columns, columns_for, evidence_line, hit_counts, review_order

EXCEL_MAX_ROWS = 1_048_576
DISPOSITIONS = ("true match", "false positive", "escalate", "pending")
TOP_RULES = 10

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_REVIEW_FILL = PatternFill("solid", fgColor="FFF2CC")  # the columns auditors fill in
_UNVERIFIED_FILL = PatternFill("solid", fgColor="F8CBAD")
_BAND_FILLS = {b: PatternFill("solid", fgColor=c) for b, c in BAND_COLOURS.items()}
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_EPOCH = datetime(1980, 1, 1)  # the earliest date a zip entry can carry


def write_xlsx(result: ScreeningResult, fh: BinaryIO) -> None:
    if len(result.rows) + 1 > EXCEL_MAX_ROWS:
        raise ReportError(
            f"{len(result.rows)} rows do not fit in one Excel sheet ({EXCEL_MAX_ROWS - 1} at most); "
            "use --format csv or --format json"
        )
    stamp = _timestamp(result.manifest.created_at)
    wb = Workbook(write_only=True)
    # Fixed document dates: the same result gives the same workbook content.
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = f"screening {result.manifest.tool_version}"
    wb.properties.title = "Screening report"

    cols = columns_for(result)
    _summary(wb.create_sheet("Summary"), result)
    _flagged(wb.create_sheet("Flagged"), result, cols)
    _all_rows(wb.create_sheet("All rows"), result, cols)
    _rules(wb.create_sheet("Rules"), result)
    _manifest(wb.create_sheet("Manifest"), result)
    if result.errors:
        _errors(wb.create_sheet("Errors"), result)
    _save(wb, fh, stamp)


# ---------------------------------------------------------------- cells


def _text(
    ws: WriteOnlyWorksheet,
    value: str | None,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
) -> Any:
    """A cell value that Excel shows as the exact text and never evaluates."""
    if value is None or value == "":
        return None if fill is None and font is None else _styled(WriteOnlyCell(ws), font, fill, alignment)
    value = excel_text(value)
    risky = is_risky(value)
    if not risky and font is None and fill is None and alignment is None:
        return value  # the cheap path for the bulk of plain text
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"  # openpyxl would turn a text starting with '=' into a formula
    if risky:
        cell.quotePrefix = True  # and Excel keeps it text even after an auditor edits the cell
    return _styled(cell, font, fill, alignment)


def _styled(cell: WriteOnlyCell, font: Font | None, fill: PatternFill | None, alignment: Alignment | None) -> Any:
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _header(ws: WriteOnlyWorksheet, names: Sequence[str], fills: dict[str, PatternFill] | None = None) -> list[Any]:
    fills = fills or {}
    return [_text(ws, n, font=_BOLD, fill=fills.get(n, _HEADER_FILL)) for n in names]


def _widths(ws: WriteOnlyWorksheet, header: Sequence[str], rows: Sequence[Sequence[Any]], cap: int = 60) -> None:
    """Widths from the header and the first rows (must be set before the first row is written)."""
    for i, name in enumerate(header):
        longest = len(name)
        for row in rows[:200]:
            value = row[i] if i < len(row) else None
            if value is not None:
                longest = max(longest, max(len(line) for line in str(value).splitlines() or [""]))
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(longest + 2, 8), cap)


def _table_sheet(ws: WriteOnlyWorksheet, header: Sequence[str], n_rows: int) -> None:
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{n_rows + 1}"


# ---------------------------------------------------------------- sheets


def _summary(ws: WriteOnlyWorksheet, result: ScreeningResult) -> None:
    m = result.manifest
    counts = result.counts()
    flagged = sum(n for band, n in counts.items() if band != "clear")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 50
    ws.column_dimensions["C"].width = 10
    ws.append([_text(ws, "Screening report: DPRK overseas-labour risk", font=Font(bold=True, size=14))])
    ws.append(["Run date (UTC)", _text(ws, m.created_at)])
    ws.append(["Tool version", _text(ws, m.tool_version)])
    ws.append(["Input files", len(m.inputs)])
    ws.append(["Rows screened", len(result.rows)])
    ws.append(["Flagged rows", flagged])
    ws.append(["Row errors", len(result.errors)])
    ws.append([])
    band_header_row = 9
    ws.append(_header(ws, ["Band", "Rows"]))
    for band in BAND_LABELS:
        ws.append([_text(ws, band, fill=_BAND_FILLS[band]), counts[band]])
    ws.append([])
    ws.append(_header(ws, ["Top rules", "Title", "Hits"]))
    titles = {r.id: r.title for r in result.rules}
    titles.update({h.rule: h.title for r in result.rows for h in r.hits if h.rule not in titles})
    top = sorted(hit_counts(result).items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]
    for rule, hits in top:
        ws.append([_text(ws, rule), _text(ws, titles.get(rule, "")), hits])
    if not top:
        ws.append(["(no rule fired)"])
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
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    series = chart.series[0]
    for i, band in enumerate(BAND_LABELS):
        point = DataPoint(idx=i)
        point.graphicalProperties.solidFill = BAND_COLOURS[band]
        series.dPt.append(point)
    return chart


def _row_header(cols: Columns) -> list[str]:
    return ["Band", "Score", "Input", "Sheet", "Row", "Rules", "Reasons", "Evidence", *cols.fields, *cols.extras]


def _flagged(ws: WriteOnlyWorksheet, result: ScreeningResult, cols: Columns) -> None:
    rows = review_order(result.rows)
    header = [*_row_header(cols), *REVIEW_COLUMNS]
    # Hits one per line in this sheet: it is where auditors read them.
    plain = [
        [r.band.label, r.score, r.input, r.sheet, r.row,
         "\n".join(h.rule for h in r.hits), "\n".join(cols.reason(h) for h in r.hits),
         "\n".join(evidence_line(h.evidence) for h in r.hits),
         *cols.field_values(r), *cols.extra_values(r), "", "", ""]
        for r in rows
    ]
    _widths(ws, header, plain)
    for letter in (get_column_letter(len(header) - 2), get_column_letter(len(header))):
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 18)
    _table_sheet(ws, header, len(rows))
    ws.freeze_panes = "C2"  # keep Band and Score in view while scrolling right
    disposition = get_column_letter(len(header) - 2)
    choices = ",".join(DISPOSITIONS)
    dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                        errorTitle="Disposition", error=f"Choose one of: {choices}",
                        promptTitle="Disposition", prompt=f"One of: {choices}", showInputMessage=True)
    dv.add(f"{disposition}2:{disposition}{max(len(rows) + 1, 2)}")
    ws.data_validations.append(dv)

    review_fills = {name: _REVIEW_FILL for name in REVIEW_COLUMNS}
    ws.append(_header(ws, header, review_fills))
    n_text = len(header) - 3 - 5
    for r, values in zip(rows, plain):
        ws.append([
            _text(ws, r.band.label, font=_BOLD, fill=_BAND_FILLS[r.band.label], alignment=_TOP),
            _number(ws, r.score), _text(ws, r.input, alignment=_TOP), _text(ws, r.sheet, alignment=_TOP),
            _number(ws, r.row),
            *(_text(ws, v, alignment=_WRAP) for v in values[5:5 + n_text]),
        ])


def _number(ws: WriteOnlyWorksheet, value: int) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, int(value))
    cell.alignment = _TOP
    return cell


def _all_rows(ws: WriteOnlyWorksheet, result: ScreeningResult, cols: Columns) -> None:
    header = _row_header(cols)
    sample = [_plain_values(r, cols) for r in result.rows[:200]]
    _widths(ws, header, sample, cap=40)
    _table_sheet(ws, header, len(result.rows))
    ws.append(_header(ws, header))
    fills = {b: _text(ws, b, fill=f) for b, f in _BAND_FILLS.items()}
    for r in result.rows:
        values = _plain_values(r, cols)
        # Styled band cell, then the texts; the same WriteOnlyCell per band is safe to reuse
        # because the streaming writer serialises each row before the next append.
        ws.append([fills[r.band.label], int(r.score), *(_text(ws, v) for v in values[2:4]), int(r.row),
                   *(_text(ws, v) for v in values[5:])])


def _plain_values(r: RowResult, cols: Columns) -> list[Any]:
    return [r.band.label, r.score, r.input, r.sheet, r.row,
            "; ".join(h.rule for h in r.hits), cols.reasons(r), "; ".join(evidence_line(h.evidence) for h in r.hits),
            *cols.field_values(r), *cols.extra_values(r)]


def _rules(ws: WriteOnlyWorksheet, result: ScreeningResult) -> None:
    header = ["Rule", "Title", "Pack", "Category", "Weight", "Band", "Confidence", "Hits", "Sources", "Description"]
    sources = {s.id: s for s in result.sources}
    hits = hit_counts(result)
    rules: list[tuple[Any, ...]] = [
        (r.id, r.title, r.pack, r.category, r.weight, r.band or "", r.confidence, hits.get(r.id, 0),
         "\n".join(_source_line(sources.get(s), s) for s in r.sources), r.description)
        for r in result.rules
    ]
    # A rule that fired but is missing from the list is still shown, so no hit is unexplained.
    known = {r.id for r in result.rules}
    for rule_id in hits:
        if rule_id not in known:
            hit = next(h for row in result.rows for h in row.hits if h.rule == rule_id)
            rules.append((hit.rule, hit.title, "", "", hit.weight, "", hit.confidence, hits[rule_id],
                          "\n".join(_source_line(sources.get(s), s) for s in hit.sources), ""))
            known.add(rule_id)
    _widths(ws, header, rules, cap=80)
    _table_sheet(ws, header, len(rules))
    ws.append(_header(ws, header))
    for rid, title, pack, category, weight, band, confidence, n_hits, src, description in rules:
        unverified = confidence == UNVERIFIED
        ws.append([
            _text(ws, rid, alignment=_TOP), _text(ws, title, alignment=_WRAP), _text(ws, pack, alignment=_TOP),
            _text(ws, category, alignment=_TOP), _number(ws, weight),
            _text(ws, band, fill=_BAND_FILLS.get(band), alignment=_TOP),
            _text(ws, confidence, font=Font(bold=True, color="9C0006") if unverified else None,
                  fill=_UNVERIFIED_FILL if unverified else None, alignment=_TOP),
            _number(ws, n_hits), _text(ws, src, alignment=_WRAP), _text(ws, description, alignment=_WRAP),
        ])


def _source_line(source: Source | None, source_id: str) -> str:
    if source is None:
        return source_id
    parts = [f"{source.id}: {source.title}", ", ".join(p for p in (source.issuer, source.date) if p)]
    if source.url:
        parts.append(source.url)
    return " | ".join(p for p in parts if p)


def _manifest(ws: WriteOnlyWorksheet, result: ScreeningResult) -> None:
    m = result.manifest
    for letter, width in zip("ABCDEF", (28, 66, 40, 30, 30, 30)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.append(_header(ws, ["Run", ""]))
    ws.append(["Tool version", _text(ws, m.tool_version)])
    ws.append(["Created at (UTC)", _text(ws, m.created_at)])
    ws.append(["Bands", _text(ws, ", ".join(BAND_LABELS))])
    _section(ws, "Inputs", ["Path", "SHA-256", "Sheets"],
             ((f.path, f.sha256, ", ".join(f.sheets)) for f in m.inputs))
    _section(ws, "Rule packs", ["Id", "Version", "SHA-256", "Path", "Title", "Thresholds"],
             ((p.id, p.version, p.sha256, p.path, p.title, ", ".join(f"{b} >= {n}" for b, n in p.thresholds))
              for p in m.rule_packs))
    _section(ws, "Sanctions lists", ["Source", "Published", "SHA-256", "Entries"],
             ((s.source, s.published or "", s.sha256, int(s.entries)) for s in m.lists))
    _section(ws, "Options", ["Option", "Value"], m.options)


def _section(ws: WriteOnlyWorksheet, title: str, header: list[str], rows: Iterable[Sequence[Any]]) -> None:
    ws.append([])
    ws.append([_text(ws, title, font=Font(bold=True, size=12))])
    ws.append(_header(ws, header))
    empty = True
    for row in rows:
        empty = False
        ws.append([v if isinstance(v, int) else _text(ws, v) for v in row])
    if empty:
        ws.append(["(none)"])


def _errors(ws: WriteOnlyWorksheet, result: ScreeningResult) -> None:
    header = ["Input", "Sheet", "Row", "Reason code", "Message"]
    rows = [(e.input, e.sheet or "", e.row, str(e.reason_code), e.message) for e in result.errors]
    _widths(ws, header, rows, cap=100)
    _table_sheet(ws, header, len(rows))
    ws.append(_header(ws, header))
    for inp, sheet, row, code, message in rows:
        ws.append([_text(ws, inp), _text(ws, sheet), int(row) if row is not None else None,
                   _text(ws, code), _text(ws, message)])


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

    def __init__(self, fh: BinaryIO, stamp: datetime) -> None:
        super().__init__(fh, "w", ZIP_DEFLATED, allowZip64=True)
        self._date_time = stamp.timetuple()[:6]

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
        info.file_size = os.path.getsize(filename)  # lets zipfile pick zip64 for huge sheets
        with open(filename, "rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def _save(wb: Workbook, fh: BinaryIO, stamp: datetime) -> None:
    archive = _FixedTimeZip(fh, stamp)
    try:
        ExcelWriter(wb, archive).save()  # not wb.save(): that would stamp "modified" with the clock
    finally:
        archive.close()

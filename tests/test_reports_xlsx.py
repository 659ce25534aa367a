"""The Excel report: sheets, order, reviewer drop-down, layout, and no formula anywhere."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from screening.errors import ReportError
from screening.reports import write_report, xlsx_report
from tests.report_factory import (
    AT_SUM,
    CR,
    DDE,
    HYPERLINK,
    MINUS,
    PLUS,
    TAB,
    make_result,
    make_rows,
    with_rows,
)

SHEETS = ["Summary", "Flagged", "All rows", "Rules", "Manifest", "Errors"]


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(make_result(), tmp_path_factory.mktemp("xlsx") / "report.xlsx")


@pytest.fixture(scope="module")
def wb(path: Path) -> Workbook:
    return load_workbook(path)


def _header(ws: Worksheet) -> list[str]:
    return [c.value for c in ws[1]]


def _column(ws: Worksheet, name: str) -> list[object]:
    i = _header(ws).index(name) + 1
    return [ws.cell(row=r, column=i).value for r in range(2, ws.max_row + 1)]


def test_sheet_names(wb: Workbook) -> None:
    assert wb.sheetnames == SHEETS


def test_no_errors_sheet_without_errors(tmp_path: Path) -> None:
    out = write_report(make_result(errors=False), tmp_path / "r.xlsx")
    assert load_workbook(out).sheetnames == SHEETS[:-1]


def test_errors_sheet_lists_the_errors(wb: Workbook) -> None:
    ws = wb["Errors"]
    assert _header(ws) == ["Input", "Sheet", "Row", "Reason code", "Message"]
    assert [c.value for c in ws[2]] == ["vendors_cn.csv", "vendors_cn", 5, "missing_name",
                                        "vendors_cn.csv, row 5: no supplier name; fill it in"]


def test_flagged_worst_band_first_then_score_then_input_order(wb: Workbook) -> None:
    ws = wb["Flagged"]
    got = list(zip(_column(ws, "Band"), _column(ws, "Score"), _column(ws, "Input"), _column(ws, "Row")))
    assert got == [
        ("critical", 100, "vendors_cn.csv", 3),
        ("high", 60, "suppliers_2025.xlsx", 5),
        ("review", 50, "vendors_cn.csv", 2),
        ("review", 45, "suppliers_2025.xlsx", 6),  # tie on band and score: input order
        ("review", 45, "suppliers_2025.xlsx", 7),
        ("review", 30, "vendors_cn.csv", 4),
    ]


def test_flagged_columns(wb: Workbook) -> None:
    assert _header(wb["Flagged"]) == [
        "Band", "Score", "Input", "Sheet", "Row", "Rules", "Reasons", "Evidence",
        "name", "country", "city", "sector", "Internal ref", "Buyer", "Score (original)", "备注", HYPERLINK,
        "Disposition", "Reviewer", "Comment",
    ]
    assert _header(wb["All rows"]) == _header(wb["Flagged"])[:-3]


def test_flagged_row_content(wb: Workbook) -> None:
    ws = wb["Flagged"]
    first = dict(zip(_header(ws), (c.value for c in ws[2])))
    assert first["Rules"] == "list.name\nhost.tier1"
    assert first["Evidence"].startswith("name='Korea Sobaeksoo Trading Co' -> KOREA SOBAEKSU TRADING COMPANY (93.5% similar)")
    assert first["city"] == "丹东" and first[HYPERLINK] == "x"
    assert first["Disposition"] is None and first["Reviewer"] is None and first["Comment"] is None
    assert "(unverified)" in str(_column(ws, "Reasons")[3])


def test_all_rows_every_row_in_input_order(wb: Workbook) -> None:
    ws = wb["All rows"]
    assert _column(ws, "Row") == [r.row for r in make_rows()]
    assert _column(ws, "Band")[0] == "clear"
    assert _column(ws, "Rules")[1] == "host.tier1; sector.construction"


def test_disposition_drop_down(wb: Workbook) -> None:
    ws = wb["Flagged"]
    letter = ws.cell(row=1, column=_header(ws).index("Disposition") + 1).column_letter
    [dv] = ws.data_validations.dataValidation
    assert dv.type == "list"
    assert dv.formula1 == '"true match,false positive,escalate,pending"'
    assert str(dv.sqref) == f"{letter}2:{letter}7"
    assert dv.showErrorMessage and not dv.showDropDown  # openpyxl's False means "show the arrow"


def test_drop_down_present_even_with_nothing_flagged(tmp_path: Path) -> None:
    clear_only = with_rows(make_result(), make_rows()[:1])
    ws = load_workbook(write_report(clear_only, tmp_path / "r.xlsx"))["Flagged"]
    assert ws.max_row == 1 and len(ws.data_validations.dataValidation) == 1


def test_headers_bold_frozen_filtered(wb: Workbook) -> None:
    for name, freeze in [("Flagged", "C2"), ("All rows", "A2"), ("Rules", "A2"), ("Errors", "A2")]:
        ws = wb[name]
        assert ws.freeze_panes == freeze, name
        assert all(c.font.b for c in ws[1]), name
        assert ws.auto_filter.ref == f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}{ws.max_row}", name
    assert wb["Flagged"].auto_filter.ref == "A1:T7"


def test_band_fills(wb: Workbook) -> None:
    # All rows carries no per-cell style (a million styled cells are slow to write): its band column is
    # coloured by one conditional format per band.
    ws = wb["All rows"]
    assert {c.fill.fill_type for c in ws["A"][1:]} == {None}
    formats = {(str(cf.sqref), rule.formula[0]): rule.dxf.fill.fgColor.rgb
               for cf in ws.conditional_formatting for rule in cf.rules}
    assert formats == {(f"A2:A{ws.max_row}", f'"{b}"'): c for b, c in [
        ("clear", "00C6EFCE"), ("review", "00FFEB9C"), ("high", "00F4B183"), ("critical", "00FF7C80")]}
    colours = {f.strip('"'): c for (_, f), c in formats.items()}
    assert colours == {"clear": "00C6EFCE", "review": "00FFEB9C", "high": "00F4B183", "critical": "00FF7C80"}
    assert wb["Flagged"]["A2"].fill.fgColor.rgb == "00FF7C80"
    summary = {r[0].value: r[0].fill.fgColor.rgb for r in wb["Summary"].iter_rows(min_row=10, max_row=13)}
    assert summary == colours


def test_summary_counts_top_rules_and_chart(wb: Workbook, path: Path) -> None:
    ws = wb["Summary"]
    values = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
    assert values["Run date (UTC)"] == "2026-03-02T09:30:00Z"
    assert (values["Rows screened"], values["Flagged rows"], values["Row errors"]) == (7, 6, 1)
    assert [values[b] for b in ("clear", "review", "high", "critical")] == [1, 4, 1, 1]
    assert values["host.tier1"] == "Site in a main DPRK labour host country"
    assert [r[2] for r in ws.iter_rows(min_row=16, max_row=17, values_only=True)] == [4, 3]  # most hits first
    assert len(ws._charts) == 1
    chart_xml = zipfile.ZipFile(path).read("xl/charts/chart1.xml").decode()
    assert "<barChart>" in chart_xml
    assert "<val><numRef><f>'Summary'!$B$10:$B$13</f>" in chart_xml
    assert "<cat><strRef><f>'Summary'!$A$10:$A$13</f>" in chart_xml


def test_rules_sheet_sources_and_unverified(wb: Workbook) -> None:
    ws = wb["Rules"]
    assert _header(ws) == ["Rule", "Title", "Pack", "Category", "Weight", "Band", "Confidence", "Hits",
                           "Sources", "Description"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {"host.tier1", "sector.construction", "sector.seafood", "host.adv18-annex", "list.name"}
    tier1 = [c.value for c in rows["host.tier1"]]
    assert tier1[4] == 30 and tier1[7] == 4
    assert tier1[8].splitlines() == [
        ("ADV18: Risks for Businesses with Supply Chain Links to North Korea | US State, Treasury, DHS, "
         "2018-07-23 | https://www.state.gov/e/eb/tfs/spi/northkorea/advisories/284241.htm"),
        ("R2397: UN Security Council resolution 2397 | UN Security Council, 2017-12-22 | "
         "https://main.un.org/securitycouncil/en/sanctions/1718/resolutions"),
    ]
    unverified = rows["host.adv18-annex"][6]
    assert unverified.value == "unverified" and unverified.font.b and unverified.fill.fgColor.rgb == "00F8CBAD"
    assert not rows["host.tier1"][6].font.b
    assert rows["list.name"][5].value == "critical"


def test_manifest_sheet(wb: Workbook) -> None:
    cells = [c for row in wb["Manifest"].iter_rows(values_only=True) for c in row if c is not None]
    for expected in ("0.1.0", "2026-03-02T09:30:00Z", "/data/in/vendors_cn.csv", "b" * 64, "dprk-labour",
                     "2025.1", "c" * 64, "rules/dprk_labour.yaml", "review >= 25, high >= 60",
                     "ofac-sdn", 17512, "Firma=name"):
        assert expected in cells


def test_no_formula_cell_anywhere(wb: Workbook, path: Path) -> None:
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(r"<f[ >]", z.read(name).decode()), name


@pytest.mark.parametrize("payload", [HYPERLINK, DDE, AT_SUM, PLUS, MINUS, TAB])
def test_payloads_come_back_as_the_same_text(wb: Workbook, payload: str) -> None:
    hits = [c for ws in (wb["Flagged"], wb["All rows"]) for row in ws.iter_rows() for c in row if c.value == payload]
    assert len(hits) >= 2  # present in both sheets, unchanged (no apostrophe in xlsx)
    assert all(c.data_type == "s" for c in hits)
    assert all(c.quotePrefix for c in hits)  # Excel keeps it text even after an edit


def test_carriage_return_is_stored_as_a_line_break(wb: Workbook) -> None:
    assert _column(wb["All rows"], "Buyer")[3] == CR.replace("\r", "\n")


def test_payload_in_header_and_rules_is_text(tmp_path: Path) -> None:
    result = make_result()
    result = replace(result, rules=[replace(r, title=HYPERLINK, description=DDE) for r in result.rules])
    wb = load_workbook(write_report(result, tmp_path / "r.xlsx"))
    assert wb["Flagged"].cell(row=1, column=17).value == HYPERLINK
    assert wb["Rules"]["B2"].value == HYPERLINK and wb["Rules"]["B2"].data_type == "s"
    assert wb["Rules"]["J2"].value == DDE


def test_numbers_are_numbers(wb: Workbook) -> None:
    ws = wb["All rows"]
    for name in ("Score", "Row"):
        assert all(isinstance(v, int) for v in _column(ws, name))
    assert _column(ws, "Score (original)")[0] == "5"  # an input cell stays text, as supplied


def test_control_characters_and_huge_cells_do_not_break_the_workbook(tmp_path: Path) -> None:
    rows = make_rows()
    rows[0] = replace(rows[0], fields={"name": "Bell\x07Co", "country": "x" * 40_000, "sector": ""})
    wb = load_workbook(write_report(with_rows(make_result(), rows), tmp_path / "r.xlsx"))
    name, country = _column(wb["All rows"], "name")[0], str(_column(wb["All rows"], "country")[0])
    assert name == "Bell\ufffdCo"
    assert len(country) == 32767 and country.endswith("[truncated]")


def test_same_result_same_workbook(tmp_path: Path) -> None:
    a = write_report(make_result(), tmp_path / "a.xlsx")
    b = write_report(make_result(), tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    wb = load_workbook(a)
    assert wb.properties.created == wb.properties.modified == datetime(2026, 3, 2, 9, 30)
    assert zipfile.ZipFile(a).getinfo("xl/workbook.xml").date_time == (2026, 3, 2, 9, 30, 0)


def test_rows_beyond_excel_spill_into_a_companion_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # make_result() has 7 rows and 6 flagged: with room for 6 data rows, Flagged fits and All rows does not.
    monkeypatch.setattr(xlsx_report, "EXCEL_MAX_ROWS", 7)
    out = write_report(make_result(), tmp_path / "r.xlsx")
    companion = tmp_path / "r-all-rows.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r-all-rows.csv", "r.xlsx"]
    assert companion.read_bytes() == write_report(make_result(), tmp_path / "plain.csv").read_bytes()
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS
    note = "7 rows are more than an Excel sheet holds (6): every row, with the same columns as a CSV report, is in r-all-rows.csv next to this workbook"
    assert [c.value for c in wb["All rows"]["A"]] == ["All rows", note]
    assert ["All rows", note] in [[c.value for c in row][:2] for row in wb["Summary"].iter_rows()]
    assert ["r-all-rows.csv", note] in [[c.value for c in row][:2] for row in wb["Manifest"].iter_rows()]
    assert wb["Flagged"].max_row == 7  # the flagged rows stay in the workbook


def test_too_many_flagged_rows_for_excel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_report, "EXCEL_MAX_ROWS", 5)
    with pytest.raises(ReportError, match="--format csv"):
        write_report(make_result(), tmp_path / "r.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_big_sheets_written_as_xml_read_back_like_openpyxl_cells(tmp_path: Path) -> None:
    # Flagged and All rows have their data rows written as sheet XML text, not through openpyxl: every
    # cell must read back as openpyxl's own writer gives it (value, type, quotePrefix, font, fill, alignment).
    from openpyxl import Workbook as NewWorkbook

    from screening.reports.columns import columns_for, review_order

    tricky = ["  leading and trailing  ", "a & b < c > d", "line\nbreak", 'quote " and \' apostrophe', "\t=tab",
              "-minus", "@at", "emoji 🚢 and 中文", "ctrl\x01char", ""]
    rows = make_rows()
    rows = rows + [replace(rows[2], row=100 + i, fields={**rows[2].fields, "name": t}) for i, t in enumerate(tricky)]
    result = with_rows(make_result(), rows)
    got = load_workbook(write_report(result, tmp_path / "new.xlsx"))

    reference = NewWorkbook(write_only=True)
    cols = columns_for(result)
    flagged = xlsx_report._Cells(reference.create_sheet("Flagged"))
    for r in review_order(result.rows):
        v = xlsx_report._row_values(r, cols, "\n")
        c = flagged
        flagged.ws.append([
            c.text(v[0], f"band:{v[0]}"), c.number(v[1], "top"), c.text(v[2], "top"), c.text(v[3], "top"),
            c.number(v[4], "top"), *(c.text(t, "wrap") for t in v[5:8]), *(c.text(t, "top") for t in v[8:]),
        ])
    all_rows = xlsx_report._Cells(reference.create_sheet("All rows"))
    for r in result.rows:
        v = xlsx_report._row_values(r, cols, "; ")
        c = all_rows
        c.ws.append([v[0], int(v[1]), c.text(v[2]), c.text(v[3]), int(v[4]), *(c.text(t) for t in v[5:])])
    reference.save(tmp_path / "reference.xlsx")
    want = load_workbook(tmp_path / "reference.xlsx")

    def cells(ws: Worksheet, first: int) -> list[list[tuple[object, ...]]]:
        return [[(c.value, c.data_type, c.quotePrefix, c.font.b, c.fill.fgColor.rgb, c.alignment.wrap_text,
                  c.alignment.vertical) for c in row] for row in ws.iter_rows(min_row=first)]

    for name in ("Flagged", "All rows"):
        expected = cells(want[name], 1)
        # The reviewer columns of Flagged are empty: the reference, written without a header, stops before them.
        assert [row[: len(expected[0])] for row in cells(got[name], 2)] == expected, name
        assert all(c[0] is None for row in cells(got[name], 2) for c in row[len(expected[0]) :])
    assert len(cells(got["All rows"], 2)) == len(rows)
    assert any(c[0] == "  leading and trailing  " for row in cells(got["Flagged"], 2) for c in row)

"""Workbooks: every visible sheet, title rows, tables away from A1, hidden sheets, --sheet."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from screening.errors import InputError, ReasonCode
from screening.intake import Limits, read_inputs
from tests.intake_support.builders import write_ods, write_xls, write_xlsx


@pytest.fixture()
def messy(tmp_path: Path) -> Path:
    """A workbook as buyers receive it: titles, merged cells, several languages, hidden sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Suppliers"
    ws["A1"] = "ACME Group - Approved Supplier List"
    ws.merge_cells("A1:H1")
    ws["A2"] = "Confidential"
    for column, header in zip("CDEFG", ["Supplier Name", "Country", None, "NAICS Code", "Onboarded"]):
        ws[f"{column}4"] = header
    ws["C5"], ws["D5"], ws["E5"], ws["F5"], ws["G5"] = "Acme Seafood", "China", "x", 311710, dt.date(2024, 3, 1)
    ws["C6"], ws["D6"], ws["F6"], ws["H6"] = "Beta Build", "Russia", "00123", "stray note"
    # row 7 left empty: skipped silently
    ws["D8"] = "Kuwait"  # data without a name
    ws["C9"] = "Merged Co"
    ws.merge_cells("C9:E9")

    zh = wb.create_sheet("中文")
    zh.append(["序号", "供应商名称", "国家/地区", "城市", "主营业务"])
    zh.append([1, "丹东鸭绿江服装有限公司", "中国", "丹东", "服装加工"])
    ru = wb.create_sheet("Русский")
    ru.append(["Реестр поставщиков"])
    ru.append([])
    ru.append(["№", "Наименование", "Страна", "ИНН", "Вид деятельности"])
    ru.append([1, "ООО «Восток Строй»", "Россия", "2540123456", "Строительство"])
    ko = wb.create_sheet("한국어")
    ko.append(["공급업체명", "국가", "업종", "사업자등록번호"])
    ko.append(["대한조선 주식회사", "대한민국", "조선", "602-81-12345"])
    notes = wb.create_sheet("Instructions")
    notes.append(["How to fill in this template"])
    notes.append(["1. Put the legal name of each supplier in column C."])
    wb.create_sheet("Sheet3")  # empty: skipped without a word
    old = wb.create_sheet("Old list")
    old.append(["Supplier", "Country"])
    old.append(["Korea Namgang Trading Corp.", "DPRK"])
    old.sheet_state = "hidden"
    secret = wb.create_sheet("Lookup")
    secret.append(["Vendor", "Land"])
    secret.append(["Internal", "DE"])
    secret.sheet_state = "veryHidden"
    path = tmp_path / "suppliers.xlsx"
    wb.save(path)
    return path


def test_every_visible_sheet_with_a_name_column_is_read(messy: Path) -> None:
    intake = read_inputs([messy])
    assert [t.sheet for t in intake.tables] == ["Suppliers", "中文", "Русский", "한국어"]
    assert intake.files[0].sheets == ("Suppliers", "中文", "Русский", "한국어")
    assert intake.records["sheet"].tolist() == ["Suppliers"] * 4 + ["中文", "Русский", "한국어"]
    assert "Korea Namgang Trading Corp." not in intake.records["name"].tolist()  # hidden
    assert "Internal" not in intake.records["name"].tolist()  # very hidden


def test_table_under_a_title_keeps_excel_positions(messy: Path) -> None:
    intake = read_inputs([messy])
    table = intake.tables[0]
    assert table.header_row == 4
    # Columns C..H: E has no header, H has data but lies beyond the header.
    assert table.headers == ("Supplier Name", "Country", "Column E", "NAICS Code", "Onboarded", "Column H")
    assert table.fields == ("name", "country", None, "industry_code", None, None)
    suppliers = intake.records[intake.records["sheet"] == "Suppliers"]
    assert suppliers["row"].tolist() == [5, 6, 8, 9]
    assert suppliers["cells"].tolist() == [
        ("Acme Seafood", "China", "x", "311710", "2024-03-01", ""),
        ("Beta Build", "Russia", "", "00123", "", "stray note"),
        ("", "Kuwait", "", "", "", ""),
        ("Merged Co", "", "", "", "", ""),
    ]
    assert suppliers["industry_code"].tolist() == ["311710", "00123", "", ""]


def test_sheet_errors_name_the_row_and_skipped_sheet(messy: Path) -> None:
    errors = read_inputs([messy]).errors
    assert [(e.sheet, e.row, e.reason_code) for e in errors] == [
        ("Instructions", None, ReasonCode.SHEET_SKIPPED),
        ("Old list", None, ReasonCode.SHEET_SKIPPED),  # hidden sheets are named, never skipped silently
        ("Lookup", None, ReasonCode.SHEET_SKIPPED),
        ("Suppliers", 8, ReasonCode.MISSING_NAME),
    ]
    assert errors[0].message == (
        "sheet 'Instructions' skipped: no supplier-name column; headers found: "
        "'How to fill in this template'; name one with --map \"Header=name\" if it lists suppliers"
    )
    assert errors[3].message == "row has data but no name in column C ('Supplier Name'); fill in the supplier name"
    assert all(e.input == "suppliers.xlsx" for e in errors)


def test_headers_in_chinese_russian_and_korean(messy: Path) -> None:
    tables = {t.sheet: t for t in read_inputs([messy]).tables}
    assert tables["中文"].fields == (None, "name", "country", "city", "sector")
    assert tables["Русский"].header_row == 3
    assert tables["Русский"].fields == (None, "name", "country", "registration_id", "sector")
    assert tables["한국어"].fields == ("name", "country", "sector", "registration_id")


def test_sheet_option_reads_a_hidden_sheet_only(messy: Path) -> None:
    intake = read_inputs([messy], sheet="Old list")
    assert [t.sheet for t in intake.tables] == ["Old list"]
    assert intake.records["name"].tolist() == ["Korea Namgang Trading Corp."]
    assert intake.records["row"].tolist() == [2]
    assert intake.files[0].sheets == ("Old list",)
    assert intake.errors == []


def test_sheet_option_ignores_case(messy: Path) -> None:
    assert read_inputs([messy], sheet="old LIST").tables[0].sheet == "Old list"


def test_unknown_sheet_lists_the_sheets(messy: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_inputs([messy], sheet="Vendors")
    assert str(caught.value) == (
        f"{messy}: no sheet named 'Vendors'; sheets: 'Suppliers', '中文', 'Русский', '한국어', "
        "'Instructions', 'Sheet3', 'Old list', 'Lookup'"
    )


def test_named_sheet_without_a_name_column_is_an_error(messy: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_inputs([messy], sheet="Instructions")
    assert str(caught.value) == (
        f"{messy} sheet 'Instructions': no supplier-name column; headers found: "
        "'How to fill in this template'; name one with --map \"Header=name\""
    )


def test_named_empty_sheet_is_an_error(messy: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_inputs([messy], sheet="Sheet3")
    assert str(caught.value) == f"{messy} sheet 'Sheet3': is empty; nothing to screen"


def test_workbook_without_any_name_column(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "w.xlsx", {"A": [["Foo", "Bar"], ["1", "2"]], "B": [], "C": [["Land"], ["DE"]]})
    with pytest.raises(InputError) as caught:
        read_inputs([path])
    assert str(caught.value) == (
        f"{path}: no sheet has a supplier-name column (sheets: 'A' ('Foo', 'Bar'); 'B' (empty); "
        "'C' ('Land')); name one with --map \"Header=name\""
    )


def test_workbook_with_only_hidden_sheets(tmp_path: Path) -> None:
    built = write_xlsx(tmp_path / "built.xlsx", {"A": [["Supplier"], ["X"]], "B": []}, hidden=["A"])
    path = tmp_path / "w.xlsx"
    # openpyxl refuses to save a workbook without a visible sheet; Excel files can still be like that.
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'sheetId="2" state="visible"', b'sheetId="2" state="veryHidden"')
            dst.writestr(item, data)
    with pytest.raises(InputError) as caught:
        read_inputs([path])
    assert str(caught.value) == f"{path}: has no visible sheet (sheets: 'A', 'B'); pick one with --sheet NAME"


def test_xls_rows_numbers_and_dates(tmp_path: Path) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Vendors")
    ws.write(0, 0, "Vendor master export")
    for column, header in enumerate(["Vendor Name", "Country", "NAICS", "Since"]):
        ws.write(2, column + 1, header)
    ws.write(3, 1, "Société Générale Pêcheries")
    ws.write(3, 2, "France")
    ws.write(3, 3, 311710.0)
    ws.write(3, 4, dt.date(2020, 5, 17), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    path = tmp_path / "vendors.xls"
    wb.save(str(path))
    intake = read_inputs([path])
    assert intake.tables[0].header_row == 3
    assert intake.tables[0].fields == ("name", "country", "industry_code", None)
    assert intake.records["row"].tolist() == [4]
    assert intake.records["cells"].tolist() == [("Société Générale Pêcheries", "France", "311710", "2020-05-17")]


def test_ods_is_read(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "s.ods", {"Lieferanten": [["Lieferant", "Land", "Branche"], ["Müller GmbH", "DE", "Bau"]]})
    intake = read_inputs([path])
    assert intake.tables[0].fields == ("name", "country", "sector")
    assert intake.records["cells"].tolist() == [("Müller GmbH", "DE", "Bau")]
    assert intake.records["row"].tolist() == [2]


def test_xls_written_by_helper_keeps_text_cells(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "s.xls", {"S": [["Supplier Name", "Reg No"], ["A", "00123"]]})
    assert read_inputs([path]).records["registration_id"].tolist() == ["00123"]


def test_sheet_row_limit_is_checked_before_conversion(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", {"Big": [["Supplier"]] + [[f"S{i}"] for i in range(9)]})
    with pytest.raises(InputError) as caught:
        read_inputs([path], limits=Limits(max_rows=5))
    assert str(caught.value) == (
        f"{path} sheet 'Big': reaches row 10, over the 5 row limit; split it into smaller sheets or raise "
        "SCREENING_MAX_ROWS"
    )


def test_long_cell_is_truncated_with_its_cell_address(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [["Supplier", "Notes"], ["A", "y" * 40]]})
    intake = read_inputs([path], limits=Limits(max_cell_chars=30))
    assert intake.records["notes"].tolist() == ["y" * 30]
    assert [(e.row, e.reason_code, e.message) for e in intake.errors] == [
        (2, ReasonCode.CELL_TOO_LONG, "cell B2 has 40 characters, over the 30 limit; only the first 30 are screened")
    ]


def test_names_told_ahead_are_the_names_the_records_hold(messy: Path) -> None:
    """names_found hears each sheet's names as soon as it is parsed: the same as its records' names (under a
    title, away from A1, merged cells, numbers as names), nothing for a sheet without a name column, and the
    records are those of a read without it."""
    told: list[list[str]] = []
    intake = read_inputs([messy], names_found=told.append)
    records = intake.records
    expected = [[n for n in records.loc[records["sheet"] == sheet, "name"].tolist() if n]
                for sheet in ["Suppliers", "中文", "Русский", "한국어"]]
    assert told == [*expected, []]  # Instructions: no name column (the empty Sheet3 is not parsed)
    assert expected[0] == ["Acme Seafood", "Beta Build", "Merged Co"]
    assert records.equals(read_inputs([messy]).records)


def test_names_told_ahead_follow_a_mapped_header(tmp_path: Path) -> None:
    path = tmp_path / "mapped.xlsx"
    write_xlsx(path, {"Book": [["Ref", "Counterparty", "Land"], ["1", "Pacific Lotus Ltd", "SG"], [2, 7.5, "HK"]]})
    told: list[list[str]] = []
    intake = read_inputs([path], overrides={"Counterparty": "name"}, names_found=told.append)
    assert told == [intake.records["name"].tolist()] == [["Pacific Lotus Ltd", "7.5"]]

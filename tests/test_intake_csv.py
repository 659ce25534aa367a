"""Delimited text: encodings, delimiters, text-only cells and Excel-style row numbers."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from screening.errors import InputError, ReasonCode
from screening.intake import Limits, read_inputs
from screening.intake.delimited import (
    detect_delimiter,
    detect_encoding,
    legacy_candidates,
)
from tests.intake_support.builders import write_csv

WESTERN = [
    ["Supplier Name", "Country", "City"],
    ["Société Générale Pêcheries, Nuñez", "France", "Saint-Étienne"],
    ["Müller & Söhne GmbH", "Österreich", "Graz"],
    ["Construcciones Núñez y Peña S.L.", "España", "Sevilla"],
]
CHINESE = [
    ["供应商名称", "国家", "城市", "经营范围"],
    ["珲春市海产品加工有限公司", "中国", "珲春", "水产品加工（冷冻蟹类）"],
    ["丹东鸭绿江服装有限公司", "中华人民共和国", "丹东", "服装加工"],
]
RUSSIAN = [
    ["Наименование поставщика", "Страна", "Город"],
    ["ООО «Восток Строй»", "Российская Федерация", "Владивосток"],
    ["АО «Приморский лес»", "Россия", "Уссурийск"],
]
POLISH = [
    ["Dostawca", "Kraj", "Miasto"],
    ["Zakład Przetwórstwa Rybnego sp. z o.o.", "Polska", "Łódź"],
    ["Żabka Świętokrzyska", "Polska", "Kielce"],
]


def _cells(path: Path) -> list[tuple[str, ...]]:
    return read_inputs([path]).records["cells"].tolist()


@pytest.mark.parametrize(
    ("rows", "encoding", "detected"),
    [
        (WESTERN, "utf-8", "utf-8"),
        (WESTERN, "utf-8-sig", "utf-8-sig"),
        (WESTERN, "utf-16", "utf-16"),  # with BOM, as Excel's 'Unicode Text' writes it
        (WESTERN, "utf-16-le", "utf-16-le"),  # no BOM: told by the NUL in every other byte
        (WESTERN, "utf-16-be", "utf-16-be"),
        (WESTERN, "cp1252", "cp1252"),
        (CHINESE, "gb18030", "gb18030"),
        (CHINESE, "utf-8-sig", "utf-8-sig"),
        (RUSSIAN, "cp1251", "cp1251"),
        (POLISH, "cp1250", "cp1250"),
        ([["Поставщик", "Страна"], ["ООО Ромашка", "Россия"], ["АО Приморский лес", "Россия"]], "koi8-r", "koi8-r"),
        ([["供應商名稱", "國家"], ["台灣精密機械股份有限公司", "台灣"], ["高雄遠洋漁業", "台灣"]], "big5", "big5"),
        ([["仕入先名", "国"], ["株式会社テスト", "日本"], ["大阪水産株式会社", "日本"]], "shift_jis", "cp932"),
        ([["공급업체명", "국가"], ["대한조선 주식회사", "대한민국"], ["부산수산", "대한민국"]], "euc-kr", "cp949"),
    ],
)
def test_encodings_decode_exactly(tmp_path: Path, rows, encoding: str, detected: str) -> None:
    path = write_csv(tmp_path / "suppliers.csv", rows, encoding=encoding)
    assert codecs.lookup(detect_encoding(str(path))).name == codecs.lookup(detected).name
    assert _cells(path) == [tuple(row) for row in rows[1:]]


def test_cp1252_western_csv_maps_its_fields(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "vendors.csv", WESTERN, encoding="cp1252", delimiter=";")
    records = read_inputs([path]).records
    assert records["name"].tolist()[0] == "Société Générale Pêcheries, Nuñez"
    assert records["city"].tolist()[0] == "Saint-Étienne"


def test_gb18030_chinese_csv_maps_its_fields(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "suppliers.csv", CHINESE, encoding="gb18030", delimiter="\t")
    intake = read_inputs([path])
    assert intake.tables[0].fields == ("name", "country", "city", "sector")
    assert intake.records["name"].tolist() == ["珲春市海产品加工有限公司", "丹东鸭绿江服装有限公司"]
    assert intake.records["sector"].tolist() == ["水产品加工（冷冻蟹类）", "服装加工"]


def test_legacy_guess_prefers_cp1252_when_latin_pages_tie() -> None:
    sample = "Name;Pays\nSociété Générale Pêcheries, Nuñez;France\n".encode("cp1252")
    assert legacy_candidates(sample)[0] == "cp1252"


def test_legacy_guess_spots_polish_read_as_cp1252() -> None:
    # As cp1252 this reads 'Zak³ad', '£ódŸ': symbols inside words betray the wrong code page.
    sample = "Dostawca;Miasto\nZakład Łódź;Łódź\n".encode("cp1250")
    assert legacy_candidates(sample)[0] == "cp1250"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(tmp_path: Path, delimiter: str) -> None:
    rows = [["Supplier Name", "Country", "Notes"], ["Acme, Inc.", "China", "a;b|c"], ["Beta", "Russia", ""]]
    path = write_csv(tmp_path / "s.txt", rows, delimiter=delimiter)
    assert _cells(path) == [("Acme, Inc.", "China", "a;b|c"), ("Beta", "Russia", "")]


def test_semicolon_file_with_commas_in_names() -> None:
    sample = "Name;Country\nSociété Générale Pêcheries, Nuñez;France\nAcme, Ltd.;China\nBeta;Chile\n"
    assert detect_delimiter(sample) == ";"


def test_single_column_file_uses_comma() -> None:
    assert detect_delimiter("Supplier Name\nAcme\nBeta\n") == ","


def test_cells_stay_text(tmp_path: Path) -> None:
    rows = [["Supplier Name", "Registration No", "NAICS", "Phone", "DOB"],
            ["Acme", "00123", "311710", "+7 (423) 000-00-00", "01/02/1990"]]
    path = write_csv(tmp_path / "s.csv", rows)
    record = read_inputs([path]).records.iloc[0]
    assert (record["registration_id"], record["industry_code"], record["phone"], record["date_of_birth"]) == (
        "00123", "311710", "+7 (423) 000-00-00", "01/02/1990",
    )


def test_row_numbers_are_record_numbers_as_excel_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "Supplier list Q3\n"  # 1: title
        "\n"  # 2: blank
        "Supplier Name,Country,Notes\n"  # 3: header
        'Acme,China,"two\nlines"\n'  # 4: one record over two lines
        ",,\n"  # 5: empty record, skipped silently
        "Beta,Russia,\n",  # 6
        encoding="utf-8",
    )
    intake = read_inputs([path])
    assert intake.tables[0].header_row == 3
    assert intake.records["row"].tolist() == [4, 6]
    assert intake.records["notes"].tolist() == ["two\nlines", ""]
    assert intake.errors == []


def test_sheet_name_is_the_file_stem(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "vendors 2024.tsv", [["Vendor", "Land"], ["X", "DE"]], delimiter="\t")
    intake = read_inputs([path])
    assert intake.tables[0].sheet == "vendors 2024"
    assert intake.files[0].sheets == ("vendors 2024",)
    assert intake.records["sheet"].tolist() == ["vendors 2024"]


def test_sheet_option_does_not_apply_to_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Supplier", "Country"], ["X", "DE"]])
    assert read_inputs([path], sheet="Suppliers").records["name"].tolist() == ["X"]


def test_long_cell_is_truncated_with_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Supplier Name", "Notes"], ["Acme", "x" * 150]])
    intake = read_inputs([path], limits=Limits(max_cell_chars=100))
    assert intake.records["notes"].tolist() == ["x" * 100]
    [error] = intake.errors
    assert (error.input, error.sheet, error.row, error.reason_code) == ("s.csv", "s", 2, ReasonCode.CELL_TOO_LONG)
    assert error.message == "cell B2 has 150 characters, over the 100 limit; only the first 100 are screened"


def test_too_many_rows_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Supplier Name"]] + [[f"S{i}"] for i in range(10)])
    with pytest.raises(InputError) as caught:
        read_inputs([path], limits=Limits(max_rows=5))
    assert str(caught.value) == f"{path}: more than 5 rows, over the limit; split it into smaller files or raise SCREENING_MAX_ROWS"


def test_unclosed_quote_is_reported_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    # The quote swallows the rest of the file into one field, past csv's field size limit.
    path.write_text('Supplier Name,Notes\nAcme,"never closed\n' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_inputs([path])
    message = str(caught.value)
    assert message.startswith(f"{path} row 2: not readable as CSV (")
    assert message.endswith("); check for an unclosed quote")

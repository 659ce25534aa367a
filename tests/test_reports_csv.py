"""The CSV report: BOM, one line per input row, readable evidence, and no live formulas."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from screening.model import Table
from screening.reports import write_report
from tests.report_factory import (
    AT_SUM,
    CR,
    DDE,
    HYPERLINK,
    MINUS,
    PLUS,
    SCRIPT,
    TAB,
    make_result,
    make_rows,
    with_rows,
)

FIXED = ["input", "sheet", "row", "band", "score", "rules", "reasons", "evidence"]


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


@pytest.fixture()
def rows(tmp_path: Path) -> list[dict[str, str]]:
    return _read(write_report(make_result(), tmp_path / "r.csv"))


def test_header_fixed_columns_then_fields_then_other_columns(tmp_path: Path) -> None:
    out = write_report(make_result(), tmp_path / "r.csv")
    header = next(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert header == [*FIXED, "name", "country", "city", "sector",  # canonical order, union of both tables
                      "Internal ref", "Buyer", "Score (original)",  # shared "Internal ref" appears once
                      "备注", "'" + HYPERLINK]  # a header from the input is escaped too


def test_one_line_per_input_row_in_input_order(rows: list[dict[str, str]]) -> None:
    expected = [(r.input, r.sheet, str(r.row), r.band.label, str(r.score)) for r in make_rows()]
    assert [(r["input"], r["sheet"], r["row"], r["band"], r["score"]) for r in rows] == expected


def test_rules_reasons_and_evidence(rows: list[dict[str, str]]) -> None:
    high = rows[1]
    assert high["rules"] == "host.tier1; sector.construction"
    assert high["reasons"] == ("Site in a main DPRK labour host country; "
                               "Sector where DPRK labour is exported: construction")
    assert high["evidence"] == "country='Russia' -> RU; sector='Construction' -> term 'construction'"
    assert rows[5]["evidence"] == ("name='Korea Sobaeksoo Trading Co' -> KOREA SOBAEKSU TRADING COMPANY "
                                   "(93.5% similar); country='中国' -> CN")
    assert rows[0]["rules"] == rows[0]["reasons"] == rows[0]["evidence"] == ""


def test_unverified_rule_is_marked_even_if_the_hit_says_confirmed(rows: list[dict[str, str]]) -> None:
    assert rows[2]["reasons"].startswith("Country in the ADV18 annex (list not checked against the PDF) (unverified);")
    assert "unverified" not in rows[1]["reasons"]


def test_cells_line_up_with_each_tables_headers(rows: list[dict[str, str]]) -> None:
    assert rows[0]["Buyer"] == "J. Roe" and rows[0]["Score (original)"] == "5" and rows[0]["city"] == ""
    vendor = rows[4]
    assert vendor["name"] == "大连海洋食品有限公司" and vendor["city"] == "大连" and vendor["备注"] == "海鲜加工"
    assert vendor["Internal ref"] == "B-17" and vendor["Buyer"] == "" and vendor["sector"] == ""
    assert rows[1]["name"] == "ООО «Приморская Стройка»"


@pytest.mark.parametrize(
    ("column", "row", "payload"),
    [("name", 2, HYPERLINK), ("sector", 2, DDE), ("Internal ref", 2, AT_SUM), ("Buyer", 2, PLUS),
     ("Score (original)", 2, MINUS), ("Internal ref", 3, TAB), ("Buyer", 3, CR)],
)
def test_formula_payloads_get_an_apostrophe(rows: list[dict[str, str]], column: str, row: int, payload: str) -> None:
    assert rows[row][column] == "'" + payload


def test_safe_text_is_left_alone(rows: list[dict[str, str]]) -> None:
    assert rows[3]["Score (original)"] == SCRIPT  # not a spreadsheet formula: unchanged
    assert rows[2]["evidence"] == f"country='Malaysia' -> MY; sector='{DDE}' -> term 'construction'"
    assert rows[2]["row"] == "6" and rows[2]["score"] == "45"


def test_every_text_cell_is_quoted(tmp_path: Path) -> None:
    # Quoted, an Excel using ';' as list separator cannot split `x;=cmd` into a live formula.
    rows = make_rows()
    rows[0] = replace(rows[0], cells=("Acme", "Germany", "Apparel", "x;=1+1", "", ""))
    text = write_report(with_rows(make_result(), rows), tmp_path / "r.csv").read_text("utf-8-sig")
    line = text.splitlines()[1]
    assert '"x;=1+1"' in line
    assert line.startswith('"suppliers_2025.xlsx","Suppliers",4,"clear",0,')


def test_evidence_starting_with_a_formula_is_escaped(tmp_path: Path) -> None:
    rows = make_rows()
    hit = rows[1].hits[0]
    rows[1] = replace(rows[1], hits=(replace(hit, evidence=replace(hit.evidence, field=None, value=None,
                                                                   matched="=1+1")),))
    out = _read(write_report(with_rows(make_result(), rows), tmp_path / "r.csv"))
    assert out[1]["evidence"] == "'=1+1"


def test_duplicate_and_blank_headers_keep_their_columns(tmp_path: Path) -> None:
    result = make_result()
    odd = Table("odd.csv", "odd", 1, ("Name", "Note", "Note", ""), ("name", None, None, None))
    rows = [replace(make_rows()[0], input="odd.csv", sheet="odd", table=2, fields={"name": "Z"},
                    cells=("Z", "first", "second", "third"))]
    result = replace(result, tables=[*result.tables, odd], rows=rows)
    out = _read(write_report(result, tmp_path / "r.csv"))
    assert (out[0]["Note"], out[0]["Note (2)"], out[0]["(column 4)"]) == ("first", "second", "third")


def test_stray_pandas_values_render_as_text(tmp_path: Path) -> None:
    rows = make_rows()
    rows[0] = replace(rows[0], fields={"name": "Acme", "country": float("nan"), "sector": 7.0},  # type: ignore[dict-item]
                      cells=("Acme", None, 7.0, -1.5, "", ""))  # type: ignore[arg-type]
    out = _read(write_report(with_rows(make_result(), rows), tmp_path / "r.csv"))
    assert (out[0]["country"], out[0]["sector"], out[0]["Score (original)"]) == ("", "7", "")
    assert out[0]["Internal ref"] == "'-1.5"  # a number turned text still gets the guard

"""Hostile cell contents: very long text, formula injection, every script, emoji, right-to-left and bidi controls."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.hostile import corpus
from tests.hostile.conftest import screen

EXCEL_MAX = 32_767


def _write(path: Path, rows: list[list[str]], kind: str) -> None:
    """The rows as an xlsx workbook or a CRLF CSV file."""
    if kind == "xlsx":
        corpus.suppliers_xlsx(path, rows)
    else:
        path.write_text("".join(",".join(r) + "\r\n" for r in rows), encoding="utf-8")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_cell_of_excels_maximum_length_is_screened_whole(tmp_path: Path, out_dir: Path, kind: str) -> None:
    notes = "x" * EXCEL_MAX
    rows = [["Supplier Name", "Notes"], ["Hunchun Ocean Seafood Co", notes], ["Rheinland GmbH", "y" * (EXCEL_MAX + 1)]]
    path = tmp_path / f"long.{kind}"
    _write(path, rows, kind)
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    rows_out = outcome.rows()
    assert len(rows_out[2]["fields"]["notes"]) == EXCEL_MAX  # at the limit: all of it, no note
    assert len(rows_out[3]["fields"]["notes"]) == EXCEL_MAX  # over it: cut, with a note
    assert outcome.errors() == [("Suppliers" if kind == "xlsx" else "long", 3, "cell_too_long")]
    assert outcome.report["errors"][0]["message"] == (  # type: ignore[index]
        "cell B3 has 32,768 characters, over the 32,767 limit; only the first 32,767 are screened"
    )
    assert [rows_out[2]["band"], rows_out[3]["band"]] == ["high", "clear"]


def test_longest_cells_survive_into_the_xlsx_report(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.suppliers_xlsx(tmp_path / "long.xlsx", [["Supplier Name", "Notes"], ["Acme " + "z" * 40_000, "n" * EXCEL_MAX]])
    outcome = screen(path, out_dir, fmt="xlsx")
    assert outcome.exit_code == 0
    wb = openpyxl.load_workbook(out_dir / "report.xlsx", read_only=True)
    lengths = [len(str(c.value)) for row in wb["All rows"].iter_rows() for c in row if c.value is not None]
    assert max(lengths) <= EXCEL_MAX  # Excel refuses longer cells: the report still opens


INJECTIONS = [
    '=HYPERLINK("http://evil.example/x","Click me")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C notepad'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]


@pytest.fixture
def injected(tmp_path: Path) -> Path:
    # In North Korea, so every row is flagged and shows in the HTML report too.
    rows = [["Supplier Name", "Country", "Notes"]] + [[payload, "North Korea", payload] for payload in INJECTIONS]
    rows.append(["\tTab Trading Co", "Germany", "\r=1+2"])
    return corpus.suppliers_xlsx(tmp_path / "payloads.xlsx", rows)


def test_injection_payloads_are_text_in_the_xlsx_report(injected: Path, out_dir: Path) -> None:
    outcome = screen(injected, out_dir, fmt="xlsx")
    assert outcome.exit_code == 0
    report = out_dir / "report.xlsx"
    with zipfile.ZipFile(report) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)  # no formula anywhere
    wb = openpyxl.load_workbook(report)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    found = {c.value for c in cells if c.value in INJECTIONS}
    assert found == set(INJECTIONS)
    assert all(c.data_type == "s" for c in cells if c.value in INJECTIONS)
    assert all(c.quotePrefix for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@")


def test_injection_payloads_are_escaped_in_the_csv_report(injected: Path, out_dir: Path) -> None:
    outcome = screen(injected, out_dir, fmt="csv")
    assert outcome.exit_code == 0
    text = (out_dir / "report.csv").read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells if cell)
    for payload in INJECTIONS:
        assert "'" + payload in cells


def test_injection_payloads_are_escaped_in_the_html_report(injected: Path, out_dir: Path) -> None:
    outcome = screen(injected, out_dir, fmt="html")
    assert outcome.exit_code == 0
    page = (out_dir / "report.html").read_text(encoding="utf-8")
    assert 'href="http://evil.example' not in page
    assert "=HYPERLINK(&quot;http://evil.example/x&quot;,&quot;Click me&quot;)" in page or (
        "=HYPERLINK(&#34;http://evil.example/x&#34;,&#34;Click me&#34;)" in page
    )
    assert "cmd|' /C calc'!A0" in page or "cmd|&#x27; /C calc&#x27;!A0" in page or "cmd|&#39; /C calc&#39;!A0" in page


def test_tab_and_cr_prefixes_are_stripped_on_intake(injected: Path) -> None:
    from screening.intake import read_inputs

    records = read_inputs([injected]).records
    assert records["name"].tolist()[-1] == "Tab Trading Co"
    assert records["notes"].tolist()[-1] == "=1+2"  # then escaped like any other formula-looking text


NAMES = {
    "Latin": ("Rheinland Softwarehaus GmbH", "Germany", "clear"),
    "Cyrillic": ("Московская Строительная Компания", "Россия", "high"),
    "Han": ("珲春海洋水产加工有限公司", "中国", "high"),
    "Hangul": ("조선광업개발무역회사", "조선민주주의인민공화국", "critical"),
    "Arabic": ("شركة الخليج للتجارة", "الإمارات", "clear"),
    "Hebrew": ("חברת הים התיכון", "ישראל", "clear"),
    "Devanagari": ("टाटा कंसल्टेंसी", "भारत", "clear"),
    "Thai": ("บริษัท ไทยซีฟู้ด", "ไทย", "clear"),
    "Greek": ("Αθήνα Ναυτιλιακή", "Ελλάδα", "clear"),
    "Japanese": ("東京海運株式会社", "日本", "clear"),
    "Emoji": ("Sushi 🍣 Trading 🇰🇵", "Japan", "clear"),
    "Bidi controls": ("\u202eoC gnidarT gnayngnoyP\u202c", "North Korea", "critical"),
    "Mixed RTL": ("Al-Khaleej \u200fشركة\u200f Ltd", "Kuwait", "clear"),
}


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_names_in_every_script_are_screened_and_kept_exactly(tmp_path: Path, out_dir: Path, kind: str) -> None:
    rows = [["Supplier Name", "Country"]] + [[name, country] for name, country, _ in NAMES.values()]
    path = tmp_path / f"scripts.{kind}"
    _write(path, rows, kind)
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    got = {row["fields"]["name"]: (row["fields"]["country"], row["band"]) for row in outcome.report["rows"]}  # type: ignore[index]
    assert got == {name: (country, band) for name, country, band in NAMES.values()}
    assert outcome.errors() == []


def test_every_script_survives_each_report_format(tmp_path: Path, out_dir: Path) -> None:
    rows = [["Supplier Name", "Country"]] + [[name, country] for name, country, _ in NAMES.values()]
    path = corpus.suppliers_xlsx(tmp_path / "scripts.xlsx", rows)
    assert screen(path, out_dir, fmt="xlsx").exit_code == 0
    wb = openpyxl.load_workbook(out_dir / "report.xlsx", read_only=True)
    values = {c.value for row in wb["All rows"].iter_rows() for c in row}
    assert {name for name, _, _ in NAMES.values()} <= values
    assert screen(path, out_dir, fmt="csv").exit_code == 0
    text = (out_dir / "report.csv").read_text(encoding="utf-8-sig")
    assert all(name in text for name, _, _ in NAMES.values())
    assert screen(path, out_dir, fmt="html").exit_code == 0
    page = (out_dir / "report.html").read_text(encoding="utf-8")
    assert all(name in page for name, _, band in NAMES.values() if band != "clear")  # HTML lists flagged rows

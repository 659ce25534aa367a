"""format_for and write_report: format choice and one end-to-end write per format."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from screening.errors import ReportError
from screening.reports import FORMATS, format_for, report_json, write_report
from tests.report_factory import make_result


@pytest.mark.parametrize(
    ("name", "expected"),
    [("r.xlsx", "xlsx"), ("r.csv", "csv"), ("r.json", "json"), ("r.html", "html"), ("r.htm", "html"),
     ("REPORT.XLSX", "xlsx"), ("a.b/c.d.Json", "json")],
)
def test_format_from_suffix(name: str, expected: str) -> None:
    assert format_for(Path(name), None) == expected


def test_format_option_wins_over_suffix() -> None:
    assert format_for(Path("report.xlsx"), "csv") == "csv"
    assert format_for(Path("report"), " JSON ") == "json"


@pytest.mark.parametrize("name", ["report.txt", "report", "report.xls", "report.xlsx.bak"])
def test_unknown_suffix_lists_the_formats(name: str) -> None:
    with pytest.raises(ReportError) as err:
        format_for(Path(name), None)
    message = str(err.value)
    assert name in message and "--format" in message
    assert all(fmt in message for fmt in FORMATS)
    assert "\n" not in message


def test_unknown_format_option_lists_the_formats() -> None:
    with pytest.raises(ReportError, match="pdf") as err:
        format_for(Path("report.xlsx"), "pdf")
    assert "xlsx, csv, json, html" in str(err.value)


def test_unknown_format_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ReportError):
        write_report(make_result(), tmp_path / "report.txt")
    assert list(tmp_path.iterdir()) == []


def test_write_report_each_format(tmp_path: Path) -> None:
    result = make_result()
    xlsx = write_report(result, tmp_path / "r.xlsx")
    assert xlsx == tmp_path / "r.xlsx"
    assert "xl/workbook.xml" in zipfile.ZipFile(xlsx).namelist()

    data = write_report(result, tmp_path / "r.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1 + len(result.rows)

    write_report(result, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text("utf-8")) == report_json(result)

    write_report(result, tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_format_option_overrides_suffix_when_writing(tmp_path: Path) -> None:
    out = write_report(make_result(), tmp_path / "r.xlsx", "json")
    assert json.loads(out.read_text("utf-8"))["manifest"]["tool_version"] == "0.1.0"


def test_write_report_accepts_str_path(tmp_path: Path) -> None:
    out = write_report(make_result(), str(tmp_path / "r.json"))  # type: ignore[arg-type]
    assert isinstance(out, Path) and out.is_file()

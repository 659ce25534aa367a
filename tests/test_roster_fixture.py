"""The contractor-roster sample (fixtures/make_roster.py), screened end to end with the bundled packs:
every planted cluster is found with evidence naming all of its rows, the traps and ordinary rows stay
clear, and the report carries the links (JSON `links`, the workbook's Links sheet)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from screening.model import Band, ScreeningResult
from screening.reports import report_json, write_report
from screening.screen import screen

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROSTER = FIXTURES / "roster-sample.xlsx"


def _generator():
    spec = importlib.util.spec_from_file_location("make_roster", FIXTURES / "make_roster.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_roster"] = module
    spec.loader.exec_module(module)
    return module


make_roster = _generator()
_, PLANTED = make_roster.rows(make_roster.SAMPLE_WORKERS)
CLUSTERS = [p for p in PLANTED if p.rule]
TRAPS = [p for p in PLANTED if not p.rule]


@pytest.fixture(scope="module")
def result() -> ScreeningResult:
    return screen([ROSTER])


def _rows_of(result: ScreeningResult, plant) -> list:
    ids = {str(r["Worker ID"]) for r in plant.rows}
    id_column = result.tables[0].headers.index("Worker ID")
    found = [r for r in result.rows if r.cells[id_column] in ids]
    assert len(found) == len(plant.rows), f"{plant.key}: rows missing from the screened roster"
    return found


def test_the_committed_roster_is_what_the_generator_makes(tmp_path: Path) -> None:
    data, _ = make_roster.rows(make_roster.SAMPLE_WORKERS)
    rebuilt = tmp_path / "roster.xlsx"
    make_roster.write_roster(rebuilt, data, "Remote contractors — HR/AP export 2026-11-01 (invented data)")
    assert rebuilt.read_bytes() == ROSTER.read_bytes()


def test_the_roster_headers_map_onto_the_roster_fields(result: ScreeningResult) -> None:
    mapping = result.tables[0].mapping()
    assert mapping["IBAN"] == "payment_account" and mapping["Bank account holder"] == "payment_holder"
    assert mapping["Ship laptop to"] == "shipping_address" and mapping["IP country"] == "login_countries"
    assert mapping["Passport No."] == "id_document" and mapping["DOB"] == "date_of_birth"
    assert mapping["Agency"] == "parent" and mapping["Mobile"] == "phone" and mapping["Email"] == "email"
    assert result.tables[0].header_row == make_roster.FIRST_DATA_ROW - 1


@pytest.mark.parametrize("plant", CLUSTERS, ids=lambda p: p.key)
def test_every_planted_cluster_is_found_with_all_its_rows(result: ScreeningResult, plant) -> None:
    rows = _rows_of(result, plant)
    numbers = {r.row for r in rows}
    for row in rows:
        hit = next((h for h in row.hits if h.rule == plant.rule), None)
        assert hit is not None, f"{plant.key}: {plant.rule} did not fire on row {row.row}"
        named = {n for n in numbers if f"/ row {n} (" in hit.evidence.matched}
        assert named == numbers - {row.row}, f"row {row.row}: evidence names {named}, not {numbers - {row.row}}"
        assert row.band >= Band.REVIEW
    [link] = [link for link in result.links if plant.rule in link.rules]
    assert {r.row for r in link.rows} == numbers
    assert all(r.input == ROSTER.name and r.sheet == make_roster.SHEET and r.name for r in link.rows)


def test_clusters_of_accounts_documents_mailboxes_and_laptop_farms_are_high(result: ScreeningResult) -> None:
    for plant in CLUSTERS:
        if plant.rule in ("ROSTER-LINK-001", "ROSTER-LINK-003", "ROSTER-LINK-005", "ROSTER-LINK-006", "ROSTER-LINK-002"):
            assert all(r.band is Band.HIGH for r in _rows_of(result, plant)), plant.key


@pytest.mark.parametrize("plant", TRAPS, ids=lambda p: p.key)
def test_traps_stay_clear(result: ScreeningResult, plant) -> None:
    for row in _rows_of(result, plant):
        assert row.band is Band.CLEAR, f"{plant.key} row {row.row}: {[h.rule for h in row.hits]}"
        assert not [h for h in row.hits if h.rule.startswith("ROSTER-LINK")], plant.why


def test_ordinary_rows_stay_clear(result: ScreeningResult) -> None:
    planted_ids = {str(r["Worker ID"]) for p in PLANTED for r in p.rows}
    signalled = set(make_roster.SINGLE_SIGNALS)
    id_column = result.tables[0].headers.index("Worker ID")
    ordinary = [r for r in result.rows if r.cells[id_column] not in planted_ids | signalled]
    assert len(ordinary) == make_roster.SAMPLE_WORKERS - len(signalled)
    flagged = [(r.row, r.fields["name"], [h.rule for h in r.hits]) for r in ordinary if r.band is not Band.CLEAR]
    assert not flagged
    assert not [r for r in ordinary if any(h.rule.startswith("ROSTER-LINK") for h in r.hits)]


def test_single_signals_are_review_at_most(result: ScreeningResult) -> None:
    id_column = result.tables[0].headers.index("Worker ID")
    for row in result.rows:
        if row.cells[id_column] in make_roster.SINGLE_SIGNALS:
            assert row.hits and row.band <= Band.REVIEW, (row.row, [h.rule for h in row.hits])


def test_links_reach_the_json_and_the_workbook(result: ScreeningResult, tmp_path: Path) -> None:
    data = report_json(result)
    assert {r for l in data["links"] for r in l["rules"]} >= {p.rule for p in CLUSTERS}
    account = next(l for l in data["links"] if "ROSTER-LINK-001" in l["rules"])
    assert account["field"] == "payment_account" and account["value"] == "DE44500105175407324931"
    assert len(account["rows"]) == 3 and set(account["rows"][0]) == {"input", "sheet", "row", "name"}

    out = tmp_path / "roster-report.xlsx"
    write_report(result, out)
    wb = load_workbook(out, read_only=True)
    assert "Links" in wb.sheetnames
    lines = list(wb["Links"].iter_rows(values_only=True))
    assert lines[0][:4] == ("Rules", "Field", "Shared value (normalised)", "Rows")
    [phone] = [line for line in lines[1:] if line[1] == "phone"]  # one line per shared value
    assert phone[0] == "ROSTER-LINK-002, ROSTER-LINK-009" and phone[2] == "+17025550147" and phone[3] == 3
    assert all(f"row {r.row}: {r.name}" in phone[4] for r in next(l for l in result.links if l.field == "phone").rows)


def test_a_supplier_file_has_no_links_and_no_links_sheet(tmp_path: Path) -> None:
    result = screen([FIXTURES / "suppliers-sample.xlsx"])
    assert result.links == [] and "links" not in report_json(result)
    out = tmp_path / "suppliers.xlsx"
    write_report(result, out)
    assert "Links" not in load_workbook(out, read_only=True).sheetnames


@pytest.mark.parametrize("suffix", ["csv", "html"])
def test_csv_and_html_evidence_name_the_linked_rows(result: ScreeningResult, tmp_path: Path, suffix: str) -> None:
    out = write_report(result, tmp_path / f"roster.{suffix}")
    text = out.read_text(encoding="utf-8-sig")
    [link] = [l for l in result.links if l.field == "payment_account"]
    assert "DE44500105175407324931" in text
    for row in link.rows:
        assert f"row {row.row} (" in text

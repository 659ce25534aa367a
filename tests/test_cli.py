"""The CLI contract: exit codes 0/1/2, one-line errors with no traceback, reports never over inputs."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "suppliers-sample.xlsx"
EMPTY_STORE = tempfile.mkdtemp(prefix="screening-no-lists-")  # never the user's own list store
ENV = {
    "SCREENING_NO_PROGRESS": "1", "PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1790000000",
    "SCREENING_LISTS_DIR": EMPTY_STORE,
}


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screening", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env={**ENV, "PYTHONPATH": str(ROOT)}, timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_screen_writes_report_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run("screen", SAMPLE, "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Screened 22 rows from 1 file: ")
    assert f"Report: {out}" in result.stdout
    assert "warning: no sanctions lists in the store" in result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["manifest"]["created_at"] == "2026-09-21T14:13:20Z"  # pinned by SOURCE_DATE_EPOCH
    assert len(report["rows"]) == 22


def test_default_report_name_in_current_folder(tmp_path: Path) -> None:
    result = run("screen", SAMPLE, "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "suppliers-sample-screening.csv").is_file()


def test_fail_on_sets_exit_code(tmp_path: Path) -> None:
    assert run("screen", SAMPLE, "--out", tmp_path / "a.json", "--fail-on", "critical").returncode == 1
    clean = tmp_path / "clean.csv"
    clean.write_text("Supplier Name,Country\nRheinland Softwarehaus GmbH,Germany\n", encoding="utf-8")
    assert run("screen", clean, "--out", tmp_path / "b.json", "--fail-on", "review").returncode == 0
    assert_one_line_error(run("screen", clean, "--out", tmp_path / "c.json", "--fail-on", "severe"), "unknown band 'severe'")


def test_broken_rule_pack_exits_2_naming_file_and_rule(tmp_path: Path) -> None:
    pack = tmp_path / "broken.yaml"
    pack.write_text(
        "pack: {id: p, version: '1', title: P, thresholds: {review: 20, high: 50}}\n"
        "sources: [{id: S, title: T, issuer: I, date: '2020'}]\n"
        "rules:\n  - {id: R-1, title: T, category: sector, weight: 5, confidence: reported, sources: [S],\n"
        "     when: {txet: {terms: [x]}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    assert_one_line_error(run("screen", SAMPLE, "--rules", pack, "--out", out), str(pack), "rule R-1", "when")
    assert not out.exists()
    assert_one_line_error(run("rules", "validate", pack), "rule R-1: when: a condition needs exactly one key")


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    corrupt = tmp_path / "suppliers.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert_one_line_error(run("screen", corrupt, "--out", tmp_path / "r.json"), "suppliers.xlsx")
    assert_one_line_error(run("screen", tmp_path / "missing.xlsx", "--out", tmp_path / "r.json"), "missing.xlsx")


def test_missing_name_column_exits_2_listing_headers(tmp_path: Path) -> None:
    sheet = tmp_path / "list.csv"
    sheet.write_text("Reference,Land,Amount\n1,DE,100\n", encoding="utf-8")
    result = run("screen", sheet, "--out", tmp_path / "r.json")
    assert_one_line_error(result, "list.csv", "'Reference'", "'Land'", "'Amount'", "--map")
    mapped = run("screen", sheet, "--map", "Reference=name", "--out", tmp_path / "r.json")
    assert mapped.returncode == 0, mapped.stderr


def test_refuses_to_write_over_an_input(tmp_path: Path) -> None:
    copy = tmp_path / "suppliers.csv"
    copy.write_text("Supplier Name,Country\nA,China\n", encoding="utf-8")
    before = copy.read_bytes()
    assert_one_line_error(run("screen", copy, "--out", copy), "suppliers.csv")
    assert copy.read_bytes() == before


def test_bad_map_syntax_and_unknown_field(tmp_path: Path) -> None:
    assert_one_line_error(run("screen", SAMPLE, "--map", "Supplier Name", "--out", tmp_path / "r.json"), "--map")
    assert_one_line_error(run("screen", SAMPLE, "--map", "Supplier Name=company", "--out", tmp_path / "r.json"), "company")


def test_rules_show_lists_rules_with_sources() -> None:
    result = run("rules", "show")
    assert result.returncode == 0, result.stderr
    assert "dprk-overseas-labour" in result.stdout
    assert "DPRK-LOC-001" in result.stdout
    assert "sources:" in result.stdout


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "html"])
def test_every_format_from_suffix(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    assert run("screen", SAMPLE, "--out", out).returncode == 0
    assert out.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temp file left behind


@pytest.mark.parametrize("fmt", ["json", "xlsx", "csv", "html"])
def test_two_runs_give_identical_bytes(tmp_path: Path, fmt: str) -> None:
    """Same inputs, packs and pinned run time: the same report, byte for byte."""
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    assert run("screen", SAMPLE, "--out", first).returncode == 0
    assert run("screen", SAMPLE, "--out", second).returncode == 0
    assert first.read_bytes() == second.read_bytes()

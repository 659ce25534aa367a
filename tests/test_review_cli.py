"""`screening users`, `screening review import` and `screening screen --decisions`, run as the user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from screening.review import decisions as review
from screening.review.db import open_db
from screening.review.users import get_user

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "suppliers-sample.xlsx"
PASSWORD = "correct horse battery"
EMPTY_STORE = tempfile.mkdtemp(prefix="screening-no-lists-")


def run(*args: str | Path, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"SCREENING_NO_PROGRESS": "1", "PATH": "/usr/bin:/bin", "SCREENING_LISTS_DIR": EMPTY_STORE,
            "PYTHONPATH": str(ROOT), "HOME": EMPTY_STORE}
    return subprocess.run([sys.executable, "-m", "screening", *map(str, args)], input=stdin if stdin is not None else "",
                          capture_output=True, text=True, cwd=ROOT, env={**base, **(env or {})}, timeout=120)


def one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], lines
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "review.db"
    for name, role in (("ana", "analyst"), ("rita", "reviewer")):
        done = run("users", "add", name, "--role", role, "--db", path, "--password-stdin", stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
        assert f"added {role} {name}" in done.stdout
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "sample.xlsx"
    assert run("screen", SAMPLE, "--out", out).returncode == 0
    return out


def fill(report: Path, target: Path, values: dict[str, tuple[str, str, str]]) -> Path:
    """Fill Disposition, Reviewer and Comment of the Flagged rows of the named suppliers."""
    wb = load_workbook(report)
    ws = wb["Flagged"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        name = row[header.index("name")].value
        if name in values:
            for column, value in zip(("Disposition", "Reviewer", "Comment"), values[name]):
                row[header.index(column)].value = value
    wb.save(target)
    return target


def test_users_add_and_list(db: Path) -> None:
    listed = run("users", "list", "--db", db)
    assert listed.returncode == 0 and "ana\tanalyst" in listed.stdout and "rita\treviewer" in listed.stdout
    one_line_error(run("users", "add", "ana", "--db", db, "--password-stdin", stdin=PASSWORD), "already exists")
    one_line_error(run("users", "add", "zed", "--role", "boss", "--db", db, "--password-stdin", stdin=PASSWORD), "unknown role")
    one_line_error(run("users", "add", "zed", "--db", db, "--password-stdin", stdin="short"), "too short")
    one_line_error(run("users", "add", "zed", "--db", db), "no password")  # stdin is not a terminal


def test_users_db_and_password_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "env.db"
    assert run("users", "add", "first", "--role", "admin", env={"SCREENING_DB": str(path),
                                                                "SCREENING_PASSWORD": PASSWORD}).returncode == 0
    assert get_user(open_db(str(path)), "first") is not None


def test_import_then_confirm_then_screen_suppresses(db: Path, report: Path, tmp_path: Path) -> None:
    filled = fill(report, tmp_path / "filled.xlsx", {
        "Baltic Hull Works Sp. z o.o.": ("false positive", "Jan Kowalski", "Polish yard, audited crew lists 2025"),
        "Abuja Premier Hospital Ltd": ("pending", "", ""),
    })
    env = {"SCREENING_PASSWORD": PASSWORD}
    done = run("review", "import", filled, "--reviewer", "ana", "--db", db, env=env)
    assert done.returncode == 0, done.stderr
    assert "1 rows with a disposition: 3 proposals recorded as ana, 0 already recorded; 13 rows left pending." in done.stdout
    again = run("review", "import", filled, "--reviewer", "ana", "--db", db, env=env)
    assert "0 proposals recorded as ana, 3 already recorded" in again.stdout

    engine = open_db(str(db))
    pending = review.proposals(engine, status="pending")
    assert {p.event.rule for p in pending} == {"DPRK-HOST-004", "DPRK-SEC-001", "DPRK-COMBO-021"}
    assert all(p.event.origin == "import" and p.event.report == "filled.xlsx" for p in pending)
    assert pending[0].event.reason == "Polish yard, audited crew lists 2025 (Reviewer column: Jan Kowalski)"

    # Not yet confirmed: nothing is suppressed.
    out = tmp_path / "before.json"
    assert run("screen", SAMPLE, "--decisions", db, "--out", out).returncode == 0
    assert all("suppressed" not in r for r in json.loads(out.read_text())["rows"])

    for p in pending:  # the second pair of eyes
        review.confirm(engine, get_user(engine, "rita"), p.id)
    out = tmp_path / "after.json"
    done = run("screen", SAMPLE, "--decisions", db, "--out", out)
    assert done.returncode == 0 and "3 hits suppressed by confirmed false-positive decisions." in done.stdout
    baltic = next(r for r in json.loads(out.read_text())["rows"] if r["fields"]["name"] == "Baltic Hull Works Sp. z o.o.")
    assert (baltic["band"], baltic["score"], baltic["hits"]) == ("clear", 0, [])
    assert [s["rule"] for s in baltic["suppressed"]] == ["DPRK-HOST-004", "DPRK-SEC-001", "DPRK-COMBO-021"]
    assert "Summary" in done.stdout or "Screened 22 rows from 1 file: 9 clear, 5 review" in done.stdout


def test_import_refuses_bad_rows_and_records_nothing(db: Path, report: Path, tmp_path: Path) -> None:
    env = {"SCREENING_PASSWORD": PASSWORD}
    before = len(review.log(open_db(str(db))))
    unknown = fill(report, tmp_path / "unknown.xlsx", {
        "Gulf Horizon Contracting W.L.L.": ("false positive", "", "fine"),
        "Potonggang Trading Company": ("ignore", "", "nah")})
    one_line_error(run("review", "import", unknown, "--reviewer", "ana", "--db", db, env=env), "unknown decision 'ignore'")
    no_reason = fill(report, tmp_path / "noreason.xlsx", {"Gulf Horizon Contracting W.L.L.": ("escalate", "x", "")})
    one_line_error(run("review", "import", no_reason, "--reviewer", "ana", "--db", db, env=env), "has no Comment")
    assert len(review.log(open_db(str(db)))) == before


def test_import_checks_who_and_what(db: Path, report: Path, tmp_path: Path) -> None:
    one_line_error(run("review", "import", report, "--reviewer", "ana", "--db", db, env={"SCREENING_PASSWORD": "wrong one"}),
                   "wrong user name or password")
    one_line_error(run("review", "import", report, "--db", db), "--reviewer NAME is required")
    one_line_error(run("review", "import", SAMPLE, "--reviewer", "ana", "--db", db, env={"SCREENING_PASSWORD": PASSWORD}),
                   "no 'Flagged' sheet")
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    one_line_error(run("review", "import", text, "--reviewer", "ana", "--db", db, env={"SCREENING_PASSWORD": PASSWORD}),
                   "cannot be read as an xlsx report")


def test_screen_with_an_unusable_decisions_db_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    one_line_error(run("screen", SAMPLE, "--decisions", tmp_path / "file" / "x.db", "--out", tmp_path / "r.json"),
                   "cannot open the review database")
    assert not (tmp_path / "r.json").exists()

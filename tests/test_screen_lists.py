"""End to end against the real OFAC and UN files: import into a store, screen suppliers, read the evidence."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from screening.lists.store import ListStore
from screening.reports import report_json
from screening.screen import lists_from_store, screen

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the project")

SUPPLIERS = """\
Supplier Name,Country,Registration No.,Parent Company
Korea Daesong General Trading Corp.,North Korea,,
KOREA DAESONG GENERAL TRADNG CORPORATION,,,
Sinotrans Logistics,China,,Korea Mining Development Trading Corporation
Ocean Star Shipping,Panama,IMO 8660313,
Korea General Trading Co. Ltd.,Republic of Korea,,
Rheinland Softwarehaus GmbH,Germany,,
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lists")
    store = ListStore(root)
    store.import_list(SHARED / "ofac_sdn_latest", "ofac-sdn")
    store.import_list(SHARED / "un_consolidated" / "consolidated.xml", "un")
    return root


@pytest.fixture(scope="module")
def report(store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    sheet = tmp_path_factory.mktemp("in") / "suppliers.csv"
    sheet.write_text(SUPPLIERS, encoding="utf-8")
    return report_json(screen([sheet], lists=lists_from_store(store)))


def _row(report: dict, name: str) -> dict:
    return next(r for r in report["rows"] if r["fields"]["name"] == name)


def test_manifest_records_each_list_version(report: dict) -> None:
    lists = {entry["source"]: entry for entry in report["manifest"]["lists"]}
    assert set(lists) == {"ofac-sdn", "un"}
    assert lists["ofac-sdn"]["entries"] == 15443
    assert lists["un"]["published"] == "2026-02-27"
    assert all(len(entry["sha256"]) == 64 for entry in lists.values())


def test_designated_dprk_company_is_critical_with_explained_evidence(report: dict) -> None:
    row = _row(report, "Korea Daesong General Trading Corp.")
    assert row["band"] == "critical"
    hit = next(h for h in row["hits"] if h["rule"] == "SANC-DPRK-001")
    evidence = hit["evidence"]
    assert evidence["field"] == "name"
    assert "DAESONG" in evidence["matched"].upper()
    assert evidence["matched"].startswith(("ofac-sdn ", "un "))
    assert evidence["similarity"] >= 88


def test_typo_and_parent_are_found(report: dict) -> None:
    assert _row(report, "KOREA DAESONG GENERAL TRADNG CORPORATION")["band"] == "critical"
    parent = _row(report, "Sinotrans Logistics")
    hit = next(h for h in parent["hits"] if h["rule"] == "SANC-DPRK-001")
    assert hit["evidence"]["field"] == "parent"


def test_exact_imo_is_critical_whatever_the_name(report: dict) -> None:
    row = _row(report, "Ocean Star Shipping")
    hit = next(h for h in row["hits"] if h["rule"] == "SANC-ID-001")
    assert hit["evidence"]["field"] == "registration_id"
    assert "8660313" in hit["evidence"]["matched"]
    assert row["band"] == "critical"


def test_ordinary_names_are_not_list_hits(report: dict) -> None:
    for name in ("Korea General Trading Co. Ltd.", "Rheinland Softwarehaus GmbH"):
        row = _row(report, name)
        assert not [h for h in row["hits"] if h["rule"].startswith("SANC-")], row["hits"]


def test_cli_lists_import_then_screen(tmp_path: Path) -> None:
    env = {"SCREENING_NO_PROGRESS": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    store = tmp_path / "store"
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "screening", *map(str, args)], capture_output=True, text=True, env=env, cwd=ROOT
    )
    imported = run("lists", "import", SHARED / "un_consolidated" / "consolidated.xml", "--source", "un", "--lists", store)
    assert imported.returncode == 0, imported.stderr
    sheet = tmp_path / "s.csv"
    sheet.write_text("Supplier Name\nKorea Mining Development Trading Corporation\n", encoding="utf-8")
    out = tmp_path / "r.json"
    screened = run("screen", sheet, "--lists", store, "--out", out, "--fail-on", "critical")
    assert screened.returncode == 1, screened.stderr  # a critical row reached --fail-on
    assert "warning" not in screened.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["manifest"]["lists"][0]["source"] == "un"
    assert data["rows"][0]["band"] == "critical"


def test_a_big_input_screened_on_workers_equals_one_process(store: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Over PREFORK_MIN_BYTES, list workers are forked before the input is read and score its names while
    the other rules run: the report is the one a single process writes, and no worker is left behind."""
    import multiprocessing

    from screening.engine.lists import PREFORK_MIN_BYTES

    first = ["Golden", "Pacific", "Hengli", "Dandong", "Koryo", "Sunrise", "Baltic", "Minh", "Orion", "Jade"]
    second = ["Xinyuan", "Haixing", "Tangun", "Ryonbong", "Vektor", "Phat", "Meridian", "Lotus", "Atlas"]
    rows = [f"{a} {b} {n} Trading Co.,China,,,{'x' * 200}" for n in range(60) for a in first for b in second]
    sheet = tmp_path / "vendor-master.csv"
    sheet.write_text(SUPPLIERS.replace("Parent Company\n", "Parent Company,Notes\n") + "\n".join(rows) + "\n",
                     encoding="utf-8")
    assert sheet.stat().st_size >= PREFORK_MIN_BYTES

    def screened(workers: str) -> dict:
        monkeypatch.setenv("SCREENING_WORKERS", workers)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
        return report_json(screen([sheet], lists=lists_from_store(store)))

    on_workers = screened("2")
    assert multiprocessing.active_children() == []
    assert on_workers == screened("1")
    assert _row(on_workers, "Korea Daesong General Trading Corp.")["band"] == "critical"
    assert len(on_workers["rows"]) == len(rows) + 6


def test_a_big_workbook_has_its_names_scored_while_its_rows_are_read(store: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A big workbook's names go to the list workers as soon as calamine has parsed it (intake names_found),
    the rest of the searched names (parent companies) once it is read: the report is one process's."""
    import multiprocessing

    import openpyxl

    from screening.engine import lists as engine_lists

    monkeypatch.setattr(engine_lists, "PREFORK_MIN_BYTES", 1000)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Vendor master, exported 2026-11-01"])
    sheet.append([])
    sheet.append(["Supplier Name", "Country", "Registration No.", "Parent Company"])
    for n in range(3000):
        sheet.append([f"Supplier {n} Haixing Dandong Trading", "China", None, f"Holding {n % 700} Ltd"])
    sheet.append(["Korea Daesong General Trading Corp.", "North Korea", None, None])
    sheet.append(["Pacific Lotus Ltd", "Singapore", None, "Korea Daesong General Trading Corp."])
    path = tmp_path / "vendor-master.xlsx"
    book.save(path)
    told: list[int] = []
    start_names = engine_lists.ListCatalog.start_names
    monkeypatch.setattr(engine_lists.ListCatalog, "start_names",
                        lambda self, names: (told.append(len(names)), start_names(self, names))[1])

    def screened(workers: str) -> dict:
        monkeypatch.setenv("SCREENING_WORKERS", workers)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
        return report_json(screen([path], lists=lists_from_store(store)))

    on_workers = screened("2")
    assert told == [3002]
    assert multiprocessing.active_children() == []
    assert on_workers == screened("1")
    assert told == [3002]  # one process: nothing told ahead
    assert _row(on_workers, "Korea Daesong General Trading Corp.")["band"] == "critical"
    assert _row(on_workers, "Pacific Lotus Ltd")["band"] == "critical"  # its parent, scored after the read


def test_a_big_workbook_is_checked_in_a_child_while_the_index_is_built(store: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A big workbook's safety checks run in a forked child (intake.ChecksAhead) during the index build: its
    refusal reaches the user word for word, the reading process does not check again, no child is left."""
    import multiprocessing

    import screening.intake as intake
    from screening.engine.lists import PREFORK_MIN_BYTES
    from screening.errors import InputError
    from tests.hostile import corpus

    path = corpus.bomb_xlsx(tmp_path / "liar.xlsx", inflated_mib=3072, declared_bytes=1000)
    assert path.stat().st_size >= PREFORK_MIN_BYTES
    checked_here: list[str] = []
    real = intake.check_workbook
    monkeypatch.setattr(intake, "check_workbook", lambda *args: (checked_here.append(args[0]), real(*args)))
    monkeypatch.setenv("SCREENING_WORKERS", "2")
    with pytest.raises(InputError) as refused:
        screen([path], lists=lists_from_store(store))
    assert str(refused.value) == (f"{path}: part xl/worksheets/sheet1.xml holds more data than the archive states "
                                  "(1000 bytes); the file is damaged or crafted; re-save it from Excel as .xlsx")
    assert checked_here == []
    assert multiprocessing.active_children() == []
    monkeypatch.setenv("SCREENING_WORKERS", "1")  # no index built ahead: the reading process checks
    with pytest.raises(InputError, match="holds more data than the archive states"):
        screen([path], lists=lists_from_store(store))
    assert checked_here == [str(path)]

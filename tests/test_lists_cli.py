"""`screening lists import | show | update`: output lines, exit codes, one-line errors.

Each test runs the real command in a subprocess. Where a test needs the fake parser or a local
download server, a small bootstrap (`python -c`) registers them and then runs the same
`screening.cli.main` that `python -m screening` runs.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_lists_store import DATA, ROUTES, fake_list, server, write  # noqa: F401 (server: fixture)

ROOT = Path(__file__).resolve().parent.parent
ENV = {"SCREENING_NO_PROGRESS": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "no_proxy": "*"}
FAKE = "tests.test_lists_store:fake_parse"
BOOTSTRAP = """
import json, os, sys
import screening.lists, screening.lists.download as download
config = json.loads(os.environ["LISTS_TEST_CONFIG"])
screening.lists.PARSERS.update(config.get("parsers", {}))
if "urls" in config:
    download.OFFICIAL_URLS.clear()
    download.OFFICIAL_URLS.update(config["urls"])
from screening.cli import main
main()
"""


def run(*args: str | Path, env: dict[str, str] | None = None, fake: bool = False,
        urls: dict[str, list[str]] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**ENV, **(env or {})}
    if fake or urls is not None:
        config = {"parsers": {s: FAKE for s in ("un", "uk", "eu")}, **({"urls": urls} if urls is not None else {})}
        command = [sys.executable, "-c", BOOTSTRAP, *map(str, args)]
        env["LISTS_TEST_CONFIG"] = json.dumps(config)
    else:
        command = [sys.executable, "-m", "screening", *map(str, args)]
    return subprocess.run(command, check=False, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_import_prints_summary_and_warnings(tmp_path: Path) -> None:
    data = fake_list("un", 3)
    path = write(tmp_path / "in" / "consolidated.lst", data)
    result = run("lists", "import", path, "--source", "un", "--lists", tmp_path / "store", fake=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"imported un: 3 entries, published 2026-01-02, sha256 {hashlib.sha256(data).hexdigest()}"
    assert lines[1].startswith("version ") and str(tmp_path / "store" / "un") in lines[1]
    assert result.stderr == "warning: 1 fake warning\n"
    assert (tmp_path / "store" / "un" / "CURRENT").is_file()


def test_import_without_published_date_says_not_stated(tmp_path: Path) -> None:
    path = write(tmp_path / "in" / "x.lst", fake_list("uk", 1, published=None))
    result = run("lists", "import", path, "--source", "uk", "--lists", tmp_path / "s", fake=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported uk: 1 entries, published not stated, sha256 ")


def test_import_unknown_or_missing_source_lists_the_allowed_values(tmp_path: Path) -> None:
    allowed = "ofac-sdn, ofac-cons, ofac-xml, un, eu, uk, opensanctions"
    assert_one_line_error(run("lists", "import", tmp_path, "--source", "unsc", "--lists", tmp_path), "'unsc'", allowed)
    assert_one_line_error(run("lists", "import", tmp_path, "--lists", tmp_path), "--source is required", allowed)


def test_import_missing_or_unparseable_file_stores_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert_one_line_error(
        run("lists", "import", tmp_path / "nope.lst", "--source", "un", "--lists", store, fake=True),
        str(tmp_path / "nope.lst"), "does not exist",
    )
    bad = write(tmp_path / "in" / "bad.lst", b"not a list\n")
    assert_one_line_error(run("lists", "import", bad, "--source", "un", "--lists", store, fake=True), "not a fake list")
    assert not (store / "un").exists() or not any((store / "un").iterdir())


def test_show_empty_store_says_how_to_import(tmp_path: Path) -> None:
    result = run("lists", "show", "--lists", tmp_path / "empty")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"list store: {tmp_path / 'empty'}"
    assert "screening lists import PATH --source ofac-sdn|" in result.stdout
    assert "screening lists update" in result.stdout


def test_show_table_sorted_by_source_from_env_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = {"SCREENING_LISTS_DIR": str(store)}  # no --lists: the environment variable decides
    for source, n in (("un", 12), ("eu", 3)):
        path = write(tmp_path / source / "l.lst", fake_list(source, n))
        assert run("lists", "import", path, "--source", source, env=env, fake=True).returncode == 0
    result = run("lists", "show", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"list store: {store}"
    assert lines[1].split() == ["source", "published", "entries", "sha256", "imported", "at"]
    eu, un = (line.split() for line in lines[2:])
    un_sha = hashlib.sha256(fake_list("un", 12)).hexdigest()
    assert un[:4] == ["un", "2026-01-02", "12", un_sha[:16]] and un[4].endswith("Z")
    assert eu[0] == "eu" and eu[2] == "3"
    assert len(lines) == 4


def test_show_damaged_store_exits_2_naming_the_path(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "un").mkdir(parents=True)
    (store / "un" / "CURRENT").write_text("20260101T000000Z-0123456789ab\n")
    assert_one_line_error(run("lists", "show", "--lists", store), str(store / "un"), "screening lists import")


def test_update_reports_each_source_and_exits_2_when_one_failed(tmp_path: Path, server: str) -> None:  # noqa: F811
    ROUTES.clear()
    ROUTES["/uk.lst"] = ("ok", fake_list("uk", 4))
    urls = {"uk": [f"{server}/uk.lst"], "un": [f"{server}/gone.lst"]}
    store = tmp_path / "store"
    result = run("lists", "update", "--lists", store, "--source", "uk", "--source", "un", urls=urls)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines()[0].startswith("uk: updated: 4 entries, published 2026-01-02, sha256 ")
    assert "EU list is never downloaded" in result.stdout
    errors = result.stderr.strip().splitlines()
    assert errors == [
        f"error: un: update failed: {server}/gone.lst: HTTP 404 Not Found; no version of it is stored yet"
    ]

    # By default only the sources already in the store are updated (un failed, so it is not there).
    result = run("lists", "update", "--lists", store, urls=urls)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("uk: unchanged since ")
    assert "un:" not in result.stdout

    ROUTES["/gone.lst"] = ("ok", fake_list("un", 2))  # back online
    result = run("lists", "update", "--lists", store, "--source", "un", urls=urls)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("un: updated: 2 entries")
    shown = run("lists", "show", "--lists", store)
    assert [line.split()[0] for line in shown.stdout.splitlines()[2:]] == ["uk", "un"]


def test_update_unknown_source_exits_2(tmp_path: Path) -> None:
    assert_one_line_error(run("lists", "update", "--lists", tmp_path, "--source", "ofac"), "'ofac'", "ofac-sdn")


# ---- the real parsers and the publishers' files -------------------------------------------------


def _needs(module: str) -> None:
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is absent")
    pytest.importorskip(module)


def test_real_un_import_and_show(tmp_path: Path) -> None:
    _needs("screening.lists.un_xml")
    xml = DATA / "un_consolidated" / "consolidated.xml"
    result = run("lists", "import", xml, "--source", "un", "--lists", tmp_path)
    assert result.returncode == 0, result.stderr
    sha = hashlib.sha256(xml.read_bytes()).hexdigest()
    assert result.stdout.splitlines()[0] == f"imported un: 1003 entries, published 2026-02-27, sha256 {sha}"
    shown = run("lists", "show", "--lists", tmp_path).stdout.splitlines()
    assert shown[2].split()[:4] == ["un", "2026-02-27", "1003", sha[:16]]


def test_real_ofac_sdn_folder_import_prints_warnings(tmp_path: Path) -> None:
    _needs("screening.lists.ofac_csv")
    result = run("lists", "import", DATA / "ofac_sdn_2022-01-31", "--source", "ofac-sdn", "--lists", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported ofac-sdn: 9044 entries, published not stated, sha256 ")
    assert "warning: 1 address row" in result.stderr and "Traceback" not in result.stderr

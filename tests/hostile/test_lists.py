"""Hostile publisher files through `screening lists import`: refused in one line, the store's current version kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screening.cli import app
from screening.lists.store import ListStore
from tests.fuzz.targets import _UN_SEED
from tests.hostile.conftest import ENV, sha256
from tests.hostile.corpus import BILLION_LAUGHS, EXTERNAL_ENTITY

ROOT = Path(__file__).resolve().parents[2]
LISTS = ROOT / "tests" / "data" / "lists"
REAL_UN = ROOT.parent / "shared" / "data" / "un_consolidated" / "consolidated.xml"

# source -> (file name, a valid file's text, the text an entity reference replaces)
PUBLISHERS = {
    "ofac-xml": ("sdn.xml", (LISTS / "ofac" / "sdn_sample.xml").read_text(encoding="utf-8"), "BANCO NACIONAL DE CUBA"),
    "un": ("consolidated.xml", _UN_SEED, "KOMID"),
    "eu": ("xmlFullSanctionsList_1_1.xml",
           (LISTS / "eu" / "xmlFullSanctionsList_1_1.xml").read_text(encoding="utf-8"), "KOREA"),
}


def lists(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["lists", *map(str, args)], env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def hostile(text: str, doctype: str, entity: str, where: str) -> str:
    body = text.split("?>", 1)[1] if text.lstrip().startswith("<?xml") else text
    assert where in body
    return doctype + body.replace(where, f"&{entity};", 1)


@pytest.mark.parametrize("attack", ["entity-expansion", "external-entity"])
@pytest.mark.parametrize("source", sorted(PUBLISHERS))
def test_entities_in_list_xml_refused_and_the_current_version_kept(tmp_path: Path, source: str, attack: str) -> None:
    name, text, where = PUBLISHERS[source]
    store = tmp_path / "store"
    good = tmp_path / "good" / name
    good.parent.mkdir()
    good.write_text(text, encoding="utf-8")
    code, _, stderr = lists("import", good, "--source", source, "--lists", store)
    assert code == 0, stderr
    current = ListStore(store).current_of(source)
    assert current is not None

    doctype, entity = (BILLION_LAUGHS, "lol4") if attack == "entity-expansion" else (EXTERNAL_ENTITY, "xxe")
    bad = tmp_path / "bad" / name
    bad.parent.mkdir()
    bad.write_text(hostile(text, doctype, entity, where), encoding="utf-8")
    before = sha256(bad)
    code, stdout, stderr = lists("import", bad, "--source", source, "--lists", store)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: the XML declares a DTD or entities, refused for safety")
    assert "Traceback" not in stderr and "root:" not in stderr + stdout
    assert sha256(bad) == before
    assert ListStore(store).current_of(source) == current  # the store still screens with the good version


@pytest.mark.skipif(not REAL_UN.is_file(), reason="needs ../shared/data (the real UN list)")
def test_kill_during_import_keeps_the_previous_version(tmp_path: Path) -> None:
    store = tmp_path / "store"
    seed = tmp_path / "seed" / "consolidated.xml"
    seed.parent.mkdir()
    seed.write_text(_UN_SEED, encoding="utf-8")
    assert lists("import", seed, "--source", "un", "--lists", store)[0] == 0
    previous = ListStore(store).current_of("un")
    env = {**{k: v for k, v in ENV.items() if v is not None}, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    for delay in (1.5, 2.5, 3.5):  # start-up, parsing, writing the new version: wherever it lands
        process = subprocess.Popen(
            [sys.executable, "-m", "screening", "lists", "import", str(REAL_UN), "--source", "un", "--lists", str(store)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT,
        )
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=60)
        current = ListStore(store).current_of("un")
        assert current is not None
        # Either the previous version, or the new one complete (the kill came after its CURRENT switch).
        assert current == previous or current.entries > previous.entries
        assert len(ListStore(store).load_entries(current)) == current.entries  # complete and verified
        previous = current

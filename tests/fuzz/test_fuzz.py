"""The fuzzing harness in CI: every crash found so far stays fixed, and a short seeded run per target.

The longer run (minutes per target) is documented in tests/README.md with its figures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.targets import TARGETS, run_one

ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = Path(__file__).parent / "regressions"
RUNS = 120  # inputs per target: about 60 s for all targets together on two cores

CASES = sorted((folder.name, file) for folder in REGRESSIONS.iterdir() for file in folder.iterdir())


@pytest.mark.parametrize("target, file", CASES, ids=[f"{t}/{f.name}" for t, f in CASES])
def test_crash_found_by_fuzzing_stays_fixed(target: str, file: Path) -> None:
    run_one(target, file.read_bytes())  # read or refused with ScreeningError; anything else fails here


def test_every_target_has_seeds() -> None:
    assert all(seeds() for _, seeds in TARGETS.values())


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_short_fuzz_run(target: str, tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    result = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.run", target, "--runs", str(RUNS), "--seed", "7", "--corpus", str(tmp_path / "corpus")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SCREENING_NO_PROGRESS": "1"},
    )
    output = result.stdout + result.stderr
    crash = re.search(r"Uncaught Python exception.*|deadly signal|out-of-memory|timeout after", output)
    assert result.returncode == 0 and crash is None, output[-4000:]
    assert re.search(rf"Done {RUNS} runs in \d+ second", output), output[-2000:]
    assert not list(tmp_path.glob("crash-*"))

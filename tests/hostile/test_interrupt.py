"""Nothing lost when a run is stopped: Ctrl-C (SIGINT) or a kill (SIGKILL) in the middle of a real screen.

The command runs as a subprocess on a file large enough to take several seconds. Ctrl-C must end
it with exit code 130, one line and no traceback, no report under the final name and no
temporary file left; SIGKILL cannot clean up, but the final name must still never hold a partial
report (the report is written to a temporary file and renamed only when complete).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.hostile.conftest import sha256

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SCREENING_NO_PROGRESS": "1",
    "SOURCE_DATE_EPOCH": "1790000000", "SCREENING_LISTS_DIR": tempfile.mkdtemp(prefix="screening-no-lists-"),
}
INTERRUPTED = "error: interrupted; no report was written under the final name"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _vendor_master(path: Path, rows: int) -> Path:
    names = [f"Supplier {i} Trading Co" for i in range(39)] + ["Hunchun Ocean Seafood Co"]
    countries = ["Germany", "China", "Poland", "Russia"]
    lines = ["Supplier Name,Country,City"] + [
        f"{names[i % 40]},{countries[i % 4]},City {i % 7}" for i in range(rows)
    ]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50,000 rows over 40 distinct suppliers: quick to screen, seconds to write as xlsx."""
    return _vendor_master(tmp_path_factory.mktemp("big") / "vendor-master.csv", 50_000)


@pytest.fixture(scope="module")
def bigger_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400,000 rows: a run that still screens 4 s after it started, however fast the pipeline gets."""
    return _vendor_master(tmp_path_factory.mktemp("bigger") / "vendor-master.csv", 400_000)


def start(big_input: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "screening", "screen", str(big_input), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
    )


def wait_for_temp_file(process: subprocess.Popen[str], out: Path, timeout: float = 240) -> Path:
    """Poll until the report's temporary file appears: the run is then writing the report."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.name.endswith(".tmp")]
        if found:
            return found[0]
        if process.poll() is not None:
            pytest.fail(f"the run ended before writing its report: {process.returncode} {process.stderr.read()}")
        time.sleep(0.005)
    process.kill()
    pytest.fail("the report's temporary file never appeared")


def assert_clean_interrupt(process: subprocess.Popen[str], out: Path) -> None:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, (stdout, stderr)
    assert stderr.strip().splitlines() == [INTERRUPTED]
    assert "Traceback" not in stderr
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no temporary file either


def test_ctrl_c_while_screening(bigger_input: Path, tmp_path: Path) -> None:
    before = sha256(bigger_input)
    out = tmp_path / "report.xlsx"
    process = start(bigger_input, out)
    time.sleep(4)  # past start-up, reading the input or screening it
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    assert_clean_interrupt(process, out)
    assert sha256(bigger_input) == before


def test_ctrl_c_while_writing_the_report(big_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    process = start(big_input, out)
    wait_for_temp_file(process, out)
    process.send_signal(signal.SIGINT)
    assert_clean_interrupt(process, out)


def test_kill_while_writing_never_leaves_a_partial_report(big_input: Path, tmp_path: Path) -> None:
    before = sha256(big_input)
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"previous complete report")  # a report from an earlier run stays as it was
    process = start(big_input, out)
    temp = wait_for_temp_file(process, out)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert out.read_bytes() == b"previous complete report"
    assert sha256(big_input) == before
    # SIGKILL allows no clean-up: the partial file stays hidden under its temporary name only.
    assert {p.name for p in tmp_path.iterdir()} <= {out.name, temp.name}


# The screen step is replaced by one that is interrupted inside code run by exec(), as when Ctrl-C lands while a
# dataclass or a gettext plural rule is being built: CPython's `python -m` then dies by SIGINT (-2) at exit,
# whatever code the handled interrupt asked for, unless the CLI ends the run itself.
INTERRUPTED_IN_EXEC = """
import os, signal, time
import screening.screen
from screening.cli import main

def interrupted_in_exec(*args, **kwargs):
    exec("os.kill(os.getpid(), signal.SIGINT)\\nfor _ in range(100):\\n    time.sleep(0.1)")

screening.screen.screen = interrupted_in_exec
main()
"""


def test_ctrl_c_inside_exec_code_still_exits_130(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "interrupted_cli.py").write_text(INTERRUPTED_IN_EXEC, encoding="utf-8")
    source = _vendor_master(tmp_path / "vendor-master.csv", 3)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "interrupted_cli", "screen", str(source), "--out", str(out_dir / "report.xlsx")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**ENV, "PYTHONPATH": f"{probe}{os.pathsep}{ROOT}"}, cwd=probe,
    )
    assert_clean_interrupt(process, out_dir / "report.xlsx")

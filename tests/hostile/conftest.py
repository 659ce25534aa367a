"""Run the real `screening screen` command on a corpus file and check what every outcome owes the user.

Whatever the file, the input is never changed (sha256 before and after), nothing but
ScreeningError escapes, and stderr never holds a traceback. A refused file (exit 2) gets one line
that names the file and leaves no report behind.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from screening.cli import app

EMPTY_STORE = tempfile.mkdtemp(prefix="screening-hostile-no-lists-")
ENV = {
    "SCREENING_NO_PROGRESS": "1",
    "SOURCE_DATE_EPOCH": "1790000000",
    "SCREENING_LISTS_DIR": EMPTY_STORE,
    "SCREENING_DEBUG": None,
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None  # the JSON report when one was written

    @property
    def error(self) -> str:
        """The one error line (exit 2), without its 'error: ' prefix."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert lines[0].startswith("error: "), lines
        return lines[0].removeprefix("error: ")

    def rows(self) -> dict[int, dict[str, Any]]:
        assert self.report is not None
        return {row["row"]: row for row in self.report["rows"]}

    def errors(self) -> list[tuple[str | None, int | None, str]]:
        assert self.report is not None
        return [(e["sheet"], e["row"], e["reason_code"]) for e in self.report["errors"]]


def screen(path: Path, out_dir: Path, *options: str, env: dict[str, str] | None = None, fmt: str = "json") -> Outcome:
    """`screening screen PATH --out out_dir/report.FMT` in-process; the input's bytes are checked unchanged."""
    before = sha256(path)
    out = out_dir / f"report.{fmt}"
    result = CliRunner().invoke(app, ["screen", str(path), "--out", str(out), *options], env={**ENV, **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("crash: " + "".join(traceback.format_exception(result.exception)))
    assert sha256(path) == before, f"{path} was modified"
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    leftovers = [p.name for p in out_dir.iterdir() if p.name.startswith(f".{out.name}.")]
    assert leftovers == [], leftovers
    report = None
    if result.exit_code == 2:
        assert not out.exists(), "a refused input must leave no report"
    elif out.exists() and fmt == "json":
        report = json.loads(out.read_text(encoding="utf-8"))
    return Outcome(result.exit_code, result.stdout, result.stderr, report)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder

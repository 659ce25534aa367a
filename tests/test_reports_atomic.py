"""Atomic writes: a report under its final name is complete, and never replaces an input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import pytest

from screening import reports
from screening.errors import ReportError
from screening.model import ScreeningResult
from screening.reports import atomic
from screening.reports.atomic import atomic_write
from tests.report_factory import make_result


def _boom_midway(result: ScreeningResult, fh: BinaryIO) -> None:
    fh.write(b'{"manifest": ')  # half a report already in the file
    raise RuntimeError("disk on fire")


def test_success_leaves_only_the_report(tmp_path: Path) -> None:
    out = reports.write_report(make_result(), tmp_path / "r.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    assert out.read_bytes().endswith(b"}\n")


@pytest.mark.parametrize("fmt", reports.FORMATS)
def test_failure_midway_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.setitem(reports._WRITERS, fmt, _boom_midway)
    with pytest.raises(RuntimeError, match="disk on fire"):
        reports.write_report(make_result(), tmp_path / f"r.{fmt}")
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_the_previous_report_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.json"
    out.write_text("previous complete report\n")
    monkeypatch.setitem(reports._WRITERS, "json", _boom_midway)
    with pytest.raises(RuntimeError):
        reports.write_report(make_result(), out)
    assert out.read_text() == "previous complete report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_ctrl_c_removes_the_temp_file(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), atomic_write(tmp_path / "r.csv") as fh:
        fh.write(b"partial")
        assert len(list(tmp_path.iterdir())) == 1  # the temp file, not yet the report
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_temp_file_lives_beside_the_report(tmp_path: Path) -> None:
    with atomic_write(tmp_path / "r.csv") as fh:
        fh.write(b"x")
        [tmp] = list(tmp_path.iterdir())  # same folder, so the final rename is atomic
        assert tmp.name.startswith(".r.csv.") and tmp.name.endswith(".tmp")
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]
    assert (tmp_path / "r.csv").read_bytes() == b"x"


def test_replaces_an_existing_report(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_text("old")
    reports.write_report(make_result(), out)
    assert out.read_text("utf-8").startswith("{")


def test_new_report_permissions_follow_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = reports.write_report(make_result(), tmp_path / "r.json")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644  # not the 0o600 of a mkstemp file


def test_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    src = tmp_path / "suppliers.csv"
    src.write_text("name\nAcme\n")
    with pytest.raises(ReportError) as err:
        reports.write_report(make_result(), src, "csv", inputs=[tmp_path / "other.xlsx", src])
    assert str(src) in str(err.value) and "--out" in str(err.value)
    assert src.read_text() == "name\nAcme\n"


def test_refuses_an_input_under_another_spelling(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    src = tmp_path / "suppliers.csv"
    src.write_text("name\n")
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    for out in (tmp_path / "sub" / ".." / "suppliers.csv", link):
        with pytest.raises(ReportError, match="overwrite the input"):
            reports.write_report(make_result(), out, "csv", inputs=[src])
    assert src.read_text() == "name\n"


def test_refuses_a_missing_input_path_by_resolved_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ReportError, match="overwrite the input"):
        reports.write_report(make_result(), tmp_path / "gone.json", inputs=[Path("gone.json")])


def test_other_inputs_do_not_block(tmp_path: Path) -> None:
    src = tmp_path / "suppliers.csv"
    src.write_text("name\n")
    out = reports.write_report(make_result(), tmp_path / "report.csv", inputs=[src])
    assert out.exists() and src.read_text() == "name\n"


def test_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="is a folder") as err:
        reports.write_report(make_result(), tmp_path, "json")
    assert str(tmp_path) in str(err.value)


def test_refuses_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "nope" / "r.json"
    with pytest.raises(ReportError, match="does not exist") as err:
        reports.write_report(make_result(), out)
    assert str(tmp_path / "nope") in str(err.value)
    assert not (tmp_path / "nope").exists()


def test_refuses_a_special_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ReportError, match="not a regular file"):
        reports.write_report(make_result(), fifo)


def test_unwritable_folder_is_a_report_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "open", denied)  # chmod alone would not stop root
    with pytest.raises(ReportError, match="cannot create a file in .*Permission denied"):
        reports.write_report(make_result(), tmp_path / "r.json")


def test_disk_full_is_a_report_error_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(result: ScreeningResult, fh: BinaryIO) -> None:
        fh.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(reports._WRITERS, "csv", full)
    with pytest.raises(ReportError, match="No space left on device") as err:
        reports.write_report(make_result(), tmp_path / "r.csv")
    assert str(tmp_path / "r.csv") in str(err.value)
    assert list(tmp_path.iterdir()) == []

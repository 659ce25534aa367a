"""Long reports rendered on several cores give the bytes one process writes, whatever a child does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screening.reports import shares, write_report
from screening.reports.json_report import write_json
from tests.report_factory import make_result, make_rows, with_rows


def _long_result(copies: int = 40):  # type: ignore[no-untyped-def]
    rows = [row for _ in range(copies) for row in make_rows()]
    return with_rows(make_result(), rows)


def _report(tmp_path: Path, name: str, workers: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv("SCREENING_WORKERS", workers)
    out = write_report(_long_result(), tmp_path / name)
    return out.read_bytes()


@pytest.fixture
def small_shares(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Shares of 10 rows and up, and the pid of every child forked."""
    monkeypatch.setattr(shares, "SHARE_MIN_ITEMS", 10)
    forked: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(shares.os, "fork", counted)
    return forked


def test_shares_cover_the_items_in_order() -> None:
    assert shares._shares(10, 4) == [(0, 10)]  # under SHARE_MIN_ITEMS: one share, no child
    assert shares._shares(3 * shares.SHARE_MIN_ITEMS + 1, 3) == [
        (0, 50_000), (50_000, 100_000), (100_000, 150_001)]
    assert shares._shares(10 * shares.SHARE_MIN_ITEMS, 1) == [(0, 500_000)]
    assert shares._shares(0, 2) == [(0, 0)]


def test_json_rendered_by_children_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     small_shares: list[int]) -> None:
    alone = _report(tmp_path, "alone.json", "1", monkeypatch)
    assert small_shares == []
    shared = _report(tmp_path, "shared.json", "3", monkeypatch)
    assert len(small_shares) == 2  # three shares: two children
    assert shared == alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alone.json", "shared.json"]  # no temporary file left


def test_a_failing_child_costs_time_not_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              small_shares: list[int]) -> None:
    alone = _report(tmp_path, "alone.json", "1", monkeypatch)
    parent = os.getpid()
    real = shares._render_and_exit

    def crashing(spill, start, stop, write_share, blocked):  # type: ignore[no-untyped-def]
        def broken(fh, start, stop):  # type: ignore[no-untyped-def]
            assert os.getpid() != parent
            fh.write(b"half a share")
            raise OSError(28, "No space left on device")

        real(spill, start, stop, broken, blocked)

    monkeypatch.setattr(shares, "_render_and_exit", crashing)
    shared = _report(tmp_path, "shared.json", "2", monkeypatch)
    assert len(small_shares) == 1
    assert shared == alone  # the parent rendered the failed share itself
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alone.json", "shared.json"]


def test_an_interrupted_parent_leaves_no_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               small_shares: list[int]) -> None:
    monkeypatch.setenv("SCREENING_WORKERS", "2")
    parent = os.getpid()

    def stopped(fh, start, stop):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            raise KeyboardInterrupt
        import time
        time.sleep(30)  # a slow child: the parent must not wait for it

    with open(tmp_path / "report.json", "wb") as fh, pytest.raises(KeyboardInterrupt):
        shares.write_shares(fh, 40, stopped)
    assert len(small_shares) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(small_shares[0], os.WNOHANG)  # killed and reaped
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_in_memory_report_is_unchanged(monkeypatch: pytest.MonkeyPatch, small_shares: list[int]) -> None:
    import io

    result = _long_result(5)
    monkeypatch.setenv("SCREENING_WORKERS", "1")
    alone = io.BytesIO()
    write_json(result, alone)
    monkeypatch.setenv("SCREENING_WORKERS", "2")
    shared = io.BytesIO()
    write_json(result, shared)  # no file name: the children's files go to the temporary folder
    assert len(small_shares) == 1
    assert shared.getvalue() == alone.getvalue()

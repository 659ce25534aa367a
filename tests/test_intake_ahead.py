"""Workbook safety checks started ahead in a child process: same verdicts, never skipped, never run twice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import screening.intake as intake
from screening.errors import InputError
from screening.intake import ChecksAhead, Limits, read_inputs
from screening.intake.formats import Format
from tests.hostile import corpus

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="checks ahead need fork (POSIX)")


def _liar(tmp_path: Path) -> Path:
    """A workbook whose sheet inflates far past the size its zip directory states."""
    return corpus.bomb_xlsx(tmp_path / "liar.xlsx", inflated_mib=64, declared_bytes=1000)


def _refusal(path: Path, limits: Limits) -> str:
    with pytest.raises(InputError) as caught:
        intake.check_workbook(str(path), Format.XLSX, limits)
    return str(caught.value)


@pytest.fixture
def checks_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths read_inputs checks in this process (the child, forked before, keeps the real check)."""
    checked: list[str] = []
    real = intake.check_workbook

    def spy(path: str, fmt: Format, limits: Limits) -> None:
        checked.append(path)
        real(path, fmt, limits)

    monkeypatch.setattr(intake, "check_workbook", spy)
    return checked


def test_refusal_found_ahead_is_raised_by_the_reader_word_for_word(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, limits = _liar(tmp_path), Limits()
    expected = _refusal(path, limits)
    ahead = ChecksAhead([path], limits)
    checked: list[str] = []
    monkeypatch.setattr(intake, "check_workbook", lambda p, f, l: checked.append(p))  # would let it through
    try:
        with pytest.raises(InputError) as caught:
            read_inputs([path], limits=limits, ahead=ahead)
    finally:
        ahead.close()
    assert str(caught.value) == expected
    assert "holds more data than the archive states" in expected
    assert checked == []  # the verdict came from the child


def test_safe_workbook_is_read_without_a_second_check(tmp_path: Path, checks_here: list[str]) -> None:
    path = corpus.suppliers_xlsx(tmp_path / "suppliers.xlsx")
    limits = Limits()
    ahead = ChecksAhead([path], limits)
    try:
        found = read_inputs([path], limits=limits, ahead=ahead)
    finally:
        ahead.close()
    assert checks_here == []
    assert list(found.records["name"]) == ["Hunchun Ocean Seafood Processing Co", "Rheinland Softwarehaus GmbH"]


def test_a_dead_child_leaves_the_check_to_the_reader(tmp_path: Path, checks_here: list[str]) -> None:
    path, limits = _liar(tmp_path), Limits()
    ahead = ChecksAhead([path], limits)
    assert ahead._child is not None
    ahead._child.kill()
    ahead._child.join()
    try:
        with pytest.raises(InputError, match="holds more data than the archive states"):
            read_inputs([path], limits=limits, ahead=ahead)
    finally:
        ahead.close()
    assert checks_here == [str(path)]


def test_other_limits_are_checked_again(tmp_path: Path, checks_here: list[str]) -> None:
    """A verdict holds for the limits it was reached with: tighter ones are checked in this process."""
    path = corpus.suppliers_xlsx(tmp_path / "suppliers.xlsx")  # three rows
    tight = Limits(max_rows=2)
    ahead = ChecksAhead([path], Limits())
    try:
        with pytest.raises(InputError, match="over the 2 row limit"):
            read_inputs([path], limits=tight, ahead=ahead)
    finally:
        ahead.close()
    assert checks_here == [str(path)]


def test_close_stops_a_child_still_checking(tmp_path: Path) -> None:
    path = corpus.bomb_xlsx(tmp_path / "huge.xlsx", inflated_mib=1900)  # seconds of inflating
    ahead = ChecksAhead([path], Limits())
    child = ahead._child
    assert child is not None and child.is_alive()
    ahead.close()
    assert not child.is_alive()
    ahead.close()  # twice: nothing left to stop

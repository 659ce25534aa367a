"""The progress callback counts rows (so the bar can show rows per second and time left)."""

from pathlib import Path

from screening.screen import screen

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "suppliers-sample.xlsx"


def test_progress_counts_every_row_once() -> None:
    calls: list[tuple[str, int]] = []
    result = screen([SAMPLE], progress=lambda stage, steps: calls.append((stage, steps)))
    assert calls[0] == ("Screening rows", len(result.rows))
    advances = [steps for stage, steps in calls[1:]]
    assert all(stage == "" for stage, _ in calls[1:])
    assert all(steps > 0 for steps in advances) and sum(advances) == len(result.rows) == 22

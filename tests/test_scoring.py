"""Scoring contract: summed weights per pack, thresholds, fixed bands as floors, critical = 100."""

from screening.model import Band
from screening.rulepacks.schema import Thresholds
from screening.scoring import pack_score, row_score

T = Thresholds(review=20, high=50)


def test_bands_from_summed_weights() -> None:
    assert pack_score([], T) == (0, Band.CLEAR)
    assert pack_score([(15, None)], T) == (15, Band.CLEAR)
    assert pack_score([(15, None), (5, None)], T) == (20, Band.REVIEW)
    assert pack_score([(30, None), (20, None)], T) == (50, Band.HIGH)
    assert pack_score([(80, None), (70, None)], T) == (100, Band.HIGH)  # capped


def test_fixed_band_is_a_floor_and_critical_scores_100() -> None:
    assert pack_score([(10, "high")], T) == (10, Band.HIGH)
    assert pack_score([(0, "critical")], T) == (100, Band.CRITICAL)
    assert pack_score([(60, "review")], T) == (60, Band.HIGH)  # a floor never lowers the band


def test_row_takes_worst_band_and_highest_score_over_packs() -> None:
    assert row_score([(30, Band.REVIEW), (10, Band.HIGH)]) == (30, Band.HIGH)
    assert row_score([]) == (0, Band.CLEAR)

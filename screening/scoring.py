"""Hits -> score (0-100) and band, deterministically (design.md, Bands contract).

Each pack scores its own rules: the sum of the weights of its rules that fired, capped at 100, turned
into a band by the pack's thresholds. A rule with a fixed band raises the row to at least that band, and
`critical` (a sanctions-list match or a party in the DPRK) sets the score to 100. A row takes the worst
band and the highest score over all packs.
"""

from __future__ import annotations

from collections.abc import Iterable

from screening.model import Band
from screening.rulepacks.schema import Thresholds

MAX_SCORE = 100


def band_for(score: int, thresholds: Thresholds) -> Band:
    if score >= thresholds.high:
        return Band.HIGH
    if score >= thresholds.review:
        return Band.REVIEW
    return Band.CLEAR


def pack_score(fired: Iterable[tuple[int, str | None]], thresholds: Thresholds) -> tuple[int, Band]:
    """Score and band of one pack's fired rules, given as (weight, fixed band or None)."""
    total = 0
    floor = Band.CLEAR
    for weight, fixed in fired:
        total += weight
        if fixed is not None:
            floor = max(floor, Band.parse(fixed))
    score = min(total, MAX_SCORE)
    band = max(band_for(score, thresholds), floor)
    if band is Band.CRITICAL:
        score = MAX_SCORE
    return score, band


def row_score(per_pack: Iterable[tuple[int, Band]]) -> tuple[int, Band]:
    """Worst band and highest score over the packs that scored the row."""
    score, band = 0, Band.CLEAR
    for pack_points, pack_band in per_pack:
        score = max(score, pack_points)
        band = max(band, pack_band)
    return score, band

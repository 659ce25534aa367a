"""Decisions re-applied: confirmed false positives set aside, rows re-scored without them.

A post-processing step over a ScreeningResult, so the engine stays one-way: the engine finds every
hit, and this step moves a hit to `RowResult.suppressed` (with the decision: who proposed, who
confirmed, when, why) when a confirmed `false positive` covers the same supplier and the same hit
(keys.py). A new list entry, a new list version or changed evidence gives a new key, and the
alert is raised again.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine

from screening.model import Band, Hit, RowResult, ScreeningResult, Suppression
from screening.review.decisions import FALSE_POSITIVE, Proposal, in_force, proposals
from screening.review.keys import hit_key, list_versions, row_supplier_key
from screening.rulepacks.schema import Thresholds
from screening.scoring import pack_score, row_score


def apply_decisions(result: ScreeningResult, engine: Engine) -> ScreeningResult:
    """`result` with confirmed false positives suppressed; the input result is left unchanged."""
    keys = {row_supplier_key(row) for row in result.rows if row.hits}
    if not keys:
        return result
    decided = in_force(proposals(engine, status="confirmed", supplier_keys=keys))
    return suppress(result, decided)


def suppress(result: ScreeningResult, decided: dict[tuple[str, str], Proposal]) -> ScreeningResult:
    versions = list_versions(result.manifest)
    scorer = _Rescorer(result)
    rows: list[RowResult] = []
    for row in result.rows:
        if not row.hits:
            rows.append(row)
            continue
        supplier = row_supplier_key(row)
        kept: list[Hit] = []
        set_aside: list[Suppression] = list(row.suppressed)
        for hit in row.hits:
            decision = decided.get((supplier, hit_key(hit, versions)))
            if decision is not None and decision.decision == FALSE_POSITIVE and decision.resolution is not None:
                set_aside.append(Suppression(
                    hit=hit, decision_id=decision.id, proposed_by=decision.event.user,
                    confirmed_by=decision.resolution.user, confirmed_at=decision.resolution.at,
                    reason=decision.event.reason,
                ))
            else:
                kept.append(hit)
        if len(kept) == len(row.hits):
            rows.append(row)
            continue
        score, band = scorer.score(kept)
        rows.append(replace(row, hits=tuple(kept), suppressed=tuple(set_aside), score=score, band=band))
    return replace(result, rows=rows)


class _Rescorer:
    """The engine's scoring (screening.scoring) applied again to the hits that remain."""

    def __init__(self, result: ScreeningResult) -> None:
        self.rules = {r.id: r for r in result.rules}
        self.thresholds = {
            p.id: Thresholds(**dict(p.thresholds)) for p in result.manifest.rule_packs if p.thresholds
        }

    def score(self, hits: list[Hit]) -> tuple[int, Band]:
        per_pack: dict[str, list[tuple[int, str | None]]] = {}
        for hit in hits:
            rule = self.rules.get(hit.rule)
            pack = rule.pack if rule else ""
            per_pack.setdefault(pack, []).append((hit.weight, rule.band if rule else None))
        fallback = Thresholds(review=20, high=50)  # only for a hit whose rule is not in the result
        return row_score(
            pack_score(fired, self.thresholds.get(pack, fallback)) for pack, fired in per_pack.items()
        )

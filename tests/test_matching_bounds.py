"""The pair bounds never drop a pair that could score: every bound is at least the view it bounds."""

import numpy as np
import pytest

from screening.matching.normalize import normalize_name
from screening.matching.score import compare
from tests.matching_support import dprk_entries, full_index, perturbations

SUPPLIERS = [
    "Dandong Xiangyi Steel Group", "Dalian Haixing Seafood Co., Ltd.", "Golden Star Trading LLC",
    "Korea Ryonbong General Corp", "Ryonbong", "Kim Jong Un", "KIM, Jong-un", "Pak Il Gyu", "Chongchongang",
    "Koryo Link", "联鑫纺织有限公司", "ООО «Техно Элемент Урал»", "شركة النور الخليج للتجارة", "Ri Song Chol",
    "Anna K. Müller-Jinhai", "Atlas Deyang Packaging Ltd", "Ocean Maritime Management", "Mansudae Art Studio",
]


def _queries() -> list[str]:
    names = list(SUPPLIERS)
    for entry in dprk_entries()[::3]:
        for listed in entry.names[:2]:
            names += [listed.name, *(variant for _, variant in perturbations(entry, listed))]
    return names


@pytest.mark.parametrize("floor", [85.0, 67.0, 47.0])
def test_bounds_keep_every_pair_the_scorer_would_keep(floor: float) -> None:
    """On the real OFAC and UN names: views >= floor implies kept (the index then loses nothing)."""
    index = full_index()
    checked = dropped = 0
    for part in index._partitions:
        queries = [normalize_name(name, part.person) for name in _queries()]
        queries = [q for q in queries if q.tokens]
        which, candidates = [], []
        for n, query in enumerate(queries):
            positions = part.index.candidates(query)
            which.append(np.full(len(positions), n, dtype=np.int32))
            candidates.append(positions)
        qi, ci = np.concatenate(which), np.concatenate(candidates)
        views = part.scorer.views_many(queries, qi, ci, part.person)
        keep = part.bounds.keep(queries, qi, ci, floor)
        scoring = views >= floor - 1e-6
        # A short list name scores only when compare() says so (its views are not what it scores).
        short = np.flatnonzero(part.scorer.short[ci])
        scoring[short] = [compare(queries[qi[k]], part.forms[ci[k]]).score >= floor for k in short.tolist()]
        missed = np.flatnonzero(scoring & ~keep)
        assert not len(missed), [(queries[qi[k]].written, part.forms[ci[k]].written, views[k]) for k in missed[:5]]
        # Each view on its own: the scorer skips a view its bound rules out.
        token, joined = part.bounds.possible(queries, qi, ci, floor)
        everything, nothing = np.ones(len(ci), dtype=bool), np.zeros(len(ci), dtype=bool)
        for view, possible in ((part.scorer.views_many(queries, qi, ci, part.person, everything, nothing), token),
                               (part.scorer.views_many(queries, qi, ci, part.person, nothing, everything), joined)):
            missed = np.flatnonzero((view >= floor - 1e-6) & ~possible & ~part.scorer.short[ci])
            assert not len(missed), [(queries[qi[k]].written, part.forms[ci[k]].written, view[k])
                                     for k in missed[:5]]
        checked += int(scoring.sum())
        dropped += int((~keep).sum())
    assert checked > 100  # the check saw real hits
    assert dropped > checked  # and the bounds do drop pairs (else they would be pointless)

"""The sieve (one sparse product per batch) finds exactly the pairs the per-query path finds: the gate's
candidates (CandidateIndex.candidates) with the bounds of PairBounds.possible, on the real list names."""

import pytest

from screening.matching import sieve as sieve_module
from screening.matching.normalize import normalize_name
from screening.matching.sieve import Sieve, _Batch
from tests.matching_support import full_index
from tests.test_matching_bounds import _queries, candidate_pairs

AWKWARD = [
    "Korea Trading Co., Ltd.", "General Trading", "International", "Kim Kim Trading", "Ri Ri",  # generic, repeats
    "محمد حسن التجارية", "Mohamed Hassan", "a i", "A. I. Kim", "Hwang Gum San 2", "2", "Chongchongang Shipping",
    "عبد الرحمن", "عبدالرحمن", "Abd Al Rahman", "Abdul Rahman", "KIM, Jong-un", "김정은", "朝鲜矿业开发贸易公司", "Ocean Maritime Management Company Limited", "Aisha Gaddafi",
]


def _reference(part, queries, floor):
    qi, ci = candidate_pairs(part, queries)
    token, joined = part.bounds.possible(queries, qi, ci, floor)
    kept = token | joined
    return qi[kept], ci[kept], token[kept], joined[kept]


@pytest.mark.parametrize("floor", [85.0, 60.0])
def test_sieve_pairs_equal_the_per_query_candidates_and_bounds(floor: float) -> None:
    index = full_index()
    names = AWKWARD + _queries()
    for part in index._partitions:
        queries = [q for q in (normalize_name(name, part.person) for name in names) if q.tokens]
        sieve = Sieve(part.index, part.bounds)  # a fresh one: rows made on first sight, then reused
        kept = 0
        for _ in range(2):
            for start in range(0, len(queries), 97):  # batches mixing scripts, kinds and lengths
                batch = queries[start:start + 97]
                expected = _reference(part, batch, floor)
                found = sieve.pairs(batch, floor)
                for a, b, what in zip(expected, found, ("query", "list name", "token", "joined")):
                    assert a.tolist() == b.tolist(), (what, [q.written for q in batch])
                kept += len(found[0])
        assert kept > 100


def test_sieve_finds_the_planted_names_and_a_generic_name_meets_only_exact_words() -> None:
    part = next(p for p in full_index()._partitions if not p.person)
    queries = [normalize_name(name, False) for name in ("Korea Ryonbong General Corp", "Korea Trading Co., Ltd.")]
    qi, ci, _, _ = part.sieve.pairs(queries, 85.0)
    assert "ryonbong" in {t for k in ci[qi == 0].tolist() for t in part.forms[k].tokens}
    for k in ci[qi == 1].tolist():  # a name of generic words only: its words exactly, no typo
        assert {"korea", "trading"} & set(part.forms[k].tokens), part.forms[k].written


def test_hope_from_flattened_tokens_equals_the_per_query_hope() -> None:
    part = next(p for p in full_index()._partitions if p.person)
    queries = [q for q in (normalize_name(name, True) for name in AWKWARD + _queries()[:400]) if q.tokens]
    expected = part.bounds._token_hope(queries, 85.0)
    _, found = Sieve(part.index, part.bounds)._links_and_hope(_Batch(queries), 85.0)
    assert found.tolist() == expected.tolist()
    assert 0 < expected.sum() < len(queries)


def test_rows_are_dropped_past_the_cache_size_and_made_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long run drops its rows when there are more than ROW_CACHE; the next batches make them again."""
    part = next(p for p in full_index()._partitions if not p.person)
    queries = [q for q in (normalize_name(name, False) for name in AWKWARD + _queries()[:300]) if q.tokens]
    expected = [_reference(part, queries[start:start + 50], 85.0) for start in range(0, len(queries), 50)]
    monkeypatch.setattr(sieve_module, "ROW_CACHE", 40)
    sieve = Sieve(part.index, part.bounds)
    made = 0
    for start, pairs in zip(range(0, len(queries), 50), expected):
        found = sieve.pairs(queries[start:start + 50], 85.0)
        assert [a.tolist() for a in found] == [a.tolist() for a in pairs]
        made = max(made, len(sieve._rows))
    assert made > 40  # rows were dropped at least once along the way


def test_rows_are_made_per_word_not_per_name() -> None:
    """Names made of the same words in every order each have their own joined key and skeleton, found in no
    list name: they make no row (a row per name would fill the cache and push out the words' rows)."""
    words = ["Haixing", "Dandong", "Ryonbong", "Golden", "Lotus", "Jinhai", "Atlas", "Morning", "Pacific", "Koryo"]
    names = [f"{a} {b}" for a in words for b in words if a != b]
    for part in full_index()._partitions:
        sieve = Sieve(part.index, part.bounds)
        queries = [normalize_name(name, part.person) for name in names]
        sieve.pairs(queries, 85.0)
        assert len(sieve._rows) <= 6 * len(words) < len(names), len(sieve._rows)
        if not part.person:  # a joined key a list name holds still finds it: 'CHONG CHON GANG SHIPPING'
            found = sieve.pairs([normalize_name("Chongchongang Shipping", False)], 85.0)[1]
            assert any("CHONG CHON GANG" in part.forms[c].written.upper() for c in found.tolist())

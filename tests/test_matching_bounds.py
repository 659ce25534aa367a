"""The pair bounds never drop a pair that could score: every bound is at least the view it bounds."""

import random

import numpy as np
import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.matching.normalize import normalize_name, token_key
from screening.matching.score import KEY_EDIT_FACTOR, LENGTH_RATIO, TOKEN_FLOOR, compare
from tests.matching_support import dprk_entries, full_index, perturbations

SUPPLIERS = [
    "Dandong Xiangyi Steel Group", "Dalian Haixing Seafood Co., Ltd.", "Golden Star Trading LLC",
    "Korea Ryonbong General Corp", "Ryonbong", "Kim Jong Un", "KIM, Jong-un", "Pak Il Gyu", "Chongchongang",
    "Koryo Link", "联鑫纺织有限公司", "ООО «Техно Элемент Урал»", "شركة النور الخليج للتجارة", "Ri Song Chol",
    "Anna K. Müller-Jinhai", "Atlas Deyang Packaging Ltd", "Ocean Maritime Management", "Mansudae Art Studio",
    # abjad: list names written in Arabic script pair by consonant skeleton with romanised ones, and back
    "Mohamed Hassan Al Amri", "Abd Al Rahman Trading", "محمد حسن", "هيئة تحرير الشام", "Hayat Tahrir al Sham",
    # initials: a person's initial pairs with any word of its letter ('J. Smith' / 'John Smith')
    "Al Amal Pinghuade Steel W.L.L.", "J. U. Kim", "Kim J. U.", "R. S. Chol", "Polmet Sp. z o.o.", "I. Ri",
]


def candidate_pairs(part, queries) -> tuple[np.ndarray, np.ndarray]:
    """(query, list name) of every pair passing the gate, query by query (CandidateIndex.candidates)."""
    which, candidates = [], []
    for n, query in enumerate(queries):
        positions = part.index.candidates(query)
        which.append(np.full(len(positions), n, dtype=np.int32))
        candidates.append(positions)
    return np.concatenate(which), np.concatenate(candidates)


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
    checked = dropped = abjad_hits = 0
    for part in index._partitions:
        queries = [normalize_name(name, part.person) for name in _queries()]
        queries = [q for q in queries if q.tokens]
        qi, ci = candidate_pairs(part, queries)
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
        abjad_hits += int((scoring & (part.scorer.abjad[ci] | np.array([q.abjad for q in queries])[qi])).sum())
    assert checked > 100  # the check saw real hits
    assert abjad_hits > 0  # among them pairs where a name is written in an abjad
    assert dropped > checked  # and the bounds do drop pairs (else they would be pointless)


def test_initials_link_only_to_names_with_a_word_of_their_letter() -> None:
    """A company read as a person name: its 'W.L.L.' are three initials. Assumed to pair with anything, they
    made nearly every candidate's token bound pass; linked by first letter, almost none does."""
    part = next(p for p in full_index()._partitions if p.person)
    query = normalize_name("Al Amal Pinghuade Steel W.L.L.", True)
    assert {"w", "l"} <= set(query.tokens)
    ci = part.index.candidates(query)
    qi = np.zeros(len(ci), dtype=np.int32)
    token, _ = part.bounds.possible([query], qi, ci, 85.0)
    views = part.scorer.views_many([query], qi, ci, True)
    assert len(ci) > 100
    assert not (views >= 85.0).any()
    assert token.sum() <= len(ci) // 20, (token.sum(), len(ci))


def _edited(word: str, seed: int) -> list[str]:
    """One and two edits of a word (substitution, insertion, deletion, swap of neighbours), chosen by seed."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def edit(text: str) -> str:
        at = rng.randrange(len(text))
        match rng.randrange(4):
            case 0:
                return text[:at] + rng.choice(letters) + text[at + 1:]
            case 1:
                return text[:at] + rng.choice(letters) + text[at:]
            case 2:
                return text[:at] + text[at + 1:] if len(text) > 2 else text
            case _:
                return text[:at] + text[at + 1:at + 2] + text[at] + text[at + 2:] if at + 1 < len(text) else text

    once = edit(word)
    return [once, edit(once)]


def test_word_links_find_every_list_word_within_the_token_floor() -> None:
    """WordLinks' length windows and bit-set tests lose no list word that token_similarity() could pair:
    checked against rapidfuzz's exhaustive cdist over the whole list vocabulary, for list words with one and
    two edits (OSA, and OSA on romanisation keys, as score.token_similarity measures them)."""
    index = full_index()
    for part in index._partitions:
        links = part.bounds.links
        vocabulary = part.scorer.vocab.tolist()
        keys = part.scorer.vocab_keys.tolist()
        lengths = np.array([len(w) for w in vocabulary])
        holders: dict[int, set[int]] = {}
        for name, vocab_id in zip(*np.nonzero(part.scorer.tokens >= 0)):
            holders.setdefault(int(part.scorer.tokens[name, vocab_id]), set()).add(int(name))
        rng = random.Random(7)
        words = sorted({edited for word in rng.sample([w for w in vocabulary if len(w) > 3], 150)
                        for edited in _edited(word, rng.randrange(1 << 30)) if len(edited) > 1})
        word_keys = [token_key(w) for w in words]
        raw = process.cdist(words, vocabulary, scorer=OSA.normalized_similarity, workers=-1)
        keyed = process.cdist(word_keys, keys, scorer=OSA.normalized_similarity, workers=-1)
        linked = 0
        for row, word in enumerate(words):
            length = len(word)
            ratio_ok = np.minimum(lengths, length) >= LENGTH_RATIO * np.maximum(lengths, length) - 1e-9
            numbers = np.array([k.isdigit() for k in keys]) | word_keys[row].isdigit()
            close = (raw[row] >= TOKEN_FLOOR - 1e-9) | (KEY_EDIT_FACTOR * keyed[row] >= TOKEN_FLOOR - 1e-9)
            expected = np.flatnonzero(close & ratio_ok & ~numbers)
            found = set(links.names(word).tolist())
            for vocab_id in expected.tolist():
                assert holders[vocab_id] <= found, (word, vocabulary[vocab_id])
            linked += len(expected)
        assert linked > len(words)  # the edited words do meet list words


def test_word_links_carried_to_another_process_are_the_ones_worked_out_there() -> None:
    """export() packs a word's list names; absorb() in a fresh index gives back exactly what names() would
    have worked out itself, and never replaces what it already knows."""
    from screening.matching.bounds import WordLinks

    words = sorted({w for name in SUPPLIERS for w in normalize_name(name, True).tokens} | {"haixnig", "ryonbnog"})
    for part in full_index()._partitions:
        packed = part.bounds.links.export([*words, "", words[0]])  # empty and repeated words are left out
        assert packed[0] == words and len(packed[1]) == len(words) + 1
        fresh = WordLinks(part.scorer, part.person)
        known = fresh.names(words[0])
        fresh.absorb(*packed)
        assert fresh.names(words[0]) is known
        assert all(len(fresh._cache) and np.array_equal(fresh.names(w), part.bounds.links.names(w)) for w in words)
        worked_out = WordLinks(part.scorer, part.person)
        assert all(np.array_equal(fresh.names(w), worked_out.names(w)) for w in words)
        assert sum(len(fresh.names(w)) for w in words) > len(words)  # the words do meet list names

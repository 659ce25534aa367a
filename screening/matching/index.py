"""Candidate index: the list names that can score above zero against a query, found by dictionary lookups.

score.compare() gives 0 to a pair that fails its gate: the names must share an identifying token, by
romanisation key or by a shared one-deletion variant (which every single typo gives: one insertion,
deletion, substitution or swap of neighbouring letters, the SymSpell observation), or their identifying
tokens written together must be equal ('koryo link' ~ 'koryolink'). The index maps every deletion variant
of every token key, and every token and joined key, to the names holding it; a query looks up its own. The
names found are exactly those that pass the gate, which is why searching the index loses nothing against
scoring every list name (tests/test_matching_index.py proves it on the real DPRK entries and perturbed
names).

Nothing is dropped for being common ('kim' is in hundreds of list names): a smaller candidate set that
misses a hit is not worth the speed in sanctions screening.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from screening.matching.normalize import NameForm, deletion_variants, token_key

__all__ = ["CandidateIndex"]

TYPO_CACHE = 200_000
"""Query keys whose typo neighbourhood is kept."""


class _Postings:
    """key -> positions, stored as one sorted positions array and a dict of slice starts (fast to build)."""

    def __init__(self, keys: list[str], positions: list[int]) -> None:
        codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=False)
        order = np.argsort(codes, kind="stable")
        self._positions = np.asarray(positions, dtype=np.int32)[order]
        # Slice starts as a Python list: indexing it is several times faster than a numpy scalar.
        self._bounds: list[int] = np.searchsorted(codes[order], np.arange(len(uniques) + 1)).tolist()
        self._code = dict(zip(uniques.tolist(), range(len(uniques))))

    def get(self, key: str) -> np.ndarray | None:
        code = self._code.get(key)
        if code is None:
            return None
        bounds = self._bounds
        return self._positions[bounds[code]:bounds[code + 1]]

    def __len__(self) -> int:
        return len(self._code)

    def __contains__(self, key: str) -> bool:
        return key in self._code


class CandidateIndex:
    """Gate keys of a set of normalised names -> positions of the names holding them.

    Two posting maps mirror the two halves of score.gate_passes: `fuzzy` holds every one-deletion variant
    of every token key (typos), `exact` holds the token keys and the joined keys (split or merged words);
    two more hold consonant skeletons for names written in abjads.
    """

    def __init__(self, forms: Sequence[NameForm]) -> None:
        lists: dict[str, tuple[list[str], list[int]]] = {k: ([], []) for k in ("fuzzy", "exact", "bones", "abjad")}
        for position, form in enumerate(forms):
            if form.gate:
                variants = frozenset().union(*(deletion_variants(key) for key in form.gate))
                lists["fuzzy"][0].extend(variants)
                lists["fuzzy"][1].extend([position] * len(variants))
            exact = form.gate | form.joined
            lists["exact"][0].extend(exact)
            lists["exact"][1].extend([position] * len(exact))
            if form.bones:
                lists["bones"][0].extend(form.bones)  # every name's skeletons, for queries in an abjad
                lists["bones"][1].extend([position] * len(form.bones))
                if form.abjad:  # names written in an abjad, for every query
                    lists["abjad"][0].extend(form.bones)
                    lists["abjad"][1].extend([position] * len(form.bones))
        self._fuzzy, self._exact, self._bones, self._abjad_bones = (
            _Postings(*lists[k]) for k in ("fuzzy", "exact", "bones", "abjad"))
        self.size = len(forms)
        self._typos: dict[str, np.ndarray] = {}  # key -> names within one typo (supplier words repeat)

    def _within_one_typo(self, key: str) -> np.ndarray:
        """Sorted positions of the names holding a key that shares a deletion variant with `key` (cached)."""
        found = union_of(self._one_typo(key))
        if len(self._typos) >= TYPO_CACHE:
            self._typos.clear()
        self._typos[key] = found
        return found

    def _one_typo(self, key: str) -> list[np.ndarray]:
        return [hit for variant in deletion_variants(key) if (hit := self._fuzzy.get(variant)) is not None]

    def word_candidates(self, word: str) -> np.ndarray:
        """Sorted positions of the names an identifying query word lets through the gate, by itself or its
        romanisation key, within one typo or as a joined key (candidates() is the union over the query's
        identifying words, its joined keys and its skeletons)."""
        parts: list[np.ndarray] = []
        for key in {word, token_key(word)} - {""}:
            parts += self._one_typo(key)
            if (hit := self._exact.get(key)) is not None:
                parts.append(hit)
        return union_of(parts)

    def exact(self, key: str) -> np.ndarray:
        """Positions of the names holding `key` as a token key or joined key."""
        found = self._exact.get(key)
        return found if found is not None else np.empty(0, dtype=np.int32)

    def skeleton(self, bone: str, abjad_query: bool) -> np.ndarray:
        """Positions of the names with that consonant skeleton: any name for a query written in an abjad,
        else the names written in one."""
        found = (self._bones if abjad_query else self._abjad_bones).get(bone)
        return found if found is not None else np.empty(0, dtype=np.int32)

    def holds_exact(self, key: str) -> bool:
        """Whether exact(key) finds any name (a dictionary lookup, no array made)."""
        return key in self._exact

    def holds_skeleton(self, bone: str, abjad_query: bool) -> bool:
        """Whether skeleton(bone, abjad_query) finds any name."""
        return bone in (self._bones if abjad_query else self._abjad_bones)

    def candidates(self, query: NameForm) -> np.ndarray:
        """Sorted positions of the names that pass the gate with `query` (int32 array, possibly empty). The
        sieve (sieve.py) finds the same for a whole batch at once; tests compare the two."""
        found = [self._typos[key] if key in self._typos else self._within_one_typo(key) for key in query.gate]
        found += [self.exact(key) for key in query.joined | query.gate]
        found += [self.skeleton(bone, query.abjad) for bone in query.bones]
        return union_of(found)

    @property
    def keys(self) -> int:
        """Number of distinct lookup keys (for build statistics)."""
        return len(self._fuzzy) + len(self._exact)


def union_of(parts: list[np.ndarray]) -> np.ndarray:
    """The sorted union of sorted position arrays."""
    parts = [p for p in parts if len(p)]
    if len(parts) == 1:
        return parts[0]
    return np.unique(np.concatenate(parts)).astype(np.int32, copy=False) if parts else np.empty(0, dtype=np.int32)

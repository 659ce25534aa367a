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

from screening.matching.normalize import NameForm, deletion_variants

__all__ = ["CandidateIndex"]


def _arrays(postings: dict[str, list[int]]) -> dict[str, np.ndarray]:
    return {key: np.array(positions, dtype=np.int32) for key, positions in postings.items()}


class CandidateIndex:
    """Gate keys of a set of normalised names -> positions of the names holding them.

    Two posting maps mirror the two halves of score.gate_passes: `fuzzy` holds every one-deletion variant
    of every token key (typos), `exact` holds the token keys and the joined keys (split or merged words).
    """

    def __init__(self, forms: Sequence[NameForm]) -> None:
        fuzzy: dict[str, list[int]] = {}
        exact: dict[str, list[int]] = {}
        bones: dict[str, list[int]] = {}  # consonant skeletons of every name, for queries in an abjad
        abjad_bones: dict[str, list[int]] = {}  # those of the names written in an abjad, for every query
        for position, form in enumerate(forms):
            for bone in form.bones:
                bones.setdefault(bone, []).append(position)
                if form.abjad:
                    abjad_bones.setdefault(bone, []).append(position)
            variants: set[str] = set()
            for key in form.gate:
                variants |= deletion_variants(key)
            for variant in variants:
                fuzzy.setdefault(variant, []).append(position)
            for key in form.gate | form.joined:
                exact.setdefault(key, []).append(position)
        self._fuzzy = _arrays(fuzzy)
        self._exact = _arrays(exact)
        self._bones = _arrays(bones)
        self._abjad_bones = _arrays(abjad_bones)
        self.size = len(forms)
        self._seen = np.zeros(max(1, len(forms)), dtype=bool)  # scratch for candidates()

    def candidates(self, query: NameForm) -> np.ndarray:
        """Sorted positions of the names that pass the gate with `query` (int32 array, possibly empty)."""
        found: list[np.ndarray] = []
        variants: set[str] = set()
        for key in query.gate:
            variants |= deletion_variants(key)
        for variant in variants:
            hit = self._fuzzy.get(variant)
            if hit is not None:
                found.append(hit)
        for key in query.joined | query.gate:
            hit = self._exact.get(key)
            if hit is not None:
                found.append(hit)
        skeletons = self._bones if query.abjad else self._abjad_bones
        for bone in query.bones:
            hit = skeletons.get(bone)
            if hit is not None:
                found.append(hit)
        if not found:
            return np.empty(0, dtype=np.int32)
        if len(found) == 1:
            return found[0]
        seen = self._seen
        seen[np.concatenate(found)] = True
        positions = np.flatnonzero(seen).astype(np.int32)
        seen[positions] = False
        return positions

    @property
    def keys(self) -> int:
        """Number of distinct lookup keys (for build statistics)."""
        return len(self._fuzzy) + len(self._exact)

"""Organisation-name normalisation and fuzzy comparison for watchlist rules.

Legal forms ("Co., Ltd.", "LLC", "ООО", "有限公司") carry no identity: two firms differing only in legal
form are the same name for screening, and a shared "Trading Co., Ltd." must not make two names similar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from screening.text import simplify, simplify_folded

# Legal-form words, as they appear after simplify() (lower case, punctuation -> space).
_LEGAL_WORDS = frozenset(
    """
    co company companies corp corporation inc incorporated ltd limited llc llp lp plc pte pty
    gmbh ag kg sa sas sarl srl spa bv nv oy ab as asa jsc ojsc cjsc pjsc ooo zao oao pao ao ip
    tnhh jsc cty sdn bhd tbk kk
    ооо зао оао пао ао ип тоо
    """.split()
)
_LEGAL_PHRASES = (
    "sp z o o", "s a", "s r l", "co ltd", "company limited", "joint stock company",
    "limited liability company", "public limited company", "cong ty", "trach nhiem huu han",
    "общество с ограниченной ответственностью", "акционерное общество",
)
# Scripts without spaces: the legal form is a suffix of the name.
_CJK_LEGAL = re.compile(r"(股份有限公司|有限责任公司|有限責任公司|有限公司|株式会社|주식회사|유한회사|\(주\)|㈜|公司)$")

SHORT_NAME = 5
"""Normalised names this short or shorter must match exactly: one edit in 'alis' is a different firm."""


@lru_cache(maxsize=262144)
def normalize_org_name(name: str) -> str:
    """Fold case, accents and punctuation, and drop legal forms: 'Mokran, LLC' -> 'mokran'."""
    return _without_legal_forms(simplify(_CJK_LEGAL.sub("", name.strip())), name)


def normalize_folded_org_name(name: str, folded: str) -> str:
    """normalize_org_name(name) for a name whose fold() is known (a column folded once for every rule)."""
    if name != name.strip() or (not name.isascii() and _CJK_LEGAL.search(name)):
        return normalize_org_name(name)
    return _without_legal_forms(simplify_folded(folded), name)


def _without_legal_forms(simplified: str, name: str) -> str:
    text = f" {simplified} "
    for phrase in _LEGAL_PHRASES:
        text = text.replace(f" {phrase} ", " ")
    words = [w for w in text.split() if w not in _LEGAL_WORDS]
    return " ".join(words) or simplify(name)


def similarity(a: str, b: str) -> float:
    """0-100 similarity of two normalised names, insensitive to word order."""
    if len(a) <= SHORT_NAME or len(b) <= SHORT_NAME:
        return 100.0 if a == b else 0.0
    return fuzz.token_sort_ratio(a, b)


@dataclass(frozen=True)
class NameMatch:
    entry: int  # index of the matched entry
    alias: str  # the name or alias as written in the list
    similarity: float


class NameIndex:
    """The names and aliases of a small list, matched against many query names at once."""

    def __init__(self, names_per_entry: Sequence[Sequence[str]]) -> None:
        self._written: list[str] = []
        self._normalised: list[str] = []
        self._entry: list[int] = []
        for entry, names in enumerate(names_per_entry):
            for written in names:
                normalised = normalize_org_name(written)
                if normalised:
                    self._written.append(written)
                    self._normalised.append(normalised)
                    self._entry.append(entry)

    def best(self, queries: Sequence[str], threshold: float, normalised: Sequence[str] | None = None,
             ) -> list[NameMatch | None]:
        """For each query name, the best entry name at or above `threshold`, else None.

        `normalised`, if given, holds normalize_org_name() of each query, worked out by the caller.
        """
        if normalised is None:
            normalised = [normalize_org_name(q) if q else "" for q in queries]
        results: list[NameMatch | None] = [None] * len(queries)
        if not self._normalised or not queries:
            return results
        # cdist scores every pair in C; short names are rechecked exactly below.
        scores = process.cdist(
            normalised, self._normalised, scorer=fuzz.token_sort_ratio, score_cutoff=threshold,
            dtype=np.float32, workers=1,
        )
        # Only the pairs cdist kept (row by row, list names in order: the first of equal scores wins).
        for qi, ci in zip(*(found.tolist() for found in np.nonzero(scores))):
            if not normalised[qi]:
                continue
            score = similarity(normalised[qi], self._normalised[ci])
            best = results[qi]
            if score >= threshold and (best is None or score > best.similarity):
                results[qi] = NameMatch(self._entry[ci], self._written[ci], round(float(score), 1))
        return results

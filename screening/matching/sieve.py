"""The pairs of a batch of queries worth scoring, found with one sparse matrix product per batch.

For each query the gate (index.py) admits the list names that share an identifying word with it, and the
token bound (bounds.py) needs, for each such pair, how many of the query's words weighing 1 have a similar
word in the list name. Both are unions over the query's words of per-word sets of list names: the names a
word lets through the gate (its 'gate row') and the names holding a word it may pair with (its 'link row').
So, with one row per word (kept: supplier files reuse their words) and a batch-by-rows matrix saying which
query uses which row,

    (GATE x gate uses + links uses) @ rows  ->  per (query, list name): GATE x gate rows hit + links hit

gives in one product the candidates (entries of at least GATE) and their linked word counts (the rest).
The per-query unions, sorts and look-ups this replaces cost tens of microseconds per query; the product a
few per query. The candidates are exactly CandidateIndex.candidates() and the bounds PairBounds.possible()
(tests/test_matching_sieve.py checks both on real list names).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse

from screening.matching.bounds import PairBounds
from screening.matching.index import CandidateIndex
from screening.matching.normalize import NameForm
from screening.matching.score import MINOR_WEIGHT

__all__ = ["Sieve"]

GATE = 1 << 16
"""Weight of a gate row in the product: above any count of linked words a query can have."""

ROW_CACHE = 300_000
"""Rows kept (words, joined keys and skeletons); all are dropped when there are more."""

_NONE = np.empty(0, dtype=np.int32)


class _RowIds(dict[str, int]):
    """Key -> row id, the row made on first sight by `make` (a C-level lookup afterwards, as normalize._Memo)."""

    def __init__(self, rows: list[np.ndarray], make: Callable[[str], np.ndarray]) -> None:
        super().__init__()
        self._rows = rows
        self._make = make

    def __missing__(self, key: str) -> int:
        self._rows.append(self._make(key))
        self[key] = len(self._rows) - 1
        return self[key]


class Sieve:
    """Candidates and bounds of one partition (persons or the rest) for batches of queries."""

    def __init__(self, index: CandidateIndex, bounds: PairBounds) -> None:
        self._index = index
        self._bounds = bounds
        self._rows: list[np.ndarray] = []
        links = bounds.links
        # Row ids by what they are for: an identifying word's gate, a heavy word's links, a joined key's and
        # a skeleton's postings; links and skeletons depend on whether the query is written in an abjad.
        self._gate = _RowIds(self._rows, index.word_candidates)
        self._links = tuple(_RowIds(self._rows, lambda word, abjad=abjad: links.names_with_bones(word, abjad))
                            for abjad in (False, True))
        self._exact = _RowIds(self._rows, index.exact)
        self._bones = tuple(_RowIds(self._rows, lambda bone, abjad=abjad: index.skeleton(bone, abjad))
                            for abjad in (False, True))

    def pairs(self, queries: Sequence[NameForm], floor: float) -> tuple[np.ndarray, ...]:
        """(query, list name, token view possible, joined view possible) of the pairs that pass the gate and
        whose views may reach `floor`, sorted by query then list name. Every query must have tokens."""
        if len(self._rows) > ROW_CACHE:
            self._clear()
        batch = _Batch(queries)
        links, hope = self._links_and_hope(batch, floor)
        gate = self._row_ids((self._gate, self._gate), batch, batch.gate)
        hopeful = hope[batch.query[links[0]]]  # a hopeless query's token bound is not looked at
        uses = [(batch.query[gate[0]], gate[1], GATE), self._query_rows(queries),
                (batch.query[links[0][hopeful]], links[1][hopeful], 1)]
        qi, ci, heavy = self._product(len(queries), uses)
        token, joined = self._bounds.possible(queries, qi, ci, floor, hope, heavy)
        kept = np.flatnonzero(token | joined)
        kept = kept[np.lexsort((ci[kept], qi[kept]))]
        return qi[kept], ci[kept], token[kept], joined[kept]

    def _row_ids(self, ids: tuple[_RowIds, _RowIds], batch: _Batch, which: np.ndarray) -> tuple[np.ndarray, ...]:
        """(token position, row id) of the tokens selected by `which`, their rows found in `ids`."""
        at = np.flatnonzero(which)
        plain, abjad = ids
        if not batch.any_abjad:
            rows = [plain[t] for t in batch.words(which)]
        else:
            rows = [(abjad if a else plain)[t] for t, a in zip(batch.words(which), batch.abjad[at].tolist())]
        return at, np.array(rows, dtype=np.int64)

    def _links_and_hope(self, batch: _Batch, floor: float) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """(token position, link row) of the heavy words, and per query PairBounds._token_hope() worked out
        from the sizes of those rows (a light word counts as linked)."""
        self._bounds.links.prefetch(batch.words(batch.heavy))
        links = self._row_ids(self._links, batch, batch.heavy)
        linked = ~batch.heavy
        linked[links[0]] = np.array([len(self._rows[r]) for r in links[1].tolist()], dtype=np.int64) > 0
        return links, self._bounds.hope(batch.query, batch.weight, linked, batch.syllabic, floor)

    def _query_rows(self, queries: Sequence[NameForm]) -> tuple[np.ndarray, np.ndarray, int]:
        """(query, row id) of the rows a query needs beyond its words' gate rows: the keys of its words written
        together (for a name of generic words only, also of each word) and its consonant skeletons.

        Most of these keys are the query's own (its words joined) and in no list name: they get no row, which
        would be empty, made for one query and kept, pushing the words' rows out of the cache."""
        exact, bones, index = self._exact, self._bones, self._index
        owner: list[int] = []
        rows: list[int] = []
        for n, query in enumerate(queries):
            skeletons, abjad = bones[query.abjad], query.abjad
            found = ([exact[key] for key in query.joined if index.holds_exact(key)]
                     + [skeletons[bone] for bone in query.bones if index.holds_skeleton(bone, abjad)])
            owner += [n] * len(found)
            rows += found
        return np.array(owner, dtype=np.int64), np.array(rows, dtype=np.int64), GATE

    def _product(self, queries: int, uses: list[tuple[np.ndarray, np.ndarray, int]]) -> tuple[np.ndarray, ...]:
        """(query, list name, linked words) of every candidate pair, in no particular order, from the
        (query, row id) arrays of `uses`, each with its weight."""
        owner = np.concatenate([u[0] for u in uses])
        weight = np.concatenate([np.full(len(u[0]), u[2], dtype=np.int32) for u in uses])
        used, local = np.unique(np.concatenate([u[1] for u in uses]), return_inverse=True)
        arrays = [self._rows[r] for r in used.tolist()]
        names = np.concatenate(arrays) if arrays else _NONE
        starts = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum([len(a) for a in arrays], out=starts[1:])
        rows = scipy.sparse.csr_array((np.ones(len(names), dtype=np.int32), names, starts),
                                      shape=(len(arrays), self._index.size))
        order = np.argsort(owner, kind="stable")
        query_starts = np.searchsorted(owner[order], np.arange(queries + 1))
        by_query = scipy.sparse.csr_array((weight[order], local[order].astype(np.int32), query_starts),
                                          shape=(queries, len(arrays)))
        product = by_query @ rows  # a row used twice by a query simply adds up
        qi = np.repeat(np.arange(queries, dtype=np.int32), np.diff(product.indptr))
        candidate = product.data >= GATE
        return qi[candidate], product.indices[candidate].astype(np.int32), product.data[candidate] % GATE

    def _clear(self) -> None:
        self._rows.clear()
        for ids in (self._gate, *self._links, self._exact, *self._bones):
            ids.clear()


class _Batch:
    """The tokens of a batch of queries, flattened: what each is (light or heavy, identifying) and whose."""

    def __init__(self, queries: Sequence[NameForm]) -> None:
        self.tokens = [t for q in queries for t in q.tokens]
        sizes = np.fromiter((len(q.tokens) for q in queries), dtype=np.int64, count=len(queries))
        self.query = np.repeat(np.arange(len(queries), dtype=np.int64), sizes)
        minor = np.fromiter((m for q in queries for m in q.minor), dtype=bool, count=len(self.tokens))
        all_minor = np.fromiter((all(q.minor) for q in queries), dtype=bool, count=len(queries))[self.query]
        self.heavy = ~minor | all_minor  # score._weights: 1, else MINOR_WEIGHT
        self.weight = np.where(self.heavy, 1.0, MINOR_WEIGHT)
        self.gate = ~minor & ~all_minor  # identifying words of the names with a gate (not only generic words)
        self.abjad = np.fromiter((q.abjad for q in queries), dtype=bool, count=len(queries))[self.query]
        self.any_abjad = bool(self.abjad.any())
        self.syllabic = np.fromiter((q.syllabic for q in queries), dtype=bool, count=len(queries))

    def words(self, which: np.ndarray) -> list[str]:
        tokens = self.tokens
        return [tokens[i] for i in np.flatnonzero(which).tolist()]

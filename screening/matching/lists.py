"""Search sanctions-list entries (ListEntry) by name: the public matching API.

    index = ListIndex(entries)                      # once per list version: normalise, build the gate index
    index.search("Korea Tangun Trdg Co., Ltd.", country="CN")
    index.search_many(names, countries)             # a whole supplier column; repeated names scored once

Person entries are compared with the query read as a person name (surname order free, no legal forms),
all other entries with the query read as an organisation name. Every hit says why it scored what it did.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import multiprocessing.pool
import os
import pickle
import shutil
import signal
import tempfile
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from screening.cores import worker_count
from screening.lists.model import EntryType, ListEntry, ListName
from screening.matching.bounds import PairBounds
from screening.matching.index import CandidateIndex
from screening.matching.normalize import NameForm, normalize_name, words_of
from screening.matching.score import (
    COUNTRY_MATCH_BONUS,
    KEY_MATCH,
    TOKEN_FLOOR,
    BatchScorer,
    compare,
    qualify,
    token_similarity,
)
from screening.matching.sieve import Sieve
from screening.memory import gc_paused, release_freed_heap

__all__ = ["DEFAULT_THRESHOLD", "ListIndex", "ListMatch", "SelectedIndex"]

DEFAULT_THRESHOLD: float = 88.0
"""Shipped threshold, chosen on bench/name_quality.py: on the DPRK-derived cases (5,996 list names and
perturbations searched among all 39k OFAC SDN + UN names, 800 ordinary company names) it finds 99.8% of
the names (all aliases, case, order, legal-form and apostrophe variants; 99.1% of one-typo variants) with
3 false hits; at 84 the typos all pass but false hits quadruple, above 90 two-letter-syllable typos are
lost (recall 0.95). The nomenklatura and yente benchmarks barely move between 85 and 88 (F1 0.809 / 0.997
at 85, 0.805 / 0.998 at 88), so the threshold is set for the fewest false hits on DPRK-style names."""

FLOAT_MARGIN = 1e-6
"""The batch scorer sums in another order than compare(); candidates this close under the floor are kept."""

BATCH = 1024
"""Distinct query names scored together by the batch scorer (numpy work per call is then amortised: 1,024
costs some 5 % less per name than 512 on a million supplier names; a worker's task holds two batches)."""

QUERY_CACHE = 200_000
"""Distinct query names whose candidate scores are kept (supplier files repeat names a lot)."""

SEARCH_CHUNK = 50_000
"""Distinct names scored before they are searched: well inside QUERY_CACHE, so none is scored twice."""

PARALLEL_MIN_NAMES = 4_000
"""Fewer new names than this are scored in this process: starting workers would cost more than it saves."""

PARALLEL_BATCHES = 2_048
"""Names per task handed to a worker process."""

SHARED_WORDS_MIN_NAMES = 20_000
"""From this many names on, the workers first find the list words near every word of the names together, each
taking a share of the words, and then all of them score with every word's result (see _share_word_links)."""


_Hits = tuple[tuple[int, int, int, float], ...]  # (partition, form position, entry position, name score)
_Scored = tuple[float, _Hits]  # (floor scored down to, hits at or above it)


@dataclass(frozen=True)
class ListMatch:
    entry: ListEntry
    matched: ListName  # the name or alias that matched
    score: float  # 0-100 after qualifiers
    explanation: tuple[str, ...]  # what normalisation and scoring did, in words


@dataclass(frozen=True, slots=True)
class _Scoring:
    """What scores query names against a partition's list names: built from its forms, hundreds of MB."""

    index: CandidateIndex
    scorer: BatchScorer
    bounds: PairBounds
    sieve: Sieve

    @classmethod
    def build(cls, forms: Sequence[NameForm], person: bool) -> _Scoring:
        scorer = BatchScorer(forms)
        index, bounds = CandidateIndex(forms), PairBounds(forms, scorer, person)
        return cls(index, scorer, bounds, Sieve(index, bounds))


class _Partition:
    """The list names of one kind (persons, or the rest), and what scores queries against them: built with
    the partition, dropped by a process whose workers do its scoring, built again if it is needed after all."""

    __slots__ = ("_scoring", "entry", "forms", "name", "person")

    def __init__(self, person: bool, forms: tuple[NameForm, ...], entry: np.ndarray, name: tuple[ListName, ...]) -> None:
        self.person = person
        self.forms = forms
        self.entry = entry  # entry position of each form
        self.name = name
        self._scoring: _Scoring | None = _Scoring.build(forms, person)

    @property
    def scoring(self) -> _Scoring:
        if self._scoring is None:
            self._scoring = _Scoring.build(self.forms, self.person)
        return self._scoring

    def drop_scoring(self) -> None:
        self._scoring = None

    @property
    def index(self) -> CandidateIndex:
        return self.scoring.index

    @property
    def scorer(self) -> BatchScorer:
        return self.scoring.scorer

    @property
    def bounds(self) -> PairBounds:
        return self.scoring.bounds

    @property
    def sieve(self) -> Sieve:
        return self.scoring.sieve


class ListIndex:
    """All names and aliases of a set of list entries, ready to be searched."""

    def __init__(self, entries: Sequence[ListEntry]) -> None:
        self.entries: tuple[ListEntry, ...] = tuple(entries)
        groups: dict[bool, tuple[list[NameForm], list[int], list[ListName]]] = {True: ([], [], []),
                                                                                 False: ([], [], [])}
        for position, entry in enumerate(self.entries):
            person = entry.type == EntryType.INDIVIDUAL
            forms, owners, names = groups[person]
            seen: set[tuple[str, ...]] = set()
            for listed in entry.names:
                form = normalize_name(listed.name, person)
                signature = (*form.tokens, listed.strength)
                if not form.tokens or signature in seen:
                    continue
                seen.add(signature)
                forms.append(form)
                owners.append(position)
                names.append(listed)
        self._partitions = tuple(_Partition(person, tuple(forms), np.asarray(owners, dtype=np.int32), tuple(names))
                                 for person, (forms, owners, names) in groups.items())
        self._cache: dict[str, _Scored] = {}  # bounded (QUERY_CACHE): names scored on demand
        self._prescored: dict[str, _Scored] = {}  # unbounded: a whole column scored ahead (start_scoring)
        self._pool: multiprocessing.pool.Pool | None = None
        self._background: list[threading.Thread] = []  # scoring handed to the workers, in order
        self._scheduled: dict[str, float] = {}  # name -> floor, of the names handed over and not yet waited for
        self._background_error: BaseException | None = None
        self._stopping = threading.Event()

    @property
    def names(self) -> int:
        """Number of distinct normalised list names indexed."""
        return sum(len(p.forms) for p in self._partitions)

    def _score(self, names: Sequence[str], floor: float) -> None:
        """Score the names not yet scored down to `floor`, together, and cache every candidate at or above it.

        The batch scorer gives every (name, candidate of the gate index) pair the value compare() would give
        before its number check (which only lowers a score); compare() itself then scores the few pairs at
        or above `floor`, and its scores are the ones kept.
        """
        self.wait()
        todo = [n for n in dict.fromkeys(names) if self._cached(n, floor) is None]
        workers = worker_count()
        if self._pool is not None or (workers > 1 and len(todo) >= PARALLEL_MIN_NAMES):
            self._score_in_workers(todo, floor, self._workers(workers))  # once forked, the workers score
            return
        self._score_here(todo, floor)

    def _cached(self, name: str, floor: float) -> _Scored | None:
        """The candidates of `name` scored down to `floor` or lower, if they are known."""
        found = self._prescored.get(name)  # a whole column scored ahead: where most names are found
        if found is not None and found[0] <= floor:
            return found
        found = self._cache.get(name)
        return found if found is not None and found[0] <= floor else None

    def start_scoring(self, names: Sequence[str], floor: float) -> None:
        """Score `names` down to `floor` on every core in the background and return at once.

        The caller goes on with other work (the other rules) while the workers score; search() and
        search_many() wait for them. Fewer than PARALLEL_MIN_NAMES new names are left to search_many. Names
        handed to the workers by an earlier call, still being scored, are not handed over again: a workbook's
        names are started as soon as it is parsed, and the names of every searched field once it is read.
        """
        if self._background_error is not None:
            self.wait()  # raises it
        todo = [n for n in dict.fromkeys(names) if n and n.strip() and self._scheduled.get(n, math.inf) > floor
                and self._cached(n, floor) is None]
        workers = worker_count()
        if workers < 2 or len(todo) < PARALLEL_MIN_NAMES:
            return
        pool = self._workers(workers)
        self._scheduled.update(dict.fromkeys(todo, floor))

        def run() -> None:
            try:
                self._score_in_workers(todo, floor, pool)
            except BaseException as error:  # noqa: BLE001  (raised again in the caller's thread by wait())
                self._background_error = error

        background = threading.Thread(target=run, name="list-scoring", daemon=True)
        self._background.append(background)
        background.start()

    def wait(self) -> None:
        """Wait for the background scoring started by start_scoring(), if any; raise what it raised."""
        while self._background:
            self._background.pop(0).join()
        self._scheduled.clear()
        error, self._background_error = self._background_error, None
        if error is not None:
            raise error

    def close(self) -> None:
        """Stop the worker processes (an index can still search afterwards, in this process)."""
        pool, self._pool = self._pool, None
        self._stopping.set()
        while self._background:
            self._background.pop(0).join()
        self._scheduled.clear()
        if pool is not None:
            pool.terminate()
            pool.join()
            gc.unfreeze()
        global _FORKED
        if _FORKED is self:
            _FORKED = None  # else the parent would keep the index alive after its last user drops it
        self._stopping.clear()
        self._background_error = None

    def start_workers(self) -> None:
        """Fork the worker processes now (see ListCatalog.prepare); they are otherwise forked when needed."""
        workers = worker_count()
        if workers > 1:
            self._workers(workers)

    def forget(self) -> None:
        """Drop every scored name (benchmarks time cold searches)."""
        self.wait()
        self._cache.clear()
        self._prescored.clear()

    def _workers(self, workers: int) -> multiprocessing.pool.Pool:
        """The worker processes, forked once and kept: their word and typo caches stay warm for the run.

        Forked, not spawned: the index is neither pickled nor rebuilt, each worker sees the parent's memory
        as it is. Objects alive at the fork are frozen out of the cyclic GC first, so that a collection in a
        worker does not write to (and so copy) every page it shares with the parent. The workers then do all
        the scoring: this process lets its scoring structures go (some 120 MB with every OFAC and UN name,
        held through a million-row run otherwise) and keeps the names, which search() reports from.
        """
        global _FORKED
        if self._pool is None:
            gc.freeze()  # no collection first: half a second with the index built, for a few cycles kept till close()
            _FORKED = self
            self._pool = multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupts)
            weakref.finalize(self, self._pool.terminate)
            for part in self._partitions:
                part.drop_scoring()  # a worker the pool forks again to replace one that died builds its own
            release_freed_heap()
        return self._pool

    def _score_in_workers(self, todo: list[str], floor: float, pool: multiprocessing.pool.Pool) -> None:
        """_score_here() on the worker processes, PARALLEL_BATCHES names per task; results kept in _prescored.

        Workers send back the hits only, by position in the task: the parent keeps its own name strings.
        """
        folder = _scratch_folder() if len(todo) >= SHARED_WORDS_MIN_NAMES else None
        try:
            shared = self._share_word_links(todo, pool, folder) if folder is not None else ()
            if shared is None:  # stopped meanwhile
                return
            nothing: _Scored = (floor, ())
            tasks = [todo[start:start + PARALLEL_BATCHES] for start in range(0, len(todo), PARALLEL_BATCHES)]
            results = pool.imap(_score_task, [(task, floor, shared) for task in tasks])
            for task in tasks:
                found = self._next(results)
                if found is None:
                    return
                self._prescored.update(dict.fromkeys(task, nothing))
                for position, hits in found:
                    self._prescored[task[position]] = (floor, hits)
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def _share_word_links(self, todo: list[str], pool: multiprocessing.pool.Pool, folder: str) -> tuple[str, ...] | None:
        """Find the list names near every word of `todo` once, each worker taking a share of the words, into
        files in `folder` that every worker reads before it scores; None if stopped meanwhile.

        Left to themselves, the workers would each work out nearly every word (a million supplier rows hold
        some 65,000), in the small batches each task brings: all words at once cost about a third as much.
        """
        workers = worker_count()
        found = self._all(pool.imap(_words_task, [todo[k::workers] for k in range(workers)]), workers)
        if found is None:
            return None
        words = sorted(set().union(*found))
        shares = [(words[k::workers], os.path.join(folder, f"words-{k}.pickle")) for k in range(workers)]
        written = self._all(pool.imap(_links_task, shares), workers)
        return None if written is None else tuple(path for path in written if path)

    def _next(self, results: multiprocessing.pool.IMapIterator) -> Any:
        """The next result of an imap, or None once close() is called (a stopped pool sends none)."""
        while not self._stopping.is_set():
            try:
                return results.next(timeout=0.2)  # in short waits, to see close()
            except multiprocessing.TimeoutError:
                continue
        return None

    def _all(self, results: multiprocessing.pool.IMapIterator, count: int) -> list[Any] | None:
        """The `count` results of an imap, or None once close() is called."""
        taken = []
        for _ in range(count):
            if (result := self._next(results)) is None:
                return None
            taken.append(result)
        return taken

    def _score_here(self, todo: list[str], floor: float) -> dict[str, _Hits]:
        """Score `todo` in this process, cache the results, and return the hits of the names that have any."""
        with_hits: dict[str, _Hits] = {}
        for start in range(0, len(todo), BATCH):
            batch = todo[start:start + BATCH]
            found: dict[str, list[tuple[int, int, int, float]]] = {n: [] for n in batch}
            for p, part in enumerate(self._partitions):
                queries: list[NameForm] = []
                owners: list[str] = []
                for name in batch:
                    query = normalize_name(name, part.person)
                    if query.tokens:
                        queries.append(query)
                        owners.append(name)
                if not queries:
                    continue
                qi, ci, token, joined = part.sieve.pairs(queries, floor)  # pairs whose views may reach the floor
                # The few queries left are scored on their own: the batch scorer's set-up is per query.
                left, qi = np.unique(qi, return_inverse=True)
                queries = [queries[k] for k in left.tolist()]
                owners = [owners[k] for k in left.tolist()]
                views = part.scorer.views_many(queries, qi.astype(np.int32), ci, part.person, token, joined)
                keep = (views >= floor - FLOAT_MARGIN) | part.scorer.short[ci]
                for k, position in zip(qi[keep].tolist(), ci[keep].tolist()):
                    result = compare(queries[k], part.forms[position])
                    if result.score >= floor and result.score > 0:
                        found[owners[k]].append((p, position, int(part.entry[position]), result.score))
            if len(self._cache) + len(batch) > QUERY_CACHE:
                self._cache.clear()
            for name, hits in found.items():
                self._cache[name] = (floor, tuple(hits))
                if hits:
                    with_hits[name] = self._cache[name][1]
        return with_hits

    def _scored(self, name: str, floor: float) -> tuple[tuple[int, int, int, float], ...]:
        """(partition, form position, entry position, name score) of every candidate scoring `floor` or more."""
        self.wait()
        cached = self._cached(name, floor)
        if cached is None:
            self._score([name], floor)
            cached = self._cached(name, floor)
            assert cached is not None
        return tuple(hit for hit in cached[1] if hit[3] >= floor)

    def search(
        self, name: str, *, country: str | None = None, threshold: float = DEFAULT_THRESHOLD, limit: int = 5,
        only: frozenset[int] | None = None,
    ) -> list[ListMatch]:
        """The entries whose names match `name`, best first, one per entry, at most `limit`.

        Args:
            name: A supplier or person name as written.
            country: The supplier's ISO alpha-2 country, if known (raises or lowers scores slightly).
            threshold: Minimum qualified score (0-100).
            limit: Maximum number of entries returned.
            only: Positions (in `entries`) of the entries to consider; None for all.

        Returns:
            ListMatch per entry, sorted by score (then list source and id for stable output).
        """
        if not name or not name.strip() or limit <= 0:
            return []
        best: dict[int, tuple[float, int, int]] = {}
        for p, position, entry, score in self._scored(name, threshold - COUNTRY_MATCH_BONUS):
            if only is not None and entry not in only:
                continue
            part = self._partitions[p]
            qualified, _ = qualify(score, part.name[position].strength, country, self.entries[entry].countries)
            if qualified >= threshold and (entry not in best or qualified > best[entry][0]):
                best[entry] = (qualified, p, position)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], self.entries[item[0]].source,
                                                        self.entries[item[0]].id))[:limit]
        return [self._match(name, country, entry, p, position) for entry, (_, p, position) in ranked]

    def search_many(
        self, names: Sequence[str], countries: Sequence[str | None] | None = None, *,
        threshold: float = DEFAULT_THRESHOLD, limit: int = 5, only: frozenset[int] | None = None,
    ) -> list[list[ListMatch]]:
        """search() for each name (with the country at the same position); repeated names are scored once.

        Distinct names are scored in chunks that fit the cache (on every core, see _score); only those with a
        candidate at or above the floor are then searched. The names without a match share one empty list.
        """
        if countries is not None and len(countries) != len(names):
            raise ValueError(f"{len(names)} names but {len(countries)} countries")
        floor = threshold - COUNTRY_MATCH_BONUS
        distinct = list(dict.fromkeys(n for n in names if n and n.strip()))
        hopeful: set[str] = set()  # a candidate at or above the floor, or no longer in the cache to say
        self.wait()
        for start in range(0, len(distinct), SEARCH_CHUNK):
            chunk = distinct[start:start + SEARCH_CHUNK]
            known = [self._cached(n, floor) for n in chunk]
            todo = [n for n, scored in zip(chunk, known) if scored is None]
            if todo:  # names not scored ahead (start_scoring): scored now, and looked up again
                self._score(todo, floor)
                known = [self._cached(n, floor) for n in chunk]
            hopeful.update(n for n, scored in zip(chunk, known) if scored is None or scored[1])
        nothing: list[ListMatch] = []
        done: dict[tuple[str, str | None], list[ListMatch]] = {}
        out: list[list[ListMatch]] = []
        for name, country in zip(names, countries if countries is not None else [None] * len(names)):
            if name not in hopeful:
                out.append(nothing)
                continue
            found = done.get((name, country))
            if found is None:
                found = done[(name, country)] = self.search(name, country=country, threshold=threshold,
                                                            limit=limit, only=only)
            out.append(found)
        return out

    def restricted(self, entries: Sequence[ListEntry]) -> SelectedIndex:
        """This index searched for some of its entries only: same scores, and names scored once for all."""
        wanted = {id(entry) for entry in entries}
        return SelectedIndex(self, frozenset(i for i, entry in enumerate(self.entries) if id(entry) in wanted))

    def _match(self, name: str, country: str | None, entry: int, p: int, position: int) -> ListMatch:
        part = self._partitions[p]
        query, listed = normalize_name(name, part.person), part.forms[position]
        result = compare(query, listed)
        listed_name = part.name[position]
        score, qualifiers = qualify(result.score, listed_name.strength, country, self.entries[entry].countries)
        notes = [*query.notes, *listed.notes, *_legal_notes(query, listed), *_token_notes(query, listed),
                 f"name similarity {result.score:g} ({result.view})", *result.notes, *qualifiers]
        return ListMatch(self.entries[entry], listed_name, score, tuple(notes))


_FORKED: ListIndex | None = None
"""The index a forked worker scores with (set by the parent just before it forks)."""


_ABSORBED: set[str] = set()
"""In a worker: the files of word links (_links_task) it has read."""


def _score_task(task: tuple[list[str], float, tuple[str, ...]]) -> list[tuple[int, _Hits]]:
    """In a worker: score a task's names; return (position in the task, hits) of the names with hits."""
    names, floor, shared = task
    index = _FORKED
    assert index is not None, "worker started without an index"
    with gc_paused():  # the scoring makes no reference cycles; collections cost it about a sixth
        for path in shared:
            if path not in _ABSORBED:
                _ABSORBED.add(path)
                _absorb(index, path)
        found = index._score_here(names, floor)  # not read back from the cache: it may be cleared meanwhile
    # A worker meets each name once: its name caches would only hold memory (the word caches are reused).
    index._cache.clear()
    normalize_name.cache_clear()
    # What survives a task (the word caches) is frozen out of the cyclic GC, as the index was before the
    # fork: else every full collection walks caches that only grow, about a sixth of a worker's time.
    gc.freeze()
    return [(position, found[name]) for position, name in enumerate(names) if name in found]


def _words_task(names: list[str]) -> set[str]:
    """In a worker: the words of `names` (normalize.words_of)."""
    return words_of(names)


def _links_task(share: tuple[list[str], str]) -> str:
    """In a worker: the list names near each word of a share, per partition, pickled to a file: its path, or ""
    if it could not be written (the other workers then work those words out themselves)."""
    words, path = share
    index = _FORKED
    assert index is not None, "worker started without an index"
    with gc_paused():
        packed = [part.bounds.links.export(words) for part in index._partitions]
    try:
        with open(path, "wb") as fh:
            pickle.dump(packed, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        return ""
    return path


def _absorb(index: ListIndex, path: str) -> None:
    """In a worker: take the word links another worker wrote (_links_task); an unreadable file is skipped."""
    try:
        with open(path, "rb") as fh:
            packed = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError):
        return
    for part, (words, offsets, positions) in zip(index._partitions, packed):
        part.bounds.links.absorb(words, offsets, positions)


def _scratch_folder() -> str | None:
    """A new private temporary folder for the workers' word links; None where none can be made."""
    try:
        return tempfile.mkdtemp(prefix="screening-words-")
    except OSError:
        return None


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops them: no traceback from each worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass(frozen=True)
class SelectedIndex:
    """A ListIndex restricted to some of its entries (a rule that selects a programme or a list)."""

    index: ListIndex
    only: frozenset[int]

    def search_many(
        self, names: Sequence[str], countries: Sequence[str | None] | None = None, *,
        threshold: float = DEFAULT_THRESHOLD, limit: int = 5,
    ) -> list[list[ListMatch]]:
        return self.index.search_many(names, countries, threshold=threshold, limit=limit, only=self.only)


def _legal_notes(query: NameForm, listed: NameForm) -> list[str]:
    def shown(form: NameForm) -> str:
        return " ".join(written.upper() for written, _ in form.legal)

    if query.legal and listed.legal:
        return [f"legal form {shown(listed)} ~ {shown(query)}"]
    if query.legal or listed.legal:
        return [f"legal form {shown(query) or shown(listed)} ignored"]
    return []


def _token_notes(query: NameForm, listed: NameForm) -> list[str]:
    """Name the token pairs that are not identical: romanisation variants, typos, generic words left out."""
    notes: list[str] = []
    person = query.person or listed.person
    unpaired: list[str] = []
    for a, ka, minor in zip(query.tokens, query.keys, query.minor):
        if a in listed.tokens:
            continue
        sims = [(token_similarity(a, b, ka, kb, person), b) for b, kb in zip(listed.tokens, listed.keys)]
        sim, b = max(sims) if sims else (0.0, "")
        if sim >= KEY_MATCH and ka in listed.keys:
            notes.append(f"romanisation {a} ~ {b}")
        elif sim >= TOKEN_FLOOR:
            notes.append(f"spelling {a} ~ {b}")
        elif minor:
            unpaired.append(a)
    extra = [b for b, minor in zip(listed.tokens, listed.minor) if minor and b not in query.tokens]
    if unpaired or extra:
        notes.append(f"generic words weigh little: {', '.join(dict.fromkeys([*unpaired, *extra]))}")
    return notes

"""Conditions compiled into evaluators over whole columns.

Each leaf condition is a probe from one cell's text to what it matched (or None). Probes run once per
distinct value of a column (supplier masters repeat countries and sectors endlessly) and the result is
spread back over the rows, so rules cost about as much as there are distinct cells, not rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.lib.array_utils import byte_bounds

from screening import memory
from screening.countries import country_name, to_iso2
from screening.engine.lists import ListCatalog, country_codes_of, evaluate_identifiers, evaluate_names
from screening.engine.prefilter import Prefilter
from screening.engine.terms import CodeMatcher, TermMatcher, TokenIndex
from screening.matching.names import NameIndex, NameMatch, normalize_folded_org_name, normalize_org_name
from screening.model import Evidence, LinkEvidence
from screening.rulepacks.schema import (
    PLACE_FIELDS,
    SECTOR_TERM_FIELDS,
    AccountCountryCondition,
    CountriesDifferCondition,
    NamesDifferCondition,
    SameNameCondition,
    SharedCondition,
    ValuesDifferCondition,
    AllCondition,
    AnyCondition,
    CountryCondition,
    IndustryCodeCondition,
    ListMatchCondition,
    ListMatchSpec,
    NotCondition,
    PatternCondition,
    PlaceCondition,
    RulePackFile,
    SectorCondition,
    TextCondition,
    WatchlistCondition,
)
from screening.text import fold

# Distinct names matched against a watchlist at once (a score matrix of this many rows).
_WATCHLIST_CHUNK = 50_000

# What a probe says about one cell: (what it matched, similarity or None).
Found = tuple[str, float | None]
Probe = Callable[[str], Found | None]


class Outcome:
    """A condition over every row: where it fired, and the evidence there (None elsewhere).

    Given either as `evidence` (one object per row) or coded: `values`, the distinct evidence objects,
    and `codes`, one per row pointing into them (-1: none). Conditions combine coded outcomes with
    integer arrays (a million rows: no Python step and no object array per row); `evidence` is built
    only when asked for.
    """

    __slots__ = ("fired", "_evidence", "_codes", "_values")

    def __init__(
        self, fired: np.ndarray, evidence: np.ndarray | None = None, *,
        codes: np.ndarray | None = None, values: np.ndarray | None = None,
    ) -> None:
        if evidence is None and (codes is None or values is None):
            raise TypeError("Outcome needs evidence, or codes and values")
        self.fired = fired  # bool, one per row
        self._evidence = evidence
        self._codes = codes
        self._values = values

    @property
    def evidence(self) -> np.ndarray:
        """object: Evidence | None, one per row."""
        if self._evidence is None:
            self._evidence = self.evidence_at(np.arange(len(self.fired)))
        return self._evidence

    @property
    def codes(self) -> np.ndarray:
        if self._codes is None:
            self._code()
        return self._codes  # type: ignore[return-value]

    @property
    def values(self) -> np.ndarray:
        if self._values is None:
            self._code()
        return self._values  # type: ignore[return-value]

    def evidence_at(self, rows: np.ndarray) -> np.ndarray:
        """The evidence of the given rows (positions), None where there is none."""
        if self._evidence is not None:
            return self._evidence[rows]
        codes = self.codes[rows]
        found = np.full(len(codes), None, dtype=object)
        present = codes >= 0
        found[present] = self.values[codes[present]]
        return found

    def with_fired(self, fired: np.ndarray) -> Outcome:
        """The same evidence, firing on `fired`."""
        return Outcome(fired, self._evidence, codes=self._codes, values=self._values)

    def _code(self) -> None:
        evidence = self._evidence
        assert evidence is not None
        present = ~pd.isna(evidence)
        self._values = evidence[present]
        codes = np.full(len(evidence), -1, dtype=np.int64)
        codes[present] = np.arange(int(present.sum()))
        self._codes = codes


def _coded(fired_values: Sequence[int], evidence: Sequence[Evidence], field_codes: np.ndarray, distinct: int) -> Outcome:
    """The outcome of a field where the distinct values at positions `fired_values` matched with `evidence`."""
    remap = np.full(distinct, -1, dtype=np.int64)
    remap[np.asarray(fired_values, dtype=np.int64)] = np.arange(len(fired_values))
    codes = remap[field_codes] if len(field_codes) else np.zeros(0, dtype=np.int64)
    values = evidence if isinstance(evidence, np.ndarray) else _objects(evidence)
    return Outcome(codes >= 0, codes=codes, values=values)


def _objects(items: Sequence[object]) -> np.ndarray:
    """A 1-d object array of `items` (np.array could try to look inside them)."""
    return np.fromiter(items, dtype=object, count=len(items))


_NO_VALUES = np.zeros(0, dtype=object)


class Frame:
    """The rows under evaluation, with per-column caches shared by all rules."""

    def __init__(self, records: pd.DataFrame) -> None:
        self.records = records
        self.size = len(records)
        self._factorized: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._by_cells: dict[object, tuple[np.ndarray, np.ndarray]] = {}
        self._tokens: dict[str, TokenIndex] = {}
        self._term_hits: dict[tuple[TermMatcher, str], dict[int, tuple[str, str]]] = {}
        # Watchlist matches per (compiler, field) and (list, threshold): see Compiler._watchlist_matches.
        self.watchlist_matches: dict[tuple[int, str], dict[tuple[str, float], list[NameMatch | None]]] = {}
        # Evidence of a list_match per (name index, threshold, field): 'a DPRK entry' is asked by two rules.
        self.list_evidence: dict[tuple[int, float | None, str], np.ndarray] = {}
        # Evidence of a term condition per (matcher, field, label): sectors and places recur in many rules.
        self.term_evidence: dict[tuple[TermMatcher, str, str], tuple[list[int], np.ndarray]] = {}
        # The rows an `all` condition still needs its next parts for (None: every row); see _all_of.
        self.focus: np.ndarray | None = None

    def wanted(self, codes: np.ndarray, distinct: int) -> list[int] | None:
        """Positions of the distinct values (of a field with these codes) met in the focus rows; None: all."""
        if self.focus is None:
            return None
        needed = np.zeros(distinct, dtype=bool)
        needed[codes[self.focus]] = True
        return np.flatnonzero(needed).tolist()

    def factorized(self, field_name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes per row, distinct values) of a field column; the codes are int32 (a million rows: 4 MB a
        field, not 8), and the fields a sheet lacks, which intake builds on one shared array of "", share one
        factorisation."""
        if field_name not in self._factorized:
            column = (self.records[field_name].to_numpy(dtype=object) if field_name in self.records
                      else np.full(self.size, "", dtype=object))
            # The records keep their columns alive, so equal bounds and strides mean the very same cells.
            shared = (byte_bounds(column), column.strides) if field_name in self.records else None
            found = self._by_cells.get(shared) if shared is not None else None
            if found is None:
                codes, uniques = pd.factorize(column, use_na_sentinel=False)
                if len(codes) < np.iinfo(np.int32).max:
                    codes = codes.astype(np.int32)
                found = (codes, np.asarray(uniques, dtype=object))
                if shared is not None:
                    self._by_cells[shared] = found
            self._factorized[field_name] = found
        return self._factorized[field_name]

    def tokens(self, field_name: str) -> TokenIndex:
        """The field's distinct values folded and indexed by word, built once for every term rule."""
        if field_name not in self._tokens:
            self._tokens[field_name] = TokenIndex(self.factorized(field_name)[1])
        return self._tokens[field_name]

    def term_hits(self, matcher: TermMatcher, field_name: str) -> dict[int, tuple[str, str]]:
        """{distinct value position: (term, text found)}; shared by the rules that reuse a sector or place."""
        key = (matcher, field_name)
        if key not in self._term_hits:
            self._term_hits[key] = matcher.find_all(self.tokens(field_name))
        return self._term_hits[key]

    def forget_caches(self) -> None:
        """Drop what the term, pattern and watchlist rules built (word indexes, hits): the list rules, run
        last, need none of it, and at a million rows it is hundreds of MB held while they wait for the list
        workers, when a run would otherwise reach its peak."""
        self._tokens.clear()
        self._term_hits.clear()
        self.watchlist_matches.clear()
        self.term_evidence.clear()
        memory.forget_caches()
        memory.release_freed_heap()

    def nothing(self) -> Outcome:
        return Outcome(np.zeros(self.size, dtype=bool), codes=np.full(self.size, -1, dtype=np.int64), values=_NO_VALUES)


Evaluator = Callable[[Frame], Outcome]


@dataclass
class Compiler:
    """Turns a pack's conditions into evaluators, sharing its sectors, places and watchlists."""

    pack: RulePackFile
    lists: ListCatalog = field(default_factory=lambda: ListCatalog(()))
    _sectors: dict[str, tuple[TermMatcher | None, CodeMatcher]] = field(default_factory=dict)
    _indexes: dict[str, NameIndex] = field(default_factory=dict)
    _watchlist_specs: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # field -> (list, threshold)

    def compile(self, condition: object) -> Evaluator:
        match condition:
            case CountryCondition(country=spec):
                wanted = frozenset(spec.in_)
                return _probe_fields(spec.fields, _country_probe(wanted))
            case TextCondition(text=spec):
                return _term_fields(spec.fields, TermMatcher.compile(spec.terms))
            case PatternCondition(pattern=spec):
                import re

                regex = re.compile(spec.regex, re.IGNORECASE)

                def pattern_probe(folded: str) -> Found | None:
                    found = regex.search(folded)
                    return (f"pattern {spec.regex!r}: {found.group(0)!r}", None) if found else None

                return _folded_fields(spec.fields, pattern_probe, Prefilter(regex))
            case SectorCondition(sector=ids):
                return _any_of([self._sector(s) for s in ids])
            case IndustryCodeCondition(industry_code=codes):
                matcher = CodeMatcher.compile(codes.naics, codes.isic, codes.nace, codes.sic)
                return _probe_fields(["industry_code"], _code_probe(matcher, ""))
            case PlaceCondition(place=ids):
                return _any_of([self._place(p) for p in ids])
            case WatchlistCondition(watchlist=spec):
                return self._watchlist(spec.list_, spec.threshold, spec.fields)
            case ListMatchCondition(list_match=spec):
                return self._list_match(spec)
            case CountriesDifferCondition() | AccountCountryCondition() | NamesDifferCondition() | ValuesDifferCondition():
                from screening.engine import roster  # late: roster builds on this module

                return roster.compile_condition(condition)
            case SharedCondition() | SameNameCondition():
                from screening.engine import links  # late: links builds on this module

                return links.compile_condition(condition)
            case AllCondition(all=children):
                return _all_of([self.compile(c) for c in children])
            case AnyCondition(any=children):
                return _any_of([self.compile(c) for c in children])
            case NotCondition(not_=child):
                return _none_of(self.compile(child))
        raise TypeError(f"no evaluator for condition {condition!r}")  # the schema makes this unreachable

    def _sector(self, sector_id: str) -> Evaluator:
        sector = self.pack.sectors[sector_id]
        label = f"sector '{sector.title}'"
        parts: list[Evaluator] = []
        if sector.terms:
            parts.append(_term_fields(SECTOR_TERM_FIELDS, TermMatcher.compile(sector.terms), label))
        codes = CodeMatcher.compile(sector.codes.naics, sector.codes.isic, sector.codes.nace, sector.codes.sic)
        if not codes.is_empty():
            parts.append(_probe_fields(["industry_code"], _code_probe(codes, label)))
        return _any_of(parts)

    def _place(self, place_id: str) -> Evaluator:
        place = self.pack.places[place_id]
        return _term_fields(PLACE_FIELDS, TermMatcher.compile(place.terms), f"place '{place.title}'")

    def _watchlist(self, list_id: str, threshold: float, fields: Sequence[str]) -> Evaluator:
        watchlist = next(w for w in self.pack.watchlists if w.id == list_id)
        if list_id not in self._indexes:
            self._indexes[list_id] = NameIndex([[e.name, *e.aliases] for e in watchlist.entries])
        for name in fields:
            specs = self._watchlist_specs.setdefault(name, [])
            if (list_id, threshold) not in specs:
                specs.append((list_id, threshold))

        def evaluate(frame: Frame) -> Outcome:
            outcomes = []
            for name in fields:
                codes, uniques = frame.factorized(name)
                matches = self._watchlist_matches(frame, name, list_id, threshold)
                found: list[Found | None] = []
                for match in matches:
                    if match is None:
                        found.append(None)
                        continue
                    entry = watchlist.entries[match.entry]
                    shown = entry.name if match.alias == entry.name else f"{entry.name} (alias {match.alias})"
                    found.append((f"{watchlist.title} [{watchlist.tier}]: {shown}", match.similarity))
                outcomes.append(_spread(name, codes, uniques, found))
            return _first(outcomes)

        return evaluate


    def _watchlist_matches(self, frame: Frame, field_name: str, list_id: str, threshold: float) -> list[NameMatch | None]:
        """index.best() over the field's distinct values, for every watchlist searched in that field at once.

        Each name is normalised once for all the pack's watchlists, from the column's folded text that the
        term rules use too (folding is most of the cost); the score matrices go chunk by chunk.
        """
        found = frame.watchlist_matches.setdefault((id(self), field_name), {})
        if (list_id, threshold) not in found:
            wanted = [spec for spec in self._watchlist_specs.get(field_name, []) if spec not in found]
            if (list_id, threshold) not in wanted:
                wanted.append((list_id, threshold))
            uniques = frame.factorized(field_name)[1]
            queries = [str(u) for u in uniques]
            folded = frame.tokens(field_name).folded
            normalised = [
                normalize_folded_org_name(q, f) if type(u) is str and u else normalize_org_name(q) if q else ""
                for q, u, f in zip(queries, uniques, folded)
            ]
            results: dict[tuple[str, float], list[NameMatch | None]] = {spec: [] for spec in wanted}
            for start in range(0, len(queries), _WATCHLIST_CHUNK):
                chunk = slice(start, start + _WATCHLIST_CHUNK)
                for spec in wanted:
                    results[spec].extend(self._indexes[spec[0]].best(queries[chunk], spec[1], normalised[chunk]))
            found.update(results)
        return found[(list_id, threshold)]

    def _list_match(self, spec: ListMatchSpec) -> Evaluator:
        self.lists.want(spec)

        def evaluate(frame: Frame) -> Outcome:
            outcomes = []
            index = self.lists.names(spec) if spec.fields else None
            if index is not None:
                country_codes, country_values = frame.factorized("country")
                country_iso = country_codes_of(country_values)
                for name in spec.fields:
                    key = (id(index), spec.threshold, name)  # rules that select the same entries share a search
                    evidence = frame.list_evidence.get(key)
                    if evidence is None:
                        codes, uniques = frame.factorized(name)
                        evidence = frame.list_evidence[key] = evaluate_names(
                            index, spec.threshold, name, codes, uniques, country_codes, country_iso)
                    outcomes.append(_outcome(evidence))
            identifiers = self.lists.identifiers(spec) if spec.identifier_fields else {}
            for name in spec.identifier_fields if identifiers else ():
                codes, uniques = frame.factorized(name)
                outcomes.append(_outcome(evaluate_identifiers(identifiers, name, codes, uniques)))
            return _first(outcomes) if outcomes else frame.nothing()

        return evaluate


def _outcome(evidence: np.ndarray) -> Outcome:
    return Outcome(np.array([e is not None for e in evidence], dtype=bool), evidence)


# ---------------------------------------------------------------- probes


def _country_probe(wanted: frozenset[str]) -> Probe:
    def probe(cell: str) -> Found | None:
        code = to_iso2(cell)
        return (f"{code} ({country_name(code)})", None) if code in wanted else None

    return probe


def _term_probe(matcher: TermMatcher, label: str = "") -> Probe:
    return _described(matcher.find, "term '{}'", label)


def _code_probe(matcher: CodeMatcher, label: str) -> Probe:
    return _described(matcher.find, "code {}", label)


def _described(find: Callable[[str], tuple[str, str] | None], template: str, label: str) -> Probe:
    """A probe reporting what `find` matched as `template`, behind the sector or place `label`."""

    def probe(cell: str) -> Found | None:
        found = find(cell)
        if found is None:
            return None
        what = template.format(found[0])
        return (f"{label}: {what}" if label else what, None)

    return probe


# ---------------------------------------------------------------- evaluation


def _spread(name: str, codes: np.ndarray, uniques: np.ndarray, found: Sequence[Found | None]) -> Outcome:
    """Turn per-distinct-value results into per-row fired flags and evidence."""
    positions: list[int] = []
    evidence: list[Evidence] = []
    for i, hit in enumerate(found):  # only the values that matched build evidence
        if hit is not None and str(uniques[i]):
            positions.append(i)
            evidence.append(Evidence(name, str(uniques[i]), hit[0], hit[1]))
    return _coded(positions, evidence, codes, len(uniques))


def _probe_fields(fields: Sequence[str], probe: Probe) -> Evaluator:
    def evaluate(frame: Frame) -> Outcome:
        outcomes = []
        for name in fields:
            codes, uniques = frame.factorized(name)
            wanted = frame.wanted(codes, len(uniques))
            if wanted is None:
                found = [probe(str(v)) if v else None for v in uniques]
            else:
                found = [None] * len(uniques)
                for i in wanted:
                    found[i] = probe(str(uniques[i])) if uniques[i] else None
            outcomes.append(_spread(name, codes, uniques, found))
        return _first(outcomes) if outcomes else frame.nothing()

    return evaluate


def _term_fields(fields: Sequence[str], matcher: TermMatcher, label: str = "") -> Evaluator:
    """_probe_fields(fields, _term_probe(matcher, label)) through the frame's word index: same outcome."""

    def evaluate(frame: Frame) -> Outcome:
        outcomes = []
        for name in fields:
            codes, uniques = frame.factorized(name)
            made = frame.term_evidence.get((matcher, name, label))
            if made is None:
                positions: list[int] = []
                evidence: list[Evidence] = []
                for position, (term, _) in frame.term_hits(matcher, name).items():
                    what = f"term '{term}'"
                    positions.append(position)
                    evidence.append(Evidence(name, str(uniques[position]), f"{label}: {what}" if label else what, None))
                made = frame.term_evidence[matcher, name, label] = (positions, _objects(evidence))
            outcomes.append(_coded(made[0], made[1], codes, len(uniques)))
        return _first(outcomes) if outcomes else frame.nothing()

    return evaluate


def _folded_fields(fields: Sequence[str], probe: Probe, prefilter: Prefilter) -> Evaluator:
    """_probe_fields with a probe of fold()ed text, reusing the frame's folded values (folded once per run);
    the probe runs only on the values `prefilter` lets through (those it could match)."""

    def evaluate(frame: Frame) -> Outcome:
        outcomes = []
        for name in fields:
            codes, uniques = frame.factorized(name)
            folded = frame.tokens(name).folded
            wanted = frame.wanted(codes, len(uniques))
            found: list[Found | None] = [None] * len(uniques)
            for i in prefilter.candidates(folded, range(len(uniques)) if wanted is None else wanted):
                found[i] = probe(folded[i]) if uniques[i] else None
            outcomes.append(_spread(name, codes, uniques, found))
        return _first(outcomes) if outcomes else frame.nothing()

    return evaluate


def _first(outcomes: Sequence[Outcome]) -> Outcome:
    """Fired where any fired; evidence from the first that fired on each row."""
    if len(outcomes) == 1:
        return outcomes[0]
    fired = np.logical_or.reduce([o.fired for o in outcomes])
    codes = outcomes[0].codes.copy()
    values = [outcomes[0].values]
    offset = len(values[0])
    for other in outcomes[1:]:
        if not len(other.values):
            continue
        empty = np.flatnonzero(codes < 0)  # the rows still without evidence
        taken = other.codes[empty]
        codes[empty] = np.where(taken >= 0, taken + offset, -1)
        values.append(other.values)
        offset += len(other.values)
    return Outcome(fired, codes=codes, values=np.concatenate(values) if len(values) > 1 else values[0])


def _any_of(evaluators: Sequence[Evaluator]) -> Evaluator:
    return lambda frame: _first([e(frame) for e in evaluators]) if evaluators else frame.nothing()


def _all_of(evaluators: Sequence[Evaluator]) -> Evaluator:
    """Fired where every part fired, with their evidence joined.

    Each part after the first is evaluated with the frame's focus on the rows where the parts before
    it all fired: probes (patterns, countries, codes) then run only on the distinct values met there.
    A part's outcome is exact on the focus rows and may be anything elsewhere, which the AND removes;
    conditions compose row by row, so a nested `all` (focus narrowed further) keeps this true. Cached
    work (word indexes, watchlists, lists) and cross-row conditions ignore the focus.
    """

    def evaluate(frame: Frame) -> Outcome:
        outcomes: list[Outcome] = []
        outer = frame.focus
        fired: np.ndarray | None = None
        try:
            for evaluator in evaluators:
                outcomes.append(evaluator(frame))
                fired = outcomes[-1].fired if fired is None else fired & outcomes[-1].fired
                if not fired.any():  # nothing can fire: the other parts would change nothing
                    return frame.nothing()
                frame.focus = fired if outer is None else fired & outer
        finally:
            frame.focus = outer
        if fired is None:
            return frame.nothing()
        rows = np.flatnonzero(fired)
        if not len(rows):
            return frame.nothing()
        # One joined evidence per distinct combination of the parts' evidence (a country and a sector
        # repeat over many rows), not one per row: the same text, far fewer objects.
        keys = np.stack([o.codes[rows] for o in outcomes], axis=1)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        joined = [
            join_evidence([o.values[code] if code >= 0 else None for o, code in zip(outcomes, keys[row].tolist())])
            for row in first.tolist()
        ]
        present = np.array([j is not None for j in joined], dtype=bool)
        combination = np.full(len(joined), -1, dtype=np.int64)
        combination[present] = np.arange(int(present.sum()))
        codes = np.full(frame.size, -1, dtype=np.int64)
        codes[rows] = combination[inverse.reshape(-1)]
        return Outcome(fired, codes=codes, values=_objects([j for j in joined if j is not None]))

    return evaluate


def _none_of(evaluator: Evaluator) -> Evaluator:
    def evaluate(frame: Frame) -> Outcome:
        outcome = evaluator(frame)
        return Outcome(~outcome.fired, codes=np.full(frame.size, -1, dtype=np.int64), values=_NO_VALUES)

    return evaluate


def join_evidence(parts: Sequence[Evidence | None]) -> Evidence | None:
    """One evidence for an `all` condition: its parts' fields, values and matches, joined in order."""
    present = [p for p in parts if p is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    similarities = [p.similarity for p in present if p.similarity is not None]
    linked = [p for p in present if isinstance(p, LinkEvidence)]
    if linked:  # keep the cross-row group so the run's links still list it
        return replace(
            linked[0],
            field=" + ".join(str(p.field) for p in present),
            value=" | ".join(str(p.value) for p in present),
            matched=" | ".join(str(p.matched) for p in present),
            similarity=max(similarities) if similarities else None,
        )
    return Evidence(
        field=" + ".join(str(p.field) for p in present),
        value=" | ".join(str(p.value) for p in present),
        matched=" | ".join(str(p.matched) for p in present),
        similarity=max(similarities) if similarities else None,
    )

"""The `list_match` condition: supplier names and identifiers against the sanctions lists in the store."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from screening.cores import worker_count
from screening.countries import to_iso2
from screening.fields import REQUIRED_FIELD
from screening.lists.model import ListEntry
from screening.model import Evidence
from screening.rulepacks.schema import ListMatchSpec

if TYPE_CHECKING:
    from screening.matching.lists import ListIndex, ListMatch, SelectedIndex

PREFORK_MIN_BYTES = 1 << 20
"""Inputs this large or larger (some 10,000 rows) start the list workers before they are read."""

MIN_IDENTIFIER_CHARS = 6
"""Shorter identifiers ('1234') are too likely to collide by chance to count as an exact match."""

EXACT_IDENTIFIER_KINDS = frozenset({"imo", "mmsi", "registration", "tax", "swift"})
_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_IMO_PREFIX = re.compile(r"^IMO")


def normalize_identifier(value: str) -> str:
    """'IMO 9110236' and '9110236' are the same vessel; '91-2204 MA0Y' == '912204MA0Y'."""
    return _IMO_PREFIX.sub("", _NON_ALNUM.sub("", value.upper()))


@dataclass
class ListCatalog:
    """Every entry of the lists in use, with indexes built on demand and shared across rules."""

    entries: Sequence[ListEntry]
    _names: dict[tuple[tuple[str, ...], ...], ListIndex | SelectedIndex | None] = field(default_factory=dict)
    _full: ListIndex | None = None
    _identifiers: dict[tuple[tuple[str, ...], ...], dict[str, ListEntry]] = field(default_factory=dict)
    _wanted: list[ListMatchSpec] = field(default_factory=list)

    def want(self, spec: ListMatchSpec) -> None:
        """Record that a rule searches names with `spec` (so start() can score them ahead)."""
        self._wanted.append(spec)

    @property
    def wanted(self) -> int:
        """How many list_match conditions have been compiled (compile_packs tells list rules apart by it)."""
        return len(self._wanted)

    def _searched(self) -> list[ListMatchSpec]:
        """The recorded specs that search names and select any entry."""
        return [spec for spec in self._wanted if spec.fields and self.names(spec) is not None]

    def prepare(self, input_bytes: int) -> None:
        """Before a big input is read: build the name index and fork its worker processes now.

        Workers forked later would each keep a copy of every page the parent changes after the fork (a
        million rows read: gigabytes); forked now, they hold the index and little else.
        """
        if self.prepares(input_bytes):
            self.full_index().start_workers()

    def prepares(self, input_bytes: int) -> bool:
        """Whether prepare() builds the index and forks workers for an input this big."""
        return (input_bytes >= PREFORK_MIN_BYTES and worker_count() > 1
                and any(spec.fields and self.select(spec) for spec in self._wanted))  # index not built yet

    def start(self, records: pd.DataFrame) -> None:
        """Start scoring, on every core and in the background, every name the list rules will search.

        The other rules are evaluated meanwhile; each list rule then finds its names scored. Names are
        scored down to the lowest floor any rule needs: the hits of a higher threshold are a subset.
        """
        searched = self._searched()
        if not searched:
            return
        fields = dict.fromkeys(f for spec in searched for f in spec.fields if f in records)
        names = dict.fromkeys(str(value) for f in fields for value in pd.unique(records[f].to_numpy(dtype=object)))
        self.full_index().start_scoring(list(names), self._floor(searched))

    def start_names(self, names: list[str]) -> None:
        """start() for a sheet's supplier names, told as soon as the sheet is parsed (intake's names_found):
        the workers score them while the rows are read; start() then hands over only what is left."""
        searched = [spec for spec in self._searched() if REQUIRED_FIELD in spec.fields]
        if searched:
            self.full_index().start_scoring(names, self._floor(searched))

    @staticmethod
    def _floor(searched: Sequence[ListMatchSpec]) -> float:
        """The score the names are scored down to: the lowest threshold of the rules, less the country bonus."""
        from screening.matching.lists import DEFAULT_THRESHOLD
        from screening.matching.score import COUNTRY_MATCH_BONUS

        lowest = min((spec.threshold if spec.threshold is not None else DEFAULT_THRESHOLD) for spec in searched)
        return lowest - COUNTRY_MATCH_BONUS

    def close(self) -> None:
        """Stop the worker processes of the name index, if it started any, and let the index go (hundreds of
        MB: a run is done with it once its rules are evaluated; it is built again if the catalog is used)."""
        if self._full is not None:
            self._full.close()
        self._full = None
        self._names.clear()

    def select(self, spec: ListMatchSpec) -> list[ListEntry]:
        programs = tuple(p.upper() for p in spec.programs)
        return [
            e for e in self.entries
            if (not spec.sources or e.source in spec.sources)
            and (not spec.types or e.type.value in spec.types)
            and (not programs or any(p.upper().startswith(programs) for p in e.programs))
        ]

    def names(self, spec: ListMatchSpec) -> ListIndex | SelectedIndex | None:
        """The name index of the entries a rule selects (None when it selects none); cached per selection.

        One index holds every entry and rules that select fewer search it restricted to theirs: a supplier
        name is then normalised and scored once for all list rules, with the same scores as its own index.
        """
        key = _selection(spec)
        if key not in self._names:
            selected = self.select(spec)
            index: ListIndex | SelectedIndex | None = None
            if selected:
                full = self.full_index()
                index = full if len(selected) == len(self.entries) else full.restricted(selected)
            self._names[key] = index
        return self._names[key]

    def full_index(self) -> ListIndex:
        if self._full is None:
            from screening.matching.lists import ListIndex  # heavy: only when lists are in use

            self._full = ListIndex(self.entries)
        return self._full

    def identifiers(self, spec: ListMatchSpec) -> dict[str, ListEntry]:
        """Normalised identifier -> entry, for the entries a rule selects."""
        key = _selection(spec)
        if key not in self._identifiers:
            self._identifiers[key] = _identifier_map(self.select(spec))
        return self._identifiers[key]


def _selection(spec: ListMatchSpec) -> tuple[tuple[str, ...], ...]:
    return (tuple(spec.sources), tuple(spec.programs), tuple(spec.types))


def _identifier_map(entries: Sequence[ListEntry]) -> dict[str, ListEntry]:
    found: dict[str, ListEntry] = {}
    for entry in entries:
        for identifier in entry.identifiers:
            value = normalize_identifier(identifier.value)
            if identifier.kind in EXACT_IDENTIFIER_KINDS and len(value) >= MIN_IDENTIFIER_CHARS:
                found.setdefault(value, entry)
    return found


def describe_entry(entry: ListEntry) -> str:
    programs = ", ".join(entry.programs)
    return f"{entry.source} {entry.id}" + (f" [{programs}]" if programs else "") + f": {entry.name}"


def name_evidence(field_name: str, value: str, match: ListMatch) -> Evidence:
    """Evidence of a name match: list, entry id, programs, the alias matched, what normalisation did."""
    entry, matched = match.entry, match.matched
    text = describe_entry(entry)
    if matched.name != entry.name:
        text += f" (as {matched.kind} '{matched.name}'" + (", weak alias" if matched.strength == "weak" else "") + ")"
    if match.explanation:
        text += "; " + "; ".join(match.explanation)
    return Evidence(field_name, value, text, round(float(match.score), 1), entry.source, entry.id)


def evaluate_names(
    index: ListIndex | SelectedIndex, threshold: float | None, field_name: str, codes: np.ndarray, uniques: np.ndarray,
    country_codes: np.ndarray, country_iso: Sequence[str | None],
) -> np.ndarray:
    """Evidence per row (None where no list name reached the threshold) for one name field.

    A row's country qualifies the score, so distinct (name, country) pairs are searched, not names.
    """
    evidence = np.full(len(codes), None, dtype=object)
    if not len(codes):
        return evidence
    width = max(len(country_iso), 1)
    pair_codes, pairs = pd.factorize(codes.astype(np.int64) * width + country_codes.astype(np.int64))
    texts = np.array([str(u) for u in uniques], dtype=object)
    filled = np.array([bool(t.strip()) for t in texts], dtype=bool)
    isos = np.array([*country_iso, None] if len(country_iso) else [None], dtype=object)
    wanted = np.flatnonzero(filled[pairs // width])  # whole columns indexed at once: a million rows
    names: list[str] = texts[pairs[wanted] // width].tolist()
    countries = isos[pairs[wanted] % width if len(country_iso) else np.zeros(len(wanted), dtype=np.int64)].tolist()
    kwargs = {} if threshold is None else {"threshold": threshold}
    results = index.search_many(names, countries, limit=1, **kwargs)
    per_pair = np.full(len(pairs), None, dtype=object)
    for i, name, matches in zip(wanted.tolist(), names, results):
        if matches:
            per_pair[i] = name_evidence(field_name, name, matches[0])
    evidence[:] = per_pair[pair_codes]
    return evidence


def evaluate_identifiers(identifiers: dict[str, ListEntry], field_name: str, codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
    per_value = np.full(len(uniques), None, dtype=object)
    for i, value in enumerate(uniques):
        text = str(value)
        for part in re.split(r"[;,/|\n]", text):
            key = normalize_identifier(part)
            entry = identifiers.get(key) if len(key) >= MIN_IDENTIFIER_CHARS else None
            if entry is not None:
                per_value[i] = Evidence(field_name, text, f"{describe_entry(entry)}; exact identifier {part.strip()}", 100.0,
                                        entry.source, entry.id)
                break
    return per_value[codes] if len(codes) else np.full(0, None, dtype=object)


def country_codes_of(values: np.ndarray) -> list[str | None]:
    return [to_iso2(str(v)) if v else None for v in values]

"""Conditions across rows (rules/README.md): `shared` (one account, phone, e-mail, address or document
behind several different names) and `same_name` (one name with different dates of birth or nationalities).

Rows are grouped by their normalised value (a dict from value to row positions), never compared pair by
pair, so a 100,000-row roster costs one pass plus the groups that actually share something. Only inside a
group, which is a handful of rows, are names compared with each other, to tell 'Jon Smith' and 'John
Smith' (one person) from 'Chen Hao' and 'John Miller' (two).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from screening.countries import country_name
from screening.engine.conditions import Evaluator, Frame, Outcome
from screening.engine.values import (
    countries_in,
    date_readings,
    name_key,
    name_similarity,
    normalise_account,
    normalise_address,
    normalise_document,
    normalise_email,
    normalise_phone,
    normalise_text,
    show_date,
)
from screening.model import Link, LinkedRow, LinkEvidence, RowResult
from screening.rulepacks.schema import SameNameCondition, SameNameSpec, SharedCondition, SharedSpec

SAME_PERSON = 90.0
"""Names at least this similar inside a group are one person written two ways ('Jon Smith', 'John Smith')."""

MAX_NAMES_COMPARED = 40
"""Distinct names in one group compared with each other; a bigger group has far more names than any
threshold anyway, so its names are counted as written."""

MAX_ROWS_SHOWN = 25
"""Other rows named in one row's evidence; the Links sheet and the JSON `links` list all of them."""

REGION_FIELDS = ("declared_location", "country", "nationality")
"""Where a national phone number ('(415) 555-0132') is read: the first of these that names a country."""

NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "account": normalise_account,
    "email": normalise_email,
    "address": normalise_address,
    "document": normalise_document,
    "text": normalise_text,
}


def compile_condition(condition: object) -> Evaluator:
    match condition:
        case SharedCondition(shared=spec):
            return shared(spec)
        case SameNameCondition(same_name=spec):
            return same_name(spec)
    raise TypeError(f"not a cross-row condition: {condition!r}")


# ---------------------------------------------------------------- shared values


def shared(spec: SharedSpec) -> Evaluator:
    """Fires on every row of a group whose normalised `field` value is used by `min_names` or more parties.

    A party is one name (names 90+ similar are one), and rows with the same non-empty `same_party` value
    (an agency's workers) are one party with their agency. Rows whose value equals their own value of an
    `except_equal` field (laptop shipped to the worker's own home) are left out before grouping.
    """

    def evaluate(frame: Frame) -> Outcome:
        keys = _keys(frame, spec.field, spec.normalise)
        for other in spec.except_equal:
            keys[keys == _keys(frame, other, spec.normalise)] = None
        fired = np.zeros(frame.size, dtype=bool)
        evidence = np.full(frame.size, None, dtype=object)
        names = frame.records[spec.name_field].to_numpy(dtype=object) if spec.name_field in frame.records else None
        if names is None:
            return Outcome(fired, evidence)
        parties = [_text_keys(frame, f) for f in spec.same_party]
        for key, rows in groups(keys).items():
            rows = np.array([r for r in rows if str(names[r]).strip()], dtype=np.int64)
            if len(rows) < 2:
                continue
            count = count_parties(rows, names, parties)
            if count < spec.min_names:
                continue
            label = f"{spec.normalise} {key!r}"
            linked = tuple(int(r) for r in rows)  # one tuple for the whole group, however big
            for row in rows:
                others = [r for r in rows if r != row]
                matched = f"same {label} as {describe_rows(frame, others, names)} ({count} different names)"
                fired[row] = True
                evidence[row] = LinkEvidence(
                    spec.field, _cell(frame, spec.field, row), matched, None,
                    key=key, linked=linked, link_field=spec.field,
                )
        return Outcome(fired, evidence)

    return evaluate


def _keys(frame: Frame, field_name: str, normalise: str) -> np.ndarray:
    """The normalised value of a field on every row (None where empty or a placeholder)."""
    codes, uniques = frame.factorized(field_name)
    if normalise == "phone":
        return _phone_keys(frame, codes, uniques)
    function = NORMALISERS[normalise]
    per_value = np.empty(len(uniques), dtype=object)
    per_value[:] = [function(str(u)) if u else None for u in uniques]
    return per_value[codes]


def _phone_keys(frame: Frame, codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
    regions = np.full(frame.size, None, dtype=object)
    for name in REGION_FIELDS:
        field_codes, field_values = frame.factorized(name)
        per_value = np.empty(len(field_values), dtype=object)
        per_value[:] = [_one_country(str(v)) for v in field_values]
        found = per_value[field_codes]
        empty = regions == None  # noqa: E711 (elementwise on an object array)
        regions[empty] = found[empty]
    keys = np.full(frame.size, None, dtype=object)
    for row in np.flatnonzero(codes >= 0):
        value = uniques[codes[row]]
        if value:
            keys[row] = normalise_phone(str(value), regions[row])
    return keys


def _one_country(cell: str) -> str | None:
    found = countries_in(cell) if cell else frozenset()
    return next(iter(found)) if len(found) == 1 else None


def _text_keys(frame: Frame, field_name: str) -> np.ndarray:
    return _keys(frame, field_name, "text")


def groups(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Normalised value -> positions of the rows holding it, for values held by two rows or more."""
    present = np.flatnonzero(keys != None)  # noqa: E711
    if len(present) < 2:
        return {}
    codes, uniques = pd.factorize(keys[present])
    counts = np.bincount(codes, minlength=len(uniques))
    repeated = np.flatnonzero(counts >= 2)
    if not len(repeated):
        return {}
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)))
    return {str(uniques[c]): present[order[starts[c]:starts[c + 1]]] for c in repeated}


def count_parties(rows: np.ndarray, names: np.ndarray, parties: Sequence[np.ndarray]) -> int:
    """Different parties among the rows: one per person (similar names merged), rows of one agency as one."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    by_key: dict[str, int] = {}
    for i, row in enumerate(rows):
        key = name_key(str(names[row]))
        if key in by_key:
            union(i, by_key[key])
        else:
            by_key[key] = i
    distinct = list(by_key.items())
    if len(distinct) <= MAX_NAMES_COMPARED:
        for a in range(len(distinct)):
            for b in range(a + 1, len(distinct)):
                first, second = names[rows[distinct[a][1]]], names[rows[distinct[b][1]]]
                if name_similarity(str(first), str(second))[0] >= SAME_PERSON:
                    union(distinct[a][1], distinct[b][1])
    for values in parties:
        seen: dict[str, int] = {}
        for i, row in enumerate(rows):
            value = values[row]
            if value:
                if value in seen:
                    union(i, seen[value])
                else:
                    seen[value] = i
    return len({find(i) for i in range(len(rows))})


# ---------------------------------------------------------------- one name, different particulars


def same_name(spec: SameNameSpec) -> Evaluator:
    """Fires on rows of one normalised name whose `differs` values contradict another row's.

    Dates contradict only when no reading of one is a reading of the other ('03/04/1990' may be 3 April or
    4 March); countries and text when their normalised values differ. Rows with the field empty say nothing.
    """

    def evaluate(frame: Frame) -> Outcome:
        fired = np.zeros(frame.size, dtype=bool)
        evidence = np.full(frame.size, None, dtype=object)
        if spec.name_field not in frame.records:
            return Outcome(fired, evidence)
        values = frame.records[spec.differs].to_numpy(dtype=object) if spec.differs in frame.records else None
        if values is None:
            return Outcome(fired, evidence)
        # Only rows that state the particular can contradict another: name keys for those alone, so a
        # supplier file without the column costs nothing.
        stated = np.array([bool(str(v).strip()) for v in values], dtype=bool)
        if stated.sum() < 2:
            return Outcome(fired, evidence)
        names = frame.records[spec.name_field].to_numpy(dtype=object)
        keys = np.full(frame.size, None, dtype=object)
        keys[stated] = [name_key(str(n)) or None for n in names[stated]]
        for key, rows in groups(keys).items():
            readings = {int(r): _reading(str(values[r]), spec.normalise) for r in rows}
            readings = {r: v for r, v in readings.items() if v}
            conflicting = _conflicts(readings, spec.normalise)
            if len(conflicting) < 2:
                continue
            shown = sorted({_show(v, spec.normalise) for v in readings.values()})
            link_value = f"{key}: {spec.differs} " + " / ".join(shown[:MAX_ROWS_SHOWN])
            linked = tuple(conflicting)
            for row in conflicting:
                others = [r for r in conflicting if r != row]
                described = describe_rows(frame, others, names, spec.differs)
                matched = f"same name {key!r} with another {spec.differs} at {described}"
                fired[row] = True
                evidence[row] = LinkEvidence(
                    spec.differs, str(values[row]), matched, None,
                    key=link_value, linked=linked, link_field=spec.differs,
                )
        return Outcome(fired, evidence)

    return evaluate


def _reading(cell: str, normalise: str) -> frozenset | str | None:
    if not cell.strip():
        return None
    if normalise == "date":
        return date_readings(cell) or normalise_text(cell)
    if normalise == "country":
        found = countries_in(cell)
        return found or normalise_text(cell)
    return normalise_text(cell)


def _show(value: frozenset | str, normalise: str) -> str:
    if isinstance(value, str):
        return value
    if normalise == "date":
        return show_date(value)
    return "/".join(f"{c} ({country_name(c)})" for c in sorted(value))


def _conflicts(readings: dict[int, frozenset | str], normalise: str) -> list[int]:
    """Rows whose value cannot be the same as at least one other row's."""
    distinct = list(dict.fromkeys(readings.values()))
    if len(distinct) < 2:
        return []
    if len(distinct) > MAX_NAMES_COMPARED * 5:
        return sorted(readings)  # a name this common with this many particulars: every row meets another

    def differ(a: frozenset | str, b: frozenset | str) -> bool:
        if isinstance(a, frozenset) and isinstance(b, frozenset):
            return a.isdisjoint(b)  # no reading in common
        return a != b

    clash = {v: any(differ(v, w) for w in distinct if w is not v) for v in distinct}
    return sorted(r for r, v in readings.items() if clash[v])


# ---------------------------------------------------------------- evidence and the run's links


def _cell(frame: Frame, field_name: str, row: int) -> str:
    return str(frame.records[field_name].iat[row]) if field_name in frame.records else ""


def describe_rows(frame: Frame, rows: Sequence[int], names: np.ndarray, extra: str | None = None) -> str:
    """'roster.xlsx / Contractors / row 14 (Chen Hao); ...' as the user finds them, at most MAX_ROWS_SHOWN."""
    records = frame.records
    parts = []
    for row in list(rows)[:MAX_ROWS_SHOWN]:
        where = f"{records['input'].iat[row]} / {records['sheet'].iat[row]} / row {int(records['row'].iat[row])}"
        detail = str(names[row])
        if extra:
            detail += f", {extra} '{records[extra].iat[row]}'"
        parts.append(f"{where} ({detail})")
    if len(rows) > MAX_ROWS_SHOWN:
        parts.append(f"and {len(rows) - MAX_ROWS_SHOWN} more rows (see Links)")
    return "; ".join(parts)


def collect_links(rows: Sequence[RowResult]) -> list[Link]:
    """Each shared value once (with every rule that linked on it) and every row sharing it, in screening order.

    `rows` must be in screening order: a LinkEvidence names its group by those positions.
    """
    found: dict[tuple[str, str], tuple[dict[str, None], set[int]]] = {}
    for row in rows:
        for hit in row.hits:
            ev = hit.evidence
            if isinstance(ev, LinkEvidence) and ev.linked:
                rules, members = found.setdefault((ev.link_field, ev.key), ({}, set()))
                rules[hit.rule] = None
                members.update(ev.linked)
    links = []
    for (field_name, key), (rules, members) in found.items():
        linked = tuple(
            LinkedRow(rows[i].input, rows[i].sheet, int(rows[i].row), str(rows[i].fields.get("name", "")))
            for i in sorted(members)
        )
        links.append(Link(tuple(rules), field_name, key, linked))
    return links

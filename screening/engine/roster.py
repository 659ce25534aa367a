"""Conditions that compare two fields of one row (rules/README.md): `countries_differ`, `account_country`
and `names_differ`.

Like the other conditions they run once per distinct combination of the cells involved and are spread
back over the rows: a roster repeats its declared locations, payment countries and holders endlessly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from screening.countries import country_name
from screening.engine.conditions import Evaluator, Frame, Outcome, _first
from screening.engine.values import account_country, countries_in, email_name, name_similarity
from screening.model import Evidence
from screening.text import fold
from screening.rulepacks.schema import (
    AccountCountryCondition,
    AccountCountrySpec,
    CountriesDifferCondition,
    CountriesDifferSpec,
    NamesDifferCondition,
    NamesDifferSpec,
    ValuesDifferCondition,
    ValuesDifferSpec,
)

SAME_NAME = 90.0  # a payee this similar to the row's agency is the agency (legal forms already ignored)

# What a check says about one combination of cells: the evidence, or None.
Check = Callable[[tuple[str, ...]], Evidence | None]


_NOT_LETTER = re.compile(r"[^a-z]+")


def _letters(text: str) -> str:
    return _NOT_LETTER.sub("", (text if text.isascii() else fold(text)).lower())


def distinct_rows(frame: Frame, fields: Sequence[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """(code per row, distinct tuples of the fields' cells): the combinations a row-wise check must see."""
    combined = np.zeros(frame.size, dtype=np.int64)
    for name in fields:
        codes, uniques = frame.factorized(name)
        combined, _ = pd.factorize(combined * len(uniques) + codes)  # re-packed: never overflows
        combined = combined.astype(np.int64)
    first = np.unique(combined, return_index=True)[1]
    columns = [frame.factorized(name) for name in fields]
    combos = [tuple(str(uniques[codes[row]]) for codes, uniques in columns) for row in first]
    return combined, combos


def _evaluate(fields: Sequence[str], check: Check) -> Evaluator:
    def evaluate(frame: Frame) -> Outcome:
        _, first_values = frame.factorized(fields[0])
        if not any(str(v).strip() for v in first_values):
            return frame.nothing()  # a supplier file without the roster column: nothing to compare
        codes, combos = distinct_rows(frame, fields)
        per_combo = np.empty(len(combos), dtype=object)
        per_combo[:] = [check(combo) for combo in combos]
        fired = np.array([e is not None for e in per_combo], dtype=bool)
        return Outcome(fired[codes], per_combo[codes])

    return evaluate


def _named(codes: frozenset[str]) -> str:
    return ", ".join(f"{c} ({country_name(c)})" for c in sorted(codes))


def countries_differ(spec: CountriesDifferSpec) -> Evaluator:
    """Fires when `field` names a country (in `in`, when given) that no `against` field names, and the
    `against` fields name at least one country: nothing is said about a worker whose location is unknown."""
    wanted = frozenset(spec.in_)
    fields = [spec.field, *spec.against]

    def check(cells: tuple[str, ...]) -> Evidence | None:
        own = countries_in(cells[0])
        declared = frozenset().union(*(countries_in(c) for c in cells[1:]))
        if not own or not declared:
            return None
        other = own - declared
        if wanted:
            other &= wanted
        if not other:
            return None
        shown = "; ".join(f"{f}='{c}'" for f, c in zip(spec.against, cells[1:]) if c)
        matched = f"{_named(other)} not among the declared {_named(declared)} ({shown})"
        return Evidence(spec.field, cells[0], matched, None)

    return _evaluate(fields, check)


def account_country_in(spec: AccountCountrySpec) -> Evaluator:
    """Fires when an account's IBAN or BIC country is in `in`."""
    wanted = frozenset(spec.in_)

    def evaluate(frame: Frame) -> Outcome:
        outcomes = []
        for name in spec.fields:
            codes, uniques = frame.factorized(name)
            per_value = np.empty(len(uniques), dtype=object)
            for i, value in enumerate(uniques):
                found = account_country(str(value)) if value else None
                per_value[i] = (
                    Evidence(name, str(value), f"{found[1]} ({country_name(found[0])})", None)
                    if found and found[0] in wanted else None
                )
            fired = np.array([e is not None for e in per_value], dtype=bool)
            outcomes.append(Outcome(fired[codes], per_value[codes]))
        return _first(outcomes)  # evidence from the first field that fired, as for the other conditions

    return evaluate


def names_differ(spec: NamesDifferSpec) -> Evaluator:
    """Fires when both fields name someone and the names are `at_least` <= similarity < `below` alike.

    An e-mail address is read for the name its local part spells ('jon.smyth88@' -> 'jon smyth'); a
    one-word handle ('jsmith', 'coder42') names nobody for sure and never fires.
    """

    def check(cells: tuple[str, ...]) -> Evidence | None:
        value, other, *excepted = cells
        if value == other or not value.strip() or not other.strip():
            return None  # one name written once is 100 similar: never under `below`
        if "@" in value and _letters(value.partition("@")[0]) == _letters(other):
            return None  # 'ava.evans12@' for 'Ava Evans': the same letters, the common case, decided cheaply
        spelled = email_name(value) if "@" in value else value
        if not spelled:
            return None
        if any(e.strip() and name_similarity(spelled, e)[0] >= SAME_NAME for e in excepted):
            return None  # paid through the agency that placed the worker
        score, how = name_similarity(spelled, other)
        if not spec.at_least <= score < spec.below:
            return None
        matched = f"{spec.against}='{other}': names compared as {how}"
        return Evidence(spec.field, value, matched, score)

    return _evaluate([spec.field, spec.against, *spec.except_same], check)


def values_differ(spec: ValuesDifferSpec) -> Evaluator:
    """Fires when both fields hold a value and, normalised, neither contains the other's words: 'Apt 4,
    12 Oak St, Austin' and '12 Oak Street, Austin, TX' are one address; a freight forwarder's is not."""
    from screening.engine.links import NORMALISERS, normalise_phone  # the cross-row normalisers

    def normalise(cell: str) -> str | None:
        return normalise_phone(cell) if spec.normalise == "phone" else NORMALISERS[spec.normalise](cell)

    def check(cells: tuple[str, ...]) -> Evidence | None:
        value, other = (normalise(c) if c.strip() else None for c in cells)
        if value is None or other is None or value == other:
            return None
        if spec.normalise in ("address", "text"):
            mine, theirs = set(value.split()), set(other.split())
            if mine <= theirs or theirs <= mine:
                return None
        matched = f"not {spec.against}='{cells[1]}' (normalised {value!r} vs {other!r})"
        return Evidence(spec.field, cells[0], matched, None)

    return _evaluate([spec.field, spec.against], check)


def compile_condition(condition: object) -> Evaluator:
    match condition:
        case CountriesDifferCondition(countries_differ=spec):
            return countries_differ(spec)
        case AccountCountryCondition(account_country=spec):
            return account_country_in(spec)
        case NamesDifferCondition(names_differ=spec):
            return names_differ(spec)
        case ValuesDifferCondition(values_differ=spec):
            return values_differ(spec)
    raise TypeError(f"not a cross-field condition: {condition!r}")

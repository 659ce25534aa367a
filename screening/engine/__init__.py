"""Evaluate compiled rule packs over the intake records: which rules fired on which rows, with evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from screening.engine.conditions import Compiler, Evaluator, Frame, Outcome
from screening.engine.lists import ListCatalog
from screening.model import Evidence, Hit, RuleInfo
from screening.rulepacks import RulePack
from screening.rulepacks.schema import Rule

NO_EVIDENCE = Evidence(None, None, None, None)


@dataclass(frozen=True)
class CompiledRule:
    pack: RulePack
    rule: Rule
    info: RuleInfo
    evaluate: Evaluator
    searches_lists: bool = False  # evaluated last: its names are scored in the background meanwhile


def compile_packs(packs: Sequence[RulePack], lists: ListCatalog | None = None) -> list[CompiledRule]:
    """Evaluators for every rule; `lists` holds the sanctions-list entries `list_match` rules search."""
    catalog = lists or ListCatalog(())
    compiled: list[CompiledRule] = []
    for pack in packs:
        compiler = Compiler(pack.spec, catalog)
        for rule in pack.spec.rules:
            scope = tuple(pack.spec.pack.rows_with if rule.rows_with is None else rule.rows_with)
            searched = catalog.wanted
            evaluator = compiler.compile(rule.when)
            compiled.append(CompiledRule(pack, rule, rule_info(pack, rule),
                                         _within(evaluator, scope) if scope else evaluator,
                                         searches_lists=catalog.wanted > searched))
    return compiled


def _within(evaluator: Evaluator, fields: tuple[str, ...]) -> Evaluator:
    """Fire only on rows with a value in one of `fields` (the pack's `rows_with` scope)."""

    def evaluate(frame: Frame) -> Outcome:
        inside = np.zeros(frame.size, dtype=bool)
        for name in fields:
            codes, uniques = frame.factorized(name)
            filled = np.array([bool(str(v).strip()) for v in uniques], dtype=bool)
            if len(codes):
                inside |= filled[codes]
        if not inside.any():
            return frame.nothing()  # a supplier master under a roster pack: nothing to evaluate
        outcome = evaluator(frame)
        return outcome.with_fired(outcome.fired & inside)

    return evaluate


def rule_info(pack: RulePack, rule: Rule) -> RuleInfo:
    return RuleInfo(
        id=rule.id,
        title=rule.title,
        pack=pack.id,
        category=rule.category,
        weight=rule.points,
        band=rule.band,
        confidence=rule.confidence,
        sources=tuple(rule.sources),
        description=rule.description.strip(),
    )


def evaluate(
    rules: Sequence[CompiledRule],
    records: pd.DataFrame,
    progress: Callable[[int], None] | None = None,
) -> list[list[tuple[CompiledRule, Hit]]]:
    """Hits per row, in rule order (pack order, then the order rules are written in).

    Rules that search the sanctions lists run last, so that the names they need are scored on the other
    cores (ListCatalog.start) while the rest run; each row's hits are then put back in rule order.
    """
    frame = Frame(records.reset_index(drop=True))
    hits: list[list[tuple[CompiledRule, Hit]]] = [[] for _ in range(frame.size)]
    in_order = sorted(rules, key=lambda compiled: compiled.searches_lists)
    for n, compiled in enumerate(in_order):
        if compiled.searches_lists and (n == 0 or not in_order[n - 1].searches_lists):
            frame.forget_caches()
        outcome = compiled.evaluate(frame)
        info = compiled.info
        # Rows with the same evidence (one per distinct cell value) share one Hit: a million rows
        # would otherwise make a million equal objects per rule.
        shared: dict[int, tuple[CompiledRule, Hit]] = {}
        fired = np.flatnonzero(outcome.fired)
        values = outcome.values
        for row, code in zip(fired.tolist(), outcome.codes[fired].tolist()):
            pair = shared.get(code)
            if pair is None:
                evidence = values[code] if code >= 0 else None
                hit = Hit(info.id, info.title, info.weight, info.sources, evidence or NO_EVIDENCE, info.confidence)
                pair = shared[code] = (compiled, hit)
            hits[row].append(pair)
        if progress:
            progress(1)
    if in_order != list(rules):
        position = {id(compiled): n for n, compiled in enumerate(rules)}
        for row_hits in hits:
            if len(row_hits) > 1:
                row_hits.sort(key=lambda pair: position[id(pair[0])])
    return hits

"""What a run frees once its rules are evaluated: the per-value caches and the list index."""

import gc
import weakref
from dataclasses import replace
from pathlib import Path

import numpy as np

from screening.engine import CompiledRule, compile_packs, evaluate
from screening.engine.conditions import Frame
from screening.engine.lists import ListCatalog
from screening.intake import read_inputs
from screening.engine.values import normalise_account
from screening.lists.model import EntryType, ListEntry, ListName, Strength
from screening.matching import normalize
from screening.matching.lists import ListIndex
from screening.memory import forget_caches, gc_paused
from screening.rulepacks import load_pack
from screening.rulepacks.schema import ListMatchSpec
from screening.text import _latin_marks, fold
from tests.engine_support import records


def test_forget_caches_empties_the_per_value_caches_and_keeps_built_tables() -> None:
    normalize.normalize_name("Korea Daesong General Trading Corp.")
    normalise_account("GB29 NWBK 6016 1331 9268 19")
    fold("Café Ünal")
    _latin_marks()
    assert normalize.normalize_name.cache_info().currsize and len(normalize._TOKEN_KEYS)
    assert normalise_account.cache_info().currsize and fold.cache_info().currsize
    forget_caches()
    assert normalize.normalize_name.cache_info().currsize == 0 and len(normalize._TOKEN_KEYS) == 0
    assert len(normalize._MINOR_ORG_MEMO) == 0
    assert normalise_account.cache_info().currsize == 0 and fold.cache_info().currsize == 0
    assert _latin_marks.cache_info().currsize == 1  # a table built once (30 ms): kept


def _entry(number: int, name: str) -> ListEntry:
    return ListEntry(source="un", id=str(number), type=EntryType.ENTITY,
                     names=(ListName(name, "primary", Strength.STRONG),))


def test_a_closed_catalog_lets_its_index_go_and_builds_it_again_when_used() -> None:
    catalog = ListCatalog([_entry(1, "Korea Daesong General Trading Corporation"), _entry(2, "Koryo Bank")])
    spec = ListMatchSpec(fields=["name"])
    first = catalog.names(spec)
    assert isinstance(first, ListIndex)
    gone = weakref.ref(first)
    assert first.search("KOREA DAESONG GENERAL TRADNG CORP")
    del first
    catalog.close()
    gc.collect()
    assert gone() is None
    again = catalog.names(spec)
    assert again is not None and again.search("Koryo Bank Ltd")[0].entry.id == "2"


def test_fields_no_sheet_has_share_one_factorisation_with_compact_codes(tmp_path: Path) -> None:
    path = tmp_path / "suppliers.csv"
    path.write_text("Supplier name,Country\nAcme Trading,China\nBeta Foods,Russia\nAcme Trading,China\n", "utf-8")
    frame = Frame(read_inputs([path]).records)
    website, workforce = frame.factorized("website"), frame.factorized("workforce")
    assert website is workforce  # both built on intake's one array of "": factorised once
    assert website[1].tolist() == [""] and website[0].tolist() == [0, 0, 0]
    names, countries = frame.factorized("name"), frame.factorized("country")
    assert names is not countries
    assert names[1].tolist() == ["Acme Trading", "Beta Foods"] and names[0].tolist() == [0, 1, 0]
    assert countries[1].tolist() == ["China", "Russia"]
    assert names[0].dtype == np.int32 and website[0].dtype == np.int32


def test_the_other_rules_caches_are_dropped_before_the_list_rules_run() -> None:
    rules_dir = Path(__file__).resolve().parent.parent / "rules"
    packs = [load_pack(rules_dir / name) for name in ("dprk-overseas-labour.yaml", "sanctions-lists.yaml")]
    catalog = ListCatalog([_entry(1, "Korea Daesong General Trading Corporation")])
    seen: dict[str, int] = {}

    def watched(compiled: CompiledRule) -> CompiledRule:
        def run(frame: Frame) -> object:
            frame.tokens("name")  # what a term or pattern rule builds
            seen[compiled.info.id] = len(frame._tokens)
            return compiled.evaluate(frame)
        return replace(compiled, evaluate=run)

    rules = [watched(c) for c in compile_packs(packs, catalog)]
    rows = records([{"name": "Korea Daesong General Trading Corp."}, {"name": "Acme Foods", "country": "Germany"}])
    hits = evaluate(rules, rows)
    assert any(hit.rule == "SANC-ANY-001" for _, hit in hits[0]) and not hits[1]
    assert {c.info.id for c in rules if c.searches_lists} and {c.info.id for c in rules if not c.searches_lists}
    # Every rule sees the index it built itself: one. Had the caches not been dropped, the list rules, run
    # last, would also see it as built by the rules before them; this checks the drop came between.
    first_list_rule = next(c.info.id for c in sorted(rules, key=lambda c: c.searches_lists) if c.searches_lists)
    assert seen[first_list_rule] == 1


def test_objects_made_while_the_collector_is_paused_leave_the_young_generation() -> None:
    """Else the first collection after a paused million-row step walks every row it made (a second)."""
    gc.collect()
    with gc_paused():
        made = [[n] for n in range(50_000)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(made) in oldest and id(made[0]) in oldest and id(made[-1]) in oldest
    del made


def test_pausing_the_collector_leaves_objects_frozen_by_others_frozen() -> None:
    """ListIndex freezes its index before forking the list workers: a pause ending meanwhile keeps it so."""
    gc.collect()
    kept = [[n] for n in range(1_000)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            made = [[n] for n in range(1_000)]
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()
    del kept, made

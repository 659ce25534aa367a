"""What a run frees once its rules are evaluated: the per-value caches and the list index."""

import gc
import weakref

from screening.engine.lists import ListCatalog
from screening.engine.values import normalise_account
from screening.lists.model import EntryType, ListEntry, ListName, Strength
from screening.matching import normalize
from screening.matching.lists import ListIndex
from screening.memory import forget_caches
from screening.rulepacks.schema import ListMatchSpec
from screening.text import _latin_marks, fold


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

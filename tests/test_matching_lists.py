"""ListIndex on the real OFAC SDN and UN lists: every DPRK alias finds its entry, generic names find none."""

from collections import Counter

from pathlib import Path

import pytest

from screening.lists.model import EntryType, ListEntry, ListName, Strength
from screening.matching.lists import DEFAULT_THRESHOLD, ListIndex, ListMatch
from tests.matching_support import dprk_entries, full_index, perturbations


def _own(entry: ListEntry, found: list[ListMatch]) -> bool:
    return any(m.entry.source == entry.source and m.entry.id == entry.id for m in found)


def test_every_dprk_alias_finds_its_own_entry() -> None:
    index = full_index()
    entries = dprk_entries()
    assert len(entries) > 600 and sum(len(e.names) for e in entries) > 1300
    queries = [(entry, listed.name) for entry in entries for listed in entry.names]
    results = index.search_many([name for _, name in queries], threshold=DEFAULT_THRESHOLD, limit=50)
    missed = [name for (entry, name), found in zip(queries, results) if not _own(entry, found)]
    assert missed == []


def test_perturbed_dprk_names_find_their_entry() -> None:
    index = full_index()
    cases = [(entry, kind, variant) for entry in dprk_entries() for listed in entry.names
             for kind, variant in perturbations(entry, listed)][::4]
    results = index.search_many([variant for _, _, variant in cases], threshold=DEFAULT_THRESHOLD, limit=50)
    total, found = Counter(), Counter()
    for (entry, kind, _), hits in zip(cases, results):
        total[kind] += 1
        found[kind] += _own(entry, hits)
    assert set(total) == {"case", "typo", "order", "legal-form", "apostrophe-hyphen"}
    for kind in ("case", "order", "legal-form", "apostrophe-hyphen"):
        assert found[kind] == total[kind], kind
    assert found["typo"] / total["typo"] >= 0.98


@pytest.mark.parametrize(
    "name",
    [
        "Korea Trading Co., Ltd.",
        "Korea General Trading Corporation",
        "Korean International Trading Co., Ltd.",
        "DPRK Shipping Co., Ltd.",
        "Asia Pacific Trading LLC",
        "Hyundai Corporation",
        "Samsung C&T Corporation",
        "Dandong Seafood Import Export Co., Ltd.",
        "Pyongyang Restaurant Bangkok",  # a risk indicator for the rule packs, not a list name
        "朝鲜贸易有限公司",  # 'Korea trading company' in Chinese
    ],
)
def test_ordinary_korean_and_chinese_firms_match_nothing(name: str) -> None:
    assert full_index().search(name, threshold=DEFAULT_THRESHOLD) == []


def test_hits_are_explained() -> None:
    index = full_index()
    [tangun] = index.search("Korea Tangun Trading Co., Ltd.", country="KP", limit=1)
    assert tangun.matched.name == "KOREA TANGUN TRADING CORPORATION"
    assert tangun.score == 100.0
    assert "legal form CORPORATION ~ CO., LTD" in tangun.explanation
    assert "country KP matches" in tangun.explanation
    [kim] = [m for m in index.search("김정은") if m.entry.id == "20157"]
    assert kim.matched.name == "KIM, Jong Un"
    assert "transliterated 김정은 -> kim jong un" in kim.explanation
    komid = [m for m in index.search("KOMID") if m.matched.strength == Strength.WEAK]
    assert komid and komid[0].score == 90.0 and "weak alias x0.9" in komid[0].explanation


def test_one_match_per_entry_best_first_within_limit() -> None:
    index = full_index()
    found = index.search("Kim Yong Chol", threshold=80, limit=7)
    assert 1 < len(found) <= 7
    assert len({(m.entry.source, m.entry.id) for m in found}) == len(found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert index.search("Kim Yong Chol", threshold=80, limit=0) == []
    assert index.search("  ") == [] and index.search("") == []


def test_search_many_equals_search_and_checks_countries() -> None:
    index = full_index()
    names = ["Korea Tangun Trading", "Kim Jong Un", "Korea Tangun Trading", "nothing like a list name"]
    countries = ["KP", None, "DE", None]
    many = index.search_many(names, countries, threshold=85)
    assert many == [index.search(n, country=c, threshold=85) for n, c in zip(names, countries)]
    assert many[0][0].score > many[2][0].score  # the same name: country KP raises, DE lowers
    with pytest.raises(ValueError, match="2 names but 1 countries"):
        index.search_many(["a", "b"], ["KP"])


def test_a_small_index_built_from_entries() -> None:
    entries = [
        ListEntry("ofac-sdn", "1", EntryType.ENTITY, (ListName("MOKRAN LLC"), ListName("MOKRAN", "aka",
                                                                                       Strength.WEAK))),
        ListEntry("un", "KPi.1", EntryType.INDIVIDUAL, (ListName("RI JE-SON"),), countries=("KP",)),
    ]
    index = ListIndex(entries)
    assert index.names == 3
    assert [m.entry.id for m in index.search("Mokran Co., Ltd.")] == ["1"]
    assert index.search("Mokran Co., Ltd.")[0].matched.name == "MOKRAN LLC"  # strong beats weak
    assert [m.entry.id for m in index.search("Ri Je Son", country="KP")] == ["KPi.1"]
    assert index.search("Ri Je Son", country="KP")[0].score == 100.0


@pytest.mark.parametrize("name", ["Công ty TNHH Thành Công Hongbao", "Công ty TNHH Thành Công Jinping",
                                  "CONG TY TNHH THANH CONG XINJIN"])
def test_vietnamese_legal_forms_do_not_make_a_match(name: str) -> None:
    """'Công ty TNHH' (LLC) is a legal form: three shared words once made every 'Thành Công ...' (a common
    Vietnamese firm name) match OFAC's 'CONG TY TNHH THINH CUONG' (DPRK4)."""
    assert full_index().search(name, country="VN") == []


def test_vietnamese_legal_forms_still_match_the_listed_firm() -> None:
    found = full_index().search("Công ty TNHH Thịnh Cường", country="VN")
    assert found and "THINH CUONG" in found[0].entry.name
    assert any("legal form" in note for note in found[0].explanation)


@pytest.mark.parametrize("words", ["each worker its own", "shared", "not writable"])
def test_background_scoring_on_workers_equals_scoring_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           words: str) -> None:
    """start_scoring() on two forked workers gives the hits search() finds in this process, even when a
    worker's own cache fills up and is cleared in the middle of a task (a bug once lost names that way); the
    same when the workers first share out the words of the names (their list words found once, in files that
    are gone afterwards), and when those files cannot be written."""
    from screening.matching import lists

    scratch = tmp_path / "scratch"
    shared: list[tuple[str, ...] | None] = []
    if words != "each worker its own":
        monkeypatch.setattr(lists, "SHARED_WORDS_MIN_NAMES", 10)
        monkeypatch.setattr(lists, "_scratch_folder", lambda: str(scratch))
        share = lists.ListIndex._share_word_links
        monkeypatch.setattr(lists.ListIndex, "_share_word_links", lambda *a: shared.append(share(*a)) or shared[-1])
        if words == "shared":
            scratch.mkdir()

    entries = dprk_entries()
    names = [listed.name for entry in entries[:150] for listed in entry.names[:2]]
    names += [f"Ordinary Supplier {n} Trading Co" for n in range(600)] + ["Korea Tangun Trading"]
    monkeypatch.setenv("SCREENING_WORKERS", "2")
    monkeypatch.setattr(lists, "PARALLEL_MIN_NAMES", 10)
    monkeypatch.setattr(lists, "PARALLEL_BATCHES", 400)
    monkeypatch.setattr(lists, "BATCH", 64)
    monkeypatch.setattr(lists, "QUERY_CACHE", 150)  # a worker clears its cache inside every task
    floor = DEFAULT_THRESHOLD - lists.COUNTRY_MATCH_BONUS
    background = ListIndex(entries)
    try:
        background.start_scoring(names, floor)
        background.wait()
        assert background._pool is not None  # the workers did the scoring
        prescored = {name: background._prescored[name][1] for name in names}
    finally:
        background.close()
    here = ListIndex(entries)
    monkeypatch.setenv("SCREENING_WORKERS", "1")
    expected = {name: here._scored(name, floor) for name in names}
    assert prescored == expected
    assert sum(1 for hits in expected.values() if hits) > 100  # list names do hit
    if words == "shared":
        assert shared == [(str(scratch / "words-0.pickle"), str(scratch / "words-1.pickle"))]
    elif words == "not writable":
        assert shared == [()]  # nothing shared: each worker found its own words' list names
    assert not scratch.exists()


def test_closing_while_workers_score_stops_them_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error or Ctrl-C in the other rules closes the index while its workers are still scoring: close()
    returns promptly (it once waited forever for results a stopped pool never sends) and leaves no worker."""
    import multiprocessing
    import threading
    import time

    from screening.matching import lists

    monkeypatch.setenv("SCREENING_WORKERS", "2")
    monkeypatch.setattr(lists, "PARALLEL_BATCHES", 200)
    index = ListIndex(dprk_entries())
    names = [f"Supplier {n} Haixing Dandong Trading" for n in range(20_000)]
    index.start_scoring(names, DEFAULT_THRESHOLD - lists.COUNTRY_MATCH_BONUS)
    time.sleep(0.5)
    closing = threading.Thread(target=index.close, daemon=True)  # a hang fails the test, not the suite
    closing.start()
    closing.join(timeout=10)
    assert not closing.is_alive(), "close() did not return"
    assert multiprocessing.active_children() == []
    assert index.search("Korea Tangun Trading")  # the index still searches, in this process


def test_once_its_workers_are_forked_the_index_leaves_all_scoring_to_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent drops its scoring structures when it forks the workers (at a million rows they would
    otherwise sit in its memory all run): even a single name is then scored by a worker, with the scores
    of one process; once the workers are closed the parent builds them again to search on its own."""
    entries = dprk_entries()
    wanted = ["Korea Tangun Trading", "Koryo Bank", "Ordinary Supplier Trading Co"]
    monkeypatch.setenv("SCREENING_WORKERS", "1")
    expected = [ListIndex(entries).search(name) for name in wanted]
    assert expected[0] and expected[1] and not expected[2]
    monkeypatch.setenv("SCREENING_WORKERS", "2")
    index = ListIndex(entries)
    try:
        index.start_workers()
        assert all(part._scoring is None for part in index._partitions)
        assert [index.search(name) for name in wanted] == expected
        assert all(part._scoring is None for part in index._partitions)  # the workers scored them
    finally:
        index.close()
    index.forget()
    assert [index.search(name) for name in wanted] == expected
    assert all(part._scoring is not None for part in index._partitions)


def test_names_started_twice_are_handed_to_the_workers_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook's names are started as soon as it is parsed, then every searched field's once it is read:
    the second start hands over only the names the first did not, without waiting for the first, and the
    scores are those of one process."""
    from screening.matching import lists

    entries = dprk_entries()
    early = [listed.name for entry in entries[:120] for listed in entry.names[:1]]
    early += [f"Ordinary Supplier {n} Trading Co" for n in range(400)]
    later = early[::2] + [f"Parent Holding {n} Ltd" for n in range(300)] + ["Korea Tangun Trading"]
    monkeypatch.setenv("SCREENING_WORKERS", "2")
    monkeypatch.setattr(lists, "PARALLEL_MIN_NAMES", 10)
    monkeypatch.setattr(lists, "PARALLEL_BATCHES", 100)
    handed: list[int] = []
    score = lists.ListIndex._score_in_workers
    monkeypatch.setattr(lists.ListIndex, "_score_in_workers",
                        lambda self, todo, *rest: (handed.append(len(todo)), score(self, todo, *rest))[1])
    floor = DEFAULT_THRESHOLD - lists.COUNTRY_MATCH_BONUS
    background = ListIndex(entries)
    try:
        background.start_scoring(early, floor)
        assert background._background  # scoring in the background (joined by wait())
        background.start_scoring(later, floor)
        background.wait()
        prescored = {name: background._prescored[name][1] for name in early + later}
    finally:
        background.close()
    assert handed == [len(set(early)), len(set(later) - set(early))]
    monkeypatch.setenv("SCREENING_WORKERS", "1")
    here = ListIndex(entries)
    assert prescored == {name: here._scored(name, floor) for name in early + later}

"""The candidate index loses nothing: searching it gives exactly what scoring every list name gives."""

from screening.lists.model import EntryType
from screening.matching.lists import DEFAULT_THRESHOLD
from screening.matching.normalize import normalize_name
from screening.matching.score import compare, gate_passes, qualify
from tests.matching_support import dprk_entries, dprk_index, perturbations


def _queries(step: int) -> list[str]:
    """Every `step`-th name of the DPRK entries with its perturbations (typo, order, legal form...)."""
    names: list[str] = []
    for entry in dprk_entries():
        for listed in entry.names:
            names += [listed.name, *(variant for _, variant in perturbations(entry, listed))]
    return names[::step] + ["Korea Trading Co., Ltd.", "Pyongyang", "김정은", "Ким Чен Ын", "KP", ""]


def test_candidates_are_exactly_the_names_passing_the_gate() -> None:
    index = dprk_index()
    for part in index._partitions:
        for name in _queries(29):
            query = normalize_name(name, part.person)
            expected = [i for i, form in enumerate(part.forms) if query.tokens and gate_passes(query, form)]
            assert part.index.candidates(query).tolist() == expected, name


def test_names_failing_the_gate_score_zero() -> None:
    index = dprk_index()
    for part in index._partitions:
        for name in _queries(41):
            query = normalize_name(name, part.person)
            for form in part.forms:
                if not gate_passes(query, form):
                    assert compare(query, form).score == 0.0


def _raw_scores(name: str) -> list[tuple[tuple[str, str], object, tuple[str, ...], float]]:
    """Every name of every DPRK entry scored with compare(): (entry key, strength, countries, score)."""
    scored = []
    for entry in dprk_entries():
        person = entry.type == EntryType.INDIVIDUAL
        query = normalize_name(name, person)
        if not query.tokens:
            continue
        for listed in entry.names:
            raw = compare(query, normalize_name(listed.name, person)).score
            scored.append(((entry.source, entry.id), listed.strength, entry.countries, raw))
    return scored


SETTINGS = ((DEFAULT_THRESHOLD, None), (70.0, "CN"), (50.0, "KP"))


def test_index_search_equals_brute_force() -> None:
    """At the shipped threshold and lower ones, with and without a country, on names and perturbations."""
    index = dprk_index()
    compared = 0
    for name in _queries(53):
        raw = _raw_scores(name)
        for threshold, country in SETTINGS:
            expected: dict[tuple[str, str], float] = {}
            for key, strength, countries, score in raw:
                qualified, _ = qualify(score, strength, country, countries)
                if qualified >= threshold and qualified > expected.get(key, 0.0):
                    expected[key] = qualified
            found = index.search(name, country=country, threshold=threshold, limit=10_000)
            assert {(m.entry.source, m.entry.id): m.score for m in found} == expected, (name, threshold)
            compared += 1
    assert compared > 300

"""Name similarity and its qualifiers; the batch scorer agrees with the reference compare()."""

import numpy as np
import pytest

from screening.lists.model import EntryType, Strength
from screening.matching.normalize import normalize_name
from screening.matching.score import (
    COUNTRY_MATCH_BONUS,
    COUNTRY_MISMATCH_PENALTY,
    ONE_EDIT,
    WEAK_ALIAS_FACTOR,
    BatchScorer,
    best_view,
    compare,
    gate_passes,
    qualify,
)
from tests.matching_support import dprk_entries, perturbations


def score(query: str, listed: str, person: bool = False) -> float:
    return compare(normalize_name(query, person), normalize_name(listed, person)).score


# ------------------------------------------------------------------------------------------ finds


@pytest.mark.parametrize(
    ("query", "listed", "person"),
    [
        ("Korea Tangun Trading Co., Ltd.", "KOREA TANGUN TRADING CORPORATION", False),  # legal form
        ("Tangun Korea Trading Corp", "KOREA TANGUN TRADING CORPORATION", False),  # word order
        ("Chongsong Trading", "CH'O'NGSONG TRADING", False),  # apostrophes
        ("Koryo Link LLC", "KORYOLINK", False),  # words split
        ("Chong Chon Gang Shipping Co", "CHONGCHONGANG SHIPPING COMPANY LIMITED", False),
        ("Kim Jong Un", "KIM, Jong Un", True),
        ("김정은", "KIM, Jong Un", True),
        ("Kim Jongun", "KIM, Jong Un", True),
        ("Ri Yong Gil", "RI, Yong Kil", True),  # romanisation key: gil / kil
        ("Lee Yong Kil", "RI, Yong Kil", True),  # Ri / Lee
    ],
)
def test_same_name_differently_written_scores_at_least_95(query: str, listed: str, person: bool) -> None:
    assert score(query, listed, person) >= 95


@pytest.mark.parametrize(
    ("query", "listed", "person"),
    [
        ("Korea Tangum Trading", "KOREA TANGUN TRADING CORPORATION", False),
        ("Daesnog Trading", "DAESONG TRADING", False),  # swapped letters
        ("Kim Jong Um", "KIM, Jong Un", True),  # a typo in a two-letter syllable: one edit of the whole
        ("Pak Il-yGu", "Pak Il-Gyu", True),
    ],
)
def test_one_typo_still_scores_at_least_the_one_edit_score(query: str, listed: str, person: bool) -> None:
    assert score(query, listed, person) >= ONE_EDIT


# ------------------------------------------------------------------------------------------ rejects


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Korea Trading Co., Ltd.", "KOREA TANGUN TRADING CORPORATION"),  # generic words alone
        ("Korea General Trading Corporation", "KOREA DAESONG GENERAL TRADING CORPORATION"),
        ("Kumsong Trading", "KUMGANG TRADING"),  # distinctive words two letters apart
        ("Asia Trading Company", "SIAS TRADING"),  # a generic word one letter from a distinctive one
    ],
)
def test_generic_words_never_carry_a_match(query: str, listed: str) -> None:
    assert score(query, listed) == 0.0
    assert not gate_passes(normalize_name(query), normalize_name(listed))


def test_two_generic_names_meet_only_on_exact_words_and_stay_under_88() -> None:
    query, listed = normalize_name("International Trading Company"), normalize_name("INTERNATIONAL PACIFIC TRADING")
    assert gate_passes(query, listed)
    assert 0 < compare(query, listed).score < 88
    assert score("International Tradng Company", "INTERNATIONAL PACIFIC TRADING") < 88


def test_a_distinctive_word_mismatch_costs_more_than_a_generic_one() -> None:
    assert score("Korea Daesong Bank", "KOREA DAESONG TRADING") < 88  # other distinctive context
    assert score("Daesong Trading", "KOREA DAESONG GENERAL TRADING") > score(
        "Daesong Kumsan Trading", "KOREA DAESONG GENERAL TRADING")


@pytest.mark.parametrize(
    ("query", "listed", "person"),
    [
        ("Kim Jong Il", "KIM, Jong Un", True),
        ("Kim Yong Chol", "Kim Yong Chun", True),
        ("Alexander Lukashevich", "Alexander Lukashenko", True),  # a shared beginning is not a typo
        ("Pedro Sancho", "Pedro Sánchez", True),
        ("Sergey Ivanovich Lavrov", "Sergey Viktorovich Lavrov", True),  # contradicting patronymics
    ],
)
def test_different_people_stay_under_88(query: str, listed: str, person: bool) -> None:
    assert score(query, listed, person) < 88


def test_numbers_must_agree() -> None:
    assert score("WON SAN 3", "WON SAN 2") < 60
    assert score("Third Floor", "3RD FLOOR") >= 95


def test_short_list_names_need_an_exact_match() -> None:
    assert score("RGB", "RGB") == 100.0
    assert score("R.G.B.", "RGB") == 100.0
    assert score("RGC", "RGB") == 0.0
    assert score("KIA", "GIA") == 0.0  # organisations: not even by romanisation key


# ------------------------------------------------------------------------------------------ qualifiers


def test_weak_aliases_weigh_less() -> None:
    assert qualify(100.0, Strength.WEAK, None, ()) == (100.0 * WEAK_ALIAS_FACTOR, ("weak alias x0.9",))
    assert qualify(100.0, Strength.STRONG, None, ()) == (100.0, ())


def test_country_raises_or_lowers_slightly() -> None:
    assert qualify(90.0, Strength.STRONG, "KP", ("KP", "CN")) == (
        90.0 + COUNTRY_MATCH_BONUS, ("country KP matches",))
    assert qualify(90.0, Strength.STRONG, "DE", ("KP",)) == (
        90.0 - COUNTRY_MISMATCH_PENALTY, ("country DE not in KP",))
    assert qualify(99.0, Strength.STRONG, "KP", ("KP",))[0] == 100.0  # capped
    assert qualify(90.0, Strength.STRONG, None, ("KP",)) == (90.0, ())
    assert qualify(90.0, Strength.STRONG, "KP", ()) == (90.0, ())  # the entry says nothing
    assert qualify(0.0, Strength.WEAK, "KP", ("KP",)) == (0.0, ())  # no name match, nothing to qualify


# ------------------------------------------------------------------------------------------ batch scorer


def test_batch_scorer_equals_compare_on_dprk_names() -> None:
    """The vectorised filter, many queries in one call, gives what compare() gives before its number and
    short-name rules, on the DPRK names and their perturbations."""
    by_kind: dict[bool, list] = {True: [], False: []}
    queries: dict[bool, list[str]] = {True: [], False: []}
    for entry in dprk_entries():
        person = entry.type == EntryType.INDIVIDUAL
        for listed in entry.names:
            by_kind[person].append(normalize_name(listed.name, person))
            queries[person] += [listed.name] + [v for _, v in perturbations(entry, listed)][:2]
    checked = 0
    for person, forms in by_kind.items():
        scorer = BatchScorer(forms)
        sample = [normalize_name(name, person) for name in queries[person][::29]]
        which = np.repeat(np.arange(len(sample), dtype=np.int32), len(forms))
        positions = np.tile(np.arange(len(forms), dtype=np.int32), len(sample))
        views = scorer.views_many(sample, which, positions, person)
        for k, position, view in zip(which.tolist(), positions.tolist(), views.tolist()):
            query, form = sample[k], forms[position]
            if scorer.short[position] or not gate_passes(query, form):
                continue
            if query.tokens == form.tokens or set(query.compacts) & set(form.compacts):
                assert view == pytest.approx(100.0)  # compare()'s exact rules, which come first
                continue
            assert view == pytest.approx(best_view(query, form)[1], abs=1e-9), (query.written, form.written)
            checked += 1
    assert checked > 3000

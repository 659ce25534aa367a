"""Pattern rules run only on the values holding a word every match needs (screening/engine/prefilter.py)."""

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.engine.prefilter import Prefilter, required_words
from screening.screen import default_rules_dir
from screening.text import fold


def words(pattern: str) -> frozenset[str] | None:
    return required_words(re.compile(pattern, re.IGNORECASE))


def bundled_patterns() -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), dict) and "regex" in node["pattern"]:
                found.append(node["pattern"]["regex"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(default_rules_dir().glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return list(dict.fromkeys(found))


PATTERNS = bundled_patterns()


def test_the_bundled_packs_have_patterns_and_most_get_words() -> None:
    assert len(PATTERNS) >= 15
    assert sum(words(p) is not None for p in PATTERNS) >= len(PATTERNS) * 3 // 4


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"north\W+korean?\W+workers?", {"north", "korea", "worker"}),  # one of the literal runs
        (r"\b(workers?|crews?)\W+from\W+dprk", {"from", "dprk"}),
        (r"(contracts?|agreements?)\W+upfront", {"contract", "agreement", "upfront"}),
        (r"工资[^。]{0,6}(扣发|扣留)", {"工资", "扣发", "扣留"}),
        (r"северокорейск\w*", {"северокорейск"}),
    ],
)
def test_words_are_one_required_part_of_the_pattern(pattern: str, expected: set[str]) -> None:
    found = words(pattern)
    assert found is not None and found <= expected | {w.upper() for w in expected}
    # every match holds one of them
    for text in ("north korean workers", "workers from dprk", "contracts upfront", "工资扣发", "северокорейский"):
        if re.search(pattern, text, re.IGNORECASE):
            assert any(w in text for w in found)


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d+\W?\d",  # no letters at all
        r"(a|bc)\W+(d|ef)",  # words of one letter would be found nearly everywhere
        r"(workers?)?\W+x",  # an optional group is not required
        r"(?i:dprk)|staff",  # a branch whose letters follow other case rules
        r"d\W?p\W?r\W?k",
    ],
)
def test_no_words_when_none_are_useful(pattern: str) -> None:
    assert words(pattern) is None


def test_letters_folded_to_several_are_not_used() -> None:
    # 'İ' matches 'i' under IGNORECASE but case-folds to two characters: it would not be found in folded text
    assert words("İstanbul") == frozenset({"stanbul"})  # fold('İstanbul') == 'istanbul'
    assert words("İ\\W+x") is None


def test_candidates_are_the_values_holding_a_word_in_order() -> None:
    prefilter = Prefilter(re.compile(r"(contract|upfront)\W+x", re.IGNORECASE))
    texts = ["upfront", "nothing", "a contract", "contract\nupfront", "", "upfrontupfront", "x", "contract"]
    assert prefilter.candidates(texts, range(len(texts))) == [0, 2, 3, 5, 7]
    assert prefilter.candidates(texts, [1, 2, 7]) == [2, 7]  # only the positions asked about


def test_a_word_is_never_found_across_two_values() -> None:
    prefilter = Prefilter(re.compile("upfront", re.IGNORECASE))
    assert prefilter.candidates(["up", "front", "upfron", "t"], range(4)) == []


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_value_a_bundled_pattern_matches_is_a_candidate(pattern: str) -> None:
    regex = re.compile(pattern, re.IGNORECASE)
    prefilter = Prefilter(regex)
    check(regex, prefilter)


def check(regex: re.Pattern[str], prefilter: Prefilter) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(regex), st.text(max_size=8))
    def matched_values_are_candidates(text: str, other: str) -> None:
        folded = fold(text)
        if regex.search(folded) is None:
            return  # folding changed the text so that it no longer matches: nothing to check
        texts = [fold(other), folded, fold(other + text)]
        candidates = prefilter.candidates(texts, range(3))
        assert 1 in candidates
        for k, value in enumerate(texts):
            if regex.search(value):
                assert k in candidates

    matched_values_are_candidates()

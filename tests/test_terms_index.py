"""The word-index path (TermMatcher.find_all over a TokenIndex) gives exactly find()'s answers.

find() runs one regex per text; find_all() looks the terms' first words up in an index of all texts and
confirms only the candidates. Compared here on every term list of the bundled packs against many texts:
fixture cells, generated supplier-like names in several scripts, and texts built from the terms themselves
(exact, prefixed, glued to other words, split by punctuation) where the word boundaries decide.
"""

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.engine.terms import TermMatcher, TokenIndex
from screening.rulepacks import load_packs
from screening.rulepacks.schema import TextCondition

ROOT = Path(__file__).resolve().parent.parent


def _conditions(node: object):
    yield node
    for child in getattr(node, "all", None) or getattr(node, "any", None) or ():
        yield from _conditions(child)
    if getattr(node, "not_", None) is not None:
        yield from _conditions(node.not_)


def pack_term_lists() -> list[tuple[str, ...]]:
    lists: dict[tuple[str, ...], None] = {}
    for pack in load_packs([ROOT / "rules"]):
        spec = pack.spec
        for sector in spec.sectors.values():
            if sector.terms:
                lists[tuple(sector.terms)] = None
        for place in spec.places.values():
            lists[tuple(place.terms)] = None
        for rule in spec.rules:
            for condition in _conditions(rule.when):
                if isinstance(condition, TextCondition):
                    lists[tuple(condition.text.terms)] = None
    return list(lists)


TERM_LISTS = pack_term_lists()
ALL_TERMS = sorted({t for terms in TERM_LISTS for t in terms})
FILLERS = ["Co., Ltd.", "GmbH", "有限公司", "ООО", "주식회사", "Trading", "the", "x", "_", "-", "·", "2024",
           "Dalian", "Сибирь", "Hoàng Long", "株式会社", "ltd.", "&", "'s", "é", "ー"]


def glued_texts(seed: int, count: int) -> list[str]:
    """Texts made of term pieces and fillers joined with and without separators (word-boundary traps)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(1, 4)):
            term = rng.choice(ALL_TERMS).rstrip("*")
            choice = rng.random()
            if choice < 0.2:
                term = term[: max(1, len(term) - rng.randint(1, 3))]  # cut short
            elif choice < 0.4:
                term = term + rng.choice(["s", "ing", "er", "水", "_x", "1"])  # extended
            elif choice < 0.5:
                term = term.upper()
            elif choice < 0.6:
                term = term.replace(" ", rng.choice(["-", "", "  ", "_", ". "]))
            pieces.append(term)
            if rng.random() < 0.5:
                pieces.append(rng.choice(FILLERS))
        texts.append(rng.choice(["", " ", "-", "/"]).join(pieces))
    return texts


def fixture_texts() -> list[str]:
    from screening.intake import read_inputs

    texts: list[str] = []
    for path in sorted((ROOT / "fixtures").glob("*")):
        if path.suffix.lower() in {".xlsx", ".csv", ".tsv", ".txt", ".ods", ".xls"}:
            try:
                intake = read_inputs([path])
            except Exception:  # noqa: BLE001 - fixtures that are meant to fail intake add nothing here
                continue
            for cells in intake.records["cells"]:
                texts.extend(cells)
    return texts


def assert_same(matcher: TermMatcher, texts: list[str]) -> None:
    index = TokenIndex(texts)
    found = matcher.find_all(index)
    for position, text in enumerate(texts):
        expected = matcher.find(text) if text else None
        assert found.get(position) == expected, (matcher.terms[:5], text)


def test_pack_term_lists_are_found() -> None:
    assert len(TERM_LISTS) >= 10 and len(ALL_TERMS) >= 200


@pytest.mark.parametrize("terms", TERM_LISTS, ids=lambda t: t[0])
def test_index_equals_regex_on_generated_texts(terms: tuple[str, ...]) -> None:
    matcher = TermMatcher.compile(terms)
    texts = glued_texts(len(terms), 600) + [t for t in terms] + [f"x{t}" for t in terms] + [f"{t}x" for t in terms]
    assert_same(matcher, texts)


def test_index_equals_regex_on_fixture_cells() -> None:
    texts = sorted(set(fixture_texts()))
    assert len(texts) > 100
    for terms in TERM_LISTS:
        assert_same(TermMatcher.compile(terms), texts)


def test_index_equals_regex_on_one_list_of_every_term() -> None:
    assert_same(TermMatcher.compile(ALL_TERMS), glued_texts(99, 3000))


def test_edge_terms() -> None:
    # Terms starting with punctuation, inner punctuation, prefix terms, mixed-script unspaced terms.
    terms = ["co., ltd", "-x", "&co", "fish*", "fish", "ab*", "ab中", "it外包", "a.b*", "北 한", "ship rep*", "水产"]
    texts = ["Co., Ltd", "x-x", "A&co", "fishing", "fish", "xab中", "ab中", "submitit外包", "a.bc", "北한",
             "ship repair", "ship-rep", "珲春水产品", "abc", "the fish_farm", "FISH", "", " ", "a.b", "co., ltdx"]
    assert_same(TermMatcher.compile(terms), texts + glued_texts(5, 200))


_TERM_PIECES = st.sampled_from(list("ab 中-_.é*") + ["fish", "水产", "ship"])
_TEXT_PIECES = st.sampled_from(list("ab 中-_.éÉ水产x") + ["fish", "ship"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_TERM_PIECES, min_size=1, max_size=6).map("".join).filter(lambda t: t.strip(" *")),
                min_size=1, max_size=5),
       st.lists(st.lists(_TEXT_PIECES, max_size=10).map("".join), max_size=30))
def test_index_equals_regex_on_arbitrary_terms(terms: list[str], texts: list[str]) -> None:
    assert_same(TermMatcher.compile(terms), texts)

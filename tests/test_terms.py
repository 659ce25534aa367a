"""Keyword terms and industry-code prefixes (rules/README.md, Terms and Industry codes)."""

import pytest

from screening.engine.terms import CodeMatcher, TermMatcher, parse_industry_codes


@pytest.mark.parametrize(
    ("terms", "text", "term"),
    [
        (["seafood"], "Frozen SEAFOOD processing", "seafood"),
        (["seafood"], "Ｓｅａｆｏｏｄ exports", "seafood"),  # full-width letters fold
        (["fish processing"], "Fish-Processing plant", "fish processing"),
        (["fish*"], "Fisheries cooperative", "fish*"),
        (["строител*"], "Строительство и ремонт", "строител*"),
        (["水产"], "珲春水产品加工有限公司", "水产"),
        (["북한 노동자"], "북한노동자 파견", "북한 노동자"),  # Hangul terms ignore spacing
        (["cafe"], "Café Pyongyang", "cafe"),  # accents fold
        (["ship repair", "ship*"], "Ship repair yard", "ship repair"),  # the longer term is reported
    ],
)
def test_terms_found(terms: list[str], text: str, term: str) -> None:
    found = TermMatcher.compile(terms).find(text)
    assert found is not None and found[0] == term


@pytest.mark.parametrize(
    ("terms", "text"),
    [
        (["fish"], "Fisherman's Friend"),  # whole words unless the term ends in *
        (["crab"], "Scrabble games"),
        (["seafood"], "Sea food-free bakery"),
        (["ship repair"], "Relationship repair counselling"),
        (["dandong"], "Dandongxin Ltd"),
    ],
)
def test_terms_not_found(terms: list[str], text: str) -> None:
    assert TermMatcher.compile(terms).find(text) is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("NAICS 311710", [("naics", "311710")]),
        ("311710; 424460", [(None, "311710"), (None, "424460")]),
        ("NACE C10.20 / ISIC 1020", [("nace", "C10.20"), ("isic", "1020")]),
        ("naics: 236220, 237990", [("naics", "236220"), (None, "237990")]),
        ("ОКВЭД 41.20", []),  # a scheme we have no prefixes for is not guessed at
        ("", []),
    ],
)
def test_parse_industry_codes(cell: str, expected: list[tuple[str | None, str]]) -> None:
    assert [(c.scheme, c.code) for c in parse_industry_codes(cell)] == expected


def test_code_prefixes_respect_schemes() -> None:
    seafood = CodeMatcher.compile(naics=["3117"], isic=["1020"], nace=["C10.2"], sic=[])
    assert seafood.find("NAICS 311710") == ("NAICS 3117", "311710")
    assert seafood.find("NACE C10.20") == ("NACE C102", "C10.20")
    assert seafood.find("10.20") == ("NACE C102", "10.20")  # section letter left out
    assert seafood.find("1020") == ("ISIC 1020", "1020")  # unprefixed digits: NAICS, ISIC or SIC
    assert seafood.find("ISIC 3117") is None  # a prefixed code is compared with its own scheme only
    assert seafood.find("NAICS 1020") is None
    assert seafood.find("541511") is None

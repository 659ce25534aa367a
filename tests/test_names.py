"""Organisation-name normalisation and the small-list name index used by watchlist rules."""

import pytest

from screening.matching.names import NameIndex, normalize_folded_org_name, normalize_org_name
from screening.text import fold_uncached


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Mokran, LLC", "mokran"),
        ("Korea Rungrado General Trading Corp.", "korea rungrado general trading"),
        ("Hunchun Dongyang Seafood Industry & Trade Co., Ltd.", "hunchun dongyang seafood industry trade"),
        ("ООО «Мокран»", "мокран"),
        ("珲春东阳水产有限公司", "珲春东阳水产"),
        ("Armex Sp. z o.o.", "armex"),
        ("LLC", "llc"),  # a name that is only a legal form keeps it rather than vanishing
    ],
)
def test_normalize_org_name(name: str, normalised: str) -> None:
    assert normalize_org_name(name) == normalised


def test_index_finds_variants_and_rejects_generic_names() -> None:
    index = NameIndex([["Korea Rungrado General Trading Corporation"], ["Alis LLC"], ["Mokran LLC"]])
    queries = [
        "KOREA RUNGRADO GENERAL TRADING CO., LTD.",  # legal form differs
        "Rungrado General Trading Korea Corp",  # word order differs
        "Korea Rungrdo General Trading",  # a typo
        "Korea General Trading Co., Ltd.",  # generic: must not match
        "Alisa Ltd",  # short names need an exact match
        "ALIS",
        "",
    ]
    found = index.best(queries, threshold=90)
    assert [m.entry if m else None for m in found] == [0, 0, 0, None, None, 1, None]
    assert found[0] is not None and found[0].similarity == 100.0
    assert found[2] is not None and 90 <= found[2].similarity < 100


@pytest.mark.parametrize(
    "name",
    [
        "Mokran, LLC", "Korea Rungrado General Trading Corp.", "ООО «Мокран»", "珲春东阳水产有限公司", "LLC",
        "Armex Sp. z o.o.", "株式会社富士山田", "(주)대동무역", "  padded name  ", "Ｆｕｌｌｗｉｄｔｈ Ｃｏ．， Ｌｔｄ．",
        "Café Société S.A.", "İstanbul Dış Ticaret A.Ş.", "Straße GmbH", "a\u00a0b\u3000c", "___", "",
    ],
)
def test_folded_normalisation_equals_the_plain_one(name: str) -> None:
    """The watchlist rules normalise from the column's folded text: the same result, whatever the script."""
    assert normalize_folded_org_name(name, fold_uncached(name)) == normalize_org_name(name)

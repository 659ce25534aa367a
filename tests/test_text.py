"""Text folding shared by header mapping, keyword rules and name matching."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.text import cell_text, fold, simplify


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ｓｅａｆｏｏｄ  Café", "seafood cafe"),
        ("Việt Nam", "viet nam"),
        ("Gdańsk Łódź", "gdansk łodz"),  # Ł is a letter of its own, not L with an accent
        ("ドイツ", "ドイツ"),  # the voicing mark is part of the kana
        ("Край", "край"),  # й keeps its breve
        ("조선민주주의인민공화국", "조선민주주의인민공화국"),  # Hangul syllables recomposed
        ("STRASSE", "strasse"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_simplify_drops_punctuation() -> None:
    assert simplify("Co., Ltd.—(Dandong)") == "co ltd dandong"
    assert simplify("  ") == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (311710.0, "311710"),
        (0.5, "0.5"),
        (float("nan"), ""),
        (True, "TRUE"),
        (dt.datetime(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 13, 5), "2024-01-02T13:05:00"),
        ("  padded  ", "padded"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@given(st.text())
def test_fold_is_idempotent_and_never_raises(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert simplify(simplify(text)) == simplify(text)

"""fold() takes shortcuts (ASCII, one regex for Latin marks); it must equal the plain per-character rule."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.text import fold, fold_uncached

import re

_SPACES = re.compile(r"\s+")


def reference_fold(text: str) -> str:
    """The definition, character by character: drop combining marks only after a Latin base."""
    kept: list[str] = []
    base_is_latin = False
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if base_is_latin:
                continue
        else:
            base_is_latin = ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"
        kept.append(ch)
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", "".join(kept)).casefold()).strip()


SAMPLES = [
    "Ｓｅａｆｏｏｄ Café", "Straße Müller GmbH", "Nguyễn Văn Thành", "Hải Phòng", "ドラゴン", "Йошкар-Ола",
    "Объединённый", "북한노동자", "珲春水产品加工有限公司", "Łódź", "ﬁsh ﬂour", "Ǆemal", "ǅ", "i\u0307",
    "a\u0301\u0302b", "\u0301start", "x\u20dd", "ハ\u3099", "e\u0301\u0651", "ا\u0651\u064eلنور", "  two   spaces ",
    "Tab\tand\nnewline", "\x1cFS", "क्षत्रिय", "ĀĒĪŌŪ", "ß", "İstanbul", "ΣΊΣΥΦΟΣ", "Ǻ\u0328", "\u1e9e",
]


def test_samples_equal_reference() -> None:
    for text in SAMPLES:
        assert fold(text) == reference_fold(text) == fold_uncached(text), text


def test_every_combining_mark_after_latin_and_other_bases() -> None:
    marks = [chr(c) for c in range(0x110000) if unicodedata.combining(chr(c))]
    assert all(ord(m) < 0x1F000 for m in marks)  # the fast path's table stops there
    for base in ("a", " ", "7", "ƀ", "ạ", "д", "ア", "가", "中", "ا"):
        text = base + "".join(marks)
        assert fold_uncached(text) == reference_fold(text), base


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24))
def test_any_text_equals_reference(text: str) -> None:
    assert fold_uncached(text) == reference_fold(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "E", " ", "\u0301", "\u0308", "\u0327", "ア", "\u3099", "д", "\u0306",
                                 "ệ", "ǅ", "ﬁ", "\t", "ß", "İ", "\u0651", "ا"]), max_size=12))
def test_mark_heavy_text_equals_reference(parts: list[str]) -> None:
    text = "".join(parts)
    assert fold_uncached(text) == reference_fold(text)

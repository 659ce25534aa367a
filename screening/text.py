"""Pure text normalisation shared by header mapping, keyword rules and name matching."""

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def _is_latin(ch: str) -> bool:
    # Basic Latin through Latin Extended-B and IPA, plus Latin Extended Additional (Vietnamese).
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Compatibility-normalise, strip Latin accents and case-fold: 'Ｓｅａｆｏｏｄ Café' -> 'seafood cafe'.

    Marks are dropped only after a Latin letter: in Japanese (ド), Russian (й) or Hindi they are part of
    the letter, and NFKD would also split Hangul syllables, so the text is recomposed afterwards.
    """
    return fold_uncached(text)


def fold_uncached(text: str) -> str:
    """fold() without its cache, for bulk callers that fold each distinct value once (it would only churn)."""
    if text.isascii():  # NFKD and NFKC leave ASCII alone and casefold() is lower() there
        return _SPACES.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    # One regex pass instead of a Python loop per character: marks after a Latin base (and after the
    # marks already dropped behind it) go; marks on any other script stay.
    kept = _latin_marks().sub("", decomposed)
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", kept).casefold()).strip()


@lru_cache(maxsize=1)
def _latin_marks() -> re.Pattern[str]:
    """Runs of combining marks (canonical combining class > 0) right after a Latin character.

    Built on first use (~30 ms): every code point with a combining class lies below U+1F000.
    """
    marks = "".join(re.escape(chr(c)) for c in range(0x1F000) if unicodedata.combining(chr(c)))
    return re.compile(f"(?<=[\\x00-\u024f\u1e00-\u1eff])[{marks}]+")


@lru_cache(maxsize=65536)
def simplify(text: str) -> str:
    """fold() and replace every run of punctuation or spaces by one space: 'Co., Ltd.' -> 'co ltd'."""
    return simplify_folded(fold(text))


def simplify_folded(folded: str) -> str:
    """simplify() of a text whose fold() is known: simplify(t) == simplify_folded(fold(t))."""
    return _NON_WORD.sub(" ", folded).strip()


def cell_text(value: object) -> str:
    """Render a cell value as the text a user sees; whole floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    return str(value).strip()

"""Pure text normalisation shared by header mapping, keyword rules and name matching."""

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Compatibility-normalise, strip accents and case-fold: 'Ｓｅａｆｏｏｄ Café' -> 'seafood cafe'.

    Accents are removed from Latin letters only; Hangul, Han and Cyrillic keep their form
    (NFKD would split Hangul syllables into jamo, so we recompose after dropping marks).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", stripped).casefold()).strip()


@lru_cache(maxsize=65536)
def simplify(text: str) -> str:
    """fold() and replace every run of punctuation or spaces by one space: 'Co., Ltd.' -> 'co ltd'."""
    return _NON_WORD.sub(" ", fold(text)).strip()


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

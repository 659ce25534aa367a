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
    if text.isascii():  # nothing to decompose or strip: the same result, far cheaper
        return _SPACES.sub(" ", text.lower()).strip()
    kept: list[str] = []
    base_is_latin = False
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if base_is_latin:
                continue
        else:
            base_is_latin = _is_latin(ch)
        kept.append(ch)
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", "".join(kept)).casefold()).strip()


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

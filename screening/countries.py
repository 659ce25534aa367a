"""Country cells to ISO 3166-1 alpha-2 codes: codes, English names and the languages suppliers write in.

North Korea (KP) must never be read as South Korea (KR). Four things guard that:
curated names in data/country_variants.yaml win over generated ones; a generated name claimed by two
countries is dropped rather than guessed; inside longer text the longest name wins ("North Korea" hides
"Korea"); and a South Korea found inside text next to a word such as "DPR" or "north" gives no answer.

Sources, strongest first: the curated YAML; ISO 3166 codes and English names (pycountry, CLDR English);
names in other languages (CLDR via babel, pycountry's ISO translations). All keys are compared after
screening.text.simplify(), so case, accents and punctuation never matter.
"""

import gettext
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, NamedTuple

import babel
import pycountry
import yaml

from screening.text import cell_text, simplify

__all__ = ["country_name", "is_iso2", "to_iso2"]

MAX_CELL_CHARS = 1000
"""Longer cells are prose, not a country; this also keeps huge strings out of the lookup cache."""

MIN_TEXT_KEY_CHARS = 4
"""Generated names shorter than this ('man', 'bi', 'nga', 'usa') are read only as the whole cell:
inside text they are ordinary words or codes. Han names are exempt ('中国' is two characters)."""

KOSOVO = "XK"
"""User-assigned code in wide use (EU, IMF, SWIFT) though not in ISO 3166-1 itself."""

_DATA_FILE = "country_variants.yaml"

# Chinese and Japanese write without spaces, so Han names are found as substrings, not whole words.
# Kana is left out: short kana names hide inside ordinary words (タイ "Thailand" in ネクタイ "necktie").
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
_TOKEN = re.compile(r"\S+")

# Source tiers: a key is decided by the strongest tier that claims it.
CURATED, ISO, TRANSLATED = 0, 1, 2


class Claim(NamedTuple):
    """One source saying that a simplified key names a country."""

    key: str
    code: str
    tier: int
    in_text: bool  # may also be found inside longer text, not only as the whole cell


class Match(NamedTuple):
    start: int
    end: int
    code: str | None  # None: a phrase that names no country ("New Jersey") and hides what it contains


@dataclass(frozen=True)
class Resolved:
    exact: dict[str, str]  # whole-cell key -> code
    in_text: frozenset[str]  # keys that may also be found inside longer text
    ambiguous: dict[str, frozenset[str]]  # generated keys dropped because two countries claim them


@dataclass(frozen=True)
class _Tables:
    exact: dict[str, str]
    words: dict[str, str | None]  # whole-word keys for text search
    han: dict[str, str | None]  # Han-only keys for substring search
    word_prefixes: frozenset[str]  # every leading run of whole words of a key in words
    han_prefixes: frozenset[str]  # every leading run of characters of a key in han
    guards: dict[str, frozenset[str]]
    blank: frozenset[str]
    names: dict[str, str]
    ambiguous: dict[str, frozenset[str]]


def to_iso2(text: str | None) -> str | None:
    """Normalise a country cell to ISO 3166-1 alpha-2 ('CN'), or None when it is empty or unknown.

    The whole cell is tried first (codes, names, variants, ISO numeric codes); then country names inside
    the text as whole words ('Hunchun, Jilin, China' -> 'CN'). Two different countries found there, or a
    guard word next to the one found, give None: an unknown country is reported, a wrong one is not.
    Never raises; results are cached.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        text = cell_text(text)
    if len(text) > MAX_CELL_CHARS:
        return None
    return _to_iso2(text)


def is_iso2(code: str) -> bool:
    """True for an assigned ISO 3166-1 alpha-2 code, or XK (Kosovo); the code must be upper-case."""
    return code in _codes()


def country_name(iso2: str) -> str:
    """English short name for reports: 'KP' -> 'North Korea', 'KR' -> 'South Korea', 'CN' -> 'China'."""
    try:
        return _tables().names[iso2]
    except KeyError:
        raise ValueError(f"{iso2!r} is not an ISO 3166-1 alpha-2 country code") from None


# ---------------------------------------------------------------- lookup


@lru_cache(maxsize=65536)
def _to_iso2(text: str) -> str | None:
    tables = _tables()
    key = simplify(text)
    if not key or key in tables.blank:
        return None
    code = tables.exact.get(key)
    if code is not None:
        return code
    return _find_in_text(key, tables)


def _find_in_text(key: str, tables: _Tables) -> str | None:
    kept = longest_matches([*_word_matches(key, tables), *_han_matches(key, tables)])
    codes = {m.code for m in kept if m.code is not None}
    if len(codes) != 1:
        return None
    code = codes.pop()
    guard = tables.guards.get(code)
    if guard and any(token in guard for token in _tokens_outside(key, kept)):
        return None
    return code


def longest_matches(matches: list[Match]) -> list[Match]:
    """Keep the longest matches; a shorter one inside or across a longer one is dropped.

    Equal-length matches that overlap are all kept, so two countries competing for the same text are
    reported as ambiguous rather than decided by order.
    """
    kept: list[Match] = []
    for length in sorted({m.end - m.start for m in matches}, reverse=True):
        group = [m for m in matches if m.end - m.start == length and not any(_overlap(m, k) for k in kept)]
        kept.extend(group)
    return kept


def _overlap(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def _word_matches(key: str, tables: _Tables) -> Iterator[Match]:
    # simplify() leaves single spaces between tokens, so a run of tokens is a plain slice of the key;
    # a phrase grows only while it is the start of some name, so most tokens cost one set lookup.
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(key)]
    for i, (start, _) in enumerate(spans):
        for j in range(i, len(spans)):
            end = spans[j][1]
            phrase = key[start:end]
            if phrase not in tables.word_prefixes:
                break
            if phrase in tables.words:
                yield Match(start, end, tables.words[phrase])


def _han_matches(key: str, tables: _Tables) -> Iterator[Match]:
    for run in _HAN_RUN.finditer(key):
        base, text = run.start(), run.group()
        for i in range(len(text)):
            for j in range(i + 1, len(text) + 1):
                piece = text[i:j]
                if piece not in tables.han_prefixes:
                    break
                if piece in tables.han:
                    yield Match(base + i, base + j, tables.han[piece])


def _tokens_outside(key: str, kept: list[Match]) -> Iterator[str]:
    for token in _TOKEN.finditer(key):
        span = Match(token.start(), token.end(), None)
        if not any(_overlap(span, m) for m in kept):
            yield token.group()


# ---------------------------------------------------------------- tables


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | {KOSOVO}


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    text = files("screening").joinpath("data", _DATA_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    for section in ("variants", "whole_cell_only", "guards", "display_names"):
        for code in data[section]:
            if code not in _codes():
                raise ValueError(f"{_DATA_FILE}: {section}: {code!r} is not an ISO 3166-1 alpha-2 code")
    return data


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    vocab = _vocabulary()
    resolved = resolve(_claims(vocab))
    words: dict[str, str | None] = {}
    han: dict[str, str | None] = {}
    for key in resolved.in_text:
        (han if _HAN_RUN.fullmatch(key) else words)[key] = resolved.exact[key]
    for phrase in vocab["not_countries"]:
        key = simplify(phrase)
        if key in resolved.exact:
            raise ValueError(f"{_DATA_FILE}: not_countries: {phrase!r} is also a country name")
        (han if _HAN_RUN.fullmatch(key) else words)[key] = None
    return _Tables(
        exact=resolved.exact,
        words=words,
        han=han,
        word_prefixes=frozenset(k[:i] for k in words for i in [*_spaces(k), len(k)]),
        han_prefixes=frozenset(k[:i] for k in han for i in range(1, len(k) + 1)),
        guards={code: frozenset(simplify(w) for w in ws) for code, ws in vocab["guards"].items()},
        blank=frozenset(simplify(value) for value in vocab["blank"]),
        names=_display_names(vocab),
        ambiguous=resolved.ambiguous,
    )


def _spaces(key: str) -> Iterator[int]:
    return (i for i, ch in enumerate(key) if ch == " ")


def resolve(claims: Iterable[Claim]) -> Resolved:
    """Decide each key by its strongest tier; a generated key two countries claim there is dropped.

    Two curated claims for one key are a mistake in the YAML and raise ValueError. A key is searched
    inside text only if every claim at its deciding tier allows it.
    """
    by_key: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    whole_cell_only: set[tuple[str, int]] = set()
    for claim in claims:
        by_key[claim.key][claim.tier].add(claim.code)
        if not claim.in_text:
            whole_cell_only.add((claim.key, claim.tier))
    exact: dict[str, str] = {}
    in_text: set[str] = set()
    ambiguous: dict[str, frozenset[str]] = {}
    for key, tiers in by_key.items():
        tier = min(tiers)
        codes = tiers[tier]
        if len(codes) > 1:
            if tier == CURATED:
                raise ValueError(f"{_DATA_FILE}: {key!r} is listed for {', '.join(sorted(codes))}")
            ambiguous[key] = frozenset(codes)
            continue
        exact[key] = next(iter(codes))
        if (key, tier) not in whole_cell_only:
            in_text.add(key)
    return Resolved(exact, frozenset(in_text), ambiguous)


def _claims(vocab: dict[str, Any]) -> Iterator[Claim]:
    yield from _curated_claims(vocab)
    yield from _iso_claims()
    yield from _translated_claims(vocab)


def _curated_claims(vocab: dict[str, Any]) -> Iterator[Claim]:
    for section, in_text in (("variants", True), ("whole_cell_only", False)):
        for code, names in vocab[section].items():
            for name in names:
                yield Claim(simplify(name), code, CURATED, in_text)


def _iso_claims() -> Iterator[Claim]:
    # Codes are read only as the whole cell: 'IN', 'NO', 'CAN', 'AND' are words inside text.
    english = babel.Locale.parse("en").territories
    for country in pycountry.countries:
        code = country.alpha_2
        for value in (code, country.alpha_3, country.numeric):
            yield Claim(simplify(value), code, ISO, in_text=False)
        names = [getattr(country, f, None) for f in ("name", "official_name", "common_name")]
        yield from _generated(code, [*names, english.get(code)], ISO)
    yield Claim(simplify(KOSOVO), KOSOVO, ISO, in_text=False)
    yield from _generated(KOSOVO, [english.get(KOSOVO)], ISO)


def _translated_claims(vocab: dict[str, Any]) -> Iterator[Claim]:
    not_in_text = {simplify(word) for word in vocab["not_in_text"]}
    ignore = {simplify(word) for word in vocab["ignore"]}
    for locale in vocab["cldr_locales"]:
        territories = babel.Locale.parse(locale).territories
        for code in _codes():
            yield from _generated(code, [territories.get(code)], TRANSLATED, not_in_text, ignore)
    for language in vocab["iso_translations"]:
        catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        for country in pycountry.countries:
            names = [getattr(country, f, None) for f in ("name", "official_name", "common_name")]
            translated = [catalog.gettext(name) for name in names if name]
            yield from _generated(country.alpha_2, translated, TRANSLATED, not_in_text, ignore)


def _generated(
    code: str,
    names: Iterable[str | None],
    tier: int,
    not_in_text: Collection[str] = (),
    ignore: Collection[str] = (),
) -> Iterator[Claim]:
    for name in names:
        key = simplify(name) if name else ""
        if len(key) < 2 or key in ignore:  # 'Ý' (Italy in Vietnamese) would make every 'Y' cell Italian
            continue
        short = not _HAN_RUN.fullmatch(key) and len(key.replace(" ", "")) < MIN_TEXT_KEY_CHARS
        yield Claim(key, code, tier, in_text=not short and key not in not_in_text)


def _display_names(vocab: dict[str, Any]) -> dict[str, str]:
    english = babel.Locale.parse("en").territories
    names: dict[str, str] = {}
    for code in _codes():
        country = pycountry.countries.get(alpha_2=code)
        fallback = getattr(country, "common_name", None) or getattr(country, "name", None) or code
        names[code] = vocab["display_names"].get(code) or english.get(code) or fallback
    return names

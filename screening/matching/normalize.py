"""Name normalisation for list matching: one cached, pure function from a written name to a NameForm.

What it does, in order (each step is reported in NameForm.notes so a hit can be explained):

1. Unicode NFKC, Latin accents stripped, case folded (screening.text.fold): 'Ch'ŏngsŏng' -> "ch'ongsong".
2. Transliteration to Latin. Hangul is romanised syllable by syllable in the DPRK's own system without
   breves (the spelling the OFAC and UN DPRK entries use: 김정은 -> 'kim jong un', 최룡해 -> 'choe ryong
   hae', 리 -> 'ri'); every other script goes through `anyascii`, with Han characters spaced one syllable
   apart (金正恩 -> 'jin zheng en'). Why not anyascii/normality for Hangul: both give the South Korean
   Revised Romanisation without syllable breaks ('GimJeongEun', 'gimjeong-eun'), which shares no token with
   'Kim Jong Un'. For Han both give Mandarin pinyin; anyascii is a pure table lookup (no ICU, same output on
   every platform), and it is what the other scripts use too.
3. Apostrophes of every kind (' ’ ‘ ` ´ ʼ ʻ) are deleted and hyphens become spaces, so McCune-Reischauer
   spellings meet their plain forms: Ch'o'ngsong == Chongsong == Ch'ŏngsŏng, 'Jong-un' ~ 'Jong Un'.
4. Legal forms are recognised with rigour's org-types database (Co., Ltd., LLC, ООО, Pte. Ltd., SARL,
   Aktiengesellschaft...) plus CJK suffixes (有限公司, 株式会社, 주식회사) and the bare words rigour leaves
   alone on purpose (company, corporation, co, inc, limited; pte, ooo... when a phrase is broken up), also
   with one typo when long ('CORPORATIION'). They are removed from the tokens and kept with their class for
   the explanation: two names that differ only in legal form are the same name. Organisations only.
5. Person names written 'LAST, First' (OFAC) are turned round to 'First LAST'; matching is insensitive to
   token order anyway, the turn only makes the joined ('compact') form comparable. Persons only.
6. Tokens: 'the', 'of', 'and', 'for' are dropped from organisation names; a run of single letters is an
   acronym and is joined ('K.O.M.I.D.' -> 'komid', 'P.T.' -> 'pt', then a legal form).
7. Each token gets a romanisation-insensitive key (token_key: Jong/Chong/Jeong, Kim/Gim, Ri/Lee/Yi,
   Pak/Park, Xi/Hsi, 'third'/'3rd' -> '3'...), a consonant skeleton (for names written in Arabic, Hebrew
   or Syriac, which leave vowels out) and a flag saying whether it is a minor word: a generic business word,
   a country or region name for organisations ('korea', 'trading', 'general', 'international'...), a
   particle, title or patronymic for persons ('al', 'bin', 'Dr', 'Viktorovich'). Minor words weigh little
   and can never make a match on their own.
8. The gate keys: what a name must share with another to be compared at all (see score.gate_passes).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

from anyascii import anyascii
from rigour.names.org_types import extract_org_types

from screening.text import fold

__all__ = [
    "GENERIC_WORDS",
    "PERSON_PARTICLES",
    "NameForm",
    "deletion_variants",
    "is_minor",
    "normalize_name",
    "normalize_org_name",
    "romanize_hangul",
    "skeleton",
    "token_key",
    "transliterate",
    "words_of",
]

NAME_CACHE = 1 << 18
"""Normalised names kept in memory: all ~41k list names plus the distinct supplier names of a large file."""

TOKEN_CACHE = 1 << 18
"""Token keys and deletion variants kept; tokens repeat far more than names."""

READINGS_CACHE = 2048
"""Steps shared by the two readings of a name (organisation, person) kept this many names: ListIndex reads a
batch of 512 names one way, then the other."""

MAX_NAME_CHARS = 300
"""Longer cells are not names (a pasted address or note); only this many characters are compared."""


class _Memo(dict[str, object]):
    """A function of one string, remembered in a plain dict: `memo[word]` is a C-level lookup once seen
    (lru_cache costs a Python call per lookup, and names look up every one of their words several times).
    Emptied when it holds TOKEN_CACHE entries."""

    def __init__(self, function: Callable[[str], object]) -> None:
        super().__init__()
        self._function = function

    def cache_clear(self) -> None:  # as lru_cache's (memory.forget_caches)
        self.clear()

    def cache_parameters(self) -> dict[str, int]:
        return {"maxsize": TOKEN_CACHE}

    def __missing__(self, key: str) -> object:
        if len(self) >= TOKEN_CACHE:
            self.clear()
        value = self[key] = self._function(key)
        return value


# ------------------------------------------------------------------------------------------ characters

_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4\u02bc\u02bb\u02b9\u2032\uff07\u201b]")
_HYPHENS = re.compile("[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u00ad]")
_NON_WORD = re.compile(r"[\W_]+")

# Hangul syllable = 19 initials x 21 medials x 28 finals (Unicode 3.12). DPRK romanisation (1992) without
# the breves: ㅓ and ㅗ are both 'o', ㅡ and ㅜ both 'u', as the lists write them (Jong, Un, Pyongyang).
_INITIALS = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th",
             "ph", "h")
_MEDIALS = ("a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
            "wi", "yu", "u", "ui", "i")
_FINALS = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
           "t", "t", "ng", "t", "t", "k", "t", "p", "t")
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3

# Legal forms written without spaces in CJK names (rigour needs word boundaries, which these scripts lack).
_CJK_LEGAL = re.compile(
    r"(股份有限公司|有限责任公司|有限責任公司|有限公司|无限公司|無限公司|株式会社|有限会社|合同会社|"
    r"주식회사|유한회사|유한책임회사|합자회사|\(주\)|㈜|（株）|\(株\)|公司|회사)"
)

# Vietnamese legal forms, as folded text ('Công ty TNHH' -> 'cong ty tnhh'): rigour does not know them, and
# left in a name they are three shared words that make 'Thành Công ...' look like 'THINH CUONG' (OFAC DPRK4).
_VIETNAMESE_LEGAL = re.compile(
    r"\b(cong ty (?:trach nhiem huu han|tnhh|co phan|cp|hop danh)(?: (?:mot thanh vien|mtv))?"
    r"|cong ty|doanh nghiep tu nhan|dntn|ctcp|tnhh(?: mtv)?)\b"
)
_VIETNAMESE_CLASS = (("tnhh", "llc"), ("trach nhiem", "llc"), ("co phan", "jsc"), ("ctcp", "jsc"),
                     ("cong ty cp", "jsc"), ("hop danh", "partnership"))


def _vietnamese_class(form: str) -> str:
    return next((cls for word, cls in _VIETNAMESE_CLASS if word in form), "company")


# ------------------------------------------------------------------------------------------- vocabulary

LEGAL_WORDS: dict[str, str] = {
    "co": "company", "company": "company", "companies": "company", "corp": "company",
    "corporation": "company", "incorporated": "inc", "inc": "inc", "limited": "ltd", "ltd": "ltd",
    "llc": "llc", "plc": "plc", "jsc": "jsc", "jvc": "jv", "jv": "jv", "liability": "llc", "joint": "jsc",
    "stock": "jsc",
    **dict.fromkeys(("pte", "pty", "sdn", "bhd", "berhad", "gmbh", "sarl", "srl", "bv", "llp", "ltda", "fze",
                     "fzco", "fzc", "fzllc", "pt", "kk"), "ltd"),
    **dict.fromkeys(("sa", "ag", "nv", "spa", "sae", "sas"), "jsc"),
    **dict.fromkeys(("ooo", "obshchestvo", "ogranichennoi", "ogranichennoy", "otvetstvennostyu",
                     "otvetstvennostiu", "tovarishchestvo"), "llc"),
    **dict.fromkeys(("zao", "oao", "pao", "ojsc", "cjsc", "pjsc", "aktsionernoe", "zakrytoe", "otkrytoe",
                     "publichnoe"), "jsc"),
}
"""Bare legal words rigour leaves alone on purpose (it needs 'Co., Ltd.', not 'Co'); lists use them freely
('KOREA TANGUN TRADING CORPORATION', 'HOERYONG SHIPPING CO LTD'). Also the words of the common legal
phrases, for when the phrase is broken up ('PTE. PROFINET LTD.', 'S OBSHCHESTVO OGRANICHENNOI ...')."""

GENERIC_WORDS: frozenset[str] = frozenset(
    """
    trading trade traders trader general international intl industrial industry industries group groups
    holding holdings enterprise enterprises import export imports exports impex commercial commerce
    development developments investment investments technology technologies tech engineering service
    services management shipping ship ships logistics transport transportation construction manufacturing
    production products product electronics electronic equipment materials resources mining machinery
    chemical chemicals food foods textile textiles garment garments apparel seafood seafoods fishery
    fisheries marine maritime ocean energy power bank banking finance financial insurance consulting
    software network networks media agency centre center factory plant branch office department bureau
    associated associates association cooperation cooperative united global world joint venture ventures
    partners partnership store shop restaurant hotel economic economy science sciences scientific research
    institute national new central supply supplies solutions systems system sales marketing distribution
    overseas foreign sino business businesses
    korea korean dprk coree china chinese prc russia russian federation europe european africa african
    america american arab middle hong kong macau singapore north south east west northern southern eastern
    western asia asian pacific democratic peoples people republic no nr number de des la le el y et und
    mv mt ms fv vessel
    """.split()
)
"""Words that say what or where a firm is, not which firm it is: 'Korea Trading Co., Ltd.' names no one.
Recognised with one typo when long enough (FUZZY_WORD_MIN_LEN). Country names from ISO 3166 are added
below. Only used for organisation names."""

STOPWORDS: frozenset[str] = frozenset("the of and for".split())
"""Dropped from organisation names ('The World Bank' == 'World Bank'), unless nothing else is left."""

ROMANISED_GENERIC: frozenset[str] = frozenset(
    "chosun choson joseon hanguk dprkn muyok hoesa sangsa kongsa unhaeng maoyi gongsi jituan keji shiye "
    "youxian".split()
)
"""Korean and Chinese romanised words for Korea, trade, company, bank, group, technology: generic, but only
as written, since one letter turns them into names ('choson' / 'cholon')."""

PERSON_PARTICLES: frozenset[str] = frozenset(
    """
    al el ul bin ibn bint binti abu ben de da di du del della der den van von la le y e mac ter
    mr mrs ms miss dr prof sir madame monsieur herr frau president praesident prasident sheikh shaikh
    sheik haji hajji mullah maulvi mawlawi sayyid sayed
    """.split()
)
"""Particles and titles in person names: as common as they are uninformative ('al' is in thousands of SDN
names, 'Dr.' and 'Präsident' say nothing about who)."""

_PATRONYMIC = re.compile(r"(ovich|evich|ovych|evych|ovitch|evitch|ovna|evna|ovyna|ievna|ogly|oglu|ovic)$")
"""Russian, Ukrainian and Turkic patronymics ('Viktorovich'): minor in person names, often left out."""

NUMBER_WORDS: dict[str, str] = {
    **{w: str(i) for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split())},
    **{w: str(i) for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())},
}
"""'THIRD FLOOR' ~ '3RD FLOOR' (through token_key; the words stay, so 'Thidr' is still a typo of 'Third')."""

_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th|e|er|eme|ie)$")

KOREAN_SURNAMES: dict[str, str] = {
    **dict.fromkeys(("ri", "rhee", "lee", "li", "yi", "rhie", "yee", "rie", "i"), "ri"),
    **dict.fromkeys(("pak", "park", "bak", "bahk", "pag"), "pak"),
    **dict.fromkeys(("choe", "choi", "chwe", "choy", "chey"), "choe"),
    **dict.fromkeys(("o", "oh", "oh"), "o"),
    **dict.fromkeys(("jong", "jung", "jeong", "chong", "chung", "cheong"), "jong"),
    **dict.fromkeys(("yun", "yoon", "youn"), "yun"),
    **dict.fromkeys(("ryu", "yu", "yoo", "you", "ryoo"), "ryu"),
    **dict.fromkeys(("rim", "lim", "im", "yim"), "rim"),
    **dict.fromkeys(("ro", "roh", "no", "noh"), "ro"),
    **dict.fromkeys(("ryang", "yang"), "ryang"),
    **dict.fromkeys(("kang", "gang"), "kang"),
    **dict.fromkeys(("ko", "koh", "go"), "ko"),
    **dict.fromkeys(("sin", "shin"), "sin"),
    **dict.fromkeys(("u", "woo", "wu"), "u"),
}
"""Korean surnames whose romanisations differ by more than a letter rule can bridge: Ri/Lee/Yi are one
name (DPRK keeps the initial r, the ROK drops it), so are Pak/Park and Choe/Choi."""

# Romanisation-insensitive rewriting (token_key), one left-to-right pass: RR vowels eo/eu -> McCune-Reischauer
# without breves; ㅈ/ㅊ written ch, j, tch -> c, and so are pinyin zh/z/q and Wade-Giles ts/tz (Zhang, Jang,
# Chang; Zedong, Tse-tung); Wade-Giles hs, pinyin x and ks -> s (Hsi, Xi; Aleksandr, Alexander); v -> w
# (Ivanov, Iwanow; Hebrew and Arabic waw); DPRK aspirates kh/th/ph and sh -> plain;
# voiced and unvoiced stops (g/k, d/t, b/p) and r/l merged. Doubled letters are then collapsed.
_KEY_MAP = {"eo": "o", "eu": "u", "tch": "c", "ch": "c", "zh": "c", "j": "c", "q": "c", "ts": "c", "tz": "c",
            "z": "c", "sh": "s", "hs": "s", "x": "s", "ks": "s", "kh": "k", "th": "t", "ph": "p", "v": "w",
            "g": "k", "d": "t", "b": "p", "l": "r"}
_KEY_DIGRAPHS = re.compile(r"eo|eu|tch|ch|zh|ts|tz|hs|sh|ks|kh|th|ph")
_KEY_LETTERS = str.maketrans({k: v for k, v in _KEY_MAP.items() if len(k) == 1})
"""The single letters of _KEY_MAP, rewritten after the digraphs: the same as one left-to-right pass over
both, since no single letter starts a digraph it could take apart except z, which the digraph pass has
seen first (zh), and no digraph writes a letter that is rewritten again."""
_DOUBLED = re.compile(r"(.)\1+")

GATE_FUZZY_MIN_LEN = 4
"""Keys this long or longer also meet their one-deletion neighbours (one typo); shorter ones must be equal,
else 'kim' would meet 'ki', 'im', 'km' and every other two-letter token."""


def _country_words() -> frozenset[str]:
    import pycountry

    words: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                words.update(_NON_WORD.sub(" ", fold(value)).split())
    return frozenset(w for w in words if len(w) > 2)


_MINOR_ORG = GENERIC_WORDS | ROMANISED_GENERIC | _country_words()


# ------------------------------------------------------------------------------------- transliteration


def romanize_hangul(text: str) -> str:
    """Romanise Hangul syllables one by one, DPRK style: '김정은' -> ' kim jong un '; other characters kept.

    Args:
        text: Any text; only precomposed Hangul syllables (U+AC00-U+D7A3) are rewritten.

    Returns:
        The text with each syllable replaced by its romanisation between spaces.
    """
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            index = code - _HANGUL_FIRST
            out.append(f" {_INITIALS[index // 588]}{_MEDIALS[(index % 588) // 28]}{_FINALS[index % 28]} ")
        else:
            out.append(ch)
    return "".join(out)


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or (
        0x20000 <= code <= 0x2FA1F)


_ABJAD = re.compile("[\u0590-\u05ff\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
"""Hebrew, Arabic and Syriac letters: scripts that mostly leave short vowels unwritten (محمد -> 'mhmd')."""

_SYLLABIC = re.compile("[\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""Hangul syllables and Han characters: transliterated one syllable per token."""


_NO_VOWELS = str.maketrans("", "", "aeiouyw")


def _skeleton(token: str) -> str:
    return token if token.isdigit() else _DOUBLED.sub(_first_group, token.translate(_NO_VOWELS))


_SKELETONS = _Memo(_skeleton)


def skeleton(token: str) -> str:
    """Consonant skeleton of a token, for names written in abjads: 'mohamed' -> 'mhmd', 'hassan' -> 'hsn'."""
    return _SKELETONS[token]  # type: ignore[return-value]


def _has_other_script(text: str) -> bool:
    """Letters outside Latin (after fold(), Latin accents are gone; ß, ø, ł remain and are Latin)."""
    return not text.isascii() and any(
        ch.isalpha() and not ("\u00c0" <= ch < "\u0250" or "\u1e00" <= ch <= "\u1eff") and ord(ch) > 0x7F
        for ch in text
    )


class _LatinLetters(dict[int, str]):
    """Code point -> its Latin (ASCII) spelling, worked out on first sight, for str.translate: a Hangul
    syllable is romanised DPRK style and a Han character gets its syllable, each between spaces; anything
    else goes through anyascii (a per-character table, so character by character is the same)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch.isascii():
            value = ch
        elif _HANGUL_FIRST <= code <= _HANGUL_LAST:
            value = romanize_hangul(ch)
        elif _is_han(ch):
            value = f" {anyascii(ch)} "
        else:
            value = anyascii(ch)
        self[code] = value
        return value


_LATIN = _LatinLetters()


@lru_cache(maxsize=NAME_CACHE)
def transliterate(text: str) -> str:
    """Latin-script (ASCII) form of a name in any script, lower case, spaces squeezed.

    Args:
        text: A name, already folded or not.

    Returns:
        '김정은' -> 'kim jong un', '金正恩' -> 'jin zheng en', 'Ким Чен Ын' -> 'kim chen yn'.
    """
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(text.translate(_LATIN).lower().split())


# ----------------------------------------------------------------------------------------------- tokens


def _first_group(match: re.Match[str]) -> str:
    return match.group(1)  # a function, not r"\1": re expands a template on every call


def _digraph(match: re.Match[str]) -> str:
    return _KEY_MAP[match.group()]


def _token_key(token: str) -> str:
    number = _number(token)
    if number.isdigit():
        return number
    key = _KEY_DIGRAPHS.sub(_digraph, KOREAN_SURNAMES.get(token, token)).translate(_KEY_LETTERS)
    return _DOUBLED.sub(_first_group, key)


_TOKEN_KEYS = _Memo(_token_key)


def token_key(token: str) -> str:
    """Romanisation-insensitive key of one token: 'jeong', 'chong', 'jong' -> 'cong'; 'lee', 'yi' -> 'ri'.

    Args:
        token: A lower-case ASCII token.

    Returns:
        The key; digits are returned unchanged.
    """
    return _TOKEN_KEYS[token]  # type: ignore[return-value]


@lru_cache(maxsize=TOKEN_CACHE)
def deletion_variants(key: str) -> frozenset[str]:
    """The key and every string one deletion away from it (when long enough to allow a typo).

    Two keys one edit apart (insertion, deletion, substitution or swap of neighbours) always have
    intersecting sets, and intersecting sets are never more than one deletion on each side apart: the gate
    is defined on these sets, so the candidate index can find typos with dictionary lookups.
    """
    if len(key) < GATE_FUZZY_MIN_LEN or key.isdigit():
        return frozenset((key,))
    return frozenset((key, *(key[:i] + key[i + 1:] for i in range(len(key)))))


FUZZY_WORD_MIN_LEN = 5
"""Legal and generic words this long are recognised with one typo ('CORPORATIION', 'SHIPPIOG', 'LMITED');
shorter ones only as written, else 'korea' would swallow 'kores' and 'bank' 'bang'."""


def _near_words(words: Iterable[str]) -> dict[str, str]:
    """Deletion variant -> word, for the words long enough to be recognised with one typo."""
    near: dict[str, str] = {}
    for word in sorted(words):
        if len(word) >= FUZZY_WORD_MIN_LEN:
            for variant in (word, *(word[:i] + word[i + 1:] for i in range(len(word)))):
                near.setdefault(variant, word)
    return near


_NEAR_LEGAL = _near_words(LEGAL_WORDS)
_NEAR_GENERIC = _near_words(GENERIC_WORDS)


def _near(token: str, table: dict[str, str]) -> str | None:
    """The listed word within one typo of `token` (insertion, deletion, substitution, swap), if any."""
    if len(token) < FUZZY_WORD_MIN_LEN - 1 or token.isdigit():
        return None
    found = table.get(token)
    if found is not None:
        return found
    for i in range(len(token)):
        found = table.get(token[:i] + token[i + 1:])
        if found is not None:
            return found
    return None


def _legal_word(token: str) -> str | None:
    found = LEGAL_WORDS.get(token)
    if found is None:
        near = _near(token, _NEAR_LEGAL)
        found = LEGAL_WORDS[near] if near else None
    return found


_LEGAL_WORDS = _Memo(_legal_word)


def legal_word(token: str) -> str | None:
    """The legal class of a bare legal word, also with one typo: 'corporatiion' -> 'company'."""
    return _LEGAL_WORDS[token]  # type: ignore[return-value]


def _minor_in_person(token: str) -> bool:
    return token in PERSON_PARTICLES or (len(token) > 6 and _PATRONYMIC.search(token) is not None)


def _minor_in_org(token: str) -> bool:
    return token in _MINOR_ORG or _near(token, _NEAR_GENERIC) is not None


_MINOR_PERSON_MEMO, _MINOR_ORG_MEMO = _Memo(_minor_in_person), _Memo(_minor_in_org)
_MINOR = {True: _MINOR_PERSON_MEMO, False: _MINOR_ORG_MEMO}


def is_minor(token: str, person: bool) -> bool:
    """A token that cannot identify a name on its own: a generic word (organisations, also with one typo
    when long: 'shippiog') or a particle (persons)."""
    return _MINOR[person][token]  # type: ignore[return-value]


def _number(token: str) -> str:
    word = NUMBER_WORDS.get(token)
    if word is not None:
        return word
    ordinal = _ORDINAL.match(token)
    return ordinal.group(1) if ordinal else token


def _join_acronyms(tokens: list[str], person: bool) -> list[str]:
    """'k o m i d' -> 'komid', 'p t astra' -> 'pt astra': a run of single letters is an acronym or an
    abbreviated legal form (persons keep their initials)."""
    if person or len(tokens) < 2 or min(map(len, tokens)) > 1:
        return tokens
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if token:
            out.append(token)
    return out


# --------------------------------------------------------------------------------------------- NameForm


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name ready for comparison. Tokens are in reading order ('First LAST' for persons).

    The gate (see score.gate_passes) is two sets of keys: `gate` holds the romanisation keys of the
    identifying tokens, which meet other names' token keys exactly or within one typo; `joined` holds the
    keys of the identifying tokens written together, which meet exactly ('koryo link' ~ 'koryolink').
    """

    written: str
    person: bool
    tokens: tuple[str, ...]
    keys: tuple[str, ...]  # token_key of each token
    minor: tuple[bool, ...]  # per token: generic word / particle
    legal: tuple[tuple[str, str], ...]  # (legal form as found, its class), e.g. ('co., ltd', 'llc')
    notes: tuple[str, ...]  # what normalisation did, for explanations
    compacts: tuple[str, ...]  # all tokens joined; a second one in written order when turned round
    gate: frozenset[str]
    joined: frozenset[str]
    abjad: bool = False  # written in Arabic, Hebrew or Syriac script: vowels mostly missing
    skeletons: tuple[str, ...] = ()  # consonant skeleton of each token ('mhmd')
    bones: frozenset[str] = frozenset()  # skeletons of two letters or more of the identifying tokens
    syllabic: bool = False  # written in Hangul or Han: every token is one syllable
    cores: tuple[str, ...] = ()  # like compacts, with the identifying tokens only
    core_keys: str = ""  # the keys of the identifying tokens, joined

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def compact(self) -> str:
        """All tokens joined without spaces: 'koryo link' and 'koryolink' meet here."""
        return self.compacts[0] if self.compacts else ""


def _identifying(minor: tuple[bool, ...]) -> tuple[int, ...]:
    """Positions of the tokens that can carry a match: the non-minor ones, or all when every one is minor."""
    major = tuple(i for i, m in enumerate(minor) if not m)
    return major or tuple(range(len(minor)))


def _legal_forms(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove rigour's legal forms from folded text; return the rest and the (form, class) pairs."""
    found = extract_org_types(text)
    if not found:
        return text, []
    pieces: list[str] = []
    cursor = 0
    forms: list[tuple[str, str]] = []
    for matched, target in found:
        at = text.find(matched, cursor)
        if at < 0:
            continue
        pieces.append(text[cursor:at])
        cursor = at + len(matched)
        forms.append((matched.strip(" .,"), _legal_class(matched, target)))
    pieces.append(text[cursor:])
    rest = " ".join(pieces)
    if not _NON_WORD.sub("", rest):  # a name that is only a legal form ('JSC') stays itself
        return text, []
    return rest, forms


@lru_cache(maxsize=4096)
def _legal_class(matched: str, target: str) -> str:
    generic = extract_org_types(matched, generic=True)
    return generic[0][1] if generic else target


def _reorder_person(text: str) -> str:
    """'kim, jong un' -> 'jong un kim' (one comma, a surname of at most three words before it)."""
    if text.count(",") != 1:
        return text
    last, first = (p.strip() for p in text.split(","))
    if not last or not first or len(last.split()) > 3:
        return text
    return f"{first} {last}"


@lru_cache(maxsize=READINGS_CACHE)
def _latin(text: str) -> tuple[str, bool, bool, str | None]:
    """Folded text with apostrophes dropped, transliterated to Latin, hyphens made spaces: (text, written in an
    abjad, written in Hangul or Han, the Latin form shown in a note when another script was transliterated)."""
    if text.isascii():  # most names: the same steps with the only ASCII apostrophes and hyphen
        return " ".join(text.replace("'", "").replace("`", "").lower().split()).replace("-", " "), False, False, None
    text = _APOSTROPHES.sub("", text)
    abjad = _ABJAD.search(text) is not None
    syllabic = _SYLLABIC.search(text) is not None
    shown = None
    if _has_other_script(text):
        latin = transliterate(text)
        shown = _NON_WORD.sub(" ", latin).strip()
        text = _APOSTROPHES.sub("", latin)
    else:
        text = transliterate(text)
    return _HYPHENS.sub(" ", text), abjad, syllabic, shown


_joined_key = lru_cache(maxsize=READINGS_CACHE)(_token_key)
"""token_key() of words written together: new strings, so not kept in the word memo, but met twice, once by
each reading of a supplier name."""


@lru_cache(maxsize=NAME_CACHE)
def normalize_name(name: str, person: bool = False) -> NameForm:
    """Normalise a written name for matching (see the module docstring for the steps).

    Args:
        name: The name as written in a list or a supplier file.
        person: True for person names: legal forms are not looked for, 'LAST, First' is turned round and
            only particles are minor. False for organisations, vessels and names of unknown kind.

    Returns:
        The NameForm; its tokens are empty when the name has no letters or digits.
    """
    notes: list[str] = []
    text = name[:MAX_NAME_CHARS]
    text = text.lower() if text.isascii() else fold(text)  # ASCII is NFKC already; casefold == lower
    legal: list[tuple[str, str]] = []
    if not person:
        stripped = text if text.isascii() else _CJK_LEGAL.sub(" ", text)
        if stripped != text and _NON_WORD.sub("", stripped):
            legal += [(m, "company") for m in _CJK_LEGAL.findall(text)]
            text = stripped
        stripped = _VIETNAMESE_LEGAL.sub(" ", text) if ("cong ty" in text or "tnhh" in text or "dntn" in text
                                                         or "ctcp" in text or "doanh nghiep" in text) else text
        if stripped != text and _NON_WORD.sub("", stripped):
            legal += [(m, _vietnamese_class(m)) for m in _VIETNAMESE_LEGAL.findall(text)]
            text = stripped
    text, abjad, syllabic, shown = _latin(text)
    if shown is not None:
        notes.append(f"transliterated {name.strip()} -> {shown}")
    written_order: list[str] = []
    if person:
        turned = _reorder_person(text)
        if turned != text:
            notes.append("surname-first order turned round")
            written_order = _words(text, person)
            text = turned
    else:
        text, forms = _legal_forms(text)
        legal += forms
    words = _join_acronyms(_words(text, person), person)
    if not person:
        content = [w for w in words if w not in STOPWORDS]
        words = content or words
        classes = list(map(_LEGAL_WORDS.__getitem__, words))
        if any(classes):
            kept = [w for w, c in zip(words, classes) if c is None]
            if kept:
                legal += [(w, c) for w, c in zip(words, classes) if c is not None]
                words = kept
    minor: tuple[bool, ...] = tuple(map(_MINOR[person].__getitem__, words))  # type: ignore[arg-type]
    keys: tuple[str, ...] = tuple(map(_TOKEN_KEYS.__getitem__, words))  # type: ignore[arg-type]
    skeletons: tuple[str, ...] = tuple(map(_SKELETONS.__getitem__, words))  # type: ignore[arg-type]
    only_minor = any(minor) and all(minor)
    if any(minor) and not only_minor:  # the identifying tokens (_identifying), picked in C
        major = tuple(map(operator.not_, minor))
        ident_words, ident_keys, ident_bones = (list(compress(words, major)), list(compress(keys, major)),
                                                list(compress(skeletons, major)))
    else:
        ident_words, ident_keys, ident_bones = words, list(keys), list(skeletons)
    compacts: tuple[str, ...] = ("".join(words),)
    cores: tuple[str, ...] = ("".join(ident_words),)
    joined: set[str] = set()
    if only_minor:  # only generic words: they meet other names exactly, never by a typo
        gate: frozenset[str] = frozenset()
        joined.update(keys)
    else:
        gate = frozenset(ident_keys + ident_words)
    if len(words) > 1:
        compact_key = _joined_key(compacts[0])
        joined.add(compact_key)
        if len(ident_words) > 1:
            joined.add(compact_key if cores[0] == compacts[0] else _joined_key(cores[0]))
    if written_order and written_order != words:
        order_ident = _identifying(tuple(is_minor(w, person) for w in written_order))
        compacts += ("".join(written_order),)
        cores += ("".join(written_order[i] for i in order_ident),)
        if len(order_ident) > 1:
            joined.add(token_key(cores[1]))
    bones = [bone for bone in ident_bones if len(bone) > 1]
    if len(ident_bones) > 1:
        bones.append("".join(ident_bones))
    joined.discard("")
    return NameForm(name, person, tuple(words), keys, minor, tuple(legal), tuple(notes), compacts,
                    gate - {""} if "" in gate else gate, frozenset(joined), abjad, skeletons, frozenset(bones),
                    syllabic, cores, "".join(ident_keys))


def _words(text: str, person: bool) -> list[str]:
    return _NON_WORD.sub(" ", text).split()


_ASCII_WORD = re.compile(r"[a-z0-9]+")


def words_of(names: Iterable[str]) -> set[str]:
    """The words normalize_name() finds in these names, read all at once: the ASCII names lower-cased and cut
    at non-word characters in one pass over their joined text, the others one by one.

    For work done ahead on a whole column (the list words near each word): nearly the tokens of both
    readings, not exactly (an acronym the organisation reading joins, 'K.O.M.I.D.' -> 'komid', is missing).
    """
    plain: list[str] = []
    words: set[str] = set()
    for name in names:
        if name.isascii():
            plain.append(name[:MAX_NAME_CHARS])
        else:
            words.update(_words(_latin(fold(name[:MAX_NAME_CHARS]))[0], True))
    joined = " ".join(plain).lower().replace("'", "").replace("`", "")  # the ASCII apostrophes
    words.update(_ASCII_WORD.findall(joined))
    return words


def normalize_org_name(name: str) -> str:
    """Organisation name as one comparable string: 'Mokran, LLC' -> 'mokran' (legal forms dropped)."""
    return normalize_name(name).text


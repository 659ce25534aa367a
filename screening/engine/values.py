"""Normalisers for roster values, so that one account, phone, e-mail, address or passport written in two
ways is seen as one value (cross-row rules, screening/engine/links.py), and readers for the countries,
dates and names inside a cell (cross-field rules, screening/engine/roster.py).

Every function is pure and cached: rosters repeat values, and the rules call these once per distinct cell.
A normaliser returns None for an empty cell or a placeholder ('N/A', 'same as home', '000000'), which must
never link two rows.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import phonenumbers

from screening.countries import is_iso2, to_iso2
from screening.matching.normalize import NameForm, normalize_name
from screening.matching.score import NameScore, compare
from screening.text import fold, simplify

CACHE = 1 << 18  # distinct cells of a 100k-row roster fit

# Written where a value is missing; folded and with punctuation as spaces (simplify()).
PLACEHOLDERS = frozenset(
    simplify(p)
    for p in (
        "n/a", "na", "none", "null", "nil", "-", "unknown", "tbd", "tba", "tbc", "pending", "not provided",
        "not available", "not applicable", "see notes", "same", "same as home", "same as above", "as above",
        "home", "home address", "remote", "various", "other", "yes", "no",
        "нет", "не указано", "无", "없음", "미정", "なし", "brak", "keine", "aucun", "aucune", "ninguno",
    )
)

MIN_ACCOUNT_CHARS = 6  # shorter 'accounts' are ids of the payment platform's own making, or typos
MIN_PHONE_DIGITS = 7
MIN_DOCUMENT_CHARS = 5
MIN_ADDRESS_CHARS = 8  # 'Berlin' is a city, not an address

_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_DIGITS = re.compile(r"\D+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_IBAN = re.compile(r"^([A-Z]{2})(\d{2})([A-Z0-9]{11,30})$")
_BIC = re.compile(r"^[A-Z]{4}([A-Z]{2})[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_BIC_LABEL = re.compile(r"\b(?:BIC|SWIFT)(?:\s*code)?\s*[:#]?\s*([A-Za-z0-9]{8}(?:[A-Za-z0-9]{3})?)\b", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:[,;/|、，；]|\band\b|&|\n)\s*")
_PARENTHESES = re.compile(r"\([^)]*\)")
_INITIAL = re.compile(r"(?<![^\W\d_])[^\W\d_]\.?(?![^\W\d_])")  # a lone letter: 'Y.' in 'Oliver Y. Roberts'
_GMAIL = frozenset({"gmail.com", "googlemail.com"})


LONGEST_PLACEHOLDER = max(len(p) for p in PLACEHOLDERS) + 4  # room for punctuation and spaces


def is_placeholder(cell: str) -> bool:
    """Empty, one character repeated ('000000', '---'), or a word such as 'N/A' or 'same as home'."""
    alnum = _ALNUM.sub("", cell)
    if len(set(alnum)) <= 1:
        return True
    if len(cell) > LONGEST_PLACEHOLDER or any(ch.isdigit() for ch in alnum):
        return False  # placeholders are short words: most cells are decided without folding them
    return simplify(cell) in PLACEHOLDERS


# ---------------------------------------------------------------- identifiers


@lru_cache(maxsize=CACHE)
def normalise_account(cell: str) -> str | None:
    """IBAN, account number or wallet: spaces, dashes and case dropped ('gb29 nwbk-6016...' = 'GB29NWBK6016...').

    An account written as an e-mail address (PayPal, Payoneer) is normalised as an e-mail.
    """
    if is_placeholder(cell):
        return None
    if "@" in cell:
        return normalise_email(cell)
    text = _strip_label(cell)
    compact = _ALNUM.sub("", text).upper()
    return compact if len(compact) >= MIN_ACCOUNT_CHARS else None


def _strip_label(cell: str) -> str:
    """'IBAN: DE89 3704...' -> 'DE89 3704...'; 'BTC: bc1q...' keeps only the wallet."""
    head, sep, tail = cell.partition(":")
    return tail if sep and len(head) <= 12 and tail.strip() else cell


@lru_cache(maxsize=CACHE)
def normalise_phone(cell: str, region: str | None = None) -> str | None:
    """E.164 ('+14155550132') through libphonenumber; national formats ('(415) 555-0132', '07700 900123')
    read in the row's country when it is known, else the bare digits (international prefix '00' dropped)."""
    if is_placeholder(cell):
        return None
    text = cell.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+") and "(0)" not in text:
        # Written internationally, the digits are the E.164 number already; only a '(0)' trunk prefix
        # ('+44 (0)7700...') needs libphonenumber, which costs far more per number.
        digits = _DIGITS.sub("", text)
        if 8 <= len(digits) <= 15:
            return "+" + digits
    try:
        number = phonenumbers.parse(text, region if region and not text.startswith("+") else None)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = _DIGITS.sub("", text)
    return digits if len(digits) >= MIN_PHONE_DIGITS and len(set(digits)) > 1 else None


@lru_cache(maxsize=CACHE)
def normalise_email(cell: str) -> str | None:
    """Lower case, '+tag' dropped, and for Gmail the dots too ('J.Kim+jobs@GMail.com' = 'jkim@gmail.com')."""
    found = _EMAIL.search(cell)
    if not found:
        return None
    local, _, domain = found.group(0).lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        domain = "gmail.com"
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


@lru_cache(maxsize=CACHE)
def normalise_document(cell: str) -> str | None:
    """Passport or ID number: letters and digits only, upper case ('e 1234-567' = 'E1234567')."""
    if is_placeholder(cell):
        return None
    compact = _ALNUM.sub("", _strip_label(cell)).upper()
    return compact if len(compact) >= MIN_DOCUMENT_CHARS else None


# Street words and their usual abbreviations, in English and the roster languages' Latin spellings.
_ADDRESS_WORDS = {
    "street": "st", "str": "st", "strasse": "st", "road": "rd", "avenue": "ave", "av": "ave", "avda": "ave",
    "boulevard": "blvd", "drive": "dr", "lane": "ln", "court": "ct", "place": "pl", "square": "sq",
    "highway": "hwy", "parkway": "pkwy", "apartment": "apt", "flat": "apt", "unit": "apt", "suite": "ste",
    "floor": "fl", "building": "bldg", "room": "rm", "north": "n", "south": "s", "east": "e", "west": "w",
    "ulitsa": "ul", "улица": "ул", "no": "", "number": "", "nr": "", "the": "",
}


@lru_cache(maxsize=CACHE)
def normalise_address(cell: str) -> str | None:
    """Folded words with street abbreviations unified and a trailing country name dropped:
    '12 Oak Street, Apt. 4, Austin TX 78701, USA' = '12 oak st apt 4 austin tx 78701'."""
    if is_placeholder(cell):
        return None
    parts = [p for p in re.split(r"[,\n]", cell) if p.strip()]
    last = parts[-1] if len(parts) > 1 else ""
    if last and not any(ch.isdigit() for ch in last) and len(last.split()) <= 3 and to_iso2(last) is not None:
        parts = parts[:-1]  # 'USA' / 'United States' / 'Deutschland' at the end says nothing more
    words = [_ADDRESS_WORDS.get(w, w) for w in simplify(" ".join(parts)).split()]
    text = " ".join(w for w in words if w)
    return text if len(text.replace(" ", "")) >= MIN_ADDRESS_CHARS else None


@lru_cache(maxsize=CACHE)
def normalise_text(cell: str) -> str | None:
    return None if is_placeholder(cell) else simplify(cell)


# ---------------------------------------------------------------- countries


@lru_cache(maxsize=CACHE)
def countries_in(cell: str) -> frozenset[str]:
    """Every country a cell names: one country ('Austin, TX, USA') or a list ('US, CN', 'Japan; China')."""
    if not cell or not cell.strip():
        return frozenset()
    whole = to_iso2(cell)
    if whole is not None:
        return frozenset({whole})
    found: set[str] = set()
    for piece in _LIST_SPLIT.split(_PARENTHESES.sub(" ", cell)):
        code = to_iso2(piece) if piece.strip() else None
        if code is not None:
            found.add(code)
    return frozenset(found)


def _iban_valid(iban: str) -> bool:
    """ISO 13616 check digits: the rearranged number, letters as 10-35, is 1 modulo 97."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


@lru_cache(maxsize=CACHE)
def account_country(cell: str) -> tuple[str, str] | None:
    """(ISO alpha-2, how it was read) from an IBAN whose check digits hold, or from a BIC (SWIFT) code
    that is labelled as one or is the whole cell. None when the account says nothing about a country."""
    if not cell or is_placeholder(cell):
        return None
    compact = _ALNUM.sub("", _strip_label(cell)).upper()
    iban = _IBAN.match(compact)
    if iban and is_iso2(iban.group(1)) and _iban_valid(compact):
        return iban.group(1), f"IBAN {compact[:4]}... -> {iban.group(1)}"
    labelled = _BIC_LABEL.search(cell)
    candidate = labelled.group(1).upper() if labelled else (cell.strip() if cell.strip().isupper() else "")
    bic = _BIC.match(candidate)
    if bic and is_iso2(bic.group(1)):
        return bic.group(1), f"BIC {candidate} -> {bic.group(1)}"
    return None


# ---------------------------------------------------------------- dates

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
         "sep sept september", "oct october", "nov november", "dec december"]
    )
    for m in names.split()
}
_YMD = re.compile(r"^(\d{4})\D+(\d{1,2})\D+(\d{1,2})\D*$")
_DMY = re.compile(r"^(\d{1,2})\D+(\d{1,2})\D+(\d{2}|\d{4})$")
_TEXT_MONTH = re.compile(r"^(?:(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})|([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4}))$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@lru_cache(maxsize=CACHE)
def date_readings(cell: str) -> frozenset[dt.date]:
    """Every date a cell can mean: '1990-03-14' one; '03/04/1990' two (3 April or 4 March); an Excel serial
    number one. Two cells name different dates only when their readings do not overlap."""
    text = fold(cell).strip()
    if not text:
        return frozenset()
    text = text.replace("年", "-").replace("月", "-").replace("日", "").replace("г.", "").strip()
    text = text.split("t")[0].split(" 00:00")[0].strip() if re.match(r"^\d{4}-\d{2}-\d{2}[t ]", text) else text
    candidates: list[tuple[int, int, int]] = []
    if m := _YMD.match(text):
        candidates.append((int(m[1]), int(m[2]), int(m[3])))
    elif m := _DMY.match(text):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if year < 100:
            year += 1900 if year > 30 else 2000
        candidates += [(year, b, a), (year, a, b)]  # day-month and month-day: keep both readings
    elif m := _TEXT_MONTH.match(text):
        day, month, year = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
        if month in _MONTHS:
            candidates.append((int(year), _MONTHS[month], int(day)))
    elif m := _COMPACT.match(text):
        candidates.append((int(m[1]), int(m[2]), int(m[3])))
    elif text.replace(".0", "").isdigit() and 10000 <= float(text) <= 60000:
        return frozenset({_EXCEL_EPOCH + dt.timedelta(days=int(float(text)))})
    readings: set[dt.date] = set()
    for year, month, day in candidates:
        try:
            readings.add(dt.date(year, month, day))
        except ValueError:
            continue
    return frozenset(readings)


def show_date(readings: frozenset[dt.date]) -> str:
    return " or ".join(sorted(d.isoformat() for d in readings))


# ---------------------------------------------------------------- names


@lru_cache(maxsize=CACHE)
def person_form(name: str) -> NameForm:
    return normalize_name(name, person=True)


_WORD_BREAKS = re.compile(r"[\W_]+")


def _ascii_words(name: str) -> list[str]:
    """The words of a plain ASCII name as the name matcher reads them: lower case, apostrophes dropped."""
    return _WORD_BREAKS.sub(" ", name.replace("'", "").lower()).split()


@lru_cache(maxsize=CACHE)
def name_key(name: str) -> str:
    """The name's words, folded, transliterated and sorted: 'KIM, Jong' and 'Jong Kim' give 'jong kim'.
    Plain ASCII names take a short cut that gives the same words without the full name normaliser."""
    folded = name if name.isascii() else fold(name)
    words = _ascii_words(folded) if folded.isascii() else list(person_form(name).tokens)
    return " ".join(sorted(words))


def quick_same(a: str, b: str) -> bool:
    """True when two names are surely one name without the matcher: the same words in any order, or one
    a part of the other with only initials or middle names left out (both of two words or more)."""
    a, b = (n if n.isascii() else fold(n) for n in (a, b))  # 'Müller' -> 'muller'
    if not (a.isascii() and b.isascii()):
        return False  # Hangul, Han, Cyrillic: the matcher transliterates them
    mine, theirs = _ascii_words(a), _ascii_words(b)
    if sorted(mine) == sorted(theirs) or "".join(mine) == "".join(theirs):  # 'Ji-ho' ~ 'jiho'
        return True
    mine_set, theirs_set = set(mine), set(theirs)
    if min(len(mine_set), len(theirs_set)) < 2:
        return False
    return mine_set <= theirs_set or theirs_set <= mine_set


@lru_cache(maxsize=CACHE)
def name_similarity(a: str, b: str) -> tuple[float, str]:
    """0-100 similarity of two names as persons or as firms (the better), with what normalisation did:
    word order, 'LAST, First', case, accents, transliteration and legal forms ('Jong Kim LLC') are ignored."""
    if quick_same(a, b):
        return 100.0, f"{name_key(a)} ~ {name_key(b)} (the same words, in any order)"
    person = compare(person_form(a), person_form(b))
    firm = compare(normalize_name(a), normalize_name(b))
    best = person if person.score >= firm.score else firm
    mine, theirs = set(person_form(a).tokens), set(person_form(b).tokens)
    if best.score < 100 and min(len(mine), len(theirs)) >= 2 and (mine <= theirs or theirs <= mine):
        # 'Oliver Roberts' in 'Oliver Y. Roberts': a middle name or initial left out is the same name
        best = NameScore(100.0, "subset", ("one name leaves out a middle name or initial",))
    elif best.score < 100 and (_INITIAL.search(a) or _INITIAL.search(b)):
        # 'Han Seo-yeon L.' ~ 'han seoyeon': compare again without the initials
        plain = compare(person_form(_INITIAL.sub(" ", a)), person_form(_INITIAL.sub(" ", b)))
        if plain.score > best.score:
            best = NameScore(plain.score, plain.view, (*plain.notes, "initials set aside"))
    notes = list(best.notes)
    for form in (person_form(a), person_form(b)) if best is person else (normalize_name(a), normalize_name(b)):
        notes += [f"{form.written.strip()}: {n}" for n in form.notes]
        notes += [f"{form.written.strip()}: legal form '{m}' ignored" for m, _ in form.legal]
    how = f"{' '.join(person_form(a).tokens) or '?'} ~ {' '.join(person_form(b).tokens) or '?'}"
    if notes:
        how += " (" + "; ".join(dict.fromkeys(notes)) + ")"
    return round(float(best.score), 1), how


_LOCAL_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=CACHE)
def email_name(cell: str) -> str | None:
    """The name an e-mail's local part spells, when it spells one: 'jon.smyth88@x.com' -> 'jon smyth'.
    A handle of one word ('jsmith', 'coder42') names nobody for sure, so None."""
    found = _EMAIL.search(cell)
    if not found:
        return None
    local = found.group(0).rpartition("@")[0].split("+", 1)[0]
    words = _LOCAL_WORD.findall(local.replace(".", " ").replace("_", " ").replace("-", " "))
    return " ".join(words) if len(words) >= 2 else None

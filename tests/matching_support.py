"""Real OFAC SDN and UN list entries for the matching tests and the name-quality benchmark.

The list parsers (screening/lists/ofac_csv.py, screening/lists/un_xml.py) are used when they exist; until
then a minimal reader here builds the same ListEntry records from the files under shared/data, read in
place. Only what matching needs is read: names with their strength, type, programs and countries.
"""

from __future__ import annotations

import csv
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from screening.countries import to_iso2
from screening.lists.model import EntryType, ListEntry, ListName, Strength
from screening.matching.normalize import normalize_name
from screening.matching.score import SHORT_NAME

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SDN_DIR = DATA / "ofac_sdn_latest"
UN_XML = DATA / "un_consolidated" / "consolidated.xml"

_NULL = "-0-"
_WEAK_AKA = re.compile(r"a\.k\.a\.,? '([^']+)'")  # OFAC puts its weak ('low quality') akas in Remarks
_OFAC_TYPES = {"individual": EntryType.INDIVIDUAL, "vessel": EntryType.VESSEL, "aircraft": EntryType.AIRCRAFT}


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == _NULL else value


def _read_ofac_minimal(folder: Path) -> list[ListEntry]:
    def rows(name: str) -> list[list[str]]:
        with open(folder / name, encoding="utf-8", newline="") as handle:
            return [row for row in csv.reader(handle) if len(row) > 2]

    alts: dict[str, list[ListName]] = {}
    for row in rows("alt.csv"):
        alts.setdefault(row[0].strip(), []).append(ListName(_cell(row[3]), _cell(row[2]) or "aka"))
    countries: dict[str, list[str]] = {}
    for row in rows("add.csv"):
        code = to_iso2(_cell(row[4])) if len(row) > 4 else None
        if code:
            countries.setdefault(row[0].strip(), []).append(code)
    entries = []
    for row in rows("sdn.csv"):
        ent, name, kind, programs, remarks = row[0].strip(), _cell(row[1]), _cell(row[2]), _cell(row[3]), ""
        if len(row) > 11:
            remarks = _cell(row[11])
        names = [ListName(name), *alts.get(ent, [])]
        names += [ListName(weak, "aka", Strength.WEAK) for weak in _WEAK_AKA.findall(remarks)]
        flag = to_iso2(_cell(row[9])) if len(row) > 9 and _cell(row[9]) else None
        codes = tuple(dict.fromkeys([*countries.get(ent, []), *([flag] if flag else [])]))
        entries.append(ListEntry(
            source="ofac-sdn", id=ent, type=_OFAC_TYPES.get(kind.lower(), EntryType.ENTITY),
            names=tuple(n for n in names if n.name), programs=tuple(p for p in programs.split("] [") if p),
            countries=codes, remarks=remarks,
        ))
    return entries


def _text(node: ElementTree.Element, tag: str) -> str:
    found = node.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _read_un_minimal(path: Path) -> list[ListEntry]:
    root = ElementTree.parse(path).getroot()
    entries = []
    for kind, tag in ((EntryType.INDIVIDUAL, "INDIVIDUAL"), (EntryType.ENTITY, "ENTITY")):
        for node in root.iter(tag):
            parts = [_text(node, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            names = [ListName(" ".join(p for p in parts if p))]
            for alias in node.iter(f"{tag}_ALIAS"):
                quality, written = _text(alias, "QUALITY"), _text(alias, "ALIAS_NAME")
                if written:
                    weak = Strength.WEAK if quality.lower() == "low" else Strength.STRONG
                    names.append(ListName(written, "fka" if quality == "f.k.a." else "aka", weak))
            for original in node.iter("NAME_ORIGINAL_SCRIPT"):
                if original.text and original.text.strip():
                    names.append(ListName(original.text.strip(), "original-script"))
            places = [v.text or "" for v in node.iterfind("NATIONALITY/VALUE")]
            places += [_text(a, "COUNTRY") for a in node.iter(f"{tag}_ADDRESS")]
            codes = tuple(dict.fromkeys(c for c in (to_iso2(p) for p in places if p) if c))
            entries.append(ListEntry(
                source="un", id=_text(node, "REFERENCE_NUMBER"), type=kind,
                names=tuple(n for n in names if n.name), programs=(_text(node, "UN_LIST_TYPE"),),
                countries=codes,
            ))
    return entries


@lru_cache(maxsize=1)
def ofac_entries() -> tuple[ListEntry, ...]:
    """Every SDN entry (15k), through screening.lists.ofac_csv when that parser has landed."""
    try:
        from screening.lists.ofac_csv import parse_sdn  # type: ignore[import-not-found]
    except ImportError:
        return tuple(_read_ofac_minimal(SDN_DIR))
    return tuple(parse_sdn(SDN_DIR).entries)


@lru_cache(maxsize=1)
def un_entries() -> tuple[ListEntry, ...]:
    """Every UN consolidated-list entry, through screening.lists.un_xml when that parser has landed."""
    try:
        from screening.lists.un_xml import parse  # type: ignore[import-not-found]
    except ImportError:
        return tuple(_read_un_minimal(UN_XML))
    return tuple(parse(UN_XML).entries)


def is_dprk(entry: ListEntry) -> bool:
    """A DPRK-program OFAC entry (DPRK, DPRK2..4, DPRK-NKSPEA) or a KP UN entry (KPi./KPe.)."""
    if entry.source == "un":
        return entry.id.strip().startswith("KP")
    return any(p.startswith("DPRK") for p in entry.programs)


@lru_cache(maxsize=1)
def all_entries() -> tuple[ListEntry, ...]:
    return ofac_entries() + un_entries()


@lru_cache(maxsize=1)
def dprk_entries() -> tuple[ListEntry, ...]:
    return tuple(e for e in all_entries() if is_dprk(e))


# ------------------------------------------------------------------------------------------ perturbations

def digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


_LEGAL_SUFFIXES = ("COMPANY LIMITED", "CO., LTD.", "CO. LTD.", "CO LTD", "CORPORATION", "CORP.", "CORP",
                   "COMPANY", "LIMITED", "LTD.", "LTD", "LLC", "INC.", "INC", "JSC", "CO.")


def typo(name: str) -> str | None:
    """One deterministic typo (deletion, swap, substitution or insertion) in the longest word, not its
    first letter; None when no word has four letters or more."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: (sum(c.isalpha() for c in words[i]), -i))
    word = words[longest]
    letters = [i for i, c in enumerate(word) if c.isalpha() and i > 0]
    if sum(c.isalpha() for c in word) < 4 or not letters:
        return None
    h = digest(name)
    at = letters[h % len(letters)]
    kind = (h >> 8) % 4
    if kind == 0:
        word = word[:at] + word[at + 1:]
    elif kind == 1 and at + 1 < len(word) and word[at + 1].isalpha() and word[at + 1] != word[at]:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    elif kind == 2 or kind == 1:
        base = "a" if word[at].islower() else "A"
        shifted = chr((ord(word[at].lower()) - 97 + 1) % 26 + ord(base)) if word[at].isalpha() else "x"
        word = word[:at] + shifted + word[at + 1:]
    else:
        word = word[:at] + word[at] + word[at:]
    words[longest] = word
    return " ".join(words)


def swap_tokens(name: str, person: bool) -> str | None:
    if person and name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        return f"{last} {first}" if last and first else None
    words = name.replace(",", " ").split()
    if len(words) < 2:
        return None
    return " ".join([words[1], words[0], *words[2:]])


def swap_legal(name: str) -> str:
    upper = name.upper().rstrip()
    for suffix in _LEGAL_SUFFIXES:
        if upper.endswith(" " + suffix):
            stem = name.rstrip()[: -len(suffix)].rstrip(" ,")
            return f"{stem} {'LLC' if suffix.startswith('CO') and 'LTD' in suffix else 'Co., Ltd.'}"
    return f"{name.rstrip()} Co., Ltd."


def plain_punctuation(name: str) -> str | None:
    changed = name
    for ch in "'\u2019\u2018`":
        changed = changed.replace(ch, "")
    changed = changed.replace("-", "")
    return changed if changed != name else None


def perturbations(entry: ListEntry, listed: ListName) -> list[tuple[str, str]]:
    """(kind, variant) of a list name as a supplier file might spell it, deterministically: 'case',
    'typo' (strong names longer than SHORT_NAME only), 'order', 'legal-form' (entities), 'apostrophe-hyphen'."""
    name = listed.name
    person = entry.type == EntryType.INDIVIDUAL
    short = len(normalize_name(name, person).compact) <= SHORT_NAME
    variants: list[tuple[str, str | None]] = [("case", name.title() if name.isupper() else name.upper())]
    if listed.strength == Strength.STRONG and not short:
        variants.append(("typo", typo(name)))
    variants.append(("order", swap_tokens(name, person)))
    if entry.type == EntryType.ENTITY and listed.strength == Strength.STRONG and not short:
        variants.append(("legal-form", swap_legal(name)))
    variants.append(("apostrophe-hyphen", plain_punctuation(name)))
    return [(kind, variant) for kind, variant in variants if variant and variant != name]


@lru_cache(maxsize=1)
def full_index():
    """One ListIndex over every OFAC SDN and UN entry, shared by the test modules of a session."""
    from screening.matching.lists import ListIndex

    return ListIndex(all_entries())


@lru_cache(maxsize=1)
def dprk_index():
    """A ListIndex over the DPRK entries only (the index == brute force tests score every name)."""
    from screening.matching.lists import ListIndex

    return ListIndex(dprk_entries())

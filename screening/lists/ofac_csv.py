"""OFAC's legacy CSV files -> ListEntry records.

Two lists share one layout (OFAC data specification, no header row):
  SDN list          sdn.csv       alt.csv       add.csv       sdn_comments.csv
  Consolidated list cons_prim.csv cons_alt.csv  cons_add.csv  cons_comments.csv
  primary: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
           Vess_flag, Vess_owner, Remarks
  aliases: ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks
  address: ent_num, add_num, address, city/state/province/postal, country, add_remarks
  comments: ent_num, remarks_extension (the Remarks field is cut at 1000 characters, mid-word;
            the rest of the text continues here)

Quirks handled: `-0-` (often `-0- `) is null; programs are joined as 'DPRK2] [DPRK3'; official
files use CRLF, re-saved copies LF with minimal quoting; a DOS EOF byte (0x1A) ends the file.
OFAC's weak ("low quality") aliases are not in alt.csv but in the Remarks text, as a.k.a. 'NAME'.

The remarks helpers at the bottom are shared with the sdn.xml parser, so both formats give the
same identifiers, countries and dates.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from screening.countries import to_iso2
from screening.errors import InputError
from screening.lists.model import Address, EntryType, Identifier, ListEntry, ListName, ParsedList, Strength

T = TypeVar("T")

REMARKS_LIMIT = 1000
"""OFAC cuts the Remarks field at this many characters and puts the rest in the comments file."""

_NULL = "-0-"
_EOF_LINE = re.compile(r"\x1a[\r\n]*\Z")  # DOS end-of-file byte on the last line
_PROGRAM_SEPARATOR = re.compile(r"\]\s*\[")

_TYPES = {"": EntryType.ENTITY, "entity": EntryType.ENTITY, "individual": EntryType.INDIVIDUAL,
          "vessel": EntryType.VESSEL, "aircraft": EntryType.AIRCRAFT}
_ALIAS_KINDS = {"aka": "aka", "fka": "fka", "nka": "nka"}


@dataclass(frozen=True)
class _Layout:
    source: str
    title: str
    primary: str
    aliases: str
    addresses: str
    comments: str
    url: str


SDN = _Layout("ofac-sdn", "SDN list", "sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv",
              "https://www.treasury.gov/ofac/downloads/")
CONSOLIDATED = _Layout("ofac-cons", "Consolidated (non-SDN) list", "cons_prim.csv", "cons_alt.csv",
                       "cons_add.csv", "cons_comments.csv", "https://www.treasury.gov/ofac/downloads/consolidated/")

_COLUMNS = {"primary": 12, "aliases": 5, "addresses": 6, "comments": 2}


def parse_sdn(path: Path) -> ParsedList:
    """The SDN list from sdn.csv (or the folder holding it) and the alt/add/comments files beside it."""
    return _parse(Path(path), SDN)


def parse_consolidated(path: Path) -> ParsedList:
    """The Consolidated non-SDN list from cons_prim.csv (or its folder) and the files beside it."""
    return _parse(Path(path), CONSOLIDATED)


# ---------------------------------------------------------------- reading the files


@dataclass
class _Notes:
    warnings: list[str] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)


def _parse(path: Path, layout: _Layout) -> ParsedList:
    notes = _Notes()
    primary = _primary_path(path, layout)
    rows = _read(primary, layout, "primary", notes)
    paths = {role: find_file(primary.parent, getattr(layout, role)) for role in ("aliases", "addresses", "comments")}
    side = {role: _read(p, layout, role, notes) if p else [] for role, p in paths.items()}
    for role in ("aliases", "addresses"):  # without them screening misses names and places: say so
        if paths[role] is None:
            notes.warnings.append(f"{getattr(layout, role)} not found beside {primary.name}; {role} not read")
    attached = _Attached.of(side, {_value(row[0]) for row in rows}, layout, notes)

    entries: list[ListEntry] = []
    seen: set[str] = set()
    unmatched_comments = 0
    for row in rows:
        ent = _value(row[0])
        if ent in seen:  # a repeated ent_num: the side rows already went to its first row
            entries.append(_entry(layout.source, row, _value(row[11]), [], []))
            continue
        seen.add(ent)
        remarks = row[11] if _value(row[11]) else ""
        if ent in attached.overflow:
            # A continuation only follows a Remarks field cut at the limit; any other comment row comes
            # from a comments file of another date and would glue unrelated text onto these remarks.
            if len(remarks) >= REMARKS_LIMIT:
                remarks += "".join(attached.overflow[ent])
            else:
                unmatched_comments += len(attached.overflow[ent])
        entries.append(_entry(layout.source, row, remarks.strip(), attached.aliases.get(ent, []),
                              attached.addresses.get(ent, [])))

    if unmatched_comments:
        notes.warnings.append(
            f"{unmatched_comments} {layout.comments} rows continue remarks that are not cut at {REMARKS_LIMIT} "
            f"characters (files from different dates?); skipped"
        )
    if duplicates := [ent for ent, n in Counter(_value(r[0]) for r in rows).items() if n > 1]:
        notes.warnings.append(
            f"ent_num repeated in {layout.primary}: {', '.join(duplicates[:5])}; every row kept, "
            "aliases and addresses go to the first"
        )
    if unknown_types := Counter(_value(r[2]) for r in rows if _value(r[2]).lower() not in _TYPES):
        notes.warnings.append(f"unknown SDN_Type values read as entities: {dict(unknown_types)}")
    return ParsedList(layout.source, None, tuple(entries), tuple(notes.files), tuple(notes.warnings))


@dataclass
class _Attached:
    """The alias, address and comment rows of each ent_num; rows naming no entry are counted, not kept."""

    aliases: dict[str, list[ListName]] = field(default_factory=dict)
    addresses: dict[str, list[Address]] = field(default_factory=dict)
    overflow: dict[str, list[str]] = field(default_factory=dict)  # raw: the text goes on mid-word

    @classmethod
    def of(cls, side: dict[str, list[list[str]]], ids: set[str], layout: _Layout, notes: _Notes) -> _Attached:
        attached = cls()
        orphans: Counter[str] = Counter()
        for row in side["aliases"]:
            if (ent := _value(row[0])) not in ids:
                orphans["alias"] += 1
            elif name := _value(row[3]):
                kind = _ALIAS_KINDS.get(_value(row[2]).lower(), "other")
                attached.aliases.setdefault(ent, []).append(ListName(name, kind, _alias_strength(_value(row[4]))))
        for row in side["addresses"]:
            if (ent := _value(row[0])) not in ids:
                orphans["address"] += 1
            elif address := make_address([_value(row[2])], _value(row[3]), _value(row[4])):
                attached.addresses.setdefault(ent, []).append(address)
        for row in side["comments"]:
            if (ent := _value(row[0])) not in ids:
                orphans["comment"] += 1
            else:
                attached.overflow.setdefault(ent, []).append(row[1])
        if orphans:
            notes.warnings.append(_orphan_warning(orphans, layout.primary))
        return attached


def _primary_path(path: Path, layout: _Layout) -> Path:
    if path.is_dir():
        found = find_file(path, layout.primary)
        if found is None:
            raise InputError(
                f"{path}: is a folder without {layout.primary}; download the OFAC {layout.title} files "
                f"from {layout.url}"
            )
        return found
    other = CONSOLIDATED if layout is SDN else SDN
    if path.name.lower() == other.primary:
        raise InputError(f"{path}: is the OFAC {other.title}; import it with --source {other.source}")
    return path


def _read(path: Path, layout: _Layout, role: str, notes: _Notes) -> list[list[str]]:
    """The rows of one OFAC CSV that have the right number of columns and an ent_num."""
    name = getattr(layout, role)
    hint = f"download it from {layout.url}{name}"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found; {hint}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}); check the path and permissions") from None
    notes.files.append((str(path), hashlib.sha256(data).hexdigest()))
    text = _decode(data, path, notes)
    text = _EOF_LINE.sub("", text)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InputError(f"{path}: is not an OFAC {name} ({exc}); {hint}") from None
    if not rows:
        raise InputError(f"{path}: is empty; {hint}")

    columns = _COLUMNS[role]
    good = [row for row in rows if len(row) == columns and _value(row[0]).isdigit()]
    if len(good) * 2 < len(rows):  # most rows wrong: not this file at all
        found = Counter(len(row) for row in rows).most_common(1)[0][0]
        detail = (f"expected {columns} columns, found {found}" if found != columns
                  else "expected an entry number in the first column")
        raise InputError(f"{path}: is not an OFAC {name} ({detail}); {hint}")
    if len(good) < len(rows):
        notes.warnings.append(
            f"{path.name}: {len(rows) - len(good)} rows without {columns} columns and an entry number skipped"
        )
    return good


def _decode(data: bytes, path: Path, notes: _Notes) -> str:
    # OFAC publishes ASCII; a copy edited on Windows may carry a few cp1252 bytes (curly quotes, accents).
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.warnings.append(f"{path.name}: not UTF-8; read as Windows-1252")
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")  # the 5 bytes cp1252 leaves undefined; never fails


def _value(cell: str) -> str:
    """A cell without padding; OFAC's null `-0-` (with or without a trailing space) becomes ''."""
    cell = cell.strip()
    return "" if cell == _NULL else cell


def _alias_strength(alt_remarks: str) -> Strength:
    # alt_remarks is `-0-` on every row of the files we have; OFAC's word for weak aliases is kept in case.
    return Strength.WEAK if re.search(r"\b(weak|low quality)\b", alt_remarks, re.IGNORECASE) else Strength.STRONG


def _orphan_warning(orphans: Counter[str], primary: str) -> str:
    parts = [f"{orphans[kind]} {kind} row{'s' if orphans[kind] > 1 else ''}"
             for kind in ("alias", "address", "comment") if orphans[kind]]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{listed} name no entry in {primary} (orphans); skipped"


def _entry(source: str, row: list[str], remarks: str, aliases: list[ListName], addresses: list[Address]) -> ListEntry:
    ent, name, sdn_type, program, _title, call_sign, _vtype, _tonnage, _grt, flag, _owner = map(_value, row[:11])
    facts = remark_facts(remarks)
    countries: list[str | None] = list(facts.countries)
    if flag:
        countries.append(country_code(flag))
    countries += [a.country for a in addresses]
    identifiers = list(facts.identifiers)
    if call_sign:
        identifiers.append(Identifier("other", call_sign, "Call Sign"))
    return ListEntry(
        source=source,
        id=ent,
        type=_TYPES.get(sdn_type.lower(), EntryType.ENTITY),
        names=ordered_names(name, [*aliases, *facts.names]),
        programs=split_programs(program),
        countries=unique(c for c in countries if c),
        addresses=unique(addresses),
        identifiers=unique(identifiers),
        remarks=remarks,
        dates=unique(facts.dates),
    )


# ---------------------------------------------------------------- shared with the sdn.xml parser


def split_programs(text: str) -> tuple[str, ...]:
    """'[DPRK2] [DPRK3]' or 'DPRK2] [DPRK3' -> ('DPRK2', 'DPRK3')."""
    return unique(p.strip(" []") for p in _PROGRAM_SEPARATOR.split(text) if p.strip(" []"))


def ordered_names(primary: str, aliases: Iterable[ListName]) -> tuple[ListName, ...]:
    """The primary name, then strong aliases, then weak ones, each in published order, without repeats.

    Both OFAC formats give the same order this way: the XML interleaves weak and strong aliases,
    the CSV lists weak ones only in the remarks.
    """
    names = [ListName(primary)] if primary else []
    aliases = [a for a in aliases if a.name and a.name != primary]
    names += [a for a in aliases if a.strength is Strength.STRONG]
    strong = {a.name for a in names}
    names += [a for a in aliases if a.strength is Strength.WEAK and a.name not in strong]  # strong wins
    return unique(names)


def make_address(lines: Iterable[str], city_line: str, country_text: str) -> Address | None:
    """One address; city_line is OFAC's CSV column 'city, state postal code' as one text."""
    text = ", ".join(p for p in (*lines, city_line, country_text) if p)
    if not text:
        return None
    return Address(text, city=city_line, country=country_code(country_text), country_text=country_text)


def find_file(folder: Path, name: str) -> Path | None:
    """The file of that name in the folder, in any letter case (SDN.CSV saved by Windows tools)."""
    exact = folder / name
    if exact.is_file():
        return exact
    try:
        return next((p for p in folder.iterdir() if p.name.lower() == name and p.is_file()), None)
    except OSError:
        return None


def country_code(text: str) -> str | None:
    return to_iso2(text) if text else None


def unique(items: Iterable[T]) -> tuple[T, ...]:
    """Items in first-seen order without repeats."""
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class RemarkFacts:
    names: tuple[ListName, ...] = ()  # weak aliases
    identifiers: tuple[Identifier, ...] = ()
    countries: tuple[str, ...] = ()  # ISO alpha-2
    dates: tuple[tuple[str, str], ...] = ()


# a.k.a. 'BNC'.  /  f.k.a. 'ANA I'; ...  The name may hold apostrophes ('ABU 'ABDALLAH'), so it ends
# only at a quote followed by ';', or by '.' or nothing at the end of the remarks.
_WEAK_ALIAS = re.compile(r"\b([afn])\.k\.a\. '(.+?)'(?=\s*(?:;|\.?\s*$))")
_ITEM_SEPARATOR = re.compile(r";\s+")
_ALT = r"^(?:alt\.\s+)?"
_COUNTRY_ITEM = re.compile(
    _ALT + r"(?:Nationality of Registration|Other Vessel Flag|nationality|citizen(?:ship)?)\s+"
    r"(?:possibly\s+)?(?P<country>.+)$",
    re.IGNORECASE,
)
_DATE_ITEMS = {"birth": re.compile(_ALT + r"DOB\s+(?P<date>.+)$"),
               "established": re.compile(r"^Organization Established Date\s+(?P<date>.+)$")}
_IMO = re.compile(r"\bIMO\s*(\d{7})\b")
_BARE_IMO = re.compile(r"\d{7}")

# OFAC's identifier labels (the CSV remarks item prefix; the XML idType) -> Identifier kind.
# A value written 'IMO 1234567' is an IMO number whatever the label (ships and ship-owning companies).
ID_KINDS: dict[str, str] = {
    "Vessel Registration Identification": "registration",
    "MMSI": "mmsi",
    "Registration Number": "registration",
    "Registration ID": "registration",
    "Business Registration Number": "registration",
    "Business Registration Document #": "registration",
    "Company Number": "registration",
    "UK Company Number": "registration",
    "Commercial Registry Number": "registration",
    "Certificate of Incorporation Number": "registration",
    "Chamber of Commerce Number": "registration",
    "Unified Social Credit Code (USCC)": "registration",
    "Enterprise Number": "registration",
    "Trade License No.": "registration",
    "Tax ID No.": "tax",
    "V.A.T. Number": "tax",
    "US FEIN": "tax",
    "R.F.C.": "tax",
    "RFC": "tax",
    "Passport": "passport",
    "Diplomatic Passport": "passport",
    "National ID No.": "national-id",
    "National Foreign ID Number": "national-id",
    "Cedula No.": "national-id",
    "C.U.R.P.": "national-id",
    "D.N.I.": "national-id",
    "Personal ID Card": "national-id",
    "SSN": "national-id",
    "SWIFT/BIC": "swift",
    "Identification Number": "other",
    "Legal Entity Number": "other",
    "D-U-N-S Number": "other",
    "Government Gazette Number": "other",
    "Aircraft Tail Number": "other",
    "Aircraft Manufacturer's Serial Number (MSN)": "other",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "other",
}
_ID_ITEM = re.compile(
    _ALT + r"(?P<label>" + "|".join(re.escape(k) for k in sorted(ID_KINDS, key=len, reverse=True)) + r")"
    r"\s+(?:#\s*)?(?P<rest>\S.*)$"
)
# '472234895 (Korea, North) expires 26 Feb 2020' -> value, country
_ID_REST = re.compile(r"^(?P<value>.*?)(?:\s+\((?P<country>[^()]+)\))?(?:\s+(?:issued|expires)\b.*)?$")


def remark_facts(remarks: str) -> RemarkFacts:
    """Weak aliases, identifiers, nationality/citizenship/flag countries and dates in OFAC remarks.

    Remarks are items separated by '; ' ending with '.': 'DOB 1962; nationality Korea, North;
    Passport 654310175 (Korea, North); a.k.a. 'KOMID'.'
    """
    if not remarks:
        return RemarkFacts()
    names = [ListName(m.group(2).strip(), f"{m.group(1)}ka", Strength.WEAK) for m in _WEAK_ALIAS.finditer(remarks)]
    rest = _WEAK_ALIAS.sub("", remarks).strip().rstrip(".")
    identifiers: list[Identifier] = []
    countries: list[str] = []
    dates: list[tuple[str, str]] = []
    for item in _ITEM_SEPARATOR.split(rest):
        item = item.strip()
        if match := _ID_ITEM.match(item):
            parts = _ID_REST.match(match.group("rest"))
            assert parts is not None  # the pattern matches any text
            if found := identifier(match.group("label"), parts.group("value"), parts.group("country") or ""):
                identifiers.append(found)
        elif match := _COUNTRY_ITEM.match(item):
            if code := country_code(match.group("country")):
                countries.append(code)
        elif imo := _IMO.search(item):  # an IMO number under a label not listed above
            identifiers.append(Identifier("imo", imo.group(1), "IMO"))
        else:
            for kind, pattern in _DATE_ITEMS.items():
                if match := pattern.match(item):
                    dates.append((kind, ofac_date(match.group("date"))))
    return RemarkFacts(unique(names), unique(identifiers), unique(countries), unique(dates))


def identifier(label: str, value: str, country_text: str = "") -> Identifier | None:
    """An Identifier from OFAC's label and value; IMO numbers keep only their 7 digits."""
    value = value.strip()
    if not value:
        return None
    country = country_code(country_text)
    if imo := _IMO.match(value):
        return Identifier("imo", imo.group(1), label, country)
    if label == "Vessel Registration Identification" and _BARE_IMO.fullmatch(value):
        return Identifier("imo", value, label, country)  # OFAC sometimes drops the 'IMO' prefix
    return Identifier(ID_KINDS.get(label, "other"), value, label, country)


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec"), start=1)}
_DAY_MONTH_YEAR = re.compile(r"(?:(\d{1,2}) )?([A-Za-z]{3}) (\d{4})")


def ofac_date(text: str) -> str:
    """'10 Dec 1948' -> '1948-12-10', 'Dec 1948' -> '1948-12', '1962 to 1963' -> '1962/1963'
    (an ISO 8601 interval, as the UN parser writes ranges); anything else ('circa 1951') as published."""
    text = " ".join(text.split()).rstrip(".")
    start, sep, end = text.partition(" to ")
    if sep:
        a, b = _iso(start), _iso(end)
        return f"{a}/{b}" if a and b else text
    return _iso(text) or text


def _iso(text: str) -> str | None:
    if re.fullmatch(r"\d{4}", text):
        return text
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if not match or match.group(2).lower() not in _MONTHS:
        return None
    year, month = int(match.group(3)), _MONTHS[match.group(2).lower()]
    if match.group(1) is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, int(match.group(1))).isoformat()
    except ValueError:  # '31 Feb': keep as published
        return None

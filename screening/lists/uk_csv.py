"""UK OFSI Consolidated List of financial sanctions targets, CSV (ConList.csv, 2022 layout) -> ListEntry.

Line 1 is 'Last Updated,DD/MM/YYYY', line 2 the header, then one row per NAME: every alias of a target is
a row of its own that repeats the target's other facts, and rows of one target share a Group ID.
Person names are given as OFAC writes them, 'SURNAME, Given Names' (Name 6 is the surname, or the
whole name of an entity or ship).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from screening.countries import to_iso2
from screening.errors import InputError
from screening.lists.files import read_source
from screening.lists.model import Address, EntryType, Identifier, ListEntry, ListName, ParsedList, Strength

SOURCE = "uk"
EXPECTED = "the OFSI Consolidated List CSV (ConList.csv, with a 'Last Updated' line and a 'Group ID' column)"
_FILE_NAMES = ("ConList.csv", "conlist.csv")
_REQUIRED = ("Name 6", "Group Type", "Group ID")

_TYPES = {"individual": EntryType.INDIVIDUAL, "entity": EntryType.ENTITY, "ship": EntryType.VESSEL}
# Alias Type -> kind; 'Primary name variation' is another spelling of the primary name.
_ALIAS_KINDS = {"primary name": "primary", "aka": "aka", "primary name variation": "aka", "fka": "fka",
                "alias": "aka"}
_NUMBERED = re.compile(r"\(\d+\)")  # '(1) Russia (2) Ukraine': several values in one cell
_DATE = re.compile(r"(\d{2}|dd)/(\d{2}|mm)/(\d{4})", re.IGNORECASE)
_IMO = re.compile(r"\bIMO\b[^0-9]{0,20}?(\d{7})\b", re.IGNORECASE)
T = TypeVar("T")


def parse(path: Path) -> ParsedList:
    """Parse ConList.csv (or a folder holding it); cp1252 and UTF-8 (with or without BOM) are read."""
    path, data = _read(Path(path))
    rows = list(csv.reader(io.StringIO(_decode(data), newline="")))
    header_at = next((i for i, row in enumerate(rows[:5]) if all(c in _cells(row) for c in _REQUIRED)), None)
    if header_at is None:
        raise InputError(f"{path}: no header row with {', '.join(_REQUIRED)} in the first lines; expected {EXPECTED}")
    published = next((_iso(row[1]) for row in rows[:header_at] if len(row) > 1 and "updated" in row[0].lower()),
                     None)
    header = _cells(rows[header_at])
    records = [dict(zip(header, _cells(row))) for row in rows[header_at + 1:] if any(c.strip() for c in row)]

    groups: dict[str, list[dict[str, str]]] = {}
    without_id = 0
    for record in records:
        if group := record.get("Group ID", ""):
            groups.setdefault(group, []).append(record)
        else:
            without_id += 1
    no_primary: list[str] = []
    entries = [entry for group, rows_ in groups.items() if (entry := _entry(group, rows_, no_primary))]
    if not entries:
        raise InputError(f"{path}: no rows with a name and a Group ID; expected {EXPECTED}")

    warnings = []
    if without_id:
        warnings.append(f"{without_id} rows without a Group ID skipped")
    if no_primary:
        warnings.append(f"{len(no_primary)} groups without a 'Primary name' row (their first name used): "
                        + ", ".join(no_primary[:5]))
    return ParsedList(
        source=SOURCE,
        published=published,
        entries=tuple(entries),
        files=((str(path), hashlib.sha256(data).hexdigest()),),
        warnings=tuple(warnings),
    )


def _read(path: Path) -> tuple[Path, bytes]:
    path, data = read_source(path, _FILE_NAMES, EXPECTED)
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: is not a text CSV (it holds NUL bytes); expected {EXPECTED}")
    return path, data


def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not) when the bytes are valid UTF-8, else Windows-1252 as OFSI has long saved it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cells(row: list[str]) -> list[str]:
    return [" ".join(c.split()) for c in row]


def _iso(value: str) -> str | None:
    """'03/06/2026' -> '2026-06-03'; 'dd/mm/1971' or '00/00/1959' -> '1971' (only the year is known)."""
    match = _DATE.search(value)
    if not match:
        return None
    day, month, year = match.groups()
    if not (day.isdigit() and month.isdigit()) or day == "00" or month == "00":
        return year
    return f"{year}-{month}-{day}"


def _split(value: str) -> list[str]:
    """'(1) Russia (2) Ukraine' -> ['Russia', 'Ukraine']; a plain cell is one value."""
    return [p.strip(" ,;") for p in _NUMBERED.split(value) if p.strip(" ,;")]


def _name(row: dict[str, str]) -> str:
    surname = row.get("Name 6", "")
    given = " ".join(p for k in ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5") if (p := row.get(k, "")))
    if surname and given:
        return f"{surname}, {given}"
    return surname or given


def _entry(group: str, rows: list[dict[str, str]], no_primary: list[str]) -> ListEntry | None:
    named = [(row, name) for row in rows if (name := _name(row))]
    if not named:
        return None
    primary_row, primary = next(((r, n) for r, n in named if r.get("Alias Type", "").lower() == "primary name"),
                                (None, ""))
    if primary_row is None:
        no_primary.append(group)
        primary_row, primary = named[0]

    names = [ListName(primary)]
    for row, name in named:
        if row is not primary_row:
            kind = _ALIAS_KINDS.get(row.get("Alias Type", "").lower(), "other")
            weak = "low" in row.get("Alias Quality", "").lower()
            names.append(ListName(name, "aka" if kind == "primary" else kind,
                                  Strength.WEAK if weak else Strength.STRONG))
        if script := row.get("Name Non-Latin Script", ""):
            names.append(ListName(script, "original-script"))

    countries = [code for row in rows for key in ("Nationality", "Country") for text in _split(row.get(key, ""))
                 if (code := to_iso2(text))]
    addresses = [a for row in rows if (a := _address(row))]
    identifiers = [i for row in rows for i in _identifiers(row)]
    dates = [("listed", d) for row in rows if (d := _iso(row.get("Listed On", "")))]
    dates += [("birth", d) for row in rows for dob in _split(row.get("DOB", "")) if (d := _iso(dob))]
    remarks = " ".join(_unique(row.get("Other Information", "") for row in [primary_row, *rows]))

    return ListEntry(
        source=SOURCE,
        id=group,
        type=_TYPES.get(primary_row.get("Group Type", "").lower(), EntryType.ENTITY),
        names=_unique(names),
        programs=_unique(row.get("Regime", "") for row in rows),
        countries=_unique(countries),
        addresses=_unique(addresses),
        identifiers=_unique_ids(identifiers),
        remarks=remarks,
        dates=_unique(dates),
    )


def _address(row: dict[str, str]) -> Address | None:
    country_text = row.get("Country", "")
    parts = [row.get(f"Address {n}", "") for n in range(1, 7)] + [row.get("Post/Zip Code", ""), country_text]
    line = ", ".join(p for p in parts if p)
    if not line or line == country_text:
        return None  # a country alone is a country, not an address
    return Address(line, country=to_iso2(country_text), country_text=country_text)


def _identifiers(row: dict[str, str]) -> list[Identifier]:
    found: list[Identifier] = []
    for column, kind in (("Passport Number", "passport"), ("National Identification Number", "national-id")):
        found += [Identifier(kind, v, column) for v in _split(row.get(column, ""))]
    # ships: 'IMO number: 9036387' or '(IMO number):9036387' in Other Information
    found += [Identifier("imo", number, "IMO number (Other Information)")
              for number in _IMO.findall(row.get("Other Information", ""))]
    return found


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    """Non-empty items in first-seen order: every alias row repeats the target's facts."""
    return tuple(dict.fromkeys(i for i in items if i))


def _unique_ids(items: Iterable[Identifier]) -> tuple[Identifier, ...]:
    first: dict[tuple[str, str], Identifier] = {}
    for item in items:
        first.setdefault((item.kind, item.value), item)
    return tuple(first.values())

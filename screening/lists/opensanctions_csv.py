"""OpenSanctions 'targets.simple.csv' export -> ListEntry records.

One row per target; multi-valued cells hold values separated by ';'. Countries are ISO alpha-2 in lower
case. The file has no publication date: the latest 'last_change' of any row stands for it. The whole
'default' collection runs to hundreds of MB, so the file is read as a stream, not loaded at once.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from screening.countries import is_iso2, to_iso2
from screening.errors import InputError
from screening.lists.model import Address, EntryType, Identifier, ListEntry, ListName, ParsedList

SOURCE = "opensanctions"
EXPECTED = "an OpenSanctions targets.simple.csv export (header id,schema,name,aliases,...,last_change)"
_FILE_NAMES = ("targets.simple.csv",)
_REQUIRED = ("id", "schema", "name")
_TYPES = {"Person": EntryType.INDIVIDUAL, "Vessel": EntryType.VESSEL, "Airplane": EntryType.AIRCRAFT}
_IMO = re.compile(r"IMO\s*(\d{7})", re.IGNORECASE)  # 'IMO8712362' or 'IMO 8712362', nothing else
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHUNK = 1 << 20
_MAX_CELL = 1 << 24


def parse(path: Path) -> ParsedList:
    """Parse targets.simple.csv (or a folder holding it)."""
    path = _locate(Path(path))
    digest = _sha256(path)
    entries: list[ListEntry] = []
    unnamed = 0
    last_change = ""
    if csv.field_size_limit() < _MAX_CELL:
        csv.field_size_limit(_MAX_CELL)  # sanctions and address cells of big targets exceed the 128 KB default
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in _REQUIRED if c not in (reader.fieldnames or ())]
            if missing:
                raise InputError(f"{path}: no {', '.join(missing)} column in the header; expected {EXPECTED}")
            for row in reader:
                last_change = max(last_change, row.get("last_change") or "")
                if entry := _entry(row):
                    entries.append(entry)
                else:
                    unnamed += 1
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: is not UTF-8 text (byte {exc.start}); expected {EXPECTED}") from None
    except csv.Error as exc:
        raise InputError(f"{path}: is not a readable CSV ({exc}); expected {EXPECTED}") from None
    if not entries:
        raise InputError(f"{path}: no rows with an id and a name; expected {EXPECTED}")
    match = _ISO_DATE.match(last_change)
    return ParsedList(
        source=SOURCE,
        published=match.group() if match else None,
        entries=tuple(entries),
        files=((str(path), digest),),
        warnings=(f"{unnamed} rows without an id or a name skipped",) if unnamed else (),
    )


def _locate(path: Path) -> Path:
    if path.is_dir():
        found = [path / name for name in _FILE_NAMES if (path / name).is_file()]
        if not found:
            raise InputError(f"{path}: is a folder without targets.simple.csv; pass {EXPECTED}")
        path = found[0]
    if not path.is_file():
        raise InputError(f"{path}: file not found; pass {EXPECTED}")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: is empty; expected {EXPECTED}")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}); check the path and permissions") from None
    return digest.hexdigest()


def _split(value: str | None) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in (value or "").split(";") if p.strip()))


def _entry(row: dict[str, str]) -> ListEntry | None:
    entry_id, name = (row.get("id") or "").strip(), (row.get("name") or "").strip()
    if not entry_id or not name:
        return None
    names = [ListName(name)] + [ListName(a, "aka") for a in _split(row.get("aliases")) if a != name]
    countries = [c.upper() if is_iso2(c.upper()) else to_iso2(c) for c in _split(row.get("countries"))]
    identifiers = []
    for value in _split(row.get("identifiers")):
        imo = _IMO.fullmatch(value)
        identifiers.append(Identifier("imo", imo.group(1), "IMO") if imo else Identifier("other", value))
    sanctions = _split(row.get("sanctions"))
    datasets = _split(row.get("dataset"))
    remarks = "; ".join(sanctions) + (f" (datasets: {'; '.join(datasets)})" if datasets else "")
    dates = [("birth", d) for d in _split(row.get("birth_date"))]
    if first_seen := _ISO_DATE.match(row.get("first_seen") or ""):
        dates.append(("first-seen", first_seen.group()))  # when OpenSanctions first saw it, not a listing date
    return ListEntry(
        source=SOURCE,
        id=entry_id,
        type=_TYPES.get((row.get("schema") or "").strip(), EntryType.ENTITY),
        names=tuple(names),
        programs=tuple(_split(row.get("program_ids")) or sanctions),
        countries=tuple(dict.fromkeys(c for c in countries if c)),
        addresses=tuple(Address(a, country=to_iso2(a)) for a in _split(row.get("addresses"))),
        identifiers=tuple(identifiers),
        remarks=remarks.strip(),
        dates=tuple(dates),
    )

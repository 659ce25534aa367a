"""UN Security Council Consolidated List (consolidated.xml) -> ListEntry records.

Individuals and entities are read from CONSOLIDATED_LIST/INDIVIDUALS and /ENTITIES. The UN lists no
vessels as such: the records whose comments give an 'IMO number' are ship owners and managers (IMO
company numbers), so they stay entities and the number becomes an 'imo' identifier.

The XML helpers at the bottom are shared with the EU parser: both refuse any DTD or entity declaration.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from screening.countries import to_iso2
from screening.errors import InputError
from screening.lists.files import read_source
from screening.lists.model import Address, EntryType, Identifier, ListEntry, ListName, ParsedList, Strength

SOURCE = "un"
EXPECTED = "the UN Security Council consolidated list XML (consolidated.xml from scsanctions.un.org)"
_FILE_NAMES = ("consolidated.xml",)

# QUALITY -> (kind, strength). The UN marks doubtful spellings 'Low'; they weigh less in matching.
_ALIAS_QUALITY: dict[str, tuple[str, Strength]] = {
    "good": ("aka", Strength.STRONG),
    "a.k.a.": ("aka", Strength.STRONG),
    "low": ("aka", Strength.WEAK),
    "f.k.a.": ("fka", Strength.STRONG),
}
# 'IMO number: 5571322', 'IMO Number: 5342883', 'Company Number IMO 5434358',
# 'International Maritime Organization (IMO) Number: 1790183'
IMO_IN_TEXT = re.compile(r"\bIMO\b\)?[^0-9.;]{0,20}?(\d{7})\b")
# 'SWIFT: DCBKKPPY', 'SWIFT/BIC: KUDBKPPY': bank, country and location codes, optional branch
SWIFT_IN_TEXT = re.compile(r"\bSWIFT(?:/BIC)?\s*:?\s*([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")
_PASSPORT_WORDS = ("passport", "passeport", "pasaporte")  # the UN labels a few in French or Spanish
_SPACES = re.compile(r"\s+")
T = TypeVar("T")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse(path: Path) -> ParsedList:
    """Parse consolidated.xml (or a folder holding it)."""
    path, data = read_source(Path(path), _FILE_NAMES, EXPECTED)
    root, records = xml_records(path, data, "CONSOLIDATED_LIST", {"INDIVIDUAL", "ENTITY"}, EXPECTED)
    notes = _Notes()
    entries = [entry for record in records if (entry := _entry(record, notes)) is not None]
    if not entries:
        raise InputError(f"{path}: no INDIVIDUAL or ENTITY records; expected {EXPECTED} with its records")
    return ParsedList(
        source=SOURCE,
        published=iso_date(root.get("dateGenerated", "")),
        entries=tuple(entries),
        files=((str(path), hashlib.sha256(data).hexdigest()),),
        warnings=notes.warnings(),
    )


class _Notes:
    """Things skipped or not understood, reported once per kind with a count and examples."""

    def __init__(self) -> None:
        self.unknown_countries: dict[str, int] = {}
        self.documents_without_number = 0
        self.records_without_name: list[str] = []

    def country(self, text: str) -> str | None:
        code = to_iso2(text)
        if code is None and text:
            self.unknown_countries[text] = self.unknown_countries.get(text, 0) + 1
        return code

    def warnings(self) -> tuple[str, ...]:
        out = []
        if self.records_without_name:
            out.append(f"{len(self.records_without_name)} records without a name skipped: "
                       + ", ".join(self.records_without_name[:5]))
        if self.unknown_countries:
            shown = ", ".join(f"'{t}'" for t in list(self.unknown_countries)[:5])
            out.append(f"{len(self.unknown_countries)} country texts not recognised as a country: {shown}")
        if self.documents_without_number:
            out.append(f"{self.documents_without_number} identity documents without a number skipped")
        return tuple(out)


def _entry(record: Element, notes: _Notes) -> ListEntry | None:
    kind = record.tag  # INDIVIDUAL or ENTITY
    ref = text(record.find("REFERENCE_NUMBER")) or f"DATAID {text(record.find('DATAID'))}"
    primary = " ".join(p for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
                       if (p := text(record.find(tag))))
    if not primary:
        notes.records_without_name.append(ref)
        return None

    names = [ListName(primary)]
    names += [ListName(n, "original-script") for e in record.findall("NAME_ORIGINAL_SCRIPT") if (n := text(e))]
    alias_births: list[tuple[str, str]] = []
    for alias in record.findall(f"{kind}_ALIAS"):
        name = text(alias.find("ALIAS_NAME"))
        if not name:
            continue  # the UN writes an empty <..._ALIAS> when a record has none
        alias_kind, strength = _ALIAS_QUALITY.get(text(alias.find("QUALITY")).lower(), ("aka", Strength.STRONG))
        names.append(ListName(name, alias_kind, strength))
        if born := text(alias.find("DATE_OF_BIRTH")):  # an alias may carry its own date of birth
            alias_births.append(("birth", iso_date(born) or born))

    countries: list[str | None] = [notes.country(text(v)) for n in record.findall("NATIONALITY")
                                   for v in n.findall("VALUE")]
    addresses = [a for e in record.findall(f"{kind}_ADDRESS") if (a := _address(e, notes))]
    countries += [a.country for a in addresses]

    remarks = " ".join(t for e in record.findall("COMMENTS1") if (t := text(e)))
    identifiers = [i for e in record.findall("INDIVIDUAL_DOCUMENT") if (i := _document(e, notes))]
    identifiers += identifiers_in_text(remarks, "comments")

    listed = iso_date(text(record.find("LISTED_ON")))
    dates = [("listed", listed)] if listed else []
    dates += [d for e in record.findall("INDIVIDUAL_DATE_OF_BIRTH") if (d := _birth(e))] + alias_births

    list_type = text(record.find("UN_LIST_TYPE"))
    return ListEntry(
        source=SOURCE,
        id=ref,
        type=EntryType.INDIVIDUAL if kind == "INDIVIDUAL" else EntryType.ENTITY,
        names=unique(names),
        programs=(list_type,) if list_type else (),
        countries=unique(c for c in countries if c),
        addresses=unique(addresses),
        identifiers=unique_identifiers(identifiers),
        remarks=remarks,
        dates=unique(dates),
    )


def _address(e: Element, notes: _Notes) -> Address | None:
    parts = [text(e.find(tag)) for tag in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
    line = ", ".join(p for p in parts if p)
    if note := text(e.find("NOTE")):
        line = f"{line} ({note})" if line else note
    if not line:
        return None
    country_text = parts[4]
    return Address(line, city=parts[1], country=notes.country(country_text), country_text=country_text)


def _document(e: Element, notes: _Notes) -> Identifier | None:
    number = text(e.find("NUMBER"))
    label = " / ".join(t for tag in ("TYPE_OF_DOCUMENT", "TYPE_OF_DOCUMENT2") if (t := text(e.find(tag))))
    if not number:
        if label or text(e.find("NOTE")):
            notes.documents_without_number += 1
        return None
    lowered = label.lower()
    kind = ("passport" if any(word in lowered for word in _PASSPORT_WORDS)
            else "national-id" if "national" in lowered else "other")
    issuer = text(e.find("ISSUING_COUNTRY")) or text(e.find("COUNTRY_OF_ISSUE"))
    return Identifier(kind, number, label, notes.country(issuer) if issuer else None)


def _birth(e: Element) -> tuple[str, str] | None:
    if exact := text(e.find("DATE")):
        return "birth", iso_date(exact) or exact
    if year := text(e.find("YEAR")):
        return "birth", year
    start, end = text(e.find("FROM_YEAR")), text(e.find("TO_YEAR"))
    if start and end:
        return "birth", f"{start}/{end}"  # ISO 8601 interval: born between these years
    return None


def identifiers_in_text(remarks: str, where: str) -> list[Identifier]:
    """IMO numbers and SWIFT codes written in free text ('IMO number: 5571322', 'SWIFT: DCBKKPPY')."""
    found = [Identifier("imo", number, f"IMO number ({where})") for number in IMO_IN_TEXT.findall(remarks)]
    return found + [Identifier("swift", code, f"SWIFT ({where})") for code in SWIFT_IN_TEXT.findall(remarks)]


# ---------------------------------------------------------------- helpers shared with the EU parser


def text(e: Element | None) -> str:
    """An element's text with runs of whitespace (the UN wraps long values over lines) made one space."""
    if e is None or e.text is None:
        return ""
    return _SPACES.sub(" ", e.text).strip()


def iso_date(value: str) -> str | None:
    """'2026-02-27T00:00:09.554Z' or '2008-04-23-04:00' -> '2026-02-27'; None when it is no ISO date."""
    match = _ISO_DATE.match(value.strip())
    return match.group() if match else None


def unique(items: Iterable[T]) -> tuple[T, ...]:
    """Items in first-seen order without repeats: publishers repeat the same alias or address."""
    return tuple(dict.fromkeys(items))


def unique_identifiers(items: Iterable[Identifier]) -> tuple[Identifier, ...]:
    """One identifier per (kind, value): an IMO number given both in a field and in the remarks counts once."""
    first: dict[tuple[str, str], Identifier] = {}
    for item in items:
        first.setdefault((item.kind, item.value), item)
    return tuple(first.values())


def local_name(tag: str) -> str:
    """'{http://eu.europa.ec/fpi/fsd/export}nameAlias' -> 'nameAlias'."""
    return tag.rpartition("}")[2]


def xml_records(
    path: Path, data: bytes, root_name: str, record_names: set[str], expected: str
) -> tuple[Element, Iterator[Element]]:
    """The root element (attributes only) and an iterator over the record elements, each freed after use.

    Parsed with defusedxml: a DTD, entity declaration or external reference is refused outright, so no
    entity is ever expanded ('billion laughs') and no file or URL is ever fetched (XXE).
    """
    events = _safe_events(path, data, expected)
    _, root = next(events)
    if local_name(root.tag) != root_name:
        raise InputError(
            f"{path}: the XML root is <{local_name(root.tag)}>, not <{root_name}>; expected {expected}"
        )

    def records() -> Iterator[Element]:
        for event, element in events:
            if event == "end" and local_name(element.tag) in record_names:
                yield element
                element.clear()  # the 25 MB EU file stays small in memory

    return root, records()


def _safe_events(path: Path, data: bytes, expected: str) -> Iterator[tuple[str, Element]]:
    try:
        yield from iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True)
    except DefusedXmlException:
        raise InputError(
            f"{path}: the XML declares a DTD or entities, refused for safety (entity expansion, external "
            f"files); download {expected} again from the publisher"
        ) from None
    except ParseError as exc:
        where = "line {}, column {}".format(*exc.position) if getattr(exc, "position", None) else "unknown place"
        raise InputError(f"{path}: is not well-formed XML ({where}); expected {expected}") from None
    except (LookupError, ValueError):  # found by fuzzing: <?xml encoding="..."?> unknown, or multi-byte (expat)
        raise InputError(f"{path}: the XML declares a text encoding that cannot be read (publishers use UTF-8); expected {expected}") from None

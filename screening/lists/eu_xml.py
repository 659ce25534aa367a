"""EU Financial Sanctions Files, full list XML (xmlFullSanctionsList_1_1) -> ListEntry records.

Root <export generationDate=...> in the namespace http://eu.europa.ec/fpi/fsd/export; one <sanctionEntity>
per listed person or enterprise, its facts held in attributes of child elements. Elements are matched by
local name so a changed namespace URI does not lose data. Parsed with the UN parser's safe XML reader.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from xml.etree.ElementTree import Element

from screening.countries import is_iso2, to_iso2
from screening.errors import InputError
from screening.lists.model import Address, EntryType, Identifier, ListEntry, ListName, ParsedList, Strength
from screening.lists.files import read_source
from screening.lists.un_xml import (
    identifiers_in_text,
    iso_date,
    local_name,
    unique,
    unique_identifiers,
    xml_records,
)

SOURCE = "eu"
EXPECTED = "the EU Financial Sanctions Files full list XML (xmlFullSanctionsList_1_1)"
_FILE_NAMES = ("xmlFullSanctionsList_1_1.xml", "xmlFullSanctionsList.xml", "export.xml")

_SUBJECT_TYPES = {"person": EntryType.INDIVIDUAL, "enterprise": EntryType.ENTITY,
                  "vessel": EntryType.VESSEL, "aircraft": EntryType.AIRCRAFT}
# identificationTypeCode -> our identifier kind (codes as the FSF uses them; unknown codes -> 'other')
_ID_KINDS = {
    "passport": "passport", "id": "national-id", "nationcert": "national-id", "ssn": "national-id",
    "nrn": "national-id", "residentperm": "national-id", "birthcert": "national-id",
    "electionid": "national-id", "travelcardid": "national-id",
    "regnumber": "registration", "tradelic": "registration",
    "fiscalcode": "tax", "swiftbic": "swift", "imo": "imo",
}
_SEVEN_DIGITS = re.compile(r"\b(\d{7})\b")
_UNKNOWN_COUNTRY = "00"  # the FSF's code for 'UNKNOWN'


def parse(path: Path) -> ParsedList:
    """Parse the EU full sanctions list XML (or a folder holding it)."""
    path, data = read_source(Path(path), _FILE_NAMES, EXPECTED)
    root, records = xml_records(path, data, "export", {"sanctionEntity"}, EXPECTED)
    skipped: list[str] = []
    entries = [entry for record in records if (entry := _entry(record, skipped)) is not None]
    if not entries:
        raise InputError(f"{path}: no sanctionEntity records with a name; expected {EXPECTED}")
    warnings = (f"{len(skipped)} sanctionEntity records without a name skipped: " + ", ".join(skipped[:5]),)
    return ParsedList(
        source=SOURCE,
        published=iso_date(root.get("generationDate", "")),
        entries=tuple(entries),
        files=((str(path), hashlib.sha256(data).hexdigest()),),
        warnings=warnings if skipped else (),
    )


def _children(record: Element, name: str) -> list[Element]:
    return [c for c in record if local_name(c.tag) == name]


def _attr(e: Element, name: str) -> str:
    return " ".join(e.get(name, "").split())


def _entry(record: Element, skipped: list[str]) -> ListEntry | None:
    entry_id = _attr(record, "logicalId") or _attr(record, "euReferenceNumber")
    names = _names(record)
    if not names:
        skipped.append(entry_id or "(no id)")
        return None
    subject = next(iter(_children(record, "subjectType")), None)
    code = _attr(subject, "code").lower() if subject is not None else ""
    entry_type = _SUBJECT_TYPES.get(code, EntryType.INDIVIDUAL if code.startswith("person") else EntryType.ENTITY)

    remark_texts = [t for e in _children(record, "remark") if (t := " ".join((e.text or "").split()))]
    refs = [f"{label} {value}" for label, key in (("EU reference", "euReferenceNumber"), ("UN reference",
            "unitedNationId")) if (value := _attr(record, key))]
    remarks = " ".join([*(f"{r}." for r in refs), *remark_texts])

    addresses = [a for e in _children(record, "address") if (a := _address(e))]
    countries = [_country(e) for e in _children(record, "citizenship")] + [a.country for a in addresses]
    identifiers = [i for e in _children(record, "identification") if (i := _identification(e))]
    identifiers += identifiers_in_text(" ".join(remark_texts), "remark")

    regulations = _children(record, "regulation")
    listed = iso_date(_attr(record, "designationDate")) or min(
        (d for r in regulations if (d := iso_date(_attr(r, "entryIntoForceDate") or _attr(r, "publicationDate")))),
        default=None,
    )
    dates = [("listed", listed)] if listed else []
    dates += [b for e in _children(record, "birthdate") if (b := _birth(e))]

    return ListEntry(
        source=SOURCE,
        id=entry_id,
        type=entry_type,
        names=names,
        programs=unique(p for r in regulations if (p := _attr(r, "programme"))),
        countries=unique(c for c in countries if c),
        addresses=unique(addresses),
        identifiers=unique_identifiers(identifiers),
        remarks=remarks,
        dates=unique(dates),
    )


def _names(record: Element) -> tuple[ListName, ...]:
    """Every nameAlias; the primary is the first strong one without a language (or English).

    The FSF repeats an enterprise's name in each EU language (nameLanguage="BG", "FR"...): those are
    kept as aka. strong="false" marks a weak alias; some weak ones are only said so in a remark.
    """
    found: list[tuple[str, Strength, str]] = []
    for e in _children(record, "nameAlias"):
        name = _attr(e, "wholeName") or " ".join(
            p for key in ("firstName", "middleName", "lastName") if (p := _attr(e, key)))
        if not name:
            continue
        remark = " ".join(r.text or "" for r in _children(e, "remark")).lower()
        weak = _attr(e, "strong").lower() == "false" or "low quality" in remark
        found.append((name, Strength.WEAK if weak else Strength.STRONG, _attr(e, "nameLanguage").upper()))
    if not found:
        return ()
    primary = next((f for f in found if f[1] is Strength.STRONG and f[2] in ("", "EN")),
                   next((f for f in found if f[1] is Strength.STRONG), found[0]))
    names = [ListName(primary[0])]
    names += [ListName(name, "aka", strength) for name, strength, _ in found if name != primary[0]]
    # the same spelling may come strong in one alias and weak in another: keep the strong one
    strong = {n.name for n in names if n.strength is Strength.STRONG}
    return unique(n for n in names if n.strength is Strength.STRONG or n.name not in strong)


def _country(e: Element) -> str | None:
    """countryIso2Code when it is a real code ('00' is unknown), else the countryDescription read by name."""
    code = _attr(e, "countryIso2Code").upper()
    if code and code != _UNKNOWN_COUNTRY and is_iso2(code):
        return code
    description = _attr(e, "countryDescription")
    return to_iso2(description) if description and description.upper() != "UNKNOWN" else None


def _address(e: Element) -> Address | None:
    country_text = _attr(e, "countryDescription")
    country_text = "" if country_text.upper() == "UNKNOWN" else country_text
    keys = ("street", "poBox", "zipCode", "city", "region", "place")
    line = ", ".join(p for p in [*(_attr(e, k) for k in keys), country_text] if p)
    if not line:
        return None
    return Address(line, city=_attr(e, "city"), country=_country(e), country_text=country_text)


def _identification(e: Element) -> Identifier | None:
    number = _attr(e, "number") or _attr(e, "latinNumber")
    if not number:
        return None
    code = _attr(e, "identificationTypeCode")
    label = _attr(e, "identificationTypeDescription") or code
    kind = _ID_KINDS.get(code.lower(), "other")
    remark = " ".join(r.text or "" for r in _children(e, "remark"))
    if kind == "other" and "IMO" in f"{label} {remark} {number}".upper():
        kind = "imo"  # older files file IMO numbers under 'other' with an 'IMO' description or remark
    if kind == "imo" and (digits := _SEVEN_DIGITS.search(number)):
        number = digits.group(1)  # 'IMO 8712362' -> '8712362', the form every parser gives
    return Identifier(kind, number, label, _country(e))


def _birth(e: Element) -> tuple[str, str] | None:
    if exact := iso_date(_attr(e, "birthdate")):
        return "birth", exact
    if year := _attr(e, "year"):
        return "birth", year
    start, end = _attr(e, "yearRangeFrom"), _attr(e, "yearRangeTo")
    if start and end:
        return "birth", f"{start}/{end}"
    return None

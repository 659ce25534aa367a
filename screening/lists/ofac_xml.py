"""OFAC's XML lists (sdn.xml, consolidated.xml: root <sdnList>) -> ListEntry records.

Layout: sdnList/publshInformation/Publish_Date (MM/DD/YYYY; OFAC's spelling of 'publsh'), then one
sdnEntry per listing with uid, firstName, lastName, sdnType, remarks, programList/program,
idList/id (idType, idNumber, idCountry), akaList/aka (type a.k.a./f.k.a./n.k.a., category
strong/weak), addressList/address, nationalityList, citizenshipList, dateOfBirthList, vesselInfo.
The namespace has changed over the years (http://tempuri.org/sdnList.xsd, then the Sanctions List
Service address), so elements are read by local name.

Entries come out as the legacy CSV parser gives them (same names, identifiers, countries, dates), so
switching OFAC format never changes a screening result. ListEntry.source is 'ofac-sdn' or 'ofac-cons'
(the list the file is); the ParsedList is 'ofac-xml' (the format it was imported from).

Parsed with defusedxml and iterparse: a DTD or entity declaration is refused (no entity expansion,
no external file or URL is fetched) and each entry is freed once read.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from screening.errors import InputError
from screening.lists.model import EntryType, Identifier, ListEntry, ListName, ParsedList, Strength
from screening.lists.ofac_csv import (
    country_code,
    find_file,
    identifier,
    make_address,
    ofac_date,
    ordered_names,
    remark_facts,
    unique,
)

SOURCE = "ofac-xml"
_FILE_NAMES = ("sdn.xml", "consolidated.xml")
_HINT = ("download sdn.xml or consolidated.xml from https://sanctionslistservice.ofac.treas.gov "
         "(the sdn_advanced.xml format is not read here)")

_TYPES = {"entity": EntryType.ENTITY, "individual": EntryType.INDIVIDUAL, "vessel": EntryType.VESSEL,
          "aircraft": EntryType.AIRCRAFT}
_ALIAS_KINDS = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka"}
_PUBLISH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

# The XML idList also carries facts the CSV writes as plain remarks; these are not identifiers.
_COUNTRY_ID_TYPES = frozenset({"Nationality of Registration", "Other Vessel Flag"})
_NOT_IDENTIFIERS = re.compile(
    r"sanctions|information|prohibited|^gender$|date|website|e-?mail|phone|fax|type|model|operator"
    r"|flag|determination|directive|caatsa|year of build",
    re.IGNORECASE,
)


def parse(path: Path) -> ParsedList:
    """Parse sdn.xml or consolidated.xml (or a folder holding one of them)."""
    path = _resolve(Path(path))
    sha256 = _sha256(path)
    entry_source = "ofac-cons" if "cons" in path.name.lower() else "ofac-sdn"
    published: str | None = None
    stated_count = ""
    entries: list[ListEntry] = []
    unknown_types: Counter[str] = Counter()
    without_uid = 0

    root: Element | None = None
    for event, element in _events(path):
        name = _local(element.tag)
        if root is None:
            if name != "sdnList":
                raise InputError(f"{path}: the XML root is <{name}>, not <sdnList>; {_HINT}")
            root = element
        elif event == "end" and name == "publshInformation":
            published = _publish_date(_text(element, "Publish_Date"))
            stated_count = _text(element, "Record_Count")
        elif event == "end" and name == "sdnEntry":
            type_text = _text(element, "sdnType")
            if type_text.lower() not in _TYPES:
                unknown_types[type_text] += 1
            if entry := _entry(element, entry_source):
                entries.append(entry)
            else:
                without_uid += 1
            root.clear()  # entries already read are dropped: memory stays flat on the 30 MB file

    if not entries:
        raise InputError(f"{path}: has no <sdnEntry> with a uid; {_HINT}")
    warnings = []
    if stated_count.isdigit() and int(stated_count) != len(entries) + without_uid:
        warnings.append(f"{path.name} says Record_Count {stated_count} but holds {len(entries) + without_uid} "
                        "entries; download it again if it was cut short")
    if without_uid:
        warnings.append(f"{without_uid} sdnEntry elements without a uid skipped")
    if unknown_types:
        warnings.append(f"unknown sdnType values read as entities: {dict(unknown_types)}")
    if published is None:
        warnings.append(f"{path.name} has no Publish_Date in MM/DD/YYYY form")
    return ParsedList(SOURCE, published, tuple(entries), ((str(path), sha256),), tuple(warnings))


def _resolve(path: Path) -> Path:
    if not path.is_dir():
        return path
    found = [p for name in _FILE_NAMES if (p := find_file(path, name))]
    if not found:
        raise InputError(f"{path}: is a folder without {' or '.join(_FILE_NAMES)}; {_HINT}")
    if len(found) > 1:
        raise InputError(f"{path}: holds both {' and '.join(_FILE_NAMES)}; pass the file to import")
    return found[0]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found; {_HINT}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}); check the path and permissions") from None
    if digest.hexdigest() == hashlib.sha256(b"").hexdigest():
        raise InputError(f"{path}: is empty; {_HINT}")
    return digest.hexdigest()


def _events(path: Path) -> Iterator[tuple[str, Element]]:
    try:
        with path.open("rb") as f:
            yield from iterparse(f, events=("start", "end"), forbid_dtd=True)
    except DefusedXmlException:
        raise InputError(
            f"{path}: the XML declares a DTD or entities, refused for safety (entity expansion, external "
            f"files); {_HINT}"
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise InputError(f"{path}: is not well-formed XML (line {line}, column {column}); {_HINT}") from None
    except (LookupError, ValueError):  # found by fuzzing: <?xml encoding="..."?> unknown, or multi-byte (expat)
        raise InputError(f"{path}: the XML declares a text encoding that cannot be read (publishers use UTF-8); {_HINT}") from None


def _entry(e: Element, source: str) -> ListEntry | None:
    uid = _text(e, "uid")
    if not uid:
        return None
    remarks = _text(e, "remarks")
    facts = remark_facts(remarks)  # weak a.k.a.s or IMO numbers may still be written there

    aliases = []
    for aka in _items(e, "akaList", "aka"):
        strength = Strength.WEAK if _text(aka, "category").lower() == "weak" else Strength.STRONG
        kind = _ALIAS_KINDS.get(_text(aka, "type").lower(), "aka")
        aliases.append(ListName(_name(aka), kind, strength))

    countries = [country_code(_text(n, "country")) for n in _items(e, "nationalityList", "nationality")]
    countries += [country_code(_text(c, "country")) for c in _items(e, "citizenshipList", "citizenship")]
    dates = [("birth", ofac_date(t)) for d in _items(e, "dateOfBirthList", "dateOfBirthItem")
             if (t := _text(d, "dateOfBirth"))]
    identifiers: list[Identifier] = []
    for item in _items(e, "idList", "id"):
        id_type, number, id_country = _text(item, "idType"), _text(item, "idNumber"), _text(item, "idCountry")
        if id_type in _COUNTRY_ID_TYPES:
            countries.append(country_code(id_country or number))
        elif id_type == "Organization Established Date":
            dates.append(("established", ofac_date(number)))
        elif not _NOT_IDENTIFIERS.search(id_type) and (found := identifier(id_type, number, id_country)):
            identifiers.append(found)

    vessel = _child(e, "vesselInfo")
    if vessel is not None:
        if flag := _text(vessel, "vesselFlag"):
            countries.append(country_code(flag))
        if call_sign := _text(vessel, "callSign"):
            identifiers.append(Identifier("other", call_sign, "Call Sign"))

    addresses = []
    for a in _items(e, "addressList", "address"):
        # 'city, state postal' as one text: the same city line as OFAC's add.csv
        city_line = ", ".join(p for p in (_text(a, "city"), _text(a, "stateOrProvince")) if p)
        city_line = " ".join(p for p in (city_line, _text(a, "postalCode")) if p)
        lines = [_text(a, f"address{i}") for i in (1, 2, 3)]
        if address := make_address(lines, city_line, _text(a, "country")):
            addresses.append(address)
    countries += [a.country for a in addresses]

    return ListEntry(
        source=source,
        id=uid,
        type=_TYPES.get(_text(e, "sdnType").lower(), EntryType.ENTITY),
        names=ordered_names(_name(e), [*aliases, *facts.names]),
        programs=unique(t for p in _items(e, "programList", "program") if (t := (p.text or "").strip())),
        countries=unique(c for c in (*countries, *facts.countries) if c),
        addresses=unique(addresses),
        identifiers=unique([*identifiers, *facts.identifiers]),
        remarks=remarks,
        dates=unique([*dates, *facts.dates]),
    )


def _name(e: Element) -> str:
    # 'LAST, First' as OFAC writes names in its CSV files, so both formats give the same names.
    last, first = _text(e, "lastName"), _text(e, "firstName")
    return f"{last}, {first}" if last and first else last or first


def _publish_date(text: str) -> str | None:
    match = _PUBLISH_DATE.fullmatch(text)
    return f"{match.group(3)}-{int(match.group(1)):02d}-{int(match.group(2)):02d}" if match else None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(e: Element, name: str) -> Element | None:
    return next((c for c in e if _local(c.tag) == name), None)


def _items(e: Element, list_name: str, item_name: str) -> Iterator[Element]:
    for lst in e:
        if _local(lst.tag) == list_name:
            yield from (c for c in lst if _local(c.tag) == item_name)


def _text(e: Element, name: str) -> str:
    child = _child(e, name)
    return " ".join(child.text.split()) if child is not None and child.text else ""

"""One entry model for every publisher's list (design.md, Sanctions lists).

Each parser turns a publisher's own files into a ParsedList of ListEntry records; the store keeps
them versioned and the matcher never needs to know which format an entry came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EntryType(StrEnum):
    INDIVIDUAL = "individual"
    ENTITY = "entity"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


class Strength(StrEnum):
    """OFAC and UN mark some aliases 'weak' / 'low quality': they weigh less in matching."""

    STRONG = "strong"
    WEAK = "weak"


SOURCES: tuple[str, ...] = ("ofac-sdn", "ofac-cons", "ofac-xml", "un", "eu", "uk", "opensanctions")
"""The `--source` values of `screening lists import` (design.md, CLI contract)."""


@dataclass(frozen=True)
class ListName:
    name: str  # as published (OFAC 'KIM, Jong Un' kept as written)
    kind: str = "primary"  # primary | aka | fka | nka | original-script | other, as the publisher says
    strength: Strength = Strength.STRONG


@dataclass(frozen=True)
class Address:
    text: str  # the whole address as one line
    city: str = ""
    country: str | None = None  # ISO alpha-2 where it can be normalised
    country_text: str = ""  # as published


@dataclass(frozen=True)
class Identifier:
    kind: str  # normalised kind: imo | mmsi | registration | tax | passport | national-id | swift | other
    value: str  # as published
    label: str = ""  # the publisher's own label ('Company Number', 'Vessel Registration Identification')
    country: str | None = None


@dataclass(frozen=True)
class ListEntry:
    source: str  # one of SOURCES (ofac-xml entries use 'ofac-sdn' when they come from the SDN file)
    id: str  # the publisher's id: OFAC ent_num, UN reference number (trimmed), EU logical id, UK group id
    type: EntryType
    names: tuple[ListName, ...]  # the primary name first
    programs: tuple[str, ...] = ()  # OFAC programs (DPRK3), UN list type / regime (DPRK), EU/UK regimes
    countries: tuple[str, ...] = ()  # ISO alpha-2: nationality, citizenship, address, vessel flag
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    remarks: str = ""
    dates: tuple[tuple[str, str], ...] = ()  # (kind, value): ('listed', '2017-08-05'), ('birth', '1962')

    @property
    def name(self) -> str:
        return self.names[0].name if self.names else ""


@dataclass(frozen=True)
class ParsedList:
    """A list as parsed from its files, before it goes into the store."""

    source: str
    published: str | None  # the publisher's date (ISO 8601) when the files say it, else None
    entries: tuple[ListEntry, ...]
    files: tuple[tuple[str, str], ...] = ()  # (path of every file read, its sha256); the store copies them
    warnings: tuple[str, ...] = field(default_factory=tuple)  # e.g. '2108 alias rows name no entry (orphans)'

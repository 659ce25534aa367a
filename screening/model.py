"""The records that flow one way: intake -> rules -> scoring -> reports.

Kept as plain frozen dataclasses so every stage can be tested on its own and reports
never reach back into the engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
import os
from enum import IntEnum
from operator import attrgetter

import pandas as pd


class Band(IntEnum):
    """Ordered risk bands (design.md, Bands contract)."""

    CLEAR = 0
    REVIEW = 1
    HIGH = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Band:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            allowed = ", ".join(b.label for b in cls)
            raise ValueError(f"unknown band {text!r}; use one of: {allowed}") from None


BAND_LABELS: tuple[str, ...] = tuple(b.label for b in Band)


# ---------------------------------------------------------------- intake


@dataclass(frozen=True)
class InputFile:
    """One input file as read: its path as given, content hash and the sheets screened."""

    path: str
    sha256: str
    sheets: tuple[str, ...]

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


@dataclass(frozen=True)
class Table:
    """One sheet's header as found: original header texts and the canonical field of each column.

    `fields[i]` is the canonical field of column i, or None when the column is kept but unmapped.
    """

    input: str  # file name (basename), as shown in reports
    sheet: str
    header_row: int  # 1-based row number of the header, as the user sees it
    headers: tuple[str, ...]
    fields: tuple[str | None, ...]

    def mapping(self) -> dict[str, str]:
        """Header text -> canonical field, for mapped columns only."""
        return {h: f for h, f in zip(self.headers, self.fields) if f}


@dataclass(frozen=True)
class RowError:
    """A row-level problem (design.md, JSON report `errors`)."""

    input: str
    sheet: str | None
    row: int | None
    reason_code: str
    message: str


@dataclass
class Intake:
    """Everything read from the inputs.

    `records` has one row per data row, in input order, with columns:
      - `input`, `sheet`, `row` (1-based as the user sees it), `table` (index into `tables`);
      - one str column per canonical field (screening.fields.FIELDS), "" where absent;
      - `cells`: a tuple of the row's original cell texts, aligned with `tables[table].headers`.
    """

    records: pd.DataFrame
    files: list[InputFile]
    tables: list[Table]
    errors: list[RowError] = field(default_factory=list)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Evidence:
    """Why a rule fired on a row: which field, its cell value, what it matched, how similar (0-100)."""

    field: str | None
    value: str | None
    matched: str | None
    similarity: float | None = None
    # For a sanctions-list hit: which list and which entry (the publisher's id), so a review decision
    # can be tied to that entry in that list version (screening.review.keys).
    list_source: str | None = None
    list_entry: str | None = None


@dataclass(frozen=True)
class LinkEvidence(Evidence):
    """Evidence of a cross-row rule: the normalised value shared and the rows (0-based, in screening order)
    that share it, so the run can list each shared value once (ScreeningResult.links)."""

    key: str = ""  # the normalised value the rows share ('GB29NWBK60161331926819', '+14155550132')
    link_field: str = ""  # the field compared across rows (`field` may be joined with others by `all`)
    linked: tuple[int, ...] = ()  # every row of the group, this one included


@dataclass(frozen=True)
class LinkedRow:
    """A row of a link, as the user finds it: input file, sheet, row number, and the name written there."""

    input: str
    sheet: str
    row: int
    name: str


@dataclass(frozen=True)
class Link:
    """One shared value and every row sharing it, found by cross-row rules (rules/README.md, `shared`)."""

    rules: tuple[str, ...]  # every rule that linked these rows on this value (2 names / 3 names...)
    field: str
    value: str  # normalised
    rows: tuple[LinkedRow, ...]


@dataclass(frozen=True)
class Source:
    """A public document a rule pack cites."""

    id: str
    title: str
    issuer: str
    date: str
    url: str | None = None


@dataclass(frozen=True)
class RuleInfo:
    """What a report needs to know about a rule, independent of how it is evaluated."""

    id: str
    title: str
    pack: str
    category: str
    weight: int
    band: str | None  # fixed band floor ("critical" for a DPRK location), or None
    confidence: str  # confirmed | reported | unverified
    sources: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Hit:
    rule: str
    title: str
    weight: int
    sources: tuple[str, ...]
    evidence: Evidence
    confidence: str = "confirmed"


@dataclass(frozen=True)
class Suppression:
    """A hit left out of the score because an earlier, confirmed false-positive decision covers it."""

    hit: Hit
    decision_id: int  # the proposal's id in the decision log
    proposed_by: str
    confirmed_by: str
    confirmed_at: str  # ISO 8601 UTC
    reason: str


@dataclass(frozen=True, slots=True)  # slots: a million rows, no __dict__ each
class RowResult:
    input: str
    sheet: str
    row: int
    table: int  # index into ScreeningResult.tables, to line `cells` up with headers
    fields: Mapping[str, str]  # canonical fields mapped for this row's sheet (value "" when empty); RowFields in a run
    cells: tuple[str, ...]
    score: int
    band: Band
    hits: tuple[Hit, ...]
    # Hits a confirmed false-positive decision covers (screening.review.suppress): shown, not scored.
    suppressed: tuple[Suppression, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.band is not Band.CLEAR


@dataclass(frozen=True)
class PackInfo:
    id: str
    version: str
    sha256: str
    path: str
    title: str = ""
    thresholds: tuple[tuple[str, int], ...] = ()  # (band label, minimum score) pairs


@dataclass(frozen=True)
class ListInfo:
    source: str
    published: str | None
    sha256: str
    entries: int


@dataclass(frozen=True)
class Manifest:
    tool_version: str
    created_at: str  # ISO 8601 UTC; the only field that differs between identical runs
    inputs: tuple[InputFile, ...]
    rule_packs: tuple[PackInfo, ...]
    lists: tuple[ListInfo, ...] = ()
    options: tuple[tuple[str, str], ...] = ()  # e.g. ("sheet", "Suppliers"), ("map", "Firma=name")


@dataclass
class ScreeningResult:
    manifest: Manifest
    rows: list[RowResult]
    tables: list[Table]
    rules: list[RuleInfo]
    sources: list[Source]
    errors: list[RowError] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)  # cross-row groups; empty unless such a rule fired

    def counts(self) -> dict[str, int]:
        """Rows per band, every band present, in band order."""
        per_band = Counter(map(attrgetter("band"), self.rows))  # in C: a million rows
        return {band.label: per_band[band] for band in Band}

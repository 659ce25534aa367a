"""What makes a decision apply again: the same supplier and the same hit.

- Supplier key: the name folded and simplified (case, accents, full-width forms, punctuation and
  spacing ignored: 'ACME Co., Ltd.' == 'acme co ltd', 'S.A.' == 'SA') and the country as ISO alpha-2 ('' when
  unknown). Deliberately the stable text folding, not the fuzzy matcher's normaliser: a decision
  must not silently stop (or start) applying because the matcher was tuned.
- Hit key, for a sanctions-list hit: the rule, the list source, the publisher's entry id and the
  list version (the sha256 the manifest records). A new entry or a new list version is a new hit.
- Hit key, for any other hit: the rule and its evidence line (field, cell value, what it matched,
  similarity), so changed evidence is a new hit.

Keys are JSON arrays, so no value can forge a separator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from screening.countries import to_iso2
from screening.lists.model import SOURCES
from screening.model import Hit, Manifest, RowResult
from screening.reports.cells import excel_text
from screening.reports.columns import evidence_line
from screening.text import simplify

# describe_entry() in screening/engine/lists.py writes '<source> <id> [programs]: name'.
_LIST_EVIDENCE = re.compile(
    r" -> (?P<source>" + "|".join(re.escape(s) for s in SOURCES) + r") (?P<entry>[^\s\[:]+)(?: \[[^\]]*\])?: "
)


def supplier_key(fields: Mapping[str, str]) -> str:
    # Dots dropped first, so initials and abbreviations join: 'S.A.' == 'SA', 'W.L.L.' == 'WLL'.
    name = simplify(str(fields.get("name", "") or "").replace(".", ""))
    country_text = str(fields.get("country", "") or "").strip()
    country = (to_iso2(country_text) or "") if country_text else ""
    return json.dumps([name, country], ensure_ascii=False)


def row_supplier_key(row: RowResult) -> str:
    return supplier_key(row.fields)


def list_versions(manifest: Manifest) -> dict[str, str]:
    """List source -> sha256 of the version the run used."""
    return {info.source: info.sha256 for info in manifest.lists}


def hit_key(hit: Hit, versions: Mapping[str, str]) -> str:
    ev = hit.evidence
    if ev.list_source and ev.list_entry:
        return list_hit_key(hit.rule, ev.list_source, ev.list_entry, versions.get(ev.list_source, ""))
    return evidence_hit_key(hit.rule, evidence_line(ev))


def list_hit_key(rule: str, source: str, entry: str, version: str) -> str:
    return json.dumps(["list", rule, source, entry, version], ensure_ascii=False)


def evidence_hit_key(rule: str, line: str) -> str:
    # excel_text: the same text an xlsx report holds, so a key read back from a report matches.
    return json.dumps(["evidence", rule, excel_text(line)], ensure_ascii=False)


def hit_key_from_report(rule: str, line: str, versions: Mapping[str, str]) -> str:
    """The hit key of a report's (rule, evidence line) pair, for `screening review import`."""
    found = _LIST_EVIDENCE.search(line)
    if found and found.group("source") in versions:
        return list_hit_key(rule, found.group("source"), found.group("entry"), versions[found.group("source")])
    return evidence_hit_key(rule, line)

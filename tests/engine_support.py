"""Build intake-shaped records from plain dicts, to test rules without spreadsheets."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from screening.engine import compile_packs, evaluate
from screening.engine.lists import ListCatalog
from screening.lists.model import EntryType, Identifier, ListEntry, ListName, Strength
from screening.fields import FIELDS
from screening.model import Band, Hit
from screening.rulepacks import RulePack, load_pack
from screening.scoring import pack_score


def records(rows: Sequence[Mapping[str, str]]) -> pd.DataFrame:
    unknown = {k for row in rows for k in row} - set(FIELDS)
    assert not unknown, f"not canonical fields: {unknown}"
    data: dict[str, list[object]] = {
        "input": ["test.xlsx"] * len(rows),
        "sheet": ["Sheet1"] * len(rows),
        "row": list(range(2, len(rows) + 2)),
        "table": [0] * len(rows),
    }
    for field in FIELDS:
        data[field] = [str(row.get(field, "")) for row in rows]
    data["cells"] = [tuple(str(v) for v in row.values()) for row in rows]
    return pd.DataFrame(data, dtype=object)


def write_pack(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def list_entries(raw: Sequence[Mapping]) -> tuple[ListEntry, ...]:
    """ListEntry records from plain mappings (tests/rule_cases/*.yaml `lists:`)."""
    return tuple(
        ListEntry(
            source=e["source"],
            id=str(e["id"]),
            type=EntryType(e.get("type", "entity")),
            names=tuple(
                ListName(n["name"], n.get("kind", "primary"), Strength(n.get("strength", "strong"))) for n in e["names"]
            ),
            programs=tuple(e.get("programs") or ()),
            countries=tuple(e.get("countries") or ()),
            identifiers=tuple(Identifier(i["kind"], str(i["value"]), i.get("label", "")) for i in e.get("identifiers") or ()),
        )
        for e in raw
    )


_compiled: dict[tuple[int, int], tuple[RulePack, object, list]] = {}


def run_pack(
    pack: RulePack, rows: Sequence[Mapping[str, str]], lists: Sequence[ListEntry] = ()
) -> list[tuple[int, Band, list[Hit]]]:
    """(score, band, hits) per row for one pack (compiled once per pack and list set)."""
    key = (id(pack), id(lists))
    if key not in _compiled:  # keep pack and lists alive so their ids stay unique
        _compiled[key] = (pack, lists, compile_packs([pack], ListCatalog(lists)))
    compiled = _compiled[key][2]
    result = []
    for row_hits in evaluate(compiled, records(rows)):
        score, band = pack_score(((h.weight, c.rule.band) for c, h in row_hits), pack.spec.pack.thresholds)
        result.append((score, band, [h for _, h in row_hits]))
    return result


def load(path: Path) -> RulePack:
    return load_pack(path)

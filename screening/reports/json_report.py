"""The JSON report: exactly the contract of design.md, rendered byte-for-byte deterministically."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any, BinaryIO

from screening.model import (
    BAND_LABELS,
    Evidence,
    Hit,
    Link,
    RowError,
    RowResult,
    ScreeningResult,
    Suppression,
)
from screening.rowfields import RowFields
from screening.text import cell_text

from .shares import write_shares

# json's own string encoder (C), as json.dumps(ensure_ascii=False) uses it.
_string = json.encoder.encode_basestring


def report_json(result: ScreeningResult) -> dict[str, Any]:
    """The report as plain Python data; keys and nesting follow the JSON report contract."""
    m = result.manifest
    report = {
        "manifest": {
            "tool_version": m.tool_version,
            "created_at": m.created_at,
            "inputs": [{"path": f.path, "sha256": f.sha256, "sheets": list(f.sheets)} for f in m.inputs],
            "rule_packs": [{"id": p.id, "version": p.version, "sha256": p.sha256} for p in m.rule_packs],
            "lists": [
                {"source": s.source, "published": s.published, "sha256": s.sha256, "entries": int(s.entries)}
                for s in m.lists
            ],
            "bands": list(BAND_LABELS),
        },
        "rows": [_row(r) for r in result.rows],
        "errors": [_error(e) for e in result.errors],
    }
    if result.links:  # additive: only roster runs where a cross-row rule fired carry it
        report["links"] = [_link(link) for link in result.links]
    return report


def render_json(result: ScreeningResult) -> bytes:
    """UTF-8 bytes; the same result always gives the same bytes."""
    out = io.BytesIO()
    write_json(result, out)
    return out.getvalue()


def write_json(result: ScreeningResult, fh: BinaryIO) -> None:
    """The report streamed: the manifest indented, then one compact line per row, error and link.

    json.dumps with `indent` runs the pure-Python encoder (minutes on a million rows, and the whole
    document in memory); without it the C encoder does each row, and rows are written as they are made.
    """
    manifest = report_json(_without_rows(result))["manifest"]
    fh.write(b'{\n  "manifest": ')
    fh.write(json.dumps(manifest, ensure_ascii=False, indent=2, allow_nan=False).replace("\n", "\n  ").encode("utf-8"))
    fh.write(b',\n  "rows": ')
    rows = result.rows

    def write_rows(out: BinaryIO, start: int, stop: int) -> None:
        _write_lines(out, _row_lines(rows[start:stop]), first=start == 0)

    write_shares(fh, len(rows), write_rows)  # a million rows: rendered on every core
    fh.write(b"\n  ]" if rows else b"[]")
    arrays: dict[str, Iterable[str]] = {"errors": (_dumps(_error(e)) for e in result.errors)}
    if result.links:  # additive: only roster runs where a cross-row rule fired carry it
        arrays["links"] = (_dumps(_link(link)) for link in result.links)
    for key, items in arrays.items():
        fh.write(f',\n  "{key}": '.encode())
        fh.write(b"\n  ]" if _write_lines(fh, items, first=True) else b"[]")
    fh.write(b"\n}\n")


def _write_lines(fh: BinaryIO, items: Iterable[str], first: bool) -> bool:
    """Items of a JSON array, each on a line of its own after the separator it needs (the opening bracket
    before the array's `first` item, a comma before the others), written in batches; True if any."""
    batch: list[str] = []
    wrote = False
    for item in items:
        batch.append(("[\n    " if first else ",\n    ") + item)
        first = False
        wrote = True
        if len(batch) >= 10_000:
            fh.write("".join(batch).encode("utf-8"))
            batch.clear()
    fh.write("".join(batch).encode("utf-8"))
    return wrote


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _row_lines(rows: Iterable[RowResult]) -> Iterator[str]:
    """_dumps(_row(row)) for every row, byte for byte, without a dict per row.

    A million rows through json.dumps cost about 10 s; here a row is its texts joined around the same
    separators json.dumps writes (", " and ": "), each string escaped by the same C function, and each
    distinct Hit (rules share them across rows with the same cell value) encoded once.
    """
    encoded_hits: dict[int, tuple[Hit, str]] = {}  # id -> (the hit, kept alive so its id stays its own, JSON)
    keys: dict[str, str] = {}
    prefixes: dict[tuple[str, str], str] = {}
    layouts: dict[int, tuple[Mapping[str, int], list[tuple[str, int]]]] = {}  # a sheet's fields: (key JSON, cell)
    for row in rows:
        if row.suppressed:  # rare (decisions applied): the dict way
            yield _dumps(_row(row))
            continue
        prefix = prefixes.get((row.input, row.sheet))
        if prefix is None:
            prefix = prefixes[(row.input, row.sheet)] = (
                f'{{"input": {_dumps(row.input)}, "sheet": {_dumps(row.sheet)}, "row": ')
        if type(row.fields) is RowFields:  # cells read through the sheet's field -> column map
            columns = row.fields.columns
            layout = layouts.get(id(columns))
            if layout is None:
                layout = layouts[id(columns)] = (columns, [(_dumps(k) + ": ", i) for k, i in columns.items()])
            cells = row.fields.cells
            fields = [name + (_string(text) if type(text := cells[i]) is str and text else _field_json(text))
                      for name, i in layout[1]]
        else:
            fields = []
            for key, value in row.fields.items():
                name = keys.get(key)
                if name is None:
                    name = keys[key] = _dumps(key) + ": "
                fields.append(name + _field_json(value))
        hits = []
        for hit in row.hits:
            known = encoded_hits.get(id(hit))
            if known is None:
                known = encoded_hits[id(hit)] = (hit, _dumps(_hit(hit)))
            hits.append(known[1])
        yield (f'{prefix}{int(row.row)}, "fields": {{{", ".join(fields)}}}, "score": {int(row.score)}, '
               f'"band": "{row.band.label}", "hits": [{", ".join(hits)}]}}')


def _without_rows(result: ScreeningResult) -> ScreeningResult:
    return replace(result, rows=[], errors=[], links=[])


def _row(row: RowResult) -> dict[str, Any]:
    data = _row_contract(row)
    if row.suppressed:  # additive: only rows with hits a confirmed false positive set aside
        data["suppressed"] = [_suppressed(s) for s in row.suppressed]
    return data


def _suppressed(s: Suppression) -> dict[str, Any]:
    return {**_hit(s.hit), "decision": {
        "id": s.decision_id, "decision": "false positive", "proposed_by": s.proposed_by,
        "confirmed_by": s.confirmed_by, "confirmed_at": s.confirmed_at, "reason": s.reason}}


def _row_contract(row: RowResult) -> dict[str, Any]:
    return {
        "input": row.input,
        "sheet": row.sheet,
        "row": int(row.row),  # int() also turns a numpy integer from pandas into plain JSON
        "fields": {k: _field(v) for k, v in row.fields.items()},
        "score": int(row.score),
        "band": row.band.label,
        "hits": [_hit(h) for h in row.hits],
    }


def _field_json(value: object) -> str:
    text = value if type(value) is str else _field(value)
    return _string(text) if text else "null"


def _field(value: object) -> str | None:
    # "" means empty; a stray NaN or number from pandas becomes the text the user saw.
    text = value if isinstance(value, str) else cell_text(value)
    return text or None


def _hit(hit: Hit) -> dict[str, Any]:
    return {
        "rule": hit.rule,
        "title": hit.title,
        "weight": int(hit.weight),
        "sources": list(hit.sources),
        "evidence": _evidence(hit.evidence),
    }


def _evidence(ev: Evidence) -> dict[str, Any]:
    sim = ev.similarity
    # NaN/inf are not JSON; an unknown similarity is null.
    similarity = float(sim) if sim is not None and math.isfinite(sim) else None
    return {"field": ev.field, "value": ev.value, "matched": ev.matched, "similarity": similarity}


def _link(link: Link) -> dict[str, Any]:
    return {
        "rules": list(link.rules),
        "field": link.field,
        "value": link.value,
        "rows": [{"input": r.input, "sheet": r.sheet, "row": int(r.row), "name": r.name} for r in link.rows],
    }


def _error(err: RowError) -> dict[str, Any]:
    return {
        "input": err.input,
        "sheet": err.sheet,
        "row": int(err.row) if err.row is not None else None,
        "reason_code": str(err.reason_code),
        "message": err.message,
    }

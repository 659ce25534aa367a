"""The JSON report follows the design.md contract exactly and is byte-for-byte deterministic."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from screening.model import Band, Evidence, Hit
from screening.reports import report_json, write_report
from tests.report_factory import (
    CREATED_AT,
    HYPERLINK,
    make_result,
    make_rows,
    with_rows,
)

TOP_KEYS = {"manifest", "rows", "errors"}
MANIFEST_KEYS = {"tool_version", "created_at", "inputs", "rule_packs", "lists", "bands"}
ROW_KEYS = {"input", "sheet", "row", "fields", "score", "band", "hits"}
HIT_KEYS = {"rule", "title", "weight", "sources", "evidence"}
EVIDENCE_KEYS = {"field", "value", "matched", "similarity"}


def test_keys_exactly_per_contract() -> None:
    data = report_json(make_result())
    assert set(data) == TOP_KEYS
    m = data["manifest"]
    assert set(m) == MANIFEST_KEYS
    assert all(set(i) == {"path", "sha256", "sheets"} for i in m["inputs"])
    assert all(set(p) == {"id", "version", "sha256"} for p in m["rule_packs"])
    assert all(set(s) == {"source", "published", "sha256", "entries"} for s in m["lists"])
    assert m["bands"] == ["clear", "review", "high", "critical"]
    assert data["rows"] and data["errors"]
    for row in data["rows"]:
        assert set(row) == ROW_KEYS
        for hit in row["hits"]:
            assert set(hit) == HIT_KEYS
            assert set(hit["evidence"]) == EVIDENCE_KEYS
    assert all(set(e) == {"input", "sheet", "row", "reason_code", "message"} for e in data["errors"])


def test_values_follow_the_result() -> None:
    result = make_result()
    data = report_json(result)
    m = data["manifest"]
    assert m["created_at"] == CREATED_AT and m["tool_version"] == "0.1.0"
    assert m["inputs"][0] == {"path": "/data/in/suppliers_2025.xlsx", "sha256": "a" * 64, "sheets": ["Suppliers"]}
    assert m["rule_packs"][0] == {"id": "dprk-labour", "version": "2025.1", "sha256": "c" * 64}
    assert m["lists"] == [{"source": "ofac-sdn", "published": "2025-06-01", "sha256": "e" * 64, "entries": 17512}]
    assert [(r["input"], r["row"]) for r in data["rows"]] == [(r.input, r.row) for r in result.rows]
    assert [r["band"] for r in data["rows"]] == ["clear", "high", "review", "review", "review", "critical", "review"]
    critical = data["rows"][5]
    assert critical["score"] == 100 and critical["sheet"] == "vendors_cn"
    assert critical["hits"][0] == {
        "rule": "list.name",
        "title": "Name matches a sanctions-list entry",
        "weight": 100,
        "sources": ["SDN"],
        "evidence": {"field": "name", "value": "Korea Sobaeksoo Trading Co",
                     "matched": "KOREA SOBAEKSU TRADING COMPANY", "similarity": 93.456},
    }
    assert data["rows"][1]["hits"][0]["evidence"]["similarity"] is None
    assert data["errors"] == [{"input": "vendors_cn.csv", "sheet": "vendors_cn", "row": 5,
                               "reason_code": "missing_name",
                               "message": "vendors_cn.csv, row 5: no supplier name; fill it in"}]


def test_empty_fields_become_null_and_text_is_kept_verbatim() -> None:
    data = report_json(make_result())
    assert data["rows"][0]["fields"] == {"name": "Acme Textiles GmbH", "country": "Germany", "sector": "Apparel"}
    rows = make_rows()
    rows[0] = replace(rows[0], fields={"name": "Acme", "country": "", "sector": ""})
    fields = report_json(with_rows(make_result(), rows))["rows"][0]["fields"]
    assert fields == {"name": "Acme", "country": None, "sector": None}
    # JSON is not a spreadsheet: no apostrophe, the payload stays exactly as supplied.
    assert report_json(make_result())["rows"][2]["fields"]["name"] == HYPERLINK


def test_file_bytes_are_deterministic_utf8(tmp_path: Path) -> None:
    a = write_report(make_result(), tmp_path / "a.json").read_bytes()
    b = write_report(make_result(), tmp_path / "b.json").read_bytes()
    assert a == b
    assert a.endswith(b"}\n") and not a.startswith(b"\xef\xbb\xbf")
    text = a.decode("utf-8")
    assert "大连海洋食品有限公司" in text and "Приморская" in text  # ensure_ascii=False
    assert json.loads(text) == report_json(make_result())
    # The manifest indented as before; then one compact line per row (the C encoder writes big reports fast).
    lines = text.splitlines()
    manifest = json.dumps(report_json(make_result())["manifest"], ensure_ascii=False, indent=2)
    assert text.startswith('{\n  "manifest": ' + manifest.replace("\n", "\n  ") + ',\n  "rows": [\n')
    start = lines.index('  "rows": [') + 1
    rows = [json.loads(line.strip().rstrip(",")) for line in lines[start : lines.index("  ],", start)]]
    assert rows == report_json(make_result())["rows"]


def test_pandas_numbers_and_nan_still_give_valid_json(tmp_path: Path) -> None:
    rows = make_rows()
    hit = Hit("list.name", "Name match", np.int64(100), ("SDN",),  # type: ignore[arg-type]
              Evidence("name", "X", "Y", float("nan")))
    rows[0] = replace(rows[0], row=np.int64(4), score=np.int64(100), band=Band.CRITICAL, hits=(hit,),  # type: ignore[arg-type]
                      fields={"name": "Acme", "country": float("nan"), "sector": 12.0})  # type: ignore[dict-item]
    out = write_report(with_rows(make_result(), rows), tmp_path / "r.json")
    row = json.loads(out.read_text("utf-8"))["rows"][0]  # would raise on NaN or int64
    assert row["row"] == 4 and row["score"] == 100 and row["hits"][0]["weight"] == 100
    assert row["hits"][0]["evidence"]["similarity"] is None
    assert row["fields"] == {"name": "Acme", "country": None, "sector": "12"}


def test_no_errors_gives_an_empty_list() -> None:
    assert report_json(make_result(errors=False))["errors"] == []

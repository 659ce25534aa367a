"""The million-row path keeps its outputs: row fields as views, shared texts, the streamed JSON rows,
joined evidence shared per combination, watchlists matched in chunks."""

from __future__ import annotations

import gc
import json
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from screening.engine import conditions
from screening.intake import read_inputs
from screening.intake.tables import SharedTexts
from screening.memory import gc_paused, release_freed_heap
from screening.model import Band, Evidence, Hit
from screening.reports.json_report import _dumps, _row, _row_lines
from screening.rowfields import RowFields
from screening.screen import screen
from tests.engine_support import records
from tests.intake_support.builders import write_csv, write_xlsx
from tests.report_factory import make_rows

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- RowFields


def test_row_fields_read_the_cells_in_field_order() -> None:
    fields = RowFields({"name": 2, "country": 0}, ("CN", "x", "Acme"))
    assert list(fields) == ["name", "country"]
    assert dict(fields) == {"name": "Acme", "country": "CN"}
    assert fields == {"country": "CN", "name": "Acme"} and {"name": "Acme", "country": "CN"} == fields
    assert fields["name"] == "Acme" and fields.get("city", "") == "" and fields.get("city") is None
    assert "country" in fields and "city" not in fields and len(fields) == 2
    assert {**fields, "name": "B"} == {"name": "B", "country": "CN"}
    with pytest.raises(KeyError):
        fields["city"]


def test_row_fields_pickle_and_print_as_a_dict() -> None:
    fields = RowFields({"name": 0}, ("Acme",))
    assert pickle.loads(pickle.dumps(fields)) == {"name": "Acme"}
    assert repr(fields) == "{'name': 'Acme'}"


def test_screened_rows_carry_each_sheets_fields_in_field_order(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Country", "Notes", "Supplier Name"], ["Russia", "n", "Acme"]])
    row = screen([path]).rows[0]
    assert list(row.fields.items()) == [("name", "Acme"), ("country", "Russia"), ("notes", "n")]
    assert row.cells == ("Russia", "n", "Acme")


# ---------------------------------------------------------------- intake


def test_shared_texts_give_one_object_per_text_and_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    shared = SharedTexts()
    first = shared.row(["Acme", "".join(["Rus", "sia"])])
    second = shared.row(["Other", "".join(["Russ", "ia"])])
    assert second == ["Other", "Russia"] and second[1] is first[1]
    monkeypatch.setattr(SharedTexts, "_LIMIT", 3)
    for i in range(10):
        assert shared.row([f"name {i}", "x"]) == [f"name {i}", "x"]
    assert len(shared._known) <= 4 + 2


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_repeated_cells_are_one_string_object(tmp_path: Path, suffix: str) -> None:
    rows = [["Supplier Name", "Country"]] + [[f"Firm {i}", "Russia"] for i in range(50)]
    path = write_csv(tmp_path / "s.csv", rows) if suffix == "csv" else write_xlsx(tmp_path / "s.xlsx", {"S": rows})
    intake = read_inputs([path])
    countries = intake.records["country"].tolist()
    assert countries == ["Russia"] * 50 and len({id(c) for c in countries}) == 1
    assert all(cells[1] is countries[0] for cells in intake.records["cells"].tolist())
    assert len({id(v) for v in intake.records["input"].tolist()}) == 1


def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()
    release_freed_heap()  # harmless anywhere; nothing to assert but that it returns


# ---------------------------------------------------------------- JSON rows


def test_json_rows_are_byte_for_byte_what_json_dumps_writes() -> None:
    rows = make_rows()
    odd = Hit("r", 'quote " back \\ nl \n tab \t \u2028 \x01', 1, ("S",),
              Evidence("f", "\ud7ff 中 😀", None, float("nan")))
    rows.append(replace(rows[1], row=99, fields={"name": 'a "b"\n', "country": "", "sector": 12.0},
                        hits=(odd, odd, rows[1].hits[0])))
    rows.append(replace(rows[0], fields={}, hits=()))
    rows.append(replace(rows[0], fields=RowFields({"name": 0, "country": 1}, ("Acme", "")), band=Band.CRITICAL))
    assert list(_row_lines(rows)) == [_dumps(_row(r)) for r in rows]
    for line in _row_lines(rows):
        json.loads(line)


# ---------------------------------------------------------------- rules


ALL_PACK = """
pack: {id: p, version: "1", title: T, thresholds: {review: 20, high: 50}}
sources: [{id: S, title: T, issuer: I, date: "2024-01-01"}]
rules:
  - id: COMBO
    title: combo
    category: sector-country
    weight: 30
    confidence: confirmed
    sources: [S]
    when:
      all:
        - country: {in: [RU]}
        - text: {terms: [construction], fields: [sector]}
"""


def test_all_conditions_share_evidence_per_combination_with_the_same_text(tmp_path: Path) -> None:
    from screening.engine import compile_packs, evaluate
    from screening.rulepacks import load_pack

    pack = load_pack(_write(tmp_path / "p.yaml", ALL_PACK))
    rows = [{"name": f"F{i}", "country": "Russia" if i % 3 else "China", "sector": "Construction" if i % 2 else "IT"}
            for i in range(12)]
    hits = evaluate(compile_packs([pack]), records(rows))
    fired = [i for i, row_hits in enumerate(hits) if row_hits]
    assert fired == [i for i in range(12) if i % 3 and i % 2]
    evidence = [hits[i][0][1].evidence for i in fired]
    assert evidence[0] == Evidence("country + sector", "Russia | Construction", "RU (Russia) | term 'construction'")
    assert len({id(e) for e in evidence}) == 1 and len({id(hits[i][0][1]) for i in fired}) == 1


def test_all_conditions_stop_when_a_part_fires_nowhere(tmp_path: Path) -> None:
    from screening.engine import compile_packs, evaluate
    from screening.rulepacks import load_pack

    pack = load_pack(_write(tmp_path / "p.yaml", ALL_PACK))
    hits = evaluate(compile_packs([pack]), records([{"name": "F", "country": "China", "sector": "Construction"}]))
    assert hits == [[]]


def test_watchlists_matched_in_chunks_find_what_one_pass_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["Mansudae Overseas Project Group of Companies", "Acme Ltd", "Korea Namgang Trading Corp",
             "Glocom", "Mansudae Art Studio", "Ordinary Seafood Co"] * 3 + [f"Firm {i}" for i in range(20)]
    path = write_csv(tmp_path / "s.csv", [["Supplier Name", "Country"]] + [[n, "China"] for n in names])
    rules = [ROOT / "rules" / "dprk-overseas-labour.yaml"]
    whole = screen([path], rules)
    monkeypatch.setattr(conditions, "_WATCHLIST_CHUNK", 4)
    chunked = screen([path], rules)
    assert [(r.score, r.band, r.hits) for r in chunked.rows] == [(r.score, r.band, r.hits) for r in whole.rows]
    assert any(h.rule.startswith("DPRK-WL") for r in whole.rows for h in r.hits)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_hit_texts_are_the_joined_rule_ids_reasons_and_evidence_of_each_row() -> None:
    from screening.reports.columns import HitTexts, columns_for, evidence_text, rule_ids
    from tests.report_factory import make_result

    result = make_result()
    cols = columns_for(result)
    texts = HitTexts(cols, "; ")
    for row in result.rows + result.rows:  # the second pass is served from what the first worked out
        assert texts(row.hits) == (rule_ids(row), cols.reasons(row), evidence_text(row))
    assert HitTexts(cols, "\n")(result.rows[1].hits)[0] == "\n".join(h.rule for h in result.rows[1].hits)


@pytest.mark.parametrize("fixture", ["suppliers-sample.xlsx", "suppliers-messy.xlsx", "roster-sample.xlsx",
                                     "vendors-cp1252.csv"])
def test_focused_all_conditions_give_what_evaluating_every_row_gives(fixture: str, monkeypatch: pytest.MonkeyPatch) -> None:
    focused = screen([ROOT / "fixtures" / fixture])
    monkeypatch.setattr(conditions.Frame, "wanted", lambda self, codes, distinct: None)  # probes on every value
    everywhere = screen([ROOT / "fixtures" / fixture])
    assert [(r.score, r.band, r.hits) for r in focused.rows] == [(r.score, r.band, r.hits) for r in everywhere.rows]
    assert any(r.hits for r in focused.rows)


def test_focus_is_restored_after_an_all_condition(tmp_path: Path) -> None:
    from screening.engine import compile_packs
    from screening.rulepacks import load_pack

    pack = load_pack(_write(tmp_path / "p.yaml", ALL_PACK))
    frame = conditions.Frame(records([{"name": "F", "country": "Russia", "sector": "Construction"},
                                      {"name": "G", "country": "China", "sector": "IT"}]))
    outcome = compile_packs([pack])[0].evaluate(frame)
    assert outcome.fired.tolist() == [True, False] and frame.focus is None

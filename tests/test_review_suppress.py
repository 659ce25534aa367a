"""Decisions re-applied: a confirmed false positive for the same supplier and the same hit is set aside
and no longer scored; a new list entry, a new list version or changed evidence raises the alert again."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from screening.model import Band, Evidence, ListInfo, ScreeningResult
from screening.reports import write_report
from screening.review import decisions as review
from screening.review.db import open_db
from screening.review.keys import hit_key, list_versions, row_supplier_key, supplier_key
from screening.review.suppress import _Rescorer, apply_decisions
from screening.review.users import add_user, get_user
from screening.screen import screen

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "suppliers-sample.xlsx"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def sample() -> ScreeningResult:
    return screen([SAMPLE])


@pytest.fixture()
def engine(tmp_path: Path):
    engine = open_db(str(tmp_path / "review.db"))
    add_user(engine, "ana", "analyst", PASSWORD)
    add_user(engine, "rita", "reviewer", PASSWORD)
    return engine


def row_named(result: ScreeningResult, name: str):
    return next(r for r in result.rows if r.fields.get("name") == name)


def decide(engine, result: ScreeningResult, row, hit, decision: str = "false positive", confirm: bool = True) -> int:
    context = review.HitContext(row_supplier_key(row), hit_key(hit, list_versions(result.manifest)),
                                supplier=row.fields["name"], rule=hit.rule)
    event = review.propose(engine, get_user(engine, "ana"), decision, "checked: a different company", context)
    if confirm:
        review.confirm(engine, get_user(engine, "rita"), event.id)
    return event.id


def test_rescoring_matches_the_engine(sample: ScreeningResult) -> None:
    scorer = _Rescorer(sample)
    for row in sample.rows:
        assert scorer.score(list(row.hits)) == (row.score, row.band), row.fields["name"]


def test_no_decisions_changes_nothing(sample: ScreeningResult, engine) -> None:
    assert apply_decisions(sample, engine).rows == sample.rows


def test_confirmed_false_positive_is_set_aside_and_row_rescored(sample: ScreeningResult, engine) -> None:
    row = row_named(sample, "Baltic Hull Works Sp. z o.o.")
    assert (row.score, row.band) == (33, Band.REVIEW)
    combo = next(h for h in row.hits if h.rule == "DPRK-COMBO-021")
    proposal = decide(engine, sample, row, combo)
    after = row_named(apply_decisions(sample, engine), "Baltic Hull Works Sp. z o.o.")
    assert [h.rule for h in after.hits] == ["DPRK-HOST-004", "DPRK-SEC-001"]
    assert (after.score, after.band) == (18, Band.CLEAR)
    (s,) = after.suppressed
    assert (s.hit, s.decision_id, s.proposed_by, s.confirmed_by) == (combo, proposal, "ana", "rita")
    assert s.reason == "checked: a different company" and s.confirmed_at.endswith("Z")
    assert row_named(sample, "Baltic Hull Works Sp. z o.o.").suppressed == ()  # the input result is untouched


@pytest.mark.parametrize("decision,confirm", [("false positive", False), ("true match", True), ("escalate", True)])
def test_only_a_confirmed_false_positive_suppresses(sample: ScreeningResult, engine, decision: str, confirm: bool) -> None:
    row = row_named(sample, "Kaohsiung Pacific Crew Manning Agency")
    decide(engine, sample, row, row.hits[0], decision, confirm)
    assert row_named(apply_decisions(sample, engine), row.fields["name"]) == row


def test_rejected_false_positive_does_not_suppress(sample: ScreeningResult, engine) -> None:
    row = row_named(sample, "Kaohsiung Pacific Crew Manning Agency")
    proposal = decide(engine, sample, row, row.hits[0], confirm=False)
    review.reject(engine, get_user(engine, "rita"), proposal, "the agency recruits from Pyongyang")
    assert row_named(apply_decisions(sample, engine), row.fields["name"]).suppressed == ()


def test_same_supplier_despite_spelling_other_supplier_not(sample: ScreeningResult, engine) -> None:
    row = row_named(sample, "Gulf Horizon Contracting W.L.L.")
    decide(engine, sample, row, row.hits[0])
    shouted = replace(row, fields={**row.fields, "name": "GULF HORIZON CONTRACTING W.L.L", "country": "KW"})
    moved = replace(row, fields={**row.fields, "country": "Qatar"})
    result = replace(sample, rows=[shouted, moved])
    out = apply_decisions(result, engine)
    assert len(out.rows[0].suppressed) == 1
    assert out.rows[1].suppressed == ()  # same name, another country: another supplier


def test_changed_evidence_raises_the_alert_again(sample: ScreeningResult, engine) -> None:
    row = row_named(sample, "Gulf Horizon Contracting W.L.L.")
    hit = row.hits[-1]
    decide(engine, sample, row, hit)
    changed = replace(hit, evidence=replace(hit.evidence, value=str(hit.evidence.value) + " and shipyards"))
    result = replace(sample, rows=[replace(row, hits=(*row.hits[:-1], changed))])
    assert apply_decisions(result, engine).rows[0].suppressed == ()


def _with_list_hit(sample: ScreeningResult, entry: str, version: str) -> ScreeningResult:
    row = row_named(sample, "Potonggang Trading Company")
    hit = replace(row.hits[0], rule="LIST-DPRK-NAME", evidence=Evidence(
        "name", "Potonggang Trading Company", f"ofac-sdn {entry} [DPRK3]: POTONGGANG TRADING CO", 97.5,
        list_source="ofac-sdn", list_entry=entry))
    manifest = replace(sample.manifest, lists=(ListInfo("ofac-sdn", "2026-10-01", version, 15443),))
    return replace(sample, manifest=manifest, rows=[replace(row, hits=(hit, *row.hits[1:]))])


def test_list_hit_key_is_entry_and_list_version(sample: ScreeningResult, engine) -> None:
    first = _with_list_hit(sample, "12345", "a" * 64)
    decide(engine, first, first.rows[0], first.rows[0].hits[0])
    assert len(apply_decisions(first, engine).rows[0].suppressed) == 1
    # The similarity or wording may change with the matcher; the entry and list version are what count.
    reworded = replace(first, rows=[replace(first.rows[0], hits=(replace(first.rows[0].hits[0], evidence=replace(
        first.rows[0].hits[0].evidence, similarity=91.0, matched="ofac-sdn 12345: POTONGGANG")),
        *first.rows[0].hits[1:]))])
    assert len(apply_decisions(reworded, engine).rows[0].suppressed) == 1
    assert apply_decisions(_with_list_hit(sample, "12345", "b" * 64), engine).rows[0].suppressed == ()  # new version
    assert apply_decisions(_with_list_hit(sample, "67890", "a" * 64), engine).rows[0].suppressed == ()  # new entry


def test_supplier_key_folds_case_accents_and_punctuation() -> None:
    assert supplier_key({"name": "Société Générale, S.A.", "country": "France"}) == supplier_key(
        {"name": "SOCIETE GENERALE SA", "country": "FR"})
    assert supplier_key({"name": "Acme", "country": "North Korea"}) != supplier_key({"name": "Acme", "country": "South Korea"})


def test_reports_mark_suppressed_hits(sample: ScreeningResult, engine, tmp_path: Path) -> None:
    row = row_named(sample, "Baltic Hull Works Sp. z o.o.")
    decide(engine, sample, row, next(h for h in row.hits if h.rule == "DPRK-COMBO-021"))
    result = apply_decisions(sample, engine)

    data = json.loads(write_report(result, tmp_path / "r.json").read_text())
    baltic = next(r for r in data["rows"] if r["fields"]["name"] == "Baltic Hull Works Sp. z o.o.")
    assert baltic["suppressed"][0]["rule"] == "DPRK-COMBO-021"
    assert baltic["suppressed"][0]["decision"]["confirmed_by"] == "rita"
    assert baltic["band"] == "clear" and baltic["score"] == 18
    others = [r for r in data["rows"] if r is not baltic]
    assert all(set(r) == {"input", "sheet", "row", "fields", "score", "band", "hits"} for r in others)

    wb = load_workbook(write_report(result, tmp_path / "r.xlsx"), read_only=True)
    rows = list(wb["All rows"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[-1] == "Suppressed"
    text = next(r for r in rows if "Baltic Hull Works Sp. z o.o." in r)[-1]
    assert "DPRK-COMBO-021" in text and "confirmed by rita" in text
    assert list(next(wb["Flagged"].iter_rows(values_only=True)))[-4:] == ["Suppressed", "Disposition", "Reviewer", "Comment"]

    table = list(csv.reader(io.StringIO(write_report(result, tmp_path / "r.csv").read_text("utf-8-sig"))))
    assert table[0][-1] == "suppressed"
    assert "false positive" in next(r for r in table if "Baltic Hull Works Sp. z o.o." in r)[-1]

    html = write_report(result, tmp_path / "r.html").read_text()
    assert 'id="suppressed"' in html and "confirmed" in html.lower()


def test_reports_without_decisions_keep_their_columns(sample: ScreeningResult, tmp_path: Path) -> None:
    wb = load_workbook(write_report(sample, tmp_path / "r.xlsx"), read_only=True)
    assert "Suppressed" not in next(wb["All rows"].iter_rows(values_only=True))
    data = json.loads(write_report(sample, tmp_path / "r.json").read_text())
    assert all("suppressed" not in r for r in data["rows"])

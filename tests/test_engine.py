"""Each condition of the vocabulary, evaluated over rows, with the evidence it reports."""

from pathlib import Path

import pytest

from screening.model import Band, Evidence
from screening.rulepacks import RulePack, load_pack
from tests.engine_support import run_pack, write_pack

PACK = """\
pack: {id: engine-test, version: "1", title: Engine test, thresholds: {review: 20, high: 50}}
sources:
  - {id: S1, title: Doc, issuer: Issuer, date: "2020-01-01"}
sectors:
  seafood:
    title: Seafood processing
    terms: [seafood, 水产, "crab*"]
    codes: {naics: ["3117"], nace: [C10.2]}
  construction: {title: Construction, terms: [construction, "строител*"]}
places:
  border: {title: Border cities, country: CN, terms: [Hunchun, 珲春, Dandong]}
watchlists:
  - id: designated
    title: Designated
    tier: designated
    entries: [{name: Korea Rungrado General Trading Corporation, aliases: [Rungrado Trading]}]
rules:
  - {id: LOC, title: In the DPRK, category: location, band: critical, confidence: confirmed, sources: [S1],
     when: {any: [{country: {in: [KP]}}, {text: {terms: [Pyongyang, 평양], fields: [city, address]}}]}}
  - {id: HOST, title: China or Russia, category: host-country, weight: 15, confidence: reported, sources: [S1],
     when: {country: {in: [CN, RU]}}}
  - {id: SEA, title: Seafood, category: sector, weight: 10, confidence: reported, sources: [S1],
     when: {sector: [seafood]}}
  - {id: COMBO, title: Border city seafood, category: sector-country, weight: 30, confidence: reported, sources: [S1],
     when: {all: [{place: [border]}, {sector: [seafood]}]}}
  - {id: WL, title: Designated name, category: watchlist, band: critical, confidence: reported, sources: [S1],
     when: {watchlist: {list: designated, threshold: 90}}}
  - {id: NOTKR, title: Construction outside Korea, category: sector, weight: 5, confidence: unverified, sources: [S1],
     when: {all: [{sector: [construction]}, {not: {country: {in: [KR]}}}]}}
  - {id: PAT, title: Pattern, category: red-flag, weight: 20, confidence: reported, sources: [S1],
     when: {pattern: {regex: "wages? (withheld|paid to)", fields: [notes]}}}
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> RulePack:
    return load_pack(write_pack(tmp_path_factory.mktemp("pack"), PACK))


def rule_ids(result: tuple[int, Band, list]) -> list[str]:
    return [h.rule for h in result[2]]


def test_border_seafood_processor(pack: RulePack) -> None:
    [(score, band, hits)] = run_pack(
        pack, [{"name": "珲春东阳水产有限公司", "country": "中国", "city": "Hunchun", "sector": "Frozen crabs"}]
    )
    assert [h.rule for h in hits] == ["HOST", "SEA", "COMBO"]
    assert (score, band) == (55, Band.HIGH)
    host, seafood, combo = hits
    assert host.evidence == Evidence("country", "中国", "CN (China)", None)
    assert seafood.evidence == Evidence("sector", "Frozen crabs", "sector 'Seafood processing': term 'crab*'", None)
    # `all` joins the evidence of its parts, in order
    assert combo.evidence.field == "city + sector"
    assert combo.evidence.value == "Hunchun | Frozen crabs"
    assert combo.evidence.matched == "place 'Border cities': term 'Hunchun' | sector 'Seafood processing': term 'crab*'"


def test_industry_code_alone_identifies_the_sector(pack: RulePack) -> None:
    [(_, _, hits)] = run_pack(pack, [{"name": "Ocean Foods", "industry_code": "NAICS 311710"}])
    assert [(h.rule, h.evidence.field, h.evidence.matched) for h in hits] == [
        ("SEA", "industry_code", "sector 'Seafood processing': code NAICS 3117")
    ]


def test_dprk_location_is_critical_from_country_or_city(pack: RulePack) -> None:
    results = run_pack(
        pack,
        [
            {"name": "A", "country": "DPRK"},
            {"name": "B", "country": "Korea, Democratic People's Republic of"},
            {"name": "C", "address": "Sosong district, 평양"},
            {"name": "D", "country": "Republic of Korea", "city": "Busan"},
        ],
    )
    assert [(s, b) for s, b, _ in results] == [(100, Band.CRITICAL)] * 3 + [(0, Band.CLEAR)]
    assert results[2][2][0].evidence == Evidence("address", "Sosong district, 평양", "term '평양'", None)


def test_watchlist_match_reports_entry_alias_and_similarity(pack: RulePack) -> None:
    results = run_pack(
        pack,
        [
            {"name": "KOREA RUNGRADO GENERAL TRADING CO., LTD."},
            {"name": "Sinotrans", "parent": "Rungrado Trading Co"},
            {"name": "Korea General Trading Co., Ltd."},
        ],
    )
    first, second, third = results
    assert first[1] is Band.CRITICAL
    wl = first[2][0]
    assert (wl.rule, wl.evidence.field, wl.evidence.similarity) == ("WL", "name", 100.0)
    assert wl.evidence.matched == "Designated [designated]: Korea Rungrado General Trading Corporation"
    assert second[2][0].evidence.field == "parent"
    assert "alias Rungrado Trading" in second[2][0].evidence.matched
    assert third[1] is Band.CLEAR


def test_not_and_pattern(pack: RulePack) -> None:
    results = run_pack(
        pack,
        [
            {"name": "Busan Construction", "country": "South Korea"},
            {"name": "ООО Строительная компания", "country": "Kazakhstan"},
            {"name": "X", "notes": "Wages paid to the team leader"},
        ],
    )
    assert rule_ids(results[0]) == []
    assert rule_ids(results[1]) == ["NOTKR"]
    assert results[1][2][0].evidence.matched == "sector 'Construction': term 'строител*'"
    assert rule_ids(results[2]) == ["PAT"]
    assert results[2][0] == 20 and results[2][1] is Band.REVIEW


def test_empty_cells_never_match(pack: RulePack) -> None:
    [(score, band, hits)] = run_pack(pack, [{"name": ""}])
    assert (score, band, hits) == (0, Band.CLEAR, [])


def test_evaluation_is_deterministic(pack: RulePack) -> None:
    rows = [{"name": f"Supplier {i}", "country": c, "sector": s}
            for i, (c, s) in enumerate([("CN", "seafood"), ("RU", "construction"), ("NO", "fish farm")] * 50)]
    assert run_pack(pack, rows) == run_pack(pack, rows)


def test_rules_selecting_the_same_list_entries_share_one_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """SANC-DPRK-001 and the 'not a DPRK entry' half of SANC-ANY-001 select the same entries: their names
    are searched once per field, and each rule still fires where it should."""
    from screening.engine import compile_packs, evaluate
    from screening.engine.lists import ListCatalog
    from screening.matching.lists import ListIndex
    from tests.engine_support import list_entries, records

    entries = list_entries([
        {"source": "un", "id": "KPe.001", "programs": ["DPRK"], "names": [{"name": "Korea Ryonbong General Corporation"}]},
        {"source": "ofac-sdn", "id": "1", "programs": ["SDGT"], "names": [{"name": "Al Furqan Trading Company"}]},
    ])
    pack = load_pack(Path(__file__).resolve().parents[1] / "rules" / "sanctions-lists.yaml")
    searched: list[str] = []  # "some" for a search of the DPRK entries, "all" for one of every entry
    original = ListIndex.search_many
    monkeypatch.setattr(ListIndex, "search_many", lambda self, names, *a, **k:
                        (searched.append("all" if k.get("only") is None else "some"), original(self, names, *a, **k))[1])
    rows = [{"name": "Korea Ryonbong General Corp.", "country": "North Korea"},
            {"name": "Al Furqan Trading Co.", "parent": "Acme Holdings"}, {"name": "Rheinland Softwarehaus GmbH"}]
    fired = [[hit.rule for _, hit in row_hits] for row_hits in evaluate(compile_packs([pack], ListCatalog(entries)),
                                                                        records(rows))]
    assert fired == [["SANC-DPRK-001"], ["SANC-ANY-001"], []]
    name_fields = len(next(r for r in pack.spec.rules if r.id == "SANC-DPRK-001").when.list_match.fields)
    assert sorted(searched) == ["all"] * name_fields + ["some"] * name_fields  # once per field each, not twice

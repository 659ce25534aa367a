"""Every rule of every bundled pack has rows that must fire it and rows that must not (tests/rule_cases/).

Like semgrep's ruleid/ok annotations: a case file is named after its pack and holds
`cases: [{rule, fires: [row...], does_not_fire: [row...]}]` and whole-row expectations
`bands: [{row, band, rules: [ids that must fire]}]`.
"""

from pathlib import Path

import pytest
import yaml

from screening.model import Band
from screening.rulepacks import RulePack, load_pack
from screening.screen import default_rules_dir
from tests.engine_support import list_entries, run_pack

CASES_DIR = Path(__file__).resolve().parent / "rule_cases"
PACK_FILES = sorted(default_rules_dir().glob("*.yaml"))


def _load_cases(pack_path: Path) -> dict:
    case_file = CASES_DIR / pack_path.name
    assert case_file.is_file(), f"{pack_path.name} has no case file {case_file}"
    return yaml.safe_load(case_file.read_text(encoding="utf-8"))


def _params(kind: str) -> list:
    params = []
    for pack_path in PACK_FILES:
        cases = yaml.safe_load((CASES_DIR / pack_path.name).read_text(encoding="utf-8")) if (CASES_DIR / pack_path.name).is_file() else {}
        for i, case in enumerate(cases.get(kind) or []):
            label = case.get("rule") or f"{case.get('band')}:{case['row'].get('name', i)}"
            params.append(pytest.param(pack_path, case, id=f"{pack_path.stem}:{label}"))
    return params


_packs: dict[Path, RulePack] = {}
_lists: dict[Path, tuple] = {}


def pack_for(path: Path) -> RulePack:
    if path not in _packs:
        _packs[path] = load_pack(path)
    return _packs[path]


def lists_for(path: Path) -> tuple:
    """The case file's own small list entries, for list_match rules."""
    if path not in _lists:
        _lists[path] = list_entries(_load_cases(path).get("lists") or [])
    return _lists[path]


def test_bundled_packs_exist() -> None:
    assert PACK_FILES, f"no rule packs in {default_rules_dir()}"


@pytest.mark.parametrize("pack_path", PACK_FILES, ids=lambda p: p.stem)
def test_every_rule_has_positive_and_negative_cases(pack_path: Path) -> None:
    cases = _load_cases(pack_path)
    covered = {c["rule"] for c in cases["cases"] if c.get("fires") and c.get("does_not_fire")}
    rules = {r.id for r in pack_for(pack_path).spec.rules}
    assert rules - covered == set(), "rules without both a firing and a non-firing case"
    assert covered - rules == set(), "cases for rules that do not exist"


@pytest.mark.parametrize(("pack_path", "case"), _params("cases"))
def test_rule_case(pack_path: Path, case: dict) -> None:
    pack = pack_for(pack_path)
    rule = case["rule"]
    rows = list(case["fires"]) + list(case["does_not_fire"])
    results = run_pack(pack, rows, lists_for(pack_path))
    for row, (_, _, hits) in zip(rows, results):
        fired = rule in [h.rule for h in hits]
        should = row in case["fires"]
        assert fired == should, f"{rule} {'did not fire' if should else 'fired'} on {row}"
        if fired:
            hit = next(h for h in hits if h.rule == rule)
            assert hit.sources and hit.evidence.field, f"{rule}: a hit must cite sources and name its field"


@pytest.mark.parametrize(("pack_path", "case"), _params("bands"))
def test_row_band(pack_path: Path, case: dict) -> None:
    [(score, band, hits)] = run_pack(pack_for(pack_path), [case["row"]], lists_for(pack_path))
    fired = [h.rule for h in hits]
    assert band is Band.parse(case["band"]), f"score {score}, rules {fired}"
    assert set(case.get("rules") or []) <= set(fired), f"missing {set(case['rules']) - set(fired)}"

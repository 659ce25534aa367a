"""The bundled sample files, screened end to end with the bundled packs: every row's band is pinned.

fixtures/expected.yaml holds, per file and sheet, each row number (as the user sees it) with its
expected band and the rules that must fire. Changing a rule's weight shows up here first.
"""

from pathlib import Path

import pytest
import yaml

from screening.reports import report_json
from screening.screen import screen

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return {name: report_json(screen([FIXTURES / name])) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_row_has_its_expected_band_and_rules(reports: dict[str, dict], name: str) -> None:
    report = reports[name]
    seen = {(row["sheet"], row["row"]): row for row in report["rows"]}
    expected = {(sheet, int(row)): spec for sheet, rows in EXPECTED[name].items() for row, spec in rows.items()}
    assert sorted(seen) == sorted(expected), "screened rows differ from the expected rows"
    problems = []
    for key, spec in expected.items():
        row = seen[key]
        fired = [hit["rule"] for hit in row["hits"]]
        if row["band"] != spec["band"]:
            problems.append(f"{key} {row['fields'].get('name')!r}: band {row['band']} (score {row['score']}, {fired}), expected {spec['band']}")
        missing = set(spec.get("rules") or []) - set(fired)
        if missing:
            problems.append(f"{key} {row['fields'].get('name')!r}: rules {sorted(missing)} did not fire ({fired})")
        absent = set(spec.get("not_rules") or []) & set(fired)
        if absent:
            problems.append(f"{key} {row['fields'].get('name')!r}: rules {sorted(absent)} must not fire")
    assert not problems, "\n".join(problems)


def test_every_hit_explains_itself(reports: dict[str, dict]) -> None:
    for report in reports.values():
        for row in report["rows"]:
            for hit in row["hits"]:
                assert hit["rule"] and hit["title"] and hit["sources"], hit
                evidence = hit["evidence"]
                assert evidence["field"] and evidence["value"] and evidence["matched"], hit
                # the evidence value is the cell as the user wrote it
                for field, value in zip(evidence["field"].split(" + "), evidence["value"].split(" | ")):
                    assert row["fields"].get(field) == value, (field, value, row["fields"])


def test_same_inputs_give_the_same_report(reports: dict[str, dict]) -> None:
    for name, first in reports.items():
        second = report_json(screen([FIXTURES / name]))
        first_manifest = {k: v for k, v in first["manifest"].items() if k != "created_at"}
        second_manifest = {k: v for k, v in second["manifest"].items() if k != "created_at"}
        assert first_manifest == second_manifest
        assert first["rows"] == second["rows"]
        assert first["errors"] == second["errors"]

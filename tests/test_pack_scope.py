"""A pack's `rows_with` scope: the roster pack screens roster rows, not supplier masters with e-mails."""

from pathlib import Path

from openpyxl import Workbook

from screening.screen import default_rules_dir, screen


def _write(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


NAMES = ["Nordic Fish AS", "Baltic Timber Sp. z o.o.", "Harbor Steel Inc."]


def _roster_hits(path: Path) -> set[str]:
    result = screen([path], [default_rules_dir() / "it-worker-roster.yaml"])
    return {hit.rule for row in result.rows for hit in row.hits}


def test_suppliers_sharing_a_contact_email_are_not_a_roster(tmp_path: Path) -> None:
    path = _write(tmp_path / "suppliers.xlsx", ["Supplier Name", "Country", "E-mail"],
                  [[name, "Norway", "sales@agent.example"] for name in NAMES])
    assert _roster_hits(path) == set()


def test_the_same_rows_with_a_roster_field_are_screened(tmp_path: Path) -> None:
    path = _write(tmp_path / "roster.xlsx", ["Worker Name", "Nationality", "E-mail"],
                  [[name, "Norway", "sales@agent.example"] for name in ["Jon Berg", "Li Wei", "Ana Silva"]])
    assert "ROSTER-LINK-003" in _roster_hits(path)


def test_a_scope_field_outside_the_vocabulary_is_refused(tmp_path: Path) -> None:
    import pytest

    from screening.errors import RulePackError
    from screening.rulepacks import load_packs

    pack = (default_rules_dir() / "it-worker-roster.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(pack.replace("rows_with: [nationality,", "rows_with: [nationalty,"), encoding="utf-8")
    with pytest.raises(RulePackError, match="rows_with"):
        load_packs([broken])

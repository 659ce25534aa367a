"""`screening review import REPORT.xlsx`: the Disposition / Reviewer / Comment columns an auditor filled in.

The rule (README, "Review and four eyes"): every filled-in row becomes a *proposal* by the account
named with --reviewer (whose password is checked), one per hit of the row; a second, different
reviewer or admin confirms or rejects it in the web page. A spreadsheet cannot prove that two people
looked at a row, so an import never counts as both pairs of eyes.

The whole file is checked before anything is recorded: an unknown disposition, a missing comment or
a damaged report stops the import with one line naming the row, and nothing is written.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from screening.errors import ScreeningError
from screening.review.decisions import HitContext, ReviewError, check_decision, proposals, propose_many
from screening.review.keys import hit_key_from_report, supplier_key
from screening.review.users import User

FLAGGED = "Flagged"
MANIFEST = "Manifest"
SKIPPED = {"", "pending"}


@dataclass(frozen=True)
class ImportSummary:
    rows: int  # rows with a disposition
    proposed: int  # proposals recorded (one per hit)
    already: int  # hits with the same decision already pending or confirmed
    skipped: int  # flagged rows left empty or 'pending'


def import_report(engine: Engine, path: Path, user: User) -> ImportSummary:
    items, skipped, rows = read_dispositions(path)
    existing = {
        (p.event.supplier_key, p.event.hit_key, p.decision)
        for p in proposals(engine, supplier_keys={c.supplier_key for _, _, c in items})
        if p.status in ("pending", "confirmed")
    }
    fresh = [(d, r, c) for d, r, c in items if (c.supplier_key, c.hit_key, d) not in existing]
    fresh = list({(c.supplier_key, c.hit_key, d): (d, r, c) for d, r, c in fresh}.values())  # once per hit
    proposed = propose_many(engine, user, fresh, origin="import")
    return ImportSummary(rows=rows, proposed=proposed, already=len(items) - len(fresh), skipped=skipped)


def read_dispositions(path: Path) -> tuple[list[tuple[str, str, HitContext]], int, int]:
    """(decision, reason, hit) per hit of every row with a disposition; skipped rows; rows with one."""
    from openpyxl import load_workbook

    name = os.path.basename(str(path))
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ScreeningError(f"{path}: file not found; check the path") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ScreeningError(f"{path}: cannot be read as an xlsx report ({exc}); pass a report written by "
                             "screening screen --out REPORT.xlsx") from None
    try:
        if FLAGGED not in wb.sheetnames:
            raise ScreeningError(f"{path}: has no '{FLAGGED}' sheet; pass an xlsx report written by screening screen")
        versions = _list_versions(wb[MANIFEST]) if MANIFEST in wb.sheetnames else {}
        sheet = wb[FLAGGED]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())]
        needed = ("Rules", "Evidence", "name", "Disposition", "Reviewer", "Comment")
        missing = [h for h in needed if h not in header]
        if missing:
            raise ScreeningError(f"{path} sheet '{FLAGGED}': no column {', '.join(repr(m) for m in missing)}; "
                                 "pass an xlsx report written by screening screen")
        col = {h: header.index(h) for h in needed}
        country = header.index("country") if "country" in header else None
        items: list[tuple[str, str, HitContext]] = []
        skipped = decided_rows = 0
        for number, values in enumerate(rows, start=2):
            cell = lambda h: _text(values[col[h]]) if col[h] < len(values) else ""  # noqa: E731
            disposition = cell("Disposition")
            if disposition.lower() in SKIPPED:
                skipped += 1 if any(v not in (None, "") for v in values) else 0
                continue
            where = f"{path} sheet '{FLAGGED}' row {number}"
            try:
                decision = check_decision(disposition)
            except ReviewError as exc:
                raise ScreeningError(f"{where}: {exc} (or pending)") from None
            comment = cell("Comment")
            if not comment:
                raise ScreeningError(f"{where}: Disposition '{disposition}' has no Comment; "
                                     "a reason is required for every decision")
            reviewer = cell("Reviewer")
            reason = f"{comment} (Reviewer column: {reviewer})" if reviewer else comment
            rules = cell("Rules").split("\n")
            lines = cell("Evidence").split("\n")
            if not cell("Rules") or len(rules) != len(lines):
                raise ScreeningError(f"{where}: the Rules and Evidence cells do not line up (one line per hit); "
                                     "was the report edited there?")
            fields = {"name": cell("name"),
                      "country": _text(values[country]) if country is not None and country < len(values) else ""}
            supplier = supplier_key(fields)
            decided_rows += 1
            for rule, line in zip(rules, lines):
                context = HitContext(supplier, hit_key_from_report(rule, line, versions), supplier=fields["name"],
                                     rule=rule, evidence=line, run="", report=name)
                items.append((decision, reason, context))
        return items, skipped, decided_rows
    finally:
        wb.close()


def _list_versions(ws) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Source -> sha256 from the Manifest sheet's 'Sanctions lists' section."""
    found: dict[str, str] = {}
    in_section = False
    for values in ws.iter_rows(values_only=True):
        first = _text(values[0]) if values else ""
        if first == "Sanctions lists":
            in_section = True
        elif in_section and first in ("Source", "(none)"):
            continue
        elif in_section and (not first or first == "Options"):
            break
        elif in_section and len(values) >= 3:
            found[first] = _text(values[2])
    return found


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


__all__ = ["ImportSummary", "import_report", "read_dispositions", "ReviewError", "User"]

"""Decisions on sanctions-list hits, through a real list store: the same entry in the same list version
stays suppressed; a new version of the list raises the alert again."""

from __future__ import annotations

from pathlib import Path

from screening.lists.store import ListStore
from screening.review import decisions as review
from screening.review.db import open_db
from screening.review.keys import hit_key, list_versions, row_supplier_key
from screening.review.suppress import apply_decisions
from screening.review.users import add_user, get_user
from screening.screen import lists_from_store, screen

TARGETS = Path(__file__).parent / "data" / "lists" / "opensanctions" / "targets.simple.csv"
KOMID = "NK-4kAXm2fS9ZcUJr7qPuq2Vb"
PASSWORD = "correct horse battery"


def test_list_decision_follows_entry_and_list_version(tmp_path: Path) -> None:
    root = tmp_path / "lists"
    ListStore(root).import_list(TARGETS, "opensanctions")
    sheet = tmp_path / "suppliers.csv"
    sheet.write_text("Supplier Name,Country\nChanggwang Sinyong Corporation,China\n", encoding="utf-8")

    first = screen([sheet], lists=lists_from_store(root))
    row = first.rows[0]
    list_hits = [h for h in row.hits if h.evidence.list_source]
    assert list_hits and {(h.evidence.list_source, h.evidence.list_entry) for h in list_hits} == {("opensanctions", KOMID)}
    assert row.band.label == "critical"

    engine = open_db(str(tmp_path / "review.db"))
    add_user(engine, "ana", "analyst", PASSWORD)
    add_user(engine, "rita", "reviewer", PASSWORD)
    versions = list_versions(first.manifest)
    for hit in list_hits:
        context = review.HitContext(row_supplier_key(row), hit_key(hit, versions), supplier="Changgwang", rule=hit.rule)
        proposal = review.propose(engine, get_user(engine, "ana"), "false positive", "test data", context)
        review.confirm(engine, get_user(engine, "rita"), proposal.id)

    again = apply_decisions(screen([sheet], lists=lists_from_store(root)), engine).rows[0]
    assert {s.hit.rule for s in again.suppressed} == {h.rule for h in list_hits}
    assert not any(h.evidence.list_source for h in again.hits)
    assert again.band < row.band

    # A new version of the list (one more entry): the same entry is a new hit until reviewed again.
    text = TARGETS.read_text(encoding="utf-8").rstrip("\n")
    updated = tmp_path / "new" / "targets.simple.csv"
    updated.parent.mkdir()
    updated.write_text(text + "\nNK-extra1,Organization,Unrelated Shipping Ltd,,,pa,,,,,,,Test,,,2026-11-01T00:00:00\n",
                       encoding="utf-8")
    ListStore(root).import_list(updated, "opensanctions")
    newer = apply_decisions(screen([sheet], lists=lists_from_store(root)), engine).rows[0]
    assert newer.suppressed == ()
    assert newer.band == row.band

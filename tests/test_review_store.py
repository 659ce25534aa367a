"""The decision log: append-only in the database itself, four eyes, users and passwords."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from screening.errors import ScreeningError
from screening.review import decisions as review
from screening.review.db import database_url, decisions, open_db
from screening.review.users import add_user, authenticate, get_user, list_users, set_password

PASSWORD = "correct horse battery"
CONTEXT = review.HitContext('["acme", "CN"]', '["evidence", "R1", "x"]', supplier="Acme", rule="R1", evidence="x")


@pytest.fixture()
def engine(tmp_path: Path):
    engine = open_db(str(tmp_path / "review.db"))
    for name, role in (("ana", "analyst"), ("rita", "reviewer"), ("rolf", "reviewer"), ("adam", "admin")):
        add_user(engine, name, role, PASSWORD)
    return engine


def user(engine, name: str):
    found = get_user(engine, name)
    assert found is not None
    return found


def test_log_refuses_update_and_delete(engine) -> None:
    event = review.propose(engine, user(engine, "ana"), "false positive", "not the same firm", CONTEXT)
    with pytest.raises(DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(update(decisions).where(decisions.c.id == event.id).values(decision="true match"))
    with pytest.raises(DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(delete(decisions))
    with pytest.raises(DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE decisions SET reason = 'rewritten'"))
    assert review.get_proposal(engine, event.id).event.reason == "not the same firm"  # type: ignore[union-attr]


def test_log_is_append_only_for_any_sqlite_client(engine, tmp_path: Path) -> None:
    review.propose(engine, user(engine, "ana"), "escalate", "check", CONTEXT)
    with sqlite3.connect(tmp_path / "review.db") as raw:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("DELETE FROM decisions")


def test_same_user_can_never_confirm_own_proposal(engine) -> None:
    for proposer in ("rita", "adam"):
        event = review.propose(engine, user(engine, proposer), "false positive", "reason", CONTEXT)
        with pytest.raises(review.Forbidden, match="your own"):
            review.confirm(engine, user(engine, proposer), event.id)
        with pytest.raises(review.Forbidden, match="your own"):
            review.reject(engine, user(engine, proposer), event.id, "no")
        assert review.get_proposal(engine, event.id).status == "pending"  # type: ignore[union-attr]


def test_analyst_cannot_confirm_or_reject(engine) -> None:
    event = review.propose(engine, user(engine, "rita"), "true match", "same registry number", CONTEXT)
    with pytest.raises(review.Forbidden, match="only a reviewer or admin"):
        review.confirm(engine, user(engine, "ana"), event.id)
    with pytest.raises(review.Forbidden):
        review.reject(engine, user(engine, "ana"), event.id, "no")


def test_confirm_once_and_state_from_events(engine) -> None:
    event = review.propose(engine, user(engine, "ana"), "False-Positive", "  other   company ", CONTEXT)
    assert event.decision == "false positive" and event.reason == "other company"
    done = review.confirm(engine, user(engine, "rita"), event.id, "agreed")
    assert done.resolves == event.id and done.user == "rita" and done.role == "reviewer"
    with pytest.raises(review.Conflict, match="already confirmed by rita"):
        review.confirm(engine, user(engine, "rolf"), event.id)
    with pytest.raises(review.Conflict):
        review.reject(engine, user(engine, "rolf"), event.id, "late")
    proposal = review.get_proposal(engine, event.id)
    assert proposal is not None and proposal.status == "confirmed" and proposal.resolution.user == "rita"  # type: ignore[union-attr]
    assert [e.kind for e in review.log(engine)] == ["confirm", "propose"]
    assert all(e.at.endswith("Z") for e in review.log(engine))


def test_database_refuses_a_second_resolution(engine) -> None:
    """Even bypassing the checks (two reviewers at the same instant), a proposal is resolved once."""
    event = review.propose(engine, user(engine, "ana"), "escalate", "check", CONTEXT)
    review.confirm(engine, user(engine, "rita"), event.id)
    row = dict(kind="reject", resolves=event.id, reason="x", user="rolf", role="reviewer", at="2026-01-01T00:00:00Z",
               supplier_key="k", hit_key="h")
    with pytest.raises(DatabaseError):
        with engine.begin() as conn:
            conn.execute(decisions.insert().values(**row))


def test_reasons_and_decisions_are_checked(engine) -> None:
    with pytest.raises(review.ReviewError, match="reason is required"):
        review.propose(engine, user(engine, "ana"), "escalate", " \n ", CONTEXT)
    with pytest.raises(review.ReviewError, match="unknown decision"):
        review.propose(engine, user(engine, "ana"), "ignore", "because", CONTEXT)
    event = review.propose(engine, user(engine, "ana"), "escalate", "check", CONTEXT)
    with pytest.raises(review.ReviewError, match="reason is required"):
        review.reject(engine, user(engine, "rita"), event.id, "")
    with pytest.raises(review.NotFound):
        review.confirm(engine, user(engine, "rita"), 12345)


def test_latest_confirmed_decision_is_in_force(engine) -> None:
    first = review.propose(engine, user(engine, "ana"), "false positive", "one", CONTEXT)
    review.confirm(engine, user(engine, "rita"), first.id)
    second = review.propose(engine, user(engine, "ana"), "true match", "new facts", CONTEXT)
    assert review.in_force(review.proposals(engine))[(CONTEXT.supplier_key, CONTEXT.hit_key)].id == first.id
    review.confirm(engine, user(engine, "adam"), second.id)
    assert review.in_force(review.proposals(engine))[(CONTEXT.supplier_key, CONTEXT.hit_key)].decision == "true match"
    assert [p.status for p in review.proposals(engine, status="confirmed")] == ["confirmed", "confirmed"]
    assert review.proposals(engine, status="pending") == []


# ---------------------------------------------------------------- users


def test_passwords_are_argon2_hashed_and_checked(engine) -> None:
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE name = 'ana'")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(engine, "ana", PASSWORD) is not None
    assert authenticate(engine, "ana", PASSWORD + "x") is None
    assert authenticate(engine, "nobody", PASSWORD) is None
    set_password(engine, "ana", "another long password")
    assert authenticate(engine, "ana", PASSWORD) is None
    assert authenticate(engine, "ana", "another long password") is not None


def test_user_input_is_checked(engine) -> None:
    with pytest.raises(ScreeningError, match="already exists"):
        add_user(engine, "ana", "analyst", PASSWORD)
    with pytest.raises(ScreeningError, match="unknown role"):
        add_user(engine, "zed", "root", PASSWORD)
    with pytest.raises(ScreeningError, match="too short"):
        add_user(engine, "zed", "analyst", "short")
    with pytest.raises(ScreeningError, match="not allowed"):
        add_user(engine, "../zed", "analyst", PASSWORD)
    assert [(u.name, u.role) for u in list_users(engine)] == [
        ("adam", "admin"), ("ana", "analyst"), ("rita", "reviewer"), ("rolf", "reviewer")]


def test_database_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SCREENING_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert database_url() == f"sqlite:///{tmp_path / 'xdg' / 'screening' / 'screening.db'}"
    monkeypatch.setenv("SCREENING_DB", str(tmp_path / "env.db"))
    assert database_url() == f"sqlite:///{tmp_path / 'env.db'}"
    assert database_url(tmp_path / "opt.db") == f"sqlite:///{tmp_path / 'opt.db'}"
    assert database_url("postgresql://u:p@db/screening") == "postgresql://u:p@db/screening"


def test_unusable_database_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ScreeningError, match="cannot open the review database"):
        open_db(str(tmp_path / "afile" / "review.db"))

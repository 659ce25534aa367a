"""Four eyes over an append-only log: one person proposes, a different reviewer confirms or rejects.

Every action is an INSERT into `decisions` (db.py); the state of a proposal (pending, confirmed,
rejected) is derived from the events. The rules, enforced here for the page, the API and the CLI:

- analysts, reviewers and admins propose `true match`, `false positive` or `escalate`, with a reason;
- only a reviewer or admin confirms or rejects, never the person who proposed (not even an admin);
- a rejection needs a reason; a proposal is resolved once (a database constraint, so two reviewers
  clicking at once cannot both resolve it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, and_, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from screening.errors import ScreeningError
from screening.review.db import decisions
from screening.review.time import utc_now
from screening.review.users import User

TRUE_MATCH, FALSE_POSITIVE, ESCALATE = "true match", "false positive", "escalate"
DECISIONS: tuple[str, ...] = (TRUE_MATCH, FALSE_POSITIVE, ESCALATE)
MAX_REASON_CHARS = 2000


class ReviewError(ScreeningError):
    """A decision that cannot be recorded (unknown proposal, already resolved, no reason)."""


class Forbidden(ReviewError):
    """The user's role or identity does not allow the action (wrong role, own proposal)."""


class NotFound(ReviewError):
    """No proposal with that id."""


class Conflict(ReviewError):
    """The proposal was already confirmed or rejected."""


@dataclass(frozen=True)
class HitContext:
    """What a decision is about, as people read it in the log."""

    supplier_key: str
    hit_key: str
    supplier: str = ""
    rule: str = ""
    evidence: str = ""
    run: str = ""
    report: str = ""


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    decision: str | None
    reason: str
    user: str
    role: str
    at: str
    supplier_key: str
    hit_key: str
    supplier: str
    rule: str
    evidence: str
    run: str
    report: str
    origin: str
    resolves: int | None = None


@dataclass(frozen=True)
class Proposal:
    """A proposal with its resolution, when there is one."""

    event: Event
    resolution: Event | None

    @property
    def status(self) -> str:
        if self.resolution is None:
            return "pending"
        return "confirmed" if self.resolution.kind == "confirm" else "rejected"

    @property
    def id(self) -> int:
        return self.event.id

    @property
    def decision(self) -> str:
        return self.event.decision or ""


def check_decision(decision: str) -> str:
    chosen = " ".join(decision.strip().lower().replace("_", " ").replace("-", " ").split())
    if chosen not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}; use one of: {', '.join(DECISIONS)}")
    return chosen


def _reason(reason: str, what: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ReviewError(f"a reason is required to {what}")
    if len(text) > MAX_REASON_CHARS:
        raise ReviewError(f"the reason is {len(text)} characters; keep it under {MAX_REASON_CHARS}")
    return text


def propose(engine: Engine, user: User, decision: str, reason: str, context: HitContext,
            *, origin: str = "web") -> Event:
    decision = check_decision(decision)
    text = _reason(reason, "propose a decision")
    values = dict(
        kind="propose", resolves=None, decision=decision, reason=text, user=user.name, role=user.role, at=utc_now(),
        supplier_key=context.supplier_key, hit_key=context.hit_key, supplier=context.supplier, rule=context.rule,
        evidence=context.evidence, run=context.run, report=context.report, origin=origin,
    )
    with engine.begin() as conn:
        new_id = conn.execute(insert(decisions).values(**values)).inserted_primary_key[0]
    return Event(id=int(new_id), **{k: v for k, v in values.items()})  # type: ignore[arg-type]


def propose_many(engine: Engine, user: User, items: Iterable[tuple[str, str, HitContext]],
                 *, origin: str = "import") -> int:
    """Record several proposals in one transaction (all or none); returns how many."""
    rows = []
    at = utc_now()
    for decision, reason, context in items:
        rows.append(dict(
            kind="propose", resolves=None, decision=check_decision(decision), reason=_reason(reason, "propose a decision"),
            user=user.name, role=user.role, at=at, supplier_key=context.supplier_key, hit_key=context.hit_key,
            supplier=context.supplier, rule=context.rule, evidence=context.evidence, run=context.run,
            report=context.report, origin=origin,
        ))
    if rows:
        with engine.begin() as conn:
            for values in rows:  # one by one: ids stay in file order on every backend
                conn.execute(insert(decisions).values(**values))
    return len(rows)


def confirm(engine: Engine, user: User, proposal_id: int, reason: str = "") -> Event:
    return _resolve(engine, user, proposal_id, "confirm", " ".join((reason or "").split()) or "confirmed")


def reject(engine: Engine, user: User, proposal_id: int, reason: str) -> Event:
    return _resolve(engine, user, proposal_id, "reject", _reason(reason, "reject a proposal"))


def _resolve(engine: Engine, user: User, proposal_id: int, kind: str, reason: str) -> Event:
    if not user.can_confirm:
        raise Forbidden(f"{user.name} is an {user.role}: only a reviewer or admin can {kind} a decision")
    proposal = get_proposal(engine, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    if proposal.resolution is not None:
        raise Conflict(f"proposal #{proposal_id} was already {proposal.status} by {proposal.resolution.user}")
    p = proposal.event
    if p.user == user.name:
        raise Forbidden(f"proposal #{proposal_id} is your own: a second, different reviewer must {kind} it")
    values = dict(
        kind=kind, resolves=p.id, decision=p.decision, reason=reason, user=user.name, role=user.role, at=utc_now(),
        supplier_key=p.supplier_key, hit_key=p.hit_key, supplier=p.supplier, rule=p.rule, evidence=p.evidence,
        run=p.run, report=p.report, origin="web",
    )
    try:
        with engine.begin() as conn:
            new_id = conn.execute(insert(decisions).values(**values)).inserted_primary_key[0]
    except IntegrityError:  # another reviewer resolved it a moment ago
        raise Conflict(f"proposal #{proposal_id} was resolved by someone else meanwhile; reload") from None
    return Event(id=int(new_id), **{k: v for k, v in values.items()})  # type: ignore[arg-type]


def _event(row: Row, prefix: str = "") -> Event | None:
    m = row._mapping
    if m[f"{prefix}id"] is None:
        return None
    return Event(**{name: m[f"{prefix}{name}"] for name in Event.__dataclass_fields__})


def _proposals_query():  # type: ignore[no-untyped-def]
    res = aliased(decisions, name="res")
    columns = [decisions.c[name] for name in Event.__dataclass_fields__]
    columns += [res.c[name].label(f"r_{name}") for name in Event.__dataclass_fields__]
    joined = decisions.outerjoin(res, and_(res.c.resolves == decisions.c.id))
    return select(*columns).select_from(joined).where(decisions.c.kind == "propose"), res


def proposals(engine: Engine, *, status: str | None = None, supplier_keys: Iterable[str] | None = None,
              run: str | None = None) -> list[Proposal]:
    """Proposals with their resolutions, oldest first; filtered by status, suppliers or run."""
    query, res = _proposals_query()
    if status == "pending":
        query = query.where(res.c.id.is_(None))
    elif status == "confirmed":
        query = query.where(res.c.kind == "confirm")
    elif status == "rejected":
        query = query.where(res.c.kind == "reject")
    if supplier_keys is not None:
        query = query.where(decisions.c.supplier_key.in_(list(supplier_keys)))
    if run is not None:
        query = query.where(decisions.c.run == run)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(decisions.c.id)).all()
    return [Proposal(_event(r), _event(r, "r_")) for r in rows]  # type: ignore[arg-type]


def get_proposal(engine: Engine, proposal_id: int) -> Proposal | None:
    query, _ = _proposals_query()
    with engine.connect() as conn:
        row = conn.execute(query.where(decisions.c.id == proposal_id)).first()
    if row is None:
        return None
    return Proposal(_event(row), _event(row, "r_"))  # type: ignore[arg-type]


def log(engine: Engine, limit: int | None = None) -> list[Event]:
    """Every event, newest first: the audit trail."""
    query = select(*[decisions.c[n] for n in Event.__dataclass_fields__]).order_by(decisions.c.id.desc())
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [_event(r) for r in conn.execute(query).all()]  # type: ignore[misc]


def in_force(found: Iterable[Proposal]) -> dict[tuple[str, str], Proposal]:
    """(supplier key, hit key) -> the decision in force: the most recently confirmed proposal."""
    current: dict[tuple[str, str], Proposal] = {}
    confirmed = [p for p in found if p.status == "confirmed"]
    for p in sorted(confirmed, key=lambda p: p.resolution.id):  # type: ignore[union-attr]
        current[(p.event.supplier_key, p.event.hit_key)] = p
    return current

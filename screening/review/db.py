"""The review database: users, the append-only decision log, web sessions and runs.

SQLAlchemy Core, so the same code runs on SQLite (the default: one file in the per-user data folder)
and on PostgreSQL (`--db postgresql://...`). The decision log only ever receives INSERTs: the
current state of a decision is derived from its events, and triggers refuse UPDATE and DELETE on
the table, so not even a hand-written SQL statement can rewrite history without dropping them.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import (
    DDL,
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.exc import SQLAlchemyError

from screening.errors import ScreeningError

ENV_VAR = "SCREENING_DB"
DB_FILE = "screening.db"

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # propose | confirm | reject. A confirm or reject names the proposal it resolves; the unique
    # constraint makes "resolved twice" impossible even when two reviewers click at once.
    Column("kind", String(10), nullable=False),
    Column("resolves", Integer, ForeignKey("decisions.id"), nullable=True),
    Column("decision", String(20), nullable=True),  # true match | false positive | escalate (proposals)
    Column("reason", Text, nullable=False),
    Column("user", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("at", String(32), nullable=False),  # ISO 8601 UTC
    Column("supplier_key", Text, nullable=False),
    Column("hit_key", Text, nullable=False),
    Column("supplier", Text, nullable=False, default=""),  # the name as shown, for people reading the log
    Column("rule", String(100), nullable=False, default=""),
    Column("evidence", Text, nullable=False, default=""),
    Column("run", String(64), nullable=False, default=""),  # web run id, or '' for an imported report
    Column("report", Text, nullable=False, default=""),  # input file or report the decision was made on
    Column("origin", String(20), nullable=False, default="web"),  # web | import
    UniqueConstraint("resolves", name="one_resolution_per_proposal"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the session id: a leaked DB gives no sessions
    Column("user", String(100), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created", Integer, nullable=False),  # unix seconds
    Column("seen", Integer, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user", String(100), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("input_name", Text, nullable=False),  # the uploaded file's name, for display only
    Column("options", Text, nullable=False, default="{}"),  # JSON: packs, lists, mapping overrides
)

_APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: record a new decision instead'); END",
    "CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: decisions cannot be deleted'); END",
]
_APPEND_ONLY_POSTGRES = [
    "CREATE OR REPLACE FUNCTION screening_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'the decision log is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions "
    "FOR EACH ROW EXECUTE FUNCTION screening_append_only()",
]
for _sql in _APPEND_ONLY_SQLITE:
    event.listen(decisions, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in _APPEND_ONLY_POSTGRES:
    event.listen(decisions, "after_create", DDL(_sql).execute_if(dialect="postgresql"))


def default_db_path() -> Path:
    """`screening.db` in the per-user data folder, beside the list store (screening/lists/store.py)."""
    from screening.lists.store import default_root

    return default_root().parent / DB_FILE


def database_url(option: str | os.PathLike[str] | None = None) -> str:
    """--db (a file path or a SQLAlchemy URL), else $SCREENING_DB, else the per-user file."""
    given = str(option).strip() if option is not None else ""
    if not given:
        given = os.environ.get(ENV_VAR, "").strip()
    if "://" in given:
        return given
    path = Path(given).expanduser() if given else default_db_path()
    return f"sqlite:///{path.resolve()}"


def open_db(option: str | os.PathLike[str] | None = None) -> Engine:
    """An engine on the review database, with the tables created when missing."""
    url = database_url(option)
    try:
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        metadata.create_all(engine)
    except (SQLAlchemyError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise ScreeningError(
            f"cannot open the review database {_shown(url)}: {reason}; check --db or {ENV_VAR}"
        ) from None
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (the page) never block the writer
    cursor.close()


def _shown(url: str) -> str:
    """The URL without a password, for messages."""
    head, sep, tail = url.partition("://")
    if sep and "@" in tail:
        creds, _, host = tail.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{head}://{user}:***@{host}"
    return url

"""What the web page runs with: database, private data folder, list store, rule packs, limits, secret."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from screening.errors import ScreeningError
from screening.review.db import database_url, open_db

DATA_ENV = "SCREENING_WEB_DATA"
SECRET_ENV = "SCREENING_SECRET"
SECRET_FILE = "session-secret"
MB = 1024 * 1024


@dataclass
class WebConfig:
    engine: Engine
    data: Path  # private: uploads and reports, never served directly
    lists: Path | None  # list store option (None: $SCREENING_LISTS_DIR or the per-user folder)
    rules: Path  # folder of the rule packs offered on the page
    max_upload_bytes: int
    secret: bytes
    db_shown: str = ""
    session_idle_seconds: int = 8 * 3600
    session_max_seconds: int = 12 * 3600
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(cls, *, db: str | None = None, lists: Path | None = None, data: Path | None = None,
              rules: Path | None = None, max_upload_mb: int = 50) -> WebConfig:
        from screening.screen import default_rules_dir

        if max_upload_mb < 1:
            raise ScreeningError("--max-upload-mb must be at least 1")
        engine = open_db(db)
        url = database_url(db)
        folder = data or (Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else None)
        if folder is None:
            folder = (Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite:///")
                      else _default_data()) / "web"
        folder = private_folder(folder)
        return cls(
            engine=engine, data=folder, lists=lists, rules=rules or default_rules_dir(),
            max_upload_bytes=max_upload_mb * MB, secret=_secret(folder),
            db_shown=engine.url.render_as_string(hide_password=True),
        )


def private_folder(path: Path) -> Path:
    """Create `path` readable by this user only (uploads may hold personal data)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    except OSError as exc:
        raise ScreeningError(f"cannot use {path} as the web data folder: {exc.strerror or exc}; "
                             f"choose another with --data or {DATA_ENV}") from None
    return path.resolve()


def _default_data() -> Path:
    from screening.lists.store import default_root

    return default_root().parent


def _secret(folder: Path) -> bytes:
    """$SCREENING_SECRET, else a random key kept in the data folder (sessions survive a restart)."""
    env = os.environ.get(SECRET_ENV, "")
    if env:
        return env.encode()
    path = folder / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()

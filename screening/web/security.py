"""Sessions, CSRF tokens and login throttling.

Sessions are server-side rows keyed by the sha256 of a random id; the cookie carries the id signed
with the server's secret (itsdangerous), HttpOnly, SameSite=Lax, Secure over https. Every form and
every state-changing fetch carries the session's CSRF token (a form field or the X-CSRF-Token header).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import delete, insert, select, update

from screening.review.db import sessions
from screening.review.users import User, get_user
from screening.web.config import WebConfig

SESSION_COOKIE = "screening_session"
LOGIN_CSRF_COOKIE = "screening_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.signer = TimestampSigner(config.secret, salt="screening-session")
        self.login_signer = TimestampSigner(config.secret, salt="screening-login")

    def create(self, user: User) -> str:
        """A new session; returns the signed cookie value."""
        session_id = secrets.token_urlsafe(32)
        now = int(time.time())
        with self.config.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.seen < now - self.config.session_idle_seconds))
            conn.execute(insert(sessions).values(
                id_hash=_hash(session_id), user=user.name, csrf=secrets.token_urlsafe(32), created=now, seen=now))
        return self.signer.sign(session_id).decode()

    def get(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            session_id = self.signer.unsign(cookie, max_age=self.config.session_max_seconds).decode()
        except BadSignature:
            return None
        now = int(time.time())
        key = _hash(session_id)
        with self.config.engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id_hash == key)).first()
        if row is None or row.seen < now - self.config.session_idle_seconds:
            return None
        user = get_user(self.config.engine, row.user)
        if user is None:  # the account was removed
            return None
        if now - row.seen > 60:  # keep the idle clock without a write on every request
            with self.config.engine.begin() as conn:
                conn.execute(update(sessions).where(sessions.c.id_hash == key).values(seen=now))
        return Session(user, row.csrf)

    def end(self, cookie: str | None) -> None:
        if not cookie:
            return
        try:
            session_id = self.signer.unsign(cookie).decode()
        except BadSignature:
            return
        with self.config.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == _hash(session_id)))

    # ---- the login form's CSRF token (there is no session yet): a signed random value in a cookie

    def login_token(self) -> tuple[str, str]:
        """(cookie value, form token)."""
        token = secrets.token_urlsafe(24)
        return self.login_signer.sign(token).decode(), token

    def login_token_ok(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        try:
            expected = self.login_signer.unsign(cookie, max_age=3600).decode()
        except BadSignature:
            return False
        return hmac.compare_digest(expected, token)


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf, token or "")


class LoginThrottle:
    """After MAX_FAILURES wrong passwords for a name, refuse that name for LOCKOUT_SECONDS."""

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def locked(self, name: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(name.lower(), []) if now - t < LOCKOUT_SECONDS]
            self._failures[name.lower()] = recent
            return len(recent) >= MAX_FAILURES

    def failed(self, name: str) -> None:
        with self._lock:
            self._failures.setdefault(name.lower(), []).append(time.monotonic())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.lower(), None)

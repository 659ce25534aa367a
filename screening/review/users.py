"""Local accounts: names, roles, argon2id password hashes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from screening.errors import ScreeningError
from screening.review.db import users
from screening.review.time import utc_now

ROLES: tuple[str, ...] = ("analyst", "reviewer", "admin")
"""analyst: screens and proposes; reviewer: also confirms or rejects others' proposals; admin: also users."""
CONFIRMING_ROLES = frozenset({"reviewer", "admin"})
MIN_PASSWORD_CHARS = 12
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_confirm(self) -> bool:
        return self.role in CONFIRMING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def check_role(role: str) -> str:
    chosen = role.strip().lower()
    if chosen not in ROLES:
        raise ScreeningError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    return chosen


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ScreeningError(f"the password is too short: use at least {MIN_PASSWORD_CHARS} characters")


def add_user(engine: Engine, name: str, role: str, password: str) -> User:
    """Create an account; ScreeningError when the name is taken or the input is unusable."""
    if not _NAME.match(name):
        raise ScreeningError(
            f"user name {name!r} is not allowed: use letters, digits and . _ @ - (up to 100 characters)"
        )
    role = check_role(role)
    check_password(password)
    try:
        with engine.begin() as conn:
            conn.execute(insert(users).values(
                name=name, role=role, password_hash=_hasher.hash(password), created_at=utc_now()))
    except IntegrityError:
        raise ScreeningError(f"user {name!r} already exists") from None
    return User(name, role)


def set_password(engine: Engine, name: str, password: str) -> None:
    check_password(password)
    with engine.begin() as conn:
        done = conn.execute(update(users).where(users.c.name == name).values(password_hash=_hasher.hash(password)))
    if not done.rowcount:
        raise ScreeningError(f"no user {name!r}; create it with: screening users add {name} --role analyst")


def get_user(engine: Engine, name: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users.c.name, users.c.role).where(users.c.name == name)).first()
    return User(row.name, row.role) if row else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        rows = conn.execute(select(users.c.name, users.c.role).order_by(users.c.name)).all()
    return [User(r.name, r.role) for r in rows]


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The user when the password is right, else None (the same answer for an unknown name)."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        _hasher.hash(password)  # spend the same time, so timing does not tell which names exist
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.name == name).values(password_hash=_hasher.hash(password)))
    return User(row.name, row.role)

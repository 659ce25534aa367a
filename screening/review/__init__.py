"""Review: local users, the append-only decision log with four eyes, and decisions re-applied to new runs.

Modules: db (tables, where the database is), users (accounts, argon2), decisions (four eyes over the
append-only log), keys (supplier and hit keys), suppress (apply_decisions), importer (xlsx reports).
Imported lazily, so `screening users ...` does not pay for the country tables and the engine.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "open_db": "db", "database_url": "db",
    "User": "users", "ROLES": "users", "add_user": "users", "authenticate": "users",
    "DECISIONS": "decisions", "Forbidden": "decisions", "HitContext": "decisions", "ReviewError": "decisions",
    "confirm": "decisions", "propose": "decisions", "reject": "decisions",
    "apply_decisions": "suppress",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from importlib import import_module

        return getattr(import_module(f"screening.review.{_EXPORTS[name]}"), name)
    raise AttributeError(name)


__all__ = sorted(_EXPORTS)

"""UTC timestamps for the decision log."""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    """ISO 8601 UTC with microseconds, so events in the same second keep their order when sorted."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")

"""`since` as people write it: a duration back from now (30m, 24h, 7d) or an ISO-8601 time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from doctor.errors import InvalidParameter

_AGO = re.compile(r"(\d{1,6})([mhd])", re.IGNORECASE)
_UNIT = {"m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The UTC time `text` names; InvalidParameter saying both accepted forms otherwise."""
    now = now or datetime.now(UTC)
    text = text.strip()
    if match := _AGO.fullmatch(text):
        return now - timedelta(**{_UNIT[match.group(2).lower()]: int(match.group(1))})
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameter(
            f"since {text[:40]!r} is neither a duration nor a time.",
            hint="Use a duration back from now (30m, 24h, 7d) or ISO-8601 (2026-11-26T08:00:00Z).",
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)

"""`since` as people write it: a duration back from now (30m, 24h, 7d) or an ISO-8601 time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from doctor.errors import InvalidParameter

_DURATION = re.compile(r"(\d{1,7})([mhd])", re.IGNORECASE)
_MINUTES = {"m": 1, "h": 60, "d": 1440}


def duration_minutes(text: str) -> int | None:
    """`30m`, `2h`, `1d` in minutes; None when `text` is not written that way. The one grammar
    of durations: `--since`, `?since=` and the Slack command's window."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    return int(match.group(1)) * _MINUTES[match.group(2).lower()]


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The UTC time `text` names; InvalidParameter saying both accepted forms otherwise."""
    now = now or datetime.now(UTC)
    text = text.strip()
    minutes = duration_minutes(text)
    if minutes is not None:
        return now - timedelta(minutes=minutes)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameter(
            f"since {text[:40]!r} is neither a duration nor a time.",
            hint="Use a duration back from now (30m, 24h, 7d) or ISO-8601 (2026-11-26T08:00:00Z).",
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)

"""Timestamp parsing for logs: ISO-8601 variants and epoch numbers, always returned in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

ZONE_STEP = timedelta(minutes=15)  # the least two time zones' clocks differ by


def to_utc(stamp: datetime) -> datetime:
    """Naive stamps are taken as UTC: servers and CloudWatch log in UTC."""
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def parse_epoch(value: float) -> datetime | None:
    """Seconds, milliseconds, microseconds or nanoseconds since the epoch, told by magnitude."""
    if value > 1e17:
        value /= 1e9
    elif value > 1e14:
        value /= 1e6
    elif value > 1e11:
        value /= 1e3
    if value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_timestamp(text: str) -> datetime | None:
    """ISO-8601 as loggers write it ("T" or space, "," or "." fractions, Z / +hh:mm / UTC)."""
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit() and text.replace(".", "", 1).isdigit():
        return parse_epoch(float(text))
    if text.endswith((" UTC", " GMT")):
        text = text[:-4] + "+00:00"
    elif text.endswith(("UTC", "GMT")):
        text = text[:-3] + "+00:00"
    if "," in text:
        text = text.replace(",", ".", 1)
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        return None

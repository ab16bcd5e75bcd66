"""The zone a paste's leading notes name ("# all hosts on America/Chicago local time, CDT =
UTC-5"): the zone-less times below them are that zone's (see `clocks`). Notes that name two
zones ("clock Europe/Berlin" for one host, "APP_TIMEZONE=UTC" for another) tell none, as no
line says which of them is whose.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NOTE_LINES = 10  # the notes a paste opens with, at most
_NOTE = "#"
# An IANA zone's name ("America/Chicago", "America/Argentina/Buenos_Aires")
_IANA = re.compile(
    r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)"
    r"/[A-Z][A-Za-z_-]+(?:/[A-Z][A-Za-z_-]+)?"
)
# "UTC-5", "GMT+02:00", "UTC" alone
_OFFSET = re.compile(r"\b(?:UTC|GMT)(?: ?([+\-\u2212]) ?(\d{1,2})(?::?([0-5]\d))?)?(?![\w:+-])")
_FULL_DATE = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")


def noted_zone(lines: list[str]) -> timedelta | None:
    """How far ahead of UTC the zone a paste's leading notes name is; None when they name
    none, or more than one."""
    notes = []
    for line in lines:
        if line.startswith(_NOTE):
            notes.append(line)
        elif line.strip() or len(notes) >= NOTE_LINES:
            break
    if not notes:
        return None
    at = _first_date(lines) or datetime.now(UTC)
    zones: set[timedelta] = set()
    for note in notes:
        for found in _OFFSET.finditer(note):
            sign, hours, minutes = found.groups()
            offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
            zones.add(offset if sign == "+" else -offset)
        for name in _IANA.findall(note):
            try:
                named = ZoneInfo(name).utcoffset(at)
            except (ZoneInfoNotFoundError, ValueError):  # no such zone, or no database
                continue
            if named is not None:
                zones.add(named)
    return zones.pop() if len(zones) == 1 else None


def _first_date(lines: list[str]) -> datetime | None:
    """The first full date among the lines: a zone's offset on that day (summer time)."""
    for line in lines:
        if (found := _FULL_DATE.search(line)) is not None:
            try:
                year, month, day = map(int, found.groups())
                return datetime(year, month, day, 12, tzinfo=UTC)
            except ValueError:
                continue
    return None

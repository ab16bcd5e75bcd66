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
# What makes a note about the times below it, not a zone named in passing ("a customer in
# Europe/Berlin reports ..."): the hosts' clocks, their local time, a zone's equation
_ABOUT_TIMES = re.compile(
    r"\blocal ?time|\bclocks?\b|time[ _]?zones?\b|\bTZ\b|_TZ\b|\btimestamps?\b|"
    r"\b(?:all )?times (?:are|in)\b|\bhosts? (?:on|in|are|run)\b|\b[A-Z]{3,5} ?= ?(?:UTC|GMT)",
    re.IGNORECASE,
)
_FULL_DATE = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)(?!\d)")
_MOST = timedelta(hours=14)  # no zone is farther from UTC


def noted_zone(lines: list[str], now: datetime) -> timedelta | None:
    """How far ahead of UTC the zone a paste's leading notes name is; None when they name
    none, or more than one."""
    notes = []
    for line in lines:
        if line.startswith(_NOTE):
            if _ABOUT_TIMES.search(line) is not None:
                notes.append(line)
        elif line.strip() or len(notes) >= NOTE_LINES:
            break
    if not notes:
        return None
    at = _first_date(lines) or now
    zones: set[timedelta] = set()
    for note in notes:
        for found in _OFFSET.finditer(note):
            sign, hours, minutes = found.groups()
            offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
            if offset <= _MOST:
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

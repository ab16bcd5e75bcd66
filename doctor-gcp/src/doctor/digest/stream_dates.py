"""A stream's dates, read from its first lines: the year its year-less times are in, and the
day a time of day alone is first placed on."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .json_keys import record_time
from .jsonlog import json_record
from .zones import Timed

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before any log: a date this early dates nothing
# A date with its year in a line's head ("2025-07-08 06:48:13", "2025/07/08T06:48"): the
# stream's year, for its year-less times
_FULL_DATE = re.compile(r"\b(\d{4})[-/](\d\d)[-/](\d\d)[T ](\d\d):(\d\d)")
_HEAD_CHARS = 80
_HALF_A_YEAR = timedelta(days=182)
_DATED_LINES = 3  # ... where at least this many lines (and a tenth of them) show that year


def years_before(sample: list[str], now: datetime) -> datetime | None:
    """What a stream's year-less times (syslog's, klog's) are placed before: half a year after
    the latest full date in the heads of its first lines (`latest_date`), so they fall in the
    year nearest its dated lines (a log of last year's July read today), and never after
    `now`; None where no year heads them."""
    return years_after(latest_date(sample), now)


def years_after(latest: datetime | None, now: datetime) -> datetime | None:
    """`years_before` from the latest date already found (`latest_date`)."""
    return None if latest is None else min(now, latest + _HALF_A_YEAR)


def latest_date(sample: list[str]) -> datetime | None:
    """The latest full date in the heads of a stream's first lines, of a year whose dates head
    many lines (a date inside one message names no log's year)."""
    dates: dict[int, list[datetime]] = {}
    for line in sample:
        if (found := _FULL_DATE.search(line, 0, _HEAD_CHARS)) is not None:
            try:
                year, month, day, hour, minute = map(int, found.groups())
                stamp = datetime(year, month, day, hour, minute, tzinfo=UTC)
            except ValueError:  # no such day
                continue
            dates.setdefault(year, []).append(stamp)
    least = max(_DATED_LINES, len(sample) // 10)
    latest = max((max(found) for found in dates.values() if len(found) >= least), default=None)
    return None if latest is None or latest < EARLIEST else latest


def first_dated(sample: list[str], timed: list[Timed | None]) -> datetime | None:
    """The first dated time among a stream's first lines: a head's (`timed`) or a JSON
    record's."""
    for line, read in zip(sample, timed, strict=True):
        if read is not None and not read.clock:
            return read.time
        text = line.strip()
        obj = json_record(text) if text[:1] == "{" and text[-1:] == "}" else None
        if obj is not None and (stamp := record_time(obj)) is not None:
            return stamp
    return None

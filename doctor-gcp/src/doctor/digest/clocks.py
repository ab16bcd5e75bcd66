"""The zone of a pasted section whose times name none, told by the paste's other sections.

A paste of several files (`tail`'s `==> file <==`) or commands (`$ kubectl …`) holds each
source's lines in a block of their own, so the lines around a zone-less time
(`zones.neighbour_zones`) are its own source's and tell nothing. But an incident's sources
were all writing during the same hour. Where a section's zone-less times lie apart from the
paste's zoned times (those that name their zone, an epoch's, a JSON record's), and one
whole-hour zone's shift puts most of them among those and ends them with those, the section's
host wrote in that zone (a BIND or Apache host on local time beside services logging in UTC).
A section already among them is read as UTC, as before.

The parser reads a paste's first lines twice: once noting which lines' times were read without
a zone (`Clocks.noting`), then for real, each section's zone-less times shifted by its zone.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from .types import LogEvent
from .zones import ZONES

# A section: the command's output it is in (its number, 0 before the first), and its file
SectionKey = tuple[int, str | None]

MIN_TIMES = 20  # a section, and the paste's zoned times, hold this many times at least
MARGIN = timedelta(minutes=5)  # around the zoned times' span
APART = 0.2  # at most this share of a section's times among the zoned ones: not UTC's
AMONG = 0.6  # at least this share among them once shifted by its zone (the sections
# need not span the same minutes: `kubectl logs --since=45m` beside a 20-minute journal)
ENDS = timedelta(minutes=15)  # ... and end this near the zoned times' end
LONG = 0.5  # a section over this share of the zoned times' span is long (its end tells)
# Whole hours only: a section a quarter or half an hour apart from the others is more often a
# command run later than a host in India or Newfoundland
_HOUR = timedelta(hours=1)
_SHIFTS = [_HOUR * k for k in range(-int(ZONES / _HOUR), int(ZONES / _HOUR) + 1) if k]
# A time of day alone was put on the day nearest its neighbours', so +14 h and -10 h put it
# at the same moment: its section is only shifted by the zones that cannot be mistaken (±12 h)
_CLOCK_SHIFTS = [shift for shift in _SHIFTS if abs(shift) <= 12 * _HOUR]


class Clocks:
    """A paste's sections and the zone of each section's zone-less times."""

    def __init__(
        self, zones: dict[SectionKey, timedelta] | None = None, noted: timedelta | None = None
    ) -> None:
        self.zones = zones  # None while noting
        self.noted = noted or timedelta(0)  # the zone the paste's notes name (`notes`)
        self.naive: set[int] = set()  # the lines whose time was read without a zone
        self.borrowed: set[int] = set()  # the events that took the time of a line before
        self.clocks: set[int] = set()  # the naive lines whose time was a time of day alone
        self.starts: list[tuple[int, SectionKey]] = [(0, (0, None))]

    @property
    def noting(self) -> bool:
        return self.zones is None

    def zone(self, key: SectionKey) -> timedelta:
        return self.zones.get(key, self.noted) if self.zones is not None else timedelta(0)

    def told(self, events: Iterable[LogEvent]) -> dict[SectionKey, timedelta]:
        """Each section's zone, from the events of the noting pass."""
        firsts = [line for line, _ in self.starts]
        naive: dict[SectionKey, list[datetime]] = {}
        zoned: list[datetime] = []
        clocked: set[SectionKey] = set()
        for event in events:
            if event.timestamp is None or event.first_line in self.borrowed:
                continue
            if event.first_line in self.naive:
                key = self.starts[bisect_right(firsts, event.first_line) - 1][1]
                naive.setdefault(key, []).append(event.timestamp)
                if event.first_line in self.clocks:
                    clocked.add(key)
            else:
                zoned.append(event.timestamp)
        return section_zones(naive, zoned, clocked)


def section_zones(
    naive: dict[SectionKey, list[datetime]],
    zoned: list[datetime],
    clocked: Collection[SectionKey] = frozenset(),
) -> dict[SectionKey, timedelta]:
    """How far ahead of UTC each section's zone-less times are, where the zoned times tell
    (see the module's docstring): zero for a section among them already (UTC's, whatever a
    note says); sections they do not tell are left out."""
    if len(zoned) < MIN_TIMES:
        return {}
    ordered = sorted(zoned)
    # the span most zoned times fall in (a stray date, far off, widens nothing)
    low = ordered[len(ordered) // 20] - MARGIN
    high = ordered[-1 - len(ordered) // 20] + MARGIN
    found: dict[SectionKey, timedelta] = {}
    for key, unsorted in naive.items():
        if len(unsorted) < MIN_TIMES:
            continue
        times = sorted(unsorted)

        def among(shift: timedelta, times: list[datetime] = times) -> float:
            inside = bisect_right(times, high + shift) - bisect_left(times, low + shift)
            return inside / len(times)

        if among(timedelta(0)) > APART:
            found[key] = timedelta(0)
            continue
        shifts = _CLOCK_SHIFTS if key in clocked else _SHIFTS
        shares = sorted(((among(shift), shift) for shift in shifts), reverse=True)
        (best, _), (second, _) = shares[0], shares[1]
        # Sources pasted together were written until about the same moment: a log that ended
        # hours before the others (a service that crashed) is no other zone's. Zones an hour
        # apart cannot both end a section within `ENDS` of the zoned times: that tells them
        # apart where a long section is among the zoned times in either (a journal of three
        # hours beside three hours of UTC lines); a short one's end tells nothing (it may have
        # stopped early), so a short one needs a zone clearly better than the next.
        first, last = times[len(times) // 20], times[-1 - len(times) // 20]
        fits = [
            shift
            for shift in shifts
            if among(shift) >= AMONG and abs(last - shift - (high - MARGIN)) <= ENDS
        ]
        long = last - first >= (high - low - 2 * MARGIN) * LONG
        if fits and (long or second <= best / 2):
            found[key] = fits[0]
    return found

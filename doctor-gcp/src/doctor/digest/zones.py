"""The zone of times that name none (syslog's, nginx's error log: a host's local time), told
by times that do.

Two ways, each read from a stream's first lines: a syslog head's time against the zoned time
in its own line (`service_heads._local_zone`), and a source's naive times against the zoned
times of the lines around them (`neighbour_zones`): `tail -f` of several files, docker compose
and the like print lines as they are written, so neighbours were written moments apart.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from .timestamps import ZONE_STEP

ZONES = timedelta(hours=14)  # the farthest any zone is from UTC
NEAR_LINES = 4  # a zoned line this near a naive one was written at about the same moment
SLACK = timedelta(minutes=2)  # ... so its offset is this near a zone's step
MIN_NEIGHBOURS = 3  # and as many lines agree, at least
_DAY = timedelta(days=1)


def zone_step(offset: timedelta) -> timedelta:
    """An offset rounded to the quarter hour zones step by."""
    return ZONE_STEP * round(offset / ZONE_STEP)


def agreed(offsets: Counter[timedelta], least: int = 1) -> timedelta:
    """The zone most offsets agree on (two thirds of them, and at least `least`), else none
    (UTC)."""
    return agreement(offsets, least) or timedelta(0)


def agreement(offsets: Counter[timedelta], least: int = 1) -> timedelta | None:
    """As `agreed`, but None where the offsets agree on no zone, so UTC agreed on is told."""
    if not offsets:
        return None
    zone, count = offsets.most_common(1)[0]
    return zone if count >= least and 3 * count >= 2 * offsets.total() else None


class Timed(NamedTuple):
    source: str | None
    time: datetime  # as read: a naive time as if UTC
    zoned: bool
    clock: bool = False  # a time of day alone, on a guessed day: only its time of day counts
    record: bool = False  # a JSON record's stated time


def neighbour_zones(timed: Sequence[Timed | None]) -> dict[str | None, timedelta]:
    """Per source whose times name no zone, how far ahead of UTC they are, where the zoned
    times of the lines near its own agree on a zone's step (`timed`: the stream's first lines
    in order, None for a line without a time; a time of day alone counts by its time of day).
    Zero offsets count as agreement too: a source in UTC beside a zoned one is told it is in
    UTC, so no note naming the other hosts' zone moves it."""
    zoned_at = {i: line for i, line in enumerate(timed) if line is not None and line.zoned}
    if not zoned_at:
        return {}
    zoned = list(zoned_at)  # (in line order)
    # A bare stream's writers share one source (None): there a record's writer, or a time of
    # day's, is not the naive lines' writer, and the zone they told would move the others'.
    texts = [i for i, line in zoned_at.items() if not line.record]
    votes: dict[str | None, Counter[timedelta]] = {}
    for i, line in enumerate(timed):
        if line is None or line.zoned or (line.source is None and line.clock):
            continue
        before, after = _around(texts if line.source is None else zoned, i)
        where = (
            after if before is None or (after is not None and after - i <= i - before) else before
        )
        if where is None or abs(where - i) > NEAR_LINES:
            continue
        near = zoned_at[where]
        if (line.clock or near.record) and not (
            before is not None and after is not None and after - before <= 2 * NEAR_LINES
        ):
            # these need the line among zoned ones, as an interleaved stream has it, not at
            # the edge of a whole log pasted after another (whose gap may look like a zone)
            continue
        offset = line.time - near.time
        if line.clock:  # the same moment on whichever day: the nearest (zones are ±14 h)
            offset -= _DAY * round(offset / _DAY)
        step = zone_step(offset)
        if abs(offset - step) <= SLACK and abs(step) <= ZONES:
            votes.setdefault(line.source, Counter())[step] += 1
    zones = {source: agreement(counted, MIN_NEIGHBOURS) for source, counted in votes.items()}
    return {source: zone for source, zone in zones.items() if zone is not None}


def _around(indices: list[int], i: int) -> tuple[int | None, int | None]:
    """The nearest of `indices` (sorted) before `i` and after it."""
    at = bisect_left(indices, i)
    return (indices[at - 1] if at else None), (indices[at] if at < len(indices) else None)

"""The heads of a stream's lines, learned per aggregated service, and a line's head read with them.

Heads are learned per source (`headers`), behind an aggregator prefix per service (`prefixes`)
from the first lines of the stream, so a line's time, level and service become fields and its
message is what is mined. `tail` of several files marks each file's lines with a header line
("==> /var/log/nginx/error.log <=="): each file is a source of its own, learned from its first
lines.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

from . import beam, headers, prefixes
from .anatomy import (
    EXCEPTION_CLASS,
    GO_CRASH_STARTS,
    GOROUTINE_HEADER,
    OMITTED_FRAMES,
    STACK_CONTINUATIONS,
)
from .banners import section_service, tailed_file
from .head_model import Head
from .head_tokens import LEVEL_KEYS, TIME_KEYS
from .headers import Heads
from .json_keys import record_stamp
from .jsonlog import json_record
from .kernel import without_printk_time
from .stream_dates import EARLIEST, first_dated, years_before
from .wrapped import wrapped_line
from .zones import MIN_NEIGHBOURS, ZONES, Timed, agreed, neighbour_zones, zone_step

# A source whose lines start records with a head often enough (several formats interleaved
# count too) tells a line without one for the continuation it is.
HEADED = 0.25

# Lines that open a crash or a stack: read as they are, never as a head ("panic:" is no level).
NOT_A_HEAD = (*GO_CRASH_STARTS, *STACK_CONTINUATIONS)


def _headless(line: str) -> bool:
    """A line that continues a stack rather than starting a record: heads are not learned
    from it."""
    return (
        not line.strip()
        or line[0] in " \t"
        or line.startswith((*STACK_CONTINUATIONS, *GO_CRASH_STARTS, *beam.HEADLESS))
        or GOROUTINE_HEADER.match(line) is not None
        or OMITTED_FRAMES.match(line) is not None
        or EXCEPTION_CLASS.match(line) is not None
    )


# The parts of a PostgreSQL error below its first line, as the server or libpq (in a client's
# exception) prints them: never a record of their own without a time.
ERROR_DETAILS = ("DETAIL:", "HINT:", "STATEMENT:", "CONTEXT:", "QUERY:", "LOCATION:")


# The key of a prefix's zone-less time among the sources whose zone neighbours tell (no
# service's name holds a NUL)
PREFIX_TIME = "\x00prefix"
_DAY = timedelta(days=1)


# A logfmt record's head (Go's slog and logrus, go-kit, Grafana): its first keys name its time
# or its level ("time=2026-01-01T00:00:10Z level=INFO msg=..."). A record of its own, even in a
# source whose heads were learned from other formats.
_LOGFMT_HEAD = re.compile(
    r"(?:[\w.-]+=(?:\"[^\"]*\"|\S*)[ \t]+){0,3}"
    rf"(?:{TIME_KEYS}\"?\d{{4}}-\d\d-\d\d|{LEVEL_KEYS}\"?"
    r"(?i:trace|debug|info|notice|warn|warning|error|err|fatal|panic|crit|critical)\b)"
)


class ServiceHeads:
    """The parser's head reading: a base class, so the parser calls these methods as its own
    (`self._has_head`), with no extra lookup per line."""

    def __init__(self, now: datetime) -> None:
        self._now = now
        self._years = now  # year-less times are placed before it (see `_learn`)
        # ... where a section's own first lines show no year: the year of the input's first
        # lines read ahead (a file at hand), else of its first lines
        self._stream_years: datetime | None = None
        self._stream_dated: datetime | None = None  # ... and their latest date
        self._prefix: prefixes.Prefix | None = None
        self._heads: dict[str | None, Heads] = {}  # per aggregated service
        self._headed: dict[str | None, bool] = {}  # most of its lines start with a head
        # A tailed file's lines are a source of their own, keyed by its path (`_file`, the
        # current one): its service is the one a line names, else the file's.
        self._file: str | None = None
        self._files: dict[str, str] = {}  # path -> the service the file names
        # A prefix's source (a syslog file's host, program and pid) -> its service, whose
        # heads it reads with
        self._sources: dict[str, str | None] = {}
        self._zone = timedelta(0)  # how far ahead of UTC the prefix's zone-less times are
        self._zones: dict[str | None, timedelta] = {}  # per source, told by its neighbours
        self._prefix_utc = False  # the prefix's zone-less times, told UTC by their neighbours
        # The day a time of day alone is on: the last time read since a dated one (at first,
        # the first dated one among the stream's first lines), which Elixir's lines sit among
        self._dated: datetime | None = None

    def _learn(self, sample: list[str]) -> None:
        told = self._zone  # by a section before this one (a host's zone stays its own)
        self._years = years_before(sample, self._now) or self._stream_years or self._now
        self._prefix = prefixes.learn(sample, self._years)
        # each line as its prefix reads it, once
        tagged = [self._prefix.read(line) for line in sample] if self._prefix else []
        bodies: list[tuple[str | None, str]] = (
            [(t.service, t.body) for t in tagged] if tagged else [(None, line) for line in sample]
        )
        by_service: dict[str | None, list[str]] = {}
        for found, line in bodies:
            service, body = found, without_printk_time(line)
            if body[:1] == "{" and (wrapped := wrapped_line(body)):
                # a record that wraps a line: the line's heads are its writer's service's
                service, body = wrapped.service or found, wrapped.text
            if _headless(body) or body.lstrip().startswith("{"):
                continue
            by_service.setdefault(service, []).append(body)
        for service, lines in by_service.items():
            self._learn_service(service, lines)
        self._zone = self._local_zone(tagged)
        timed = self._sample_times(sample, tagged)
        self._zones = neighbour_zones(timed)
        # A section whose first lines date nothing (times of day alone, pasted below another
        # source's dated lines) is on the day of the last time read before it where the stream
        # is older than half a year (its year guess is not now): then today is surely wrong,
        # where for a paste of recent logs today is the likelier day. Opening the input, above
        # the dated lines, it is on the day of their latest dates read ahead, whatever their
        # age: a paste's sources were written over the same hours.
        opening = self._stream_dated if self._dated is None else None
        carried = self._dated if self._years < self._now else None
        self._dated = first_dated(sample, timed) or carried or opening
        prefix_zone = self._zones.pop(PREFIX_TIME, None)
        if not self._zone and prefix_zone:  # no line of its own named the syslog times' zone
            self._zone = prefix_zone
        # its neighbours show the prefix's times in UTC: no note or section zone moves them
        self._prefix_utc = prefix_zone is not None and not prefix_zone
        if not self._zone and self._prefix is not None:
            self._zone = self._stated_zone(self._prefix, sample) or told

    def _sample_times(self, sample: list[str], tagged: list[prefixes.Tagged]) -> list[Timed | None]:
        """The dated time of each of the stream's first lines as its own head gives it, and
        whose line it is: its file's (`tail`), its prefix's service, or the stream's."""
        timed: list[Timed | None] = []
        file: str | None = None
        for at, line in enumerate(sample):
            if (path := tailed_file(line)) is not None:
                file = path
                timed.append(None)
                continue
            source, body, service = file, line, None
            if tagged:
                read = tagged[at]
                if read.naive and read.time is not None:  # syslog's own time is the line's
                    timed.append(Timed(PREFIX_TIME, read.time, zoned=False))
                    continue
                source, body, service = read.service or file, read.body, read.service
            text = body.strip()
            if text[:1] == "{" and text[-1:] == "}":
                # a record's own zoned time tells its neighbours' zone (its naive one is not
                # moved: records keep the time they state)
                obj = json_record(text)
                stated = record_stamp(obj) if obj is not None else None
                timed.append(
                    Timed(source, stated[0], True, record=True) if stated and stated[1] else None
                )
                continue
            head = headers.read_alone(without_printk_time(body), self._years)
            if head.timestamp is None and (heads := self._heads.get(service)) is not None:
                head = heads.read(body)  # a stamp behind the source's own head ("[Nest] 1  - ")
            stamp = head.timestamp
            timed.append(
                None if stamp is None else Timed(source, stamp, head.zoned, not head.dated)
            )
        return timed

    def _on_the_day(self, clock: datetime) -> datetime:
        """A time of day alone (placed on a guessed day) on the day nearest the last time read
        since a dated one: a log's time-only lines were written among its dated ones, not
        today. (An anchor before 2000 or ahead of now, a record's `"time": 12`, dates none.)"""
        anchor = self._dated
        if anchor is None or not EARLIEST <= anchor <= self._now + _DAY:
            return clock
        return clock + _DAY * round((anchor - clock) / _DAY)

    def _zone_of(self, agg: str | None) -> timedelta | None:
        """How far ahead of UTC a source's zone-less times are, where neighbours told (zero
        where they told it is in UTC); None where they did not."""
        source = self._sources.get(agg, agg) if agg is not None else agg
        return self._zones.get(source)

    def _local_zone(self, tagged: list[prefixes.Tagged]) -> timedelta:
        """How far ahead of UTC a stream's syslog times are (a host's local time: syslog
        names no zone), told by its lines whose own head names both the time and the zone
        ("Sep  2 15:47:14 web-01 apache: ... [02/Sep/2026:15:47:14 +0200]"): where most agree
        on a zone's step."""
        offsets: Counter[timedelta] = Counter()
        for line in tagged:
            if not line.naive or line.time is None:
                continue
            heads = self._heads.get(line.service)
            read = heads.read(line.body) if heads is not None else None
            if read is not None and read.timestamp is not None and read.zoned and read.dated:
                offset = line.time - read.timestamp
                if abs(offset) <= ZONES:  # else the two times are not of one moment
                    offsets[zone_step(offset)] += 1
        return agreed(offsets)

    @staticmethod
    def _stated_zone(prefix: prefixes.Prefix, sample: list[str]) -> timedelta:
        """The zone the prefix's own zoned times name, where most agree: a host's journal
        printed with zones (short-iso) and then without (`short`, as `systemctl status`
        prints it) is in one local zone."""
        stated = (prefix.stated_offset(line) for line in sample)
        return agreed(Counter(zone_step(o) for o in stated if o is not None), MIN_NEIGHBOURS)

    def _learn_service(self, service: str | None, bodies: list[str]) -> None:
        heads = self._heads[service] = Heads.learn(bodies, self._years)
        self._headed[service] = heads.learned or (
            sum(self._has_head(service, body) for body in bodies) >= HEADED * len(bodies)
        )

    def _tail_file(self, path: str, ahead: list[str]) -> None:
        """The lines from here on are `path`'s: its heads are learned from its lines `ahead`
        the first time it shows (`tail -f` prints each file's new lines under its header
        again, a few at a time: all of them that are ahead count)."""
        self._file = path
        if path in self._files:
            return
        self._files[path] = section_service(path)
        lines: list[str] = []
        current = path
        for line in ahead:
            if (header := tailed_file(line)) is not None:
                current = header
                continue
            if current != path:
                continue
            body = self._prefix.split(line)[1] if self._prefix else line  # as `_learn` does
            if not _headless(body) and not body.lstrip().startswith("{"):
                lines.append(body)
        if lines:  # none to tell from: read as lines alone are
            self._learn_service(path, lines)

    def _source(self, source: str, service: str | None) -> str:
        """The key of a prefix's source, its heads being its service's (learned or not)."""
        if source not in self._sources:
            self._sources[source] = service
            heads = self._heads.get(service)
            if heads is None:  # a service first seen after the sample
                heads = self._heads[service] = Heads([], self._years)
            self._heads[source] = heads
            self._headed[source] = self._headed.get(service, False)
        return source

    def _named(self, agg: str | None, found: str | None) -> str | None:
        """An event's service: the prefix's name, else the one its line names, else its
        file's."""
        if self._sources and agg in self._sources:
            agg = self._sources[agg]
        file = self._files.get(agg) if agg is not None and self._files else None
        return (found or file) if file is not None else (agg or found)

    def _has_head(self, service: str | None, body: str) -> bool:
        """Whether a line starts a record of its own: JSON, logfmt keys, the source's head, or a
        time. (A level word alone does not: "DETAIL:  ..." continues a PostgreSQL error, and so
        does "HINT:  ..." below an exception even where heads are a level alone, as uvicorn's.)"""
        if body.lstrip().startswith("{") or _LOGFMT_HEAD.match(body) is not None:
            return True
        heads = self._heads.get(service)
        if heads is not None and not body.startswith(ERROR_DETAILS) and heads.fits(body):
            return True
        return headers.read_alone(body, self._years).timestamp is not None

    def _head(self, service: str | None, body: str) -> Head:
        if body.startswith(NOT_A_HEAD):
            return Head(body, fitted=False)  # "panic: ..." is a crash, not a level word
        heads = self._heads.get(service)
        if heads is None:  # a service first seen after the sample
            heads = self._heads[service] = Heads([], self._years)
        return heads.read(body)

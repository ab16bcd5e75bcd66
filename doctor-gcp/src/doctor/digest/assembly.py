"""Events as the parser opens them from a line, closes them, and hands them on in order.

Streams interleave services: each aggregated service has its own open event, and events are
handed on in the order of their first line, whichever closed first.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from . import kernel
from .clocks import Clocks
from .head_model import Head
from .jsonlog import json_event, record_event
from .levels import at_least
from .pending import OpenEvent
from .reading import ParseStats
from .redact import Redactor
from .service_heads import ServiceHeads
from .textlog import text_level
from .timestamps import ZONE_STEP, to_utc
from .types import Level, LogEvent
from .winevent import event_record

# What a JSON object's text opens with: a brace, then a key or its end
_JSON_OPEN = re.compile(r'\{\s*["}]')
_SKEW = timedelta(seconds=1)  # services' clocks and an aggregator's batches disagree this much
_ANY = "\x00"  # the stream's own last time, beside each service's (no name holds a NUL)


def _gives_way(head: Head, stamp: datetime | None) -> bool:
    """Whether the aggregator's or the record's time stands for the head's: a time of day
    alone (Elixir's Logger) is placed on a guessed day, and a time without its zone was read
    as UTC (it is another zone's where they disagree by a zone's step)."""
    if head.timestamp is None or stamp is None or (head.dated and head.zoned):
        return False
    return not head.dated or abs(head.timestamp - to_utc(stamp)) >= ZONE_STEP


class EventAssembler(ServiceHeads):
    """The parser's open events and the finished ones not yet handed on: a base class, so the
    parser calls these methods as its own, with no extra lookup per line."""

    def __init__(self, redactor: Redactor, now: datetime) -> None:
        super().__init__(now)
        self.redactor = redactor
        self.stats = ParseStats()
        self._index = 0
        self._open: dict[str | None, OpenEvent] = {}
        self._last_stamp: dict[str | None, datetime] = {}  # per stream: the latest time read
        self._timed = self._disorder = 0  # events with a time; those earlier than the last
        self._done: list[tuple[int, int, LogEvent]] = []  # heap by first line
        self._order = 0
        # per service: the stream and number of its last line, when the runtime split it
        self._split: dict[str | None, tuple[str | None, int]] = {}
        # A paste's sections and their zones (`clocks`): the lines whose time names no zone,
        # while noting; the zone of the section being read, once told
        self._clocks: Clocks | None = None
        self._noting: Clocks | None = None
        self._shift = timedelta(0)

    # --- opening

    def _start(
        self,
        agg: str | None,
        number: int,
        body: str,
        stamp: datetime | None,
        *,
        redacted: bool = False,
        floor: Level | None = None,
    ) -> None:
        """Open the event a line starts. `floor`: the least level its prefix says it has (a
        syslog severity) raises the level read from a line's words, never the one its head or
        JSON fields state."""
        stripped = body.strip()
        if (stripped[-1] == "}" or stripped.endswith("},")) and self._json_start(
            agg, number, stripped, stamp, floor
        ):
            return
        if stripped[-1] == ">" and (record := event_record(stripped)) is not None:
            pending = record_event(number, record, lambda t: self._head(agg, t), floor)
            self._open_record(agg, pending, stamp, None)
            return
        # Redacted whole, before its head is cut off: the words before a secret ("password=",
        # "SecretAccessKey": ) are what tells the redactor it is one.
        if not redacted:
            body = self.redactor.redact(body)
        head = self._head(agg, body)
        level = head.level  # a level the head states is never raised
        if level is None and (level := text_level(head.message)) is not None:
            level = at_least(level, floor)
        if level is Level.INFO and kernel.logged_as_error(body):
            level = Level.ERROR
        message = head.message if head.message.strip() else body
        if message[:1] == "[":  # a kernel line behind a head: its printk time is no message
            message = kernel.without_printk_time(message)
        timestamp = None if _gives_way(head, stamp) else head.timestamp
        clock = False  # a time of day alone, placed on the day of the lines around it
        if timestamp is not None and not head.dated:
            timestamp = self._in_zone(agg, number, timestamp, False, None)
            if self._noting is not None and number in self._noting.naive:
                self._noting.clocks.add(number)  # its day is a guess (see `clocks`)
            timestamp, clock = self._on_the_day(timestamp), True
        if timestamp is not None and head.dated and (self._zones or self._clocks is not None):
            timestamp = self._in_zone(agg, number, timestamp, head.zoned, stamp)
        service = self._named(agg, head.service)
        pending = OpenEvent.opening(number, message, level, timestamp, service)
        pending.floor = floor  # raises the level its words give, when it names none
        pending.redacted = True  # its first line is; the rest when it closes
        # "... LoggingFailureAnalysisReporter : " then the report: the message is below.
        headed = head.fitted or head.timestamp is not None
        pending.follows = headed and (not head.message.strip() or message.rstrip().endswith(":"))
        pending.bare = headed and not head.message.strip()
        pending.mark(message)  # a stack may start the event (bare tracebacks, Go panics)
        self._open_event(agg, pending, stamp, clock=clock)

    def _in_zone(
        self, agg: str | None, number: int, timestamp: datetime, zoned: bool, stamp: datetime | None
    ) -> datetime:
        """A head's time, in UTC: one that names no zone is in its host's (told by its
        neighbours, `zones`), or its section's (`clocks`)."""
        noting = self._noting
        if zoned:
            if noting is not None:  # (a syslog prefix's zone-less time gave way)
                noting.naive.discard(number)
        elif self._zones and (zone := self._zone_of(agg)) is not None:
            timestamp -= zone  # (none where its neighbours show UTC: no note moves it)
        elif stamp is not None:
            pass  # it agrees with the prefix's time, read in its zone already
        elif self._shift:
            timestamp -= self._shift
        elif noting is not None:
            noting.naive.add(number)
        return timestamp

    def _json_start(
        self, agg: str | None, number: int, text: str, stamp: datetime | None, floor: Level | None
    ) -> bool:
        """Open the event of a JSON record, alone on its line or after a head (a shipper's
        or `aws logs tail`'s time and stream, whose time stands for a record without one);
        False when the line holds none."""
        service = None
        if text[0] != "{":
            if _JSON_OPEN.search(text) is None:
                return False  # no object opens anywhere: the head need not be read for it
            head = self._head(agg, text)
            record = head.message.strip()
            if not record.startswith("{") or not (head.fitted or head.timestamp is not None):
                return False
            # the head's level and service stand where the record states none
            text, stamp, service = record, stamp or head.timestamp, head.service
            floor = at_least(head.level, floor)
        pending = json_event(number, text, lambda t: self._head(agg, t), floor)
        if pending is None:
            return False
        self._open_record(agg, pending, stamp, service)
        return True

    def _open_record(
        self, agg: str | None, pending: OpenEvent, stamp: datetime | None, service: str | None
    ) -> None:
        # a prefix names the service; else the record does, else the head, else its file
        pending.service = self._named(agg, pending.service or service)
        self._open_event(agg, pending, stamp)

    def _open_event(
        self, agg: str | None, pending: OpenEvent, stamp: datetime | None, *, clock: bool = False
    ) -> None:
        """Open `pending` in its stream, its time (or the stream's last, where it has none)
        kept for what follows; `clock`: its time was a time of day alone, which dates what
        follows only once a dated line has."""
        if pending.timestamp is None and stamp is not None:
            pending.timestamp = to_utc(stamp)
        if pending.timestamp is None:
            # A line without a time in a stream that has them (a crash on stderr) was written
            # when the stream last said: whoever said it, where the services' lines come in
            # time order (an aggregator interleaves them as they arrive); else (one container's
            # whole log, then the next one's) when its own service last did. The timeline and
            # first/last seen keep it.
            own, latest = self._last_stamp.get(agg), self._last_stamp.get(_ANY)
            ordered = self._disorder * 100 <= self._timed  # at most 1% out of order
            pending.timestamp = latest if own is None or ordered else own
            if self._noting is not None:  # a time of another line's: it tells no zone
                self._noting.borrowed.add(pending.first_line)
        else:
            latest = self._last_stamp.get(_ANY)
            if latest is not None and pending.timestamp < latest - _SKEW:
                self._disorder += 1
            self._timed += 1
            self._last_stamp[agg] = self._last_stamp[_ANY] = pending.timestamp
            if not clock or self._dated is not None:  # a time of day alone then dates the next
                self._dated = pending.timestamp
        self._open[agg] = pending

    # --- closing and handing on, in the order of first lines

    def _close_all(self) -> None:
        for agg in list(self._open):
            self._close(agg)

    def _close(self, agg: str | None) -> None:
        pending = self._open.pop(agg)
        if (held := pending.tentative) is not None:
            pending.tentative = None
            self._finish(pending)
            self._start(agg, held.number, held.text, held.stamp, floor=held.floor)
            pending = self._open.pop(agg)
        self._finish(pending)

    def _finish(self, pending: OpenEvent) -> None:
        event = pending.close(self.redactor)
        self._order += 1
        heapq.heappush(self._done, (event.first_line, self._order, event))

    def _ready(self, *, final: bool = False) -> Iterator[LogEvent]:
        done, open_events = self._done, self._open
        if not done:
            return
        if final or not open_events:
            bound = None
        elif len(open_events) == 1:  # one stream: no min() over a generator per line
            bound = next(iter(open_events.values())).first_line
        else:
            bound = min(p.first_line for p in open_events.values())
        while done and (bound is None or done[0][0] < bound):
            event = heapq.heappop(done)[2]
            event.index = self._index
            self._index += 1
            yield event

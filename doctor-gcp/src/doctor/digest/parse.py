"""Parse log lines (JSON or plain text) into redacted `LogEvent`s, one per logical event.

Event boundaries: every line is its own event, unless it is a recognised continuation of the
event before it (`anatomy`: stack frames in any language, `Caused by:`, `... N more`, a
traceback's body and closing exception, a Go dump, an indented line inside a stack). A qualified
exception line (`java.lang.ClassCastException: ...`) joins the event before it only when stack
frames follow it. A record that a source hands over whole (a CloudWatch event) is one event: it
is never split, nor merged with another.

Heads are learned per source (`headers`), behind an aggregator prefix per service (`prefixes`)
from the first lines of the stream, so a line's time, level and service become fields and its
message is what is mined. Streams interleave services: each aggregated service has its own open
event, and events are handed on in the order of their first line.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import chain, islice

from . import headers, prefixes
from .anatomy import (
    BLANK_LINE_MODES,
    EXCEPTION_CLASS,
    GO_CRASH_STARTS,
    GOROUTINE_HEADER,
    JVM_CAUSED_BY,
    JVM_SUPPRESSED,
    NO_STACK,
    OMITTED_FRAMES,
    OPEN_ENDED_MODES,
    STACK_CONTINUATIONS,
    continues_stack,
    is_frame,
)
from .headers import Head, Heads
from .jsonlog import json_event
from .pending import OpenEvent
from .reading import CUT_MARK, MAX_LINE_CHARS, ParseStats, Record
from .redact import Redactor
from .textlog import text_level
from .timestamps import to_utc
from .types import LogEvent

SAMPLE_LINES = 200  # the first lines of a stream, from which its heads are learned
_ANY = "\x00"  # the stream's own last time, beside each service's (no name holds a NUL)
IDLE_LINES = 64  # an open event of a quiet service closes after this many lines of others
# A source whose lines start records with a head often enough (several formats interleaved
# count too) tells a line without one for the continuation it is.
HEADED = 0.25

# Lines that open a crash or a stack: read as they are, never as a head ("panic:" is no level).
_NOT_A_HEAD = (*GO_CRASH_STARTS, *STACK_CONTINUATIONS)
# What may follow an error's first line and make it part of the event before: its stack.
FOLLOW_AN_ERROR = (JVM_CAUSED_BY, JVM_SUPPRESSED, *STACK_CONTINUATIONS)


def _headless(line: str) -> bool:
    """A line that continues a stack rather than starting a record: heads are not learned
    from it."""
    return (
        not line.strip()
        or line[0] in " \t"
        or line.startswith((*STACK_CONTINUATIONS, *GO_CRASH_STARTS))
        or GOROUTINE_HEADER.match(line) is not None
        or OMITTED_FRAMES.match(line) is not None
        or EXCEPTION_CLASS.match(line) is not None
    )


# A logfmt record's head (Go's slog and logrus, go-kit, Grafana): its first keys name its time
# or its level ("time=2026-01-01T00:00:10Z level=INFO msg=..."). A record of its own, even in a
# source whose heads were learned from other formats.
_LOGFMT_HEAD = re.compile(
    r"(?:[\w.-]+=(?:\"[^\"]*\"|\S*)[ \t]+){0,3}"
    r"(?:(?:time|ts|t|timestamp)=\"?\d{4}-\d\d-\d\d|(?:level|lvl|severity)=\"?"
    r"(?i:trace|debug|info|notice|warn|warning|error|err|fatal|panic|crit|critical)\b)"
)
# "AccessDenied: Access Denied", "error: insert or update ...": the first line of an error as
# Node, Go and many SDKs print it; in a source whose lines carry heads, frames may follow.
_ERROR_NAME = re.compile(r"[A-Za-z_$][\w$]*: ")
# "org.springframework...WebClientResponseException$ServiceUnavailable: 503 ...": a qualified
# class that does not end in Exception or Error.
_QUALIFIED_NAME = re.compile(r"[a-z][\w]*(?:\.[\w$]+){2,}: ")


class LogParser:
    """Turns records into events; `redactor.counts` holds what was redacted so far."""

    def __init__(self, redactor: Redactor | None = None, *, now: datetime | None = None) -> None:
        self.redactor = redactor if redactor is not None else Redactor()
        self.stats = ParseStats()
        self._now = now or datetime.now(UTC)
        self._index = 0
        self._prefix: prefixes.Prefix | None = None
        self._heads: dict[str | None, Heads] = {}  # per aggregated service
        self._headed: dict[str | None, bool] = {}  # most of its lines start with a head
        self._open: dict[str | None, OpenEvent] = {}
        self._last_stamp: dict[str | None, datetime] = {}  # per stream: the latest time read
        self._done: list[tuple[int, int, LogEvent]] = []  # heap by first line
        self._order = 0

    # --- entry points

    def parse(self, lines: Iterable[str]) -> Iterator[LogEvent]:
        return self.parse_records((line, None) for line in lines)

    def parse_records(
        self, records: Iterable[Record], *, whole: bool = False
    ) -> Iterator[LogEvent]:
        """Events from records. With `whole`, each record is one event (a CloudWatch event);
        otherwise each record is a line. A record's time is the event's when its text names
        none."""
        stream = iter(records)
        sample = list(islice(stream, SAMPLE_LINES))
        self._learn([text.split("\n", 1)[0] for text, _ in sample])
        for text, stamp in chain(sample, stream):
            if whole or "\n" in text.rstrip("\r\n"):
                # A record that is a whole event, or arrives already grouped: never split,
                # never merged with the lines around it.
                for agg in list(self._open):
                    self._close(agg)
                self._whole(text, stamp)
            else:
                self._line(self.stats.lines, text, stamp)
            yield from self._ready()
        for key in list(self._open):
            self._close(key)
        yield from self._ready(final=True)

    # --- learning

    def _learn(self, sample: list[str]) -> None:
        self._prefix = prefixes.learn(sample)
        by_service: dict[str | None, list[str]] = {}
        for line in sample:
            if _headless(line) or line.lstrip().startswith("{"):
                continue
            service, body = self._prefix.split(line) if self._prefix else (None, line)
            by_service.setdefault(service, []).append(body)
        for service, bodies in by_service.items():
            heads = self._heads[service] = Heads.learn(bodies, self._now)
            self._headed[service] = heads.learned or (
                sum(self._has_head(service, body) for body in bodies) >= HEADED * len(bodies)
            )

    def _has_head(self, service: str | None, body: str) -> bool:
        """Whether a line starts a record of its own: JSON, logfmt keys, the source's head, or a
        time. (A level word alone does not: "DETAIL:  ..." continues a PostgreSQL error.)"""
        if body.lstrip().startswith("{") or _LOGFMT_HEAD.match(body) is not None:
            return True
        heads = self._heads.get(service)
        if heads is not None and heads.fits(body):
            return True
        return headers.read_alone(body, self._now).timestamp is not None

    def _head(self, service: str | None, body: str) -> Head:
        if body.startswith(_NOT_A_HEAD):
            return Head(body, fitted=False)  # "panic: ..." is a crash, not a level word
        heads = self._heads.get(service)
        if heads is None:  # a service first seen after the sample
            heads = self._heads[service] = Heads([], self._now)
        return heads.read(body)

    # --- lines

    def _line(self, number: int, raw: str, stamp: datetime | None) -> None:
        text = self._readable(raw)
        if text is None:
            return
        if self._prefix is None:
            agg, body = None, text
        else:
            agg, body, aggregated = self._prefix.read(text)
            stamp = stamp or aggregated
        if number % IDLE_LINES == 0:
            self._close_idle(number)
        pending = self._open.get(agg)
        if not body.strip():
            self._blank(agg, number)
            return
        if pending is not None and pending.tentative is not None:
            if self._resolve_tentative(agg, pending, number, body):
                return
            pending = self._open[agg]
        if pending is not None:
            if self._continues(agg, pending, body):
                pending.add(number, body)
                return
            if self._may_be_error_line(agg, pending, body):
                pending.tentative = (number, body)
                return
            self._close(agg)
        self._start(agg, number, body, stamp)

    def _readable(self, text: str) -> str | None:
        """The line as it is read: None for a binary one, cut when it is too long."""
        self.stats.lines += 1
        text = text.rstrip("\r\n")
        if "\x00" in text:
            self.stats.binary_lines += 1
            return None
        if len(text) > MAX_LINE_CHARS + len(CUT_MARK):
            text = text[:MAX_LINE_CHARS] + CUT_MARK
        if text.endswith(CUT_MARK):  # cut here, or by the source that read it
            self.stats.cut_lines += 1
        return text

    def _blank(self, agg: str | None, number: int) -> None:
        pending = self._open.get(agg)
        if pending is None:
            return
        if pending.mode in BLANK_LINE_MODES or pending.follows:
            pending.blanks.append(number)  # kept if more of the event follows
        elif pending.tentative is None:
            self._close(agg)  # a blank line outside a stack ends the event before it

    def _resolve_tentative(
        self, agg: str | None, pending: OpenEvent, number: int, body: str
    ) -> bool:
        """Decide the held error line by the line after it; True when that line is taken."""
        if pending.tentative is None:
            return False
        held_number, held = pending.tentative
        pending.tentative = None
        if is_frame(body) or body.startswith(FOLLOW_AN_ERROR) or OMITTED_FRAMES.match(body):
            pending.add(held_number, held)
            pending.add(number, body)
            return True
        # No stack followed: the held line is an event of its own, and this line is read
        # against it like against any other.
        self._close(agg)
        self._start(agg, held_number, held, None)
        return False

    def _continues(self, agg: str | None, pending: OpenEvent, line: str) -> bool:
        """Whether `line` (indentation kept) continues `pending`."""
        headed = self._headed.get(agg, False)
        if line[0] in " \t":
            if is_frame(line) or pending.mode != NO_STACK:
                return True
            # Where records start with a head, an indented line without one is the record's
            # own (PostgreSQL's "\tProcess 123 waits ...", JDBC's "  Detail: ..."). One space is
            # no indent: " getTodayTotalDetailSteps = ..." is a message that starts with one.
            indented = line.startswith(("\t", "  "))
            return indented and headed and not self._has_head(agg, line)
        if pending.mode == NO_STACK and EXCEPTION_CLASS.match(line):
            return False  # joins only when frames follow (see `tentative`)
        if continues_stack(pending.mode, line):
            return True
        open_ended = pending.follows or pending.mode in OPEN_ENDED_MODES
        return open_ended and headed and not self._has_head(agg, line)

    def _may_be_error_line(self, agg: str | None, pending: OpenEvent, line: str) -> bool:
        """An error's first line, which joins the event before it only if frames follow."""
        if line[0] in " \t" or pending.mode != NO_STACK or line.startswith(_NOT_A_HEAD):
            return False
        if EXCEPTION_CLASS.match(line) or _QUALIFIED_NAME.match(line):
            return True
        return self._headed.get(agg, False) and _ERROR_NAME.match(line) is not None

    def _start(
        self,
        agg: str | None,
        number: int,
        body: str,
        stamp: datetime | None,
        *,
        redacted: bool = False,
    ) -> None:
        stripped = body.strip()
        if stripped[0] == "{" and stripped[-1] == "}":
            pending = json_event(number, stripped, agg, lambda text: self._head(agg, text))
            if pending is not None:
                self._open_event(agg, pending, stamp)
                return
        # Redacted whole, before its head is cut off: the words before a secret ("password=",
        # "SecretAccessKey": ) are what tells the redactor it is one.
        if not redacted:
            body = self.redactor.redact(body)
        head = self._head(agg, body)
        level = head.level if head.level is not None else text_level(head.message)
        message = head.message if head.message.strip() else body
        pending = OpenEvent.opening(number, message, level, head.timestamp, agg or head.service)
        pending.redacted = True  # its first line is; the rest when it closes
        # "... LoggingFailureAnalysisReporter : " then the report: the message is below.
        headed = head.fitted or head.timestamp is not None
        pending.follows = headed and (not head.message.strip() or message.rstrip().endswith(":"))
        pending.mark(message)  # a stack may start the event (bare tracebacks, Go panics)
        self._open_event(agg, pending, stamp)

    def _open_event(self, agg: str | None, pending: OpenEvent, stamp: datetime | None) -> None:
        if pending.timestamp is None and stamp is not None:
            pending.timestamp = to_utc(stamp)
        if pending.timestamp is None:
            # A line without a time in a stream that has them (a crash on stderr) was written
            # when the stream last said (its own service's last time, else the stream's: an
            # aggregator interleaves services as their lines arrive); the timeline and
            # first/last seen keep it.
            pending.timestamp = self._last_stamp.get(agg) or self._last_stamp.get(_ANY)
        else:
            self._last_stamp[agg] = self._last_stamp[_ANY] = pending.timestamp
        self._open[agg] = pending

    # --- whole records

    def _whole(self, text: str, stamp: datetime | None) -> None:
        first = self.stats.lines
        if "\x00" not in text:
            # Redacted whole: a secret may span its lines (a PEM key).
            text = self.redactor.redact(text)
        parts = [part.rstrip("\r") for part in text.rstrip("\r\n").split("\n")]
        self.stats.lines += len(parts)
        while parts and not parts[0].strip():
            parts.pop(0)
            first += 1
        if not parts or "\x00" in parts[0]:
            self.stats.binary_lines += bool(parts)
            return
        self._start(None, first, parts[0][:MAX_LINE_CHARS], stamp, redacted=True)
        pending = self._open[None]
        pending.whole_redacted = True
        for offset, part in enumerate(parts[1:], start=first + 1):
            if part.strip():
                pending.add(offset, part[:MAX_LINE_CHARS])
            else:
                pending.blanks.append(offset)
        for blank in pending.blanks:  # a whole record keeps even its trailing blank lines
            pending.line_numbers.append(blank)
        pending.blanks = []
        self._close(None)

    # --- closing and handing on, in the order of first lines

    def _close(self, agg: str | None) -> None:
        pending = self._open.pop(agg)
        if pending.tentative is not None:
            held_number, held = pending.tentative
            pending.tentative = None
            self._finish(pending)
            self._start(agg, held_number, held, None)
            pending = self._open.pop(agg)
        self._finish(pending)

    def _close_idle(self, number: int) -> None:
        for agg, pending in list(self._open.items()):
            if number - pending.last_line > IDLE_LINES:
                self._close(agg)

    def _finish(self, pending: OpenEvent) -> None:
        event = pending.close(self.redactor)
        self._order += 1
        heapq.heappush(self._done, (event.first_line, self._order, event))

    def _ready(self, *, final: bool = False) -> Iterator[LogEvent]:
        if not self._done:
            return
        bound = None if final or not self._open else min(p.first_line for p in self._open.values())
        while self._done and (bound is None or self._done[0][0] < bound):
            event = heapq.heappop(self._done)[2]
            event.index = self._index
            self._index += 1
            yield event


class EventStream(Iterator[LogEvent]):
    """The events of `parse_lines`, plus the live redaction counts and read statistics
    (complete once exhausted)."""

    def __init__(self, events: Iterator[LogEvent], parser: LogParser) -> None:
        self._events = events
        self.redactor = parser.redactor
        self.stats = parser.stats

    @property
    def redactions(self) -> dict[str, int]:
        return self.redactor.counts

    def __next__(self) -> LogEvent:
        return next(self._events)


def parse_lines(
    lines: Iterable[str], *, redactor: Redactor | None = None, now: datetime | None = None
) -> EventStream:
    """Stream events from lines; `.redactions` counts what was redacted so far.

    Pass your own `redactor` to share counts across inputs.
    """
    return parse_records(((line, None) for line in lines), redactor=redactor, now=now)


def parse_records(
    records: Iterable[Record],
    *,
    redactor: Redactor | None = None,
    whole: bool = False,
    now: datetime | None = None,
) -> EventStream:
    """`parse_lines` for (text, time) records. With `whole`, each record is one event (a
    CloudWatch event); a record whose text names no time takes the record's."""
    parser = LogParser(redactor, now=now)
    return EventStream(parser.parse_records(records, whole=whole), parser)

"""Parse log lines (JSON or plain text) into redacted `LogEvent`s, one per logical event.

Streaming: one pending event is held while its continuation lines (tracebacks, Java stacks, Go
goroutine dumps) arrive, then it is redacted and yielded. An input item that itself contains
newlines (a CloudWatch event that is already whole) starts a new event with all its lines.
Which lines continue a stack is `anatomy`'s knowledge; this module runs the stream.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from .anatomy import BLANK_LINE_MODES, GO_DUMP, NO_STACK, continues_stack, next_stack_mode
from .jsonlog import LEVEL_KEYS, TS_KEYS, json_exception, json_message, json_time
from .levels import infer_level, level_from_json, level_from_name
from .redact import Redactor
from .textlog import HEADER, header_time, level_token
from .timestamps import to_utc
from .types import Level, LogEvent

MAX_EVENT_LINES = 400  # a longer stack adds nothing a diagnosis needs, and memory stays bounded
MAX_EVENT_CHARS = 100_000


# Starts of records that carry no leading timestamp: an access log's client address, a level
# word, logfmt.
_RECORD_START = re.compile(
    r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+) - |\[?(?:TRACE|DEBUG|INFO|NOTICE|"
    r"WARN|WARNING|ERROR|FATAL|CRITICAL)\b|(?:level|time|ts)="
)


class _Pending:
    __slots__ = (
        "blanks",
        "chars",
        "dropped",
        "level",
        "lines",
        "mode",
        "panic",
        "stamped",
        "timestamp",
    )

    def __init__(self, line: str, level: Level | None, timestamp: datetime | None) -> None:
        self.lines = [line]
        self.chars = len(line)
        self.level = level
        self.timestamp = timestamp
        self.mode = NO_STACK  # the kind of stack this event is in the middle of, if any
        self.blanks = 0  # blank lines held back until the block proves to continue
        self.dropped = 0
        self.panic = False
        self.stamped = False  # began with a text timestamp: lines without one are its own

    def holds_blanks(self) -> bool:
        """Whether a blank line may be inside this event (kept if more of the event follows)."""
        return self.stamped or self.mode in BLANK_LINE_MODES

    def mark(self, line: str) -> None:
        """Track which kind of stack the event is in (non-blank `line`), for the next line."""
        self.mode = mode = next_stack_mode(self.mode, line)
        if mode == GO_DUMP:
            self.panic = True

    def add(self, line: str) -> None:
        if self.blanks:
            blank_lines, self.blanks = [""] * self.blanks, 0
            for blank in blank_lines:
                self._append(blank)
        self._append(line)

    def _append(self, line: str) -> None:
        if len(self.lines) >= MAX_EVENT_LINES or self.chars + len(line) > MAX_EVENT_CHARS:
            self.dropped += 1
            return
        self.lines.append(line)
        self.chars += len(line) + 1


class LogParser:
    """Turns lines into events; `redactor.counts` holds what was redacted so far."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self.redactor = redactor if redactor is not None else Redactor()
        self._index = 0
        self._year = datetime.now(UTC).year  # for syslog / klog stamps, which have none

    def parse(self, lines: Iterable[str]) -> Iterator[LogEvent]:
        return self.parse_records((line, None) for line in lines)

    def parse_records(self, records: Iterable[tuple[str, datetime | None]]) -> Iterator[LogEvent]:
        """Like `parse`, for sources that know each record's time (CloudWatch's `timestamp`):
        an event whose text carries no timestamp of its own gets its first record's."""
        pending: _Pending | None = None
        for raw, stamp in records:
            text = raw.rstrip("\r\n")
            if "\n" not in text:
                pending, done = self._feed(pending, text, stamp)
                if done is not None:
                    yield done
                continue
            # A source that already grouped the event: its first line starts it, the rest are
            # its own, whatever they look like.
            parts = [part.rstrip("\r") for part in text.split("\n")]
            while parts and not parts[0].strip():
                del parts[0]
            if not parts:
                continue
            if pending is not None:
                yield self._finish(pending)
            pending = self._start(parts[0], stamp)
            for line in parts[1:]:
                if line.strip():
                    pending.mark(line)
                    pending.add(line)
                elif pending.holds_blanks():
                    pending.blanks += 1
        if pending is not None:
            yield self._finish(pending)

    def _feed(
        self, pending: _Pending | None, line: str, stamp: datetime | None
    ) -> tuple[_Pending | None, LogEvent | None]:
        if not line.strip():
            if pending is not None and pending.holds_blanks():
                pending.blanks += 1
            return pending, None
        if pending is not None and self._continues(pending, line):
            pending.mark(line)
            pending.add(line)
            return pending, None
        started = self._start(line, stamp)
        done = self._finish(pending) if pending is not None else None
        return started, done

    @staticmethod
    def _continues(pending: _Pending, line: str) -> bool:
        if line[0] in " \t":
            return True
        if line[0] == "{" or HEADER.match(line):
            return False
        if pending.stamped:
            # In a stream whose records start with a timestamp, a line without one is part of
            # the record before it: a multi-line message, an exception's extra lines ("[SQL:
            # ...]"), a stack's header ("TypeError: ..."), a Go crash written to stderr. Unless
            # it plainly starts a record of another kind (an access log line, "ERROR ...").
            return _RECORD_START.match(line) is None
        return continues_stack(pending.mode, line)

    def _start(self, line: str, stamp: datetime | None = None) -> _Pending:
        """A new event from its first line; `stamp` is the time when the line names none."""
        started = self._start_line(line)
        if started.timestamp is None and stamp is not None:
            started.timestamp = to_utc(stamp)
        return started

    def _start_line(self, line: str) -> _Pending:
        stripped = line.strip()
        if stripped[0] == "{" and stripped[-1] == "}":
            try:
                obj = json.loads(stripped)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                return self._start_json(obj)
        timestamp: datetime | None = None
        level: Level | None = None
        rest = line
        header = HEADER.match(line)
        if header is not None:
            timestamp, level = self._header_time(header)
            rest = line[header.end() :].lstrip(" :|-")
            if header.group("klog") is None:
                line = rest  # the timestamp lives in `timestamp`; keep the line's words
        if level is None:
            name = level_token(rest)
            level = level_from_name(name) if name is not None else None
        started = _Pending(line, level, timestamp)
        started.stamped = header is not None
        started.mark(line)  # a stack may start the event (bare tracebacks, Go panics)
        return started

    def _start_json(self, obj: dict[str, Any]) -> _Pending:
        level = level_from_json(obj, LEVEL_KEYS)
        timestamp = next(
            (stamp for key in TS_KEYS if key in obj if (stamp := json_time(obj[key]))), None
        )
        exception = json_exception(obj)
        message = json_message(obj)
        if not message and exception:
            message, exception = exception, None
        if level is None or timestamp is None:
            # A wrapped text line (Docker's {"log": "..."}): its own header may carry both.
            header = HEADER.match(message)
            if header is not None:
                header_time, header_level = self._header_time(header)
                timestamp = timestamp or header_time
                level = level or header_level
            if level is None:
                name = level_token(message[header.end() :] if header else message)
                level = level_from_name(name) if name is not None else None
        pending = _Pending(message, level, timestamp)
        if exception:
            for line in exception.split("\n"):
                if line.strip():
                    pending.mark(line)
                pending.add(line)
        return pending

    def _header_time(self, header: re.Match[str]) -> tuple[datetime | None, Level | None]:
        stamp, level, full = header_time(header, self._year)
        if full and stamp is not None:
            self._year = stamp.year
        return stamp, level

    def _finish(self, pending: _Pending) -> LogEvent:
        lines = pending.lines
        if pending.dropped:
            lines.append(f"... [{pending.dropped} more lines truncated]")
        message = "\n".join(lines) if len(lines) > 1 else lines[0]
        level = pending.level
        if level is None:
            level = infer_level(message)
        elif pending.panic and level < Level.ERROR:
            level = Level.ERROR  # a Go panic joined to an ordinary line is still a crash
        event = LogEvent(self._index, self.redactor.redact(message), level, pending.timestamp)
        self._index += 1
        return event


class EventStream(Iterator[LogEvent]):
    """The events of `parse_lines`, plus the live redaction counts (complete once exhausted)."""

    def __init__(self, events: Iterator[LogEvent], redactor: Redactor) -> None:
        self._events = events
        self.redactor = redactor

    @property
    def redactions(self) -> dict[str, int]:
        return self.redactor.counts

    def __next__(self) -> LogEvent:
        return next(self._events)


def parse_lines(lines: Iterable[str], *, redactor: Redactor | None = None) -> EventStream:
    """Stream events from lines; `.redactions` counts what was redacted so far.

    Pass your own `redactor` to share counts across inputs.
    """
    parser = LogParser(redactor)
    return EventStream(parser.parse(lines), parser.redactor)


def parse_records(
    records: Iterable[tuple[str, datetime | None]], *, redactor: Redactor | None = None
) -> EventStream:
    """`parse_lines` for (message, time) records, e.g. CloudWatch events: a message without a
    timestamp of its own takes the record's, so the timeline works for plain-text apps too."""
    parser = LogParser(redactor)
    return EventStream(parser.parse_records(records), parser.redactor)

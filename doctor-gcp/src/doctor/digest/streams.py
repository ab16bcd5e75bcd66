"""The parser's entry points: events streamed from lines or records, with what was redacted
and read so far."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from .parse import LogParser
from .reading import Record, untimed
from .redact import Redactor
from .types import LogEvent


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

    def __iter__(self) -> Iterator[LogEvent]:
        # A `for` loop over the stream runs the parser's generator itself: no extra call of
        # `__next__` per event. Counts and stats stay readable here as it runs.
        return self._events

    def __next__(self) -> LogEvent:
        return next(self._events)


def parse_lines(
    lines: Iterable[str], *, redactor: Redactor | None = None, now: datetime | None = None
) -> EventStream:
    """Stream events from lines; `.redactions` counts what was redacted so far.

    Pass your own `redactor` to share counts across inputs.
    """
    return parse_records(untimed(lines), redactor=redactor, now=now)


def parse_records(
    records: Iterable[Record],
    *,
    redactor: Redactor | None = None,
    whole: bool = False,
    now: datetime | None = None,
    at_hand: bool = False,
) -> EventStream:
    """`parse_lines` for (text, time) records. With `whole`, each record is one event (a
    CloudWatch event); a record whose text names no time takes the record's. With `at_hand`
    (a file, not a stream still being written) the parser may read ahead before its first
    event."""
    parser = LogParser(redactor, now=now, at_hand=at_hand)
    return EventStream(parser.parse_records(records, whole=whole), parser)

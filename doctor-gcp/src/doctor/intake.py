"""What `Doctor.digest` needs besides the stages: the newest `max_logs` events of a file, and
the warnings reading says out loud (options a file ignores, lines it could not read whole)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from doctor.digest import EventStream
from doctor.digest.reading import MAX_LINE_CHARS, ParseStats
from doctor.digest.types import LogEvent
from doctor.models import Query


def ignored_options(query: Query) -> list[str]:
    """Options that only mean something for CloudWatch, said out loud rather than ignored."""
    notes = []
    if query.file is not None and query.target is not None:
        notes.append("--target applies to CloudWatch; the file was analysed.")
    if query.file is not None and query.minutes is not None:
        notes.append("--minutes applies to CloudWatch; the file was analysed whole.")
    if query.file is not None and query.filter_pattern is not None:
        notes.append("--filter-pattern applies to CloudWatch; the file was not filtered.")
    return notes


def reading_notes(stats: ParseStats) -> list[str]:
    notes = []
    if stats.binary_lines:
        notes.append(
            f"Skipped {stats.binary_lines} of {stats.lines} lines that are not text (NUL bytes); "
            "convert UTF-16 logs to UTF-8 first (iconv -f UTF-16 -t UTF-8)."
        )
    if stats.cut_lines:
        notes.append(
            f"Cut {stats.cut_lines} lines longer than {MAX_LINE_CHARS // 1024} KiB; "
            "their start was analysed."
        )
    return notes


class Newest(Iterable[LogEvent]):
    """The newest `limit` events of a stream, in order. Only `limit` events are held;
    `dropped` counts the older ones, once iterated."""

    def __init__(self, events: EventStream, limit: int) -> None:
        self._events = events
        self.stats = events.stats  # what was read, for the per-line ids
        self.limit = limit
        self.dropped = 0

    def __iter__(self) -> Iterator[LogEvent]:
        newest: deque[LogEvent] = deque(maxlen=self.limit)
        seen = 0
        for seen, event in enumerate(self._events, start=1):  # noqa: B007 - counted after
            newest.append(event)
        self.dropped = max(0, seen - self.limit)
        return iter(newest)

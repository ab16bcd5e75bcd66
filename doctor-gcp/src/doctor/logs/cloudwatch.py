"""Recent events from CloudWatch Logs through FilterLogEvents, bounded by window and max_logs.

Large windows are cut into time slices fetched concurrently (each its own paginator); the newest
`max_logs` events are kept, since the on-call question is what is wrong *now*. Pagination ends
only when a page has no nextToken: real CloudWatch returns empty pages that still carry one.
The `LogSource` over it, with the baseline window read beside, is `cloudwatch_source.py`.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.config import Config

from doctor.digest.reading import Record
from doctor.logs.aws_errors import aws_errors

# Warnings and worse, as the software of DESIGN.md's taxonomy spells them. CloudWatch's `?term`
# is an OR of case-sensitive substrings; JSON lines match on their "level":"ERROR" text too.
DEFAULT_FILTER_PATTERN = " ".join(
    f"?{term}"
    for term in (
        "ERROR", "Error", "error", "FATAL", "Fatal", "fatal", "CRITICAL", "CRIT", "crit",
        "PANIC", "panic", "emerg", "alert", "Exception", "exception", "Traceback", "WARN",
        "Warn", "warn", "Killed", "killed", "refused", "denied", "Denied", "timed", "timeout",
        "Timeout", "OOM", "segfault", "SIGSEGV", "Back-off",
    )
)  # fmt: skip

# Adaptive mode adds client-side rate limiting on top of backoff: concurrent slices of one
# account share FilterLogEvents' per-account TPS quota.
LOGS_CONFIG = Config(
    connect_timeout=5,
    read_timeout=30,
    retries={"mode": "adaptive", "total_max_attempts": 8},  # tries: max_attempts counts retries
    max_pool_connections=16,
)
PAGE_SIZE = 10_000  # FilterLogEvents' maximum `limit`, whatever max_logs is: fewer calls
MAX_PAGES_PER_SLICE = 50  # empty pages with a nextToken, too: a cap on calls, not on events
# A slice that hangs inside a call is given up this long after the deadline (each slice checks
# the deadline between pages and returns what it read; this bounds the call in flight).
IN_FLIGHT_GRACE_SECONDS = 2.0
SLICE_MINUTES = 15  # windows longer than this are cut into slices of about this length
MAX_SLICES = 8
MAX_IN_FLIGHT = 3  # concurrent FilterLogEvents calls of one fetch
FETCH_DEADLINE_SECONDS = 60.0  # then analyse what was read: a late diagnosis helps nobody


@dataclass(frozen=True, slots=True)
class FetchedEvent:
    timestamp: datetime
    message: str
    stream: str


@dataclass(frozen=True, slots=True)
class Fetched:
    events: list[FetchedEvent]  # chronological
    truncated: bool  # the window held more than max_logs matching events
    timed_out: bool = False  # the deadline passed: what was read by then is all there is

    def records(self) -> list[Record]:
        """The events as the digest reads them: (text, time)."""
        return [(event.message, event.timestamp) for event in self.events]


@dataclass(slots=True)
class _Slice:
    events: list[FetchedEvent]
    capped: bool  # the slice held more than max_logs events
    complete: bool  # read to its last page (not stopped early)


def time_slices(start_ms: int, end_ms: int, count: int) -> list[tuple[int, int]]:
    """Split [start, end] into `count` contiguous, non-overlapping, inclusive ranges."""
    count = max(1, min(count, end_ms - start_ms + 1))
    width = (end_ms - start_ms + 1) / count
    bounds = [start_ms + round(i * width) for i in range(count)] + [end_ms + 1]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(count)]


class CloudWatchLogs:
    """A CloudWatch Logs client that reads windows: newest slices first, at most `in_flight`
    at once (FilterLogEvents has a low per-account rate), and no older slice is read once the
    newer ones hold more than max_logs events."""

    def __init__(
        self,
        client: Any,
        *,
        max_slices: int = MAX_SLICES,
        in_flight: int = MAX_IN_FLIGHT,
        deadline_seconds: float = FETCH_DEADLINE_SECONDS,
    ) -> None:
        self._client = client
        self._max_slices = max_slices
        self._in_flight = in_flight
        self._deadline_seconds = deadline_seconds

    def fetch(
        self,
        log_group: str,
        *,
        minutes: int,
        max_logs: int,
        filter_pattern: str | None = None,
        end: datetime | None = None,
        slices: int | None = None,
        deadline_seconds: float | None = None,
    ) -> Fetched:
        end = end or datetime.now(UTC)
        end_ms = int(end.timestamp() * 1000)
        start_ms = int((end - timedelta(minutes=minutes)).timestamp() * 1000)
        if slices is None:
            slices = max(1, min(self._max_slices, -(-minutes // SLICE_MINUTES)))
        newest_first = time_slices(start_ms, end_ms, slices)[::-1]
        pattern = DEFAULT_FILTER_PATTERN if filter_pattern is None else filter_pattern
        stop = threading.Event()
        # a caller may ask for a shorter deadline, never a longer one
        seconds = self._deadline_seconds
        if deadline_seconds is not None:
            seconds = min(seconds, deadline_seconds)
        deadline = time.monotonic() + seconds

        def read(bounds: tuple[int, int]) -> _Slice:
            return self._fetch_slice(log_group, bounds, max_logs, pattern, stop, deadline)

        parts: list[_Slice | None] = [None] * len(newest_first)
        queue = iter(enumerate(newest_first))
        # Not a `with`: its exit would wait for a slice stuck in a call that never returns.
        pool = ThreadPoolExecutor(
            min(self._in_flight, len(newest_first)), thread_name_prefix="cw-slice"
        )
        with aws_errors(log_group):
            running: dict[Future[_Slice], int] = {}

            def start_next() -> bool:
                # Submitted one at a time: an older slice starts only while it can still matter.
                index, bounds = next(queue, (-1, (0, 0)))
                if index >= 0:
                    running[pool.submit(read, bounds)] = index
                return index >= 0

            while len(running) < self._in_flight and start_next():
                pass
            try:
                while running:
                    left = deadline + IN_FLIGHT_GRACE_SECONDS - time.monotonic()
                    done, _ = wait(running, timeout=max(0.0, left), return_when=FIRST_COMPLETED)
                    if not done:
                        break  # stuck in a call: analyse what the other slices read
                    for future in done:
                        parts[running.pop(future)] = future.result()
                    if _newest_hold_enough(parts, max_logs):
                        break  # older slices cannot change the newest max_logs
                    while len(running) < self._in_flight and start_next():
                        pass
            finally:
                stop.set()  # slices still running stop after their current page
                pool.shutdown(wait=False, cancel_futures=True)
        read_parts = [part for part in parts if part is not None]
        merged = list(heapq.merge(*(p.events for p in reversed(read_parts)), key=_when))
        timed_out = time.monotonic() > deadline
        truncated = (
            timed_out
            or any(p.capped or not p.complete for p in read_parts)
            or len(merged) > max_logs
            or len(read_parts) < len(parts)
        )
        return Fetched(events=merged[-max_logs:], truncated=truncated, timed_out=timed_out)

    def _fetch_slice(
        self,
        log_group: str,
        bounds: tuple[int, int],
        max_logs: int,
        pattern: str,
        stop: threading.Event,
        deadline: float,
    ) -> _Slice:
        """Newest `max_logs` of one slice, reading until its last page, `stop` or `deadline`."""
        params: dict[str, Any] = {
            "logGroupName": log_group,
            "startTime": bounds[0],
            "endTime": bounds[1],
            "limit": PAGE_SIZE,
        }
        if pattern:
            params["filterPattern"] = pattern
        events: list[FetchedEvent] = []
        capped = False
        for number, page in enumerate(self._pages(params), start=1):
            for raw in page.get("events", ()):
                events.append(
                    FetchedEvent(
                        timestamp=datetime.fromtimestamp(raw["timestamp"] / 1000, UTC),
                        message=raw["message"],
                        stream=raw.get("logStreamName", ""),
                    )
                )
            if len(events) > max_logs:
                # FilterLogEvents walks forward in time; keep reading so the newest survive,
                # but only a bounded number in memory.
                capped = True
                events.sort(key=_when)
                del events[: len(events) - max_logs]
            if stop.is_set() or time.monotonic() > deadline or number >= MAX_PAGES_PER_SLICE:
                events.sort(key=_when)
                return _Slice(events, capped, complete=False)
        events.sort(key=_when)
        return _Slice(events, capped, complete=True)

    def _pages(self, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """botocore's paginator: it stops only on a page without nextToken (empty pages that
        carry one are followed) and raises if a token repeats."""
        paginator = self._client.get_paginator("filter_log_events")
        page_size = params.pop("limit")
        yield from paginator.paginate(**params, PaginationConfig={"PageSize": page_size})


def _when(event: FetchedEvent) -> datetime:
    return event.timestamp


def _newest_hold_enough(parts: list[_Slice | None], max_logs: int) -> bool:
    """Whether the newest slices, read completely and without a gap, hold more than max_logs."""
    held = 0
    for part in parts:  # newest first
        if part is None or not part.complete:
            return False
        held += len(part.events)
        if part.capped or held > max_logs:
            return True
    return False

"""A log group's window as a `LogSource`: the window read with `CloudWatchLogs`, and beside it
the window of equal length just before it (the baseline that tells new problems from chronic
ones), with the warnings the reader is owed when either came back short.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from doctor.digest.reading import Record
from doctor.errors import DoctorError
from doctor.logs.cloudwatch import IN_FLIGHT_GRACE_SECONDS, CloudWatchLogs
from doctor.logs.source import Batch

# The baseline window (as long as the one asked for, just before it) is read in one bounded
# fetch next to the window's: only counts per pattern come of it, so a cap of events suffices.
BASELINE_MAX_EVENTS = 5_000
BASELINE_DEADLINE_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class CloudWatchSource:
    """One window of one log group: the newest `max_logs` matching events, oldest first."""

    logs: CloudWatchLogs
    log_group: str
    minutes: int
    max_logs: int
    filter_pattern: str | None = None  # None: warnings and worse (DEFAULT_FILTER_PATTERN)

    @property
    def label(self) -> str:
        return self.log_group

    def read(self) -> Batch:
        end = datetime.now(UTC)
        pool = ThreadPoolExecutor(1, thread_name_prefix="cw-baseline")
        try:
            before = pool.submit(self._baseline, end - timedelta(minutes=self.minutes))
            fetched = self.logs.fetch(
                self.log_group,
                minutes=self.minutes,
                max_logs=self.max_logs,
                filter_pattern=self.filter_pattern,
                end=end,
            )
            try:
                baseline, baseline_minutes, note = before.result(
                    timeout=BASELINE_DEADLINE_SECONDS + IN_FLIGHT_GRACE_SECONDS
                )
            except FutureTimeout:  # stuck in a call: the window alone is analysed
                baseline, baseline_minutes = [], 0
                note = f"{_NO_BASELINE} (CloudWatch did not return it in time)"
        finally:
            pool.shutdown(wait=False, cancel_futures=True)  # a failed window read waits for none
        warnings = [note] if note else []
        if fetched.timed_out:
            warnings.append(
                "CloudWatch did not return the whole window in time; the newest part that was "
                "read was analysed. Narrow the window for a complete reading."
            )
        elif fetched.truncated:
            warnings.append(
                f"The window held more than {self.max_logs} matching events; the newest "
                f"{self.max_logs} were analysed. Narrow the window or raise max_logs for more."
            )
        return Batch(
            fetched.records(),
            truncated=fetched.truncated,
            warnings=warnings,
            whole=True,
            baseline=baseline,
            baseline_minutes=baseline_minutes,
        )

    def _baseline(self, start: datetime) -> tuple[list[Record], int, str | None]:
        """The window of equal length before `start`: records, the minutes they cover, and a
        warning when it could not be read (the analysis goes on without it)."""
        try:
            fetched = self.logs.fetch(
                self.log_group,
                minutes=self.minutes,
                max_logs=min(self.max_logs, BASELINE_MAX_EVENTS),
                filter_pattern=self.filter_pattern,
                end=start - timedelta(milliseconds=1),
                slices=1,
                deadline_seconds=BASELINE_DEADLINE_SECONDS,
            )
        except DoctorError as err:
            return [], 0, f"{_NO_BASELINE} ({err.message})"
        if fetched.timed_out:
            return [], 0, f"{_NO_BASELINE} (CloudWatch did not return it in time)"
        covered = self.minutes
        if fetched.truncated and fetched.events:  # the newest events of it: their span only
            span = (start - fetched.events[0].timestamp).total_seconds() / 60
            covered = max(1, min(self.minutes, math.ceil(span)))
        return fetched.records(), covered, None


_NO_BASELINE = (
    "The window before the one analysed could not be read, so new and chronic problems were "
    "told apart from this window alone"
)

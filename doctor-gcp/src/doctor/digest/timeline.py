"""Per-minute event and error counts, and where the errors started to spike."""

from __future__ import annotations

from datetime import UTC, datetime

from .types import MinuteBucket

# Gaps between the first and last minute are filled with empty buckets (a quiet minute is
# information, and the spike baseline needs it) unless the span is absurd, as when one event
# carries a stamp from 1970: then only minutes with events are listed.
MAX_FILLED_MINUTES = 7 * 24 * 60

BASELINE_MINUTES = 10  # how far back the baseline looks
SPIKE_FACTOR = 3.0  # a spike minute has at least this many times the baseline's errors
SPIKE_MIN_SHARE = 0.25  # ... and rises above the baseline by a quarter of the peak (at least 2)


# A pattern's own timeline holds at most this many buckets: past it, its buckets double in
# width (a week-long window still gets 14-minute buckets), so memory stays bounded per pattern.
MAX_PATTERN_BUCKETS = 720


def count_minute(counts: dict[int, int], step: int, minute: int, events: int = 1) -> int:
    """Add `events` at epoch `minute` to `counts` (buckets of `step` minutes); the step, wider
    when the buckets outgrew MAX_PATTERN_BUCKETS."""
    bucket = minute - minute % step
    counts[bucket] = counts.get(bucket, 0) + events
    if len(counts) > MAX_PATTERN_BUCKETS:
        step = rebucket(counts, step, step * 2)
    return step


def rebucket(counts: dict[int, int], step: int, wider: int) -> int:
    """Merge `counts` (buckets of `step` minutes) into buckets of `wider`, in place."""
    if wider == step:
        return step
    merged: dict[int, int] = {}
    for bucket, events in counts.items():
        key = bucket - bucket % wider
        merged[key] = merged.get(key, 0) + events
    counts.clear()
    counts.update(sorted(merged.items()))
    return wider


class TimelineCounter:
    """Counts events per epoch minute; `buckets()` turns them into the digest's timeline."""

    __slots__ = ("_errors", "_totals")

    def __init__(self) -> None:
        self._totals: dict[int, int] = {}
        self._errors: dict[int, int] = {}

    def add(self, minute: int, is_error: bool) -> None:
        """One event at epoch `minute`."""
        self._totals[minute] = self._totals.get(minute, 0) + 1
        if is_error:
            self._errors[minute] = self._errors.get(minute, 0) + 1

    def buckets(self) -> list[MinuteBucket]:
        if not self._totals:
            return []
        first, last = min(self._totals), max(self._totals)
        if last - first <= MAX_FILLED_MINUTES:
            minutes: list[int] = list(range(first, last + 1))
        else:
            minutes = sorted(self._totals)
        return [
            MinuteBucket(
                minute=datetime.fromtimestamp(minute * 60, UTC),
                total=self._totals.get(minute, 0),
                errors=self._errors.get(minute, 0),
            )
            for minute in minutes
        ]


def find_spike_start(timeline: list[MinuteBucket]) -> datetime | None:
    """The first minute whose errors jump well above the minutes before it.

    The baseline of a minute is the mean error count of the `BASELINE_MINUTES` minutes before
    it (0 for the first minute, so errors from the very start count as a jump from nothing).
    A minute is the spike start when its errors are at least `SPIKE_FACTOR` times the baseline
    and exceed it by at least max(2, `SPIKE_MIN_SHARE` x the busiest minute's errors): steady
    background noise and small wobbles are not a spike, a burst is. When errors never jump that
    way (a trickle of single errors), the first minute with any error is returned: that is when
    the trouble visible in this window began. None without errors or without timestamps.
    """
    errors = [bucket.errors for bucket in timeline]
    if not any(errors):
        return None
    min_rise = max(2.0, SPIKE_MIN_SHARE * max(errors))
    window_sum = 0
    for i, count in enumerate(errors):
        window = min(i, BASELINE_MINUTES)
        baseline = window_sum / window if window else 0.0
        if count >= SPIKE_FACTOR * baseline and count - baseline >= min_rise:
            return timeline[i].minute
        window_sum += count
        if i >= BASELINE_MINUTES:
            window_sum -= errors[i - BASELINE_MINUTES]
    first = next(bucket for bucket in timeline if bucket.errors)
    return first.minute

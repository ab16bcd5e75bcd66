"""Several log groups of one target, read concurrently and merged by time.

A target's services often log to a group each (api, worker, database proxy); the incident is in
how their lines interleave. Each group is read by its own `CloudWatchSource` (same window, same
filter, each bounded by `max_logs`), at once; the events are merged oldest first and the newest
`max_logs` of the merge are kept, so the bound is the one a single group has. A group that fails
is a warning when another one was read; when all fail, the first failure is the error.
"""

from __future__ import annotations

import heapq
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from doctor.digest.reading import Record
from doctor.errors import DoctorError
from doctor.logs.cloudwatch_source import BASELINE_MAX_EVENTS, CloudWatchSource
from doctor.logs.source import Batch

MAX_PARALLEL_GROUPS = 4  # each group's own fetch runs slices in parallel too
_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class MergedSource:
    sources: list[CloudWatchSource]
    max_logs: int

    @property
    def label(self) -> str:
        return ", ".join(source.label for source in self.sources)

    @property
    def minutes(self) -> int:
        return self.sources[0].minutes

    def read(self) -> Batch:
        workers = min(MAX_PARALLEL_GROUPS, len(self.sources))
        with ThreadPoolExecutor(workers, thread_name_prefix="cw-group") as pool:
            futures = [pool.submit(source.read) for source in self.sources]
            results: list[Batch | DoctorError] = []
            for future in futures:
                try:
                    results.append(future.result())
                except DoctorError as err:
                    results.append(err)
        batches = [r for r in results if isinstance(r, Batch)]
        if not batches:
            raise next(r for r in results if isinstance(r, DoctorError))
        warnings: list[str] = []
        for source, result in zip(self.sources, results, strict=True):
            if isinstance(result, DoctorError):
                warnings.append(f"Log group {source.label} could not be read ({result.message}).")
            else:
                warnings += [f"{source.label}: {note}" for note in result.warnings]
        records = _merged([list(b.records) for b in batches])
        cut = len(records) > self.max_logs
        if cut:
            warnings.append(
                f"The groups held {len(records)} matching events together; the newest "
                f"{self.max_logs} were analysed."
            )
        read = [b.baseline_minutes for b in batches if b.baseline_minutes]
        return Batch(
            records[-self.max_logs :],
            truncated=cut or any(b.truncated for b in batches),
            warnings=warnings,
            whole=True,
            baseline=_merged([b.baseline for b in batches])[-BASELINE_MAX_EVENTS:],
            baseline_minutes=min(read) if len(read) == len(batches) else 0,
        )


def _merged(parts: list[list[Record]]) -> list[Record]:
    """Records of several groups, oldest first (each part is already)."""
    return list(heapq.merge(*parts, key=lambda record: record[1] or _EPOCH))

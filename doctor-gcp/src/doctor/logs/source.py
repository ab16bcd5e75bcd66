"""What every log source is: the `LogSource` protocol and the `Batch` it reads.

A source is bound to one query (a CloudWatch window, a file) and read once. It hands over
records, `(text, time)` pairs: a CloudWatch event with its own timestamp, or a line of a file
with none. The digest turns records into events; the Doctor keeps the newest `max_logs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from doctor.digest.reading import Record


@dataclass(slots=True)
class Batch:
    """What one read produced. `records` may be lazy (a file is streamed, never held)."""

    records: Iterable[Record]
    truncated: bool = False  # the source held more than it handed over
    warnings: list[str] = field(default_factory=list)
    whole: bool = False  # each record is a whole event (CloudWatch), not a line of one
    # All of it is at hand (a file on disk, not a pipe): the digest may read ahead freely
    at_hand: bool = False
    # The window just before the one read, for "new" and "k x baseline" (CloudWatch only):
    # its records are only counted per pattern, never shown.
    baseline: list[Record] = field(default_factory=list)
    baseline_minutes: int = 0  # the span those records cover; 0 when none was read


class LogSource(Protocol):
    """One query's logs."""

    @property
    def label(self) -> str | None:
        """What the answer names as its source (`summary.log_group`)."""

    @property
    def minutes(self) -> int | None:
        """The time window read, when the source has one."""

    def read(self) -> Batch: ...

"""What the digest hands to engines, grounding and the CLI. All text here is already redacted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum


class Level(IntEnum):
    """Normalised severity; ordering matters for ranking (higher is worse)."""

    TRACE = 0
    DEBUG = 10
    INFO = 20
    WARNING = 30
    ERROR = 40
    CRITICAL = 50


@dataclass(slots=True)
class LogEvent:
    """One parsed event: continuation lines (tracebacks, stacks) joined into `message`."""

    index: int  # position in the input, 0-based
    message: str  # redacted; the exception / stack, if any, follows after a newline
    level: Level = Level.INFO
    timestamp: datetime | None = None  # UTC
    service: str | None = None  # the service, program or logger that wrote it, when named
    first_line: int = 0  # the input line it starts on, 0-based
    line_count: int = 1  # input lines it holds (blank lines inside a stack included)
    line_numbers: list[int] | None = None  # its lines, when others came between them


@dataclass(slots=True)
class Face:
    """One wording of a pattern: its events whose words (numbers and ids masked) are the same,
    e.g. the OOM killer's victim, the setting or the file a message names."""

    text: str  # the masked text the events share
    sample: str  # the first such event's message, redacted
    first_seen: datetime | None
    count: int


@dataclass(slots=True)
class Pattern:
    """A mined template and what the logs say about it."""

    id: str  # "p1", "p2", ... stable within one digest, in rank order
    template: str  # drain3 template with <*> / typed placeholders, redacted
    count: int  # events (not distinct messages) matching it
    level: Level  # the worst level seen on it
    first_seen: datetime | None
    last_seen: datetime | None
    samples: list[str] = field(default_factory=list)  # a few distinct redacted full events
    # The services (programs, loggers) that wrote it, most events first; at most MAX_SERVICES.
    services: dict[str, int] = field(default_factory=dict)
    # Events per bucket of `minute_step` minutes, keyed by the bucket's first epoch minute: the
    # pattern's own timeline, which the incident stage reads for onsets and chronic noise.
    minutes: dict[int, int] = field(default_factory=dict)
    minute_step: int = 1
    baseline: int = 0  # its events in the baseline window read before this one (CloudWatch)
    # Its wordings in the window, first seen first, when it has two to MAX_FACES of them (none
    # when it has one, or so many that a new one means nothing: ids, users, paths).
    faces: list[Face] = field(default_factory=list)

    def facts(self) -> dict[str, object]:
        """What it is and how often, as JSON values (`patterns --json`, stored history)."""
        return {
            "id": self.id,
            "template": self.template,
            "count": self.count,
            "level": self.level.name,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
        }


@dataclass(slots=True)
class MinuteBucket:
    minute: datetime  # UTC, truncated to the minute
    total: int
    errors: int  # events at ERROR or worse


@dataclass(slots=True)
class Digest:
    events_total: int
    patterns: list[Pattern]  # ranked: worst level first, then count
    assignments: list[str]  # the pattern id of each input event, in input order
    timeline: list[MinuteBucket]
    spike_start: datetime | None  # first minute where errors jump above the baseline
    redactions: dict[str, int]  # placeholder kind -> how many were replaced
    # The pattern id of each input LINE (the lines of one event repeat its id; None for a line
    # no event holds: blank between events, binary).
    line_assignments: list[str | None] = field(default_factory=list)
    # The span of the baseline window whose events were counted per pattern (0: none read).
    baseline_minutes: int = 0

    def pattern(self, pattern_id: str) -> Pattern | None:
        return next((p for p in self.patterns if p.id == pattern_id), None)

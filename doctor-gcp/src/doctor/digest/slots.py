"""A slot: the counts of one Drain cluster's events, and how slots fold into ranked patterns.

Events are counted per slot as they are added; patterns exist only once the digest is finished,
when clusters whose templates are equal, or differ only in a word that takes many values,
become one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .miners import MinerKey
from .timeline import count_minute, rebucket
from .types import Level, Pattern

MAX_SERVICES = 16  # services kept per pattern; more writers of one message are rare


@dataclass(slots=True)
class Slot:
    """Counts for one Drain cluster (cluster_id -1: the per-level overflow bucket)."""

    level: Level
    miner: MinerKey
    cluster_id: int
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    samples: list[str] = field(default_factory=list)
    services: dict[str, int] = field(default_factory=dict)
    minutes: dict[int, int] = field(default_factory=dict)  # see Pattern.minutes
    step: int = 1
    baseline: int = 0  # events in the baseline window (add_baseline)


def add_history(pattern: Pattern, slot: Slot) -> None:
    """Add a slot's services and per-minute counts to its pattern's (at the wider step)."""
    for service, events in slot.services.items():
        if service in pattern.services or len(pattern.services) < MAX_SERVICES:
            pattern.services[service] = pattern.services.get(service, 0) + events
    if not slot.minutes:
        return
    if not pattern.minutes:
        pattern.minutes, pattern.minute_step = dict(slot.minutes), slot.step
        return
    step = pattern.minute_step = rebucket(
        pattern.minutes, pattern.minute_step, max(pattern.minute_step, slot.step)
    )
    for bucket, events in slot.minutes.items():
        step = count_minute(pattern.minutes, step, bucket, events)
    pattern.minute_step = step


def rank_key(pattern: Pattern) -> tuple[int, int, float, str]:
    # Worst level first, then the most frequent, then the earliest; the template breaks ties
    # so the order (and so the ids) never depends on dict order.
    first = pattern.first_seen.timestamp() if pattern.first_seen is not None else float("inf")
    return (-pattern.level, -pattern.count, first, pattern.template)


def earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)

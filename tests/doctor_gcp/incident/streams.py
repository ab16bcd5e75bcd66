"""Multi-service incident streams as an aggregator prints them, for the incident stage's tests.

Each stream: healthy traffic in every service for the whole window, chronic noise, then an
incident at ONSET (a small root cause, floods of symptoms in other services).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

START = datetime(2026, 3, 16, 17, 20, tzinfo=UTC)
ONSET = START + timedelta(minutes=29, seconds=10)
END = START + timedelta(minutes=40)


@dataclass(frozen=True)
class Burst:
    """`count` lines of `message` from `service`, spread over [start, end)."""

    service: str
    level: str
    message: str
    count: int
    start: datetime = START
    end: datetime = END


def stream(bursts: Iterable[Burst], *, seed: int = 1, compose: bool = True) -> list[str]:
    """The bursts' lines in time order, plus healthy INFO traffic from every service."""
    rng = random.Random(seed)
    events: list[tuple[datetime, str, str, str]] = []
    services: set[str] = set()
    for burst in bursts:
        services.add(burst.service)
        span = (burst.end - burst.start).total_seconds()
        for n in range(burst.count):
            at = burst.start + timedelta(seconds=span * n / burst.count + rng.random())
            text = burst.message.replace("{n}", str(rng.randrange(1000, 9999)))
            events.append((at, burst.service, burst.level, text))
    for service in sorted(services):
        for second in range(0, int((END - START).total_seconds()), 7):
            at = START + timedelta(seconds=second, milliseconds=rng.randrange(1000))
            text = f"GET /api/v1/items/{rng.randrange(10_000)} 200 {rng.randrange(2, 90)}ms"
            events.append((at, service, "INFO", text))
    events.sort(key=lambda e: e[0])
    lines = []
    for at, service, level, text in events:
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line = f"{stamp} {level} {text}"
        lines.append(f"{service}-1  | {line}" if compose else f"{stamp} {level} [{service}] {text}")
    return lines

"""Laying an incident out in time: healthy traffic, chronic noise, the onset, the cascade.

Time is simulated: seconds from the stream's start on a seeded clock, never the wall clock,
so a seeded stream is the same every time. Each source of lines (a service's traffic, a chronic
pattern, a symptom) is a Poisson process over its own window, the way independent requests
arrive. The incident's `play` writes the root cause at `onset` and the symptoms after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from chaos_app.events import Event, Fake
from chaos_app.incidents.cast import Cast
from chaos_app.incidents.model import Line, Origin, Role


class Timeline:
    """What an incident's `play` writes into: the cast, the clock and the line helpers."""

    def __init__(
        self, fake: Fake, cast: Cast, start: datetime, length: float, onset: float, volume: float
    ) -> None:
        self.fake = fake
        self.cast = cast
        self.start = start
        self.length = length  # seconds
        self.onset = onset  # seconds from the start
        self.volume = volume  # scales every rate (the size of the stream)
        self._lines: list[tuple[float, int, Line]] = []
        self._down: list[tuple[str, int, float, float]] = []

    @property
    def end(self) -> float:
        return self.length

    def moment(self, t: float) -> datetime:
        return self.start + timedelta(microseconds=round(t * 1_000_000))

    def address(self, service: str, port: int) -> str:
        """One of the service's replicas, drawn at random, as its callers reach it: ip:port."""
        return f"{self.fake.choice(self.cast[service].instances).ip}:{port}"

    def add(
        self,
        t: float,
        service: str,
        event: Event,
        *,
        role: Role = Role.HEALTHY,
        category: str | None = None,
        instance: int | None = None,
        origin: Origin = Origin.APP,
    ) -> None:
        if not 0 <= t < self.length:
            return
        replicas = self.cast[service].instances
        index = instance if instance is not None else self.fake.integer(0, len(replicas) - 1)
        line = Line(self.moment(t), service, index, event, role, category, origin)
        self._lines.append((t, len(self._lines), line))

    def root(
        self, t: float, service: str, event: Event, category: str, instance: int | None = None
    ) -> None:
        self.add(t, service, event, role=Role.ROOT, category=category, instance=instance)

    def symptom(
        self, t: float, service: str, event: Event, category: str, instance: int | None = None
    ) -> None:
        self.add(t, service, event, role=Role.SYMPTOM, category=category, instance=instance)

    def arrivals(self, t0: float, t1: float, rate: float) -> list[float]:
        """Poisson arrivals at `rate` per second (scaled by the volume) in [t0, t1)."""
        times: list[float] = []
        scaled = rate * self.volume
        if scaled <= 0:
            return times
        t = t0 + self.fake.rng.expovariate(scaled)
        while t < min(t1, self.length):
            times.append(t)
            t += self.fake.rng.expovariate(scaled)
        return times

    def steady(
        self,
        service: str,
        t0: float,
        t1: float,
        rate: float,
        build: Callable[[Fake], Event | list[Event]],
        *,
        role: Role = Role.SYMPTOM,
        category: str | None = None,
        instance: int | None = None,
    ) -> int:
        """A source of lines at `rate` per second in [t0, t1); a build may return several
        events (a retry, then the error): they follow each other within milliseconds."""
        written = 0
        for t in self.arrivals(t0, t1, rate):
            built = build(self.fake)
            events = built if isinstance(built, list) else [built]
            for offset, event in enumerate(events):
                when = t + offset * self.fake.rng.uniform(0.0005, 0.02)
                self.add(when, service, event, role=role, category=category, instance=instance)
                written += 1
        return written

    def down(self, service: str, instance: int, t0: float, t1: float) -> None:
        """The instance is not running in [t0, t1): its healthy and chronic lines are dropped."""
        self._down.append((service, instance, t0, t1))

    def restart(self, service: str, instance: int, t: float) -> int:
        """A new process for the instance from `t` on; returns its pid."""
        target = self.cast.instance(service, instance)
        pid = 1 if target.pids[0][1] == 1 else self.fake.integer(7, 60)
        target.pids.append((self.moment(t), pid))
        return pid

    def finish(self) -> tuple[Line, ...]:
        def running(t: float, line: Line) -> bool:
            if line.role not in (Role.HEALTHY, Role.CHRONIC):
                return True
            return not any(
                service == line.service and index == line.instance and t0 <= t < t1
                for service, index, t0, t1 in self._down
            )

        kept = [(t, n, line) for t, n, line in self._lines if running(t, line)]
        kept.sort(key=lambda item: (item[0], item[1]))
        return tuple(line for _, _, line in kept)

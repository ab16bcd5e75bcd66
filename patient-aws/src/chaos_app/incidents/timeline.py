"""Laying an incident out in time: healthy traffic, chronic noise, the onset, the cascade.

Time is simulated: seconds from the stream's start on a seeded clock, never the wall clock,
so a seeded stream is the same every time. Each source of lines (a service's traffic, a chronic
pattern, a symptom) is a Poisson process over its own window, the way independent requests
arrive. The incident's `play` writes the root cause at `onset` and the symptoms after it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from chaos_app.events import Event, Fake
from chaos_app.incidents import chronic
from chaos_app.incidents.cast import Cast, build_cast
from chaos_app.incidents.healthy import BY_RUNTIME
from chaos_app.incidents.model import Incident, Line, Origin, Role, Stream

SEEDED_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
MIN_LINES, MAX_LINES = 4_000, 35_000  # the default stream's size, in lines, whatever the shape
_SECONDS = (30 * 60, 60 * 60)  # the default stream's simulated length
_HEALTHY_RATE = (2.5, 7.0)  # healthy lines per second, all services together


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


def build(
    incident: Incident,
    *,
    seed: int | None = None,
    start: datetime | None = None,
    seconds: float | None = None,
    rate: float | None = None,
) -> Stream:
    """The incident's stream. Unless `seconds` or `rate` fix its size, the stream is kept
    between MIN_LINES and MAX_LINES lines in every shape (a denser or sparser replay of the
    same seed when the first draw falls outside)."""
    run_seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    first = start or SEEDED_EPOCH
    volume = 1.0
    stream = _attempt(incident, run_seed, first, seconds, rate, volume)
    if seconds is not None or rate is not None:
        return _labelled(stream, seed)
    for _ in range(6):
        low, high = line_bounds(stream)
        if high > MAX_LINES:
            volume *= 0.92 * MAX_LINES / high
        elif low < MIN_LINES:
            volume *= 1.08 * MIN_LINES / max(low, 1)
        else:
            break
        stream = _attempt(incident, run_seed, first, seconds, rate, volume)
    return _labelled(stream, seed)


def line_bounds(stream: Stream) -> tuple[int, int]:
    """The fewest and the most lines a shape writes for the stream: the most puts each line of
    a stack on a line of its own (and words an exit or a restart in two systemd lines); the
    fewest writes each event on one line and leaves the hosts' and the runtime's lines out."""
    low = high = 0
    for line in stream.lines:
        if line.origin is Origin.RUNTIME:
            high += 2
            continue
        high += line.event.message.count("\n") + 1
        if line.event.exception:
            high += line.event.exception.rstrip().count("\n") + 1
        low += line.origin is Origin.APP
    return low, high


def _labelled(stream: Stream, seed: int | None) -> Stream:
    if stream.seed == seed:
        return stream
    return Stream(
        stream.incident, seed, stream.start, stream.onset, stream.end, stream.cast, stream.lines
    )


def _attempt(
    incident: Incident,
    seed: int,
    start: datetime,
    seconds: float | None,
    rate: float | None,
    volume: float,
) -> Stream:
    # Each incident draws its own traffic and noise from the seed: streams of one seed differ.
    rng = random.Random(f"{incident.name}/{seed}")
    fake = Fake(rng)
    length = seconds if seconds is not None else rng.uniform(*_SECONDS)
    healthy_rate = rate if rate is not None else rng.uniform(*_HEALTHY_RATE)
    onset = round(length * rng.uniform(0.62, 0.72), 3)
    cast = build_cast(fake, start)
    timeline = Timeline(fake, cast, start, length, onset, volume)
    for service in cast.services.values():
        timeline.steady(
            service.name,
            0,
            length,
            healthy_rate * service.share,
            BY_RUNTIME[service.runtime],
            role=Role.HEALTHY,
        )
    chronic.play(timeline, avoid=incident.category)
    incident.play(timeline)
    return Stream(
        incident,
        seed,
        start,
        timeline.moment(onset),
        timeline.moment(length),
        cast,
        timeline.finish(),
    )

"""An incident's stream, built: healthy traffic in every service, chronic noise, then the
incident's own `play`, on a `Timeline` of the seed's clock, kept within a size in lines."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from chaos_app.events import Fake
from chaos_app.incidents import chronic
from chaos_app.incidents.cast import build_cast
from chaos_app.incidents.healthy import BY_RUNTIME
from chaos_app.incidents.incident import Incident, Stream
from chaos_app.incidents.model import Origin, Role
from chaos_app.incidents.timeline import Timeline

SEEDED_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
MIN_LINES, MAX_LINES = 4_000, 35_000  # the default stream's size, in lines, whatever the shape
_SECONDS = (30 * 60, 60 * 60)  # the default stream's simulated length
_HEALTHY_RATE = (2.5, 7.0)  # healthy lines per second, all services together


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
    stream = _attempt(incident, run_seed, first, seconds, rate, volume, label=seed)
    if seconds is not None or rate is not None:
        return stream
    for _ in range(6):
        low, high = line_bounds(stream)
        if high > MAX_LINES:
            volume *= 0.92 * MAX_LINES / high
        elif low < MIN_LINES:
            volume *= 1.08 * MIN_LINES / max(low, 1)
        else:
            break
        stream = _attempt(incident, run_seed, first, seconds, rate, volume, label=seed)
    return stream


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


def _attempt(
    incident: Incident,
    seed: int,
    start: datetime,
    seconds: float | None,
    rate: float | None,
    volume: float,
    *,
    label: int | None,
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
        label,  # the seed asked for (None: drawn at random), not the one drawn
        start,
        timeline.moment(onset),
        timeline.moment(length),
        cast,
        timeline.finish(),
    )

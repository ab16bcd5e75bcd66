"""The traffic model: healthy background events with failure bursts mixed in, on a logical clock.

Timestamps are `start + i / rate`, never read from the wall clock, so a seeded run is
reproducible byte for byte; pacing in real time is the runner's job, not the generator's.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from chaos_app.events import Event, Fake, Stamped
from chaos_app.healthy import healthy_event
from chaos_app.scenarios import Scenario


def generate(
    scenarios: Sequence[Scenario],
    *,
    start: datetime,
    rate: float,
    seed: int | None = None,
    count: int | None = None,
    error_ratio: float = 0.2,
) -> Iterator[Stamped]:
    """Yield `count` events (forever when None).

    At each tick with no burst under way, a failure burst starts with probability
    `error_ratio`; with several scenarios they take turns in a seed-shuffled order, so even a
    short run shows several kinds of failure.
    """
    if not scenarios:
        raise ValueError("at least one scenario is needed")
    if rate <= 0:
        raise ValueError("rate must be positive")
    rng = random.Random(seed)
    fake = Fake(rng)
    order = list(scenarios)
    rng.shuffle(order)
    turn = 0
    pending: deque[tuple[Event, str]] = deque()
    index = 0
    while count is None or index < count:
        if not pending and rng.random() < error_ratio:
            scenario = order[turn % len(order)]
            turn += 1
            pending.extend((event, scenario.name) for event in scenario.burst(fake))
        if pending:
            event, name = pending.popleft()
            yield Stamped(start + timedelta(seconds=index / rate), event, name)
        else:
            yield Stamped(start + timedelta(seconds=index / rate), healthy_event(fake), None)
        index += 1

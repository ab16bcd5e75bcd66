"""Incident streams as the records `chaos-app run --incident` writes to its sink."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from chaos_app.events import Event, Stamped
from chaos_app.incidents.incident import Incident
from chaos_app.incidents.model import Shape
from chaos_app.incidents.shapes import render
from chaos_app.incidents.stream import build


def records(
    chosen: Sequence[Incident],
    shape: Shape,
    *,
    start: datetime,
    seed: int | None,
    seconds: float = 0,
    rate: float | None = None,
    count: int | None = None,
) -> Iterator[Stamped]:
    """Each incident's stream in turn (the next starts where the last ended), one record per
    log event: a stack stays with its line, and reaches CloudWatch as one event. `seconds`
    (0: by the seed) and `rate` fix a stream's length and density; `count` cuts the output."""
    written = 0
    for incident in chosen:
        stream = build(incident, seed=seed, start=start, seconds=seconds or None, rate=rate)
        for at, text in render(stream, shape):
            if count is not None and written >= count:
                return
            yield Stamped(at, Event("INFO", "record", text), None)
            written += 1
        start = stream.end


def record_text(item: Stamped) -> str:
    """The sink's renderer for `records`: the record is already written out."""
    return item.event.message

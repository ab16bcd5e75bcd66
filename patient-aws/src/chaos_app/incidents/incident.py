"""An incident (its root cause, what follows, and how to play it on a timeline) and the
stream built from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chaos_app.incidents.cast import Cast
from chaos_app.incidents.model import Line
from chaos_app.incidents.timeline import Timeline


@dataclass(frozen=True)
class Symptom:
    category: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Incident:
    name: str  # kebab-case, e.g. "db-disk-full"
    category: str  # the root cause's category: exactly a DESIGN.md category value
    service: str  # where the root cause is logged
    symptoms: tuple[Symptom, ...]  # what follows, and where
    description: str  # one line, shown by `chaos-app incidents`
    play: Callable[[Timeline], None]  # writes the root cause and its symptoms from the onset on


@dataclass(frozen=True)
class Stream:
    incident: Incident
    seed: int | None
    start: datetime
    onset: datetime  # when the root cause's first line is written
    end: datetime
    cast: Cast
    lines: tuple[Line, ...]  # in time order

"""The records an incident stream is made of (the incident and its stream: `incident.py`).

A stream is a list of `Line`s: one log record each (its stack included), written by one
instance of one service at one moment. Every line also says what it is (`role`, `category`):
that label is for tests and the bench only, and no shape ever renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chaos_app.events import Event


class Role(StrEnum):
    HEALTHY = "healthy"  # background traffic, all the way through
    CHRONIC = "chronic"  # noise that predates the incident (and may or may not outlast it)
    ROOT = "root_cause"  # the few lines where the incident starts
    SYMPTOM = "symptom"  # what the root cause does to the other services


class Origin(StrEnum):
    """Who wrote a line: the service itself, or the machinery around it."""

    APP = "app"  # the service's own output (its stdout / stderr)
    HOST = "host"  # the instance's host: the kernel, systemd (text and JSON shapes show it)
    RUNTIME = "runtime"  # the orchestrator: an exit, a restart (each shape in its own words)


class Shape(StrEnum):
    """How a stream is written out, as an operator would have collected it."""

    compose = "compose"  # `docker compose logs`: `api-1     | <line>`
    kubectl = "kubectl"  # `kubectl logs --prefix --timestamps`
    json = "json"  # a log shipper's JSON lines, each logger's own keys
    text = "text"  # plain lines, the service or program named in each header


@dataclass(frozen=True, slots=True)
class Line:
    at: datetime
    service: str
    instance: int  # which replica of the service (0-based)
    event: Event
    role: Role = Role.HEALTHY
    category: str | None = None  # a DESIGN.md category, for chronic errors, root and symptoms
    origin: Origin = Origin.APP

"""Incidents: an outage as a whole system logs it, for the doctor to diagnose.

Several services write healthy traffic all along (`healthy`); chronic noise starts long before
and often outshouts the incident (`chronic`); at the onset, a small root cause in one service
is followed within seconds by many symptoms in the others, cascading (`data`, `network`,
`runtime`, `cloud`: the incidents, listed in `catalog`). `stream.build` lays a stream out on
a seeded clock; `shapes.render` writes it as `docker compose logs`, `kubectl logs --prefix
--timestamps`, JSON lines or plain text.
"""

from chaos_app.incidents.catalog import INCIDENTS, by_name
from chaos_app.incidents.incident import Incident, Stream, Symptom
from chaos_app.incidents.model import Line, Origin, Role, Shape
from chaos_app.incidents.replay import record_text, records
from chaos_app.incidents.shapes import render, render_text
from chaos_app.incidents.stream import MAX_LINES, MIN_LINES, SEEDED_EPOCH, build

__all__ = [
    "INCIDENTS",
    "MAX_LINES",
    "MIN_LINES",
    "SEEDED_EPOCH",
    "Incident",
    "Line",
    "Origin",
    "Role",
    "Shape",
    "Stream",
    "Symptom",
    "build",
    "by_name",
    "record_text",
    "records",
    "render",
    "render_text",
]

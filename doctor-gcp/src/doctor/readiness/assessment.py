"""`assess`: every path's verdict in one `Readiness`.

The one function behind `cloud-doctor check`, `GET /readyz` and the start-up log line, so all
three say the same thing.
"""

from __future__ import annotations

from doctor.readiness.checks import check_paths
from doctor.readiness.live import probe
from doctor.readiness.verdict import Readiness
from doctor.settings import Settings


def assess(settings: Settings, *, probe_store: bool = False, live: bool = False) -> Readiness:
    """Every path's verdict from the settings (and local files). `probe_store` opens and
    migrates the history database; `live` also asks STS and Slack (short timeouts)."""
    paths = check_paths(settings, probe_store=probe_store)
    if live:
        paths = [probe(check, settings) for check in paths]
    return Readiness(paths)

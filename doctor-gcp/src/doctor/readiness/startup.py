"""The service's structured start-up log line: what this doctor can and cannot do."""

from __future__ import annotations

import logging
from importlib.metadata import version

from doctor.readiness.assessment import assess
from doctor.readiness.verdict import Readiness
from doctor.settings import Settings

# The logger's name is part of the line (the JSON `logger` field, what log filters match): it
# stays the one it had while all of readiness was the single module `doctor.readiness`.
log = logging.getLogger("doctor.readiness")


def log_readiness(settings: Settings) -> Readiness:
    """The service's start-up line: every path's status and configuration as fields."""
    readiness = assess(settings)
    level = logging.INFO if readiness.serving else logging.WARNING
    log.log(
        level,
        "cloud-doctor %s starting: %s%s",
        version("cloud-doctor"),
        readiness.statuses(),
        "" if readiness.serving else " (POST /analyze will answer 503: see GET /readyz)",
        extra={"fields": {"event": "startup", **readiness.to_dict()}},
    )
    return readiness

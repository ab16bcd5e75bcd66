"""A report's delivery to Slack on behalf of an analysis: bounded in time, and a failure is a
warning on the answer, never a failed analysis."""

from __future__ import annotations

import logging
from collections.abc import Callable

from doctor.deadline import call_within
from doctor.errors import DoctorError
from doctor.models import AnalysisResponse
from doctor.notify.slack import summary_line

# How the answer's warnings say the report did not reach Slack (the demo looks for it).
SLACK_DELIVERY_FAILED = "Slack delivery failed"
# A trickling Slack once held a request 60 s: past this, the answer goes out with a warning.
SLACK_DEADLINE_SECONDS = 15.0

# The orchestrator's logger, not this module's: the logger's name is part of the line (the JSON
# `logger` field, what log filters match), and these lines were always the orchestrator's.
log = logging.getLogger("doctor.orchestrator")


def deliver(response: AnalysisResponse, post: Callable[[], None]) -> AnalysisResponse:
    """Run `post` (the report's post); a failure, or no answer within SLACK_DEADLINE_SECONDS,
    is a warning added to the answer."""
    try:
        call_within(SLACK_DEADLINE_SECONDS, "The post to Slack", post)
    except DoctorError as err:
        log.warning(
            "Slack delivery of analysis %s failed (%s): %s | %s",
            response.id,
            err.code,
            err,
            summary_line(response),
        )
        warning = f"{SLACK_DELIVERY_FAILED}: {err.message} {err.hint}".strip()
        return response.model_copy(update={"warnings": [*response.warnings, warning]})
    log.info("analysis %s posted to Slack", response.id)
    return response

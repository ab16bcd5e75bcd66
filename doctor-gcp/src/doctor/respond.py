"""The last step of an analysis: the AnalysisResponse, assembled from what the stages produced.

Each field is set once, from the stage that knows it: counts from the digest, the engine and
degradation from the engine's answer, issues from grounding, `input_truncated` from the source
and `prompt_truncated` from the prompt, when the answer was read from it. `log_analysis` is
the answer's one log line.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.engines import Answer, Usage
from doctor.ground import ground
from doctor.incident import Incident
from doctor.models import Analysis, AnalysisResponse, EngineName, RunSummary, Status
from doctor.taxonomy import Severity

# The orchestrator's logger, not this module's: the logger's name is part of the line (the JSON
# `logger` field, what log filters match), and the line was always the orchestrator's.
log = logging.getLogger("doctor.orchestrator")


@dataclass(slots=True)
class Digested:
    """One query's logs, read and digested; what `patterns` shows and what engines read."""

    digest: Digest
    label: str | None  # the log group (or the label given to a file)
    minutes: int | None  # the window read, if the source has one
    input_truncated: bool  # the source held more events than were kept
    started: float  # time.perf_counter() when the query began
    warnings: list[str] = field(default_factory=list)
    incident: Incident | None = None  # the incident stage's reading, once it has run
    target: str | None = None  # the target read (None: a file)


def answered(digested: Digested, prompt: Prompt, answer: Answer) -> AnalysisResponse:
    """The response to a digest that an engine diagnosed: grounded against the digest."""
    analysis, grounding_warnings = ground(
        answer.diagnosis, digested.digest, digested.incident, untrusted=answer.engine != "rules"
    )
    summary = _summary(
        digested,
        answer.engine,
        prompt_tokens=prompt.tokens,
        prompt_truncated=answer.from_prompt and prompt.truncated,
        usage=answer.usage,
    )
    warnings = [*digested.warnings, *answer.warnings, *grounding_warnings]
    return _response("degraded" if answer.degraded else "success", analysis, summary, warnings)


def no_logs(digested: Digested, engine: EngineName) -> AnalysisResponse:
    """Nothing to diagnose: no engine call, and an answer that says so plainly."""
    where = f"log group {digested.label}" if digested.label else "the input"
    window = f" in the last {digested.minutes} minutes" if digested.minutes else ""
    analysis = Analysis(
        summary=f"No log events found in {where}{window}; nothing to diagnose.",
        severity=Severity.LOW,
        issues=[],
        priority_actions=[
            "Check that the log source and time window are the ones the workload writes to."
        ],
    )
    summary = _summary(digested, engine, prompt_tokens=0, prompt_truncated=False)
    return _response("no_logs", analysis, summary, list(digested.warnings))


def log_analysis(response: AnalysisResponse) -> None:
    """One structured line per analysis: what it read, who answered, what it cost."""
    summary = response.summary
    log.info(
        "analysis %s: %s by %s, %d events, %d ms",
        response.id,
        response.status,
        summary.engine,
        summary.total_logs_analyzed,
        summary.duration_ms,
        extra={
            "fields": {
                "analysis_id": response.id,
                "status": response.status,
                "engine": summary.engine,
                "events": summary.total_logs_analyzed,
                "duration_ms": summary.duration_ms,
                "prompt_tokens": summary.prompt_tokens,
                "output_tokens": summary.output_tokens,
                "cost_usd": summary.cost_usd,
            }
        },
    )


def _summary(
    digested: Digested,
    engine: EngineName,
    *,
    prompt_tokens: int,
    prompt_truncated: bool,
    usage: Usage | None = None,
) -> RunSummary:
    # A model's own accounting when one was called (failed calls included); else the prompt's
    # estimated size and nothing spent.
    spent = usage if usage is not None else Usage(prompt_tokens, 0, 0.0)
    return RunSummary(
        total_logs_analyzed=digested.digest.events_total,
        log_group=digested.label,
        time_range_minutes=digested.minutes,
        distinct_patterns=len(digested.digest.patterns),
        engine=engine,
        duration_ms=round((time.perf_counter() - digested.started) * 1000),
        prompt_tokens=spent.prompt_tokens,
        output_tokens=spent.output_tokens,
        cost_usd=spent.cost_usd,
        input_truncated=digested.input_truncated,
        prompt_truncated=prompt_truncated,
        onset=digested.incident.onset if digested.incident is not None else None,
        target=digested.target,
    )


def _response(
    status: Status, analysis: Analysis, summary: RunSummary, warnings: list[str]
) -> AnalysisResponse:
    return AnalysisResponse(
        id=uuid.uuid4().hex,
        status=status,
        timestamp=datetime.now(UTC),
        summary=summary,
        analysis=analysis,
        warnings=warnings,
    )

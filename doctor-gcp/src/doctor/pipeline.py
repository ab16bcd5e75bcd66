"""One analysis, end to end: lines -> digest -> prompt -> engine (with fallback) -> ground.

The same function serves the CLI and (later) the API and Slack, so they cannot drift apart.
Lines are streamed: parsing and mining consume them as they are read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from doctor.digest import (
    Prompt,
    Redactor,
    build_digest,
    parse_lines,
    parse_records,
    render_prompt,
)
from doctor.digest.types import Digest, LogEvent
from doctor.engines import Engine
from doctor.errors import ConfigurationError
from doctor.ground import ground
from doctor.models import Analysis, AnalysisResponse, EngineName, RunSummary
from doctor.settings import DEFAULT_PROMPT_TOKEN_BUDGET
from doctor.taxonomy import Severity

Status = Literal["success", "degraded", "no_logs"]


@dataclass(frozen=True, slots=True)
class Records:
    """Events that arrive whole with their own timestamps (CloudWatch), rather than as lines:
    a message that carries no time of its own takes its record's."""

    items: Sequence[tuple[str, datetime | None]]


Source = Iterable[str] | Records


@dataclass(frozen=True)
class RunOptions:
    """What shapes one analysis besides its input lines."""

    log_group: str | None = None  # a label here; CloudWatch uses it to read
    minutes: int | None = None  # the time window the lines come from, if any
    max_events: int | None = None  # stop after this many events (None: all)
    budget_tokens: int = DEFAULT_PROMPT_TOKEN_BUDGET


def digest_of(
    source: Source, max_events: int | None = None, warnings: list[str] | None = None
) -> Digest:
    """Parse (redacting first) and mine the input, in one streaming pass."""
    redactor = Redactor()  # shared so the counts survive the capping wrapper below
    parsed = (
        parse_records(source.items, redactor=redactor)
        if isinstance(source, Records)
        else parse_lines(source, redactor=redactor)
    )
    return build_digest(_capped(parsed, max_events, warnings), redactions=redactor.counts)


def prepare(
    source: Source, options: RunOptions, warnings: list[str] | None = None
) -> tuple[Digest, Prompt]:
    """Digest the input and render the prompt Gemini would get. Appends to `warnings`."""
    digest = digest_of(source, options.max_events, warnings)
    try:
        prompt = render_prompt(
            digest,
            budget_tokens=options.budget_tokens,
            log_group=options.log_group,
            minutes=options.minutes,
        )
    except ValueError:
        # render_prompt's only ValueError: the budget cannot hold even the instructions.
        raise ConfigurationError(
            f"The prompt token budget ({options.budget_tokens}) is too small for the "
            "instructions alone",
            hint=f"Raise DOCTOR_PROMPT_TOKEN_BUDGET (default {DEFAULT_PROMPT_TOKEN_BUDGET}).",
        ) from None
    return digest, prompt


def analyze(
    source: Source,
    *,
    engine: Engine,
    options: RunOptions,
    warnings: Sequence[str] = (),
) -> AnalysisResponse:
    """Diagnose `source` with `engine` (a FallbackEngine when it may fail over).

    `warnings` are the caller's own notes (e.g. ignored options), listed first.
    """
    started = time.perf_counter()
    notes = list(warnings)
    digest, prompt = prepare(source, options, notes)

    if digest.events_total == 0:
        # Nothing to diagnose: no engine call, and an answer that says so plainly.
        return _response(
            "no_logs",
            _no_logs_analysis(options),
            _summary(digest, options, engine.name, started, prompt_tokens=0, truncated=False),
            notes,
        )

    answer = engine.diagnose(digest, prompt)
    analysis, grounding_warnings = ground(answer.diagnosis, digest)
    return _response(
        "degraded" if answer.degraded else "success",
        analysis,
        _summary(digest, options, answer.engine, started, prompt.tokens, prompt.truncated),
        [*notes, *answer.warnings, *grounding_warnings],
    )


def _capped(
    events: Iterator[LogEvent], limit: int | None, warnings: list[str] | None
) -> Iterator[LogEvent]:
    if limit is None:
        yield from events
        return
    for seen, event in enumerate(events):
        if seen == limit:
            if warnings is not None:
                warnings.append(
                    f"Stopped after {limit} log events (max logs); later events were not analysed."
                )
            return
        yield event


def _no_logs_analysis(options: RunOptions) -> Analysis:
    where = f"log group {options.log_group}" if options.log_group else "the input"
    window = f" in the last {options.minutes} minutes" if options.minutes else ""
    return Analysis(
        summary=f"No log events found in {where}{window}; nothing to diagnose.",
        severity=Severity.LOW,
        issues=[],
        priority_actions=[
            "Check that the log source and time window are the ones the workload writes to."
        ],
    )


def _summary(
    digest: Digest,
    options: RunOptions,
    engine: EngineName,
    started: float,
    prompt_tokens: int,
    truncated: bool,
) -> RunSummary:
    return RunSummary(
        total_logs_analyzed=digest.events_total,
        log_group=options.log_group,
        time_range_minutes=options.minutes,
        distinct_patterns=len(digest.patterns),
        engine=engine,
        duration_ms=round((time.perf_counter() - started) * 1000),
        prompt_tokens=prompt_tokens,
        truncated=truncated,
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

"""`Doctor`, the one orchestrator: every inlet (CLI, HTTP, Slack, demo) asks it, and it alone
runs the stages in order.

    query ─► source ─► digest (parse, redact, newest max_logs, mine) ─► incident (onset,
          chronic, causes) ─► prompt ─► engine ─► ground ─► response ─► notify (Slack, if asked)

It holds what lives as long as the process: the CloudWatch client (whose web-identity
credentials refresh themselves), one engine per name, the Slack poster. Everything here blocks
(boto3, the Gemini SDK, slack_sdk): async callers run it in a worker thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import boto3

from doctor.credentials import web_identity_session
from doctor.digest import (
    EventStream,
    Prompt,
    Redactor,
    build_digest,
    parse_records,
    render_prompt,
)
from doctor.digest.parse import MAX_LINE_CHARS, ParseStats
from doctor.digest.types import Digest, LogEvent
from doctor.engines import Engine, build_engine, choose_engine
from doctor.engines.rules import knowledge, shared_rules
from doctor.errors import ConfigurationError, DoctorError, InvalidParameter, NotAllowed
from doctor.incident import Incident
from doctor.incident.story import notes
from doctor.logs import CloudWatchLogs, CloudWatchSource, FileSource, LogSource
from doctor.logs.cloudwatch import LOGS_CONFIG
from doctor.models import DEFAULT_MINUTES, AnalysisResponse, EngineChoice, EngineName, Query
from doctor.notify import Message, ResponseType, SlackPoster, summary_line
from doctor.respond import Digested, answered, no_logs
from doctor.settings import DEFAULT_PROMPT_TOKEN_BUDGET, Settings

# How the answer's warnings say the report did not reach Slack (the demo looks for it).
SLACK_DELIVERY_FAILED = "Slack delivery failed"

log = logging.getLogger(__name__)


class Doctor:
    """Answers queries. Build once per process (`from_settings`), close once.

    `session`, `logs` and `engines` replace what would be built from the settings (another AWS
    identity, a client aimed elsewhere, engines of the caller's own).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        session: boto3.Session | None = None,
        logs: CloudWatchLogs | None = None,
        engines: Mapping[EngineName, Engine] | None = None,
        engine_credentials: Any = None,
        ambient_aws: bool = False,
    ) -> None:
        self.settings = settings
        self._session = session
        self._logs = logs
        self._engine_credentials = engine_credentials
        self._ambient_aws = ambient_aws
        self._engines: dict[EngineName, Engine] = dict(engines or {})  # built on first use
        self._slack = SlackPoster(settings)  # connects to nothing until asked to post
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, ambient_aws: bool = False) -> Doctor:
        """The production wiring. `ambient_aws` lets a person's CLI use their own AWS login
        (SSO, profile) when no role is configured; the service never does."""
        return cls(settings, ambient_aws=ambient_aws and not settings.aws_role_arn)

    # --- the stages, in order

    def source_for(self, query: Query) -> LogSource:
        """The source a query reads, once it passes policy (allow list, limits)."""
        if query.file is not None:
            return FileSource(query.file, label=query.log_group)
        cap = self.settings.doctor_max_logs
        if query.max_logs is not None and query.max_logs > cap:
            raise InvalidParameter(
                f"max_logs {query.max_logs} is above this doctor's limit of {cap}.",
                hint=f"Ask for at most {cap} (DOCTOR_MAX_LOGS).",
            )
        group = self.resolve_log_group(query.log_group)  # policy first: it costs no I/O
        return CloudWatchSource(
            self._cloudwatch(),
            group,
            minutes=query.minutes or DEFAULT_MINUTES,
            max_logs=query.max_logs or cap,
            filter_pattern=query.filter_pattern,
        )

    def digest(self, query: Query) -> Digested:
        """Read the query's source and digest it: parse, redact, keep the newest `max_logs`
        events, mine. No engine is involved (`cloud-doctor patterns`)."""
        started = time.perf_counter()
        source = self.source_for(query)
        warnings = _ignored_options(query)
        batch = source.read()
        warnings += batch.warnings
        redactor = Redactor(pii=self.settings.doctor_redact_pii)
        events = parse_records(batch.records, redactor=redactor, whole=batch.whole)
        # CloudWatch hands over its newest max_logs already; a file is capped here, by events.
        limit = query.max_logs if query.file is not None else None
        kept = _Newest(events, limit) if limit is not None else None
        # the baseline window is redacted too (its words can end up in templates), apart
        baseline = parse_records(
            batch.baseline,
            redactor=Redactor(pii=self.settings.doctor_redact_pii),
            whole=batch.whole,
        )
        digest = build_digest(
            kept if kept is not None else events,
            redactions=redactor.counts,
            baseline=baseline,
            baseline_minutes=batch.baseline_minutes,
        )
        warnings += _reading_notes(events.stats)
        dropped = kept.dropped if kept is not None else 0
        if dropped:
            warnings.append(
                f"The input held {dropped + digest.events_total} log events; the newest "
                f"{digest.events_total} were analysed (max logs)."
            )
        return Digested(
            digest,
            label=source.label,
            minutes=source.minutes,
            input_truncated=batch.truncated or dropped > 0,
            warnings=warnings,
            started=started,
            incident=self.incident(digest),
        )

    def incident(self, digest: Digest) -> Incident:
        """The incident stage: onsets, chronic noise and causes, categorised by the knowledge
        base whichever engine answers."""
        return shared_rules().incident(digest)

    def prompt(self, query: Query) -> tuple[Digested, Prompt]:
        """The digest and the exact prompt Gemini would get (`--dry-run`)."""
        digested = self.digest(query)
        return digested, self._render(digested)

    def analyze(self, query: Query, *, notify_slack: bool = False) -> AnalysisResponse:
        """The whole diagnosis. With `notify_slack`, the report is also posted to
        SLACK_CHANNEL; a failed post is a warning in the answer, never a failed analysis."""
        engine = self.engine(query.engine)
        digested = self.digest(query)
        prompt = self._render(digested)
        if digested.digest.events_total == 0:
            response = no_logs(digested, engine.name)
        else:
            answer = engine.diagnose(digested.digest, prompt, digested.incident)
            response = answered(digested, prompt, answer)
        return self._notify(response) if notify_slack else response

    # --- what the stages use

    def engine(self, choice: EngineChoice | None) -> Engine:
        name = choose_engine(choice, self.settings)
        with self._lock:
            if name not in self._engines:
                self._engines[name] = build_engine(
                    name, self.settings, credentials=self._engine_credentials
                )
            return self._engines[name]

    def resolve_log_group(self, requested: str | None) -> str:
        """The group a query reads, checked against the allow list (no I/O)."""
        group = requested or self.settings.aws_log_group_name
        if not group:
            raise InvalidParameter(
                "No log group given and no default configured.",
                hint="Pass log_group (or --log-group), or set AWS_LOG_GROUP_NAME.",
            )
        # A person's own credentials carry their own IAM limits; the allow list guards the
        # doctor's role, which is not in use then.
        if not self._ambient_aws and not self.settings.is_log_group_allowed(group):
            raise NotAllowed(
                f"The doctor is not allowed to read log group {group!r}.",
                hint="Add it to DOCTOR_ALLOWED_LOG_GROUPS (comma-separated) if it should be.",
            )
        return group

    def _cloudwatch(self) -> CloudWatchLogs:
        with self._lock:
            if self._logs is None:
                # Built on first use: a file analysis never touches AWS configuration.
                session = self._session or (
                    boto3.Session() if self._ambient_aws else web_identity_session(self.settings)
                )
                region = self.settings.aws_region or session.region_name
                if not region:
                    raise ConfigurationError(
                        "No AWS region is configured.",
                        hint="Set AWS_REGION to the region of the patient's log group.",
                    )
                client = session.client(
                    "logs",
                    region_name=region,
                    endpoint_url=self.settings.aws_endpoint_url,
                    config=LOGS_CONFIG,
                )
                self._logs = CloudWatchLogs(client)
            return self._logs

    def _render(self, digested: Digested) -> Prompt:
        budget = self.settings.doctor_prompt_token_budget
        try:
            incident = digested.incident
            return render_prompt(
                digested.digest,
                budget_tokens=budget,
                log_group=digested.label,
                minutes=digested.minutes,
                notes=notes(incident, knowledge.links()) if incident is not None else None,
            )
        except ValueError:
            # render_prompt's only ValueError: the budget cannot hold even the instructions.
            raise ConfigurationError(
                f"The prompt token budget ({budget}) is too small for the instructions alone",
                hint=f"Raise DOCTOR_PROMPT_TOKEN_BUDGET (default {DEFAULT_PROMPT_TOKEN_BUDGET}).",
            ) from None

    # --- Slack, the outlet

    def slack_channel(self) -> str:
        """SLACK_CHANNEL, or a ConfigurationError saying what to set (before any work)."""
        return self._slack.check_channel_configured()

    def post_report(self, response: AnalysisResponse) -> None:
        """Post the report to SLACK_CHANNEL; NotifyError or ConfigurationError if it fails."""
        self._slack.post_report(response)

    def reply(self, response_url: str, message: Message, *, response_type: ResponseType) -> None:
        """Answer a slash command on its response_url."""
        self._slack.respond(response_url, message, response_type=response_type)

    def verify_slack_token(self) -> dict[str, Any]:
        """Who the bot is (auth.test), or NotifyError / ConfigurationError."""
        return self._slack.verify_token()

    def _notify(self, response: AnalysisResponse) -> AnalysisResponse:
        try:
            self.post_report(response)
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

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()


def _ignored_options(query: Query) -> list[str]:
    """Options that only mean something for CloudWatch, said out loud rather than ignored."""
    notes = []
    if query.file is not None and query.minutes is not None:
        notes.append("--minutes applies to CloudWatch; the file was analysed whole.")
    if query.file is not None and query.filter_pattern is not None:
        notes.append("--filter-pattern applies to CloudWatch; the file was not filtered.")
    return notes


def _reading_notes(stats: ParseStats) -> list[str]:
    notes = []
    if stats.binary_lines:
        notes.append(
            f"Skipped {stats.binary_lines} of {stats.lines} lines that are not text (NUL bytes); "
            "convert UTF-16 logs to UTF-8 first (iconv -f UTF-16 -t UTF-8)."
        )
    if stats.cut_lines:
        notes.append(
            f"Cut {stats.cut_lines} lines longer than {MAX_LINE_CHARS // 1024} KiB; "
            "their start was analysed."
        )
    return notes


class _Newest(Iterable[LogEvent]):
    """The newest `limit` events of a stream, in order. Only `limit` events are held;
    `dropped` counts the older ones, once iterated."""

    def __init__(self, events: EventStream, limit: int) -> None:
        self._events = events
        self.stats = events.stats  # what was read, for the per-line ids
        self.limit = limit
        self.dropped = 0

    def __iter__(self) -> Iterator[LogEvent]:
        newest: deque[LogEvent] = deque(maxlen=self.limit)
        seen = 0
        for seen, event in enumerate(self._events, start=1):  # noqa: B007 - counted after
            newest.append(event)
        self.dropped = max(0, seen - self.limit)
        return iter(newest)

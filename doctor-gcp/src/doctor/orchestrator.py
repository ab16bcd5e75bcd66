"""`Doctor`, the one orchestrator: every inlet (CLI, HTTP, Slack, demo) asks it, and it alone
runs the stages in order.

    query ─► source ─► digest (parse, redact, newest max_logs, mine) ─► incident (onset,
          chronic, causes) ─► prompt ─► engine ─► ground ─► response ─► history (stored,
          compared with the target's last) ─► notify (Slack, if asked)

It holds what lives as long as the process: the accounts (targets, one CloudWatch client per
role, whose web-identity credentials refresh themselves), one engine per name, the history
store, the Slack poster. Everything here blocks
(boto3, the Gemini SDK, slack_sdk): async callers run it in a worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import boto3

from doctor.accounts import Accounts, Plan
from doctor.digest import Prompt, Redactor, build_digest, parse_records, render_prompt
from doctor.digest.types import Digest
from doctor.engines import Engine, build_engine, choose_engine
from doctor.engines.rules import knowledge, shared_rules
from doctor.errors import ConfigurationError, DoctorError, LogSourceError, NotifyError
from doctor.incident import Incident
from doctor.incident.story import notes
from doctor.intake import Newest, ignored_options, reading_notes
from doctor.logs import CloudWatchLogs, FileSource, LogSource
from doctor.metrics import Metrics
from doctor.models import AnalysisResponse, EngineChoice, EngineName, Query
from doctor.notify import Message, ResponseType, SlackPoster, deliver
from doctor.reports.links import report_url
from doctor.respond import Digested, answered, log_analysis, no_logs
from doctor.settings import DEFAULT_PROMPT_TOKEN_BUDGET, Settings
from doctor.store import Page, Store, remember
from doctor.targets import Targets


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
        store: Store | None = None,
    ) -> None:
        self.settings = settings
        self._engine_credentials = engine_credentials
        self._engines: dict[EngineName, Engine] = dict(engines or {})  # built on first use
        self.accounts = Accounts(settings, session=session, logs=logs, ambient=ambient_aws)
        self._store = store  # built on first use: a --dry-run never opens the database
        self._slack = SlackPoster(settings)  # connects to nothing until asked to post
        self._lock = threading.Lock()
        self.metrics = Metrics()  # this doctor's own registry: GET /metrics

    @classmethod
    def from_settings(cls, settings: Settings, *, ambient_aws: bool = False) -> Doctor:
        """The production wiring. `ambient_aws` lets a person's CLI use their own AWS login
        (SSO, profile) when no role is configured; the service never does."""
        return cls(settings, ambient_aws=ambient_aws and not settings.aws_role_arn)

    # --- the stages, in order

    @property
    def targets(self) -> Targets:
        return self.accounts.targets

    def source_for(self, query: Query) -> LogSource:
        """The source a query reads, once it passes policy (target, allow list, limits)."""
        return self._read(query)[0]

    def _read(self, query: Query) -> tuple[LogSource, str | None]:
        """The query's source and the target it reads (None: a file); policy first, no I/O."""
        if query.file is not None:
            return FileSource(query.file, label=query.log_group), None
        plan = self.accounts.plan(query)
        return self.accounts.source(plan), plan.target.name

    def plan(self, query: Query) -> Plan:
        """What a CloudWatch query would read (no I/O): inlets refuse before they ack."""
        return self.accounts.plan(query)

    def digest(self, query: Query) -> Digested:
        """Read the query's source and digest it: parse, redact, keep the newest `max_logs`
        events, mine. No engine is involved (`cloud-doctor patterns`)."""
        started = time.perf_counter()
        source, target = self._read(query)
        warnings = ignored_options(query)
        batch = source.read()
        warnings += batch.warnings
        redactor = Redactor(pii=self.settings.doctor_redact_pii)
        events = parse_records(
            batch.records, redactor=redactor, whole=batch.whole, at_hand=batch.at_hand
        )
        # CloudWatch hands over its newest max_logs already; a file is capped here, by events.
        limit = query.max_logs if query.file is not None else None
        kept = Newest(events, limit) if limit is not None else None
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
        warnings += reading_notes(events.stats)
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
            target=target,
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
        try:
            digested = self.digest(query)
        except LogSourceError as err:
            self.metrics.aws_error(err)
            raise
        prompt = self._render(digested)
        if digested.digest.events_total == 0:
            response = no_logs(digested, engine.name)
        else:
            answer = engine.diagnose(digested.digest, prompt, digested.incident)
            response = answered(digested, prompt, answer)
        store = self.store()
        if store is not None:
            response = remember(store, query, digested.target, digested.digest, response)
        log_analysis(response)
        self.metrics.analysis(response)
        return self.notify(response) if notify_slack else response

    # --- history

    def store(self) -> Store | None:
        """The history (None when DOCTOR_HISTORY is off)."""
        if not self.settings.doctor_history:
            return None
        with self._lock:
            if self._store is None:
                self._store = Store(self.settings.database_url())
            return self._store

    def history(
        self,
        *,
        target: str | None = None,
        since: datetime | None = None,
        category: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page:
        store = self.store()
        if store is None:
            raise ConfigurationError(
                "History is off on this doctor.", hint="Unset DOCTOR_HISTORY (or set it to true)."
            )
        if target is not None:
            self.targets.get(target)  # an unknown target is a 404 naming the known ones
        return store.page(target=target, since=since, category=category, limit=limit, cursor=cursor)

    def diagnosis(self, diagnosis_id: str) -> AnalysisResponse | None:
        store = self.store()
        return store.get(diagnosis_id) if store is not None else None

    # --- what the stages use

    def engine(self, choice: EngineChoice | None) -> Engine:
        name = choose_engine(choice, self.settings)
        with self._lock:
            if name not in self._engines:
                self._engines[name] = build_engine(
                    name, self.settings, credentials=self._engine_credentials
                )
            return self._engines[name]

    def _render(self, digested: Digested) -> Prompt:
        budget = self.settings.doctor_prompt_token_budget
        try:
            incident = digested.incident
            return render_prompt(
                digested.digest,
                budget_tokens=budget,
                log_group=digested.label,
                minutes=digested.minutes,
                notes=(
                    notes(incident, knowledge.links(), knowledge.lagging())
                    if incident is not None
                    else None
                ),
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
        try:
            self._slack.post_report(response, link=self.report_link(response.id))
        except NotifyError:
            self.metrics.slack_error("post")
            raise

    def report_link(self, diagnosis_id: str) -> str | None:
        """The signed link to the report page, when there is one to open: DOCTOR_PUBLIC_URL
        and DOCTOR_API_TOKEN set, and the diagnosis in history."""
        url = report_url(self.settings, diagnosis_id)
        if url is None:
            return None
        try:
            found = self.diagnosis(diagnosis_id)
        except DoctorError:
            return None  # the report goes out without its button rather than not at all
        return url if found is not None else None

    def reply(self, response_url: str, message: Message, *, response_type: ResponseType) -> None:
        """Answer a slash command on its response_url."""
        try:
            self._slack.respond(response_url, message, response_type=response_type)
        except NotifyError:
            self.metrics.slack_error("reply")
            raise

    def verify_slack_token(self) -> dict[str, Any]:
        """Who the bot is (auth.test), or NotifyError / ConfigurationError."""
        return self._slack.verify_token()

    def notify(self, response: AnalysisResponse) -> AnalysisResponse:
        """Post the report to SLACK_CHANNEL; a failure, or no answer within
        SLACK_DEADLINE_SECONDS (notify.delivery), is a warning in the answer, never a failed
        analysis."""
        return deliver(response, lambda: self.post_report(response))

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        if self._store is not None:
            self._store.close()

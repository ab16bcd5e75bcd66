"""The doctor as a service: CloudWatch in, AnalysisResponse out. Built once, shared by the API,
the CLI's `--log-group` path and Slack, so they cannot drift apart.

Everything here is blocking (boto3, the Gemini SDK): async callers run it in a worker thread.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import boto3

from doctor.credentials import web_identity_session
from doctor.engines import Engine, build_engine, choose_engine
from doctor.errors import ConfigurationError, InvalidParameter, NotAllowed
from doctor.logs.cloudwatch import LOGS_CONFIG, CloudWatchSource
from doctor.models import AnalysisResponse, AnalyzeRequest, EngineChoice
from doctor.pipeline import Records, RunOptions, analyze
from doctor.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Collected:
    """One request's logs, ready for the pipeline."""

    records: Records  # one CloudWatch event each (multi-line events stay whole)
    options: RunOptions
    warnings: list[str]
    truncated: bool


class Doctor:
    """Holds the long-lived clients: one boto3 logs client (whose web-identity credentials
    refresh themselves) and one client per engine."""

    def __init__(
        self,
        settings: Settings,
        *,
        session: boto3.Session | None = None,
        source: CloudWatchSource | None = None,
        engine_credentials: Any = None,
        enforce_allow_list: bool = True,
    ) -> None:
        self.settings = settings
        self._enforce_allow_list = enforce_allow_list
        self._session = session
        self._engine_credentials = engine_credentials
        self._source = source
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, ambient_aws: bool = False) -> Doctor:
        """The production wiring. `ambient_aws` lets a person's CLI use their own AWS login
        (SSO, profile) when no role is configured; the service never does."""
        if ambient_aws and not settings.aws_role_arn:
            # A person's own credentials carry their own IAM limits; the allow list guards the
            # doctor's role, which is not in use here.
            return cls(settings, session=boto3.Session(), enforce_allow_list=False)
        return cls(settings)

    def source(self) -> CloudWatchSource:
        with self._lock:
            if self._source is None:
                session = self._session or web_identity_session(self.settings)
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
                self._source = CloudWatchSource(client)
            return self._source

    def engine(self, choice: EngineChoice | None) -> Engine:
        wanted = choose_engine(choice, self.settings)
        with self._lock:
            if wanted not in self._engines:
                self._engines[wanted] = build_engine(
                    wanted, self.settings, credentials=self._engine_credentials
                )
            return self._engines[wanted]

    def resolve_log_group(self, requested: str | None) -> str:
        group = requested or self.settings.aws_log_group_name
        if not group:
            raise InvalidParameter(
                "No log group given and no default configured.",
                hint="Pass log_group (or --log-group), or set AWS_LOG_GROUP_NAME.",
            )
        if self._enforce_allow_list and not self.settings.is_log_group_allowed(group):
            raise NotAllowed(
                f"The doctor is not allowed to read log group {group!r}.",
                hint="Add it to DOCTOR_ALLOWED_LOG_GROUPS (comma-separated) if it should be.",
            )
        return group

    def collect(self, request: AnalyzeRequest) -> Collected:
        """Check the request against policy, then read the window from CloudWatch."""
        cap = self.settings.doctor_max_logs
        if request.max_logs is not None and request.max_logs > cap:
            raise InvalidParameter(
                f"max_logs {request.max_logs} is above this doctor's limit of {cap}.",
                hint=f"Ask for at most {cap} (DOCTOR_MAX_LOGS).",
            )
        group = self.resolve_log_group(request.log_group)
        max_logs = request.max_logs or cap
        fetched = self.source().fetch(
            group,
            minutes=request.time_range_minutes,
            max_logs=max_logs,
            filter_pattern=request.filter_pattern,
        )
        warnings = []
        if fetched.timed_out:
            warnings.append(
                "CloudWatch did not return the whole window in time; the newest part that was "
                "read was analysed. Narrow the window for a complete reading."
            )
        elif fetched.truncated:
            warnings.append(
                f"The window held more than {max_logs} matching events; the newest {max_logs} "
                "were analysed. Narrow the window or raise max_logs for more."
            )
        options = RunOptions(
            log_group=group,
            minutes=request.time_range_minutes,
            budget_tokens=self.settings.doctor_prompt_token_budget,
        )
        records = Records([(event.message, event.timestamp) for event in fetched.events])
        return Collected(records, options, warnings, fetched.truncated)

    def analyze(self, request: AnalyzeRequest) -> AnalysisResponse:
        engine = self.engine(request.engine)  # first: a config error costs no AWS call
        collected = self.collect(request)
        response = analyze(
            collected.records,
            engine=engine,
            options=collected.options,
            warnings=collected.warnings,
        )
        if collected.truncated:
            response.summary.truncated = True
        return response

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()

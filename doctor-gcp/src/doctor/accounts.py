"""The AWS side of the Doctor: its targets, what a query may read, and one client per role.

`plan` applies a target's policy and defaults to a query without any I/O, so inlets can refuse
before they acknowledge; `source` turns a plan into the CloudWatch source that reads it (a
target's several groups together). Clients are built on first use, one per role and region,
and shared by every request: their web-identity credentials refresh themselves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import boto3

from doctor.credentials import web_identity_session
from doctor.errors import ConfigurationError, InvalidParameter, NotAllowed
from doctor.logs import CloudWatchLogs, CloudWatchSource, LogSource, MergedSource
from doctor.logs.cloudwatch import LOGS_CONFIG
from doctor.models import DEFAULT_MINUTES, Query
from doctor.settings import Settings
from doctor.targets import DEFAULT_TARGET, Target, Targets, load_targets


@dataclass(frozen=True, slots=True)
class Plan:
    """Where and how much a CloudWatch query reads, after its target's policy and defaults."""

    target: Target
    groups: list[str]
    minutes: int
    max_logs: int
    filter_pattern: str | None


class Accounts:
    """`session` and `logs` replace what would be built (another identity, a client aimed
    elsewhere); `ambient` uses the person's own AWS login instead of the doctor's role."""

    def __init__(
        self,
        settings: Settings,
        *,
        session: boto3.Session | None = None,
        logs: CloudWatchLogs | None = None,
        ambient: bool = False,
    ) -> None:
        self.settings = settings
        self.targets: Targets = load_targets(settings)
        self._session = session
        self._logs = logs
        self._ambient = ambient
        self._clients: dict[tuple[str | None, str | None], CloudWatchLogs] = {}
        self._lock = threading.Lock()

    def target_for(self, account: str, region: str) -> Target:
        """The target whose role lives in `account` and reads `region` (an alarm's origin), or
        InvalidParameter (422) naming both."""
        for target in self.targets.by_name.values():
            arn = target.role_arn or self.settings.aws_role_arn or ""
            owner = arn.split(":")[4] if arn.count(":") >= 5 else None
            if owner == account and (target.region or self.settings.aws_region) == region:
                return target
        raise InvalidParameter(
            f"No target reads AWS account {account} in region {region}.",
            hint="Add a target for that account and region to DOCTOR_TARGETS_FILE (its role_arn "
            "names the account), or point the alarm's EventBridge rule at the right doctor.",
        )

    def source(self, plan: Plan) -> LogSource:
        """The CloudWatch source that reads `plan` (one group, or the target's groups
        together)."""
        logs = self.cloudwatch(plan.target)
        sources = [
            CloudWatchSource(
                logs,
                group,
                minutes=plan.minutes,
                max_logs=plan.max_logs,
                filter_pattern=plan.filter_pattern,
            )
            for group in plan.groups
        ]
        return sources[0] if len(sources) == 1 else MergedSource(sources, plan.max_logs)

    def plan(self, query: Query) -> Plan:
        """What a CloudWatch query reads: its target, groups, window and limits, checked
        against the target's allow list. No I/O, so inlets can refuse before they acknowledge."""
        target = self.targets.get(query.target)
        cap = self.settings.doctor_max_logs
        if query.max_logs is not None and query.max_logs > cap:
            raise InvalidParameter(
                f"max_logs {query.max_logs} is above this doctor's limit of {cap}.",
                hint=f"Ask for at most {cap} (DOCTOR_MAX_LOGS).",
            )
        groups = [query.log_group] if query.log_group else target.default_groups()
        if not groups:
            raise InvalidParameter(
                "No log group given and no default configured.",
                hint="Pass log_group (or --log-group), or set AWS_LOG_GROUP_NAME.",
            )
        # A person's own credentials carry their own IAM limits; the allow list guards the
        # doctor's role, which is not in use then.
        refused = [g for g in groups if not target.allows(g)]
        if refused and not self._ambient:
            where = (
                "DOCTOR_ALLOWED_LOG_GROUPS (comma-separated)"
                if self.settings.doctor_targets_file is None
                else f"the log_groups of target {target.name!r} in DOCTOR_TARGETS_FILE"
            )
            raise NotAllowed(
                f"The doctor is not allowed to read log group {refused[0]!r}"
                + ("" if target.name == DEFAULT_TARGET else f" of target {target.name!r}")
                + ".",
                hint=f"Add it to {where} if it should be.",
            )
        defaults = target.defaults
        return Plan(
            target=target,
            groups=groups,
            minutes=query.minutes or defaults.minutes or DEFAULT_MINUTES,
            max_logs=min(query.max_logs or defaults.max_logs or cap, cap),
            filter_pattern=(
                query.filter_pattern
                if query.filter_pattern is not None
                else defaults.filter_pattern
            ),
        )

    def cloudwatch(self, target: Target) -> CloudWatchLogs:
        """One CloudWatch client per role and region, built on first use (a file analysis
        never touches AWS configuration) and shared by every request: its credentials refresh
        themselves."""
        key = (target.role_arn, target.region)
        with self._lock:
            if self._logs is not None:
                return self._logs
            if key not in self._clients:
                session = self._aws_session(target)
                region = target.region or self.settings.aws_region or session.region_name
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
                self._clients[key] = CloudWatchLogs(client)
            return self._clients[key]

    def _aws_session(self, target: Target) -> boto3.Session:
        if self._ambient:
            return self._session or boto3.Session()
        if self._session is not None and target.name == DEFAULT_TARGET:
            return self._session
        return web_identity_session(self.settings, role_arn=target.role_arn, region=target.region)

"""The alarm path of infra/terraform/aws/alarms.tf, created in an emulator by bootstrap.py.

Error lines of the patient's log group → a metric filter → a CloudWatch alarm → an EventBridge
rule for that alarm's state changes (ALARM and OK) → an API destination that POSTs the event to
<doctor>/alerts/aws through a connection whose API-key auth sends `Authorization: Bearer
<DOCTOR_ALERT_TOKEN>`, with a retry policy, an SQS dead-letter queue and a role that may invoke
only that destination. Same names, defaults and policy documents as Terraform (tests/infra
checks both), so the demo's account looks like a deployed one.

moto stores all of it but delivers nothing: the demo posts the event itself.

Self-contained like bootstrap.py (boto3, stdlib). It does not import bootstrap.py, which runs
as `__main__`: the policy renderer and the role helper come in as arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

# Defaults mirror infra/terraform/aws/variables.tf (tests/infra checks that they agree).
DEFAULT_ALARM_NAME_PREFIX = "cloud-doctor"
DEFAULT_METRIC_NAMESPACE = "CloudDoctor"
DEFAULT_METRIC_NAME = "PatientErrorLines"
DEFAULT_THRESHOLD = 5
DEFAULT_PERIOD_SECONDS = 60
DEFAULT_EVALUATION_PERIODS = 2
DEFAULT_INVOCATION_RATE_LIMIT = 10
DEFAULT_MAX_EVENT_AGE_SECONDS = 3600
DEFAULT_MAX_RETRY_ATTEMPTS = 20
DEFAULT_LOG_FORMAT = "json"

# local.alarm_filter_patterns of alarms.tf (it explains the choice of terms).
FILTER_PATTERNS = {
    "json": '{ ($.level = "ERROR") || ($.level = "CRITICAL") }',
    "text": '?ERROR ?CRITICAL ?FATAL ?PANIC ?"[error]" ?"[crit]" ?"[alert]" ?"[emerg]" '
    "?fatal ?panic ?segfault",
}

# Fixed in alarms.tf rather than variables.
TARGET_ID = "cloud-doctor"
ALERT_TARGET_POLICY_NAME = "invoke-doctor-api-destination"
DLQ_RETENTION_SECONDS = 1209600  # 14 days, for a replay
ALERTS_PATH = "/alerts/aws"
STATES = ("ALARM", "OK")

# variables.tf's doctor_alert_token validation: "Bearer " + token fits EventBridge's 512.
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{32,505}")

PolicyRenderer = Callable[..., dict[str, Any]]
RoleEnsurer = Callable[[Any, str, Mapping[str, Any], str], str]


class AlarmResult(TypedDict):
    metric_filter_name: str
    metric_namespace: str
    metric_name: str
    alarm_name: str
    alarm_arn: str
    rule_name: str
    rule_arn: str
    connection_arn: str
    api_destination_arn: str
    alerts_endpoint: str
    dead_letter_queue_url: str
    dead_letter_queue_arn: str
    alert_role_arn: str


def alerts_endpoint(doctor_url: str) -> str:
    """<doctor_url>/alerts/aws, like local.alerts_endpoint. Plain http is accepted here (the
    demo's doctor is on loopback); Terraform requires https, as EventBridge does."""
    parts = urlsplit(doctor_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"--doctor-url must be an http(s) URL without query: {doctor_url!r}")
    return doctor_url.rstrip("/") + ALERTS_PATH


def check_alert_token(token: str) -> str:
    if not _TOKEN.fullmatch(token):
        raise ValueError(
            "the alert token must be 32 to 505 characters of A-Z a-z 0-9 . _ ~ + / = - "
            "(as variables.tf's doctor_alert_token)"
        )
    return token


def event_pattern(alarm_arn: str) -> dict[str, Any]:
    """The rule's pattern: that alarm's state changes to ALARM or OK, nothing else."""
    return {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "resources": [alarm_arn],
        "detail": {"state": {"value": list(STATES)}},
    }


def create_alarm_path(
    client: Callable[[str], Any],
    *,
    render: PolicyRenderer,
    ensure_role: RoleEnsurer,
    account_id: str,
    log_group: str,
    doctor_url: str,
    alert_token: str,
    prefix: str = DEFAULT_ALARM_NAME_PREFIX,
    log_format: str = DEFAULT_LOG_FORMAT,
) -> AlarmResult:
    """Create or update (idempotent) every resource of alarms.tf, with variables.tf's defaults;
    `client(service)` builds a boto3 client for the emulator. The token is never part of the
    result."""
    endpoint = alerts_endpoint(doctor_url)
    check_alert_token(alert_token)
    logs, cloudwatch, events = client("logs"), client("cloudwatch"), client("events")
    sqs, iam = client("sqs"), client("iam")

    filter_name = f"{prefix}-error-lines"
    _put_metric_filter(
        logs,
        log_group,
        filter_name,
        FILTER_PATTERNS[log_format],
        namespace=DEFAULT_METRIC_NAMESPACE,
        metric=DEFAULT_METRIC_NAME,
    )

    alarm_name = f"{prefix}-patient-errors"
    cloudwatch.put_metric_alarm(
        AlarmName=alarm_name,
        AlarmDescription=f"Error lines in {log_group}: Cloud Doctor diagnoses on ALARM and "
        "follows up on OK.",
        Namespace=DEFAULT_METRIC_NAMESPACE,
        MetricName=DEFAULT_METRIC_NAME,
        Statistic="Sum",
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        Threshold=float(DEFAULT_THRESHOLD),
        Period=DEFAULT_PERIOD_SECONDS,
        EvaluationPeriods=DEFAULT_EVALUATION_PERIODS,
        TreatMissingData="notBreaching",
    )
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    alarm_arn: str = alarm["AlarmArn"]

    rule_name = f"{prefix}-alarm-to-doctor"
    rule_arn: str = events.put_rule(
        Name=rule_name,
        Description=f"State changes of {alarm_name} to the doctor's /alerts/aws",
        EventPattern=json.dumps(event_pattern(alarm_arn)),
        State="ENABLED",
    )["RuleArn"]

    bearer = {"ApiKeyName": "Authorization", "ApiKeyValue": f"Bearer {alert_token}"}
    connection_arn = _create_or_update(
        events,
        "connection",
        {
            "Name": f"{prefix}-doctor",
            "Description": "Cloud Doctor's alert inlet: Authorization: Bearer DOCTOR_ALERT_TOKEN",
            "AuthorizationType": "API_KEY",
            "AuthParameters": {"ApiKeyAuthParameters": bearer},
        },
    )
    destination_arn = _create_or_update(
        events,
        "api_destination",
        {
            "Name": f"{prefix}-doctor-alerts",
            "Description": "POST alarm state changes to Cloud Doctor",
            "ConnectionArn": connection_arn,
            "InvocationEndpoint": endpoint,
            "HttpMethod": "POST",
            "InvocationRateLimitPerSecond": DEFAULT_INVOCATION_RATE_LIMIT,
        },
    )

    queue_url, queue_arn = _ensure_queue(sqs, f"{prefix}-alerts-dlq")
    dlq_policy = render("alarm-dlq.json.tftpl", queue_arn=queue_arn, rule_arn=rule_arn)
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(dlq_policy)})

    role_name = f"{prefix}-alerts-invoke"
    role_arn = ensure_role(
        iam,
        role_name,
        render("alarm-target-trust.json.tftpl", account_id=account_id),
        "EventBridge: invoke the Cloud Doctor API destination only",
    )
    invoke = render("alarm-target.json.tftpl", api_destination_arn=destination_arn)
    iam.put_role_policy(
        RoleName=role_name, PolicyName=ALERT_TARGET_POLICY_NAME, PolicyDocument=json.dumps(invoke)
    )

    failed = events.put_targets(
        Rule=rule_name,
        Targets=[
            {
                "Id": TARGET_ID,
                "Arn": destination_arn,
                "RoleArn": role_arn,
                "RetryPolicy": {
                    "MaximumEventAgeInSeconds": DEFAULT_MAX_EVENT_AGE_SECONDS,
                    "MaximumRetryAttempts": DEFAULT_MAX_RETRY_ATTEMPTS,
                },
                "DeadLetterConfig": {"Arn": queue_arn},
            }
        ],
    )
    if failed.get("FailedEntryCount"):
        raise ValueError(f"put_targets failed: {failed.get('FailedEntries')}")

    return AlarmResult(
        metric_filter_name=filter_name,
        metric_namespace=DEFAULT_METRIC_NAMESPACE,
        metric_name=DEFAULT_METRIC_NAME,
        alarm_name=alarm_name,
        alarm_arn=alarm_arn,
        rule_name=rule_name,
        rule_arn=rule_arn,
        connection_arn=connection_arn,
        api_destination_arn=destination_arn,
        alerts_endpoint=endpoint,
        dead_letter_queue_url=queue_url,
        dead_letter_queue_arn=queue_arn,
        alert_role_arn=role_arn,
    )


def _not_found(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in {
        "ResourceNotFoundException",
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
    }


def _put_metric_filter(
    logs: Any, group: str, name: str, pattern: str, *, namespace: str, metric: str
) -> None:
    existing = logs.describe_metric_filters(logGroupName=group, filterNamePrefix=name)
    if any(f["filterName"] == name for f in existing["metricFilters"]):
        # AWS replaces a filter of the same name; moto 5 adds a second one. Delete first.
        logs.delete_metric_filter(logGroupName=group, filterName=name)
    logs.put_metric_filter(
        logGroupName=group,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[
            {
                "metricNamespace": namespace,
                "metricName": metric,
                "metricValue": "1",
                # 0 for other events, so the alarm returns to OK on healthy minutes.
                "defaultValue": 0.0,
                "unit": "Count",
            }
        ],
    )


def _create_or_update(events: Any, kind: str, settings: Mapping[str, Any]) -> str:
    """EventBridge's `kind` ("connection", "api_destination") named settings["Name"], created
    or updated; its ARN. Described first: moto creates a duplicate where AWS refuses the name."""
    try:
        getattr(events, f"describe_{kind}")(Name=settings["Name"])
    except ClientError as error:
        if not _not_found(error):
            raise
        answer = getattr(events, f"create_{kind}")(**settings)
    else:
        answer = getattr(events, f"update_{kind}")(**settings)
    arn: str = answer["ConnectionArn" if kind == "connection" else "ApiDestinationArn"]
    return arn


def _ensure_queue(sqs: Any, name: str) -> tuple[str, str]:
    attributes = {
        "MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS),
        "SqsManagedSseEnabled": "true",
    }
    try:
        url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if not _not_found(error):
            raise
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    else:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


# --- command line (bootstrap.py's parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "alarm path", "Terraform's enable_alarms: created only with --doctor-url."
    )
    group.add_argument(
        "--doctor-url", help="The doctor's base URL: the API destination POSTs to <URL>/alerts/aws."
    )
    group.add_argument(
        "--alert-token-file",
        type=Path,
        help="A file holding the doctor's DOCTOR_ALERT_TOKEN (default: $DOCTOR_ALERT_TOKEN); "
        "a file keeps the token out of the process list.",
    )
    group.add_argument("--alarm-name-prefix", default=DEFAULT_ALARM_NAME_PREFIX)
    group.add_argument(
        "--log-format",
        choices=sorted(FILTER_PATTERNS),
        default=DEFAULT_LOG_FORMAT,
        help="Picks the metric filter's pattern of an error line, as in Terraform.",
    )


def alert_token_from(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The alert token for --doctor-url (None without it); a usage error when there is none."""
    if not args.doctor_url:
        return None
    if args.alert_token_file is not None:
        try:
            token: str = args.alert_token_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            parser.error(f"--alert-token-file: {error.strerror}")
        return token
    from_env = os.environ.get("DOCTOR_ALERT_TOKEN")
    if not from_env:
        parser.error("--doctor-url needs --alert-token-file (or DOCTOR_ALERT_TOKEN)")
    return from_env

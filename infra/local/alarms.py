"""The alarm path of infra/terraform/aws/alarms.tf, created in an emulator by bootstrap.py.

Error lines of the patient's log group → a metric filter → a CloudWatch alarm, created here,
→ the EventBridge rule, API destination, dead-letter queue and role that carry the alarm's
state changes to <doctor>/alerts/aws, created by alert_delivery.py. Same names, defaults and
policy documents as Terraform (tests/infra checks both), so the demo's account looks like a
deployed one. Also the alarm path's flags of bootstrap.py's command line.

Self-contained like bootstrap.py (boto3, stdlib). It does not import bootstrap.py, which runs
as `__main__`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from infra.local.alert_delivery import alerts_endpoint, check_alert_token, deliver_to_doctor

# Defaults mirror infra/terraform/aws/variables.tf (tests/infra checks that they agree).
DEFAULT_ALARM_NAME_PREFIX = "cloud-doctor"
DEFAULT_METRIC_NAMESPACE = "CloudDoctor"
DEFAULT_METRIC_NAME = "PatientErrorLines"
DEFAULT_THRESHOLD = 5
DEFAULT_PERIOD_SECONDS = 60
DEFAULT_EVALUATION_PERIODS = 2
DEFAULT_LOG_FORMAT = "json"

# local.alarm_filter_patterns of alarms.tf (it explains the choice of terms).
FILTER_PATTERNS = {
    "json": '{ ($.level = "ERROR") || ($.level = "CRITICAL") }',
    "text": '?ERROR ?CRITICAL ?FATAL ?PANIC ?"[error]" ?"[crit]" ?"[alert]" ?"[emerg]" '
    "?fatal ?panic ?segfault",
}


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


def create_alarm_path(
    client: Callable[[str], Any],
    *,
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
    # Both checked before anything is created.
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

    delivery = deliver_to_doctor(
        events,
        sqs,
        iam,
        account_id=account_id,
        alarm_name=alarm_name,
        alarm_arn=alarm_arn,
        endpoint=endpoint,
        alert_token=alert_token,
        prefix=prefix,
    )

    return AlarmResult(
        metric_filter_name=filter_name,
        metric_namespace=DEFAULT_METRIC_NAMESPACE,
        metric_name=DEFAULT_METRIC_NAME,
        alarm_name=alarm_name,
        alarm_arn=alarm_arn,
        rule_name=delivery["rule_name"],
        rule_arn=delivery["rule_arn"],
        connection_arn=delivery["connection_arn"],
        api_destination_arn=delivery["api_destination_arn"],
        alerts_endpoint=endpoint,
        dead_letter_queue_url=delivery["dead_letter_queue_url"],
        dead_letter_queue_arn=delivery["dead_letter_queue_arn"],
        alert_role_arn=delivery["alert_role_arn"],
    )


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

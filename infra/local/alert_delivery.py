"""The delivery half of infra/terraform/aws/alarms.tf: from the alarm to the doctor.

An EventBridge rule for the alarm's state changes (ALARM and OK) → an API destination that
POSTs the event to <doctor>/alerts/aws through a connection whose API-key auth sends
`Authorization: Bearer <DOCTOR_ALERT_TOKEN>`, with a retry policy, an SQS dead-letter queue
and a role that may invoke only that destination. alarms.py creates the alarm and calls this.

moto stores all of it but delivers nothing: the demo posts the event itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, TypedDict
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from infra.local.emulator import error_code
from infra.local.policies import policy_document
from infra.local.roles import ensure_role, put_policy

# Defaults mirror infra/terraform/aws/variables.tf (tests/infra checks that they agree).
DEFAULT_INVOCATION_RATE_LIMIT = 10
DEFAULT_MAX_EVENT_AGE_SECONDS = 3600
DEFAULT_MAX_RETRY_ATTEMPTS = 20

# Fixed in alarms.tf rather than variables.
TARGET_ID = "cloud-doctor"
ALERT_TARGET_POLICY_NAME = "invoke-doctor-api-destination"
DLQ_RETENTION_SECONDS = 1209600  # 14 days, for a replay
ALERTS_PATH = "/alerts/aws"
STATES = ("ALARM", "OK")

# variables.tf's doctor_alert_token validation: "Bearer " + token fits EventBridge's 512.
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{32,505}")


class Delivery(TypedDict):
    rule_name: str
    rule_arn: str
    connection_arn: str
    api_destination_arn: str
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


def deliver_to_doctor(
    events: Any,
    sqs: Any,
    iam: Any,
    *,
    account_id: str,
    alarm_name: str,
    alarm_arn: str,
    endpoint: str,
    alert_token: str,
    prefix: str,
) -> Delivery:
    """Create or update (idempotent) the rule, connection, API destination, dead-letter queue,
    role and target that carry `alarm_name`'s state changes to `endpoint`. The caller has
    checked `endpoint` and `alert_token`; the token is never part of the result."""
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
    dlq_policy = policy_document("alarm-dlq.json.tftpl", queue_arn=queue_arn, rule_arn=rule_arn)
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(dlq_policy)})

    role_name = f"{prefix}-alerts-invoke"
    role_arn = ensure_role(
        iam,
        role_name,
        policy_document("alarm-target-trust.json.tftpl", account_id=account_id),
        "EventBridge: invoke the Cloud Doctor API destination only",
    )
    invoke = policy_document("alarm-target.json.tftpl", api_destination_arn=destination_arn)
    put_policy(iam, role_name, ALERT_TARGET_POLICY_NAME, invoke)

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

    return Delivery(
        rule_name=rule_name,
        rule_arn=rule_arn,
        connection_arn=connection_arn,
        api_destination_arn=destination_arn,
        dead_letter_queue_url=queue_url,
        dead_letter_queue_arn=queue_arn,
        alert_role_arn=role_arn,
    )


def _not_found(error: ClientError) -> bool:
    return error_code(error) in {
        "ResourceNotFoundException",
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
    }


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

"""infra/local/bootstrap.py's alarm path (issue 14, item 4) against a moto_server: what
infra/terraform/aws/alarms.tf creates, with its names, defaults and policy documents, wired
together (filter → metric → alarm → rule → target → API destination → connection, with retry
policy, dead-letter queue and a role that may invoke only that destination)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from infra.local import alert_delivery, policies
from infra.local import bootstrap as boot
from tests.fakes.moto_server import moto_client
from tests.infra.support import ROOT, aws_module

TOKEN = "0123456789abcdef0123456789abcdef-demo"
DOCTOR_URL = "http://127.0.0.1:8080/"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def run(url: str, prefix: str, group: str, token: str = TOKEN) -> dict[str, Any]:
    result = boot.bootstrap(
        url,
        log_group=group,
        role_name=unique("doctor"),
        instance_role_name=unique("instance"),
        ecr_repository=unique("repo"),
        doctor_url=DOCTOR_URL,
        alert_token=token,
        alarm_name_prefix=prefix,
    )
    assert result["alarms"] is not None
    return dict(result["alarms"])


@pytest.fixture
def created(moto_server_url: str) -> dict[str, Any]:
    prefix, group = unique("cd"), unique("/test/alarms")
    return {"prefix": prefix, "group": group, **run(moto_server_url, prefix, group)}


def test_names_follow_terraform(created: dict[str, Any]) -> None:
    module = aws_module()
    prefix = created["prefix"]
    expected = {
        ("aws_cloudwatch_log_metric_filter", "errors"): created["metric_filter_name"],
        ("aws_cloudwatch_metric_alarm", "errors"): created["alarm_name"],
        ("aws_cloudwatch_event_rule", "alarm_state"): created["rule_name"],
    }
    for (type_, name), value in expected.items():
        body = module.resource(type_, name)
        attribute = "alarm_name" if type_ == "aws_cloudwatch_metric_alarm" else "name"
        assert body[attribute].replace("${var.alarm_name_prefix}", prefix) == value
    role = module.resource("aws_iam_role", "alert_target")["name"]
    assert created["alert_role_arn"].endswith(
        "/" + role.replace("${var.alarm_name_prefix}", prefix)
    )
    assert module.resource("aws_iam_role_policy", "alert_target")["name"] == (
        alert_delivery.ALERT_TARGET_POLICY_NAME
    )
    assert module.resource("aws_cloudwatch_event_target", "doctor")["target_id"] == (
        alert_delivery.TARGET_ID
    )


def test_the_filter_counts_error_lines_into_the_alarms_metric(
    created: dict[str, Any], moto_server_url: str
) -> None:
    logs = moto_client(moto_server_url, "logs")
    [metric_filter] = logs.describe_metric_filters(logGroupName=created["group"])["metricFilters"]
    assert metric_filter["filterName"] == created["metric_filter_name"]
    assert metric_filter["filterPattern"] == aws_module().locals()["alarm_filter_patterns"]["json"]
    [transformation] = metric_filter["metricTransformations"]
    assert transformation == {
        "metricNamespace": "CloudDoctor",
        "metricName": "PatientErrorLines",
        "metricValue": "1",
        "defaultValue": 0,
        "unit": "Count",
    }
    [alarm] = moto_client(moto_server_url, "cloudwatch").describe_alarms(
        AlarmNames=[created["alarm_name"]]
    )["MetricAlarms"]
    assert alarm["AlarmArn"] == created["alarm_arn"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        transformation["metricNamespace"],
        transformation["metricName"],
    )
    assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["TreatMissingData"]) == (
        "Sum",
        "GreaterThanOrEqualToThreshold",
        "notBreaching",
    )
    assert (alarm["Threshold"], alarm["Period"], alarm["EvaluationPeriods"]) == (5.0, 60, 2)
    assert created["group"] in alarm["AlarmDescription"]


def test_the_rule_sends_that_alarms_alarm_and_ok_to_the_destination(
    created: dict[str, Any], moto_server_url: str
) -> None:
    events = moto_client(moto_server_url, "events")
    rule = events.describe_rule(Name=created["rule_name"])
    assert rule["Arn"] == created["rule_arn"]
    assert rule["State"] == "ENABLED"
    assert json.loads(rule["EventPattern"]) == {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "resources": [created["alarm_arn"]],
        "detail": {"state": {"value": ["ALARM", "OK"]}},
    }
    [target] = events.list_targets_by_rule(Rule=created["rule_name"])["Targets"]
    assert target["Id"] == "cloud-doctor"
    assert target["Arn"] == created["api_destination_arn"]
    assert target["RoleArn"] == created["alert_role_arn"]
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 20}
    assert target["DeadLetterConfig"] == {"Arn": created["dead_letter_queue_arn"]}

    destination = events.describe_api_destination(Name=f"{created['prefix']}-doctor-alerts")
    assert destination["ApiDestinationArn"] == created["api_destination_arn"]
    assert destination["InvocationEndpoint"] == "http://127.0.0.1:8080/alerts/aws"
    assert destination["HttpMethod"] == "POST"
    assert destination["InvocationRateLimitPerSecond"] == 10
    assert destination["ConnectionArn"] == created["connection_arn"]


def connection_secret(url: str, name: str) -> dict[str, Any]:
    connection = moto_client(url, "events").describe_connection(Name=name)
    assert connection["AuthorizationType"] == "API_KEY"
    assert connection["AuthParameters"] == {"ApiKeyAuthParameters": {"ApiKeyName": "Authorization"}}
    # EventBridge keeps the key's value in a Secrets Manager secret it manages.
    secret = moto_client(url, "secretsmanager").get_secret_value(SecretId=connection["SecretArn"])
    value: dict[str, Any] = json.loads(secret["SecretString"])
    return value


def test_the_connection_sends_authorization_bearer_the_token(
    created: dict[str, Any], moto_server_url: str
) -> None:
    secret = connection_secret(moto_server_url, f"{created['prefix']}-doctor")
    assert secret == {"api_key_name": "Authorization", "api_key_value": f"Bearer {TOKEN}"}
    assert TOKEN not in json.dumps(created)  # never in the printed result


def test_the_role_may_only_invoke_that_destination(
    created: dict[str, Any], moto_server_url: str
) -> None:
    iam = moto_client(moto_server_url, "iam")
    role_name = created["alert_role_arn"].rsplit("/", 1)[-1]
    role = iam.get_role(RoleName=role_name)["Role"]
    assert role["AssumeRolePolicyDocument"] == policies.policy_document(
        "alarm-target-trust.json.tftpl", account_id="123456789012"
    )
    assert iam.list_role_policies(RoleName=role_name)["PolicyNames"] == [
        alert_delivery.ALERT_TARGET_POLICY_NAME
    ]
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []
    policy = iam.get_role_policy(
        RoleName=role_name, PolicyName=alert_delivery.ALERT_TARGET_POLICY_NAME
    )
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "events:InvokeApiDestination"
    assert statement["Resource"] == created["api_destination_arn"]


def test_only_the_rule_may_fill_the_dead_letter_queue(
    created: dict[str, Any], moto_server_url: str
) -> None:
    attributes = moto_client(moto_server_url, "sqs").get_queue_attributes(
        QueueUrl=created["dead_letter_queue_url"], AttributeNames=["All"]
    )["Attributes"]
    assert attributes["QueueArn"] == created["dead_letter_queue_arn"]
    assert attributes["MessageRetentionPeriod"] == "1209600"
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert json.loads(attributes["Policy"]) == policies.policy_document(
        "alarm-dlq.json.tftpl",
        queue_arn=created["dead_letter_queue_arn"],
        rule_arn=created["rule_arn"],
    )


def test_a_rerun_updates_in_place(created: dict[str, Any], moto_server_url: str) -> None:
    new_token = "fedcba9876543210fedcba9876543210-rotated"
    again = run(moto_server_url, created["prefix"], created["group"], token=new_token)
    assert {k: again[k] for k in again} == {k: created[k] for k in again}
    logs, events = moto_client(moto_server_url, "logs"), moto_client(moto_server_url, "events")
    assert len(logs.describe_metric_filters(logGroupName=created["group"])["metricFilters"]) == 1
    prefix = created["prefix"]
    # By name: moto 5 ignores NamePrefix.
    connections = events.list_connections()["Connections"]
    assert [c["Name"] for c in connections].count(f"{prefix}-doctor") == 1
    destinations = events.list_api_destinations()["ApiDestinations"]
    assert [d["Name"] for d in destinations].count(f"{prefix}-doctor-alerts") == 1
    assert len(events.list_targets_by_rule(Rule=created["rule_name"])["Targets"]) == 1
    # A new token goes through update_connection, as Terraform's apply rotates it. Not asserted
    # on the secret: moto 5 keeps a connection's first secret value on update (AWS replaces it).
    assert connection_secret(moto_server_url, f"{prefix}-doctor")["api_key_name"] == (
        "Authorization"
    )


@pytest.mark.parametrize(
    ("doctor_url", "token", "error"),
    [
        ("http://127.0.0.1:8080", "short", "alert token"),
        ("http://127.0.0.1:8080", TOKEN + " x", "alert token"),
        ("ftp://doctor", TOKEN, "doctor-url"),
        ("https://doctor.example/?a=b", TOKEN, "doctor-url"),
        (None, TOKEN, "both"),
    ],
)
def test_refuses_what_terraform_refuses(
    moto_server_url: str, doctor_url: str | None, token: str, error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        boot.bootstrap(
            moto_server_url,
            log_group=unique("/test/refused"),
            doctor_url=doctor_url,
            alert_token=token,
            alarm_name_prefix=unique("cd"),
        )


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.local.bootstrap", *args],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DOCTOR_"))},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_creates_the_alarm_path_from_a_token_file(moto_server_url: str, tmp_path: Path) -> None:
    token_file = tmp_path / "alert-token"
    token_file.write_text(TOKEN + "\n")
    prefix = unique("cli")
    common = ["--endpoint-url", moto_server_url, "--log-group", unique("/test/cli")]
    completed = run_cli(
        [*common, "--doctor-url", "http://127.0.0.1:9/", "--alert-token-file", str(token_file),
         "--alarm-name-prefix", prefix],
        {},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert TOKEN not in completed.stdout
    created = json.loads(completed.stdout)["alarms"]
    assert created["alarm_arn"].endswith(f":alarm:{prefix}-patient-errors")
    assert created["alerts_endpoint"] == "http://127.0.0.1:9/alerts/aws"
    for key in ("rule_arn", "connection_arn", "api_destination_arn", "dead_letter_queue_arn"):
        assert created[key].startswith("arn:aws:")

    without = run_cli(common, {})
    assert without.returncode == 0, without.stderr
    assert json.loads(without.stdout)["alarms"] is None

    missing = run_cli([*common, "--doctor-url", "http://127.0.0.1:9/"], {})
    assert missing.returncode == 2
    assert "--alert-token-file" in missing.stderr

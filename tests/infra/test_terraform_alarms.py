"""The alarm path of infra/terraform/aws (issue 14, item 1), checked statically: error lines in
the patient's log group → metric filter → alarm → EventBridge rule for that alarm's ALARM/OK →
API destination POSTing to the doctor's /alerts/aws with `Authorization: Bearer <token>`, retry
policy and dead-letter queue, a role that may invoke only that destination; all of it behind
enable_alarms. The policies are rendered from infra/policies as Terraform renders them; variable
validations and expressions are evaluated by `terraform console` (no provider) when terraform is
on PATH. `terraform validate` and infra/terraform/aws/tests/alarms.tftest.hcl (mocked provider,
enable_alarms = true) run in test_terraform.py when the aws provider is available offline."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chaos_app.generator import generate
from chaos_app.render import to_json, to_text
from chaos_app.scenarios import CATALOG
from doctor.settings_checks import MIN_API_TOKEN_CHARS
from infra.local import policies
from tests.infra.support import (
    AWS_ROOT,
    aws_module,
    hcl_file,
    hcl_literal,
    single,
    templatefile_call,
    terraform,
    terraform_eval,
)

ACCOUNT = "111122223333"
REGION = "eu-west-1"
ALARM_ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:cloud-doctor-patient-errors"
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/cloud-doctor-alarm-to-doctor"
DESTINATION_ARN = (
    f"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/cloud-doctor-doctor-alerts/0e2b"
)
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:cloud-doctor-alerts-dlq"

# Every resource of the alarm path, by type and name.
ALARM_RESOURCES = {
    ("aws_cloudwatch_log_metric_filter", "errors"),
    ("aws_cloudwatch_metric_alarm", "errors"),
    ("aws_cloudwatch_event_rule", "alarm_state"),
    ("aws_cloudwatch_event_connection", "doctor"),
    ("aws_cloudwatch_event_api_destination", "doctor"),
    ("aws_cloudwatch_event_target", "doctor"),
    ("aws_sqs_queue", "alerts_dlq"),
    ("aws_sqs_queue_policy", "alerts_dlq"),
    ("aws_iam_role", "alert_target"),
    ("aws_iam_role_policy", "alert_target"),
}
ALARM_VARIABLES = {
    "doctor_url",
    "doctor_alert_token",
    "alarm_name_prefix",
    "alarm_filter_pattern",
    "alarm_metric_namespace",
    "alarm_metric_name",
    "alarm_threshold",
    "alarm_period_seconds",
    "alarm_evaluation_periods",
    "alerts_invocation_rate_limit_per_second",
    "alerts_max_event_age_seconds",
    "alerts_max_retry_attempts",
}
TOKEN = "0123456789abcdef0123456789abcdef"

needs_terraform = pytest.mark.skipif(terraform() is None, reason="terraform is not on PATH")


def resource(type_: str, name: str) -> dict[str, Any]:
    return aws_module().resource(type_, name)


def rendered(type_: str, name: str, attribute: str, **values: str) -> dict[str, Any]:
    """The policy document `attribute` of a resource, rendered from its infra/policies template
    with `values` (one per variable the call passes, no more, no less)."""
    template, names = templatefile_call(resource(type_, name)[attribute])
    assert names == set(values) == policies.template_variables(template), template
    return policies.policy_document(template, **values)


def only_statement(document: dict[str, Any]) -> dict[str, Any]:
    assert document["Version"] == "2012-10-17"
    [statement] = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert not {"NotAction", "NotResource", "NotPrincipal"} & statement.keys()
    result: dict[str, Any] = statement
    return result


def unwrap(expression: str) -> str:
    """`${expr}` → `expr` (a whole-attribute interpolation as python-hcl2 returns it)."""
    assert expression.startswith("${"), expression
    assert expression.endswith("}"), expression
    return expression[2:-1]


def substitute(expression: str, values: dict[str, object]) -> str:
    """`expression` with each reference (var.x, local.y, aws_z.n[0].arn) replaced by a literal."""
    for reference, value in values.items():
        literal = "null" if value is None else hcl_literal(value)
        pattern = re.compile(rf"(?<![\w.]){re.escape(reference)}(?![\w\[])")
        # Split and join rather than re.sub: the literal's backslashes must stay as they are.
        expression = literal.join(pattern.split(expression))
    return expression


# --- the switch


def test_every_alarm_resource_is_behind_enable_alarms() -> None:
    parsed = hcl_file(AWS_ROOT / "alarms.tf")
    found = {
        (type_, name): body
        for entry in parsed["resource"]
        for type_, named in entry.items()
        for name, body in named.items()
    }
    assert set(found) == ALARM_RESOURCES
    for key, body in found.items():
        assert body["count"] == "${local.alarms}", key
    assert aws_module().locals()["alarms"] == "${var.enable_alarms ? 1 : 0}"
    variable = aws_module().variables()["enable_alarms"]
    assert variable["type"] == "bool"
    assert variable["default"] is False
    # Nothing of the alarm path hides in another file, ungated.
    for path in AWS_ROOT.glob("*.tf"):
        if path.name != "alarms.tf":
            for entry in hcl_file(path).get("resource", []):
                for type_, named in entry.items():
                    assert not {(type_, name) for name in named} & ALARM_RESOURCES, path
    # Outputs stay valid (null) when the switch is off.
    outputs = aws_module().outputs()
    for output, reference in {
        "alarm_arn": "aws_cloudwatch_metric_alarm.errors",
        "alarm_event_rule_arn": "aws_cloudwatch_event_rule.alarm_state",
        "alerts_api_destination_arn": "aws_cloudwatch_event_api_destination.doctor",
        "alerts_dead_letter_queue_url": "aws_sqs_queue.alerts_dlq",
    }.items():
        assert outputs[output]["value"].startswith(f"${{one({reference}[*]."), output


# --- logs → metric → alarm


def test_the_metric_filter_counts_error_lines_of_the_patients_log_group() -> None:
    metric_filter = resource("aws_cloudwatch_log_metric_filter", "errors")
    assert metric_filter["log_group_name"] == "${aws_cloudwatch_log_group.chaos_app.name}"
    assert metric_filter["pattern"] == "${local.alarm_filter_pattern}"
    transformation = single(metric_filter["metric_transformation"])
    assert transformation["namespace"] == "${var.alarm_metric_namespace}"
    assert transformation["name"] == "${var.alarm_metric_name}"
    assert transformation["value"] == "1"
    assert transformation["default_value"] == 0
    assert aws_module().default("alarm_metric_namespace") == "CloudDoctor"

    local = aws_module().locals()
    # The operator's pattern, else the one for the patient's log_format.
    assert local["alarm_filter_pattern"] == (
        "${coalesce(var.alarm_filter_pattern, local.alarm_filter_patterns[var.log_format])}"
    )
    patterns = local["alarm_filter_patterns"]
    assert set(patterns) == {"json", "text"}
    assert patterns["json"] == '{ ($.level = "ERROR") || ($.level = "CRITICAL") }'


def chaos_events(count: int = 20000) -> list[Any]:
    scenarios = list(CATALOG.values()) if isinstance(CATALOG, dict) else list(CATALOG)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return list(generate(scenarios, start=start, rate=50, seed=7, count=count))


def test_the_json_pattern_names_exactly_the_error_levels_chaos_app_writes() -> None:
    pattern = aws_module().locals()["alarm_filter_patterns"]["json"]
    # A JSON pattern: only `$.level = "X"` terms joined by ||, so the set of levels is the pattern.
    terms = re.findall(r'\(\$\.level = "([A-Z]+)"\)', pattern)
    assert pattern == "{ " + " || ".join(f'($.level = "{t}")' for t in terms) + " }"
    levels = Counter(json.loads(to_json(item))["level"] for item in chaos_events(5000))
    assert set(levels) <= {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
    assert {"ERROR", "CRITICAL"} <= set(levels)
    assert set(terms) == {"ERROR", "CRITICAL"}


def term_pattern_matches(pattern: str, event: str) -> bool:
    """CloudWatch's unstructured OR pattern (`?a ?"b c"`), as documented: a bare term matches a
    whole word, case-sensitively; a quoted term matches its exact text. An emulation, used to
    measure the pattern on chaos-app's own output, not a substitute for CloudWatch."""
    terms = re.findall(r'\?(?:"([^"]+)"|(\S+))', pattern)
    assert pattern == " ".join(f'?"{q}"' if q else f"?{w}" for q, w in terms)
    words = set(re.split(r"[^A-Za-z0-9_]+", event))
    return any((quoted in event) if quoted else (word in words) for quoted, word in terms)


def test_the_text_pattern_catches_most_error_events_and_almost_nothing_else() -> None:
    pattern = aws_module().locals()["alarm_filter_patterns"]["text"]
    counts: Counter[tuple[bool, bool]] = Counter()
    for item in chaos_events():
        is_error = item.event.level in {"ERROR", "CRITICAL"}
        counts[is_error, term_pattern_matches(pattern, to_text(item))] += 1
    errors = counts[True, True] + counts[True, False]
    others = counts[False, True] + counts[False, False]
    # Measured with seed 7: ~66 % of error-level events (the rest are PostgreSQL DETAIL/HINT
    # lines, Node's lower-case "error" and kernel lines, each next to a counted one) and
    # ~0.1 % of the others (WARNING lines quoting an OperationalError's ERROR text).
    assert counts[True, True] / errors >= 0.6, counts
    assert counts[False, True] / others <= 0.005, counts


def test_the_alarm_watches_that_metric_with_variable_threshold_period_and_periods() -> None:
    alarm = resource("aws_cloudwatch_metric_alarm", "errors")
    transformation = single(
        resource("aws_cloudwatch_log_metric_filter", "errors")["metric_transformation"]
    )
    assert alarm["namespace"] == transformation["namespace"]
    assert alarm["metric_name"] == transformation["name"]
    assert alarm["statistic"] == "Sum"
    assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["threshold"] == "${var.alarm_threshold}"
    assert alarm["period"] == "${var.alarm_period_seconds}"
    assert alarm["evaluation_periods"] == "${var.alarm_evaluation_periods}"
    assert alarm["treat_missing_data"] == "notBreaching"
    module = aws_module()
    assert (
        module.default("alarm_threshold"),
        module.default("alarm_period_seconds"),
        module.default("alarm_evaluation_periods"),
    ) == (5, 60, 2)
    [precondition] = single(alarm["lifecycle"])["precondition"]
    assert (
        "var.alarm_period_seconds * var.alarm_evaluation_periods <= 86400"
        in (precondition["condition"])
    )


# --- alarm → EventBridge rule → API destination


def test_the_rule_matches_only_that_alarm_in_alarm_and_ok() -> None:
    rule = resource("aws_cloudwatch_event_rule", "alarm_state")
    expression = unwrap(rule["event_pattern"])
    assert expression.startswith("jsonencode(")
    assert "resources = [aws_cloudwatch_metric_alarm.errors[0].arn]" in expression
    assert 'value = ["ALARM", "OK"]' in expression
    assert "event_bus_name" not in rule  # the default bus, where CloudWatch sends its events


@needs_terraform
def test_terraform_builds_the_rules_event_pattern(tmp_path: Path) -> None:
    expression = unwrap(resource("aws_cloudwatch_event_rule", "alarm_state")["event_pattern"])
    expression = substitute(expression, {"aws_cloudwatch_metric_alarm.errors[0].arn": ALARM_ARN})
    [pattern] = terraform_eval([expression], tmp_path)
    assert json.loads(pattern) == {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "resources": [ALARM_ARN],
        "detail": {"state": {"value": ["ALARM", "OK"]}},
    }


def test_the_connection_sends_authorization_bearer_the_token() -> None:
    connection = resource("aws_cloudwatch_event_connection", "doctor")
    assert connection["authorization_type"] == "API_KEY"
    api_key = single(single(connection["auth_parameters"])["api_key"])
    assert api_key == {"key": "Authorization", "value": "Bearer ${var.doctor_alert_token}"}
    [precondition] = single(connection["lifecycle"])["precondition"]
    assert "var.doctor_alert_token != null" in precondition["condition"]

    variable = aws_module().variables()["doctor_alert_token"]
    assert variable["sensitive"] is True
    assert variable["default"] is None
    assert "DOCTOR_ALERT_TOKEN" in variable["description"]
    assert "state" in variable["description"]
    # The doctor refuses a token shorter than its minimum: Terraform refuses the same ones.
    [validation] = variable["validation"]
    assert f"{{{MIN_API_TOKEN_CHARS},505}}" in validation["condition"]


def test_the_destination_posts_to_alerts_aws_at_a_limited_rate() -> None:
    destination = resource("aws_cloudwatch_event_api_destination", "doctor")
    assert destination["http_method"] == "POST"
    assert destination["invocation_endpoint"] == "${local.alerts_endpoint}"
    assert destination["connection_arn"] == "${aws_cloudwatch_event_connection.doctor[0].arn}"
    assert destination["invocation_rate_limit_per_second"] == (
        "${var.alerts_invocation_rate_limit_per_second}"
    )
    assert '/alerts/aws"' in aws_module().locals()["alerts_endpoint"]


@needs_terraform
def test_terraform_builds_the_endpoint_from_the_doctor_url(tmp_path: Path) -> None:
    expression = unwrap(aws_module().locals()["alerts_endpoint"])
    urls = ["https://doctor-abc-ew.a.run.app", "https://doctor-abc-ew.a.run.app/", None]
    results = terraform_eval(
        [f"jsonencode({substitute(expression, {'var.doctor_url': url})})" for url in urls],
        tmp_path,
    )
    assert [json.loads(r) for r in results] == [
        "https://doctor-abc-ew.a.run.app/alerts/aws",
        "https://doctor-abc-ew.a.run.app/alerts/aws",
        None,
    ]


def test_the_target_retries_then_dead_letters() -> None:
    target = resource("aws_cloudwatch_event_target", "doctor")
    assert target["rule"] == "${aws_cloudwatch_event_rule.alarm_state[0].name}"
    assert target["arn"] == "${aws_cloudwatch_event_api_destination.doctor[0].arn}"
    assert target["role_arn"] == "${aws_iam_role.alert_target[0].arn}"
    assert single(target["retry_policy"]) == {
        "maximum_event_age_in_seconds": "${var.alerts_max_event_age_seconds}",
        "maximum_retry_attempts": "${var.alerts_max_retry_attempts}",
    }
    assert single(target["dead_letter_config"]) == {"arn": "${aws_sqs_queue.alerts_dlq[0].arn}"}
    # The whole event is sent (the doctor parses the EventBridge envelope), untransformed.
    assert not {"input", "input_path", "input_transformer"} & target.keys()
    queue = resource("aws_sqs_queue", "alerts_dlq")
    assert queue["sqs_managed_sse_enabled"] is True
    assert queue["message_retention_seconds"] == 1209600


def test_only_the_rule_may_send_to_the_dead_letter_queue() -> None:
    policy = resource("aws_sqs_queue_policy", "alerts_dlq")
    assert policy["queue_url"] == "${aws_sqs_queue.alerts_dlq[0].id}"
    assert "queue_arn = aws_sqs_queue.alerts_dlq[0].arn" in policy["policy"]
    assert "rule_arn = aws_cloudwatch_event_rule.alarm_state[0].arn" in policy["policy"]
    statement = only_statement(
        rendered(
            "aws_sqs_queue_policy", "alerts_dlq", "policy", queue_arn=QUEUE_ARN, rule_arn=RULE_ARN
        )
    )
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == QUEUE_ARN
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": RULE_ARN}}


def test_the_target_role_may_only_invoke_that_destination() -> None:
    role = resource("aws_iam_role", "alert_target")
    assert "account_id = local.account_id" in role["assume_role_policy"]
    trust = only_statement(
        rendered("aws_iam_role", "alert_target", "assume_role_policy", account_id=ACCOUNT)
    )
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}

    policy = resource("aws_iam_role_policy", "alert_target")
    assert policy["role"] == "${aws_iam_role.alert_target[0].id}"
    assert (
        "api_destination_arn = aws_cloudwatch_event_api_destination.doctor[0].arn"
        in (policy["policy"])
    )
    statement = only_statement(
        rendered(
            "aws_iam_role_policy", "alert_target", "policy", api_destination_arn=DESTINATION_ARN
        )
    )
    assert statement["Action"] == "events:InvokeApiDestination"
    assert statement["Resource"] == DESTINATION_ARN
    # No other grant reaches the role.
    module = aws_module()
    grants = [
        name
        for type_ in ("aws_iam_role_policy", "aws_iam_role_policy_attachment")
        for name, body in module.resources(type_).items()
        if "alert_target" in body["role"]
    ]
    assert grants == ["alert_target"]


# --- variables


def test_every_alarm_variable_is_validated() -> None:
    variables = aws_module().variables()
    for name in ALARM_VARIABLES:
        assert variables[name]["validation"], name
        for validation in variables[name]["validation"]:
            assert f"var.{name}" in validation["condition"], name
    doctor_url = single(variables["doctor_url"]["validation"])["condition"]
    assert 'regex("^https://' in doctor_url


# (variable, value, accepted)
CASES: list[tuple[str, object, bool]] = [
    ("doctor_url", None, True),
    ("doctor_url", "https://cloud-doctor-abc123-ew.a.run.app", True),
    ("doctor_url", "https://doctor.example.com:8443/base/", True),
    ("doctor_url", "http://doctor.example.com", False),
    ("doctor_url", "doctor.example.com", False),
    ("doctor_url", "https://doctor.example.com/?x=1", False),
    ("doctor_url", "https://doctor.example.com/#f", False),
    ("doctor_alert_token", None, True),
    ("doctor_alert_token", TOKEN, True),
    ("doctor_alert_token", "short", False),
    ("doctor_alert_token", TOKEN + " x", False),
    ("doctor_alert_token", TOKEN + "\n", False),
    ("doctor_alert_token", "x" * 506, False),
    ("doctor_alert_token", "a" * 40, False),  # the doctor refuses it: no variety
    ("doctor_alert_token", "0123456701234567012345670123456701", False),  # 8 digits, 1 class
    ("doctor_alert_token", "9f86d081884c7d659a2feaa0c55ad015", True),  # openssl rand -hex 16
    ("alarm_filter_pattern", None, True),
    ("alarm_filter_pattern", "?ERROR", True),
    ("alarm_filter_pattern", " ", False),
    ("alarm_name_prefix", "cloud-doctor", True),
    ("alarm_name_prefix", "a b", False),
    ("alarm_metric_namespace", "CloudDoctor", True),
    ("alarm_metric_namespace", "AWS/Logs", False),
    ("alarm_metric_name", "PatientErrorLines", True),
    ("alarm_metric_name", "a:b", False),
    ("alarm_threshold", 1, True),
    ("alarm_threshold", 0, False),
    ("alarm_period_seconds", 60, True),
    ("alarm_period_seconds", 300, True),
    ("alarm_period_seconds", 30, False),
    ("alarm_period_seconds", 90, False),
    ("alarm_evaluation_periods", 1, True),
    ("alarm_evaluation_periods", 0, False),
    ("alarm_evaluation_periods", 1.5, False),
    ("alerts_invocation_rate_limit_per_second", 10, True),
    ("alerts_invocation_rate_limit_per_second", 0, False),
    ("alerts_invocation_rate_limit_per_second", 301, False),
    ("alerts_max_event_age_seconds", 60, True),
    ("alerts_max_event_age_seconds", 59, False),
    ("alerts_max_event_age_seconds", 86401, False),
    ("alerts_max_retry_attempts", 0, True),
    ("alerts_max_retry_attempts", 185, True),
    ("alerts_max_retry_attempts", 186, False),
]


@needs_terraform
def test_terraform_accepts_and_refuses_the_values_it_should(tmp_path: Path) -> None:
    """Each validation condition evaluated by Terraform with the variable replaced by a value;
    the defaults must pass their own validations."""
    variables = aws_module().variables()
    cases = list(CASES)
    for name in ALARM_VARIABLES:
        cases.append((name, variables[name].get("default"), True))
    expressions = []
    for name, value, _ in cases:
        conditions = [unwrap(v["condition"]) for v in variables[name]["validation"]]
        joined = " && ".join(f"({c})" for c in conditions)
        expressions.append(f"tostring({substitute(joined, {f'var.{name}': value})})")
    results = terraform_eval(expressions, tmp_path)
    got = [
        (name, value, result == "true")
        for (name, value, _), result in zip(cases, results, strict=True)
    ]
    assert got == cases

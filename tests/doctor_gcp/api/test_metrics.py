"""GET /metrics through the real app: analyses on moto (and the fake Gemini, the fake Slack)
move the counters by the right amounts with the right labels, read back with
prometheus_client's own text parser."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from google.oauth2.credentials import Credentials
from prometheus_client.parser import text_string_to_metric_families

from doctor.api import create_app
from doctor.metrics import NO_TARGET, aws_error_codes
from doctor.models import AnalysisResponse
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import AUTH, error_of
from tests.doctor_gcp.api.slack.helpers import send, wait_idle
from tests.doctor_gcp.api.test_analyze import stubbed_app
from tests.doctor_gcp.conftest import LOG_GROUP
from tests.fakes.gemini import FakeGemini, json_reply
from tests.fakes.slack import FakeSlack, slack_error

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> Samples:
    """Every sample of GET /metrics, parsed by prometheus_client's parser."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when the series does not exist (yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: v for (sample, labels), v in samples.items() if sample == name}


def analyze(client: TestClient, **body: Any) -> AnalysisResponse:
    response = client.post("/analyze", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    return AnalysisResponse.model_validate(response.json())


def outcome(response: AnalysisResponse) -> dict[str, str]:
    return {
        "target": response.summary.target or NO_TARGET,
        "severity": response.analysis.severity.value,
        "engine": response.summary.engine,
        "status": response.status,
    }


def test_analyses_are_counted_by_target_severity_engine_status_and_category(
    client: TestClient, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", "disk-full", count=300)
    before = scrape(client)
    assert series(before, "cloud_doctor_diagnoses_total") == {}

    responses = [analyze(client, time_range_minutes=30) for _ in range(2)]
    responses.append(analyze(client, time_range_minutes=30, max_logs=50))
    after = scrape(client)

    expected = Counter(frozenset(outcome(r).items()) for r in responses)
    assert series(after, "cloud_doctor_diagnoses_total") == expected
    assert {dict(labels)["target"] for labels in expected} == {"default"}
    categories: Counter[frozenset[tuple[str, str]]] = Counter()
    for r in responses:
        for category in {issue.category.value for issue in r.analysis.issues}:
            categories[frozenset({**outcome(r), "category": category}.items())] += 1
    assert {"database_connection", "disk_full"} <= {
        dict(labels)["category"] for labels in categories
    }
    assert series(after, "cloud_doctor_diagnosis_categories_total") == categories

    # The duration histogram: one observation per analysis, in seconds.
    assert value(after, "cloud_doctor_analysis_duration_seconds_count", engine="rules") == 3
    total = sum(r.summary.duration_ms for r in responses) / 1000
    observed = value(after, "cloud_doctor_analysis_duration_seconds_sum", engine="rules")
    assert observed == pytest.approx(total, abs=0.01)
    buckets = series(after, "cloud_doctor_analysis_duration_seconds_bucket")
    bounds = sorted(float(dict(labels)["le"]) for labels in buckets)
    assert bounds[0] == 0.1
    assert bounds[-2:] == [120.0, float("inf")]
    assert value(after, "cloud_doctor_analysis_duration_seconds_bucket", engine="rules", le="+Inf")
    # The rules engine spends no tokens: the Gemini counters have no series.
    assert series(after, "cloud_doctor_gemini_tokens_total") == {}
    assert series(after, "cloud_doctor_gemini_cost_usd_total") == {}


def test_an_empty_window_counts_as_no_logs_with_no_category(
    client: TestClient, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=50, minutes_ago=600)
    response = analyze(client, time_range_minutes=15)
    assert response.status == "no_logs"
    samples = scrape(client)
    assert series(samples, "cloud_doctor_diagnoses_total") == {
        frozenset(
            {"target": "default", "severity": "LOW", "engine": "rules", "status": "no_logs"}.items()
        ): 1.0
    }
    assert series(samples, "cloud_doctor_diagnosis_categories_total") == {}


def test_gemini_tokens_and_cost_are_counted_from_the_summary(
    aws: None,
    aws_settings: Settings,
    gemini: FakeGemini,
    fake_credentials: Credentials,
    seed_logs: Callable[..., int],
) -> None:
    seed_logs("db-outage", count=200)
    settings = aws_settings.model_copy(
        update={
            "doctor_engine": "gemini",
            "gcp_project_id": "test-project",
            "gemini_base_url": gemini.url,
            "gemini_timeout_seconds": 5.0,
            "gemini_prices": {"gemini-": (0.5, 3.0)},
        }
    )
    answer = {
        "summary": "The database refuses connections.",
        "severity": "HIGH",
        "issues": [
            {
                "type": "Database Connection Failure",
                "category": "database_connection",
                "description": "Postgres refuses connections.",
                "root_cause": "The database is down.",
                "solution": "Restart it.",
                "pattern_ids": ["p1"],
            }
        ],
        "priority_actions": ["Check the database"],
    }
    gemini.script(json_reply(answer), json_reply(answer))
    doctor = Doctor(settings, engine_credentials=fake_credentials)
    with TestClient(create_app(settings, doctor=doctor)) as client:
        responses = [analyze(client), analyze(client)]
        samples = scrape(client)
    assert [r.summary.engine for r in responses] == ["gemini", "gemini"]
    prompt = sum(r.summary.prompt_tokens for r in responses)
    output = sum(r.summary.output_tokens for r in responses)
    cost = sum(r.summary.cost_usd or 0.0 for r in responses)
    assert (prompt, output) == (200, 150)  # the fake's usageMetadata, twice
    assert cost > 0
    assert series(samples, "cloud_doctor_gemini_tokens_total") == {
        frozenset({"target": "default", "kind": "prompt"}.items()): prompt,
        frozenset({"target": "default", "kind": "output"}.items()): output,
    }
    assert value(samples, "cloud_doctor_gemini_cost_usd_total", target="default") == (
        pytest.approx(cost)
    )
    assert value(samples, "cloud_doctor_analysis_duration_seconds_count", engine="gemini") == 2
    assert sum(series(samples, "cloud_doctor_diagnoses_total").values()) == 2


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}],
    ids=["none", "wrong", "basic"],
)
def test_metrics_need_the_api_token(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert error_of(response)["code"] == "unauthorized"
    assert "cloud_doctor" not in response.text


def test_without_a_configured_token_metrics_are_closed(aws: None, aws_settings: Settings) -> None:
    settings = aws_settings.model_copy(update={"doctor_api_token": None})
    with TestClient(create_app(settings)) as test_client:
        response = test_client.get("/metrics", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 503
    assert "DOCTOR_API_TOKEN" in error_of(response)["hint"]


def test_a_missing_log_group_counts_an_aws_error(aws: None, aws_settings: Settings) -> None:
    settings = aws_settings.model_copy(update={"doctor_allowed_log_groups": [LOG_GROUP, "/gone"]})
    with TestClient(create_app(settings)) as client:
        before = scrape(client)
        # Every known code is exported at 0 before any error, so rate() sees the first one.
        assert series(before, "cloud_doctor_aws_errors_total") == {
            frozenset({"code": code}.items()): 0.0 for code in aws_error_codes()
        }
        for _ in range(2):
            response = client.post("/analyze", json={"log_group": "/gone"}, headers=AUTH)
            assert response.status_code == 404
        after = scrape(client)
    assert value(after, "cloud_doctor_aws_errors_total", code="log_group_not_found") == 2
    assert sum(series(after, "cloud_doctor_aws_errors_total").values()) == 2
    assert series(after, "cloud_doctor_diagnoses_total") == {}


@pytest.mark.parametrize(
    ("code", "error_code"),
    [("AccessDeniedException", "access_denied"), ("ThrottlingException", "throttled")],
)
def test_aws_refusals_count_by_error_code(
    aws_settings: Settings, code: str, error_code: str
) -> None:
    with stubbed_app(aws_settings, code) as client:
        response = client.post("/analyze", json={"time_range_minutes": 10}, headers=AUTH)
        assert error_of(response)["code"] == error_code
        samples = scrape(client)
    assert {
        dict(labels)["code"]: v
        for labels, v in series(samples, "cloud_doctor_aws_errors_total").items()
        if v
    } == {error_code: 1.0}


def test_a_policy_refusal_is_not_an_aws_error(client: TestClient) -> None:
    response = client.post("/analyze", json={"log_group": "/not/allowed"}, headers=AUTH)
    assert response.status_code == 403
    assert sum(series(scrape(client), "cloud_doctor_aws_errors_total").values()) == 0


def test_a_failed_slack_post_counts_a_slack_error(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=100)
    delivered = analyze(slack_client, notify_slack=True)
    assert delivered.warnings == []
    assert value(scrape(slack_client), "cloud_doctor_slack_errors_total", operation="post") == 0

    slack.script("chat.postMessage", slack_error("channel_not_found"))
    failed = analyze(slack_client, notify_slack=True)
    assert failed.warnings[-1].startswith("Slack delivery failed")
    samples = scrape(slack_client)
    assert value(samples, "cloud_doctor_slack_errors_total", operation="post") == 1
    assert value(samples, "cloud_doctor_slack_errors_total", operation="reply") == 0
    assert sum(series(samples, "cloud_doctor_diagnoses_total").values()) == 2


def test_a_failed_slash_command_reply_counts_a_slack_error(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("disk-full", count=100)
    url = slack.response_url()
    slack.stop()
    response, _, _ = send(slack_client, "analyze 30m", url)
    assert response.status_code == 200
    wait_idle(slack_client)
    samples = scrape(slack_client)
    assert value(samples, "cloud_doctor_slack_errors_total", operation="reply") == 1
    assert value(samples, "cloud_doctor_slack_errors_total", operation="post") == 0


def test_each_app_counts_apart(
    aws: None, aws_settings: Settings, seed_logs: Callable[..., int]
) -> None:
    seed_logs("dns-failure", count=100)
    with (
        TestClient(create_app(aws_settings)) as first,
        TestClient(create_app(aws_settings)) as second,
    ):
        analyze(first)
        assert sum(series(scrape(first), "cloud_doctor_diagnoses_total").values()) == 1
        assert series(scrape(second), "cloud_doctor_diagnoses_total") == {}


def test_the_process_is_described_too(client: TestClient) -> None:
    names = {name for name, _ in scrape(client)}
    assert {"process_cpu_seconds_total", "python_info"} <= names

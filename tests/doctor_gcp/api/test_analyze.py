"""POST /analyze through the real app (lifespan included), AWS in moto."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from doctor.api import analyze as analyze_route
from doctor.api import create_app
from doctor.logs import CloudWatchLogs
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import AUTH, error_of
from tests.doctor_gcp.conftest import API_TOKEN, LOG_GROUP
from tests.fakes.stubbed_logs import stubbed_logs


def test_analyze_finds_the_injected_failures(
    client: TestClient, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", "disk-full", count=300)
    response = client.post("/analyze", json={"time_range_minutes": 30}, headers=AUTH)
    assert response.status_code == 200, response.text
    result = AnalysisResponse.model_validate(response.json())
    assert result.status == "success"
    assert result.summary.engine == "rules"
    assert result.summary.log_group == LOG_GROUP
    categories = {issue.category.value for issue in result.analysis.issues}
    assert {"database_connection", "disk_full"} <= categories
    assert all(issue.count > 0 and issue.evidence for issue in result.analysis.issues)


def test_an_empty_body_uses_the_defaults(client: TestClient, seed_logs: Callable[..., int]) -> None:
    seed_logs("dns-failure", count=200)
    response = client.post("/analyze", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["time_range_minutes"] == 30


def test_an_empty_window_is_no_logs_not_an_error(
    client: TestClient, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=50, minutes_ago=600)  # well outside the window
    response = client.post("/analyze", json={"time_range_minutes": 15}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "no_logs"
    assert body["summary"]["total_logs_analyzed"] == 0
    assert body["analysis"]["issues"] == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {API_TOKEN}"},
        {"Authorization": API_TOKEN},
    ],
)
def test_a_missing_or_wrong_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/analyze", json={}, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert error_of(response)["code"] == "unauthorized"


def test_without_a_configured_token_analyze_is_closed(aws: None, aws_settings: Settings) -> None:
    settings = aws_settings.model_copy(update={"doctor_api_token": None})
    with TestClient(create_app(settings)) as test_client:
        response = test_client.post(
            "/analyze", json={}, headers={"Authorization": "Bearer anything"}
        )
    assert response.status_code == 503
    assert "DOCTOR_API_TOKEN" in error_of(response)["hint"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_range_minutes": 0}, "time_range_minutes"),
        ({"time_range_minutes": "soon"}, "time_range_minutes"),
        ({"max_logs": -5}, "max_logs"),
        ({"engine": "gpt"}, "engine"),
        ({"log_group": "bad group name!"}, "log_group"),
        ({"filter_pattern": "x" * 2000}, "filter_pattern"),
        ({"notify_slack": "maybe"}, "notify_slack"),
        ({"time_range": 30}, "time_range"),
    ],
)
def test_a_bad_body_is_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/analyze", json=body, headers=AUTH)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_parameter"
    assert field in error["message"]


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/analyze", content=b"{nope", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_parameter"


def test_max_logs_above_the_cap_is_422(client: TestClient) -> None:
    response = client.post("/analyze", json={"max_logs": 50_000}, headers=AUTH)
    assert response.status_code == 422
    assert "DOCTOR_MAX_LOGS" in error_of(response)["hint"]


def test_a_group_outside_the_allow_list_is_403(client: TestClient) -> None:
    response = client.post("/analyze", json={"log_group": "/aws/lambda/payroll"}, headers=AUTH)
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "not_allowed"
    assert "DOCTOR_ALLOWED_LOG_GROUPS" in error["hint"]


def test_a_missing_group_is_404(aws: None, aws_settings: Settings) -> None:
    settings = aws_settings.model_copy(update={"doctor_allowed_log_groups": [LOG_GROUP, "/gone"]})
    with TestClient(create_app(settings)) as test_client:
        response = test_client.post("/analyze", json={"log_group": "/gone"}, headers=AUTH)
    assert response.status_code == 404
    assert error_of(response)["code"] == "log_group_not_found"


def stubbed_app(settings: Settings, code: str) -> TestClient:
    logs, stub = stubbed_logs()
    for _ in range(2):  # the window and the baseline window before it: both are refused
        stub.add_client_error(
            "filter_log_events", code, "arn:aws:iam::123:role/x secret detail", 400
        )
    stub.activate()
    doctor = Doctor(settings, logs=CloudWatchLogs(logs))
    return TestClient(create_app(settings, doctor=doctor))


@pytest.mark.parametrize(
    ("code", "status", "error_code"),
    [
        ("AccessDeniedException", 403, "access_denied"),
        ("ThrottlingException", 429, "throttled"),
        ("ServiceUnavailableException", 503, "log_source_unavailable"),
        ("InternalServerError", 502, "log_source_error"),
    ],
)
def test_aws_failures_map_to_statuses_without_sdk_text(
    aws_settings: Settings, code: str, status: int, error_code: str
) -> None:
    with stubbed_app(aws_settings, code) as test_client:
        # 10 minutes is one time slice, so one FilterLogEvents call per window meets the stub.
        response = test_client.post("/analyze", json={"time_range_minutes": 10}, headers=AUTH)
    assert response.status_code == status
    assert error_of(response)["code"] == error_code
    assert "secret detail" not in response.text


def test_gemini_requested_without_gcp_degrades_to_rules_and_says_so(
    client: TestClient, seed_logs: Callable[..., int]
) -> None:
    seed_logs("disk-full", count=200)
    response = client.post("/analyze", json={"engine": "gemini"}, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "degraded"
    assert body["summary"]["engine"] == "rules"
    assert any("gemini" in w and "Google Cloud project" in w for w in body["warnings"])
    assert "disk_full" in {issue["category"] for issue in body["analysis"]["issues"]}


class SlowDoctor(Doctor):
    """The real Doctor, whose analysis takes longer than the request may (a hung CloudWatch
    or model behind every bound of its own)."""

    def analyze(self, query: Query, *, notify_slack: bool = False) -> AnalysisResponse:
        time.sleep(3)
        return super().analyze(query, notify_slack=notify_slack)


def test_an_analysis_past_the_request_deadline_is_a_504_in_time(
    aws: None, aws_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyze_route, "REQUEST_DEADLINE_SECONDS", 0.5)
    app = create_app(aws_settings, doctor=SlowDoctor(aws_settings))
    with TestClient(app, raise_server_exceptions=False) as client:
        started = time.monotonic()
        answer = client.post("/analyze", json={}, headers=AUTH)
        assert time.monotonic() - started < 2
    assert answer.status_code == 504
    assert error_of(answer)["code"] == "deadline_exceeded"
    assert "0.5 s" in error_of(answer)["message"]


class BrokenDoctor(Doctor):
    def analyze(self, query: Query, *, notify_slack: bool = False) -> AnalysisResponse:
        raise RuntimeError("a bug, with a secret-looking detail xoxb-123")


def test_a_bug_is_one_500_json_and_one_logged_traceback(
    aws: None, aws_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    app = create_app(aws_settings, doctor=BrokenDoctor(aws_settings))
    # raise_server_exceptions: the client raises if anything reaches Starlette's outermost
    # layer, which is what made uvicorn log every 500 a second time.
    with TestClient(app) as client, caplog.at_level(logging.ERROR):
        answer = client.post("/analyze", json={}, headers=AUTH)
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    assert "xoxb" not in answer.text
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1

"""GET /readyz: 200 with the readiness facts while POST /analyze could work, 503 with the reason
while it could not; the start-up log line says the same; /docs needs no CDN."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from doctor.api import create_app
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import error_of
from tests.doctor_gcp.conftest import API_TOKEN, ROLE_ARN


def test_a_configured_doctor_is_ready_and_shows_no_secret(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["serving"] is True
    assert body["paths"]["aws"]["status"] == "ready"
    assert body["paths"]["api"]["facts"]["api_token"] == "set"
    assert body["paths"]["store"]["status"] == "unchecked"  # no database call per probe
    assert API_TOKEN not in response.text


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (Settings(), ["AWS_ROLE_ARN", "DOCTOR_API_TOKEN"]),
        (Settings(aws_role_arn=ROLE_ARN, doctor_api_token=API_TOKEN),
         ["AWS_REGION", "AWS_LOG_GROUP_NAME", "DOCTOR_TOKEN_AUDIENCE"]),
        (Settings(aws_role_arn=ROLE_ARN, aws_region="us-east-1", aws_log_group_name="/g",
                  doctor_token_audience="https://doctor"), ["DOCTOR_API_TOKEN"]),
    ],
)  # fmt: skip
def test_a_doctor_whose_analyze_would_fail_is_503_with_the_reason(
    settings: Settings, named: list[str]
) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.get("/healthz").status_code == 200  # alive all the same
        response = client.get("/readyz")
        analyze = client.post("/analyze", headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "configuration_error"
    assert error["message"].startswith("Not ready: ")
    for name in named:
        assert name in error["hint"]
    assert analyze.status_code != 200  # what readyz foretold


def test_the_start_up_line_carries_the_same_facts(
    aws: None, caplog: pytest.LogCaptureFixture, aws_settings: Settings
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="doctor.readiness"),
        TestClient(create_app(aws_settings)) as fresh,
    ):
        readyz = fresh.get("/readyz").json()
    [line] = [r for r in caplog.records if r.name == "doctor.readiness"]
    fields = line.fields  # type: ignore[attr-defined]
    assert fields["event"] == "startup"
    assert fields["paths"] == readyz["paths"]
    assert "aws=ready" in line.getMessage()
    assert "api=ready" in line.getMessage()
    assert API_TOKEN not in line.getMessage() + repr(fields)


def test_the_start_up_line_warns_when_analyze_would_fail(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="doctor.readiness"),
        TestClient(create_app(Settings())),
    ):
        pass
    [line] = [r for r in caplog.records if r.name == "doctor.readiness"]
    assert line.levelno == logging.WARNING
    assert "503" in line.getMessage()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_only_local_assets_and_those_are_served(
    client: TestClient, page: str
) -> None:
    response = client.get(page)
    assert response.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", response.text)
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts, response.text
    assert not [u for u in urls if "//" in u], urls  # no CDN, no absolute URL at all
    assert "cdn" not in response.text.lower()
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    assert client.get("/openapi.json").status_code == 200

"""POST /slack/events refuses what Slack did not sign: every failure is a 401 in the error
shape (never a 500), plus the other non-command requests the endpoint meets."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from slack_bolt.request.async_request import AsyncBoltRequest

from doctor.api import create_app
from doctor.api.slack import SlackCommands
from doctor.api.slack.bolt import BOLT_LOGGER
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import error_of
from tests.doctor_gcp.api.slack.helpers import wait_idle
from tests.fakes.slack import FakeSlack, signed_headers, slash_command

# --- signatures: Bolt verifies; every failure is a 401 in the error shape, never a 500


def _now() -> int:
    return int(time.time())


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("bad signature", lambda body: signed_headers(body, secret="not-the-secret")),
        ("stale", lambda body: signed_headers(body, timestamp=_now() - 301)),
        ("from the future", lambda body: signed_headers(body, timestamp=_now() + 600)),
        ("non-numeric timestamp", lambda body: signed_headers(body, timestamp="soon")),
        ("negative timestamp", lambda body: signed_headers(body, timestamp=-5)),
        ("huge timestamp", lambda body: signed_headers(body, timestamp="9" * 5000)),
        ("no headers", lambda body: {"Content-Type": "application/x-www-form-urlencoded"}),
        ("no signature", lambda body: _without(signed_headers(body), "X-Slack-Signature")),
        ("no timestamp", lambda body: _without(signed_headers(body), "X-Slack-Request-Timestamp")),
        ("body altered", lambda body: signed_headers(body + "&x=1")),
    ],
)
def test_unsigned_or_badly_signed_requests_are_401(
    slack_client: TestClient, slack: FakeSlack, case: str, headers: Callable[[str], dict[str, str]]
) -> None:
    body = slash_command("analyze 30m", slack.response_url())
    response = slack_client.post("/slack/events", content=body, headers=headers(body))
    assert response.status_code == 401, case
    error = error_of(response)
    assert error["code"] == "unauthorized"
    assert "SLACK_SIGNING_SECRET" in error["hint"]
    wait_idle(slack_client)
    assert slack.calls_to("response/cmd") == []


def test_the_same_request_correctly_signed_is_accepted(
    slack_client: TestClient, slack: FakeSlack
) -> None:
    body = slash_command("help", slack.response_url())
    response = slack_client.post("/slack/events", content=body, headers=signed_headers(body))
    assert response.status_code == 200


def _without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != name}


def test_slacks_ssl_check_probe_is_answered_without_a_signature(
    slack_client: TestClient, slack: FakeSlack
) -> None:
    body = "ssl_check=1&token=deprecated"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = slack_client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize(
    "body", ["payload=notjson", "payload=%7B%22type", "command=%2Fdoctor&text="]
)
def test_a_forged_signature_on_a_malformed_payload_is_401_not_500(
    slack_client: TestClient, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Bolt's adapter parses the body before its own signature check; ours comes first.
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(_now()),
        "X-Slack-Signature": "v0=deadbeef",
    }
    with caplog.at_level(logging.ERROR):
        response = slack_client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_oversized_body_is_413_before_anything_reads_it(slack_client: TestClient) -> None:
    body = "text=" + "x" * (70 * 1024)
    response = slack_client.post("/slack/events", content=body, headers=signed_headers(body))
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_a_non_utf8_body_is_400_not_500(slack_client: TestClient) -> None:
    body = b"text=\xff\xfe"
    response = slack_client.post("/slack/events", content=body, headers=signed_headers(body))
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_input"


def test_another_slash_command_is_404_in_the_error_shape(
    slack_client: TestClient, slack: FakeSlack
) -> None:
    body = slash_command("x", slack.response_url()).replace("%2Fdoctor", "%2Fother")
    response = slack_client.post("/slack/events", content=body, headers=signed_headers(body))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_without_slack_settings_the_endpoint_is_503(aws: None, aws_settings: Settings) -> None:
    with TestClient(create_app(aws_settings)) as client:
        body = slash_command("help", "https://hooks.slack.com/commands/x")
        response = client.post("/slack/events", content=body, headers=signed_headers(body))
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "configuration_error"
    assert "SLACK_SIGNING_SECRET" in error["hint"]


def test_bolt_itself_answers_500_to_a_non_numeric_timestamp(slack_settings: Settings) -> None:
    """Why the route checks the timestamp first: this pins slack-bolt's own behaviour (if it
    ever answers 401 itself, this test says the guard can go)."""

    commands = SlackCommands(slack_settings, Doctor(slack_settings))
    body = slash_command("help", "https://hooks.slack.com/x")
    headers = signed_headers(body, timestamp="soon")
    request = AsyncBoltRequest(body=body, headers={k.lower(): v for k, v in headers.items()})
    logging.getLogger(BOLT_LOGGER).disabled = True  # Bolt logs the traceback
    try:
        response = asyncio.run(commands.bolt.async_dispatch(request))
    finally:
        logging.getLogger(BOLT_LOGGER).disabled = False
    assert response.status == 500

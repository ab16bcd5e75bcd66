"""`/doctor` through the real app: commands signed the way Slack signs them, Bolt verifying
and acking, the analysis (AWS in moto) after the ack, and its report posted by slack_sdk to
the fake Slack's response_url on 127.0.0.1. Also the bot token check at start-up."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from doctor.api import create_app
from doctor.api.slack.bolt import BOLT_LOGGER
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.doctor_gcp.api.slack.helpers import ACK_BUDGET_SECONDS, section_text, send, wait_idle
from tests.doctor_gcp.notify.reports import assert_within_slack_limits
from tests.fakes.slack import BOT_TOKEN, FakeSlack, server_error


def test_analyze_acks_fast_then_the_report_reaches_the_response_url(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", "disk-full", count=300)
    response, elapsed, ack = send(slack_client, "analyze 30m", slack.response_url())
    assert response.status_code == 200
    assert elapsed < ACK_BUDGET_SECONDS, f"ack took {elapsed:.3f}s"
    assert ack["response_type"] == "ephemeral"
    assert ack["text"].startswith(":hourglass_flowing_sand: Analyzing the last 30 min of")
    (result,) = slack.wait_for_calls("response/cmd", timeout=20)
    payload = result.json
    assert payload["response_type"] == "in_channel"
    assert_within_slack_limits(payload["blocks"])
    text = section_text(payload)
    assert "`database_connection`" in text
    assert "`disk_full`" in text
    assert "<@U0ALICE>" in payload["blocks"][-1]["elements"][0]["text"]


class GatedDoctor(Doctor):
    """The real Doctor, but analyze() waits for the test to open the gate."""

    def __init__(self, settings: Settings, gate: threading.Event) -> None:
        super().__init__(settings)
        self.gate = gate

    def analyze(self, query: Query, *, notify_slack: bool = False) -> AnalysisResponse:
        assert self.gate.wait(20)
        return super().analyze(query, notify_slack=notify_slack)


def test_the_ack_does_not_wait_for_the_analysis(
    aws: None, slack_settings: Settings, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("dns-failure", count=200)
    gate = threading.Event()
    app = create_app(slack_settings, doctor=GatedDoctor(slack_settings, gate))
    with TestClient(app) as client:
        response, elapsed, ack = send(client, "analyze 2h", slack.response_url())
        assert response.status_code == 200
        assert elapsed < ACK_BUDGET_SECONDS
        assert "Analyzing the last 2 hours" in ack["text"]
        assert slack.calls_to("response/cmd") == []  # the analysis is still held
        gate.set()
        (result,) = slack.wait_for_calls("response/cmd", timeout=20)
    assert "`dns_resolution`" in section_text(result.json)


@pytest.mark.parametrize("text", ["help", "", "  "])
def test_help_and_an_empty_command_answer_usage(
    slack_client: TestClient, slack: FakeSlack, text: str
) -> None:
    response, _, ack = send(slack_client, text, slack.response_url())
    assert response.status_code == 200
    assert ack["response_type"] == "ephemeral"
    assert "/doctor analyze 2h" in ack["text"]
    wait_idle(slack_client)
    assert slack.calls_to("response/cmd") == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("analyze 7x", "'7x' is not a time window"),
        ("analyze 30m /a /b", "Two log groups given"),
        ("analyze t 30m /a /b", "Too many arguments"),
        ("analyze 30d", "maximum window of 7 days"),
        ("status", "Unknown subcommand"),
    ],
)
def test_bad_arguments_answer_usage_naming_the_problem(
    slack_client: TestClient, slack: FakeSlack, text: str, named: str
) -> None:
    response, _, ack = send(slack_client, text, slack.response_url())
    assert response.status_code == 200
    assert ack["response_type"] == "ephemeral"
    assert named in ack["text"]
    assert "/doctor analyze 2h" in ack["text"]  # and the usage follows
    wait_idle(slack_client)
    assert slack.calls_to("response/cmd") == []


def test_a_group_outside_the_allow_list_is_refused_in_the_ack(
    slack_client: TestClient, slack: FakeSlack
) -> None:
    _, _, ack = send(slack_client, "analyze 1h /aws/lambda/payroll", slack.response_url())
    assert ack["response_type"] == "ephemeral"
    assert "not allowed to read log group '/aws/lambda/payroll'" in ack["text"]
    assert "DOCTOR_ALLOWED_LOG_GROUPS" in ack["text"]  # the hint
    wait_idle(slack_client)
    assert slack.calls_to("response/cmd") == []


def test_an_analysis_failure_after_the_ack_is_an_ephemeral_error(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=50)  # creates the default group; /gone does not exist
    _, _, ack = send(slack_client, "analyze 30m /gone", slack.response_url())
    assert "Analyzing" in ack["text"]
    (reply,) = slack.wait_for_calls("response/cmd", timeout=20)
    assert reply.json["response_type"] == "ephemeral"
    assert "Log group '/gone' does not exist" in reply.json["text"]
    assert "AWS_REGION" in reply.json["text"]  # the hint
    assert "Traceback" not in reply.json["text"]


def test_with_slack_down_the_analysis_is_still_logged(
    slack_client: TestClient,
    slack: FakeSlack,
    seed_logs: Callable[..., int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed_logs("disk-full", count=200)
    url = slack.response_url()
    slack.stop()
    with caplog.at_level(logging.INFO, logger="doctor.api.slack.bolt"):
        response, _, _ = send(slack_client, "analyze 30m", url)
        assert response.status_code == 200  # the ack needs no outbound call
        wait_idle(slack_client)
    undelivered = [r for r in caplog.records if "undelivered /doctor analysis" in r.message]
    assert len(undelivered) == 1
    logged = AnalysisResponse.model_validate_json(undelivered[0].message.split(": ", 1)[1])
    assert "disk_full" in {issue.category.value for issue in logged.analysis.issues}


def test_a_5xx_from_the_response_url_is_retried(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=100)
    slack.script("response/cmd", server_error(500))
    send(slack_client, "analyze 30m", slack.response_url())
    calls = slack.wait_for_calls("response/cmd", count=2, timeout=20)
    assert calls[0].json == calls[1].json


# --- start-up: the token is checked once, in the background, never in a request


def test_the_token_is_checked_once_at_start_up(slack_client: TestClient, slack: FakeSlack) -> None:
    (check,) = slack.wait_for_calls("auth.test")
    assert check.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    send(slack_client, "help", slack.response_url())
    send(slack_client, "help", slack.response_url())
    assert len(slack.calls_to("auth.test")) == 1


def test_the_verified_token_is_in_the_logs_and_bolts_chatter_is_not(
    slack_settings: Settings, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """The README's Slack step 6 says the logs show who the bot is: at INFO, as the service
    logs (the root level), not only when a test lowers this module's logger."""
    caplog.set_level(logging.INFO)  # the root logger, like `cloud-doctor serve`
    with TestClient(create_app(slack_settings)) as client:
        slack.wait_for_calls("auth.test")
        send(client, "help", slack.response_url())
        deadline = time.monotonic() + 5
        while "Slack token verified" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
    assert "Slack token verified: team T0FAKE, bot user U0BOT" in caplog.text
    assert not [r for r in caplog.records if r.name == BOLT_LOGGER and r.levelno < logging.WARNING]


def test_a_bad_token_is_logged_and_commands_still_work(
    aws: None,
    slack_settings: Settings,
    slack: FakeSlack,
    seed_logs: Callable[..., int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed_logs("db-outage", count=100)
    settings = slack_settings.model_copy(update={"slack_bot_token": SecretStr("xoxb-0-0-revoked")})
    with (
        caplog.at_level(logging.ERROR, logger="doctor.api.slack.bolt"),
        TestClient(create_app(settings)) as client,
    ):
        slack.wait_for_calls("auth.test")
        send(client, "analyze 30m", slack.response_url())
        slack.wait_for_calls("response/cmd", timeout=20)  # needs no token
        wait_idle(client)
    assert "Slack token check failed (notify_error)" in caplog.text
    assert "xoxb-0-0-revoked" not in caplog.text

"""POST /analyze with notify_slack: the report goes to SLACK_CHANNEL; when Slack fails, the
analysis still answers 200, with a warning, and the failure is logged."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from doctor.api import create_app
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import AUTH
from tests.doctor_gcp.api.slack.helpers import section_text
from tests.fakes.slack import FakeSlack, rate_limited, server_error

# --- POST /analyze with notify_slack


def test_notify_slack_posts_the_report_to_the_channel(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=200)
    response = slack_client.post("/analyze", json={"notify_slack": True}, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["warnings"] == []
    (post,) = slack.calls_to("chat.postMessage")
    assert post.json["channel"] == "C0ONCALL"
    assert "`database_connection`" in section_text(post.json)
    assert response.json()["id"] in post.json["blocks"][-1]["elements"][0]["text"]


def test_without_notify_slack_nothing_is_posted(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=50)
    assert slack_client.post("/analyze", json={}, headers=AUTH).status_code == 200
    assert slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("outage", ["stopped", "500"])
def test_with_slack_down_analyze_still_answers_200_with_a_warning(
    slack_client: TestClient,
    slack: FakeSlack,
    seed_logs: Callable[..., int],
    caplog: pytest.LogCaptureFixture,
    outage: str,
) -> None:
    seed_logs("db-outage", count=200)
    if outage == "stopped":
        slack.stop()
    else:
        slack.script("chat.postMessage", server_error(500), server_error(500))
    with caplog.at_level(logging.WARNING, logger="doctor.notify.slack"):
        response = slack_client.post("/analyze", json={"notify_slack": True}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert any(issue["category"] == "database_connection" for issue in body["analysis"]["issues"])
    assert body["warnings"][-1].startswith("Slack delivery failed")
    assert f"Slack delivery of analysis {body['id']} failed" in caplog.text
    if outage == "500":
        assert len(slack.calls_to("chat.postMessage")) == 2  # retried once


def test_a_429_then_success_is_retried_and_delivered(
    slack_client: TestClient, slack: FakeSlack, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=100)
    slack.script("chat.postMessage", rate_limited(retry_after=0))
    response = slack_client.post("/analyze", json={"notify_slack": True}, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["warnings"] == []
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_notify_slack_without_slack_settings_warns(
    aws: None, aws_settings: Settings, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=50)
    with TestClient(create_app(aws_settings)) as client:
        response = client.post("/analyze", json={"notify_slack": True}, headers=AUTH)
    assert response.status_code == 200
    assert "SLACK_BOT_TOKEN" in response.json()["warnings"][-1]


def test_a_slack_that_does_not_answer_costs_the_request_its_deadline_not_more(
    slack_client: TestClient,
    slack: FakeSlack,
    seed_logs: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from doctor.notify import delivery
    from tests.fakes.slack import Reply

    monkeypatch.setattr(delivery, "SLACK_DEADLINE_SECONDS", 1.0)
    seed_logs("db-outage", count=50)
    slack.script("chat.postMessage", Reply(delay=6))
    started = time.monotonic()
    response = slack_client.post("/analyze", json={"notify_slack": True}, headers=AUTH)
    assert time.monotonic() - started < 4  # not the 6 s (or 60 s) Slack takes
    assert response.status_code == 200
    [warning] = response.json()["warnings"]
    assert warning.startswith("Slack delivery failed")
    assert "did not finish within 1 s" in warning

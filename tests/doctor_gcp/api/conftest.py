"""Fixtures for the API: the app on moto, the bearer header, the error shape; the fake Slack,
settings aimed at it, and the app wired to both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from doctor.api import create_app
from doctor.settings import Settings
from tests.doctor_gcp.conftest import API_TOKEN, LOG_GROUP
from tests.fakes.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
)

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def error_of(response: Any) -> dict[str, str]:
    """The error JSON of a response, checked to have the one shape and no traceback."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "hint"}
    assert "Traceback" not in response.text
    return dict(body["error"])


@pytest.fixture
def client(aws: None, aws_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(aws_settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def slack_settings(aws_settings: Settings, slack: FakeSlack) -> Settings:
    return aws_settings.model_copy(
        update={
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_channel": "C0ONCALL",
            "slack_api_url": slack.api_url,
            "doctor_allowed_log_groups": [LOG_GROUP, "/gone"],
        }
    )


@pytest.fixture
def slack_client(aws: None, slack_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(slack_settings), raise_server_exceptions=False) as test_client:
        yield test_client

"""Fixtures for the Slack side of the API: the fake Slack, settings aimed at it, the app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from doctor.api import create_app
from doctor.settings import Settings
from tests.doctor_gcp.conftest import LOG_GROUP
from tests.fakes.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    fake_slack,
)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with fake_slack() as fake:
        yield fake


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

"""Neither a response_url nor the bot token reaches the logs, slack_sdk's own DEBUG and retry
lines included (`sdk_logger`, `redact`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from doctor.notify.blocks import notice
from doctor.notify.slack import SlackPoster
from doctor.notify.slack_errors import SDK_LOGGER, redact
from tests.doctor_gcp.notify.test_poster import settings_for
from tests.doctor_gcp.notify.test_slack_urls import SLACK_URL
from tests.fakes.slack import BOT_TOKEN, FakeSlack, dropped, rate_limited, server_error

# --- no URL, no token in any log line, even at DEBUG and while slack_sdk retries


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Root and slack_sdk's loggers at DEBUG, as an operator chasing a problem would set."""
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="slack_sdk"),
        caplog.at_level(logging.DEBUG, logger="slack_sdk.webhook.client"),
        caplog.at_level(logging.DEBUG, logger="slack_sdk.web.base_client"),
        caplog.at_level(logging.DEBUG, logger="slack_sdk.http_retry"),
    ):
        yield caplog


def _assert_clean(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    texts = [caplog.text] + [r.getMessage() for r in caplog.records]
    for secret in secrets:
        assert not any(secret in text for text in texts), secret
    assert "/response/" not in caplog.text  # no part of the URL's path either


def test_a_retried_reply_logs_neither_its_url_nor_the_token(
    slack: FakeSlack, everything_logged: pytest.LogCaptureFixture
) -> None:
    poster = SlackPoster(settings_for(slack))
    slack.script("response/r1", server_error(500))
    slack.script("response/r2", dropped())  # the connection-error retry logs at INFO always
    slack.script("chat.postMessage", server_error(503), rate_limited(0))
    poster.respond(slack.response_url("r1"), notice("n"), response_type="ephemeral")
    poster.respond(slack.response_url("r2"), notice("n"), response_type="ephemeral")
    poster.post(notice("hi"))
    assert len(slack.calls_to("response/r1")) == 2
    assert len(slack.calls_to("response/r2")) == 2
    assert len(slack.calls_to("chat.postMessage")) == 3
    _assert_clean(everything_logged, slack.response_url("r1"), slack.url, BOT_TOKEN)


def test_even_with_the_sdk_logger_at_debug_its_lines_are_redacted(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    poster = SlackPoster(settings_for(slack))
    slack.script("response/r3", dropped())
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger=SDK_LOGGER):
        poster.respond(slack.response_url("r3"), notice("n"), response_type="ephemeral")
    assert len(slack.calls_to("response/r3")) == 2
    # slack_sdk did log the request and its retry; only the URL is gone from them.
    assert any("Going to retry" in r.getMessage() for r in caplog.records)
    assert "[redacted]" in caplog.text
    _assert_clean(caplog, slack.response_url("r3"), slack.url, BOT_TOKEN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"POST {SLACK_URL} - boom", "POST [redacted] - boom"),
        (f"token={BOT_TOKEN}&x=1", "token=[redacted]&x=1"),
        ("xapp-1-A0-123-abc, xoxp-9-9, xoxe.xoxp-1-2.", "[redacted], [redacted], [redacted]."),
        ("'http://127.0.0.1:8/response/cmd'", "'[redacted]'"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected

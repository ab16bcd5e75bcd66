"""Where a reply may go (`ResponseUrlPolicy`), and that neither a response_url nor the bot
token reaches the logs, slack_sdk's own DEBUG and retry lines included."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from doctor.errors import NotifyError
from doctor.notify.blocks import notice
from doctor.notify.slack import SlackPoster
from doctor.notify.slack_errors import SDK_LOGGER, redact
from doctor.notify.slack_urls import ResponseUrlPolicy
from doctor.settings import Settings
from tests.doctor_gcp.notify.test_poster import settings_for
from tests.fakes.slack import BOT_TOKEN, FakeSlack, dropped, rate_limited, server_error

SLACK_URL = "https://hooks.slack.com/commands/T0FAKE/1234567890/abcDEF123"


@pytest.mark.parametrize(
    "url",
    [
        SLACK_URL,
        "https://hooks.slack.com/actions/T0FAKE/1/x",
        "https://hooks.slack.com/commands/T0FAKE/1/x?thread=1",
    ],
)
def test_slacks_own_response_urls_are_allowed(url: str) -> None:
    assert ResponseUrlPolicy(Settings()).allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.slack.com/commands/T/1/x",  # not https
        "ftp://hooks.slack.com/commands/T/1/x",
        "HTTPS://hooks.slack.com.evil.example/commands/T/1/x",
        "https://hooks.slack.com.evil.example/commands/T/1/x",  # a suffix is another host
        "https://evil.example/hooks.slack.com/commands/T/1/x",
        "https://x@hooks.slack.com/commands/T/1/x",  # user info
        "https://hooks.slack.com@evil.example/commands/T/1/x",  # the real host is evil.example
        "https://hooks.slack.com:x@evil.example/commands/T/1/x",
        "https://hooks.slack.com\\@evil.example/commands/T/1/x",  # parsers disagree on '\\'
        "https://hooks.slack.com:8443/commands/T/1/x",  # a port
        "https://hooks.slack.com:443/commands/T/1/x",  # Slack never sends one
        "https://hooks.slack.com./commands/T/1/x",  # trailing dot
        "https://hooks.slack.com",  # no path
        "https://hooks.slack.com/commands/T/1/x#frag",
        "https://hooks.slack.com/commands/T/1/x y",
        "https://hooks.slack.com/commands/T/1/x\n",
        "\thttps://hooks.slack.com/commands/T/1/x",
        "https://[hooks.slack.com/commands/T/1/x",  # urlsplit raises
        "https://hooks.slack.com/" + "x" * 3000,
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "/commands/T/1/x",
        "",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    assert not ResponseUrlPolicy(Settings()).allows(url)


def test_slack_api_urls_own_origin_is_allowed_only_when_it_is_set(slack: FakeSlack) -> None:
    assert ResponseUrlPolicy(settings_for(slack)).allows(slack.response_url("x"))
    assert not ResponseUrlPolicy(Settings()).allows(slack.response_url("x"))
    # Slack's own stays allowed beside it.
    assert ResponseUrlPolicy(settings_for(slack)).allows(SLACK_URL)


def _fake_variants(slack: FakeSlack) -> list[str]:
    """URLs that would reach the fake Slack if followed, but are not its exact origin."""
    port = urlsplit(slack.url).port
    return [
        f"http://user@127.0.0.1:{port}/response/v1",
        f"http://127.0.0.1:{port}@127.0.0.1:{port}/response/v2",
        f"http://localhost:{port}/response/v3",
        f"{slack.url}/response/v4#x",
        f"{slack.url}/response/v5\\x",
        f"{slack.url}/response/v6 x",
    ]


def test_a_refused_response_url_is_never_requested_nor_logged(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    poster = SlackPoster(settings_for(slack))
    urls = _fake_variants(slack)
    with caplog.at_level(logging.DEBUG):
        for url in urls:
            with pytest.raises(NotifyError, match="not a Slack URL") as caught:
                poster.respond(url, notice("n"), response_type="ephemeral")
            assert "hooks.slack.com" in caught.value.hint
            assert url not in str(caught.value)
    assert slack.calls == []
    refusals = [r for r in caplog.records if "not Slack's" in r.getMessage()]
    assert len(refusals) == len(urls)
    for url in urls:
        assert url not in caplog.text
    assert "127.0.0.1" not in caplog.text
    assert "localhost" not in caplog.text


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

"""SlackPoster against the fake Slack: what the real slack_sdk clients send, their retries
(429, 5xx, connection refused), the response_url budget, and how failures read."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from doctor.errors import ConfigurationError, NotifyError
from doctor.notify.blocks import notice
from doctor.notify.slack import SlackPoster
from doctor.settings import Settings
from tests.doctor_gcp.notify.reports import assert_within_slack_limits, make_response
from tests.fakes.slack import (
    BOT_TOKEN,
    FakeSlack,
    Reply,
    dropped,
    rate_limited,
    server_error,
    slack_error,
)


def settings_for(slack: FakeSlack, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": SecretStr(BOT_TOKEN),
        "slack_channel": "C0ONCALL",
        "slack_api_url": slack.api_url,
    }
    return Settings.model_validate({**values, **overrides})


@pytest.fixture
def poster(slack: FakeSlack) -> SlackPoster:
    return SlackPoster(settings_for(slack))


def test_a_report_goes_to_the_channel_as_block_kit(slack: FakeSlack, poster: SlackPoster) -> None:
    ts = poster.post_report(make_response())
    (call,) = slack.calls_to("chat.postMessage")
    assert ts
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    body = call.json
    assert body["channel"] == "C0ONCALL"
    assert body["unfurl_links"] is False
    assert body["text"].startswith(":large_orange_circle: Cloud Doctor HIGH")
    assert_within_slack_limits(body["blocks"])


def test_the_base_url_may_lack_its_trailing_slash(slack: FakeSlack) -> None:
    poster = SlackPoster(settings_for(slack, slack_api_url=slack.api_url.rstrip("/")))
    poster.post(notice("hi"))
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_429_is_retried_after_retry_after(slack: FakeSlack, poster: SlackPoster) -> None:
    slack.script("chat.postMessage", rate_limited(retry_after=0))
    assert poster.post(notice("hi"))
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_a_long_retry_after_is_reported_not_slept_through(
    slack: FakeSlack, poster: SlackPoster
) -> None:
    slack.script("chat.postMessage", rate_limited(retry_after=600))
    started = time.monotonic()
    with pytest.raises(NotifyError, match="rate-limited"):
        poster.post(notice("hi"))
    assert time.monotonic() - started < 5
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_5xx_is_retried_once_then_reported(slack: FakeSlack, poster: SlackPoster) -> None:
    slack.script("chat.postMessage", server_error(500), server_error(503))
    with pytest.raises(NotifyError) as caught:
        poster.post(notice("hi"))
    assert "HTTP 503" in caught.value.message
    assert "retry later" in caught.value.hint
    assert "<html>" not in str(caught.value)
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_a_500_then_success_delivers(slack: FakeSlack, poster: SlackPoster) -> None:
    slack.script("chat.postMessage", server_error(500))
    poster.post(notice("hi"))
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_a_dropped_connection_is_retried(slack: FakeSlack, poster: SlackPoster) -> None:
    slack.script("chat.postMessage", dropped())
    slack.script("response/c0", dropped())
    poster.post(notice("hi"))
    poster.respond(slack.response_url("c0"), notice("n"), response_type="ephemeral")
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert len(slack.calls_to("response/c0")) == 2


def test_slack_down_is_a_notify_error_without_sdk_text(
    slack: FakeSlack, poster: SlackPoster
) -> None:
    slack.stop()
    with pytest.raises(NotifyError) as caught:
        poster.post(notice("hi"))
    assert caught.value.message == "Slack could not be reached for chat.postMessage."
    assert "127.0.0.1" not in str(caught.value)


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("channel_not_found", "SLACK_CHANNEL"),
        ("not_in_channel", "/invite"),
        ("invalid_auth", "SLACK_BOT_TOKEN"),
        ("token_revoked", "SLACK_BOT_TOKEN"),
        ("some_new_error", "documentation"),
    ],
)
def test_slack_error_codes_are_quoted_with_a_hint(
    slack: FakeSlack, poster: SlackPoster, code: str, hint: str
) -> None:
    slack.script("chat.postMessage", slack_error(code))
    with pytest.raises(NotifyError) as caught:
        poster.post(notice("hi"))
    assert caught.value.message.endswith(f": {code}.")
    assert hint in caught.value.hint


def test_a_wrong_token_is_named(slack: FakeSlack) -> None:
    poster = SlackPoster(settings_for(slack, slack_bot_token=SecretStr("xoxb-9-9-wrongtoken")))
    with pytest.raises(NotifyError) as caught:
        poster.verify_token()
    assert "invalid_auth" in caught.value.message
    assert "SLACK_BOT_TOKEN" in caught.value.hint


def test_verify_token_returns_the_bot_identity(poster: SlackPoster) -> None:
    identity = poster.verify_token()
    assert identity["user_id"] == "U0BOT"
    assert identity["team_id"] == "T0FAKE"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [({"slack_bot_token": None}, "SLACK_BOT_TOKEN"), ({"slack_channel": None}, "SLACK_CHANNEL")],
)
def test_unconfigured_slack_is_a_configuration_error_before_any_call(
    slack: FakeSlack, overrides: dict[str, object], named: str
) -> None:
    poster = SlackPoster(settings_for(slack, **overrides))
    with pytest.raises(ConfigurationError) as caught:
        poster.post_report(make_response())
    assert named in caught.value.message
    assert slack.calls == []


def test_a_reply_goes_to_the_response_url(slack: FakeSlack, poster: SlackPoster) -> None:
    poster.respond(slack.response_url("c1"), notice("done"), response_type="in_channel")
    (call,) = slack.calls_to("response/c1")
    assert call.json == {
        "text": "done",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "done"}}],
        "response_type": "in_channel",
    }
    assert "authorization" not in call.headers  # the URL is the credential


def test_a_response_url_takes_five_posts_then_refuses(
    slack: FakeSlack, poster: SlackPoster
) -> None:
    url = slack.response_url("c2")
    for _ in range(5):
        poster.respond(url, notice("n"), response_type="ephemeral")
    with pytest.raises(NotifyError, match="5 posts in 30 minutes"):
        poster.respond(url, notice("n"), response_type="ephemeral")
    assert len(slack.calls_to("response/c2")) == 5
    poster.respond(slack.response_url("c3"), notice("n"), response_type="ephemeral")  # others ok


@pytest.mark.parametrize(
    ("reply", "named", "hint"),
    [
        (Reply(404, "expired_url"), "expired_url", "30 minutes"),
        (Reply(400, "invalid_blocks"), "invalid_blocks", "documentation"),
        (Reply(429, "rate_limited", {"Retry-After": "600"}), "rate-limited", "minute"),
    ],
)
def test_response_url_failures_are_named(
    slack: FakeSlack, poster: SlackPoster, reply: Reply, named: str, hint: str
) -> None:
    slack.script("response/c4", reply)
    with pytest.raises(NotifyError) as caught:
        poster.respond(slack.response_url("c4"), notice("n"), response_type="ephemeral")
    assert named in caught.value.message
    assert hint in caught.value.hint


def test_a_response_url_5xx_is_retried_once(slack: FakeSlack, poster: SlackPoster) -> None:
    slack.script("response/c5", server_error(500))
    poster.respond(slack.response_url("c5"), notice("n"), response_type="ephemeral")
    assert len(slack.calls_to("response/c5")) == 2


@pytest.mark.parametrize(
    ("retry_after", "expected"), [(120, 120.0), (99_999, 3600.0)], ids=["said", "capped"]
)
def test_a_long_rate_limit_says_how_long_slack_asked_to_wait(
    slack: FakeSlack, poster: SlackPoster, retry_after: int, expected: float
) -> None:
    slack.script("chat.postMessage", rate_limited(retry_after))
    with pytest.raises(NotifyError) as raised:
        poster.post_message(notice("hello"))
    assert raised.value.retry_after == expected
    assert not raised.value.permanent


@pytest.mark.parametrize(
    ("code", "permanent"),
    [("invalid_blocks", True), ("msg_too_long", True), ("message_not_found", True),
     ("not_in_channel", False), ("invalid_auth", False), ("channel_not_found", False)],
)  # fmt: skip
def test_refusals_of_the_message_itself_are_permanent(
    slack: FakeSlack, poster: SlackPoster, code: str, permanent: bool
) -> None:
    slack.script("chat.postMessage", slack_error(code))
    with pytest.raises(NotifyError) as raised:
        poster.post_message(notice("hello"))
    assert raised.value.permanent is permanent
    assert raised.value.retry_after is None

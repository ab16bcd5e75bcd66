"""Where a reply may go (`ResponseUrlPolicy`): Slack's own response_urls, SLACK_API_URL's
origin when it is set, nothing else; a refused URL is neither requested nor logged. And how
often (`ResponseUrlBudget`)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest

from doctor.errors import NotifyError
from doctor.notify.blocks import notice
from doctor.notify.slack import SlackPoster
from doctor.notify.slack_urls import ResponseUrlBudget, ResponseUrlPolicy
from doctor.settings import Settings
from tests.doctor_gcp.notify.test_poster import settings_for
from tests.fakes.slack import FakeSlack

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


# --- the response_url budget on its own (SlackPoster.respond spends it: test_poster)


def test_the_response_url_budget_frees_up_after_30_minutes() -> None:
    now = [0.0]
    budget = ResponseUrlBudget(clock=lambda: now[0])
    for _ in range(5):
        budget.take("u")
    with pytest.raises(NotifyError):
        budget.take("u")
    now[0] = 30 * 60 - 1
    with pytest.raises(NotifyError):
        budget.take("u")
    now[0] = 30 * 60
    budget.take("u")


def test_the_budget_remembers_a_bounded_number_of_urls() -> None:
    budget = ResponseUrlBudget(max_urls=3)
    for n in range(10):
        budget.take(f"u{n}")
    assert len(budget._uses) == 3

"""The demo's Slack stand-in, driven by the real slack_sdk WebClient and by the doctor's own
poster, and the plain-text view of its channel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.console import Console
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from doctor.cli.demo_slack import (
    DEMO_CHANNEL,
    DemoSlack,
    SlackMessage,
    demo_slack,
    message_text,
    plain_text,
    thread_panel,
)
from doctor.notify.blocks import Message, code_block, section
from doctor.notify.slack import SlackPoster
from doctor.settings import Settings


@pytest.fixture
def slack() -> Iterator[DemoSlack]:
    with demo_slack() as stand_in:
        yield stand_in


def client(slack: DemoSlack, token: str | None = None) -> WebClient:
    return WebClient(token=token or slack.token, base_url=slack.api_url, timeout=5)


def test_posts_threads_and_updates_like_slack(slack: DemoSlack) -> None:
    web = client(slack)
    assert web.auth_test()["ok"] is True
    blocks = [section("*CRITICAL* · diagnosis")]
    parent = web.chat_postMessage(channel=DEMO_CHANNEL, text="incident", blocks=blocks)
    first = web.chat_postMessage(channel=DEMO_CHANNEL, thread_ts=parent["ts"], text="again")
    resolved = web.chat_postMessage(
        channel=DEMO_CHANNEL, thread_ts=parent["ts"], text="Resolved after 3 min"
    )
    web.chat_update(channel=DEMO_CHANNEL, ts=parent["ts"], text="resolved", blocks=[])

    stamps = [parent["ts"], first["ts"], resolved["ts"]]
    assert len(set(stamps)) == 3
    assert stamps == sorted(stamps, key=float)
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)
    messages = slack.messages()
    assert [(m.ts, m.thread_ts) for m in messages] == [
        (parent["ts"], None),
        (first["ts"], parent["ts"]),
        (resolved["ts"], parent["ts"]),
    ]
    assert (messages[0].text, messages[0].blocks, messages[0].edited) == ("resolved", [], True)
    assert messages[0].channel == DEMO_CHANNEL


def test_refuses_what_slack_refuses(slack: DemoSlack) -> None:
    with pytest.raises(SlackApiError) as wrong_token:
        client(slack, token="xoxb-not-the-demo-token").chat_postMessage(
            channel=DEMO_CHANNEL, text="x"
        )
    assert wrong_token.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as unknown:
        client(slack).chat_update(channel=DEMO_CHANNEL, ts="1.000001", text="x")
    assert unknown.value.response["error"] == "message_not_found"
    assert slack.messages() == []


def test_the_doctors_poster_gets_a_thread_id(slack: DemoSlack) -> None:
    settings = Settings(
        slack_bot_token=slack.token, slack_channel=DEMO_CHANNEL, slack_api_url=slack.api_url
    )
    ts = SlackPoster(settings).post(Message("diagnosis", [section("*bold*")]))
    assert [m.ts for m in slack.messages()] == [ts]
    assert slack.wait_for(lambda ms: len(ms) == 1, timeout=1)
    assert not slack.wait_for(lambda ms: len(ms) == 2, timeout=0.05)


@pytest.mark.parametrize(
    ("mrkdwn", "plain"),
    [
        ("*Root cause:* the pool", "Root cause: the pool"),
        ("see <https://doctor.example/r/1?sig=x|the report>", "see the report"),
        (
            "at <!date^1700000000^{date_short_pretty}|2023-11-14 22:13 UTC>",
            "at 2023-11-14 22:13 UTC",
        ),
        ("&lt;script&gt; &amp; co", "<script> & co"),
        ("&lt;https://evil|click&gt;", "<https://evil|click>"),  # escaped: text, not a link
        ("```\nGET [/admin] *x*\n```", "GET [/admin] *x*"),  # code keeps its content
        (
            "`database_connection` in database_connection",
            "database_connection in database_connection",
        ),
        ("_symptom_ ~gone~ <!here> <@U1> <#C1|ops>", "symptom gone @here @U1 #ops"),
        ("*8340596 upstream error", "*8340596 upstream error"),  # a lone star is text
        (":white_check_mark: *Resolved*", "✅ Resolved"),  # the doctor's emoji, as Slack draws
        (":not_ours: ```\n:warning:\n```", ":not_ours: :warning:"),  # others, and code, as typed
    ],
)
def test_plain_text_strips_mrkdwn(mrkdwn: str, plain: str) -> None:
    assert plain_text(mrkdwn) == plain


def test_the_thread_renders_log_text_verbatim() -> None:
    evidence = code_block(["GET [/admin] 500 [bold]not markup[/bold]"])
    blocks = [section("*HIGH*"), {"type": "section", "text": {"type": "mrkdwn", "text": evidence}}]
    parent = SlackMessage("1.000100", DEMO_CHANNEL, "fallback", blocks, edited=True)
    reply = SlackMessage("1.000200", DEMO_CHANNEL, "*Resolved after* 3 min", thread_ts="1.000100")
    other = SlackMessage("1.000300", DEMO_CHANNEL, "[/] another incident")
    console = Console(record=True, width=100, color_system=None)
    console.print(thread_panel([parent, reply, other], title="[/] Slack #demo"))
    out = console.export_text()
    assert "GET [/admin] 500 [bold]not markup[/bold]" in out
    assert "[/] Slack #demo" in out
    assert "ts 1.000100 · edited" in out
    assert "↳ reply · ts 1.000200" in out
    assert "    Resolved after 3 min" in out
    assert out.index("Resolved after") < out.index("[/] another incident")
    assert message_text(reply) == "Resolved after 3 min"


def test_long_messages_are_cut_in_the_thread_view() -> None:
    long = SlackMessage("1.000100", DEMO_CHANNEL, "\n".join(f"line {i}" for i in range(30)))
    console = Console(record=True, width=80, color_system=None)
    console.print(thread_panel([long], title="t", max_lines=5))
    out = console.export_text()
    assert "line 4" in out
    assert "line 5" not in out
    assert "… 25 more lines" in out

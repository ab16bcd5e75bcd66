"""Posting to Slack: chat.postMessage to SLACK_CHANNEL, and replies to a slash command's
response_url. Blocking (slack_sdk's urllib clients): callers are worker threads, where the
analysis that produced the report already runs.

Why the sync clients, also behind the async Bolt app: slack_sdk's AsyncWebhookClient consults
its retry handlers only for 429s and exceptions, never for a 5xx (slack_sdk 3.47,
webhook/async_client.py), while the urllib clients route every HTTP error through them. One
retry policy and one error mapping then serve the API, the CLI and the slash command.

Every failure becomes a `NotifyError` (or `ConfigurationError` when Slack is not set up) with
a hint (`slack_errors`: the mapping, the retries, the redacted SDK log). A response_url is
followed only within `slack_urls`' policy and budget.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient

from doctor.errors import ConfigurationError
from doctor.models import AnalysisResponse
from doctor.notify.blocks import Message, report_message
from doctor.notify.slack_errors import (
    MAX_RATE_LIMIT_WAIT_SECONDS,
    api_failure,
    retry_handlers,
    sdk_logger,
    unreachable,
    webhook_failure,
)
from doctor.notify.slack_urls import (
    ResponseUrlBudget,
    ResponseUrlPolicy,
    api_base_url,
    refused_response_url,
)
from doctor.settings import Settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10  # per HTTP attempt; slack_sdk's default is 30
ResponseType = Literal["in_channel", "ephemeral"]


class SlackPoster:
    """Sends messages to Slack. Cheap to build, connects to nothing until asked to post."""

    def __init__(
        self,
        settings: Settings,
        *,
        timeout_seconds: int = TIMEOUT_SECONDS,
        max_rate_limit_wait: float = MAX_RATE_LIMIT_WAIT_SECONDS,
        retry_ambiguous: bool = True,
    ) -> None:
        self._settings = settings
        self._timeout = timeout_seconds
        # Stateless (per-call state lives in RetryState): shared by every client and thread.
        self._retry = retry_handlers(max_rate_limit_wait, ambiguous=retry_ambiguous)
        self.response_urls = ResponseUrlBudget()
        self.response_url_policy = ResponseUrlPolicy(settings)

    def check_channel_configured(self) -> str:
        """SLACK_CHANNEL, once SLACK_BOT_TOKEN is also set; else ConfigurationError."""
        self._token()
        if not self._settings.slack_channel:
            raise ConfigurationError(
                "Slack is not configured: SLACK_CHANNEL is not set.",
                hint="Set SLACK_CHANNEL to the channel ID (C0123456789) or #name to post to.",
            )
        return self._settings.slack_channel

    def _token(self) -> str:
        token = self._settings.slack_bot_token
        if token is None:
            raise ConfigurationError(
                "Slack is not configured: SLACK_BOT_TOKEN is not set.",
                hint="Set SLACK_BOT_TOKEN (the app's xoxb- token) and SLACK_CHANNEL; "
                "`cloud-doctor slack-manifest` creates the app.",
            )
        return token.get_secret_value()

    def _client(self) -> WebClient:
        return WebClient(
            token=self._token(),
            base_url=api_base_url(self._settings),
            timeout=self._timeout,
            retry_handlers=self._retry,
            logger=sdk_logger(),
        )

    def verify_token(self) -> dict[str, Any]:
        """auth.test: who the bot is (team, user), or NotifyError/ConfigurationError."""
        client = self._client()
        try:
            return dict(client.auth_test().data)  # type: ignore[arg-type]  # JSON: a dict
        except SlackApiError as exc:
            raise api_failure(exc, "the token check (auth.test)") from exc
        except (SlackClientError, OSError, ValueError) as exc:
            raise unreachable(exc, "auth.test") from exc

    def post(self, message: Message, *, channel: str | None = None) -> str:
        """chat.postMessage to `channel` (default SLACK_CHANNEL); returns the message's ts."""
        return self.post_message(message, channel=channel)[1]

    def post_message(
        self, message: Message, *, channel: str | None = None, thread_ts: str | None = None
    ) -> tuple[str, str]:
        """chat.postMessage, in a thread when `thread_ts` is given; (channel id, ts): a thread
        and chat.update need the id even when SLACK_CHANNEL is a #name."""
        channel = channel or self.check_channel_configured()
        client = self._client()
        what = "the reply in the incident's thread" if thread_ts else "the post to SLACK_CHANNEL"
        try:
            result = client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,  # None: slack_sdk leaves it out
                **message.payload(),
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            raise api_failure(exc, what) from exc
        except (SlackClientError, OSError, ValueError) as exc:
            raise unreachable(exc, "chat.postMessage") from exc
        return str(result.get("channel") or channel), str(result.get("ts") or "")

    def update(self, message: Message, *, channel: str, ts: str) -> None:
        """chat.update of a message the bot posted (`channel` is the id Slack answered)."""
        client = self._client()
        try:
            client.chat_update(channel=channel, ts=ts, **message.payload())
        except SlackApiError as exc:
            raise api_failure(exc, "the edit of the incident's message") from exc
        except (SlackClientError, OSError, ValueError) as exc:
            raise unreachable(exc, "chat.update") from exc

    def post_report(self, response: AnalysisResponse, *, link: str | None = None) -> str:
        return self.post(report_message(response, link=link))

    def respond(self, response_url: str, message: Message, *, response_type: ResponseType) -> None:
        """Reply through a slash command's response_url (no token needed: the URL is the
        credential, so it is never logged). A URL outside `ResponseUrlPolicy` is refused
        before any request."""
        if not self.response_url_policy.allows(response_url):
            log.warning("refused to post to a response_url that is not Slack's (not logged)")
            raise refused_response_url()
        self.response_urls.take(response_url)
        client = WebhookClient(
            response_url, timeout=self._timeout, retry_handlers=self._retry, logger=sdk_logger()
        )
        what = "the reply to the slash command"
        try:
            result = client.send_dict({**message.payload(), "response_type": response_type})
        except (SlackClientError, OSError, ValueError) as exc:
            raise unreachable(exc, "response_url") from exc
        if result.status_code != 200:
            raise webhook_failure(result.status_code, result.body or "", what)


def summary_line(response: AnalysisResponse) -> str:
    """The analysis in one log line, for when Slack cannot show it."""
    issues = ", ".join(f"{i.category.value}x{i.count}" for i in response.analysis.issues)
    return (
        f"analysis {response.id} status={response.status} "
        f"severity={response.analysis.severity.value} log_group={response.summary.log_group} "
        f"events={response.summary.total_logs_analyzed} issues=[{issues}]"
    )

"""Posting to Slack: chat.postMessage to SLACK_CHANNEL, and replies to a slash command's
response_url. Blocking (slack_sdk's urllib clients): callers are worker threads, where the
analysis that produced the report already runs.

Why the sync clients, also behind the async Bolt app: slack_sdk's AsyncWebhookClient consults
its retry handlers only for 429s and exceptions, never for a 5xx (slack_sdk 3.47,
webhook/async_client.py), while the urllib clients route every HTTP error through them. One
retry policy and one error mapping then serve the API, the CLI and the slash command.

Every failure becomes a `NotifyError` (or `ConfigurationError` when Slack is not set up) with
a hint; Slack's own error code is quoted, never an SDK message (it can carry URLs and bodies).

A response_url is a credential (anyone holding it can post into the channel for 30 minutes)
and, inside a signed request, an address we are told to POST to. So:
- `ResponseUrlPolicy`: it is followed only when it is `https://hooks.slack.com/<path>` exactly
  (no user info, no port, no other scheme or host), or, when SLACK_API_URL is set, when its
  scheme and host[:port] are exactly SLACK_API_URL's. The operator already trusts that origin
  with the bot token (a Slack-compatible proxy, or the fake Slack in tests), so a response_url
  there reveals nothing new; nothing else can be reached. A refused URL is never requested and
  never logged.
- slack_sdk logs the full URL (and request bodies) at DEBUG, and at INFO on every retry
  (`Going to retry the same request: POST <url>`, webhook/client.py and web/base_client.py).
  Every client here gets `sdk_logger()` instead of slack_sdk's own loggers: WARNING and above
  only, and every record it lets through has URLs and Slack tokens replaced.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient

from doctor.errors import ConfigurationError, NotifyError
from doctor.models import AnalysisResponse
from doctor.notify.blocks import Message, report_message
from doctor.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
TIMEOUT_SECONDS = 10  # per HTTP attempt; slack_sdk's default is 30
MAX_RATE_LIMIT_WAIT_SECONDS = 10  # a longer Retry-After is reported, not slept through
RESPONSE_URL_POSTS = 5  # Slack: a response_url takes at most 5 posts within 30 minutes
RESPONSE_URL_WINDOW_SECONDS = 30 * 60
ResponseType = Literal["in_channel", "ephemeral"]

_SLACK_CODE = re.compile(r"[a-z_.]{1,64}")
_HINTS = {
    "invalid_auth": "Check SLACK_BOT_TOKEN: it must be the app's Bot User OAuth Token (xoxb-…).",
    "not_in_channel": "Invite the bot to the channel (/invite @cloud-doctor), or grant the "
    "chat:write.public scope and reinstall the app.",
    "channel_not_found": "Check SLACK_CHANNEL: a channel ID like C0123456789, or a name the "
    "bot can see (private channels need an invitation).",
    "missing_scope": "Add the missing scope (see `cloud-doctor slack-manifest`) and reinstall.",
    "expired_url": "The command is too old (response_url lasts 30 minutes): run it again.",
    "used_url": "The command was already answered too often: run it again.",
}
for _code in ("not_authed", "account_inactive", "token_revoked", "token_expired"):
    _HINTS[_code] = _HINTS["invalid_auth"]
# Refusals of the message itself (chat.postMessage / chat.update): the same payload fails
# again, whatever the settings. Token, scope and channel refusals are not here: fixing a setting
# and restarting makes the very same message go through.
PERMANENT_CODES = frozenset({
    "invalid_blocks", "invalid_blocks_format", "invalid_attachments", "msg_too_long",
    "msg_blocks_too_long", "no_text", "too_many_attachments", "invalid_arguments",
    "message_not_found", "cant_update_message", "edit_window_closed", "is_archived",
    "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large",
})  # fmt: skip
MAX_RETRY_AFTER_SECONDS = 3600.0  # a larger (or unreadable) Retry-After is not believed

SLACK_RESPONSE_ORIGIN = ("https", "hooks.slack.com")  # (scheme, netloc) of every response_url
MAX_RESPONSE_URL_CHARS = 2048
_URL_TEXT = re.compile(r"[!-~]+")  # printable ASCII without spaces (urlsplit drops tabs, CRs)

SDK_LOGGER = "doctor.notify.slack.sdk"
_SECRETS = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+"  # any URL: a response_url is a credential
    r"|(?:xox[a-z](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+"  # bot, user, refresh, app-level tokens
)


def redact(text: str) -> str:
    """`text` with every URL and Slack token replaced."""
    return _SECRETS.sub("[redacted]", text)


class RedactSlackSecrets(logging.Filter):
    """Rewrites a record so that neither its message nor its traceback carries a URL or a
    Slack token (slack_sdk formats URLs into its messages with f-strings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def sdk_logger() -> logging.Logger:
    """The logger every slack_sdk client of the doctor writes to (see the module's doc)."""
    logger = logging.getLogger(SDK_LOGGER)
    if not any(isinstance(f, RedactSlackSecrets) for f in logger.filters):
        logger.addFilter(RedactSlackSecrets())
        # slack_sdk tests `logger.level <= DEBUG` before its URL-carrying lines: an explicit
        # WARNING skips them (and the INFO retry lines) before they are even formatted.
        logger.setLevel(logging.WARNING)
    return logger


class ResponseUrlPolicy:
    """Which response_urls the doctor may POST to (see the module's doc for the rule)."""

    def __init__(self, settings: Settings) -> None:
        self._origins = {SLACK_RESPONSE_ORIGIN}
        if settings.slack_api_url:
            api = urlsplit(settings.slack_api_url.strip())
            if api.scheme in ("https", "http") and api.netloc:
                self._origins.add((api.scheme, api.netloc))

    def allows(self, url: str) -> bool:
        if len(url) > MAX_RESPONSE_URL_CHARS or not _URL_TEXT.fullmatch(url) or "\\" in url:
            return False
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unbalanced '[' in the host
            return False
        # netloc holds user info and port too: both must be absent (or exactly SLACK_API_URL's).
        origin = (parts.scheme, parts.netloc)
        return origin in self._origins and parts.path.startswith("/") and not parts.fragment


def refused_response_url() -> NotifyError:
    return NotifyError(
        "The slash command's response_url is not a Slack URL; nothing was sent to it.",
        hint="Replies go only to https://hooks.slack.com/ (or to SLACK_API_URL's own origin "
        "when it is set); check the proxy in front of the doctor.",
    )


def api_base_url(settings: Settings) -> str:
    """SLACK_API_URL or Slack's; slack_sdk joins method names onto it, so it ends with '/'."""
    url = settings.slack_api_url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler sleeps for whatever Retry-After says; a caller waiting on an
    HTTP answer cannot wait minutes. Retry only when the wait is short (and readable)."""

    def __init__(self, max_retry_count: int, max_wait_seconds: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_seconds = max_wait_seconds

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        retry = super()._can_retry(state=state, request=request, response=response, error=error)
        if not retry or response is None:  # the base class retries only a 429 response
            return False
        values = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), [])
        if not values:
            return True  # the base handler then waits about a second
        # The base handler would raise on a non-integer value: then we do not retry at all.
        value = str(values[0]).strip()
        return value.isdigit() and int(value) <= self.max_wait_seconds


def retry_handlers(
    max_rate_limit_wait: float = MAX_RATE_LIMIT_WAIT_SECONDS, *, ambiguous: bool = True
) -> list[RetryHandler]:
    """429 (bounded by Retry-After), 500/503 once, connection refused/reset once. The 5xx and
    reset retries can, rarely, post twice (Slack failed after posting); `ambiguous=False`
    leaves those to a caller that retries from its own record (the alert outbox)."""
    handlers: list[RetryHandler] = [
        BoundedRateLimitRetryHandler(max_retry_count=2, max_wait_seconds=max_rate_limit_wait)
    ]
    if ambiguous:
        handlers += [
            ServerErrorRetryHandler(max_retry_count=1),
            ConnectionErrorRetryHandler(max_retry_count=1),
        ]
    return handlers


class ResponseUrlBudget:
    """Counts posts per response_url so the doctor never makes a sixth in 30 minutes."""

    def __init__(
        self,
        posts: int = RESPONSE_URL_POSTS,
        window_seconds: float = RESPONSE_URL_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_urls: int = 10_000,
    ) -> None:
        self._posts, self._window, self._max_urls = posts, window_seconds, max_urls
        self._clock = clock
        self._uses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, url: str) -> None:
        """Record one post to `url`, or raise NotifyError when its budget is spent."""
        with self._lock:
            now = self._clock()
            for known in list(self._uses):
                stamps = self._uses[known]
                while stamps and now - stamps[0] >= self._window:
                    stamps.popleft()
                if not stamps:
                    del self._uses[known]
            stamps = self._uses.setdefault(url, deque())
            if len(stamps) >= self._posts:
                raise NotifyError(
                    f"This command's response_url already took {self._posts} posts in "
                    f"{self._window // 60:.0f} minutes, Slack's limit.",
                    hint="Run the slash command again for a fresh response_url.",
                )
            stamps.append(now)
            while len(self._uses) > self._max_urls:  # bound memory: forget the oldest URL
                del self._uses[next(iter(self._uses))]


def _api_failure(exc: SlackApiError, what: str) -> NotifyError:
    status = exc.response.status_code
    raw = exc.response.get("error") if isinstance(exc.response.data, dict) else None
    code = raw if isinstance(raw, str) and _SLACK_CODE.fullmatch(raw) else None
    if status == 429:
        return NotifyError(
            f"Slack rate-limited {what}.",
            hint="Retry in a minute; Slack allows ~1 post/s.",
            retry_after=_retry_after(exc.response.headers),
        )
    if status >= 500:
        return NotifyError(
            f"Slack failed {what} (HTTP {status}).",
            hint="Slack is having trouble; retry later (https://slack-status.com).",
        )
    return NotifyError(
        f"Slack refused {what}: {code or f'HTTP {status}'}.",
        hint=_HINTS.get(code or "", "See Slack's documentation of that error code."),
        permanent=code in PERMANENT_CODES,
    )


def _retry_after(headers: Any) -> float | None:
    """A 429's Retry-After in seconds (Slack sends whole seconds), if present and sane."""
    items = headers.items() if hasattr(headers, "items") else []
    values = next((v for k, v in items if str(k).lower() == "retry-after"), None)
    value = values[0] if isinstance(values, list) and values else values
    text = str(value).strip() if value is not None else ""
    if not text.isdigit():
        return None
    return min(float(text), MAX_RETRY_AFTER_SECONDS)


def _webhook_failure(status: int, body: str, what: str) -> NotifyError:
    """response_url answers plain text: "ok", or an error code such as expired_url."""
    code = body.strip() if _SLACK_CODE.fullmatch(body.strip()) else None
    if status == 429:
        return NotifyError(f"Slack rate-limited {what}.", hint="Retry in a minute.")
    if status >= 500:
        return NotifyError(
            f"Slack failed {what} (HTTP {status}).", hint="Slack is having trouble; retry later."
        )
    return NotifyError(
        f"Slack refused {what}: {code or f'HTTP {status}'}.",
        hint=_HINTS.get(code or "", "See Slack's documentation of that error code."),
    )


def _unreachable(exc: Exception, what: str) -> NotifyError:
    log.warning("Slack %s failed: %s", what, type(exc).__name__)
    return NotifyError(
        f"Slack could not be reached for {what}.",
        hint="Check the network path to Slack (and SLACK_API_URL if set); retry later.",
    )


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
            raise _api_failure(exc, "the token check (auth.test)") from exc
        except (SlackClientError, OSError, ValueError) as exc:
            raise _unreachable(exc, "auth.test") from exc

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
            raise _api_failure(exc, what) from exc
        except (SlackClientError, OSError, ValueError) as exc:
            raise _unreachable(exc, "chat.postMessage") from exc
        return str(result.get("channel") or channel), str(result.get("ts") or "")

    def update(self, message: Message, *, channel: str, ts: str) -> None:
        """chat.update of a message the bot posted (`channel` is the id Slack answered)."""
        client = self._client()
        try:
            client.chat_update(channel=channel, ts=ts, **message.payload())
        except SlackApiError as exc:
            raise _api_failure(exc, "the edit of the incident's message") from exc
        except (SlackClientError, OSError, ValueError) as exc:
            raise _unreachable(exc, "chat.update") from exc

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
            raise _unreachable(exc, "response_url") from exc
        if result.status_code != 200:
            raise _webhook_failure(result.status_code, result.body or "", what)


def summary_line(response: AnalysisResponse) -> str:
    """The analysis in one log line, for when Slack cannot show it."""
    issues = ", ".join(f"{i.category.value}x{i.count}" for i in response.analysis.issues)
    return (
        f"analysis {response.id} status={response.status} "
        f"severity={response.analysis.severity.value} log_group={response.summary.log_group} "
        f"events={response.summary.total_logs_analyzed} issues=[{issues}]"
    )

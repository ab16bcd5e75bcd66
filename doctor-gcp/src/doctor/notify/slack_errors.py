"""How Slack's answers and failures are read: every failure as a `NotifyError` with a hint,
the retry policy the slack_sdk clients follow, and the log those clients write to.

Slack's own error code is quoted, never an SDK message (it can carry URLs and bodies).

slack_sdk logs the full URL (and request bodies) at DEBUG, and at INFO on every retry
(`Going to retry the same request: POST <url>`, webhook/client.py and web/base_client.py).
Every client of the doctor gets `sdk_logger()` instead of slack_sdk's own loggers: WARNING and
above only, and every record it lets through has URLs and Slack tokens replaced (a response_url
is a credential).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from doctor.errors import NotifyError

# The poster's logger, not this module's: Slack's failures keep being logged under the name
# they always had, the parent of SDK_LOGGER.
log = logging.getLogger("doctor.notify.slack")

MAX_RATE_LIMIT_WAIT_SECONDS = 10  # a longer Retry-After is reported, not slept through

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

# A child of the poster's logger, under the name the README gives operators.
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
        value = _retry_after_text(response.headers)
        if value is None:
            return True  # the base handler then waits about a second
        # The base handler would raise on a non-integer value: then we do not retry at all.
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


def api_failure(exc: SlackApiError, what: str) -> NotifyError:
    """A Web API refusal or failure (`what` names the call for the reader)."""
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


def _retry_after_text(headers: Any) -> str | None:
    """The Retry-After header as sent, or None. slack_sdk hands headers over as a dict of
    lists (retry handlers) or of strings (an API response), with the name in any case."""
    items = headers.items() if hasattr(headers, "items") else []
    value = next((v for k, v in items if str(k).lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value).strip()


def _retry_after(headers: Any) -> float | None:
    """A 429's Retry-After in seconds (Slack sends whole seconds), if present and sane."""
    text = _retry_after_text(headers) or ""
    if not text.isdigit():
        return None
    return min(float(text), MAX_RETRY_AFTER_SECONDS)


def webhook_failure(status: int, body: str, what: str) -> NotifyError:
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


def unreachable(exc: Exception, what: str) -> NotifyError:
    """No answer at all (refused, reset, timed out). Only the exception's type is logged: its
    message can carry the URL."""
    log.warning("Slack %s failed: %s", what, type(exc).__name__)
    return NotifyError(
        f"Slack could not be reached for {what}.",
        hint="Check the network path to Slack (and SLACK_API_URL if set); retry later.",
    )

"""POST /slack/events: Slack's slash commands, handed to the Bolt app (`bolt.SlackCommands`).

The signature is verified here, before Bolt sees anything: Bolt's Starlette adapter parses the
body before its own check, so a forged request with a malformed payload would otherwise reach
a parser and end as a 500. A non-numeric X-Slack-Request-Timestamp (slack_sdk's verifier does
`int(timestamp)`), a body that is not UTF-8 and an oversized body are refused first too.
Bolt's own non-2xx answers are rewritten into the doctor's error JSON, so every error of the
service has one shape.

Then, still before Bolt: the body must be what Slack sends a slash command (the only thing the
app's manifest subscribes to), a form (application/x-www-form-urlencoded) with each of
`REQUIRED_FIELDS` once. Bolt parses JSON bodies and `payload=` by content type and fails on
anything but a JSON object (a 500 with tracebacks); a signed body that is not the expected form
is a 400 `invalid_input` here instead, logged once, without the body and without a traceback.
A well-formed interactivity `payload` (a JSON object) has no handler: 404, as from Bolt.

Hidden from the OpenAPI schema: its only client is Slack, which speaks form-encoded, signed
payloads, not the JSON API the schema describes.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from doctor.api.errors import error_response
from doctor.api.slack.bolt import SlackCommands
from doctor.errors import ConfigurationError, InputError, PayloadTooLarge, Unauthorized
from doctor.settings import Settings

router = APIRouter()
log = logging.getLogger(__name__)


_MAX_TIMESTAMP_DIGITS = 12  # a Unix time in seconds has 10; int() of huge strings is slow
MAX_BODY_BYTES = 64 * 1024  # slash command payloads are a few hundred bytes
FORM = "application/x-www-form-urlencoded"
# What Slack sends with every slash command (and Bolt or bolt.py reads).
REQUIRED_FIELDS = ("command", "text", "response_url", "team_id", "channel_id", "user_id")
_MAX_FIELDS = 100  # Slack sends about 15
_SSL_CHECK_FIELDS = {"ssl_check", "token"}
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,80}")  # echoed if so


def _unsigned() -> Unauthorized:
    return Unauthorized(
        "This request does not carry a valid, fresh Slack signature.",
        hint="Requests to /slack/events must come from Slack, signed with the app's signing "
        "secret: check SLACK_SIGNING_SECRET and the server clock (5-minute tolerance).",
    )


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is over {MAX_BODY_BYTES} bytes.",
        hint="Slack's requests are small; this one is not from Slack.",
    )


def _malformed(reason: str) -> InputError:
    log.warning("refused a signed but malformed Slack request: %s", reason)
    return InputError(
        f"This is not a Slack slash command: {reason}.",
        hint="/slack/events takes the form-encoded slash commands Slack sends "
        "(application/x-www-form-urlencoded with command, text, response_url, team_id, "
        "channel_id and user_id).",
    )


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _is_ssl_check(content_type: str, body: str) -> bool:
    if _media_type(content_type) != FORM:
        return False
    try:
        form = parse_qs(body, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:  # too many fields: not the probe
        return False
    return form.get("ssl_check") == ["1"] and set(form) <= _SSL_CHECK_FIELDS


def _check_form(content_type: str, body: str) -> Response | None:
    """Raises InputError unless `body` is a slash command as Slack sends it; answers 404 for
    a well-formed interactivity payload (no handler); None: Bolt may take it."""
    media_type = _media_type(content_type)
    if media_type != FORM:
        named = repr(media_type) if _MEDIA_TYPE.fullmatch(media_type) else "missing or invalid"
        raise _malformed(f"the content type is {named}, not {FORM}")
    try:
        form = parse_qs(body, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:
        raise _malformed(f"more than {_MAX_FIELDS} form fields") from None
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0]) if len(form["payload"]) == 1 else None
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise _malformed("its payload field is not one JSON object")
        return _no_handler()
    missing = [name for name in REQUIRED_FIELDS if len(form.get(name, ())) != 1]
    if missing:
        raise _malformed("missing or repeated field(s) " + ", ".join(missing))
    return None


def _no_handler() -> Response:
    return error_response(
        404,
        "not_found",
        "This Slack request has no handler here.",
        "Only the /doctor slash command is served; check the app's manifest.",
    )


def _check_signature(request: Request, body: str, secret: str) -> None:
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    signature = request.headers.get("x-slack-signature", "")
    numeric = timestamp.isascii() and timestamp.isdigit()
    if not signature or not numeric or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        raise _unsigned()
    # Constant-time HMAC compare plus the 5-minute freshness window.
    if not SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature):
        raise _unsigned()


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request) -> Response:
    commands: SlackCommands | None = request.app.state.slack
    if commands is None:
        raise ConfigurationError(
            "Slack is not configured on this doctor.",
            hint="Set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN on the service; "
            "`cloud-doctor slack-manifest` creates the Slack app.",
        )
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("The request body is not UTF-8.", hint="Slack sends UTF-8.") from None
    content_type = request.headers.get("content-type", "")
    # Slack's ssl_check probe may come unsigned; Bolt answers it 200 before verifying and
    # does nothing else, so only that one form, exactly, skips the signature check (Bolt
    # parses the rest of the body first: `ssl_check=1&payload=x` or a JSON type would 500).
    if not _is_ssl_check(content_type, body):
        settings: Settings = request.app.state.settings
        secret = settings.slack_signing_secret
        if secret is None:  # commands exist only when it is set; kept for the type checker
            raise _unsigned()
        _check_signature(request, body, secret.get_secret_value())
        refused = _check_form(content_type, body)
        if refused is not None:
            return refused
    response = await AsyncSlackRequestHandler(commands.bolt).handle(request)
    if response.status_code == 401:
        raise _unsigned()
    if response.status_code == 404:
        return _no_handler()
    if response.status_code >= 400:
        return error_response(
            500,
            "internal_error",
            "The doctor failed to handle this Slack request.",
            "Retry; if it persists, check the service logs.",
        )
    return response

"""POST /slack/events: Slack's slash commands, handed to the Bolt app (`bolt.SlackCommands`).

The signature is verified here, before Bolt sees anything: Bolt's Starlette adapter parses the
body before its own check, so a forged request with a malformed payload would otherwise reach
a parser and end as a 500. A non-numeric X-Slack-Request-Timestamp (slack_sdk's verifier does
`int(timestamp)`), a body that is not UTF-8 and an oversized body are refused first too.
Bolt's own non-2xx answers are rewritten into the doctor's error JSON, so every error of the
service has one shape.

Hidden from the OpenAPI schema: its only client is Slack, which speaks form-encoded, signed
payloads, not the JSON API the schema describes.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from doctor.api.errors import error_response
from doctor.api.slack.bolt import SlackCommands
from doctor.errors import ConfigurationError, InputError, PayloadTooLarge, Unauthorized
from doctor.settings import Settings

router = APIRouter()


_MAX_TIMESTAMP_DIGITS = 12  # a Unix time in seconds has 10; int() of huge strings is slow
MAX_BODY_BYTES = 64 * 1024  # slash command payloads are a few hundred bytes


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
    # Slack's ssl_check probe may come unsigned; Bolt answers it 200 before verifying and
    # does nothing else, so only that one form skips the signature check.
    if parse_qs(body).get("ssl_check") != ["1"]:
        settings: Settings = request.app.state.settings
        secret = settings.slack_signing_secret
        if secret is None:  # commands exist only when it is set; kept for the type checker
            raise _unsigned()
        _check_signature(request, body, secret.get_secret_value())
    response = await AsyncSlackRequestHandler(commands.bolt).handle(request)
    if response.status_code == 401:
        raise _unsigned()
    if response.status_code == 404:
        return error_response(
            404,
            "not_found",
            "This Slack request has no handler here.",
            "Only the /doctor slash command is served; check the app's manifest.",
        )
    if response.status_code >= 400:
        return error_response(
            500,
            "internal_error",
            "The doctor failed to handle this Slack request.",
            "Retry; if it persists, check the service logs.",
        )
    return response

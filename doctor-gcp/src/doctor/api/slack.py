"""POST /slack/events: Slack's slash commands, handed to the Bolt app (doctor.notify.slash).

Bolt verifies the signature. Two inputs make it (or its Starlette adapter) raise instead of
answer, which Bolt would turn into a 500: a non-numeric X-Slack-Request-Timestamp (slack_sdk's
SignatureVerifier does `int(timestamp)`) and a body that is not UTF-8 (the adapter decodes it).
Both are refused here first. Bolt's own non-2xx answers are rewritten into the doctor's error
JSON, so every error of the service has one shape.

Hidden from the OpenAPI schema: its only client is Slack, which speaks form-encoded, signed
payloads, not the JSON API the schema describes.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

from doctor.api.errors import error_response
from doctor.errors import ConfigurationError, InputError, Unauthorized
from doctor.notify.slash import SlackCommands

router = APIRouter()

_MAX_TIMESTAMP_DIGITS = 12  # a Unix time in seconds has 10; int() of huge strings is slow


def _unsigned() -> Unauthorized:
    return Unauthorized(
        "This request does not carry a valid, fresh Slack signature.",
        hint="Requests to /slack/events must come from Slack, signed with the app's signing "
        "secret: check SLACK_SIGNING_SECRET and the server clock (5-minute tolerance).",
    )


def _check_signature_headers(request: Request) -> None:
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    signature = request.headers.get("x-slack-signature", "")
    numeric = timestamp.isascii() and timestamp.isdigit()
    if not signature or not numeric or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
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
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("The request body is not UTF-8.", hint="Slack sends UTF-8.") from None
    # Slack's ssl_check probe may come unsigned; Bolt answers it 200 before verifying and
    # does nothing else, so only that one form skips the header check.
    if parse_qs(body).get("ssl_check") != ["1"]:
        _check_signature_headers(request)
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

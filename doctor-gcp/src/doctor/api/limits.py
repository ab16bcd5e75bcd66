"""Request limits, enforced before a body is parsed: size per route, token, media type.

Two layers, because neither alone answers every case with the doctor's error JSON:

- The maintained mechanism, FastAPI's `max_body_size` on each route (Starlette's
  `RequestBodyLimitMiddleware`), counts the bytes as they stream in and stops reading past the
  limit: the only defence against a body without Content-Length (chunked). Its 413 is an
  HTTPException, which `doctor.api.errors` turns into the error JSON.
- `RequestGate`, in front of the routes, refuses what the headers already tell, before any body
  byte is read: a declared Content-Length over the route's limit (413; Starlette's limiter would
  answer those in plain text, and replaces any other answer to them with its own), a missing or
  wrong bearer token on the routes that read a body (401: FastAPI reads and parses the body
  before it runs dependencies such as `Authenticated`), and a body that is not JSON on the JSON
  routes (415, instead of a confusing 422).

The limits are constants here, used by both layers and stated in the OpenAPI schema
(`x-max-body-bytes` on each operation, and in its description).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from doctor.api.deps import bearer_token
from doctor.api.errors import doctor_error_response
from doctor.errors import DoctorError, PayloadTooLarge, UnsupportedMediaType
from doctor.settings import Settings

# POST /analyze: a handful of fields. The largest valid body is a 1,024-character
# filter_pattern written entirely as JSON surrogate-pair escapes (12 bytes per character,
# 12 KiB) plus a 512-character log group and the small fields: 16 KiB holds every valid body.
ANALYZE_MAX_BODY_BYTES = 16 * 1024
# POST /alerts/aws: EventBridge's maximum event size (PutEvents entries are at most 256 KiB).
ALERT_MAX_BODY_BYTES = 256 * 1024
# POST /slack/events: a slash command is ~15 form fields plus the typed `text`; Slack
# recommends messages of at most 4,000 characters, which URL-encoded in 4-byte characters is
# 48,000 bytes. 64 KiB holds that with room for the other fields (a real /doctor command is
# a few hundred bytes), and is the limit the Slack inlet itself states.
SLACK_MAX_BODY_BYTES = 64 * 1024
# Every other route takes no body.
DEFAULT_MAX_BODY_BYTES = 16 * 1024

TokenCheck = Callable[[Settings, str], None]


@dataclass(frozen=True)
class Limit:
    """What a route accepts, checked from the headers before any body byte is read."""

    max_body_bytes: int
    token: TokenCheck | None = None  # raises Unauthorized / ConfigurationError
    json_body: bool = False  # a non-empty body must be application/json (or +json)


def openapi_limit(max_body_bytes: int) -> dict[str, Any]:
    """The route's `openapi_extra`: its body limit as a machine-readable extension."""
    return {"x-max-body-bytes": max_body_bytes}


def body_limit_text(max_body_bytes: int) -> str:
    """The sentence the route's OpenAPI description carries about its limits."""
    return (
        f"Request body: at most {max_body_bytes} bytes ({max_body_bytes // 1024} KiB); larger "
        "bodies are refused with 413 before they are read, with or without Content-Length."
    )


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None  # absent; a malformed one never gets here (the HTTP server refuses it)
    return int(value)


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class RequestGate:
    """Pure ASGI: per (method, path), refuse from the headers alone; the app sees the rest.

    Order: size (413), then token (401 / 503), then media type (415). A refused request's
    body is never read: the server closes the connection after the answer.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        limits: Mapping[tuple[str, str], Limit],
        default_max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.settings = settings
        self.limits = dict(limits)
        self.default = Limit(default_max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get((scope["method"], scope["path"]), self.default)
        try:
            self._check(limit, Headers(scope=scope))
        except DoctorError as exc:
            await doctor_error_response(exc)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check(self, limit: Limit, headers: Headers) -> None:
        declared = _content_length(headers)
        if declared is not None and declared > limit.max_body_bytes:
            raise PayloadTooLarge(
                f"The request body is larger than this endpoint's limit of "
                f"{limit.max_body_bytes} bytes.",
                hint="Send a smaller body; /docs states each endpoint's limit.",
            )
        if limit.token is not None:
            limit.token(self.settings, bearer_token(headers.get("authorization")))
        has_body = bool(declared) or "transfer-encoding" in headers
        if limit.json_body and has_body and not _is_json(headers.get("content-type")):
            raise UnsupportedMediaType(
                "This endpoint reads a JSON body; the request's Content-Type is not JSON."
            )

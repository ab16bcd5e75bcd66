"""The one place where exceptions become DESIGN.md's error JSON."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from doctor.errors import DoctorError, InvalidParameter, Unauthorized

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: ("bad_request", "Check the request syntax."),
    401: ("unauthorized", "Send 'Authorization: Bearer <DOCTOR_API_TOKEN>'."),
    404: ("not_found", "See /docs for the available endpoints."),
    405: ("method_not_allowed", "See /docs for the methods each endpoint takes."),
    413: ("payload_too_large", "Send a smaller request body."),
    415: ("unsupported_media_type", "Send JSON with Content-Type: application/json."),
}


def error_response(
    status: int,
    code: str,
    message: str,
    hint: str = "",
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    extra = dict(headers or {})
    if status == 401:
        extra.setdefault("WWW-Authenticate", "Bearer")
    body = {"error": {"code": code, "message": message, "hint": hint}}
    return JSONResponse(body, status_code=status, headers=extra or None)


def doctor_error_response(exc: DoctorError) -> JSONResponse:
    """A DoctorError as the error JSON: the exception handler's answer, also sent by
    `RequestGate`, which refuses requests before the app (and its handlers) sees them."""
    if exc.status >= 500:
        log.warning("request failed: %s (%s)", exc.code, exc.message)
    return error_response(exc.status, exc.code, exc.message, exc.hint)


async def _doctor_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, DoctorError):  # registered for DoctorError only
        raise exc
    return doctor_error_response(exc)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """422 naming each bad field and what is wrong with it; the input is never echoed."""
    if not isinstance(exc, RequestValidationError):  # registered for RequestValidationError only
        raise exc
    problems = []
    for err in exc.errors():
        location = [str(part) for part in err.get("loc", ()) if part != "body"]
        field = ".".join(location) or "body"
        problems.append(f"{field}: {err.get('msg', 'invalid')}")
    message = "Invalid request: " + "; ".join(problems)
    return error_response(422, InvalidParameter.code, message, "Fix the fields named above.")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        raise exc
    code, hint = _HTTP_CODES.get(exc.status_code, ("http_error", ""))
    message = str(exc.detail)
    if exc.status_code == 401:
        code, message = Unauthorized.code, "Missing or invalid bearer token."
    elif exc.status_code == 413:
        # Starlette's body limit (a route's `max_body_size`) cut a body off while streaming
        # it: a body without Content-Length (chunked) that grew past the limit.
        limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY)
        message = (
            f"The request body is larger than this endpoint's limit of {limit} bytes."
            if isinstance(limit, int)
            else "The request body is too large."
        )
    # Headers carry `Allow` on a 405 (RFC 9110 requires it) and `Retry-After` where set.
    return error_response(exc.status_code, code, message, hint, headers=exc.headers)


def _unexpected() -> JSONResponse:
    return error_response(
        500,
        "internal_error",
        "The doctor hit an unexpected error.",
        "Retry; if it persists, check the service logs.",
    )


class LastResort:
    """A bug becomes a 500 with the error JSON and one logged traceback. Not an exception
    handler for `Exception`: Starlette runs that one in ServerErrorMiddleware, which re-raises
    after answering, so uvicorn logged the same traceback a second time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("unhandled error")
            if not started:  # else the client sees the connection end: nothing more to say
                await _unexpected()(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DoctorError, _doctor_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(LastResort)  # the first added: inside the trace and the request gate

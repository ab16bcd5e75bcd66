"""Structured JSON logs for Cloud Run, correlated with the request's trace.

Cloud Logging reads `severity` and `message` from a JSON line on stdout, and groups lines under
a request when `logging.googleapis.com/trace` names its trace. The trace id arrives in the
`traceparent` (W3C) or `X-Cloud-Trace-Context` header; a context variable carries it into the
worker threads that run boto3 (Starlette's thread pool copies the context).

uvicorn's access lines become Cloud Logging's `httpRequest` (method, path, status, latency,
client) instead of text inside `message`. The query string is dropped: report links carry
their signature in it (`?exp=…&sig=…`), and a log line must not hand out a working link.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

TRACE: ContextVar[tuple[str, str | None] | None] = ContextVar("doctor_trace", default=None)
# When the request arrived (perf_counter): uvicorn logs the access line from inside the app's
# `send`, in the request's context, so the latency up to the response's headers is known.
STARTED: ContextVar[float | None] = ContextVar("doctor_request_started", default=None)
ACCESS_LOGGER = "uvicorn.access"

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
_CLOUD_TRACE = re.compile(r"^([0-9a-fA-F]{32})(?:/(\d+))?")


def parse_trace(headers: dict[str, str]) -> tuple[str, str | None] | None:
    if match := _TRACEPARENT.match(headers.get("traceparent", "").strip()):
        return match.group(1), match.group(2)
    if match := _CLOUD_TRACE.match(headers.get("x-cloud-trace-context", "").strip()):
        return match.group(1).lower(), match.group(2)
    return None


def _client_ip(address: str) -> str | None:
    """uvicorn's `host:port` (IPv6 unbracketed: `::1:5000`) without the port."""
    host = address.rsplit(":", 1)[0] if ":" in address else address
    return host or None


def access_entry(record: logging.LogRecord) -> tuple[str, dict[str, Any]] | None:
    """An access line's message and Cloud Logging `httpRequest`, or None for any other line.

    uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with (client, method, path?query, version,
    status); the query string is dropped from both."""
    args = record.args
    if record.name != ACCESS_LOGGER or not isinstance(args, tuple) or len(args) != 5:
        return None
    client, method, target, http_version, status = args
    path = str(target).split("?", 1)[0]
    if not isinstance(status, int):
        return None
    code = status
    request: dict[str, Any] = {
        "requestMethod": str(method),
        "requestUrl": path,
        "status": code,
        "protocol": f"HTTP/{http_version}",
    }
    if ip := _client_ip(str(client)):
        request["remoteIp"] = ip
    started = STARTED.get()
    if started is not None:
        request["latency"] = f"{max(0.0, time.perf_counter() - started):.6f}s"
    return f"{method} {path} {code}", request


class CloudRunFormatter(logging.Formatter):
    def __init__(self, project_id: str | None) -> None:
        super().__init__()
        self._project = project_id

    def format(self, record: logging.LogRecord) -> str:
        access = access_entry(record)
        message = access[0] if access is not None else record.getMessage()
        if record.exc_info:
            # Error Reporting picks up a stack trace that is part of the message.
            message = f"{message}\n{self.formatException(record.exc_info)}"
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": message,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
        }
        if access is not None:
            entry["httpRequest"] = access[1]
        # `extra={"fields": {...}}` adds queryable fields to the JSON line (tokens, cost, ...).
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        trace = TRACE.get()
        if trace and self._project:
            entry["logging.googleapis.com/trace"] = f"projects/{self._project}/traces/{trace[0]}"
            if trace[1]:
                entry["logging.googleapis.com/spanId"] = trace[1]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(project_id: str | None, level: int = logging.INFO) -> None:
    """JSON lines on stdout for the whole process, uvicorn's loggers included."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(CloudRunFormatter(project_id))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # drain3 announces every miner it builds at INFO: one line per analysis, no information.
    logging.getLogger("drain3").setLevel(logging.WARNING)


class TraceMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): sets TRACE for the duration of each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        token = TRACE.set(parse_trace(headers))
        started = STARTED.set(time.perf_counter())
        try:
            await self.app(scope, receive, send)
        finally:
            STARTED.reset(started)
            TRACE.reset(token)

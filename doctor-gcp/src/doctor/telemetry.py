"""Structured JSON logs for Cloud Run, correlated with the request's trace.

Cloud Logging reads `severity` and `message` from a JSON line on stdout, and groups lines under
a request when `logging.googleapis.com/trace` names its trace. The trace id arrives in the
`traceparent` (W3C) or `X-Cloud-Trace-Context` header; a context variable carries it into the
worker threads that run boto3 (Starlette's thread pool copies the context).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

TRACE: ContextVar[tuple[str, str | None] | None] = ContextVar("doctor_trace", default=None)

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
_CLOUD_TRACE = re.compile(r"^([0-9a-fA-F]{32})(?:/(\d+))?")


def parse_trace(headers: dict[str, str]) -> tuple[str, str | None] | None:
    if match := _TRACEPARENT.match(headers.get("traceparent", "").strip()):
        return match.group(1), match.group(2)
    if match := _CLOUD_TRACE.match(headers.get("x-cloud-trace-context", "").strip()):
        return match.group(1).lower(), match.group(2)
    return None


class CloudRunFormatter(logging.Formatter):
    def __init__(self, project_id: str | None) -> None:
        super().__init__()
        self._project = project_id

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            # Error Reporting picks up a stack trace that is part of the message.
            message = f"{message}\n{self.formatException(record.exc_info)}"
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": message,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
        }
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
        try:
            await self.app(scope, receive, send)
        finally:
            TRACE.reset(token)

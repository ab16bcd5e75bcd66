"""Turn stamped events into log lines: JSON lines (default) or each software's own text format."""

from __future__ import annotations

import json
from datetime import datetime

from chaos_app.events import Stamped, Style

# Keys the text renderers consume to rebuild a native line; JSON keeps them as context fields.
_NATIVE_KEYS = frozenset({"pid", "host", "thread"})


def iso_millis(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def to_json(item: Stamped) -> str:
    """One JSON object per line; the whole stack stays in `exception`, so one event is one line."""
    event = item.event
    record: dict[str, object] = {
        "timestamp": iso_millis(item.timestamp),
        "level": event.level,
        "logger": event.logger,
        "message": event.message,
    }
    record.update(event.fields)
    record["scenario"] = item.scenario
    if event.exception:
        record["exception"] = event.exception
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def to_text(item: Stamped) -> str:
    """The line as the software itself writes it; stacks follow on their own lines."""
    event, ts = item.event, item.timestamp
    fields = event.fields
    native = event.native_level or event.level
    millis = f"{ts.microsecond // 1000:03d}"
    match event.style:
        case Style.JAVA:
            thread = fields.get("thread", "main")
            head = (
                f"{ts:%Y-%m-%d %H:%M:%S}.{millis} {native:>5} 1 --- [{thread}] "
                f"{event.logger} : {event.message}"
            )
        case Style.GO:
            head = f"{ts:%Y/%m/%d %H:%M:%S} {event.message}"
        case Style.NODE:
            head = f"{iso_millis(ts)} {native.lower()} {event.logger}: {event.message}"
            head = _with_context(head, fields)
        case Style.NGINX:
            pid = fields.get("pid", 1)
            head = f"{ts:%Y/%m/%d %H:%M:%S} [{native.lower()}] {pid}#{pid}: {event.message}"
        case Style.POSTGRES:
            pid = fields.get("pid", 1)
            head = f"{ts:%Y-%m-%d %H:%M:%S}.{millis} UTC [{pid}] {native}:  {event.message}"
        case Style.KERNEL:
            host = fields.get("host", "ip-10-0-1-23")
            head = f"{ts:%b} {ts.day:2d} {ts:%H:%M:%S} {host} {event.logger}: {event.message}"
        case _:
            head = f"{iso_millis(ts)} {native:<7} [{event.logger}] {event.message}"
            head = _with_context(head, fields)
    if event.exception:
        return f"{head}\n{event.exception.rstrip()}"
    return head


def _with_context(head: str, fields: dict[str, str | int | float]) -> str:
    """Structured loggers (structlog, pino) print their context as key=value after the message."""
    context = " ".join(f"{k}={v}" for k, v in fields.items() if k not in _NATIVE_KEYS)
    return f"{head} {context}" if context else head

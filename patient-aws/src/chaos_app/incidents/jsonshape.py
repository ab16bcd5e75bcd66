"""JSON lines as each service's logger writes them, keys and all.

The API logs through structlog (`event`, `logger`, `service`), the worker through
python-json-logger (`asctime`, `levelname`, `name`, `message`), the Go auth service through
slog's JSON handler (`time`, `level`, `msg`), Spring's ECS structured logging (`@timestamp`,
`log.level`, `service.name`), nginx through a JSON `log_format`. What cannot log JSON
(PostgreSQL, Redis, nginx's error log, a panic on stderr) reaches the shipper as text and is
wrapped the way Docker's json-file driver and a shipper do (`log`, `stream`, `time`, `service`).
Host lines are journald's JSON export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from chaos_app.events import Event
from chaos_app.incidents.cast import Instance, Runtime
from chaos_app.incidents.native import RAW_LOGGERS, container_text, context_fields, millis
from chaos_app.render import iso_millis
from chaos_app.scenarios._kit import slog_level

_GO_LEVEL = re.compile(r"^(DEBUG|INFO|WARN|ERROR) ")
_LOGFMT = re.compile(r' ([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|\S+)')
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def nanos(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond:06d}000Z"


def compact(record: dict[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def split_logfmt(message: str) -> tuple[str, dict[str, object]]:
    """`query failed path=/x err="..."` -> ("query failed", {"path": "/x", "err": "..."})."""
    first = _LOGFMT.search(message)
    if not first:
        return message, {}
    attrs: dict[str, object] = {}
    for key, value in _LOGFMT.findall(message[first.start() :]):
        if value.startswith('"'):
            attrs[key] = json.loads(value)
        else:  # slog writes numbers as JSON numbers
            attrs[key] = int(value) if value.isdigit() else value
    return message[: first.start()], attrs


def wrapped(text: str, at: datetime, service: str) -> str:
    """Docker's json-file record of a text line, with the shipper's `service` added."""
    return compact({"log": text + "\n", "stream": "stderr", "time": nanos(at), "service": service})


def _structlog(event: Event, at: datetime, service: str, pid: int) -> str:
    """The API: structlog's JSONRenderer (json.dumps defaults)."""
    record: dict[str, object] = {"event": event.message, **context_fields(event)}
    record |= {"logger": event.logger, "level": event.level.lower(), "service": service}
    record["timestamp"] = at.isoformat().replace("+00:00", "Z")
    if event.exception:
        record["exception"] = event.exception.rstrip()
    return json.dumps(record, ensure_ascii=False)


def _python_json_logger(event: Event, at: datetime, service: str, pid: int) -> str:
    """The worker: python-json-logger's JsonFormatter."""
    asctime = f"{at:%Y-%m-%d %H:%M:%S},{millis(at)}"
    record: dict[str, object] = {"asctime": asctime, "name": event.logger}
    record |= {"levelname": event.level, "message": event.message, "service": service}
    record |= context_fields(event)
    if event.exception:
        record["exc_info"] = event.exception.rstrip()
    return json.dumps(record, ensure_ascii=False)


def _slog(event: Event, at: datetime, service: str, pid: int) -> str:
    """The auth service: slog.NewJSONHandler; a `log` line through slog.NewLogLogger."""
    match = _GO_LEVEL.match(event.message)
    message = event.message[match.end() :] if match else event.message
    msg, attrs = split_logfmt(message)
    word = slog_level(event.level)
    return compact({"time": nanos(at), "level": word, "msg": msg, "service": service, **attrs})


def _ecs(event: Event, at: datetime, service: str, pid: int) -> str:
    """The payments service: Spring Boot's ECS structured logging."""
    record: dict[str, object] = {
        "@timestamp": iso_millis(at),
        "log.level": "WARN" if event.level == "WARNING" else event.level,
        "process.pid": pid,
        "process.thread.name": event.fields.get("thread", "main"),
        "service.name": service,
        "log.logger": event.logger,
        "message": event.message,
    }
    if event.exception:
        head = event.exception.split("\n", 1)[0]
        record["error.type"] = head.split(":", 1)[0]
        record["error.message"] = head.split(": ", 1)[-1]
        record["error.stack_trace"] = event.exception.rstrip()
    record["ecs.version"] = "8.11"
    return compact(record)


def _nginx_json(event: Event, at: datetime, service: str, pid: int) -> str | None:
    """The gateway: a JSON `log_format` for the access log (the error log is text)."""
    if event.logger != "nginx.access":
        return None
    f = event.fields
    return compact(
        {
            "time": at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "service": service,
            "remote_addr": f["remote_addr"],
            "request": f"{f['method']} {f['path']} HTTP/1.1",
            "status": f["status"],
            "body_bytes_sent": f["bytes"],
            "request_time": f["request_time"],
            "upstream_addr": f["upstream"],
            "upstream_response_time": str(f["upstream_time"]),
            "http_user_agent": f["user_agent"],
        }
    )


_ENCODERS: dict[Runtime, Callable[[Event, datetime, str, int], str | None]] = {
    Runtime.PYTHON: _structlog,
    Runtime.CELERY: _python_json_logger,
    Runtime.GO: _slog,
    Runtime.JAVA: _ecs,
    Runtime.NGINX: _nginx_json,
}


def app_json(event: Event, at: datetime, runtime: Runtime, service: str, pid: int) -> str | None:
    """The service's own JSON logger line, or None when this software writes no JSON."""
    encode = _ENCODERS.get(runtime)
    if encode is None or event.logger in RAW_LOGGERS:
        return None
    return encode(event, at, service, pid)


def json_record(event: Event, at: datetime, runtime: Runtime, service: str, pid: int) -> str:
    """One record of the JSON shape: the logger's own JSON, else the shipper's wrapping."""
    own = app_json(event, at, runtime, service, pid)
    if own is not None:
        return own
    return wrapped(container_text(event, at, runtime), at, service)


def journald(at: datetime, instance: Instance, ident: str, message: str, priority: int) -> str:
    """`journalctl -o json`, trimmed to the fields a shipper keeps."""
    micros = (at - _EPOCH) // timedelta(microseconds=1)
    record: dict[str, object] = {
        "__REALTIME_TIMESTAMP": str(micros),
        "_HOSTNAME": instance.host,
        "SYSLOG_IDENTIFIER": ident,
        "PRIORITY": str(priority),
        "MESSAGE": message,
    }
    if ident == "systemd":
        record["UNIT"] = f"{instance.service}.service"
    return compact(record)

"""JSON log records: which keys hold the message, level, time and exception, and the event one
opens."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .head_tokens import KLOG_LEVELS, SERVICE_KEYS
from .headers import Head
from .levels import at_least, level_from_json
from .pending import OpenEvent
from .textlog import text_level
from .timestamps import parse_epoch, parse_timestamp
from .types import Level

# Besides the common keys: .NET's JSON console ("Timestamp", "LogLevel", "Category",
# "Message", "Exception"), Serilog's compact JSON ("@t", "@l", "@m" or its template "@mt",
# "@x"), log4j2's JsonLayout ("instant", "loggerName", "thrown") and GELF ("short_message").
MESSAGE_KEYS = (
    "message", "msg", "log", "@message", "textPayload", "event", "Message", "@m", "@mt",
    "short_message",
)  # fmt: skip
LEVEL_KEYS = ("level", "severity", "levelname", "lvl", "log.level", "loglevel", "LogLevel", "@l")
# eventTime: CloudTrail's records, as CloudTrail sends them to CloudWatch Logs
TS_KEYS = (
    "timestamp", "ts", "time", "@timestamp", "asctime", "datetime", "eventTime", "Timestamp",
    "@t", "instant",
)  # fmt: skip
EXC_KEYS = (
    "exception", "exc_info", "stack", "stack_trace", "stacktrace", "error", "err", "Exception",
    "@x", "thrown",
)  # fmt: skip
# Log shippers (Fluent Bit, Fluentd, Vector) name the container and pod the line came from.
CONTAINER_KEYS = ("container_name", "container", "pod_name", "pod")
# A Deployment's pod is "<name>-<replicaset hash>-<5 chars>", a StatefulSet's "<name>-<n>".
_POD_SUFFIX = re.compile(r"(?:-[a-z0-9]{6,10})?-[a-z0-9]{5}$|-\d+$")
# Every other field is ignored, unless the record has no message field (see `json_message`).


def json_message(obj: dict[str, Any]) -> str:
    for key in MESSAGE_KEYS:
        value = obj.get(key)
        if isinstance(value, str):
            return value.rstrip("\r\n")
        if value is not None and key != "log":  # ECS puts {"level": ...} under "log"
            return json.dumps(value, ensure_ascii=False, default=str)
    # No message field: show the rest of the record, minus what is taken elsewhere.
    taken = {*LEVEL_KEYS, *TS_KEYS, *EXC_KEYS}
    remaining = {k: v for k, v in obj.items() if k not in taken}
    return json.dumps(remaining, ensure_ascii=False, default=str) if remaining else ""


def json_time(value: object) -> datetime | None:
    stamp: datetime | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int | float):
        stamp = parse_epoch(float(value))
    elif isinstance(value, str):
        stamp = parse_timestamp(value)
    elif isinstance(value, dict):
        # protobuf JSON {"seconds": …, "nanos": …}; log4j2 {"epochSecond": …, "nanoOfSecond": …}
        seconds = value.get("seconds", value.get("epochSecond"))
        nanos = value.get("nanos", value.get("nanoOfSecond", 0))
        try:
            stamp = parse_epoch(float(str(seconds)) + float(str(nanos)) / 1e9)
        except ValueError:  # None, or no number
            stamp = None
    return stamp


# MongoDB's structured log (4.4+): {"t": {"$date": …}, "s": "E", "c": "STORAGE", "msg": …,
# "attr": {…}}: a one-letter severity (klog's four letters, and D1…D5 for debug), the
# component, and the details in "attr".


def _extended_json(obj: dict[str, Any]) -> tuple[datetime, Level | None, str | None] | None:
    """Time, severity and component of a record timed in extended JSON ({"$date": …})."""
    date = obj.get("t")
    date = date.get("$date") if isinstance(date, dict) else None
    if isinstance(date, dict):  # {"$numberLong": "1795391903123"}
        date = date.get("$numberLong")
        date = int(date) if isinstance(date, str) and date.isdigit() else None
    stamp = json_time(date) if date is not None else None
    if stamp is None:
        return None
    severity = obj.get("s")
    level = None
    if isinstance(severity, str) and severity:
        level = KLOG_LEVELS.get(severity, Level.DEBUG if severity[0] == "D" else None)
    component = obj.get("c")
    return stamp, level, component if isinstance(component, str) and component != "-" else None


# CloudTrail's records (as CloudTrail sends them to CloudWatch Logs) have no message field: the
# call is eventSource + eventName, and a failed call carries errorCode and errorMessage.


def _unsaid(obj: dict[str, Any]) -> bool:
    """Whether the record has no message field of its own."""
    return all(obj.get(key) is None for key in MESSAGE_KEYS)


def _cloudtrail(obj: dict[str, Any]) -> tuple[str, Level | None, str] | None:
    """Message, level and service of a CloudTrail record: `GetSecretValue AccessDenied: …`, as
    ERROR when the call failed, from the service the eventSource names."""
    if not _unsaid(obj):
        return None  # the record says what happened itself
    source, name = obj.get("eventSource"), obj.get("eventName")
    if not (isinstance(source, str) and source and isinstance(name, str) and name):
        return None
    code, detail = obj.get("errorCode"), obj.get("errorMessage")
    failed = [str(part) for part in (code, detail) if part not in (None, "")]
    message = f"{name} {': '.join(failed)}" if failed else name
    return message, Level.ERROR if failed else None, source.removesuffix(".amazonaws.com")


# Where an HTTP access record states the response's status: pino-http's res.statusCode, ECS's
# http.response.status_code, Cloud Logging's httpRequest.status, zap's and others' own keys.
_STATUS_PATHS = (
    ("status",), ("statusCode",), ("status_code",), ("res", "statusCode"),
    ("response", "status"), ("response", "statusCode"), ("http", "status_code"),
    ("http", "response", "status_code"), ("httpRequest", "status"),
)  # fmt: skip


def _http_status(obj: dict[str, Any]) -> int | None:
    """The HTTP status an access record states, if any (100-599)."""
    for path in _STATUS_PATHS:
        value: Any = obj
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
            return value
    return None


def _frame(frame: object) -> str:
    """A stack frame as its language prints it: log4j2's {"class", "method", "file", "line"}
    as a JVM frame."""
    if isinstance(frame, dict) and "class" in frame and "method" in frame:
        return f"\tat {frame['class']}.{frame['method']}({frame.get('file')}:{frame.get('line')})"
    return str(frame)


def json_exception(obj: dict[str, Any]) -> str | None:
    for key in EXC_KEYS:
        value = obj.get(key)
        if value is None or value is False or value is True or value == "":
            continue
        if isinstance(value, str):
            return value.rstrip("\n")
        if isinstance(value, list):
            return "".join(str(item) for item in value).rstrip("\n")
        if isinstance(value, dict):
            message = value.get("message") or value.get("msg")
            kind = value.get("type") or value.get("name") or value.get("class")
            stack = (
                value.get("stack")
                or value.get("stack_trace")
                or value.get("stacktrace")
                or value.get("extendedStackTrace")  # log4j2's "thrown"
            )
            head = f"{kind}: {message}" if kind and message else str(message or kind or "")
            if isinstance(stack, list):
                stack = "\n".join(_frame(frame) for frame in stack)
            if isinstance(stack, str) and stack:
                # JavaScript stacks begin with "Error: message" already.
                return stack if not head or head in stack else f"{head}\n{stack}"
            return head or json.dumps(value, ensure_ascii=False, default=str)
        return json.dumps(value, ensure_ascii=False, default=str)
    return None


def json_service(obj: dict[str, Any]) -> str | None:
    """The service or logger a record names, when it names one."""
    for key in SERVICE_KEYS:
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict) and isinstance(value.get("name"), str):  # ECS service.name
            return str(value["name"])
    for meta in (obj.get("kubernetes"), obj.get("k8s"), obj):
        if not isinstance(meta, dict):
            continue
        for key in CONTAINER_KEYS:
            value = meta.get(key)
            if isinstance(value, dict):  # ECS container.name
                value = value.get("name")
            if isinstance(value, str) and value:
                return _POD_SUFFIX.sub("", value) if key.startswith("pod") else value
    return None


def _shaped(
    obj: dict[str, Any], timestamp: datetime | None, message: str
) -> tuple[datetime | None, Level | None, str | None, str]:
    """Time, level, service and message of the records whose shape says more than the
    common keys do (MongoDB's, CloudTrail's); else the time and message as they were."""
    level: Level | None = None
    service: str | None = None
    if timestamp is None and (extended := _extended_json(obj)) is not None:
        timestamp, level, service = extended
        if isinstance(attr := obj.get("attr"), dict) and attr:  # the details are there
            message = f"{message} {json.dumps(attr, ensure_ascii=False, default=str)}"
    if (trail := _cloudtrail(obj)) is not None:
        message, level, service = trail
    elif isinstance(fields := obj.get("fields"), dict) and _unsaid(obj):
        # Rust's tracing: {"fields": {"message": …, "error": …}, "target": "crate::module"}
        said = fields.get("message")
        message = str(said) if said is not None else ""
        if (error := fields.get("error")) is not None:
            message = f"{message}: {error}" if message else str(error)
        target = obj.get("target")
        service = target if isinstance(target, str) and target else None
    return timestamp, level, service, message


def json_event(
    number: int, text: str, head_of: Callable[[str], Head], floor: Level | None = None
) -> OpenEvent | None:
    """The event a JSON object line opens, or None when the line is no JSON object.
    `head_of` reads a text head, for records that wrap a text line. `floor` raises a level
    read from the words, never one the record states (as for a text line)."""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None
    if not isinstance(obj, dict):
        return None
    level = level_from_json(obj, LEVEL_KEYS)
    timestamp = next(
        (stamp for key in TS_KEYS if key in obj if (stamp := json_time(obj[key]))), None
    )
    exception = json_exception(obj)
    timestamp, stated, service, message = _shaped(obj, timestamp, json_message(obj))
    level = level if level is not None else stated
    if not message and exception:
        message, exception = exception, None
    # "request completed" says nothing of how: the status a record states is part of what
    # happened (a 502 and a 200 are different events), unless the message already says it
    if (status := _http_status(obj)) is not None and str(status) not in message:
        message = f"{message} status={status}"
    if level is None or timestamp is None:
        # A wrapped text line (Docker's {"log": "..."}): its own head may carry both.
        head = head_of(message)
        timestamp = timestamp if timestamp is not None else head.timestamp
        level = level if level is not None else head.level
        if head.fitted or head.timestamp is not None or head.level is not None:
            message = head.message or message
        if level is None:
            level = at_least(text_level(message), floor)
    pending = OpenEvent.opening(number, message, level, timestamp, service or json_service(obj))
    if exception:
        for line in exception.split("\n"):
            if line.strip():
                pending.mark(line)
            pending.lines.append(line)
    return pending

"""JSON log records: the event one opens, with its exception, service and HTTP status."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from .head_model import Head
from .head_tokens import SERVICE_KEYS
from .json_keys import EXC_KEYS, LEVEL_KEYS, MESSAGE_KEYS, json_message, record_time
from .json_shapes import shaped
from .kernel import without_printk_time
from .levels import at_least, level_from_json
from .pending import OpenEvent
from .service_names import file_service, unit_service
from .textlog import text_level
from .types import Level

# Log shippers (Fluent Bit, Fluentd, Vector) name the container and pod the line came from.
# What a wrapped line's head opens with: a date or a bracket ("[2026-06-14 09:17:42]")
_HEAD_STARTS = frozenset("0123456789[")
CONTAINER_KEYS = ("container_name", "container", "pod_name", "pod")
# A Deployment's pod is "<name>-<replicaset hash>-<5 chars>", a StatefulSet's "<name>-<n>".
_POD_SUFFIX = re.compile(r"(?:-[a-z0-9]{6,10})?-[a-z0-9]{5}$|-\d+$")
# Every other field is ignored, unless the record has no message field (see `json_message`).


# Where an HTTP access record states the response's status: pino-http's res.statusCode, ECS's
# http.response.status_code, Cloud Logging's httpRequest.status, zap's and others' own keys.
_STATUS_PATHS = (
    ("status",), ("statusCode",), ("status_code",), ("res", "statusCode"),
    ("response", "status"), ("response", "statusCode"), ("http", "status_code"),
    ("http", "response", "status_code"), ("httpRequest", "status"),
)  # fmt: skip


# an envelope's time this far from its message head's: the head's year was guessed wrong
_DAY = timedelta(days=1)


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


# Where loggers nest a record's fields, the error among them: lager's (Cloud Foundry,
# Concourse) "data", Monolog's "context", and others' "extra", "meta", "details" (Rust
# tracing's "fields" are read as its message, json_shapes)
_NESTS = ("data", "context", "extra", "meta", "details")


def json_exception(obj: dict[str, Any]) -> str | None:
    found = _exception(obj)
    if found is None:
        for key in _NESTS:
            if isinstance(nested := obj.get(key), dict) and (found := _exception(nested)):
                return found
    return found


def _exception(obj: dict[str, Any]) -> str | None:
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
                return _stacked(head, stack)
            return head or json.dumps(value, ensure_ascii=False, default=str)
        return json.dumps(value, ensure_ascii=False, default=str)
    return _ecs_exception(obj)


def _ecs_exception(obj: dict[str, Any]) -> str | None:
    """An exception as the Elastic Common Schema writes it, in flat dotted keys (Elasticsearch's
    own logs, ecs-logging for Java, .NET, Node and Python): "error.stack_trace", else
    "error.type" and "error.message"."""
    stack = obj.get("error.stack_trace")
    kind, message = obj.get("error.type"), obj.get("error.message")
    head = ": ".join(str(part) for part in (kind, message) if isinstance(part, str) and part)
    if isinstance(stack, str) and stack.strip():
        return _stacked(head, stack.rstrip("\n"))
    return head or None


def _stacked(head: str, stack: str) -> str:
    """An exception's stack under its head line, unless the stack opens with it already
    (JavaScript's begins with "Error: message")."""
    return stack if not head or head in stack else f"{head}\n{stack}"


def _named(obj: dict[str, Any]) -> str | None:
    for key in SERVICE_KEYS:
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict) and isinstance(value.get("name"), str):  # ECS service.name
            return str(value["name"])
    return None


def json_service(obj: dict[str, Any]) -> str | None:
    """The service or logger a record names, when it names one: by its own keys, a
    shipper's custom fields (Filebeat's and Logstash's "fields"), a CloudWatch export's log
    group, the container a shipper names, or the file a shipper read it from."""
    fields = obj.get("fields")
    if (named := _named(obj)) or (isinstance(fields, dict) and (named := _named(fields))):
        return named
    if isinstance(group := obj.get("@log"), str) and "/" in group:
        # a CloudWatch Logs Insights export: "<account>:/ecs/notify-worker"
        return group.rstrip("/").rsplit("/", 1)[-1] or None
    # a shipper's Kubernetes metadata, a Cloud Logging entry's resource labels, the record
    for meta in (obj.get("kubernetes"), obj.get("k8s"), _field(obj, "resource", "labels"), obj):
        if not isinstance(meta, dict):
            continue
        for key in CONTAINER_KEYS:
            value = meta.get(key)
            if isinstance(value, dict):  # ECS container.name
                value = value.get("name")
            if isinstance(value, str) and value:
                return _POD_SUFFIX.sub("", value) if key.startswith("pod") else value
    # ECS as Filebeat fills it: the file it read (log.file.path), or journald's unit and process
    if isinstance(path := _field(obj, "log", "file", "path"), str) and path:
        return file_service(path)
    if isinstance(unit := _field(obj, "systemd", "unit"), str) and unit:
        return unit_service(unit)
    process = _field(obj, "process", "name")
    return process if isinstance(process, str) and process else None


def _field(obj: dict[str, Any], *path: str) -> object:
    value: object = obj
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def json_record(text: str) -> dict[str, Any] | None:
    """The JSON object a line holds, if any: alone, or as an element of a JSON array written
    a record per line (its comma after it)."""
    try:
        obj = json.loads(text[:-1] if text.endswith(",") else text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None
    return obj if isinstance(obj, dict) else None


def json_event(
    number: int,
    text: str,
    head_of: Callable[[str], Head],
    floor: Level | None = None,
    *,
    nested: bool = False,
) -> OpenEvent | None:
    """The event a JSON object line opens, or None when the line is no JSON object.
    `head_of` reads a text head, for records that wrap a text line. `floor` raises a level
    read from the words, never one the record states (as for a text line). A record whose
    message is itself a JSON record (a CloudWatch Logs Insights export of an app's JSON) is
    read as that record, the outer one's time and service standing for those it lacks."""
    obj = json_record(text)
    return None if obj is None else record_event(number, obj, head_of, floor, nested=nested)


def record_event(
    number: int,
    obj: dict[str, Any],
    head_of: Callable[[str], Head],
    floor: Level | None,
    *,
    nested: bool = False,
) -> OpenEvent:
    """The event a parsed JSON record opens (see `json_event`)."""
    level = level_from_json(obj, LEVEL_KEYS)
    timestamp = record_time(obj)
    exception = json_exception(obj)
    timestamp, stated, service, message, stated_floor = shaped(obj, timestamp, json_message(obj))
    floor = at_least(stated_floor, floor)
    level = level if level is not None else stated
    if not nested and (inner := _inner(obj)) is not None:
        pending = record_event(number, inner, head_of, floor, nested=True)
        # the app's record says what it says; the envelope stands for what it does not
        if level_from_json(inner, LEVEL_KEYS) is None and level is not None:
            pending.level = level
        # ... and its time stands for one read off the inner message's head that is more than
        # a day away (a klog line's names no year, and was placed in the wrong one) where the
        # app's record states none of its own; a head's time near it is the app's, and finer
        own = pending.timestamp
        if own is None or (
            timestamp is not None and abs(own - timestamp) > _DAY and record_time(inner) is None
        ):
            pending.timestamp = timestamp
        pending.service = pending.service or service or json_service(obj)
        _add_exception(pending, exception)
        return pending
    if not message and exception:
        message, exception = exception, None
    if message[:1] == "[":  # a kernel line a shipper forwarded: its printk time is no message
        message = without_printk_time(message)
    # "request completed" says nothing of how: the status a record states is part of what
    # happened (a 502 and a 200 are different events), unless the message already says it
    if (status := _http_status(obj)) is not None and str(status) not in message:
        message = f"{message} status={status}"
    # A wrapped text line (Docker's {"log": "..."}): its own head may carry time and level. A
    # record that states both may still wrap a line that opens with a head of its own (an
    # export of a server's lines): there a head with a time is read off, its time the record's.
    # A level the line's head names is the writer's own, where the record's is often only its
    # stream's (Python logs INFO on stderr, which a shipper calls an error).
    given = level is not None and timestamp is not None
    if not given or (message and message[0] in _HEAD_STARTS):
        head = head_of(message)
        if not given or (head.timestamp is not None and head.message.strip()):
            timestamp = timestamp if timestamp is not None else head.timestamp
            if head.level is not None and (level is None or head.timestamp is not None):
                level = head.level  # ("Warning: …" alone, with no time, is a message's)
            if head.fitted or head.timestamp is not None or head.level is not None:
                message = head.message or message
        if level is None and (level := text_level(message)) is not None:
            level = at_least(level, floor)
    pending = OpenEvent.opening(number, message, level, timestamp, service or json_service(obj))
    pending.floor = floor
    _add_exception(pending, exception)
    return pending


def _add_exception(pending: OpenEvent, exception: str | None) -> None:
    if not exception:
        return
    for line in exception.split("\n"):
        if line.strip():
            pending.mark(line)
        pending.lines.append(line)


def _inner(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON record a record's message holds (an app's JSON line in a CloudWatch Logs
    Insights export, or handed to a logger as a string; a Cloud Logging entry's
    `jsonPayload`), when it holds one that says something."""
    payload = obj.get("jsonPayload")  # Google Cloud Logging's LogEntry
    if isinstance(payload, dict) and json_message(payload):
        return payload
    said = next((obj[key] for key in MESSAGE_KEYS if key in obj), None)
    if not isinstance(said, str) or said[:1] != "{" or said.rstrip()[-1:] != "}":
        return None
    inner = json_record(said.rstrip())
    return inner if inner and json_message(inner) else None

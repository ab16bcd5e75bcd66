"""JSON records that wrap one line a program wrote: journald's export (`journalctl -o json`),
Docker's json-file log, a shipper's record of a container's line (Fluent Bit, Fluentd), and a
GELF message of one line (Graylog's: `short_message`, its extra fields named `_…`).

Such a record is a line, not an event: a traceback arrives as one record per line. The parser
reads the line it wraps as its writer's own (one process, or one container's stream), so the
frames join their exception as they do in a text log, and the record's time, priority and
names stand in for a head.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

from .json_keys import EXC_KEYS, LEVEL_KEYS, MESSAGE_KEYS, TS_KEYS, json_time
from .json_shapes import journald
from .jsonlog import json_record, json_service
from .levels import severity_floor
from .types import Level

# Docker's json-file driver cuts a longer line into records of 16 KiB; all but the last lack
# the newline that ends a line.
DOCKER_SPLIT = 16 * 1024
# Docker's json-file driver writes these keys and no others
_DOCKER_KEYS = frozenset({"log", "stream", "time", "attrs"})
# What tells one replica of a container from another, as shippers name them
_IDENTITY_KEYS = (
    "host", "hostname", "namespace_name", "pod_name", "pod_id", "container_id", "docker_id",
)  # fmt: skip
_OTHER_MESSAGE_KEYS = tuple(key for key in MESSAGE_KEYS if key != "log")
_GELF = '"short_message"'
# journald's names for who wrote a record (see json_shapes), with the host and process
_JOURNALD_WRITER = ("_HOSTNAME", "CONTAINER_NAME", "SYSLOG_IDENTIFIER", "_COMM", "_PID")


class Wrapped(NamedTuple):
    writer: str  # one process, or one container's stream: its lines are read in sequence
    service: str | None
    text: str  # the line it wraps
    stamp: datetime | None
    floor: Level | None  # at least this level (journald's priority)
    partial: bool  # the rest of the line is the writer's next record


def wrapped_line(text: str) -> Wrapped | None:
    """The line a JSON record wraps, or None when the record is an event of its own (an app's
    structured record: it states a level, an exception or a message of its own) or holds a
    message of several lines."""
    if '"log"' not in text and '"__REALTIME_TIMESTAMP"' not in text and _GELF not in text:
        return None  # no such key is in its text: no record to parse
    obj = json_record(text)
    if obj is None:
        return None
    if "__REALTIME_TIMESTAMP" in obj:
        found = _journald(obj)
    else:
        found = _gelf(obj) if "short_message" in obj else _shipped(obj)
    if found is None or "\n" in found.text:
        return None
    return found


def _journald(obj: dict[str, Any]) -> Wrapped | None:
    record = journald(obj)
    if record is None:
        return None
    writer = "\x00".join(str(obj.get(key, "")) for key in _JOURNALD_WRITER)
    return Wrapped(writer, record.service, record.message, record.timestamp, record.floor, False)


def _shipped(obj: dict[str, Any]) -> Wrapped | None:
    """Docker's {"log": "…\\n", "stream": "stderr", "time": …}, as the json-file driver writes
    it or a shipper forwards it (with the container's names beside it)."""
    line = obj.get("log")
    if not isinstance(line, str) or any(
        obj.get(key) is not None for key in (*_OTHER_MESSAGE_KEYS, *LEVEL_KEYS, *EXC_KEYS)
    ):
        return None
    stamp = next((found for key in TS_KEYS if key in obj if (found := json_time(obj[key]))), None)
    service = json_service(obj)
    stream = obj.get("stream", obj.get("source"))
    # CRI's partial-line flag as a shipper keeps it ("_p": "P"); without one, Docker's 16 KiB
    # cut, where the json-file driver's own record (its newline kept) lacks the newline
    if "_p" in obj:
        partial = obj["_p"] == "P"
    else:
        partial = (
            obj.keys() <= _DOCKER_KEYS
            and not line.endswith("\n")
            and len(line.encode()) >= DOCKER_SPLIT
        )
    text = line.rstrip("\r\n")
    # one writer: one container's stream, told apart from its replicas by what names them
    who = "\x00".join(str(found) for found in _identity(obj))
    return Wrapped(f"{service}\x00{stream}\x00{who}", service, text, stamp, None, partial)


def _gelf(obj: dict[str, Any]) -> Wrapped | None:
    """A GELF message: {"version": "1.1", "host": …, "short_message": …, "timestamp": <epoch>,
    "level": <syslog severity>, "_container_name": …}; one with a `full_message` of several
    lines (a whole traceback) is an event of its own."""
    line = obj.get("short_message")
    full = obj.get("full_message")
    if (
        not isinstance(line, str)
        or "version" not in obj
        or (isinstance(full, str) and "\n" in full)
    ):
        return None
    extra = {key[1:]: value for key, value in obj.items() if key[:1] == "_" and key != "_id"}
    service = json_service(extra)
    stamp = json_time(obj["timestamp"]) if "timestamp" in obj else None
    level = obj.get("level")
    floor = (
        severity_floor(level) if isinstance(level, int) and not isinstance(level, bool) else None
    )
    who = "\x00".join(str(name) for name in _identity(extra))
    writer = f"{service}\x00{extra.get('stream')}\x00{obj.get('host')}\x00{who}"
    return Wrapped(writer, service, line.rstrip("\r\n"), stamp, floor, False)


def _identity(obj: dict[str, Any]) -> Iterator[object]:
    for meta in (obj, obj.get("kubernetes"), obj.get("docker")):
        if isinstance(meta, dict):
            yield from (meta[key] for key in _IDENTITY_KEYS if key in meta)

"""The keys JSON log records keep their message, level, time and exception under, and the
record's message and time read from them."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from .timestamps import parse_epoch, parse_timestamp

# Besides the common keys: .NET's JSON console ("Timestamp", "LogLevel", "Category",
# "Message", "Exception"), Serilog's compact JSON ("@t", "@l", "@m" or its template "@mt",
# "@x"), log4j2's JsonLayout ("instant", "loggerName", "thrown") and GELF ("short_message").
MESSAGE_KEYS = (
    "message", "msg", "log", "@message", "textPayload", "event", "Message", "@m", "@mt",
    "short_message", "MESSAGE",
)  # fmt: skip
LEVEL_KEYS = (
    "level", "severity", "levelname", "lvl", "log.level", "loglevel", "LogLevel", "@l", "@level",
)  # fmt: skip
# eventTime: CloudTrail's records, as CloudTrail sends them to CloudWatch Logs
TS_KEYS = (
    "timestamp", "ts", "time", "@timestamp", "asctime", "datetime", "eventTime", "Timestamp",
    "@t", "instant",
)  # fmt: skip
EXC_KEYS = (
    "exception", "exc_info", "stack", "stack_trace", "stacktrace", "error", "err", "Exception",
    "@x", "thrown",
)  # fmt: skip


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


def record_time(obj: dict[str, Any]) -> datetime | None:
    """The time a JSON record states under one of `TS_KEYS`, if any."""
    return next((stamp for key in TS_KEYS if key in obj if (stamp := json_time(obj[key]))), None)


_ZONE_AT_END = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def record_stamp(obj: dict[str, Any]) -> tuple[datetime, bool] | None:
    """The time a JSON record states, and whether it names its zone (an epoch is UTC's)."""
    for key in TS_KEYS:
        if key in obj and (stamp := json_time(value := obj[key])) is not None:
            return stamp, not isinstance(value, str) or bool(_ZONE_AT_END.search(value.strip()))
    return None

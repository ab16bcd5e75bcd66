"""JSON records whose shape says more than the common keys do: MongoDB's, CloudTrail's, AWS
WAF's, Rust tracing's, journald's export."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NamedTuple

from .head_words import KLOG_LEVELS
from .json_keys import MESSAGE_KEYS, json_time
from .levels import severity_floor
from .service_names import unit_service
from .types import Level

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


# AWS WAF's records (as WAF sends them to CloudWatch Logs, `aws-waf-logs-*`) have no message
# field either: what happened is the action a rule took on a request. A block is the client's
# 403 (WAF's default answer); a rate-based rule's block is a rate limit.


def _waf(obj: dict[str, Any]) -> tuple[str, Level | None, str] | None:
    """Message, level and web ACL of an AWS WAF record: `WAF BLOCK GET /v1/cart from
    203.0.113.7 by RATE_BASED rule api-rate-limit-per-ip`, a warning when it blocked."""
    action, acl, request = obj.get("action"), obj.get("webaclId"), obj.get("httpRequest")
    if not (isinstance(action, str) and isinstance(acl, str) and isinstance(request, dict)):
        return None
    if not _unsaid(obj):
        return None
    said = [f"WAF {action}"]
    said += [str(request[key]) for key in ("httpMethod", "uri") if request.get(key)]
    if request.get("clientIp"):
        said.append(f"from {request['clientIp']}")
    rule, kind = obj.get("terminatingRuleId"), obj.get("terminatingRuleType")
    if rule:
        said.append(f"by {kind} rule {rule}" if kind else f"by rule {rule}")
    blocked = action.upper() == "BLOCK"
    # wafv2's ARN ends ".../webacl/<name>/<id>"; WAF Classic's id is a bare UUID
    name = acl.split("/")[-2] if acl.count("/") >= 2 else "waf"
    return " ".join(said), Level.WARNING if blocked else Level.INFO, name


class Shaped(NamedTuple):
    timestamp: datetime | None
    level: Level | None  # the level the record states
    service: str | None
    message: str
    floor: Level | None = None  # at least this level (journald's priority, when warning or worse)


# journald's export (`journalctl -o json`): the time in microseconds as a string, the message,
# the priority (a syslog severity) and who wrote it, each under journald's own field name
# (Docker's journald driver names the container; its SYSLOG_IDENTIFIER is the container's id).
_JOURNALD_NAMES = ("CONTAINER_NAME", "SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT", "_COMM")


def journald(obj: dict[str, Any]) -> Shaped | None:
    """A record of journald's export, or None for any other."""
    stamp = obj.get("__REALTIME_TIMESTAMP")
    said = obj.get("MESSAGE")
    if not isinstance(stamp, str) or said is None:
        return None
    if isinstance(said, list):  # a message that is no UTF-8 comes as its bytes
        said = bytes(b for b in said if isinstance(b, int) and 0 <= b < 256).decode(
            "utf-8", "replace"
        )
    name = next((obj[key] for key in _JOURNALD_NAMES if isinstance(obj.get(key), str)), None)
    priority = obj.get("PRIORITY")
    floor = (
        severity_floor(int(priority)) if isinstance(priority, str) and priority.isdigit() else None
    )
    return Shaped(
        json_time(stamp),
        None,
        unit_service(name) if name else None,
        str(said).rstrip("\r\n"),
        floor,
    )


def shaped(obj: dict[str, Any], timestamp: datetime | None, message: str) -> Shaped:
    """Time, level, service and message of the records whose shape says more than the
    common keys do (MongoDB's, CloudTrail's, Rust tracing's, journald's); else the time and
    message as they were."""
    level: Level | None = None
    service: str | None = None
    if timestamp is None and (journal := journald(obj)) is not None:
        return journal
    if timestamp is None and (extended := _extended_json(obj)) is not None:
        timestamp, level, service = extended
        if isinstance(attr := obj.get("attr"), dict) and attr:  # the details are there
            message = f"{message} {json.dumps(attr, ensure_ascii=False, default=str)}"
    if (trail := _cloudtrail(obj) or _waf(obj)) is not None:
        message, level, service = trail
    elif isinstance(fields := obj.get("fields"), dict) and _unsaid(obj):
        # Rust's tracing: {"fields": {"message": …, "error": …}, "target": "crate::module"}
        said = fields.get("message")
        message = str(said) if said is not None else ""
        if (error := fields.get("error")) is not None:
            message = f"{message}: {error}" if message else str(error)
        target = obj.get("target")
        service = target if isinstance(target, str) and target else None
    return Shaped(timestamp, level, service, message)

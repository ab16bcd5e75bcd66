"""Windows events printed as XML, one per line (`wevtutil qe /f:xml`, PowerShell's
`Get-WinEvent | ForEach-Object { $_.ToXml() }`), read as the record they are: the time is
`TimeCreated/@SystemTime` (UTC), the level `System/Level`, the service the event's provider,
the message the rendered one when the export carries it (`/f:RenderedXml`), else the event's
data. Read as text, the time sits deep inside the line and no head is found."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, fromstring

# System/Level: 1 critical, 2 error, 3 warning, 4 information, 5 verbose; 0 is "log always"
_LEVELS = {"1": "critical", "2": "error", "3": "warning", "4": "info", "0": "info", "5": "debug"}
# Security log audits carry level 0 and say failure in their keywords (0x0010000000000000)
_AUDIT_FAILURE = 0x0010000000000000


def may_be_event(text: str) -> bool:
    """Whether a stripped line has an event's shape (`event_record` may still refuse it)."""
    return text.startswith("<Event") and text.endswith("</Event>")


def event_record(text: str) -> dict[str, Any] | None:
    """The record a line's `<Event>…</Event>` element holds, with the keys JSON records use
    (timestamp, level, logger, message, stack_trace), or None when the line holds none."""
    if not may_be_event(text):
        return None
    # No DOCTYPE, so no entity can be declared: the entity-expansion attacks defusedxml
    # guards against need one, and ElementTree fetches nothing external.
    if "<!" in text:
        return None
    try:
        root = fromstring(text)  # noqa: S314 (see above)
    except (ParseError, UnicodeError, ValueError):  # (a lone surrogate cannot be encoded)
        return None
    system = _child(root, "System")
    if _local(root.tag) != "Event" or system is None:
        return None
    record: dict[str, Any] = {}
    if (created := _child(system, "TimeCreated")) is not None and created.get("SystemTime"):
        record["timestamp"] = created.get("SystemTime")
    level = _LEVELS.get(_text(_child(system, "Level")))
    if level == "info" and _audit_failure(_text(_child(system, "Keywords"))):
        level = "warning"
    if level is not None:
        record["level"] = level
    if (provider := _child(system, "Provider")) is not None and provider.get("Name"):
        record["logger"] = provider.get("Name")
    said = _rendered(root) or _data(root)
    event_id = _text(_child(system, "EventID"))
    if not (said or event_id):
        return None  # it says nothing: the line is its own message
    message = f"{event_id}: {said}" if event_id and said else said or event_id
    first, _, rest = message.replace("\r\n", "\n").partition("\n")
    record["message"] = first.rstrip()
    if rest.strip():
        record["stack_trace"] = rest.rstrip()
    return record


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _audit_failure(keywords: str) -> bool:
    try:
        return bool(int(keywords, 16) & _AUDIT_FAILURE)
    except ValueError:
        return False


def _rendered(root: Element) -> str:
    info = _child(root, "RenderingInfo")
    return _text(_child(info, "Message")) if info is not None else ""


def _data(root: Element) -> str:
    """The event's data, `Name=value` where the data is named (EventData, or UserData's one
    element), in order; empty values left out."""
    holder = _child(root, "EventData")
    if holder is None and (user := _child(root, "UserData")) is not None and len(user):
        holder = user[0]
    if holder is None:
        return ""
    parts = []
    for item in holder:
        value = (item.text or "").strip()
        if not value:
            continue
        name = item.get("Name") or (_local(item.tag) if _local(item.tag) != "Data" else "")
        parts.append(f"{name}={_quoted(value)}" if name else value)
    return " ".join(parts)


def _quoted(value: str) -> str:
    """A value with a space or a quote in quotes: the redactor takes a bare value to its first
    space, so `Password=correct horse` would keep "horse"; quoted, the whole value goes. Its
    lines joined: a quoted value ends on its line."""
    if not any(char.isspace() or char in "\"'" for char in value):
        return value
    value = " ".join(line.strip() for line in value.splitlines())
    escaped = value.replace('"', '\\"')  # backslashes stay: Windows paths read as written
    return f'"{escaped}"'

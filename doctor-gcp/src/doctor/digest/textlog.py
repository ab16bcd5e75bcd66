"""Plain-text log lines: the leading timestamp and the level word, in the common formats."""

from __future__ import annotations

import re
from datetime import datetime

from .timestamps import parse_timestamp
from .types import Level

# A leading timestamp: ISO-8601 (also postgres "... UTC"), nginx/Go "2026/11/22 23:58:23",
# syslog "Nov 22 23:58:23", klog "E1122 23:58:23.123456" (its letter is the level).
HEADER = re.compile(
    r"\[?(?:"
    r"(?P<iso>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?"
    r"(?: ?(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT))?)"
    r"|(?P<slash>\d{4}/\d{2}/\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?)"
    r"|(?P<syslog>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" {1,2}\d{1,2} \d{2}:\d{2}:\d{2})"
    r"|(?P<klog>[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+)"
    r")\]?(?=[\s:|,\]-]|$)"
)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_KLOG_LEVELS = {"I": Level.INFO, "W": Level.WARNING, "E": Level.ERROR, "F": Level.CRITICAL}

# A level token near the start of a text line: upper-case names anywhere in the head, other
# spellings only where they are plainly a level (nginx "[error]", logfmt "level=warn", "error:").
_TEXT_LEVEL = re.compile(
    r"(?<![\w./-])(?P<up>TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|ERR|SEVERE|FATAL|PANIC|"
    r"CRITICAL|CRIT|ALERT|EMERGENCY|EMERG|LOG)"
    r"(?![\w/-])"
    r"|(?:\blevel=\"?|\[|^)(?P<low>(?i:trace|debug|info|notice|warning|warn|error|err|fatal|"
    r"panic|critical|crit|alert|emerg))(?=[\]\s:\",]|$)"
)
_LEVEL_HEAD_CHARS = 120


def header_time(header: re.Match[str], year: int) -> tuple[datetime | None, Level | None, bool]:
    """(time, level, whether the stamp had a year) of a `HEADER` match.

    syslog and klog stamps have no year: `year` is used, the caller's latest known one.
    """
    iso = header.group("iso")
    if iso is not None:
        return parse_timestamp(iso), None, True
    if (slash := header.group("slash")) is not None:
        return parse_timestamp(slash.replace("/", "-")), None, True
    if (syslog := header.group("syslog")) is not None:
        month, day, clock = syslog.split()
        stamp = parse_timestamp(f"{year}-{_MONTHS[month]:02d}-{int(day):02d}T{clock}")
        return stamp, None, False
    klog = header.group("klog")
    letter, mmdd, clock = klog[0], klog[1:5], klog[6:]
    return parse_timestamp(f"{year}-{mmdd[:2]}-{mmdd[2:]}T{clock}"), _KLOG_LEVELS[letter], False


def level_token(text: str) -> str | None:
    match = _TEXT_LEVEL.search(text, 0, _LEVEL_HEAD_CHARS)
    if match is None:
        return None
    return match.group("up") or match.group("low")

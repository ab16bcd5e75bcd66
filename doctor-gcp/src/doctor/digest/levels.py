"""Severity normalisation: every logger's spelling of a level mapped onto `Level`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .anatomy import CRASH_MARKERS
from .literals import any_of
from .types import Level

_NAMES: dict[str, Level] = {
    "trace": Level.TRACE,
    "finest": Level.TRACE,
    "finer": Level.TRACE,
    "debug": Level.DEBUG,
    "fine": Level.DEBUG,
    "config": Level.DEBUG,
    "info": Level.INFO,
    "information": Level.INFO,
    "informational": Level.INFO,
    "notice": Level.INFO,
    "note": Level.INFO,  # MySQL's "[Note]"
    "log": Level.INFO,  # PostgreSQL's ordinary server messages
    "detail": Level.INFO,
    "hint": Level.INFO,
    "statement": Level.INFO,
    "context": Level.INFO,
    "query": Level.INFO,
    "location": Level.INFO,
    "warn": Level.WARNING,
    "warning": Level.WARNING,
    "err": Level.ERROR,
    "error": Level.ERROR,
    "severe": Level.ERROR,
    "fatal": Level.CRITICAL,
    "panic": Level.CRITICAL,
    "crit": Level.CRITICAL,
    "critical": Level.CRITICAL,
    "alert": Level.CRITICAL,
    "emerg": Level.CRITICAL,
    "emergency": Level.CRITICAL,
    # Serilog's and .NET's three-letter forms ("[INF]", "[WRN]"), read as a head's level
    "vrb": Level.TRACE,
    "dbg": Level.DEBUG,
    "inf": Level.INFO,
    "wrn": Level.WARNING,
    "ftl": Level.CRITICAL,
    # Microsoft.Extensions.Logging's console ("fail: Category[0]"), read only as "name:"
    "trce": Level.TRACE,
    "dbug": Level.DEBUG,
    "fail": Level.ERROR,
}
# Lowercase names that are a head's level when a colon ends them (.NET's "fail:", "dbug:")
COLON_LEVELS = frozenset({"trce", "dbug", "fail"})
# Names that are levels only where a head or a field says so: as a plain word ("inf", "log",
# "query") they are more likely the message's own.
_FIELD_ONLY = {
    "log", "query", "context", "statement", "config", "location", "vrb", "dbg", "inf", "wrn", "ftl",
    "note",
} | COLON_LEVELS  # fmt: skip

LEVEL_WORDS = frozenset(_NAMES) - _FIELD_ONLY
# Field-only names that are a level in a bracket as their logger writes it (MySQL's "[Note]"),
# where "[Config]" or "[Query]" name components
BRACKET_LEVELS = frozenset({"[Note]"})

# syslog / journald PRIORITY 0..7 (0 = emerg). pino's levels start at 10, so they never clash.
_SYSLOG = (Level.CRITICAL,) * 3 + (Level.ERROR, Level.WARNING, Level.INFO, Level.INFO, Level.DEBUG)


def at_least(level: Level | None, floor: Level | None) -> Level | None:
    """`level` raised to `floor` (a syslog severity a prefix gave the line), if any."""
    if floor is None:
        return level
    return floor if level is None else max(level, floor)


def level_from_name(name: str) -> Level | None:
    return _NAMES.get(name.strip().lower())


_PINO: tuple[tuple[int, Level], ...] = (
    (60, Level.CRITICAL),
    (50, Level.ERROR),
    (40, Level.WARNING),
    (30, Level.INFO),
    (20, Level.DEBUG),
    (10, Level.TRACE),
)


def severity_floor(severity: int) -> Level | None:
    """A syslog severity (0-7: syslog's priority, journald's, GELF's level) as the least level
    of its line, when warning or worse. Notice, info and debug are what most senders use for
    everything (docker's syslog driver sends all of stdout as info): they say less than the
    line's own words."""
    level = level_from_number(severity) if 0 <= severity <= 7 else None
    return level if level is not None and level >= Level.WARNING else None


def level_from_number(number: float) -> Level | None:
    """pino / bunyan numbers (10 trace .. 60 fatal) and syslog priorities (0 .. 7)."""
    if 0 <= number <= 7 and number == int(number):
        return _SYSLOG[int(number)]
    return next((level for floor, level in _PINO if number >= floor), None)


def level_from_value(value: object) -> Level | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return level_from_number(value)
    if isinstance(value, str):
        found = level_from_name(value)
        if found is None and value.strip().isdigit():
            return level_from_number(int(value))
        return found
    return None


def level_from_json(obj: dict[str, Any], keys: Iterable[str]) -> Level | None:
    for key in keys:
        if key in obj:
            found = level_from_value(obj[key])
            if found is not None:
                return found
    log = obj.get("log")
    if isinstance(log, dict):  # ECS: {"log": {"level": "error"}}
        return level_from_value(log.get("level"))
    return None


# What makes a level-less event an error: a crash (a traceback, a Go panic), an exception name,
# or the words kernels and init systems use when something died. Words, not substrings: "0
# errors" is fine.
_ERROR_MARKERS = re.compile(
    rf"{CRASH_MARKERS}|Exception\b|Error:|"
    r"\b(?:error|failed|failure|fatal|segfault|sigsegv|sigabrt|oom-kill(?:er)?|out of memory|"
    r"killed process|code=dumped|core[- ]dump(?:ed)?|no space left on device|timed out|"
    r"connection refused|permission denied|access denied)\b",
    re.IGNORECASE,
)


# Every marker holds one of these (lowered): a cheap test before the regex, which a
# case-insensitive alternation makes slow on long lines that hold none.
_MARKER_HINTS = any_of((
    "traceback", "panic", "fatal", "exception", "error", "fail", "segfault", "sigsegv",
    "sigabrt", "oom-kill", "out of memory", "killed process", "dumped", "core dump", "core-dump",
    "no space left", "timed out", "refused", "denied",
))  # fmt: skip


def infer_level(message: str) -> Level:
    """The level of an event that names none: ERROR when its text says so, else INFO."""
    if _MARKER_HINTS.search(message.lower()) is None:
        return Level.INFO
    return Level.ERROR if _ERROR_MARKERS.search(message) else Level.INFO

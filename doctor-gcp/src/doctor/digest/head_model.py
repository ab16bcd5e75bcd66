"""A head as one source's lines show it: typed columns and the one regex that reads them, and
what a line's head says (time, level, service) with its message."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from . import stamps
from .column_regex import pattern
from .columns import Column
from .head_tokens import SERVICE_KEYS
from .head_words import KLOG_LEVELS, LETTER_LEVELS
from .levels import LEVEL_WORDS, level_from_name
from .literals import any_of
from .service_names import service_name
from .types import Level

_T = TypeVar("_T")
# A logfmt record names its service by a key, as a JSON one does by a field; the first wins.
_SERVICE_KEY = re.compile(
    rf'(?:^|[ \t])(?:{"|".join(map(re.escape, SERVICE_KEYS))})=(?:"([^"\s]+)"|([^"\s]+))'
)
_KEPT = 4096  # stamps and service names remembered per model (per analysis, never shared)


@dataclass(slots=True)
class Head:
    """What a line's head says, and its message."""

    message: str
    timestamp: datetime | None = None
    level: Level | None = None
    service: str | None = None
    fitted: bool = True  # read by the source's learned columns (not on its own)
    dated: bool = True  # the time names its day (not a time of day alone, placed on today)
    zoned: bool = True  # the time names its zone (a naive one was read as UTC)


@dataclass
class HeaderModel:
    """A source's head, as columns and as the one regex that reads them."""

    columns: list[Column]
    now: datetime
    regex: re.Pattern[str] = field(init=False)
    alone: bool = False  # learned from one line, not from the source's first lines
    # The columns are a message's own words, its time last ("connection from <ip> at <time>"):
    # the time is the event's, the whole line its message.
    whole: bool = False

    def __post_init__(self) -> None:
        self.regex = re.compile(pattern(self.columns))
        self._keyed = any(column.key for column in self.columns)  # logfmt
        time = next((c for c in self.columns if c.role == "time"), None)
        self._time = stamps.BY_NAME[time.family] if time is not None else None
        self._order = time.order if time is not None else "ymd"
        self._tz = self._time is not None and "tz" in self._time.regex.groupindex
        self._dated = self._time is None or self._time.name != "clock"  # the same each line
        # Lines of one second share a stamp: it is converted once (a pure function of the
        # text, the family, the field order and `now`).
        self._stamps: dict[str, tuple[datetime | None, Level | None, bool]] = {}
        # a source has few services: each named once (with a level glued on, if any)
        self._services: dict[str, tuple[str, Level | None]] = {}

    def _convert(self, stamp: str) -> tuple[datetime | None, Level | None, bool]:
        """The time a stamp names, the level a klog stamp's letter names, and whether the
        stamp says its zone (an epoch is UTC's)."""
        family = self._time
        inner = family.match(stamp) if family is not None else None
        if family is None or inner is None:
            return None, None, False
        timestamp = stamps.convert(family, inner, now=self.now, order=self._order)
        klog = KLOG_LEVELS.get(inner.group("lvl")) if family.name == "klog" else None
        zoned = family.name == "epoch" or (self._tz and bool(inner.group("tz")))
        return timestamp, klog, zoned

    def read(self, line: str) -> Head | None:
        """The head of a line that fits the columns, else None."""
        match = self.regex.match(line)
        if match is None:
            return None
        groups = match.groupdict()
        level: Level | None = None
        if (word := groups.get("level")) is not None:
            level = LETTER_LEVELS.get(word) if len(word) == 1 else level_from_name(word)
            if level is None:
                return None  # not a level word here: this line has another head
        timestamp, zoned = None, False
        if self._time is not None and (stamp := groups.get("time")) is not None:
            # (a hit looked up here: no call of `_memo` per line)
            converted = self._stamps.get(stamp) or _memo(self._stamps, stamp, self._convert)
            timestamp, klog_level, zoned = converted
            if level is None:
                level = klog_level
        service = groups.get("service")
        if service:
            name, glued = self._services.get(service) or _memo(
                self._services, service, service_name
            )
            service = name or None
            if level is None:
                level = glued
        if level is None and names_a_level(match.group(0)):
            # Columns learned from other lines (a constant "healthcheck ok" read as two host
            # fields) would take this line's level word for a name and lose its level.
            return None
        dated = self._dated
        if self.whole:
            return Head(line, timestamp, level, dated=dated, zoned=zoned)
        message = line[match.end() :].lstrip(" \t")
        if service is None and self._keyed and (named := _SERVICE_KEY.search(message)):
            service = named.group(1) or named.group(2)
        return Head(message, timestamp, level, service, dated=dated, zoned=zoned)


def _memo(cache: dict[str, _T], key: str, compute: Callable[[str], _T]) -> _T:
    """`compute(key)`, remembered in `cache` (at most _KEPT entries: then it starts over)."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= _KEPT:
            cache.clear()
        value = cache[key] = compute(key)
    return value


_ANY_LEVEL_WORD = any_of(LEVEL_WORDS)  # in the lowered head: a cheap necessary condition


def names_a_level(head: str) -> bool:
    """Whether a head holds a level word written as one ("WARN", "[error]", "<warn>")."""
    if _ANY_LEVEL_WORD.search(head.lower()) is None:
        return False
    return any(
        plainly_a_level(word) and word.strip("[]<>:").lower() in LEVEL_WORDS
        for word in head.split()
    )


def plainly_a_level(word: str) -> bool:
    """ "ERROR", "[warn]", "error:" are levels; "debug interrupt ..." starts a sentence."""
    return word.isupper() or word[0] in "[<" or word.endswith(":")

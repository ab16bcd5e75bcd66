"""The head of a text line, learned per source: time, host, pid, level, service, then the message.

Every logger writes a head before its message, and no two agree: `081109 203615 148 INFO
dfs.DataNode$PacketResponder: ...`, `Jun 14 15:16:01 combo sshd(pam_unix)[19939]: ...`,
`[10.30 16:49:06] chrome.exe - ...`, `20171223-22:15:29:606|Step_LSC|30002312|...`. Nothing is
configured: a source's own lines say where its head ends.

`Heads.learn` cuts the first tokens of a sample of a source's lines into typed columns
(`columns`); the columns become one regex, so a line costs one match. A source may show several
formats (an aggregated stream, a patient's mixed output): one model per format. A line that fits
none is read on its own by the same rules (`read_alone`), and its format is remembered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from . import stamps
from .column_regex import pattern
from .columns import Column, anchored, cut
from .head_tokens import (
    BRACKET,
    COMPONENT,
    DATE,
    KLOG_LEVELS,
    LETTER,
    LETTER_LEVELS,
    LEVEL,
    LEVEL_KEYS,
    NUM,
    SEP,
    SERVICE_KEYS,
    TIME,
    TIME_KEYS,
    WORD,
    Token,
    tokenize,
)
from .levels import LEVEL_WORDS, level_from_name
from .literals import any_of
from .service_names import service_name
from .types import Level

MIN_SAMPLE = 4  # fewer lines than this teach nothing: each is read on its own
MAX_MODELS = 32  # formats one source may show
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


@dataclass
class HeaderModel:
    """A source's head, as columns and as the one regex that reads them."""

    columns: list[Column]
    now: datetime
    regex: re.Pattern[str] = field(init=False)
    alone: bool = False  # learned from one line, not from the source's first lines

    def __post_init__(self) -> None:
        self.regex = re.compile(pattern(self.columns))
        self._keyed = any(column.key for column in self.columns)  # logfmt
        time = next((c for c in self.columns if c.role == "time"), None)
        self._time = stamps.BY_NAME[time.family] if time is not None else None
        self._order = time.order if time is not None else "ymd"
        # Lines of one second share a stamp: it is converted once (a pure function of the
        # text, the family, the field order and `now`).
        self._stamps: dict[str, tuple[datetime | None, Level | None]] = {}
        # a source has few services: each named once (with a level glued on, if any)
        self._services: dict[str, tuple[str, Level | None]] = {}

    def _convert(self, stamp: str) -> tuple[datetime | None, Level | None]:
        """The time a stamp names, and the level a klog stamp's letter names."""
        family = self._time
        inner = family.match(stamp) if family is not None else None
        if family is None or inner is None:
            return None, None
        timestamp = stamps.convert(family, inner, now=self.now, order=self._order)
        klog = KLOG_LEVELS.get(inner.group("lvl")) if family.name == "klog" else None
        return timestamp, klog

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
        timestamp = None
        if self._time is not None and (stamp := groups.get("time")) is not None:
            timestamp, klog_level = _memo(self._stamps, stamp, self._convert)
            if level is None:
                level = klog_level
        service = groups.get("service")
        if service:
            name, glued = _memo(self._services, service, service_name)
            service = name or None
            if level is None:
                level = glued
        if level is None and _names_a_level(match.group(0)):
            # Columns learned from other lines (a constant "healthcheck ok" read as two host
            # fields) would take this line's level word for a name and lose its level.
            return None
        message = line[match.end() :].lstrip(" \t")
        if service is None and self._keyed and (named := _SERVICE_KEY.search(message)):
            service = named.group(1) or named.group(2)
        dated = self._time is None or self._time.name != "clock"
        return Head(message, timestamp, level, service, dated=dated)


def _memo(cache: dict[str, _T], key: str, compute: Callable[[str], _T]) -> _T:
    """`compute(key)`, remembered in `cache` (at most _KEPT entries: then it starts over)."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= _KEPT:
            cache.clear()
        value = cache[key] = compute(key)
    return value


def learn(lines: Sequence[str], now: datetime) -> HeaderModel | None:
    """The head all the lines share, or None when they share none (or are too few to tell)."""
    kept = [line for line in lines if line.strip()]
    return _model([tokenize(line, now) for line in kept], kept, now)


def _model(rows: list[list[Token]], lines: list[str], now: datetime) -> HeaderModel | None:
    if len(rows) < MIN_SAMPLE:
        return None
    columns = cut(rows, now)
    if not anchored(columns):
        return None
    model = HeaderModel(columns, now)
    if not _time_inside(columns):
        return model
    # Columns that take the whole of most lines, a time among their last, are one message's
    # words ("connection from <ip> (<host>) at <time>", a program's own line behind a syslog
    # head): a head leaves a message.
    read = [model.read(line) for line in lines]
    whole = sum(head is not None and not head.message.strip() for head in read)
    return None if 2 * whole > len(lines) else model


def _time_inside(columns: list[Column]) -> bool:
    """Whether a time comes after words of the line rather than opening its head (after a
    date or a level it still opens it)."""
    for at, column in enumerate(columns):
        if column.kind == TIME:
            return at > 0 and any(c.kind not in (DATE, LEVEL, LETTER) for c in columns[:at])
    return False


# Kinds that say what a head is made of; the others (words, separators) vary within a format.
_SHAPE_KINDS = frozenset({TIME, DATE, LEVEL, LETTER, NUM, BRACKET, COMPONENT})


def _shape(row: list[Token]) -> tuple[int, ...]:
    return tuple(t.kind if t.kind in _SHAPE_KINDS else WORD for t in row[:4])


def _patterns(models: list[HeaderModel]) -> set[str]:
    return {m.regex.pattern for m in models}


class Heads:
    """A source's heads: one model per format its first lines show (an aggregated or a
    patient's mixed stream has several), and the formats later lines teach one at a time.
    The model with most columns is tried first, so a line is read as fully as it can be."""

    def __init__(self, models: list[HeaderModel], now: datetime) -> None:
        self.models = sorted(models, key=lambda m: -len(m.columns))
        self._now = now
        self._known = {m.regex.pattern for m in models}

    @classmethod
    def learn(cls, lines: Sequence[str], now: datetime) -> Heads:
        kept = [line for line in lines if line.strip()]
        rows = [tokenize(line, now) for line in kept]
        models: list[HeaderModel] = []
        if (whole := _model(rows, kept, now)) is not None:
            models.append(whole)
        by_shape: dict[tuple[int, ...], tuple[list[list[Token]], list[str]]] = {}
        for row, line in zip(rows, kept, strict=True):
            shaped = by_shape.setdefault(_shape(row), ([], []))
            shaped[0].append(row)
            shaped[1].append(line)
        for group, group_lines in sorted(by_shape.values(), key=lambda g: len(g[0]), reverse=True):
            if len(models) >= MAX_MODELS or len(group) < MIN_SAMPLE:
                break
            # Lines picked for their shape agree on it by construction: only a time is proof
            # that their first words are a head ("data TLB error interrupt" has a level word),
            # and a time of day alone is not ("10:46:47.425 : BTLE scanner Powered On" is a
            # message): a clock is a head where the whole source agrees on it.
            model = _model(group, group_lines, now)
            timed = model is not None and any(
                c.kind == TIME and c.family != "clock" for c in model.columns
            )
            if model is not None and timed and model.regex.pattern not in _patterns(models):
                models.append(model)
        return cls(models, now)

    @property
    def learned(self) -> bool:
        return bool(self.models)

    def read(self, line: str) -> Head:
        for model in self.models:
            head = model.read(line)
            if head is not None and (not model.alone or _opens_plainly(line)):
                head.fitted = not model.alone
                return head
        head, learned = _read_alone(line, self._now)
        known = learned is not None and learned.regex.pattern in self._known
        if learned is not None and not known and len(self.models) < MAX_MODELS:
            # A format first seen now: its next lines are read by one regex match.
            self._known.add(learned.regex.pattern)
            learned.alone = True
            self.models.append(learned)
            self.models.sort(key=lambda m: -len(m.columns))
        return head

    def fits(self, line: str) -> bool:
        """Whether the line has a head of one of the source's own formats."""
        return any(model.read(line) is not None for model in self.models if not model.alone)


_WEAK_ALONE = frozenset({"epoch", "date", "clock"})


_ANY_LEVEL_WORD = any_of(LEVEL_WORDS)  # in the lowered head: a cheap necessary condition


def _names_a_level(head: str) -> bool:
    """Whether a head holds a level word written as one ("WARN", "[error]", "<warn>")."""
    if _ANY_LEVEL_WORD.search(head.lower()) is None:
        return False
    return any(
        _plainly_a_level(word) and word.strip("[]<>:").lower() in LEVEL_WORDS
        for word in head.split()
    )


def _plainly_a_level(word: str) -> bool:
    """ "ERROR", "[warn]", "error:" are levels; "debug interrupt ..." starts a sentence."""
    return word.isupper() or word[0] in "[<" or word.endswith(":")


# What a head read alone must open with: a time, or a level word. A cheap test that spares
# tokenizing the lines that cannot have one.
_OPENS_WITH_A_LEVEL = re.compile(
    r"[ \t]*[\[<]?(?i:trace|debug|info|notice|warn|warning|error|err|fatal|critical|crit|alert|"
    r"emerg|severe|panic)\b"
)

# Or a logfmt key for one ("time=2026-... level=info msg=..."), as a record of its own does.
_OPENS_WITH_A_KEY = re.compile(rf"[ \t]*(?:{TIME_KEYS}|{LEVEL_KEYS})")


def _opens_a_head(line: str, now: datetime) -> bool:
    start = len(line) - len(line.lstrip(" \t"))
    at = start + 1 if line[start : start + 1] == "[" else start
    found = stamps.find(line, at)
    if found is not None and found[0].name not in _WEAK_ALONE:
        return True
    if _OPENS_WITH_A_LEVEL.match(line) is not None:
        return True
    return line.find("=", 0, 24) >= 0 and _OPENS_WITH_A_KEY.match(line) is not None


def read_alone(line: str, now: datetime) -> Head:
    """The head of a line read on its own, by the same rules a source's lines are."""
    return _read_alone(line, now)[0]


def _opens_plainly(line: str) -> bool:
    """What a line read alone must show first: a time, or a level word written as one."""
    stripped = line.lstrip(" \t")
    word = stripped.split(" ", 1)[0]
    return not word.isalpha() or _plainly_a_level(word)


def _read_alone(line: str, now: datetime) -> tuple[Head, HeaderModel | None]:
    if not line.strip() or not _opens_a_head(line, now):
        return Head(line, fitted=False), None
    row = tokenize(line, now)
    columns = cut([row], now) if row else []
    # Alone, a line proves nothing by agreement: its head must open with a time or a level
    # word ("ERROR ...", "[warn] ..."), never a one-letter one ("A connection ...").
    if not columns or columns[0].kind not in (TIME, LEVEL):
        return Head(line, fitted=False), None
    if columns[0].family in _WEAK_ALONE:  # a lone 10-digit number is no proof of a time
        return Head(line, fitted=False), None
    if columns[0].kind == LEVEL and not (row[0].key or _plainly_a_level(row[0].text)):
        return Head(line, fitted=False), None
    after = row[len(columns)].kind if len(row) > len(columns) else None
    if columns[-1].kind == LETTER and after not in (COMPONENT, BRACKET, SEP):
        # One letter followed by plain words is a sentence's first word ("12:00:01 A
        # connection was reset"), not a level: a letter level stands before a tag ("W tag:").
        columns = columns[:-1]
    model = HeaderModel(columns, now)
    head = model.read(line)
    if head is not None and not head.message.strip() and _time_inside(columns):
        # "WARNING: certificate CN=api expired at 2026-11-26T14:58:41Z": the time is the
        # message's, the head only its level
        model = HeaderModel(columns[:1], now)
        head = model.read(line)
    if head is None:
        return Head(line, fitted=False), None
    head.fitted = False
    return head, model

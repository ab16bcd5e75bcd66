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
from collections.abc import Sequence
from datetime import datetime

from . import stamps
from .columns import Column, anchored, cut
from .head_model import Head, HeaderModel, plainly_a_level
from .head_tokens import LEVEL_KEYS, TIME_KEYS, Token, tokenize
from .head_words import BRACKET, COMPONENT, DATE, LETTER, LEVEL, NUM, SEP, TIME, WORD

MIN_SAMPLE = 4  # fewer lines than this teach nothing: each is read on its own
MAX_MODELS = 32  # formats one source may show


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
    # head): a head leaves a message. The time is still the event's.
    taken = sum(head is not None and not head.message.strip() for head in map(model.read, lines))
    model.whole = 2 * taken > len(lines)
    return model


def _time_inside(columns: list[Column]) -> bool:
    """Whether a time comes after words of the line rather than opening its head (after a
    date or a level it still opens it)."""
    for at, column in enumerate(columns):
        if column.kind == TIME:  # a logfmt key's ("ts=") is the record's wherever it stands
            return (
                at > 0
                and not column.key
                and any(c.kind not in (DATE, LEVEL, LETTER) for c in columns[:at])
            )
    return False


# Kinds that say what a head is made of; the others (words, separators) vary within a format.
# (A thread in parentheses is none: a message may open with "(psycopg2.OperationalError)".)
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


# What a head read alone must open with: a time, or a level word. A cheap test that spares
# tokenizing the lines that cannot have one.
_OPENS_WITH_A_LEVEL = re.compile(
    r"[ \t]*[\[<]?(?i:trace|debug|info|notice|warn|warning|error|err|fatal|critical|crit|alert|"
    r"emerg|severe|panic)\b"
)

# Or a logfmt key for one ("time=2026-... level=info msg=..."), as a record of its own does.
_OPENS_WITH_A_KEY = re.compile(rf"[ \t]*(?:{TIME_KEYS}|{LEVEL_KEYS})")


def _opens_a_head(line: str, now: datetime) -> bool:
    # (most lines open with their first word: no stripped copy to measure the indent)
    start = 0 if line[0] not in " \t" else len(line) - len(line.lstrip(" \t"))
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
    return not word.isalpha() or plainly_a_level(word)


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
    if columns[0].kind == LEVEL and not (row[0].key or plainly_a_level(row[0].text)):
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

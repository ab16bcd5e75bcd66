"""The first tokens of a log line, typed: the material `headers` learns a source's head from.

A head token is a time (one of the `stamps` families, also inside [ ]), a level word or letter,
a number (a pid, "31#31:"), a separator, a bracketed context, a thread in parentheses, a
`name:` that ends the head, a dotted logger, a host-like word (letters and digits: a node, a
file label), a file and line where a message begins, or any other word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from . import stamps
from .head_words import (
    BRACKET,
    CATEGORY,
    COMPONENT,
    DATE,
    LEVEL,
    LOGGER,
    PAREN,
    SEP,
    TIME,
    word_kind,
)
from .levels import level_from_name

MAX_TOKENS = 12

# Ruby's Logger writes the pid inside the time's bracket: "[2026-11-22T23:58:23.123456 #1234]"
_PID_TAIL = re.compile(r" #\d+\]")
# Python's logging.basicConfig() default, "%(levelname)s:%(name)s:%(message)s": the level, the
# logger and the message glued by colons ("WARNING:urllib3.connectionpool:Retrying ...")
_GLUED_HEAD = re.compile(r"(?P<level>[A-Z]+):(?P<name>[\w.$-]+):")
# logfmt's time and level keys (Go's slog and logrus, go-kit): "time=2026-…Z level=error"
TIME_KEYS, LEVEL_KEYS = "(?:time|ts|timestamp|t)=", "(?:level|lvl|severity)="
# The keys that name a record's service, in JSON and in logfmt, first found first taken.
SERVICE_KEYS = (
    "service", "service.name", "logger", "logger_name", "component", "app", "Category",
    "loggerName", "SourceContext", "@module",
)  # fmt: skip
_TIME_KEY = re.compile(TIME_KEYS + '"?')
_LEVEL_KEY = re.compile(LEVEL_KEYS + '"?(?P<word>[A-Za-z]+)("?)(?=[ \t]|$)')


@dataclass(slots=True)
class Token:
    kind: int
    text: str
    start: int
    end: int
    pad: bool = False  # two or more blanks follow: a fixed-width column
    family: str = ""  # for TIME and DATE
    bracketed: bool = False  # a time inside [ ]
    opens: bool = False  # ... whose bracket goes on after "time:" (Celery's "[time: LEVEL/P]")
    terminal: bool = False  # ends with ":" (or klog's "]"): the head ends here
    key: str = ""  # a logfmt key before the value ("time=", "level=")
    glued: bool = False  # no blank before it: Python's default "ERROR:app.db:message"


# Regexes, not loops over characters: one call each, however long the run.
_BLANKS = re.compile(r"[ \t]*")
_WORD_END = re.compile(r"[^ \t|\n]*")
_BRACKETS = re.compile(r"[\[\]]")
_BRACKET_REACH = 240  # a bracket not closed within this many characters is no head token
# A thread in parentheses, as JBoss, WildFly, Quarkus and Keycloak write it after the logger:
# "(main)", "(executor-thread-1)", "(MSC service thread 1-2)"; a blank or the end after it
_PAREN = re.compile(r"\([^()\n]{1,120}\)(?=[ \t]|$)")


def _run_end(run: re.Pattern[str], line: str, pos: int) -> int:
    """Where a run of `run`'s characters that starts at `pos` ends (a "*" run always matches)."""
    found = run.match(line, pos)
    return found.end() if found is not None else pos


def _skip_blanks(line: str, pos: int) -> int:
    return _run_end(_BLANKS, line, pos)


def _closing_bracket(line: str, pos: int) -> int:
    """Index after the "]" that closes the "[" at `pos` (one level of nesting), or -1."""
    depth = 0
    for found in _BRACKETS.finditer(line, pos, min(len(line), pos + _BRACKET_REACH)):
        if found.group() == "[":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return found.end()
    return -1


def _time_at(line: str, pos: int, now: datetime) -> tuple[stamps.Family, int] | None:
    found = stamps.find(line, pos)
    if found is None:
        return None
    family, match = found
    end = match.end()
    if end < len(line) and line[end] not in " \t,|]-:":
        return None
    if stamps.convert(family, match, now=now) is None and family.name != "short":
        return None
    return family, end


def _keyed(line: str, pos: int, now: datetime) -> Token | None:
    """A logfmt time or level ("time=2026-…Z", "ts=\"…\"", "level=error"), else None."""
    key = _TIME_KEY.match(line, pos)
    return _keyed_time(line, key, now) if key is not None else _keyed_level(line, pos)


def _keyed_time(line: str, key: re.Match[str], now: datetime) -> Token | None:
    found = stamps.find(line, key.end())
    if found is None:
        return None
    family, match = found
    end = match.end()
    if key.group().endswith('"'):
        if line[end : end + 1] != '"':
            return None
        end += 1
    ends = end == len(line) or line[end] in " \t"
    if not ends or family.name == "date" or stamps.convert(family, match, now=now) is None:
        return None
    return Token(TIME, line[key.start() : end], key.start(), end, family=family.name, key=key[0])


def _keyed_level(line: str, pos: int) -> Token | None:
    level = _LEVEL_KEY.match(line, pos)
    if level is None or level_from_name(level.group("word")) is None:
        return None
    name = line[pos : level.start("word")]
    if level.group(2) != ('"' if name.endswith('"') else ""):
        return None  # a quote opened and not closed, or the other way round
    return Token(LEVEL, line[pos : level.end()], pos, level.end(), key=name)


def _glued_head(line: str, pos: int) -> list[Token]:
    """Python's default head, "LEVEL:logger:", as a level and a service token; else none."""
    found = _GLUED_HEAD.match(line, pos)
    if found is None or level_from_name(found["level"]) is None:
        return []
    name = found.start("name")
    return [
        Token(LEVEL, line[pos:name], pos, name),
        Token(COMPONENT, line[name : found.end()], name, found.end(), terminal=True, glued=True),
    ]


def _bracket_token(line: str, pos: int, now: datetime) -> Token | None:
    """A bracketed time, level or context at `pos` (a "["); None if the bracket never closes."""
    close = _closing_bracket(line, pos)
    inner = _time_at(line, pos + 1, now)
    follows = line[inner[1] : inner[1] + 2] if inner is not None else ""
    pid = _PID_TAIL.fullmatch(line, inner[1], close) if inner and close > 0 else None
    if inner is not None and (follows[:1] == "]" or (follows == ": " and close > 0) or pid):
        # "[2026-… 17:49:25,123]", Ruby's "[2026-…T23:58:23.123456 #1234]", or Celery's
        # "[2026-… 17:49:25,123: WARNING/Main…]" whose bracket goes on past the time (the rest
        # is read as tokens of its own)
        family, end = inner
        end = close - 1 if pid is not None else end
        kind = DATE if family.name == "date" else TIME
        token = Token(kind, line[pos : end + 1], pos, end + 1, family=family.name)
        token.bracketed = True
        token.opens = follows == ": "
        return token
    if close > 0:
        text = line[pos:close]
        return Token(LEVEL if word_kind(text)[0] == LEVEL else BRACKET, text, pos, close)
    return None


def _plain_token(line: str, pos: int, now: datetime, before: Token | None) -> Token:
    """A time, or a word typed by what it is made of, at `pos`."""
    timed = _time_at(line, pos, now)
    if timed is not None:
        family, end = timed
        kind = DATE if family.name == "date" else TIME
        return Token(kind, line[pos:end], pos, end, family=family.name)
    end = _run_end(_WORD_END, line, pos)
    text = line[pos:end]
    kind, terminal = word_kind(text)
    token = Token(kind, text, pos, end, terminal=terminal)
    if kind == LOGGER and before is not None and before.kind == LEVEL and text[-1] == "]":
        # "fail: Orders.Api.OrderController[0]": not the level's colon but the category ends
        # the head (the message is on the lines below)
        before.terminal = False
        token.terminal = CATEGORY.fullmatch(text) is not None
    return token


# A stream's first lines are tokenized to learn its heads, then most are read alone (for their
# times, `service_heads._sample_times`): the second time is a lookup. The tokens are shared,
# never changed once made; short lines only, and a bounded number of them.
_TOKENIZED: dict[tuple[str, datetime, int], list[Token]] = {}
_TOKENIZED_MAX, _TOKENIZED_CHARS = 1024, 2048


def tokenize(line: str, now: datetime, limit: int = MAX_TOKENS) -> list[Token]:
    """The first `limit` head tokens of `line`."""
    if len(line) > _TOKENIZED_CHARS:
        return _tokenize(line, now, limit)
    key = (line, now, limit)
    tokens = _TOKENIZED.get(key)
    if tokens is None:
        if len(_TOKENIZED) >= _TOKENIZED_MAX:
            _TOKENIZED.clear()
        tokens = _TOKENIZED[key] = _tokenize(line, now, limit)
    return list(tokens)  # a list of its own: a caller may cut it


def _tokenize(line: str, now: datetime, limit: int) -> list[Token]:
    pos = _skip_blanks(line, 0)
    line = line.split("\n", 1)[0]  # a head is on the first line
    tokens = _glued_head(line, pos) if line[pos : pos + 1].isupper() else []
    if tokens:
        pos = _skip_blanks(line, tokens[-1].end)
    while pos < len(line) and len(tokens) < limit:
        char = line[pos]
        token: Token | None
        if char == "[":
            token = _bracket_token(line, pos, now)
            if token is None:
                break
        elif char in "|,":
            token = Token(SEP, char, pos, pos + 1)
        elif char == "(" and (paren := _PAREN.match(line, pos)) is not None:
            token = Token(PAREN, paren.group(), pos, paren.end())
        else:
            # most words: no call ("timestamp=" is the longest key)
            keyed = (
                _keyed(line, pos, now)
                if char in "tls" and line.find("=", pos, pos + 10) != -1
                else None
            )
            token = keyed or _plain_token(line, pos, now, tokens[-1] if tokens else None)
        after = _skip_blanks(line, token.end)
        token.pad = after - token.end >= 2
        tokens.append(token)
        pos = after
    return tokens

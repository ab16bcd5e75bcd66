"""The columns of a head: what the first tokens of lines are.

`cut` cuts the first tokens of a sample of lines into typed columns (a time of one of the
`stamps` families, a level word, a number, a bracketed context, `name:`, a dotted logger, a host-
like word, a separator). A column belongs to the head when nine lines in ten agree on its type
and the type is one heads are made of; a plain word only when the lines show it is a field: it
is padded to a fixed width, a separator or a level follows it, or it never changes where a host
stands. `column_regex.pattern` turns the columns into one regex, so a line costs one match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from . import stamps
from .head_tokens import Token
from .head_words import (
    BRACKET,
    COMPONENT,
    DATE,
    HOSTLIKE,
    LETTER,
    LEVEL,
    LOGGER,
    NUM,
    PAREN,
    PLACE,
    SEP,
    TIME,
    WORD,
)

MAX_COLUMNS = 12
_ENDS_A_FIELD = frozenset({SEP, LEVEL, LETTER, COMPONENT})
AGREE = 0.9  # the share of lines that must agree on a column
# A bracket that holds a pid or thread names no one: "[4711]", Apache's "[pid 12:tid 34]"
_NUMBERED = re.compile(r"\[(?:pid )?\d+(?::tid \d+)?\]")
MIN_CONSTANT = 8  # lines needed before "never changes" means a field


@dataclass(frozen=True, slots=True)
class Column:
    kind: int
    role: str  # time | date | level | pid | host | service | context | sep | field
    family: str = ""
    order: str = "ymd"  # for the "short" family
    bracketed: bool = False
    opens: bool = False  # "[time:" opens a bracket that a later column closes
    sep: str = ""
    flexible: bool = False  # a word field that may run over a few tokens before a separator
    terminal: bool = False
    numbered: bool = False  # a bracket that holds a number: a pid ("[1234]"), not a name
    key: str = ""  # a logfmt key before a time or level ("time=", "level=\"")
    glued: bool = False  # follows the column before without a blank ("ERROR:app.db:")


def _dash_within(row: list[Token], index: int) -> bool:
    return any(t.kind == SEP and t.text in ("-", "--") for t in row[index + 1 : index + 3])


def _level_after_dash(row: list[Token], index: int) -> bool:
    """Python's "%(asctime)s - %(name)s - %(levelname)s - ": the dash after the name is
    followed by the level, and the head goes on."""
    for at in range(index + 1, min(index + 3, len(row) - 1)):
        if row[at].kind == SEP and row[at].text in ("-", "--"):
            return row[at + 1].kind == LEVEL
    return False


def _identifier_like(text: str) -> bool:
    """A program's or class's name rather than a word of a sentence."""
    core = text.rstrip(":")
    return any(c in "._$[(-/" or c.isdigit() for c in core) or any(c.isupper() for c in core[1:])


def _next_kinds(rows: list[list[Token]], index: int, ahead: int) -> list[set[int]]:
    """For each row, the kinds of its tokens in the `ahead` columns after `index`."""
    return [{token.kind for token in row[index + 1 : index + 1 + ahead]} for row in rows]


def _share(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def _date_order(tokens: list[Token], now: datetime) -> str:
    family = stamps.BY_NAME["short"]
    for order in stamps.DATE_ORDERS:
        if all(
            (match := family.match(token.text.strip("[]"))) is not None
            and stamps.convert(family, match, now=now, order=order) is not None
            for token in tokens
        ):
            return order
    return stamps.DATE_ORDERS[0]


@dataclass(frozen=True, slots=True)
class _Place:
    """What the lines show at one column: their tokens there, and what comes after."""

    rows: list[list[Token]]
    j: int
    seen: frozenset[str]  # the roles of the columns before
    now: datetime

    @property
    def tokens(self) -> list[Token]:
        return [row[self.j] for row in self.rows]

    def agree(self, test: Sequence[bool]) -> bool:
        return _share(test) >= AGREE

    def next_has(self, kinds: frozenset[int] | set[int], ahead: int = 2) -> bool:
        return self.agree([bool(k & kinds) for k in _next_kinds(self.rows, self.j, ahead)])

    @property
    def terminal(self) -> bool:
        return self.agree([t.terminal for t in self.tokens])


def _time_column(kind: int, at: _Place) -> Column | None:
    tokens = at.tokens
    (family, key), count = Counter((t.family, t.key) for t in tokens).most_common(1)[0]
    if count < AGREE * len(tokens) or (family == "clock" and at.j > 0):
        return None  # (a time of day alone: see `_dated`)
    bracketed = at.agree([t.bracketed for t in tokens])
    opens = bracketed and at.agree([t.opens for t in tokens])
    order = _date_order(tokens, at.now) if family == "short" else "ymd"
    if kind == DATE:
        return Column(DATE, "date", family, order, bracketed, opens)
    role = "time" if "time" not in at.seen else "field"
    return Column(TIME, role, family, order, bracketed, opens, terminal=at.terminal, key=key)


def _level_column(kind: int, at: _Place) -> Column | None:
    key, count = Counter(t.key for t in at.tokens).most_common(1)[0]
    if count < AGREE * len(at.tokens):
        return None
    role = "level" if "level" not in at.seen else "field"
    return Column(kind, role, terminal=at.terminal, key=key)


def _sep_column(kind: int, at: _Place) -> Column | None:
    sep = Counter(t.text for t in at.tokens).most_common(1)[0][0]
    # "program - message", "LEVEL [thread] - message": a dash after the fields ends the head
    # ... unless a "name:" or a ":" follows it on every line (Ruby's "-- app: ", "-- : "), or
    # the level, not read yet (Python's "%(asctime)s - %(name)s - %(levelname)s - ")
    ends = (
        sep in ("-", "--", ":")
        and bool(at.seen & {"service", "level", "context"})
        and not at.next_has({SEP, COMPONENT}, 1)
        and ("level" in at.seen or not at.next_has({LEVEL}, 1))
    )
    return Column(kind, "sep", sep=sep, terminal=ends)


def _bracket_column(kind: int, at: _Place) -> Column | None:
    numbered = at.agree([_NUMBERED.fullmatch(t.text) is not None for t in at.tokens])
    return Column(kind, "context", terminal=at.terminal, numbered=numbered)


def _component_column(kind: int, at: _Place) -> Column | None:
    # "dfs.DataNode$PacketResponder:", "sshd[42]:", or names that change from line to line
    # ("kernel:", "su:"); one plain word that never changes ("failed:") is the message.
    tokens = at.tokens
    varied = len({t.text for t in tokens}) > 1
    glued = at.agree([t.glued for t in tokens])  # glued to a level: a name whatever it is
    if not varied and not glued and not all(_identifier_like(t.text) for t in tokens):
        return None
    return Column(kind, "service", terminal=True, glued=glued)


def _number_column(kind: int, at: _Place) -> Column | None:
    # After the level only a pid that ends the head ("31#31:") or stands before a separator or
    # bracket ("ERROR 1 --- [main]"); "job 5 failed" keeps its number.
    terminal = at.terminal
    if "level" not in at.seen or at.next_has({SEP, BRACKET}, 1) or terminal:
        return Column(kind, "pid", terminal=terminal)
    return None


def _word_column(kind: int, at: _Place) -> Column | None:
    """A name: a host, a program, a logger, a component. Before the level it is a field when
    a field or separator follows it ("RAS KERNEL INFO", "chrome.exe - "); after the level only
    when padded to a fixed width ("CBS    ") or, for a dotted logger, followed by a field."""
    tokens, seen = at.tokens, at.seen
    before_level = at.next_has({LEVEL, LETTER})
    then_field = at.next_has(_ENDS_A_FIELD)
    then_sep = at.next_has({SEP})
    padded = at.agree([t.pad for t in tokens])
    # A host is a machine's name: it has digits (ip-10-0-1-5, dn228) or never changes (combo).
    constant = len(tokens) >= MIN_CONSTANT and len({t.text for t in tokens}) == 1
    hostly = kind == HOSTLIKE or (constant and "time" in seen and "level" not in seen)
    role = "host" if hostly and "level" not in seen and not before_level else "service"
    fielded = padded or (then_field and "level" not in seen)
    dash = at.agree([_dash_within(row, at.j) for row in at.rows])
    if (fielded or (kind == LOGGER and then_field)) and dash:
        # the dash ends the head, unless the level follows it: then both are columns of their own
        level_next = "level" not in seen and at.agree([_level_after_dash(r, at.j) for r in at.rows])
        return Column(
            kind,
            "service",
            flexible=not level_next,
            sep="" if level_next else "-",
            terminal=not level_next,
        )
    if kind == LOGGER and ("level" in seen or then_field):
        return Column(LOGGER, "service", flexible=then_sep)
    if kind == HOSTLIKE and "level" not in seen and ("time" in seen or before_level or at.j == 0):
        return Column(HOSTLIKE, "host")
    if fielded:
        return Column(kind, role, flexible=then_sep)
    if kind == WORD and constant and "level" not in seen and "time" in seen:
        return Column(WORD, "host")
    return None


def _name_column(kind: int, at: _Place) -> Column | None:
    if at.agree([t.text[:1] in "\"'" for t in at.tokens]):
        return None  # a quote opens the message ('"GET /health HTTP/1.1" 200'), never a field
    return _word_column(kind, at)


def _paren_column(kind: int, at: _Place) -> Column | None:
    # a thread: who ran it, never the service that wrote it; learned from a source's lines,
    # never from one line alone (whose message may open with "(...)")
    return Column(kind, "field") if len(at.tokens) > 1 else None


def _no_column(kind: int, at: _Place) -> Column | None:
    del kind, at
    return None  # a file and line: the message starts here


_DECIDE = {
    TIME: _time_column,
    DATE: _time_column,
    LEVEL: _level_column,
    LETTER: _level_column,
    SEP: _sep_column,
    BRACKET: _bracket_column,
    COMPONENT: _component_column,
    NUM: _number_column,
    LOGGER: _name_column,
    HOSTLIKE: _name_column,
    WORD: _name_column,
    PLACE: _no_column,
    PAREN: _paren_column,
}


def _dated(token: Token) -> bool:
    """A time that tells its day: a time of day alone is a head only where it opens the line
    (logback's "23:58:00.532 [main] INFO …"); later, it is a message's ("completed at
    03:00:01") or the rest of a date no family reads ("09/28/2016 04:30:00")."""
    return token.kind == TIME and token.family != "clock"


def _time_column_index(rows: list[list[Token]]) -> int:
    """The column where nine lines in ten show a time, when they agree on one; else 0."""
    firsts = Counter(
        next((j for j, token in enumerate(row[:MAX_COLUMNS]) if _dated(token)), -1) for row in rows
    )
    index, count = firsts.most_common(1)[0] if firsts else (-1, 0)
    return index if index > 0 and count >= AGREE * len(rows) else 0


def cut(rows: list[list[Token]], now: datetime) -> list[Column]:
    """The columns of a head the rows agree on, from the first token on."""
    columns: list[Column] = []
    seen: set[str] = set()
    active = rows
    time_at = _time_column_index(rows)
    for j in range(MAX_COLUMNS):
        present = [row for row in active if len(row) > j]
        if len(present) < AGREE * len(active) or not present:
            break
        if "time" not in seen and j < time_at:
            # Whatever stands before the time is head too: a line number, an alert tag, the
            # name of the file a shipper read it from, a node and its component; and a level
            # written as one (AWS Lambda's Python runtime: "[ERROR]\t2026-…Z\t<request id>").
            levels = [row for row in present if row[j].kind == LEVEL]
            brackets = [row for row in present if row[j].kind == BRACKET]
            level = None
            if "level" not in seen and len(levels) >= AGREE * len(active):
                level = _level_column(LEVEL, _Place(levels, j, frozenset(seen), now))
            # a bracket right before the time reads as one, blanks and all, where every line
            # has it: "[appconfig agent] 2026/01/20 09:…" (not Kafka's "[Coordinator 0]: …")
            context = j + 1 == time_at and len(brackets) == len(present)
            columns.append(level or Column(BRACKET if context else WORD, "field"))
            if level is not None:
                seen.add("level")
            active = levels if level is not None else present
            continue
        kind, count = Counter(row[j].kind for row in present).most_common(1)[0]
        if count < AGREE * len(active):
            break
        matching = [row for row in present if row[j].kind == kind]
        column = _DECIDE[kind](kind, _Place(matching, j, frozenset(seen), now))
        if column is None:
            break
        columns.append(column)
        seen.add(column.role)
        active = matching
        if column.terminal:
            break
    return columns


def anchored(columns: list[Column]) -> bool:
    """A head tells a time or a level; columns that tell neither are the message's first
    words, however regular (an IP, "component: ...")."""
    return any(c.kind in (TIME, LEVEL, LETTER) for c in columns)

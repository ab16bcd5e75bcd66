"""The head of a text line, learned per source: time, host, pid, level, service, then the message.

Every logger writes a head before its message, and no two agree: `081109 203615 148 INFO
dfs.DataNode$PacketResponder: ...`, `Jun 14 15:16:01 combo sshd(pam_unix)[19939]: ...`,
`[10.30 16:49:06] chrome.exe - ...`, `20171223-22:15:29:606|Step_LSC|30002312|...`. Nothing is
configured: a source's own lines say where its head ends.

`learn` cuts the first tokens of a sample of lines into typed columns (a time of one of the
`stamps` families, a level word, a number, a bracketed context, `name:`, a dotted logger, a host-
like word, a separator). A column belongs to the head when nine lines in ten agree on its type
and the type is one heads are made of; a plain word only when the lines show it is a field: it
is padded to a fixed width, a separator or a level follows it, or it never changes where a host
stands. The columns become one regex, so a line costs one match; a line that does not fit is
read on its own by the same rules (`read_alone`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from . import stamps
from .levels import LEVEL_WORDS, level_from_name
from .types import Level

MAX_COLUMNS = 12
AGREE = 0.9  # the share of lines that must agree on a column
MIN_SAMPLE = 4  # fewer lines than this teach nothing: each is read on its own
MIN_CONSTANT = 8  # lines needed before "never changes" means a field

# Kinds of head tokens.
TIME, DATE, LEVEL, LETTER, NUM, SEP, BRACKET, COMPONENT, LOGGER, HOSTLIKE, WORD = range(11)
_FIELDS_AFTER_LEVEL = frozenset({SEP, BRACKET, COMPONENT, LOGGER, NUM})
_ENDS_A_FIELD = frozenset({SEP, LEVEL, LETTER, COMPONENT})
_SEPARATORS = frozenset({"-", "--", "|", ",", ":", "::"})
_LETTER_LEVELS = {
    "V": Level.TRACE,
    "D": Level.DEBUG,
    "I": Level.INFO,
    "W": Level.WARNING,
    "E": Level.ERROR,
    "F": Level.CRITICAL,
    "A": Level.CRITICAL,
}
_KLOG_LEVELS = {"I": Level.INFO, "W": Level.WARNING, "E": Level.ERROR, "F": Level.CRITICAL}
_NUMBER = re.compile(r"\d+(?:#\d+)?:?")
_LOGGER = re.compile(r"[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)+")
_HOSTLIKE = re.compile(r"(?=[^\s]*\d)[\w.:/@-]{3,}")
_SOURCE_LOCATION = re.compile(r"\S+:\d+\]")  # klog's "controller.go:123]"
_STRIP = "[]():,<>"
_SERVICE_NOISE = re.compile(r"\[\d*\]|\(.*\)$|:$")


@dataclass(slots=True)
class Head:
    """What a line's head says, and its message."""

    message: str
    timestamp: datetime | None = None
    level: Level | None = None
    service: str | None = None
    fitted: bool = True  # read by the source's learned columns (not on its own)


@dataclass(slots=True)
class _Token:
    kind: int
    text: str
    start: int
    end: int
    pad: bool = False  # two or more blanks follow: a fixed-width column
    family: str = ""  # for TIME and DATE
    bracketed: bool = False  # a time inside [ ]
    terminal: bool = False  # ends with ":" (or klog's "]"): the head ends here


def _skip_blanks(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] in " \t":
        pos += 1
    return pos


def _closing_bracket(line: str, pos: int) -> int:
    """Index after the "]" that closes the "[" at `pos` (one level of nesting), or -1."""
    depth = 0
    for index in range(pos, min(len(line), pos + 240)):
        char = line[index]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index + 1
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


def _word_kind(text: str) -> tuple[int, bool]:
    """The kind of a plain token, and whether it ends the head."""
    bare = text.strip(_STRIP)
    if text in _SEPARATORS:
        return SEP, False
    if bare.lower() in LEVEL_WORDS and bare.isalpha():
        return LEVEL, text.endswith(":")
    if len(text) == 1 and text in _LETTER_LEVELS:
        return LETTER, False
    if _NUMBER.fullmatch(text):
        return NUM, text.endswith(":")
    if text.endswith(":") and any(c.isalpha() for c in text):
        return COMPONENT, True
    if _SOURCE_LOCATION.fullmatch(text):
        return COMPONENT, True
    if _LOGGER.fullmatch(text):
        return LOGGER, False
    if _HOSTLIKE.fullmatch(text):
        return HOSTLIKE, False
    return WORD, False


def tokenize(line: str, now: datetime, limit: int = MAX_COLUMNS) -> list[_Token]:
    """The first `limit` head tokens of `line`."""
    tokens: list[_Token] = []
    pos = _skip_blanks(line, 0)
    while pos < len(line) and len(tokens) < limit:
        start = pos
        char = line[pos]
        token: _Token
        if char == "[":
            close = _closing_bracket(line, pos)
            inner = _time_at(line, pos + 1, now)
            if inner is not None and inner[1] < len(line) and line[inner[1]] == "]":
                family, end = inner
                token = _Token(TIME, line[pos : end + 1], start, end + 1, family=family.name)
                token.bracketed = True
                if family.name == "date":
                    token.kind = DATE
            elif close > 0:
                text = line[pos:close]
                kind, terminal = _word_kind(text)
                kind = LEVEL if kind == LEVEL else BRACKET
                token = _Token(kind, text, start, close)
            else:
                break
        elif char in "|,":
            token = _Token(SEP, char, start, pos + 1)
        else:
            timed = _time_at(line, pos, now)
            if timed is not None:
                family, end = timed
                kind = DATE if family.name == "date" else TIME
                token = _Token(kind, line[pos:end], start, end, family=family.name)
            else:
                end = pos
                while end < len(line) and line[end] not in " \t|":
                    end += 1
                text = line[pos:end]
                kind, terminal = _word_kind(text)
                token = _Token(kind, text, start, end, terminal=terminal)
        after = _skip_blanks(line, token.end)
        token.pad = after - token.end >= 2
        tokens.append(token)
        pos = after
    return tokens


@dataclass(frozen=True, slots=True)
class _Column:
    kind: int
    role: str  # time | date | level | pid | host | service | context | sep | field
    family: str = ""
    order: str = "ymd"  # for the "short" family
    bracketed: bool = False
    sep: str = ""
    flexible: bool = False  # a word field that may run over a few tokens before a separator
    terminal: bool = False


def _next_kinds(rows: list[list[_Token]], index: int, ahead: int) -> list[set[int]]:
    """For each row, the kinds of its tokens in the `ahead` columns after `index`."""
    return [{token.kind for token in row[index + 1 : index + 1 + ahead]} for row in rows]


def _share(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def _date_order(tokens: list[_Token], now: datetime) -> str:
    family = stamps.BY_NAME["short"]
    for order in stamps.DATE_ORDERS:
        if all(
            (match := family.match(token.text.strip("[]"))) is not None
            and stamps.convert(family, match, now=now, order=order) is not None
            for token in tokens
        ):
            return order
    return stamps.DATE_ORDERS[0]


def _decide(
    rows: list[list[_Token]], j: int, kind: int, seen: set[str], now: datetime
) -> _Column | None:
    """The column at `j` of `rows` (whose token there is of `kind`), if the head holds it."""
    tokens = [row[j] for row in rows]
    terminal = _share([t.terminal for t in tokens]) >= AGREE
    if kind in (TIME, DATE):
        family, count = Counter(t.family for t in tokens).most_common(1)[0]
        if count < AGREE * len(tokens):
            return None
        bracketed = _share([t.bracketed for t in tokens]) >= AGREE
        order = _date_order(tokens, now) if family == "short" else "ymd"
        if kind == DATE:
            return _Column(DATE, "date", family, order, bracketed)
        role = "time" if "time" not in seen else "field"
        return _Column(TIME, role, family, order, bracketed, terminal=terminal)
    if kind in (LEVEL, LETTER):
        return _Column(kind, "level" if "level" not in seen else "field", terminal=terminal)
    if kind == SEP:
        sep = Counter(t.text for t in tokens).most_common(1)[0][0]
        # "program - message", "LEVEL [thread] - message": a dash after the fields ends the head
        ends = sep in ("-", "--") and bool(seen & {"service", "level", "context"})
        return _Column(SEP, "sep", sep=sep, terminal=ends)
    if kind == BRACKET:
        return _Column(BRACKET, "context", terminal=terminal)
    if kind == COMPONENT:
        return _Column(COMPONENT, "service", terminal=True)
    nexts = _next_kinds(rows, j, 2)
    before_level = _share([bool(k & {LEVEL, LETTER}) for k in nexts]) >= AGREE
    then_field = _share([bool(k & _ENDS_A_FIELD) for k in nexts]) >= AGREE
    then_sep = _share([bool(k & {SEP}) for k in nexts]) >= AGREE
    if kind == NUM:
        then_after = _share([bool(k & _FIELDS_AFTER_LEVEL) for k in _next_kinds(rows, j, 1)])
        if "level" not in seen or then_after >= AGREE or terminal:
            return _Column(NUM, "pid", terminal=terminal)
        return None
    padded = _share([t.pad for t in tokens]) >= AGREE
    # A host is a machine's name: it has digits (ip-10-0-1-5, dn228) or never changes (combo).
    # Any other field before the message names the program or component that wrote it.
    constant = len(rows) >= MIN_CONSTANT and len({t.text for t in tokens}) == 1
    hostly = kind == HOSTLIKE or (constant and "time" in seen and "level" not in seen)
    role = "host" if hostly and "level" not in seen and not before_level else "service"
    if kind == LOGGER and ("level" in seen or then_field):
        return _Column(LOGGER, "service", flexible=then_sep)
    if kind == HOSTLIKE and "level" not in seen and ("time" in seen or before_level or j == 0):
        return _Column(HOSTLIKE, "host")
    if kind in (WORD, HOSTLIKE, LOGGER) and (padded or then_field):
        return _Column(kind, role, flexible=then_sep)
    if kind == WORD and constant and "level" not in seen and "time" in seen:
        return _Column(WORD, "host")
    return None


def _columns(rows: list[list[_Token]], now: datetime) -> list[_Column]:
    columns: list[_Column] = []
    seen: set[str] = set()
    active = rows
    for j in range(MAX_COLUMNS):
        present = [row for row in active if len(row) > j]
        if len(present) < AGREE * len(active) or not present:
            break
        if "time" not in seen and _share([bool(k & {TIME}) for k in _next_kinds(present, j, 2)]):
            # Whatever stands before the time is head too: a line number, an alert tag, the
            # name of the file a shipper read it from.
            if _share([bool(k & {TIME}) for k in _next_kinds(present, j, 2)]) >= AGREE:
                columns.append(_Column(WORD, "field"))
                active = present
                continue
        kind, count = Counter(row[j].kind for row in present).most_common(1)[0]
        if count < AGREE * len(active):
            break
        matching = [row for row in present if row[j].kind == kind]
        column = _decide(matching, j, kind, seen, now)
        if column is None:
            break
        columns.append(column)
        seen.add(column.role)
        active = matching
        if column.terminal:
            break
    return columns


@dataclass
class HeaderModel:
    """A source's head, as columns and as the one regex that reads them."""

    columns: list[_Column]
    now: datetime
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self.regex = re.compile(_pattern(self.columns))
        time = next((c for c in self.columns if c.role == "time"), None)
        self._time = stamps.BY_NAME[time.family] if time is not None else None
        self._order = time.order if time is not None else "ymd"

    def read(self, line: str) -> Head | None:
        """The head of a line that fits the columns, else None."""
        match = self.regex.match(line)
        if match is None:
            return None
        groups = match.groupdict()
        level: Level | None = None
        if (word := groups.get("level")) is not None:
            level = _LETTER_LEVELS.get(word) if len(word) == 1 else level_from_name(word)
            if level is None:
                return None  # not a level word here: this line has another head
        timestamp = None
        if self._time is not None and (stamp := groups.get("time")) is not None:
            inner = self._time.match(stamp)
            if inner is not None:
                timestamp = stamps.convert(self._time, inner, now=self.now, order=self._order)
                if level is None and self._time.name == "klog":
                    level = _KLOG_LEVELS.get(inner.group("lvl"))
        service = groups.get("service")
        return Head(
            line[match.end() :].lstrip(" \t"),
            timestamp,
            level,
            _service_name(service) if service else None,
        )


def _service_name(raw: str) -> str:
    """"sshd(pam_unix)[19939]:" -> "sshd"; "dfs.DataNode$PacketResponder:" keeps its name."""
    name = raw.strip().split(" ")[0]
    previous = None
    while previous != name:
        previous, name = name, _SERVICE_NOISE.sub("", name)
    return name or raw.strip()


_WORD_TEXT = {
    BRACKET: r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]",
    NUM: r"\d+(?:#\d+)?:?",
    LOGGER: r"[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)+",
}


def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def _column_pattern(column: _Column, name: str) -> str:
    group = f"?P<{name}>" if name else "?:"
    if column.kind in (TIME, DATE):
        inner = _unnamed(stamps.BY_NAME[column.family].regex.pattern)
        core = f"({group}{inner})"
        return rf"\[{core}\]" if column.bracketed else core
    if column.kind == LEVEL:
        return rf"[\[<]?({group}[A-Za-z]+)[\]>]?:?"
    if column.kind == LETTER:
        return f"({group}[VDIWEFA])"
    if column.kind == SEP:
        return re.escape(column.sep)
    if column.kind == COMPONENT:
        return rf"({group}\S*?[A-Za-z]\S*?)(?::|(?<=\d)\])(?=\s|$)"
    text = _WORD_TEXT.get(column.kind, r"\S+")
    if column.flexible:
        text = rf"\S+(?: \S+){{0,2}}?"
    return f"({group}{text})"


def _names(columns: list[_Column]) -> list[str]:
    """The group each column is read into: the first time, level and host; the last service
    (the field closest to the message: "RAS KERNEL INFO" is the kernel's)."""
    names = [""] * len(columns)
    for role in ("time", "level", "host"):
        first = next((i for i, c in enumerate(columns) if c.role == role), None)
        if first is not None:
            names[first] = role
    last = next((i for i in reversed(range(len(columns))) if columns[i].role == "service"), None)
    if last is not None:
        names[last] = "service"
    return names


def _pattern(columns: list[_Column]) -> str:
    parts: list[str] = []
    for index, (column, name) in enumerate(zip(columns, _names(columns), strict=True)):
        if index:
            glued = (column.kind == SEP and column.sep in "|,") or columns[index - 1].sep == "|"
            parts.append(r"[ \t]*" if glued else r"[ \t]+")
        parts.append(_column_pattern(column, name))
    return r"[ \t]*" + "".join(parts)


def _anchored(columns: list[_Column]) -> bool:
    """A head tells a time or a level; columns that tell neither are the message's first
    words, however regular (an IP, "component: ...")."""
    return any(c.kind in (TIME, LEVEL, LETTER) for c in columns)


def learn(lines: Sequence[str], now: datetime) -> HeaderModel | None:
    """The head the lines share, or None when they share none (or are too few to tell)."""
    rows = [tokenize(line, now) for line in lines if line.strip()]
    if len(rows) < MIN_SAMPLE:
        return None
    columns = _columns(rows, now)
    if not _anchored(columns):
        return None
    return HeaderModel(columns, now)


def _plainly_a_level(word: str) -> bool:
    """"ERROR", "[warn]", "error:" are levels; "debug interrupt ..." starts a sentence."""
    return word.isupper() or word[0] in "[<" or word.endswith(":")


def read_alone(line: str, now: datetime) -> Head:
    """The head of a line read on its own, by the same rules a source's lines are."""
    row = tokenize(line, now)
    columns = _columns([row], now) if row else []
    # Alone, a line proves nothing by agreement: its head must open with a time or a level
    # word ("ERROR ...", "[warn] ..."), never a one-letter one ("A connection ...").
    if not columns or columns[0].kind not in (TIME, LEVEL):
        return Head(line, fitted=False)
    if columns[0].kind == LEVEL and not _plainly_a_level(row[0].text):
        return Head(line, fitted=False)
    model = HeaderModel(columns, now)
    head = model.read(line)
    if head is None:
        return Head(line, fitted=False)
    head.fitted = False
    return head

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
from .head_tokens import (
    BRACKET,
    COMPONENT,
    DATE,
    HOSTLIKE,
    KLOG_LEVELS,
    LETTER,
    LETTER_LEVELS,
    LEVEL,
    LOGGER,
    NUM,
    PLACE,
    SEP,
    TIME,
    WORD,
    Token,
    tokenize,
)
from .levels import level_from_name
from .types import Level

MAX_COLUMNS = 12
_FIELDS_AFTER_LEVEL = frozenset({SEP, BRACKET, COMPONENT, LOGGER, NUM})
_ENDS_A_FIELD = frozenset({SEP, LEVEL, LETTER, COMPONENT})
_SERVICE_NOISE = re.compile(r"\[\d*\]|\(.*\)$|:$")
AGREE = 0.9  # the share of lines that must agree on a column
MIN_SAMPLE = 4  # fewer lines than this teach nothing: each is read on its own
MIN_CONSTANT = 8  # lines needed before "never changes" means a field
MAX_MODELS = 32  # formats one source may show


@dataclass(slots=True)
class Head:
    """What a line's head says, and its message."""

    message: str
    timestamp: datetime | None = None
    level: Level | None = None
    service: str | None = None
    fitted: bool = True  # read by the source's learned columns (not on its own)


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


def _dash_within(row: list[Token], index: int) -> bool:
    return any(t.kind == SEP and t.text in ("-", "--") for t in row[index + 1 : index + 3])


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


def _time_column(kind: int, at: _Place) -> _Column | None:
    tokens = at.tokens
    family, count = Counter(t.family for t in tokens).most_common(1)[0]
    if count < AGREE * len(tokens):
        return None
    bracketed = at.agree([t.bracketed for t in tokens])
    order = _date_order(tokens, at.now) if family == "short" else "ymd"
    if kind == DATE:
        return _Column(DATE, "date", family, order, bracketed)
    role = "time" if "time" not in at.seen else "field"
    return _Column(TIME, role, family, order, bracketed, terminal=at.terminal)


def _level_column(kind: int, at: _Place) -> _Column | None:
    return _Column(kind, "level" if "level" not in at.seen else "field", terminal=at.terminal)


def _sep_column(kind: int, at: _Place) -> _Column | None:
    sep = Counter(t.text for t in at.tokens).most_common(1)[0][0]
    # "program - message", "LEVEL [thread] - message": a dash after the fields ends the head
    ends = sep in ("-", "--", ":") and bool(at.seen & {"service", "level", "context"})
    return _Column(kind, "sep", sep=sep, terminal=ends)


def _bracket_column(kind: int, at: _Place) -> _Column | None:
    return _Column(kind, "context", terminal=at.terminal)


def _component_column(kind: int, at: _Place) -> _Column | None:
    # "dfs.DataNode$PacketResponder:", "sshd[42]:", or names that change from line to line
    # ("kernel:", "su:"); one plain word that never changes ("failed:") is the message.
    tokens = at.tokens
    varied = len({t.text for t in tokens}) > 1
    if not varied and not all(_identifier_like(t.text) for t in tokens):
        return None
    return _Column(kind, "service", terminal=True)


def _number_column(kind: int, at: _Place) -> _Column | None:
    # After the level only a pid that ends the head ("31#31:") or stands before a separator or
    # bracket ("ERROR 1 --- [main]"); "job 5 failed" keeps its number.
    terminal = at.terminal
    if "level" not in at.seen or at.next_has({SEP, BRACKET}, 1) or terminal:
        return _Column(kind, "pid", terminal=terminal)
    return None


def _word_column(kind: int, at: _Place) -> _Column | None:
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
        return _Column(kind, "service", flexible=True, sep="-", terminal=True)
    if kind == LOGGER and ("level" in seen or then_field):
        return _Column(LOGGER, "service", flexible=then_sep)
    if kind == HOSTLIKE and "level" not in seen and ("time" in seen or before_level or at.j == 0):
        return _Column(HOSTLIKE, "host")
    if fielded:
        return _Column(kind, role, flexible=then_sep)
    if kind == WORD and constant and "level" not in seen and "time" in seen:
        return _Column(WORD, "host")
    return None


def _no_column(kind: int, at: _Place) -> _Column | None:
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
    LOGGER: _word_column,
    HOSTLIKE: _word_column,
    WORD: _word_column,
    PLACE: _no_column,
}


def _columns(rows: list[list[Token]], now: datetime) -> list[_Column]:
    columns: list[_Column] = []
    seen: set[str] = set()
    active = rows
    for j in range(MAX_COLUMNS):
        present = [row for row in active if len(row) > j]
        if len(present) < AGREE * len(active) or not present:
            break
        before_time = _share([bool(k & {TIME}) for k in _next_kinds(present, j, 2)]) >= AGREE
        if "time" not in seen and before_time:
            # Whatever stands before the time is head too: a line number, an alert tag, the
            # name of the file a shipper read it from.
            columns.append(_Column(WORD, "field"))
            active = present
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


@dataclass
class HeaderModel:
    """A source's head, as columns and as the one regex that reads them."""

    columns: list[_Column]
    now: datetime
    regex: re.Pattern[str] = field(init=False)
    alone: bool = False  # learned from one line, not from the source's first lines

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
            level = LETTER_LEVELS.get(word) if len(word) == 1 else level_from_name(word)
            if level is None:
                return None  # not a level word here: this line has another head
        timestamp = None
        if self._time is not None and (stamp := groups.get("time")) is not None:
            inner = self._time.match(stamp)
            if inner is not None:
                timestamp = stamps.convert(self._time, inner, now=self.now, order=self._order)
                if level is None and self._time.name == "klog":
                    level = KLOG_LEVELS.get(inner.group("lvl"))
        service = groups.get("service")
        return Head(
            line[match.end() :].lstrip(" \t"),
            timestamp,
            level,
            _service_name(service) if service else None,
        )


def _service_name(raw: str) -> str:
    """ "sshd(pam_unix)[19939]:" -> "sshd"; "[db]" -> "db"; "dfs.DataNode$PacketResponder:"
    keeps its name."""
    name = raw.strip()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    name = name.split(" ")[0]
    previous = None
    while previous != name:
        previous, name = name, _SERVICE_NOISE.sub("", name)
    return name or raw.strip()


# The text of a column, by kind; {g} is its group ("?P<name>" or "?:").
_TEXT = {
    LEVEL: r"[\[<]?({g}[A-Za-z]+)[\]>]?:?",
    LETTER: r"({g}[VDIWEFA])",
    COMPONENT: r"({g}\S*?[A-Za-z]\S*?)(?::|(?<=\d)\])(?=\s|$)",
    BRACKET: r"({g}\[(?:[^\[\]]|\[[^\[\]]*\])*\])",
    NUM: r"({g}\d+(?:#\d+)?:?)",
    LOGGER: r"({g}[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)+)",
}


def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def _column_pattern(column: _Column, name: str) -> str:
    group = f"?P<{name}>" if name else "?:"
    if column.kind in (TIME, DATE):
        core = f"({group}{_unnamed(stamps.BY_NAME[column.family].regex.pattern)})"
        return rf"\[{core}\]" if column.bracketed else core
    if column.kind == SEP:
        return re.escape(column.sep)
    if column.flexible:  # a name that may run over a few tokens before its separator
        text = rf"({group}\S+(?: \S+){{0,2}}?)"
    else:
        text = _TEXT.get(column.kind, r"({g}\S+)").replace("{g}", group)
    if column.sep:
        return rf"{text}[ \t]+{re.escape(column.sep)}(?=\s|$)"
    return text


def _names(columns: list[_Column]) -> list[str]:
    """The group each column is read into: the first time, level and host; the last service
    (the field closest to the message: "RAS KERNEL INFO" is the kernel's)."""
    names = [""] * len(columns)
    for role in ("time", "level", "host"):
        first = next((i for i, c in enumerate(columns) if c.role == role), None)
        if first is not None:
            names[first] = role
    last = next((i for i in reversed(range(len(columns))) if columns[i].role == "service"), None)
    if last is None:  # "ERROR [db] ...": the bracket names who wrote it
        last = next(
            (i for i in reversed(range(len(columns))) if columns[i].role == "context"), None
        )
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
    """The head all the lines share, or None when they share none (or are too few to tell)."""
    rows = [tokenize(line, now) for line in lines if line.strip()]
    return _model(rows, now)


def _model(rows: list[list[Token]], now: datetime) -> HeaderModel | None:
    if len(rows) < MIN_SAMPLE:
        return None
    columns = _columns(rows, now)
    return HeaderModel(columns, now) if _anchored(columns) else None


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
        rows = [tokenize(line, now) for line in lines if line.strip()]
        models: list[HeaderModel] = []
        if (whole := _model(rows, now)) is not None:
            models.append(whole)
        by_shape: dict[tuple[int, ...], list[list[Token]]] = {}
        for row in rows:
            by_shape.setdefault(_shape(row), []).append(row)
        for group in sorted(by_shape.values(), key=len, reverse=True):
            if len(models) >= MAX_MODELS or len(group) < MIN_SAMPLE:
                break
            # Lines picked for their shape agree on it by construction: only a time is proof
            # that their first words are a head ("data TLB error interrupt" has a level word).
            model = _model(group, now)
            timed = model is not None and any(c.kind == TIME for c in model.columns)
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


_WEAK_ALONE = frozenset({"epoch", "date"})


def _plainly_a_level(word: str) -> bool:
    """ "ERROR", "[warn]", "error:" are levels; "debug interrupt ..." starts a sentence."""
    return word.isupper() or word[0] in "[<" or word.endswith(":")


# What a head read alone must open with: a time, or a level word. A cheap test that spares
# tokenizing the lines that cannot have one.
_OPENS_WITH_A_LEVEL = re.compile(
    r"[ \t]*[\[<]?(?i:trace|debug|info|notice|warn|warning|error|err|fatal|critical|crit|alert|"
    r"emerg|severe|panic)\b"
)


def _opens_a_head(line: str, now: datetime) -> bool:
    start = len(line) - len(line.lstrip(" \t"))
    at = start + 1 if line[start : start + 1] == "[" else start
    found = stamps.find(line, at)
    if found is not None and found[0].name not in _WEAK_ALONE:
        return True
    return _OPENS_WITH_A_LEVEL.match(line) is not None


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
    columns = _columns([row], now) if row else []
    # Alone, a line proves nothing by agreement: its head must open with a time or a level
    # word ("ERROR ...", "[warn] ..."), never a one-letter one ("A connection ...").
    if not columns or columns[0].kind not in (TIME, LEVEL):
        return Head(line, fitted=False), None
    if columns[0].family in _WEAK_ALONE:  # a lone 10-digit number is no proof of a time
        return Head(line, fitted=False), None
    if columns[0].kind == LEVEL and not _plainly_a_level(row[0].text):
        return Head(line, fitted=False), None
    model = HeaderModel(columns, now)
    head = model.read(line)
    if head is None:
        return Head(line, fitted=False), None
    head.fitted = False
    return head, model

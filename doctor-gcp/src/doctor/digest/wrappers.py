"""A paste's wrapping: what a viewer, a search or a chat printed before each line of the log.

People paste logs as their tools showed them. `less -N`, `cat -n` and an editor's gutter number
each line (`   812 │ `, `   812\t`, `   812 `); `grep -n` and `rg -n` put the file and the line
number before each match (`/var/log/app.log:5558:`) and each line of context
(`/var/log/app.log-5556-`), `grep -H` the file alone; a chat quotes each line (`> `). None of it
is the log's. Once most of a stream's first lines show one such shape, it is taken off every
line that carries it, before prefixes and heads are learned from what is left; a line without
it (the prose above a paste) stays as it is; grep's `--` between groups reads as a blank line.
No line is added or dropped, so `patterns --per-line` still names every input line.

A number is a line number only where the numbers climb from line to line, mostly by one (a pid,
a count or an hour does not); a search's file is one that more lines than one name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise

from .reading import Record

MIN_SHARE = 0.5  # of a stream's first non-blank lines, to take a wrapping as the stream's
LAYERS = 2  # a quoted paste of numbered lines: the quote, then the numbers
_LEARN_CHARS = 512  # of a sample line: a wrapping is at its start (and a long line costs)

Peel = Callable[[str], str]

# A viewer's line number: right-aligned after blanks, then a gutter ("│", "|"), a tab or a
# blank; or grep's and rg's for one file, at the line's start: ":" on a match, "-" on a line of
# context, before neither a digit nor a month ("01-Jul-2026", "08:00:01" are times).
_NUMBERED = re.compile(
    r"(?: *(?P<n>\d{1,7})(?P<gutter> ?[│┃] ?| \| |\t)| +(?P<m>\d{1,7})(?P<blank> )(?=\S)"
    r"|(?P<g>\d{1,7})(?P<grep>[:-])(?![\s\d])(?![A-Z][a-z]{2}[-/ ]))"
)
_CLIMBS = 0.9  # of the numbered lines' steps, upwards
_BY_ONE = 0.3  # ... and by exactly one (a viewer's: every line; grep's context: runs of them)
# A search's match, the file and the line number before it: "path:812:"; the file alone where
# it has a directory ("logs/app.log:"), so an exception's "java.lang.Error:" is none. (No two
# parts of a name can match the same characters: linear on any line.)
_MATCH = re.compile(r"([^\s:/.]*(?:[/.][^\s:/.]*)+):(?:(\d{1,9}):)?(?=\S)")
# ... but a compiler's or a linter's "src/app.py:12: error:", "main.c:12:5:" is the log's own
_LOCATED = re.compile(r"\d+:| ?(?:error|warning|note|fatal error|info|hint)\b")
_QUOTE = re.compile(r"> ?(?!>)|>$")


def unwrap(
    first: list[Record], stream: Iterator[Record], whole: bool
) -> tuple[list[Record], Iterator[Record]]:
    """A stream's first records and the rest, without the wrapping most of the first carry
    (`learn`); whole events (CloudWatch's) as they are."""
    peel = None if whole else learn([text for text, _ in first])
    if peel is None:
        return first, stream
    return [(peel(text), stamp) for text, stamp in first], _peeled(peel, stream)


def _peeled(peel: Peel, stream: Iterator[Record]) -> Iterator[Record]:
    # a generator function, not an expression: compiled by mypyc, a generator expression is a
    # list, which would read the whole input (stdin that stays open: forever) before an event
    for text, stamp in stream:
        yield peel(text), stamp


def learn(lines: Sequence[str]) -> Peel | None:
    """What takes the wrapping most of `lines` carry off a line, layer by layer; None when
    they carry none."""
    peels: list[Peel] = []
    sample = [line.rstrip("\r\n")[:_LEARN_CHARS] for line in lines if line.strip()]
    for _ in range(LAYERS):
        peel = _quoted(sample) or _searched(sample) or _numbered(sample)
        if peel is None:
            break
        peels.append(peel)
        sample = [peel(line) for line in sample]
    if not peels:
        return None
    if len(peels) == 1:
        return peels[0]
    outer, inner = peels

    def both(line: str) -> str:
        return inner(outer(line))

    return both


def _enough(carried: int, sample: Sequence[str]) -> bool:
    return carried >= 4 and carried >= MIN_SHARE * len(sample)


def _quoted(sample: Sequence[str]) -> Peel | None:
    quoted = sum(_QUOTE.match(line) is not None for line in sample if line.startswith(">"))
    if not _enough(quoted, sample):
        return None  # (a REPL's ">>>", a diff's "> " among "<" lines: no chat's)

    def peel(line: str) -> str:
        found = _QUOTE.match(line) if line.startswith(">") else None
        return line[found.end() :] if found is not None else line

    return peel


def _numbered(sample: Sequence[str]) -> Peel | None:
    shapes: Counter[str] = Counter()
    numbers: list[int] = []
    for line in sample:
        found = _NUMBERED.match(line)
        if found is not None:
            numbers.append(int(found["n"] or found["m"] or found["g"]))
            shapes[_shape(found)] += 1
    if not _enough(len(numbers), sample) or not _climbing(numbers):
        return None
    # only lines in the learned gutter's shape: prose above a paste ("10:15 we saw") keeps its
    # numbers; grep's "--" between groups is no line
    shape = shapes.most_common(1)[0][0]

    def peel(line: str) -> str:
        if line[:1] not in " 0123456789":
            return _gap(line) if shape == "grep" else line
        found = _NUMBERED.match(line)
        if found is None or _shape(found) != shape:
            return line
        return line[found.end() :]

    return peel


def _shape(found: re.Match[str]) -> str:
    """A numbered line's gutter: its separator, or grep's."""
    return found["gutter"] or found["blank"] or "grep"


def _gap(line: str) -> str:
    """grep's "--" between groups of matches is no line of the log: a blank one."""
    return "" if line.rstrip() == "--" else line


def _climbing(numbers: Sequence[int], by_one: float = _BY_ONE) -> bool:
    steps = [after - before for before, after in pairwise(numbers)]
    return bool(steps) and (
        sum(step > 0 for step in steps) >= _CLIMBS * len(steps)
        and sum(step == 1 for step in steps) >= by_one * len(steps)
    )


def _searched(sample: Sequence[str]) -> Peel | None:
    numbers: dict[str, list[int | None]] = {}
    for line in sample:
        found = _MATCH.match(line)
        if (
            found is not None
            and _LOCATED.match(line, found.end()) is None
            and (found[2] is not None or "/" in found[1])
        ):
            numbers.setdefault(found[1], []).append(int(found[2]) if found[2] else None)
    # a file named on more lines than one, whose line numbers climb (a time's "_13:53:" is none)
    named = [
        path
        for path, seen in numbers.items()
        if len(seen) > 1
        and (
            all(n is None for n in seen)
            or (None not in seen and _climbing([n for n in seen if n is not None], by_one=0.0))
        )
    ]
    if not named:
        return None
    heads = tuple(sorted(named, key=len, reverse=True))
    context = {path: re.compile(re.escape(path) + r"(?::\d{1,9}:|-\d{1,9}-|:)") for path in named}
    if not _enough(sum(_behind(line, heads, context) is not None for line in sample), sample):
        return None

    def peel(line: str) -> str:
        if line.startswith(heads):
            end = _behind(line, heads, context)
            return line[end:] if end is not None else line
        return _gap(line)

    return peel


def _behind(line: str, heads: tuple[str, ...], context: dict[str, re.Pattern[str]]) -> int | None:
    """Where a search's file and line number end on `line`; None when it shows neither."""
    for path in heads:  # the longest first: "a/app.log.1" before "a/app.log"
        if line.startswith(path):
            found = context[path].match(line)
            if found is not None:
                return found.end()
    return None

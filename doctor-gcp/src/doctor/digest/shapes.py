"""Where a paste changes source without saying so: logs of one program, then another's pasted
below them with no banner or command between (the output of two commands, the prompts left
out). The heads learned from the first lines read none of the second's; a section of its own
starts where they stop.

A line's shape is what its first characters are made of (letters, digits, blanks, the marks
between them), each run of letters, digits or blanks counted once: "Nov 18 11:02:06.248: …"
is `a 9 9:`, "[pod/api-7d9f/…" is `[a/a-9`, "2025-11-18T10:02:05Z …" is `9-9-9a`. A source writes
its lines in a few shapes; a run of lines in shapes the current source's lines never took,
that its prefix and heads do not fit, with a prefix or a head and a time of their own, is
another source's.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence

SHAPE_CHARS = 24  # a line's first characters, where its head is
SHAPE_RUNS = 6  # runs of one kind of character that make a shape
RUN_LINES = 30  # lines of a run that tell a new source (a foreign line and those after it)
RUN_SHARE = 0.9  # ... of which at least this share is foreign

_CLASSES = str.maketrans(
    {
        **dict.fromkeys(string.ascii_letters, "a"),
        **dict.fromkeys(string.digits, "9"),
        "\t": " ",
    }
)
_RUNS = re.compile(r"(?<=a)a+|(?<=9)9+|(?<= ) +")  # repeats of a kind, after the first
# A head's time, near the start of its line: a time of day, or epoch seconds or millis. A run
# of lines most of which hold none starts no section (a cheap test before any learning).
_TIME_NEAR_START = re.compile(r"^.{0,80}?(?:\d:\d\d:\d\d|(?<!\d)1\d{9})")


def shape(text: str) -> str:
    """The shape of a line's first characters (see the module doc)."""
    return _RUNS.sub("", text[:SHAPE_CHARS].translate(_CLASSES))[:SHAPE_RUNS]


def indented(text: str) -> bool:
    """A line that goes on the one before (a stack frame, a wrapped message): no head."""
    return text[:1] in (" ", "\t") or not text.strip()


def shapes(lines: Iterable[str]) -> frozenset[str]:
    """The shapes a source's lines take (their indented lines aside)."""
    return frozenset(shape(line) for line in lines if not indented(line))


def opens_another(line: str, known: frozenset[str]) -> bool:
    """Whether a line may open another source's lines: a head, in a shape `known` never took,
    with a time near its start."""
    return (
        not indented(line) and shape(line) not in known and _TIME_NEAR_START.match(line) is not None
    )


def foreign_run(lines: Iterable[str], known: frozenset[str]) -> bool:
    """Whether the lines (a foreign one and those after it) go on in shapes `known` never took:
    `RUN_SHARE` of `RUN_LINES` with a head, at least."""
    heads = [line for line in lines if not indented(line)][:RUN_LINES]
    if len(heads) < RUN_LINES:
        return False
    return sum(shape(line) not in known for line in heads) >= RUN_SHARE * RUN_LINES


def timed(lines: Sequence[str]) -> bool:
    """Whether most of the lines hold a time near their start (see `_TIME_NEAR_START`)."""
    return 3 * sum(_TIME_NEAR_START.match(line) is not None for line in lines) >= 2 * len(lines)


def run_end(lines: Sequence[str]) -> int:
    """Where the source whose lines open `lines` gives way to another's (a foreign run, as
    its first `RUN_LINES` lines with a head tell its shapes); len(lines) where it does not."""
    known = shapes([line for line in lines if not indented(line)][:RUN_LINES])
    found = [i for i, line in enumerate(lines) if not indented(line)]
    for n, i in enumerate(found[RUN_LINES:], RUN_LINES):
        if shape(lines[i]) not in known and foreign_run(
            (lines[j] for j in found[n : n + RUN_LINES]), known
        ):
            return i
    return len(lines)

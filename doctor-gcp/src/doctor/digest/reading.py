"""What sources hand the parser, and what reading it allows and counts.

A `Record` is a text and the time its source knew for it, if any: a line, or a whole event (a
CloudWatch event). Sources and the parser share the line limit and its mark: a source that cuts
a line itself marks it the way the parser does, so the parser counts both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

MAX_LINE_CHARS = 256 * 1024  # a longer line is cut, and says so
CUT_MARK = " … [line cut at 256 KiB]"

Record = tuple[str, datetime | None]


def untimed(lines: Iterable[str]) -> Iterator[Record]:
    """Lines as records without a time, one at a time. A generator function: mypyc builds a
    generator expression's items all at once, which would read a whole stream first."""
    for line in lines:
        yield line, None


@dataclass(slots=True)
class ParseStats:
    """What reading the input took: lines, lines that held no text, lines cut."""

    lines: int = 0
    binary_lines: int = 0
    cut_lines: int = 0

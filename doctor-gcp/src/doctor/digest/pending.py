"""An event still open to the lines that continue it, and how it closes into a `LogEvent`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from .anatomy import GO_DUMP, NO_STACK, is_frame, next_stack_mode
from .levels import at_least, infer_level
from .redact import Redactor
from .types import Level, LogEvent

MAX_EVENT_LINES = 400  # a longer stack adds nothing a diagnosis needs, and memory stays bounded
MAX_EVENT_CHARS = 100_000


class Held(NamedTuple):
    """A line held until the next one says whether it joins the event before it (an error's
    first line joins only if frames follow), with what its prefix said of it."""

    number: int
    text: str
    stamp: datetime | None = None  # the aggregator's time for it
    floor: Level | None = None  # the least level its prefix gave it


@dataclass(slots=True)
class OpenEvent:
    """An event still open to continuation lines."""

    first_line: int
    lines: list[str]
    level: Level | None
    timestamp: datetime | None
    service: str | None
    line_numbers: list[int] = field(default_factory=list)
    chars: int = 0
    mode: int = NO_STACK  # the kind of stack this event is in the middle of, if any
    blanks: list[int] = field(default_factory=list)  # blank lines held until more follows
    dropped: int = 0
    panic: bool = False
    tentative: Held | None = None  # an exception line that needs frames to join
    last_line: int = 0
    follows: bool = False  # its head line ended in ":" or nothing: the message comes below
    redacted: bool = False  # its first line was redacted as it was read
    whole_redacted: bool = False  # all of it was (a record read whole)
    bare: bool = False  # its first line is a head alone: an indented line below is its message
    # Where no level is named: at least this one (a syslog or journald priority), which raises
    # the level its words give when it closes ("code=dumped" is an error at any priority)
    floor: Level | None = None

    @classmethod
    def opening(
        cls,
        number: int,
        message: str,
        level: Level | None,
        timestamp: datetime | None,
        service: str | None,
    ) -> OpenEvent:
        """The event a line opens, holding that line."""
        return cls(
            number,
            [message],
            level,
            timestamp,
            service,
            line_numbers=[number],
            chars=len(message),
            last_line=number,
        )

    def mark(self, line: str) -> None:
        self.mode = mode = next_stack_mode(self.mode, line)
        if mode == GO_DUMP:
            self.panic = True

    def add(self, number: int, line: str) -> None:
        if self.bare and not self.blanks and line[:1] in (" ", "\t") and not is_frame(line):
            # .NET's "fail: Orders.Api.OrderController[0]" then its message, indented: the head
            # line named the level and the service; the message is what is read and mined.
            self.lines, self.chars, self.redacted = [], 0, False
            line = line.lstrip(" \t")
        self.bare = False
        for blank in self.blanks:
            self._append(blank, "")
        self.blanks = []
        self.mark(line)
        self._append(number, line)

    def extend(self, number: int, rest: str) -> None:
        """The rest of the event's last line, which its source wrote as a line of its own (a
        container runtime splits long lines). Redacted with the rest of the event on close: a
        secret may span the split."""
        self.line_numbers.append(number)
        self.last_line = number
        self.redacted = False
        if not self.dropped and self.chars + len(rest) <= MAX_EVENT_CHARS:
            self.lines[-1] += rest
            self.chars += len(rest)

    def _append(self, number: int, line: str) -> None:
        self.line_numbers.append(number)
        self.last_line = number
        if len(self.lines) >= MAX_EVENT_LINES or self.chars + len(line) > MAX_EVENT_CHARS:
            self.dropped += 1
            return
        self.lines.append(line)
        self.chars += len(line) + 1

    def close(self, redactor: Redactor) -> LogEvent:
        """The finished event, redacted; numbered later, when handed on in input order."""
        lines = self.lines
        if self.dropped:
            lines.append(f"... [{self.dropped} more lines truncated]")
        message = "\n".join(lines) if len(lines) > 1 else lines[0]
        level = self.level
        if level is None:
            level = at_least(infer_level(message), self.floor) or Level.INFO
        elif self.panic and level < Level.ERROR:
            level = Level.ERROR  # a Go panic joined to an ordinary line is still a crash
        numbers = self.line_numbers
        contiguous = numbers[-1] - numbers[0] + 1 == len(numbers)
        alone = self.whole_redacted or (len(lines) == 1 and self.redacted)  # nothing left to do
        return LogEvent(
            0,
            message if alone else redactor.redact(message),
            level,
            self.timestamp,
            self.service,
            first_line=numbers[0],
            line_count=len(numbers),
            line_numbers=None if contiguous else numbers,
        )

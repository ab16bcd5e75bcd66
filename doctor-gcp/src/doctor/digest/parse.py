"""Parse log lines (JSON or plain text) into redacted `LogEvent`s, one per logical event.

Event boundaries: every line is its own event, unless it is a recognised continuation of the
event before it (`anatomy`: stack frames in any language, `Caused by:`, `... N more`, a
traceback's body and closing exception, a Go dump, an indented line inside a stack). A qualified
exception line (`java.lang.ClassCastException: ...`) joins the event before it only when stack
frames follow it. A record that a source hands over whole (a CloudWatch event) is one event: it
is never split, nor merged with another.

The parser is built in layers, each a base class of the next so the line loop calls every
method as its own: `service_heads` reads a line's head (time, level, service) with the heads
learned from the stream's first lines; `assembly` opens, closes and orders events; `whole`
takes the lines a runtime split, another record wraps or a source hands over whole; `sections`
reads what a paste holds above its lines (an export's rows, JSON printed over several lines, a
terminal session's commands); this module decides, line by line, which event a line belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import chain, islice

from . import kernel, wrappers
from .anatomy import (
    BLANK_LINE_MODES,
    EXCEPTION_CLASS,
    JVM_CAUSED_BY,
    JVM_SUPPRESSED,
    KERNEL_MEMORY,
    NO_STACK,
    OMITTED_FRAMES,
    OPEN_ENDED_MODES,
    STACK_CONTINUATIONS,
    continues_stack,
    is_frame,
    may_touch_stack,
)
from .banners import SECTION_OPENS, tailed_file
from .pending import Held, OpenEvent
from .prefixes import Prefix
from .reading import CUT_MARK, MAX_LINE_CHARS, Record, untimed
from .redact import Redactor
from .sections import SAMPLE_LINES, SectionReader, commands
from .service_heads import NOT_A_HEAD
from .types import Level, LogEvent

IDLE_LINES = 64  # an open event of a quiet service closes after this many lines of others
# What may follow an error's first line and make it part of the event before: its stack.
FOLLOW_AN_ERROR = (JVM_CAUSED_BY, JVM_SUPPRESSED, *STACK_CONTINUATIONS)


# "AccessDenied: Access Denied", "error: insert or update ...": the first line of an error as
# Node, Go and many SDKs print it; in a source whose lines carry heads, frames may follow.
_ERROR_NAME = re.compile(r"[A-Za-z_$][\w$]*: ")
# "org.springframework...WebClientResponseException$ServiceUnavailable: 503 ...": a qualified
# class that does not end in Exception or Error.
_QUALIFIED_NAME = re.compile(r"[a-z][\w]*(?:\.[\w$]+){2,}: ")


class LogParser(SectionReader):
    """Turns records into events; `redactor.counts` holds what was redacted so far."""

    def __init__(
        self,
        redactor: Redactor | None = None,
        *,
        now: datetime | None = None,
        at_hand: bool = False,
    ) -> None:
        super().__init__(redactor if redactor is not None else Redactor(), now or datetime.now(UTC))
        self._at_hand = at_hand  # the whole input is there: reading ahead keeps no one waiting

    # --- entry points

    def parse(self, lines: Iterable[str]) -> Iterator[LogEvent]:
        return self.parse_records(untimed(lines))

    def parse_records(
        self, records: Iterable[Record], *, whole: bool = False
    ) -> Iterator[LogEvent]:
        """Events from records. With `whole`, each record is one event (a CloudWatch event);
        otherwise each record is a line. A record's time is the event's when its text names
        none."""
        stream: Iterator[Record] = iter(records)
        first = list(islice(stream, SAMPLE_LINES))
        first, stream = wrappers.unwrap(first, stream, whole)
        if not whole and self._clocks is None:
            stream = self._clock(first, stream)
        source = chain(self._sampled(first, whole), stream)
        while True:
            for text, stamp in source:
                if whole or "\n" in text.rstrip("\r\n"):
                    self._whole(text, stamp)
                elif text[:3] in SECTION_OPENS and (path := tailed_file(text)) is not None:
                    if path in self._files:
                        self._next_file(path, [])
                        continue
                    # A new file: its heads are learned from the lines ahead. What is left of
                    # lines read ahead before is fewer than this takes: the rest is
                    # `stream`'s, and chains never nest.
                    ahead = list(islice(source, SAMPLE_LINES))
                    source = chain(ahead, stream)
                    self._next_file(path, [text.split("\n", 1)[0] for text, _ in ahead])
                    break
                elif (
                    text.startswith("$ ")
                    and commands(text)
                    and self.stats.lines
                    and self._block is None
                ):
                    # A shell command pasted with its output (chains never nest, as above)
                    left = self._command(text, stamp, list(islice(source, SAMPLE_LINES)))
                    source = chain(left, stream)
                    break
                elif self._foreign(text):
                    # Perhaps another source's lines, pasted below without a banner (`shapes`).
                    # (The read-ahead is as the command's above: chains never nest.)
                    left = self._shift_at(text, stamp, list(islice(source, SAMPLE_LINES)))
                    source = chain(left, stream)
                    break
                else:
                    self._read(text, stamp)
                if self._done:
                    yield from self._ready()
            else:
                break
            if self._done:
                yield from self._ready()
        self._end()
        yield from self._ready(final=True)

    # --- lines

    def _next_file(self, path: str, ahead: list[str]) -> None:
        """A `tail` header: the file's lines follow (the header line itself is no event). Each
        file's open event stays open: `tail -f` prints a file's lines as they come, so a stack
        may go on after another file's lines."""
        self.stats.lines += 1
        self._writer = None
        self._shapes = None  # files named by their banners: no change of source is guessed
        self._tail_file(path, ahead)
        self._enter((self._section, path))

    def _line(self, number: int, raw: str, stamp: datetime | None) -> None:
        text = self._readable(raw)
        if text is None:
            return
        floor: Level | None = None
        if self._prefix is None:
            agg, body = self._file, text
        else:
            read = self._behind_prefix(self._prefix, number, text, stamp)
            if read is None:
                return
            agg, body, stamp, floor = read
        if body[:1] in ("[", "{"):
            read = self._own_line(agg, number, body, stamp, floor)
            if read is None:
                return
            agg, body, stamp, floor = read
        if number % IDLE_LINES == 0:
            self._close_idle(number)
        pending = self._open.get(agg)
        if not body.strip() or (len(body) < 3 and body.strip() in "[]"):
            # (a lone bracket opens or closes a JSON array of records: no event of its own)
            self._blank(agg, number)
            return
        if pending is not None and pending.tentative is not None:
            if self._resolve_tentative(agg, pending, number, body):
                return
            pending = self._open[agg]
        if pending is not None:
            if self._joins(agg, pending, number, body, (stamp, floor)):
                return
            self._close(agg)
        self._start(agg, number, body, stamp, floor=floor)

    def _behind_prefix(
        self, prefix: Prefix, number: int, text: str, stamp: datetime | None
    ) -> tuple[str | None, str, datetime | None, Level | None] | None:
        """Who wrote a line behind the stream's prefix, its own line, time and floor; None when
        it is the rest of a line the runtime split (taken already)."""
        agg, body, aggregated, floor, stream, partial, source, naive = prefix.read(text)
        if naive and aggregated is not None:
            if self._zone:
                aggregated -= self._zone  # a syslog time is its host's local time
            elif self._prefix_utc:
                pass  # its neighbours show it in UTC: the note names other hosts' zone
            elif self._shift:
                aggregated -= self._shift  # its section's host's (see `clocks`)
            elif self._noting is not None:
                self._noting.naive.add(number)
        if source is not None:
            agg = self._source(source, agg)
        elif body is text and prefix.bare_rest and not self._has_head(None, text):
            # A line with neither the stream's prefix nor a head of its own is the rest of
            # what its last writer printed; one with a head is another format's.
            agg = self._writer
        agg = self._writer = agg or self._file
        if self._split_line(agg, stream, number, body, partial):
            return None
        return agg, body, stamp or aggregated, floor

    def _joins(
        self,
        agg: str | None,
        pending: OpenEvent,
        number: int,
        body: str,
        tags: tuple[datetime | None, Level | None],
    ) -> bool:
        """Whether the line is taken by the open event: added to it, or held as an error line
        that joins it only if frames follow; `tags`: the line's time and floor from its prefix,
        kept with a held line."""
        if pending.mode == NO_STACK and body[0] not in " \t" and not may_touch_stack(body):
            # Most lines of a log, decided with one match: an ordinary line after an ordinary
            # event continues it only where that event's message comes below its head, and
            # may only be an error's first line by its name.
            continues = pending.follows and self._continues(agg, pending, body)
            held = not continues and self._names_an_error(agg, body)
        else:
            continues = self._continues(agg, pending, body)
            held = not continues and self._may_be_error_line(agg, pending, body)
        if not (continues or held) and (
            report := kernel.report_line(body, in_tables=pending.mode == KERNEL_MEMORY)
        ):
            body, continues = report, True
        if continues:
            pending.add(number, body)
        elif held:
            pending.tentative = Held(number, body, *tags)
        return continues or held

    def _close_idle(self, number: int) -> None:
        for agg, pending in list(self._open.items()):
            if number - pending.last_line > IDLE_LINES:
                self._close(agg)

    def _readable(self, text: str) -> str | None:
        """The line as it is read: None for a binary one, cut when it is too long."""
        self.stats.lines += 1
        text = text.rstrip("\r\n")
        if "\x00" in text:
            self.stats.binary_lines += 1
            return None
        if len(text) > MAX_LINE_CHARS + len(CUT_MARK):
            text = text[:MAX_LINE_CHARS] + CUT_MARK
        if text.endswith(CUT_MARK):  # cut here, or by the source that read it
            self.stats.cut_lines += 1
        return text

    def _blank(self, agg: str | None, number: int) -> None:
        pending = self._open.get(agg)
        if pending is None:
            return
        if pending.mode in BLANK_LINE_MODES or pending.follows:
            pending.blanks.append(number)  # kept if more of the event follows
        elif pending.tentative is None:
            self._close(agg)  # a blank line outside a stack ends the event before it

    def _resolve_tentative(
        self, agg: str | None, pending: OpenEvent, number: int, body: str
    ) -> bool:
        """Decide the held error line by the line after it; True when that line is taken."""
        if pending.tentative is None:
            return False
        held = pending.tentative
        pending.tentative = None
        if is_frame(body) or body.startswith(FOLLOW_AN_ERROR) or OMITTED_FRAMES.match(body):
            pending.add(held.number, held.text)
            pending.add(number, body)
            return True
        # No stack followed: the held line is an event of its own, and this line is read
        # against it like against any other.
        self._close(agg)
        self._start(agg, held.number, held.text, held.stamp, floor=held.floor)
        return False

    def _continues(self, agg: str | None, pending: OpenEvent, line: str) -> bool:
        """Whether `line` (indentation kept) continues `pending`."""
        headed = self._headed.get(agg, False)
        if line[0] in " \t":
            if is_frame(line) or pending.mode != NO_STACK:
                return True
            # Where records start with a head, an indented line without one is the record's
            # own (PostgreSQL's "\tProcess 123 waits ...", JDBC's "  Detail: ..."). One space is
            # no indent: " getTodayTotalDetailSteps = ..." is a message that starts with one.
            indented = line.startswith(("\t", "  "))
            return indented and headed and not self._has_head(agg, line)
        if pending.mode == NO_STACK and EXCEPTION_CLASS.match(line):
            return False  # joins only when frames follow (see `tentative`)
        if continues_stack(pending.mode, line):
            return True
        open_ended = pending.follows or pending.mode in OPEN_ENDED_MODES
        return open_ended and headed and not self._has_head(agg, line)

    def _may_be_error_line(self, agg: str | None, pending: OpenEvent, line: str) -> bool:
        """An error's first line, which joins the event before it only if frames follow."""
        if line[0] in " \t" or pending.mode != NO_STACK or line.startswith(NOT_A_HEAD):
            return False
        return EXCEPTION_CLASS.match(line) is not None or self._names_an_error(agg, line)

    def _names_an_error(self, agg: str | None, line: str) -> bool:
        if _QUALIFIED_NAME.match(line):
            return True
        # "error: insert or update ..." below a head; not "ERROR:    Exception in ASGI
        # application" where the source's heads are a level word (uvicorn's): a record's own
        return (
            self._headed.get(agg, False)
            and _ERROR_NAME.match(line) is not None
            and not self._has_head(agg, line)
        )

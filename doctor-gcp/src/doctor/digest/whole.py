"""Lines that are not simply the next line of their stream: one a runtime split in two
(CRI's "P"), one another record wraps (journald's, Docker's JSON), a record a source hands
over whole (a CloudWatch event, never split nor merged), and a JSON block's records."""

from __future__ import annotations

from datetime import datetime

from . import kernel
from .assembly import EventAssembler
from .blocks import Block, Span
from .jsonlog import record_event
from .levels import at_least
from .reading import MAX_LINE_CHARS
from .types import Level
from .winevent import may_be_event
from .wrapped import wrapped_line


class WholeRecords(EventAssembler):
    """The parser's layer for wrapped, split and whole records (see `parse`)."""

    def _split_line(
        self, agg: str | None, stream: str | None, number: int, body: str, partial: bool
    ) -> bool:
        """Whether the line is the rest of one the runtime split (CRI's "P"), now appended to
        it. A split line opens or continues its event as usual, then waits for its rest, which
        is its writer's next line (other writers' lines may come between); if a line of the
        writer's other stream came between or the split line is held, the rest is read as a
        line of its own."""
        pending = self._open.get(agg)
        split = self._split.pop(agg, None)
        if partial:
            self._split[agg] = (stream, number)
        # the writer's own next line, whatever other writers' lines came between
        rest = (
            split is not None
            and split[0] == stream
            and pending is not None
            and pending.tentative is None
            and pending.last_line == split[1]
        )
        if rest and pending is not None:
            pending.extend(number, body)
        return rest

    def _own_line(
        self, agg: str | None, number: int, text: str, stamp: datetime | None, floor: Level | None
    ) -> tuple[str | None, str, datetime | None, Level | None] | None:
        """The line its writer wrote, for a line that opens with "[" or "{": without the
        kernel's printk time (a head field), or the line a JSON record wraps (journald's,
        Docker's), read as its writer's. Who wrote it, the line, its time and floor (the line
        as it is otherwise), or None when it is the rest of a line the runtime split (taken
        already)."""
        if text[0] == "[":
            return agg, kernel.without_printk_time(text), stamp, floor
        wrapped = wrapped_line(text)
        if wrapped is None:
            return agg, text, stamp, floor
        writer = self._source(f"{agg}\x00{wrapped.writer}", wrapped.service or agg)
        if self._split_line(writer, None, number, wrapped.text, wrapped.partial):
            return None
        return writer, wrapped.text, wrapped.stamp or stamp, at_least(wrapped.floor, floor)

    def _whole(self, text: str, stamp: datetime | None) -> None:
        """A record that is a whole event, or arrives already grouped: never split, never
        merged with the lines around it (those open are closed first)."""
        self._close_all()
        first = self.stats.lines
        if "\x00" not in text:
            # Redacted whole: a secret may span its lines (a PEM key).
            text = self.redactor.redact(text)
        parts = [part.rstrip("\r") for part in text.rstrip("\r\n").split("\n")]
        self.stats.lines += len(parts)
        while parts and not parts[0].strip():
            parts.pop(0)
            first += 1
        if not parts or "\x00" in parts[0]:
            self.stats.binary_lines += bool(parts)
            return
        self._start(None, first, parts[0][:MAX_LINE_CHARS], stamp, redacted=True)
        pending = self._open[None]
        # all of it was redacted above, unless its message was rebuilt from the fields of an
        # XML event (a `<Data Name="Password">` only reads as one once rebuilt)
        pending.whole_redacted = not may_be_event(parts[0].strip())
        for offset, part in enumerate(parts[1:], start=first + 1):
            if part.strip():
                pending.add(offset, part[:MAX_LINE_CHARS])
            else:
                pending.blanks.append(offset)
        for blank in pending.blanks:  # a whole record keeps even its trailing blank lines
            pending.line_numbers.append(blank)
        pending.blanks = []
        self._close(None)

    def _block_records(self, block: Block, spans: list[Span]) -> None:
        """The records of a JSON block (see `blocks`), each an event over its own lines; the
        block's other lines are no event."""
        self._close_all()
        first = self.stats.lines
        self.stats.lines += len(block.lines)
        for span in spans:
            pending = record_event(
                first + span.first, span.record, lambda t: self._head(None, t), None
            )
            pending.line_numbers = list(range(first + span.first, first + span.last + 1))
            pending.last_line = first + span.last
            pending.service = self._named(None, pending.service)
            self._open_event(None, pending, block.stamps[span.first])
            self._close(None)

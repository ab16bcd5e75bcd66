"""How a pasted stream is laid out, above its lines: an export's CSV rows, JSON records printed
over several lines (`blocks`), and a terminal session's commands, each followed by what it
printed (a section of its own, whose prefix and heads are learned from its lines).

A paste's sections also tell the zone of times that name none (`clocks`, `notes`).

A base class of the parser (see `parse`), which reads each line with `_line`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import chain, islice

from .banners import SECTION_OPENS, tailed_file
from .blocks import Block, opens_block
from .clocks import Clocks, SectionKey
from .exports import CsvRows, Row, as_record, csv_columns, header_at
from .notes import noted_zone
from .reading import Record
from .redact import Redactor
from .stream_dates import years_before
from .types import LogEvent
from .whole import WholeRecords

LOOKAHEAD = 5_000  # a paste's first lines, whose sections' zones are told from their times


def _sections(line: str) -> bool:
    """Whether a line opens a paste's section: a `tail` header, a banner or a shell command."""
    if line[:3] in SECTION_OPENS:
        return tailed_file(line) is not None
    return line.startswith("$ ") and commands(line)


def commands(line: str) -> bool:
    """Whether a line that opens with "$ " is a shell's prompt and a command ("$ kubectl …",
    "$ ./run.sh"), not a price or a variable ("$ 12.50 charged")."""
    return line[2:3].isalpha() or line[2:3] in "./~"


class SectionReader(WholeRecords):
    """The parser's records above the line: CSV rows, JSON blocks, sections."""

    def __init__(self, redactor: Redactor, now: datetime) -> None:
        super().__init__(redactor, now)
        self._writer: str | None = None  # whose line, behind a prefix, came last
        self._csv: CsvRows | None = None  # the rows of an Insights CSV export
        self._block: Block | None = None  # a JSON record printed over several lines, so far
        self._section = 0  # the commands pasted so far

    _at_hand = False  # the parser's: the whole input is there

    def _line(self, number: int, raw: str, stamp: datetime | None) -> None:
        raise NotImplementedError  # the parser's

    def parse_records(
        self, records: Iterable[Record], *, whole: bool = False
    ) -> Iterator[LogEvent]:
        raise NotImplementedError  # the parser's

    def _clock(self, first: list[Record], stream: Iterator[Record]) -> Iterator[Record]:
        """The zones of a paste's times that name none, from its notes and its sections (see
        `clocks`); the records after `first`."""
        noted = noted_zone([text for text, _ in first], self._now)
        # A stream read as it comes (`tail -f … | cloud-doctor`) must not wait for thousands
        # of lines: its sections must show in its first ones. A file's may start further down.
        ahead = first + list(islice(stream, LOOKAHEAD - len(first))) if self._at_hand else first
        # A paste may open with a section whose times name no year (syslog's) above the dated
        # ones: those tell its year.
        self._stream_years = years_before([text for text, _ in ahead], self._now)
        if any(_sections(text) for text, _ in ahead):
            # A paste of several files or commands: its first lines are read twice, first to
            # tell each section's zone from the others' times
            if ahead is first:
                ahead = first + list(islice(stream, LOOKAHEAD - len(first)))
            self._tell_zones(ahead, noted)
            return chain(ahead[len(first) :], stream)
        if ahead is not first:
            stream = chain(ahead[len(first) :], stream)
        if noted:
            self._clocks = Clocks({}, noted)
            self._shift = noted
        return stream

    def _tell_zones(self, ahead: list[Record], noted: timedelta | None) -> None:
        """Each section's zone, from a first reading of a paste's first lines; the zone its
        notes name, for the others."""
        first = type(self)(Redactor(pii=self.redactor.pii), now=self._now)
        first._clocks = first._noting = clocks = Clocks()
        first._stream_years = self._stream_years
        zones = clocks.told(list(first.parse_records(ahead)))
        if zones or noted:
            self._clocks = Clocks(zones, noted)
            self._shift = self._clocks.zone((0, None))

    def _read(self, text: str, stamp: datetime | None) -> None:
        if self._block is not None or (text[:1] in "{ " and opens_block(text)):
            self._block_line(text, stamp)
        elif self._csv is None:
            self._line(self.stats.lines, text, stamp)
        else:
            self._csv_read(text, stamp)

    def _csv_read(self, text: str, stamp: datetime | None) -> None:
        if self._csv is not None and (row := self._csv.feed(text.rstrip("\r\n"))) is not None:
            self._csv_line(row, stamp)

    def _end(self) -> None:
        if self._block is not None:  # the input ended inside a block: its lines as lines
            self._replay(self._block)
        if self._csv is not None:  # the input ended inside a quote
            self._csv_line(Row(self._csv.flush(), None), None)
        self._close_all()

    def _new_section(self) -> None:
        """What the last command printed has ended: its events close, an export ends."""
        self._end()
        self._csv = None
        self._file = self._writer = None
        self._next_zone()

    def _next_zone(self) -> None:
        """A command's output starts: its times' zone is its own."""
        self._section += 1
        self._enter((self._section, None))

    def _enter(self, key: SectionKey) -> None:
        """The lines from here on are a section's (a command's output, a tailed file): its
        zone-less times are read in its zone, once told (`clocks`)."""
        clocks = self._clocks
        if clocks is None:
            return
        if clocks.noting:
            clocks.starts.append((self.stats.lines, key))
        else:
            self._shift = clocks.zone(key)

    def _sampled(self, sample: list[Record], whole: bool) -> list[Record]:
        """Learn the stream's heads from its first records; those left to read (an Insights
        CSV export's header line is no event)."""
        self._learn([text.split("\n", 1)[0] for text, _ in sample])
        at = None if whole else header_at([text for text, _ in sample])
        if at is None:
            return sample
        # Lines above the header (the shell command that printed the file) are lines of
        # their own; the header is no event.
        for text, stamp in sample[:at]:
            self._line(self.stats.lines, text, stamp)
        self._csv = CsvRows(csv_columns(sample[at][0]) or [])
        self.stats.lines += 1
        return sample[at + 1 :]

    def _block_line(self, text: str, stamp: datetime | None) -> None:
        """A line of a JSON record printed over several lines (see `blocks`)."""
        block = self._block
        if block is None:
            self._block = Block(text, stamp)
        elif block.add(text, stamp):
            self._block = None
            spans = block.records()
            if spans is None:
                self._replay(block)
            else:
                self._block_records(block, spans)
        elif block.full:
            self._replay(block)

    def _replay(self, block: Block) -> None:
        """A block's lines read as the lines they are: they hold no JSON record. None of them
        opens another block (each line is read once, and none is held back again)."""
        self._block = None
        for text, stamp in zip(block.lines, block.stamps, strict=True):
            if self._csv is None:
                self._line(self.stats.lines, text, stamp)
            else:
                self._csv_read(text, stamp)

    def _csv_line(self, row: Row, stamp: datetime | None) -> None:
        record = as_record(row)
        if record is None:  # no row of the export: its lines are read as lines
            for line in row.lines:
                self._line(self.stats.lines, line, stamp)
        elif "\n" in record:
            self._whole(record, stamp)
        else:
            self._line(self.stats.lines, record, stamp)

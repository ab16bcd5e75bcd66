"""How a pasted stream is laid out, above its lines: an export's CSV rows, JSON records printed
over several lines (`blocks`), and a terminal session's commands, each followed by what it
printed (a section of its own, whose prefix and heads are learned from its lines); where no
banner or command says so, a run of lines another source wrote (`shapes`) is a section too.

A paste's sections also tell the zone of times that name none (`clocks`, `notes`).

A base class of the parser (see `parse`), which reads each line with `_line`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import chain, islice

from . import headers, prefixes
from .banners import SECTION_OPENS, tailed_file
from .blocks import Block, opens_block
from .clocks import Clocks, SectionKey
from .exports import CsvRows, Row, as_record, csv_columns, header_at
from .notes import noted_zone
from .reading import Record
from .redact import Redactor
from .shapes import (
    RUN_LINES,
    RUN_SHARE,
    foreign_run,
    indented,
    opens_another,
    run_end,
    shapes,
    timed,
)
from .stream_dates import latest_date, years_after
from .types import LogEvent
from .whole import WholeRecords

LOOKAHEAD = 5_000  # a paste's first lines, whose sections' zones are told from their times
MIN_SECTION_LINES = 20  # a command's output this long, at least, has its heads learned
SAMPLE_LINES = 200  # the first lines of a stream, from which its heads are learned
_STRIDE = 10  # a first look at every tenth line's shape (see `_unannounced`)


def _sections(line: str) -> bool:
    """Whether a line opens a paste's section: a `tail` header, a banner or a shell command."""
    if line[:3] in SECTION_OPENS:
        return tailed_file(line) is not None
    return line.startswith("$ ") and commands(line)


def _unannounced(texts: list[str]) -> bool:
    """Whether another source's lines follow the first ones with no banner or command between
    (`shapes`): a first look, for the zones of a file at hand's sections."""
    known = shapes(texts[:SAMPLE_LINES])
    heads = [text for text in texts[SAMPLE_LINES:] if not indented(text)]
    # Every `_STRIDE`th line first: a foreign run holds three of them in a row, foreign too.
    # Only around those is each line's shape looked at (a shape costs microseconds).
    marks = [opens_another(heads[i], known) for i in range(0, len(heads), _STRIDE)]
    for m in range(len(marks) - 2):
        if not (marks[m] and marks[m + 1] and marks[m + 2]):
            continue
        for i in range(max(0, (m - 1) * _STRIDE), (m + 1) * _STRIDE):
            run = heads[i : i + RUN_LINES]
            if (
                len(run) == RUN_LINES
                and opens_another(run[0], known)
                and foreign_run(run, known)
                and timed(run)
            ):
                return True
    return False


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
        # The shapes the current source's lines take, where a change of source may come
        # unannounced (`shapes`); None where a banner or command says where sources change
        self._shapes: frozenset[str] | None = None
        self._quiet_until = 0  # the line before which no change of source is looked for

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
        self._stream_dated = latest_date([text for text, _ in ahead])  # (one scan of them)
        self._stream_years = years_after(self._stream_dated, self._now)
        if any(_sections(text) for text, _ in ahead) or (
            self._at_hand and _unannounced([text for text, _ in ahead])
        ):
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

    def _command(self, text: str, stamp: datetime | None, ahead: list[Record]) -> list[Record]:
        """A shell command and the lines read ahead after it: another program's lines follow,
        whose prefix and heads are learned from them, up to the next command (a short output
        is read as it comes); the records left to read."""
        end = next((i for i, (t, _) in enumerate(ahead) if t[:2] == "$ "), None)
        output = ahead[:end]
        if len(output) < MIN_SECTION_LINES:
            self._next_zone()  # its zone is its own still (`clocks`)
            self._read(text, stamp)
            return ahead
        self._new_section()
        self._read(text, stamp)  # the command is a line of its own
        # (commands named by their prompts: no change of source is guessed)
        return self._sampled(output, False, watch=False) + ahead[len(output) :]

    def _foreign(self, text: str) -> bool:
        """Whether a line may open another source's lines (`shapes`): in a file at hand (a
        stream read as it comes is not held back to look), a line with a time near its start,
        in a shape the current source's lines never took, not inside a message whose head
        announced a body below it ("… failed in the last hour:" and a table)."""
        return (
            self._at_hand
            and self._shapes is not None
            and self.stats.lines >= self._quiet_until
            and self._block is None
            and opens_another(text, self._shapes)
            and not any(event.follows for event in self._open.values())
        )

    def _shift_at(self, text: str, stamp: datetime | None, ahead: list[Record]) -> list[Record]:
        """A foreign line and the lines read ahead after it: where they go on so and are
        another source's, a section of its own starts at the line, its heads learned from its
        own lines (up to a third source's); the records left to read."""
        texts = [text, *(t for t, _ in ahead)]
        run = [(text, stamp), *ahead]
        if self._shifted(texts):
            end = run_end(texts)
            self._new_section()
            return self._sampled(run[:end], False) + run[end:]
        # not here: look again from the next line that may open another source's
        known = self._shapes or frozenset()
        later = (j for j, line in enumerate(texts[1:], 1) if opens_another(line, known))
        self._quiet_until = self.stats.lines + next(later, len(texts))
        return run

    def _shifted(self, lines: list[str]) -> bool:
        """Whether `lines` are another source's: in shapes the current one never took, its
        prefix or heads fit next to none of them, and they have a prefix or head with a time
        of their own (a table a command printed, or messages without heads, start none)."""
        known = self._shapes
        if known is None or not foreign_run(lines, known):
            return False
        run = [line for line in lines if not indented(line)][:RUN_LINES]
        if not timed(run):
            return False
        if self._prefix is not None:
            fitted = sum(self._prefix.regex.match(line) is not None for line in run)
        else:
            heads = self._heads.get(None)
            fitted = sum(heads.fits(line) for line in run) if heads is not None else 0
        if fitted > (1 - RUN_SHARE) * len(run):
            return False
        if prefixes.learn(run, self._years) is not None:
            return True
        model = headers.learn(run, self._years)
        return model is not None and any(column.role == "time" for column in model.columns)

    def _tell_zones(self, ahead: list[Record], noted: timedelta | None) -> None:
        """Each section's zone, from a first reading of a paste's first lines; the zone its
        notes name, for the others."""
        first = type(self)(Redactor(pii=self.redactor.pii), now=self._now)
        first._clocks = first._noting = clocks = Clocks()
        first._at_hand = self._at_hand  # (its sections found as the reading will find them)
        first._stream_years, first._stream_dated = self._stream_years, self._stream_dated
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
        """What the last command printed (or a source found by its shapes) has ended: its
        events close, an export ends."""
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

    def _sampled(self, sample: list[Record], whole: bool, *, watch: bool = True) -> list[Record]:
        """Learn the stream's heads from its first records; those left to read (an Insights
        CSV export's header line is no event). With `watch`, a change of source that no banner
        or command announces is looked for in the lines after them (`shapes`)."""
        heads = [text.split("\n", 1)[0] for text, _ in sample]
        self._learn(heads)
        at = None if whole else header_at([text for text, _ in sample])
        if at is None:
            self._shapes = shapes(heads) if watch and not whole else None
            return sample
        self._shapes = None
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

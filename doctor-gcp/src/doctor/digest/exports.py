"""Log search results exported as CSV: a header of field names, then a row per event, each
field CSV-quoted (a quote doubled), a message of several lines (a traceback) quoted across as
many lines. CloudWatch Logs Insights' (`@timestamp,@log,@logStream,@message`), and any other
whose header names a time: Datadog's Log Explorer (`Date,Host,Service,Status,Message`),
Splunk's (`_time,host,source,_raw`), Sumo Logic's (`_messagetimems,…,_raw`), an Athena query
of CloudTrail (`eventtime,eventsource,eventname,…`, no message: its other fields tell it).

Each row is read as the record it is: its fields by name, as a JSON record's are, so the
time, the service (a log group, a service or source column), the level a column states and an
app's JSON record inside the message are read as in a JSON export.
"""

from __future__ import annotations

import csv
import json
import re
from typing import NamedTuple

from .json_keys import json_time
from .service_names import file_service

_FIELD = re.compile(r"@?[A-Za-z_][\w.]*")
_HEADER_WITHIN = 3
_FIELDS_WITHOUT_MESSAGE = 4  # a header without a message column names this many at least
MAX_ROW_LINES = 1000  # a quote never closed: the lines held are read as lines after this many
INSIGHTS_MESSAGE = "@message"
# Other exports' columns, by their name in any case, as the JSON reader's keys (Sumo Logic's
# epoch millis, not its `_messagetime` text, which no reader parses)
_AS_KEYS = {
    "message": "message", "_raw": "message", "content": "message", "msg": "message",
    "date": "timestamp", "timestamp": "timestamp", "time": "timestamp", "_time": "timestamp",
    "@timestamp": "timestamp", "_messagetimems": "timestamp", "eventtime": "timestamp",
    "event_time": "timestamp",
    "service": "service", "source": "service", "app": "service", "container_name": "service",
    "_sourcecategory": "service",
    "status": "level", "level": "level", "severity": "level",
}  # fmt: skip


def csv_columns(line: str) -> list[str] | None:
    """The field names of an export's header line; None for any other line."""
    try:
        fields = next(csv.reader([line.rstrip("\r\n")]), [])
    except csv.Error:
        return None
    if len(fields) < 2 or not all(_FIELD.fullmatch(field) for field in fields):
        return None
    if INSIGHTS_MESSAGE in fields:
        return fields
    keys = [_AS_KEYS.get(field.lower()) for field in fields]
    # one message column, or none where it has several others: an audit trail's rows
    # (CloudTrail's through Athena: the event's name, its caller, its error code) are read
    # as records without one are (`header_at` checks its first row has a time)
    if "timestamp" not in keys or keys.count("message") > 1:
        return None
    if "message" not in keys and len(fields) < _FIELDS_WITHOUT_MESSAGE:
        return None
    # read as the JSON reader's keys; a column with none keeps its name
    return [key or field for key, field in zip(keys, fields, strict=True)]


def header_at(lines: list[str]) -> int | None:
    """Where an export's header line is among a stream's first lines: the first, or below the
    shell command that printed the file (`$ cat results.csv`); None when there is none. A
    header without a message column is one only where the row below it is a row of it with
    a time (not "timestamp,level" above a log's own lines)."""
    for i, line in enumerate(lines[:_HEADER_WITHIN]):
        if (columns := csv_columns(line)) is None:
            continue
        if "message" in columns or INSIGHTS_MESSAGE in columns:
            return i
        row = CsvRows(columns).feed(lines[i + 1]) if i + 1 < len(lines) else None
        stamp = row.fields.get("timestamp") if row is not None and row.fields else None
        return i if stamp is not None and json_time(stamp) is not None else None
    return None


class Row(NamedTuple):
    lines: list[str]  # the input lines the row took
    fields: dict[str, str] | None  # by name; None when the lines are no row of the export


class CsvRows:
    """Rows from an export's lines, one line at a time."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self._held: list[str] = []
        self._open = False  # a quoted field runs on past the lines held

    def feed(self, line: str) -> Row | None:
        """The row `line` ends; None while a quoted field runs on."""
        self._held.append(line)
        if line.count('"') % 2:  # "" (a quote in a field) keeps the count's parity
            self._open = not self._open
        if self._open and len(self._held) < MAX_ROW_LINES:
            return None
        lines, self._held, self._open = self._held, [], False
        try:
            row = next(csv.reader(["\n".join(lines)]), [])
        except csv.Error:
            row = []
        if len(row) != len(self.columns):
            return Row(lines, None)
        return Row(lines, dict(zip(self.columns, row, strict=True)))

    def flush(self) -> list[str]:
        """The lines of a row never finished (the input ended inside a quote)."""
        lines, self._held, self._open = self._held, [], False
        return lines


def as_record(row: Row) -> str | None:
    """The row as the parser reads it: a JSON record, its message's further lines after it (one
    per input line the row took); None when it is no row of the export (its lines are read as
    lines)."""
    if row.fields is None:
        return None
    key = INSIGHTS_MESSAGE if INSIGHTS_MESSAGE in row.fields else "message"
    lines = row.fields[key].split("\n") if key in row.fields else [""]
    if len(lines) != len(row.lines):  # another field ran over lines: numbering would slip
        return None
    # no message column: the row's other fields tell the event
    fields = {**row.fields, key: lines[0]} if key in row.fields else dict(row.fields)
    if "/" in (service := fields.get("service", "")):  # a file (Splunk's source) names its own
        fields["service"] = file_service(service)
    record = json.dumps(fields, ensure_ascii=False)
    return "\n".join([record, *lines[1:]])

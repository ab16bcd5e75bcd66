"""CloudWatch Logs Insights query results exported as CSV: a header of the query's field names
(`@timestamp,@log,@logStream,@message`), then a row per event, each field CSV-quoted (a quote
doubled), a message of several lines (a traceback) quoted across as many lines.

Each row is read as the record it is: its fields by name, as a JSON record's are, so the
time, the log group (the service) and an app's JSON record inside `@message` are read as in
Insights' JSON export.
"""

from __future__ import annotations

import csv
import json
import re
from typing import NamedTuple

_FIELD = re.compile(r"@?[A-Za-z_][\w.]*")
MAX_ROW_LINES = 1000  # a quote never closed: the lines held are read as lines after this many


def csv_columns(line: str) -> list[str] | None:
    """The field names of an Insights CSV export's header line; None for any other line."""
    fields = line.rstrip("\r\n").split(",")
    if "@message" not in fields or not all(_FIELD.fullmatch(field) for field in fields):
        return None
    return fields


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
    lines = row.fields.get("@message", "").split("\n")
    if len(lines) != len(row.lines):  # another field ran over lines: numbering would slip
        return None
    record = json.dumps({**row.fields, "@message": lines[0]}, ensure_ascii=False)
    return "\n".join([record, *lines[1:]])

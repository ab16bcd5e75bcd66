"""JSON records printed over several lines: `jq .`, `gcloud logging read --format=json`, the
AWS CLI's and `kubectl get -o json`'s output.

A block runs from a line that is a lone "{" to the line that closes it, "}" (or "},") at the
same indentation. It holds one record, or a container of them (the AWS CLI's `{"events": [...]}`,
kubectl's `{"items": [...]}`): then each record of its list is an event over its own lines,
and the container's own lines (its other keys, the brackets) are no event. Lines that do not
parse as JSON are read as the lines they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from .json_keys import MESSAGE_KEYS, TS_KEYS
from .jsonlog import json_record

MAX_BLOCK_LINES = 5_000  # a longer block is read as lines (memory stays bounded)
MAX_BLOCK_CHARS = 1 << 20


def opens_block(text: str) -> bool:
    """Whether a line is a lone "{" (indentation kept), which may open a record."""
    return text.strip() == "{"


class Span(NamedTuple):
    first: int  # offsets into the block's lines
    last: int
    record: dict[str, Any]


class Block:
    """The lines of a block, held until it closes."""

    def __init__(self, text: str, stamp: datetime | None) -> None:
        stripped = text.rstrip("\r\n")
        self.indent = stripped[: len(stripped) - len(stripped.lstrip())]
        self.lines = [stripped]
        self.stamps = [stamp]
        self.chars = len(stripped)

    def add(self, text: str, stamp: datetime | None) -> bool:
        """Hold a line; True when it closes the block."""
        line = text.rstrip("\r\n")
        self.lines.append(line)
        self.stamps.append(stamp)
        self.chars += len(line) + 1
        return line.rstrip() in (self.indent + "}", self.indent + "},")

    @property
    def full(self) -> bool:
        return len(self.lines) >= MAX_BLOCK_LINES or self.chars >= MAX_BLOCK_CHARS

    def records(self) -> list[Span] | None:
        """The records the closed block holds, each with its lines; None when it is no JSON
        object."""
        obj = json_record("\n".join(self.lines).rstrip())
        if obj is None:
            return None
        listed = _listed(obj)
        spans = _spans(self.lines, listed) if listed else None
        return spans or [Span(0, len(self.lines) - 1, obj)]


def _says(obj: dict[str, Any]) -> bool:
    """Whether a record states a message or a time of its own."""
    return any(key in obj for key in (*MESSAGE_KEYS, *TS_KEYS))


def _listed(obj: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A container's records: its one list of records, when it says nothing itself."""
    if _says(obj):
        return None
    lists = [
        value
        for value in obj.values()
        if isinstance(value, list)
        and value
        and all(isinstance(item, dict) for item in value)
        and any(_says(item) for item in value)
    ]
    return lists[0] if len(lists) == 1 else None


def _spans(lines: list[str], records: list[dict[str, Any]]) -> list[Span] | None:
    """Each record's lines: a lone "{" and the "}" at its indentation whose text parses to the
    record, or one line that holds it whole; None unless every record is found, in order."""
    spans: list[Span] = []
    at = 1
    for record in records:
        while at < len(lines):
            line = lines[at]
            at += 1
            if line.lstrip().startswith("{") and json_record(line.strip()) == record:
                spans.append(Span(at - 1, at - 1, record))  # a record printed on one line
                break
            if not opens_block(line):
                continue
            indent = line[: len(line) - len(line.lstrip())]
            end = next(
                (
                    i
                    for i in range(at, len(lines))
                    if lines[i].rstrip() in (indent + "}", indent + "},")
                ),
                None,
            )
            if end is None:
                return None
            if json_record("\n".join(lines[at - 1 : end + 1]).rstrip()) == record:
                spans.append(Span(at - 1, end, record))
                at = end + 1
                break
        else:
            return None
    return spans

"""Aggregator prefixes: the name an aggregated stream puts before each service's own line.

`docker compose logs` writes `api-1  | <the service's line>`, `kubectl logs --prefix` writes
`[pod/api-7d9f8-x2k4q/api] <line>`, and with `--timestamps` the time it received the line before
it, on every line of a stack too. Behind the prefix each service keeps its own format, so the
prefix (with kubectl's time) is taken off first, names the service, and the rest is read as that
service's source; kubectl's time stands for the line's when the line has none of its own.
A prefix is used for a stream when most of its first lines carry it; a message that merely
contains a `|` is never cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from . import stamps

_NOW = datetime.max.replace(tzinfo=UTC)  # kubectl's times have a year: "now" plays no part
_ISO = stamps.BY_NAME["iso"]
_PREFIXES = (
    # docker compose v2 "api-1  | ", v1 "app_api_1  | ": the service name, then its replica
    re.compile(r"(?P<service>[A-Za-z0-9][\w.-]*?)(?:[-_]\d+)?[ \t]+\| ?"),
    # kubectl logs --prefix [--timestamps]: [pod/<pod>/<container>] [2026-03-16T17:49:25.95Z ]
    re.compile(
        r"\[(?:pod|deployment|job|statefulset|daemonset)/[\w.-]+/(?P<service>[\w.-]+)\] "
        r"(?:(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) )?"
    ),
)
MIN_SHARE = 0.5  # of a stream's first lines, to take a prefix as the stream's


@dataclass(frozen=True, slots=True)
class Prefix:
    regex: re.Pattern[str]

    def split(self, line: str) -> tuple[str | None, str]:
        """(service, the service's own line); (None, line) when this line carries no prefix."""
        service, body, _ = self.read(line)
        return service, body

    def read(self, line: str) -> tuple[str | None, str, datetime | None]:
        """`split`, and the time the aggregator wrote before the line (kubectl --timestamps)."""
        match = self.regex.match(line)
        if match is None:
            return None, line, None
        raw = match.groupdict().get("time")
        found = _ISO.match(raw) if raw else None
        stamp = stamps.convert(_ISO, found, now=_NOW) if found else None
        return match.group("service"), line[match.end() :], stamp


def learn(lines: Sequence[str]) -> Prefix | None:
    """The prefix most of `lines` carry, if any."""
    sample = [line for line in lines if line.strip()]
    if not sample:
        return None
    for regex in _PREFIXES:
        if sum(regex.match(line) is not None for line in sample) >= MIN_SHARE * len(sample):
            return Prefix(regex)
    return None

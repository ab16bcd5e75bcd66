"""Patterns as the digest would mine them, for the rules engine's tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from doctor.digest.types import Level, Pattern

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
_NUM = re.compile(r"\d+")


def make_pattern(pid: str, text: str, level: Level = Level.ERROR, count: int = 1) -> Pattern:
    """Masked first line as template, the full text as sample, seen over five minutes."""
    return Pattern(
        id=pid,
        template=_NUM.sub("<NUM>", text.splitlines()[0]),
        count=count,
        level=level,
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=5),
        samples=[text],
    )

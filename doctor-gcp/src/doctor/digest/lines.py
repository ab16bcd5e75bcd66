"""The digest stage over plain lines in one call: parse, redact and mine."""

from __future__ import annotations

from collections.abc import Iterable

from .mine import build_digest
from .redact import Redactor
from .streams import parse_lines
from .types import Digest


def digest_lines(lines: Iterable[str], *, max_samples: int = 3) -> Digest:
    """Parse, redact and mine `lines` in one streaming pass."""
    redactor = Redactor()
    events = parse_lines(lines, redactor=redactor)
    return build_digest(events, redactions=redactor.counts, max_samples=max_samples)

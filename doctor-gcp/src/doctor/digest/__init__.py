"""The digest stage: parse, redact, mine, rank and count logs, then render the model's prompt.

digest = digest_lines(lines)
prompt = render_prompt(digest, budget_tokens=8000, log_group=None, minutes=None)
"""

from __future__ import annotations

from collections.abc import Iterable

from .mine import DigestBuilder, build_digest, mining_text
from .parse import EventStream, LogParser, parse_lines, parse_records
from .prompt import SYSTEM_INSTRUCTION, Prompt, estimate_tokens, render_prompt
from .redact import Redactor, redact
from .types import Digest, Level, LogEvent, MinuteBucket, Pattern

__all__ = [
    "SYSTEM_INSTRUCTION",
    "Digest",
    "DigestBuilder",
    "EventStream",
    "Level",
    "LogEvent",
    "LogParser",
    "MinuteBucket",
    "Pattern",
    "Prompt",
    "Redactor",
    "build_digest",
    "digest_lines",
    "estimate_tokens",
    "mining_text",
    "parse_lines",
    "parse_records",
    "redact",
    "render_prompt",
]


def digest_lines(lines: Iterable[str], *, max_samples: int = 3) -> Digest:
    """Parse, redact and mine `lines` in one streaming pass."""
    redactor = Redactor()
    events = parse_lines(lines, redactor=redactor)
    return build_digest(events, redactions=redactor.counts, max_samples=max_samples)

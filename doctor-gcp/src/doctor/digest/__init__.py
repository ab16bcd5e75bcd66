"""The digest stage: parse, redact, mine, rank and count logs, then render the model's prompt.

digest = digest_lines(lines)
prompt = render_prompt(digest, budget_tokens=8000, log_group=None, minutes=None)

Importing the package is light: drain3 loads when a digest is first mined.
"""

from __future__ import annotations

from .headline import mining_text
from .lines import digest_lines
from .mine import DigestBuilder, build_digest
from .parse import LogParser
from .prompt import SYSTEM_INSTRUCTION, Prompt, estimate_tokens, render_prompt
from .redact import Redactor, redact
from .streams import EventStream, parse_lines, parse_records
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

"""The text a pattern is matched on: template and samples, with stack frames taken out.

Frames name whatever the code touched ("timeout=5", "HikariPool.getConnection"), not what went
wrong, so most rules look at `head` (no frames); a few need `full` (frames kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from doctor.digest.types import Pattern

# Frames of Python, JVM, Node, .NET and Go stacks.
# Log shippers often prefix every line ("Apr 04 17:46:18 host app: "), so frames are found
# after an optional prefix, not only at the start of a line.
_PY_FRAME = re.compile(r'^(?P<prefix>.*?)\s+File "[^"]*", line \d+')
_JVM_FRAME = re.compile(
    r"^(?:.*[\]:|>]\s)?\s*at [\w$.<>/\[\]-]+"
    r"\((?:[^()]*:\d+(?::\d+)?|Native Method|Unknown Source)\)\s*$"
)
_NODE_FRAME = re.compile(r"^\s+at \S")
_NOISE = re.compile(r"^\s*(?:[~^]+|\.\.\. \d+ (?:more|common frames omitted).*)\s*$")
_GO_LOCATION = re.compile(r"^\t/\S+\.go:\d+")
_GO_FUNCTION = re.compile(r"^[\w./*()-]+\(.*\)$")


def strip_frames(text: str) -> str:
    """The text without stack frames (and Python's source lines under them)."""
    lines = text.split("\n")
    kept: list[str] = []
    source_prefix: str | None = None  # set right after a Python frame line
    for i, line in enumerate(lines):
        prefix, source_prefix = source_prefix, None
        if prefix is not None and line.startswith(prefix + "    "):
            continue  # the source line printed under a Python frame
        frame = _PY_FRAME.match(line)
        if frame:
            source_prefix = frame.group("prefix")
            continue
        next_line = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            _JVM_FRAME.match(line)
            or _NODE_FRAME.match(line)
            or _NOISE.match(line)
            or _GO_LOCATION.match(line)
            or (_GO_FUNCTION.match(line) and _GO_LOCATION.match(next_line))
        ):
            continue
        kept.append(line)
    return "\n".join(kept)


@dataclass(frozen=True, slots=True)
class MatchText:
    head: str  # template + samples without stack frames
    full: str  # template + samples as they are
    head_lower: str  # lowercased copies for the substring gates (see prefilter.py)
    full_lower: str

    @classmethod
    def of(cls, pattern: Pattern) -> MatchText:
        texts = [pattern.template, *pattern.samples]
        head = "\n".join(_clip(strip_frames(t), _HEAD_CHARS) for t in texts)
        full = "\n".join(_clip(t, _FULL_CHARS) for t in texts)
        return cls(head=head, full=full, head_lower=head.lower(), full_lower=full.lower())


# Regex time grows with text size and a single event can be a 100 kB JSON blob or stack. What
# names a failure sits in the first lines or at the very end ("Caused by", the exception line),
# so long texts keep their head and tail.
_HEAD_CHARS = 2000
_FULL_CHARS = 6000


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    tail = limit // 4
    return text[: limit - tail] + "\n" + text[-tail:]

"""The text a pattern is matched on: template and samples, with stack frames taken out.

Frames name whatever the code touched ("timeout=5", "HikariPool.getConnection"), not what went
wrong, so most rules look at `head` (no frames, see `doctor.digest.anatomy.strip_frames`); a
few need `full` (frames kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from doctor.digest.anatomy import strip_frames
from doctor.digest.types import Pattern


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

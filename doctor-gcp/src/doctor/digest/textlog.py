"""The level word of a plain-text message whose head named none: "ERROR ...", "[warn] ...",
"level=error", "error: ..." near its start."""

from __future__ import annotations

import re

from .levels import level_from_name
from .types import Level

# Upper-case names anywhere in the head, other spellings only where they are plainly a level
# (nginx "[error]", NetworkManager "<warn>", logfmt "level=warn", "error:").
_TEXT_LEVEL = re.compile(
    r"(?<![\w./-])(?P<up>TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|ERR|SEVERE|FATAL|PANIC|"
    r"CRITICAL|CRIT|ALERT|EMERGENCY|EMERG|LOG)"
    r"(?![\w/-])"
    r"|(?:\blevel=\"?|[\[<]|^)(?P<low>(?i:trace|debug|info|notice|warning|warn|error|err|fatal|"
    r"panic|critical|crit|alert|emerg))(?=[\]>\s:\",]|$)"
)
_LEVEL_HEAD_CHARS = 120
# Every level word holds one of these (lowered): a cheap test that spares the regex, whose
# case-insensitive alternatives are slow, on the lines that name no level. A loop of `in`
# tests, not a regex trie: the hints open with the commonest letters, so a trie would try a
# branch at nearly every position of a line (twice the time of the loop).
_HINTS = (
    "err", "info", "warn", "debu", "trac", "noti", "fata", "pani", "crit", "aler", "emer", "seve",
)  # fmt: skip


def text_level(text: str) -> Level | None:
    """The level a level word near the start of `text` names, if any."""
    head = text[:_LEVEL_HEAD_CHARS]
    if "LOG" not in head:
        lowered = head.lower()
        for hint in _HINTS:
            if hint in lowered:
                break
        else:
            return None
    match = _TEXT_LEVEL.search(head)
    if match is None:
        return None
    return level_from_name(match.group("up") or match.group("low"))

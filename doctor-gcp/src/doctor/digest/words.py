"""Words in templates: when a differing word is the message, and when it is a value.

Drain merges two messages whose tokens mostly agree and makes every differing position a
parameter. Where they differ in a word ("VM Started" / "VM Stopped", "Failed password" /
"Failed none", "GET" / "POST"), the word is usually the message, so `words_differ` keeps such
messages apart. But a position where many different words stand in otherwise identical messages
holds a value (a user, a queue, a database name: "Failed password for root / uucp / git /
ftp / mysql"): `value_slots` merges those clusters into one template with `<*>` there.
"""

from __future__ import annotations

import re
from typing import Any

from .head_words import QUALIFIED_NAME
from .types import Level

# Distinct words at one position of otherwise identical templates that make it a value. Fewer
# stay apart: a handful of words is a closed set of meanings (a VM's Started, Stopped, Paused,
# Resumed; GET, POST, DELETE), and a diagnosis needs them apart.
VALUE_WORDS = 5
PARAM = "<*>"

# A word: letters (an acronym may end in a digit or two: SOCKS5, HTTP2), maybe in quotes or
# brackets, maybe followed by punctuation; or a key's value that is one ("user=root"). Joined
# by hyphens its parts are words too ("read-only"); "node-a" and "web-b" are names.
_WORD_TOKEN = re.compile(
    r"(?:[\w.-]+=)?[\"'(\[]*(?:[A-Za-z][A-Za-z']*(?:-[A-Za-z']{3,})*|[A-Z]+\d{1,2})"
    r"[\"'.,:;!?)\]]*"
)


def words_differ(drain: Any, cache_limit: int) -> Any:
    """Make Drain keep apart messages that differ in a word.

    Drain merges two messages whose tokens mostly agree and makes every differing position a
    parameter. Where both differ in a word ("VM Started" / "VM Stopped", "Failed password" /
    "Failed none", "GET" / "POST"), the words are the message, not its parameters: such a pair
    gets no similarity at all. Numbers, ids, addresses and the masks that replaced them still
    become parameters; a word against a number does too.
    """
    param = drain.param_str
    words: dict[str, bool] = {}

    def is_word(token: str) -> bool:
        known = words.get(token)
        if known is None:
            if len(words) > cache_limit:
                words.clear()
            known = words[token] = _WORD_TOKEN.fullmatch(token) is not None
        return known

    def get_seq_distance(seq1: Any, seq2: Any, include_params: bool) -> tuple[float, int]:
        if not seq1:
            return 1.0, 0
        same = params = 0
        for token1, token2 in zip(seq1, seq2, strict=True):
            if token1 == param:
                params += 1
            elif token1 == token2:
                same += 1
            elif is_word(token1) and is_word(token2) and not (_flag(token1) and _flag(token2)):
                return 0.0, 0
        if include_params:
            same += params
        return same / len(seq1), params

    drain.get_seq_distance = get_seq_distance
    return drain


# A flag's values, wherever they stand ("down true canceled false"), like the masker's <BOOL>
# after "=" or ":": two of them differ in a value, not in meaning. Against any other word they
# stay words ("err nil" / "err EOF" are two messages).
_FLAG_VALUES = frozenset({"true", "false", "null", "nil"})


def _flag(token: str) -> bool:
    return token.strip("\"'()[],.;:").lower() in _FLAG_VALUES


TemplateKey = tuple[Level, str]
# A qualified name ("com.apple.icloud.fmfd.heartbeat:"): a name of something, even first.
_QUALIFIED = re.compile(rf"(?:{QUALIFIED_NAME.pattern}):?")


def value_slots(keys: set[TemplateKey]) -> dict[TemplateKey, TemplateKey]:
    """For each template that differs from at least `VALUE_WORDS - 1` others only in one word,
    the template with `<*>` in that word's place. The first word is a value only when it is a
    qualified name (a job's or a class's); a plain first word never is (Drain's own premise:
    messages open with their constant words)."""
    words: dict[tuple[Level, int, str], set[str]] = {}
    members: dict[tuple[Level, int, str], list[TemplateKey]] = {}
    for level, template in sorted(keys):
        tokens = template.split(" ")
        for at in range(len(tokens)):
            token = tokens[at]
            if at == 0:
                if _QUALIFIED.fullmatch(token) is None:
                    continue
            elif _WORD_TOKEN.fullmatch(token) is None:
                continue
            gap = (level, at, " ".join((*tokens[:at], PARAM, *tokens[at + 1 :])))
            words.setdefault(gap, set()).add(token)
            members.setdefault(gap, []).append((level, template))
    general: dict[TemplateKey, TemplateKey] = {}
    for gap, seen in words.items():
        if len(seen) >= VALUE_WORDS:
            for key in members[gap]:
                general.setdefault(key, (gap[0], gap[2]))
    return general

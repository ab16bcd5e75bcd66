"""A head's words, typed: what a plain token of a log line's head is by what it is made of
(`head_tokens` reads the times, brackets and keys around them)."""

from __future__ import annotations

import re

from .levels import BRACKET_LEVELS, COLON_LEVELS, LEVEL_WORDS, level_from_name
from .types import Level

# Kinds of head tokens.
(TIME, DATE, LEVEL, LETTER, NUM, SEP, BRACKET, COMPONENT, LOGGER, HOSTLIKE, WORD, PLACE, PAREN) = (
    range(13)
)
_SEPARATORS = frozenset({"-", "--", "---", "|", ",", ":", "::"})
LETTER_LEVELS = {
    "V": Level.TRACE,
    "D": Level.DEBUG,
    "I": Level.INFO,
    "W": Level.WARNING,
    "E": Level.ERROR,
    "F": Level.CRITICAL,
    "A": Level.CRITICAL,
}
KLOG_LEVELS = {"I": Level.INFO, "W": Level.WARNING, "E": Level.ERROR, "F": Level.CRITICAL}
_NUMBER = re.compile(r"-?\d+(?:#\d+)?:?")  # a pid, a thread, a flag (-1)
# A dotted name: a logger, a class, a job ("dfs.DataNode$PacketResponder", "com.x.sync").
QUALIFIED_NAME = re.compile(r"[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)+")
# .NET's category and event id, where its console head ends: "Microsoft.Hosting.Lifetime[14]"
CATEGORY = re.compile(rf"(?:{QUALIFIED_NAME.pattern})\[\d+\]")
_HOSTLIKE = re.compile(r"(?=[^\s]*\d)[\w.:/@-]{3,}")
# A decimal ("0.184", "-1.5") is a measure (a duration, a size), never a head's field
_DECIMAL = re.compile(r"-?\d+\.\d+")
_SOURCE_LOCATION = re.compile(r"\S+:\d+\]")  # klog's "controller.go:123]"
# syslog's TAG[PID]: whose tag is the program's absolute path ("/usr/sbin/cron[412]:"); not
# an array index ("/spec/containers[0]:"). Each part has one reading (possessive): linear.
_SYSLOG_PATH_TAG = re.compile(
    r"/(?:[^\s/\[\]]++/)*+(?=[^\s/\[\]]*?[A-Za-z])[^\s/\[\]]++\[[1-9]\d++\]:"
)
# A file and line, where a message begins: "/app/config.py:48:", "main.go:12:" (read by
# `_is_place` without a regex that could backtrack over a 256 KiB token of slashes)
_LINE_SUFFIX = re.compile(r":\d+:?$")
_WORD_CHARS = re.compile(r"\w+")
_STRIP = "[]():,<>"


def _is_level(text: str, bare: str) -> bool:
    # PostgreSQL's LOG:, DETAIL:, STATEMENT: are levels too, when written as one; Celery's
    # "WARNING/MainProcess]" and "ERROR/ForkPoolWorker-3]" name the process after the level.
    if "/" in bare and text.endswith("]"):
        bare = bare.partition("/")[0]
    # A name that is a level only as a field is one written in capitals ("INF") or as its
    # logger brackets it (`BRACKET_LEVELS`).
    return bare.isalpha() and (
        bare.lower() in LEVEL_WORDS
        or (bare.isupper() and level_from_name(bare) is not None)
        or text in BRACKET_LEVELS
        or (bare in COLON_LEVELS and text == bare + ":")
    )


def _is_place(text: str) -> bool:
    """A path with a line ("/app/x.py:48", "src/a:3:"), or a file with a line and a colon
    ("main.go:12:")."""
    suffix = _LINE_SUFFIX.search(text)
    if suffix is None:
        return False
    head = text[: suffix.start()]
    if "/" in head:
        return True
    name, dot, extension = head.rpartition(".")
    return (
        text.endswith(":") and bool(dot and name) and _WORD_CHARS.fullmatch(extension) is not None
    )


def _is_component(text: str) -> bool:
    named = (
        text.endswith(":")
        and any(c.isalpha() for c in text)
        and "/" not in text
        and text[0] not in "{\"'"  # a JSON record's or a quotation's first key, no name
        # "ERROR KeyError: 'id'", Lambda's "[ERROR] ValueError: …": the exception is the
        # message's first words, not who wrote it
        and not text.endswith(("Error:", "Exception:"))
    )
    return (
        named
        or _SOURCE_LOCATION.fullmatch(text) is not None
        or (text.endswith("]:") and _SYSLOG_PATH_TAG.fullmatch(text) is not None)
    )


def _letters_kind(text: str) -> int:
    """The kind of a token of letters only: a level word or letter, else a word."""
    if _is_level(text, text):
        return LEVEL
    return LETTER if len(text) == 1 and text in LETTER_LEVELS else WORD


def word_kind(text: str) -> tuple[int, bool]:
    """The kind of a plain token, and whether it ends the head."""
    # Most tokens: letters, perhaps with a comma (Ruby's Logger's "E, [time #pid] ERROR"). Every
    # other kind needs a digit or punctuation.
    letters = text[:-1] if text[-1:] == "," else text
    if letters.isalpha():
        return _letters_kind(letters), False
    # structlog's and Elasticsearch's brackets pad the level inside: "[info     ]", "[WARN ]"
    bare = text.strip(_STRIP).rstrip(" ") if text[:1] == "[" else text.strip(_STRIP)
    if text in _SEPARATORS:
        return SEP, False
    if _is_level(text, bare):
        return LEVEL, text.endswith(":")
    if _NUMBER.fullmatch(text):
        return NUM, text.endswith(":")
    kind = WORD
    if _is_place(text) or _DECIMAL.fullmatch(text):
        kind = PLACE  # "/app/config.py:48:", "main.go:12:", "0.184": where the message begins
    elif _is_component(text):
        return COMPONENT, True
    elif QUALIFIED_NAME.fullmatch(text) or CATEGORY.fullmatch(text):
        kind = LOGGER
    elif _HOSTLIKE.fullmatch(text):
        kind = HOSTLIKE
    return kind, False

"""What an event is mined on: its headline, plus the closing exception of a stack, clipped."""

from __future__ import annotations

from .anatomy import closing_exception
from .levels import LEVEL_WORDS

# Mining text limits: the first words of a headline tell its shape; beyond that it is payload,
# and Drain and the caches pay per token. Cut by words, not characters, so long messages of one
# shape keep one token count (Drain only merges messages of equal length); the character limit
# only guards against giant single tokens.
MAX_HEAD_TOKENS, MAX_EXCEPTION_TOKENS = 48, 32
MAX_MINING_CHARS = 1_000


def mining_text(message: str) -> str:
    """What an event is mined on: its first line, plus the final exception line of a stack.

    Stacks vary in their frames, so the frames are left out; the exception that ended the stack
    (Python's last line, Java's last "Caused by:", a JavaScript "Error: ...", the line before a
    Go goroutine dump: `anatomy.closing_exception`) tells failures with the same headline apart.
    """
    if "\n" not in message:
        return _clip(_drop_level_word(message), MAX_HEAD_TOKENS)
    head, _, rest = message.partition("\n")
    head = _clip(_drop_level_word(head), MAX_HEAD_TOKENS)
    exception = closing_exception(rest.split("\n"))
    if exception is None:
        return head
    return f"{head} :: {_clip(exception, MAX_EXCEPTION_TOKENS)}"


def _clip(text: str, max_tokens: int) -> str:
    text = text[:MAX_MINING_CHARS]
    if len(text) <= 2 * max_tokens:  # too short to hold more than max_tokens words
        return text
    words = text.split(None, max_tokens)
    return " ".join(words[:max_tokens]) if len(words) > max_tokens else text


def _drop_level_word(head: str) -> str:
    # "ERROR [db] connect failed": each level has its own Drain already, and a constant first
    # word would put every message of a length in one Drain leaf (Drain keys its tree on the
    # first token), making each lookup a scan of all of them.
    # Only a word written as a level: "ERROR", "FATAL:", "[error]", "warn"; Go's "panic: ..."
    # and "error: ..." read as part of the message and stay.
    first, space, rest = head.partition(" ")
    word = first.strip("[]:")
    if not space or word.lower() not in LEVEL_WORDS:
        return head
    if word.isupper() or first[0] == "[" or not first.endswith(":"):
        return rest.lstrip(" ")
    return head

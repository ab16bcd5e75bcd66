"""`key=value`, `key: value` and `"key": "value"` pairs whose key names a credential.

Code rather than a rule in redact_rules.toml: whether a value is a secret depends on its key
(a session counter is not, a session cookie is) and on how it is written (quoted or not, after
"=" or ":"), which a regex alone cannot say without false positives.
"""

from __future__ import annotations

import re

# Key names whose value is a credential. Any prefix is allowed (db_password, X-Api-Key,
# github_token) but the name must end right before the separator, so `token_count=3` is kept.
PAIR_KEYS = (
    "password", "passwd", "passphrase", "pwd", "_pass", "-pass", "secret", "secret_key",
    "secret-key", "secretkey", "token", "api_key", "api-key", "apikey", "private_key",
    "private-key", "privatekey", "private_key_id", "authorization", "auth", "credential",
    "credentials", "cookie", "session", "sessionid", "session_id", "session-id", "accountkey",
    "sharedaccesskey",
)  # fmt: skip
# key, optional closing quote (escaped too, for JSON inside a message), ":" or "=", then a
# quoted value (everything up to the same quote) or a bare one. A bare value runs to a space, a
# quote or the end, punctuation included ("Tr0ub4dor&3"), but not into what follows it: the next
# query parameter ("&scope=read"), a ", " or "; " separator, a closing bracket at its end.
# Matched on the lowered text, led by the literal key, so each search is a fast literal scan.
_PAIR_TAIL = (
    r"(?P<kq>\\?[\"']?)[ \t]*(?P<sep>[:=])[ \t]*"
    r"(?:(?P<q>\\?[\"'])(?P<qv>(?:(?!(?P=q))(?:\\.|[^\n]))+)(?P=q)"
    r"|(?P<v>[^\s\"'\\]+?)"
    r"(?=[\s\"'\\]|$|[&;,](?:\s|$|[\w.\[\]-]+=)|[)}\]]+(?:[\s,;&]|$)))"
)
_PAIRS = tuple((key, re.compile(re.escape(key) + _PAIR_TAIL)) for key in PAIR_KEYS)
# A value that is already a placeholder (lowered): "<jwt>", "bearer <bearer_token>", a key's
# "<private_key>\n" inside JSON (a backslash and an n).
_PLACEHOLDER = re.compile(r"(?:[a-z]+\s+)?<[a-z_]+(?:-\d+)?>(?:\\[nrt]|\s)*")
_SCHEMES = frozenset({"bearer", "basic", "token", "digest"})
_CREDENTIAL_CHARS = frozenset("0123456789_+/=!@#$%^*&-")

# Names, not secrets, where a token or session is named rather than shown: a reverse-DNS or
# package-qualified name (its parts are words: a token's would hold digits), maybe with an
# instance number ("com.apple.xpc.activity/4505:"), and how the JVM prints an object that has
# no toString of its own: its class and an identity hash ("android.os.BinderProxy@2bd79ce",
# "Token{78af589 ActivityRecord{...}}"). Values of password-like keys are always secrets.
_QUALIFIED_NAME = re.compile(
    r"[a-z][A-Za-z_$-]*(?:\.[A-Za-z_$][A-Za-z_$-]*){2,}(?:@[0-9a-f]{4,16}|/\d{1,10})?:?"
)
_CLASS_BRACE_HASH = re.compile(r"[A-Z][A-Za-z]*\{[0-9a-f]{4,16}")
_NAMED_KEYS = frozenset({"token", "auth"})


def _object_reference(value: str, text: str, end: int) -> bool:
    if _QUALIFIED_NAME.fullmatch(value):
        return True
    return _CLASS_BRACE_HASH.fullmatch(value) is not None and text[end : end + 1] == " "


# Source code a traceback quotes: `token = os.environ["SLACK_TOKEN"]`, `key = cfg['api']`: an
# assignment (" = ", spaced as code is and key=value pairs are not) of a call or a subscript on
# a name with one closed literal inside; what it reads (the setting's name) is what a diagnosis
# of a missing setting needs. The bare value stops at the literal's quote.
_CODE_OPENING = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*[\[(]")
_CODE_LITERAL = re.compile(r"""(["'])[\w.:/-]*\1[\]),]""")


def _code(match: re.Match[str], value: str, text: str) -> bool:
    start, end = match.span("v")
    sep = match.start("sep")
    spaced = match.group("sep") == "=" and text[sep - 1 : sep] == text[start - 1 : start] == " "
    return (
        spaced
        and _CODE_OPENING.fullmatch(value) is not None
        and _CODE_LITERAL.match(text, end) is not None
    )


_SESSION_KEYS = frozenset({"session", "sessionid", "session_id", "session-id"})
_HEX_INTEGER = re.compile(r"0x[0-9a-f]{1,16}")  # on the lowered text


def _session_token(value: str) -> bool:
    """A session's id is a secret only when it is a token (a cookie, a bearer of a login):
    long, random, letters and digits. "Session: 30546173_4261722401" and "session 326" are
    counters that name a session, and what tells one event from another; so is a 64-bit integer
    printed in hex ("sessionid:0x14f05578bf8000c", as ZooKeeper and many C and Java servers
    write them)."""
    if _HEX_INTEGER.fullmatch(value):
        return False
    return len(value) >= 16 and any(c.isalpha() for c in value) and any(c.isdigit() for c in value)


def _pair_value(match: re.Match[str], text: str) -> tuple[int, int] | None:
    """The span of a key's value that is a secret, or None when it is not one."""
    key = match.group(0)[: match.start("kq") - match.start()].lstrip("_-")
    value = match.group("qv") if match.group("qv") is not None else match.group("v")
    if key in _SESSION_KEYS and not _session_token(value):
        return None
    if _PLACEHOLDER.fullmatch(value):
        return None
    if match.group("qv") is not None:
        return match.span("qv")
    original = text[match.start("v") : match.end("v")]  # `match` ran on the lowered text
    named = key in _NAMED_KEYS and _object_reference(original, text, match.end("v"))
    if value in _SCHEMES or named or _code(match, original, text):
        return None
    # "key: value" unquoted is also prose ("invalid token: expired"), so only values that look
    # like credentials are taken: 6+ characters with a digit or a symbol, or one long run of
    # letters in one case (16+, longer than the words such prose uses). A shorter letters-only
    # secret after an unquoted colon is the documented gap; CamelCase is kept, since exception
    # names ("token: ExpiredSignatureError") are what a diagnosis needs.
    long_run = len(value) >= 16 and value.isalpha() and (original.islower() or original.isupper())
    prose_like = (len(value) < 6 or _CREDENTIAL_CHARS.isdisjoint(value)) and not long_run
    if match.group("sep") == ":" and not match.group("kq") and prose_like:
        return None
    return match.span("v")


def redact_pairs(text: str, lowered: str, placeholder: str) -> tuple[str, int]:
    """`text` with each credential pair's value replaced by `placeholder`, and how many."""
    spans: list[tuple[int, int]] = []
    for key, regex in _PAIRS:
        if key in lowered:
            spans.extend(span for m in regex.finditer(lowered) if (span := _pair_value(m, text)))
    if not spans:
        return text, 0
    pieces: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if start < done:  # the same value found through two keys ("secret" in "secret_key")
            continue
        pieces += [text[done:start], placeholder]
        done = end
    pieces.append(text[done:])
    return "".join(pieces), len(pieces) // 2

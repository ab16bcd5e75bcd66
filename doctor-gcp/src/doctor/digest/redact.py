"""Secret redaction: the first thing that touches log text, so nothing downstream sees a secret.

Each rule replaces a secret with a typed placeholder such as `<JWT>` and keeps the context around
it (the key name, a URL's user and host) because that context is what a diagnosis needs.

Rules run in a fixed order: the most specific shapes first (private key blocks, JWTs, vendor
tokens), then the generic `key=value` / `"key": "value"` pairs, which skip values that are
already placeholders.
A cheap scan runs first: text with none of the anchors some rule needs (`akia`, `eyj`, `token`,
`://`, ...) in its lowered form is returned untouched without running any rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str  # the placeholder name, also the key in the counters
    regex: re.Pattern[str]
    replacement: _Replacement
    # Plain substrings (matched case-insensitively against the lowered text) one of which must
    # be present for the rule to possibly match; skips the regex on most lines.
    anchors: tuple[str, ...]


def _ph(kind: str) -> str:
    return f"<{kind}>"


def _auth_replace(match: re.Match[str]) -> str:
    # "Authorization: Basic dXNlcjpwdw==" keeps the scheme, which tells what kind of auth failed.
    return f"{match.group('head')}{match.group('scheme')}{_ph('PASSWORD')}"


_RULES: tuple[_Rule, ...] = (
    _Rule(
        "PRIVATE_KEY",
        # Up to the END line, or to the end of the text when the block was cut off: a truncated
        # key is still a key.
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r".*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
            re.DOTALL,
        ),
        _ph("PRIVATE_KEY"),
        ("private key",),
    ),
    _Rule(
        "SLACK_TOKEN",
        re.compile(r"(https?://hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+"),
        r"\1" + _ph("SLACK_TOKEN"),
        ("hooks.slack.com",),
    ),
    _Rule(
        "SLACK_TOKEN",
        re.compile(r"\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{8,}"),
        _ph("SLACK_TOKEN"),
        ("xox", "xapp-"),
    ),
    _Rule(
        "PASSWORD",
        # scheme://user:password@host keeps the user and the host; ":pw@" (no user) too.
        # Led by the literal "://" so the regex engine can jump between candidates.
        re.compile(r"(://[^:/?#@\s]*:)(?!<[A-Z_]+>@)[^@\s/]+@"),
        r"\1" + _ph("PASSWORD") + "@",
        ("://",),
    ),
    _Rule(
        "JWT",
        re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
        _ph("JWT"),
        ("eyj",),
    ),
    _Rule(
        "AWS_ACCESS_KEY_ID",
        re.compile(r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
        _ph("AWS_ACCESS_KEY_ID"),
        ("akia", "asia", "a3t", "abia", "acca"),
    ),
    _Rule(
        "AWS_SECRET_KEY",
        re.compile(
            # ":", "=" or plain spaces ("SecretAccessKey wJalr..." in dumped SDK structures).
            r"(?i)((?:aws_?)?secret_?access_?key[\"']?(?:\s*[:=]\s*|\s+)[\"']?)"
            r"[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"
        ),
        r"\1" + _ph("AWS_SECRET_KEY"),
        ("secret_access_key", "secretaccesskey", "secret_accesskey", "secretaccess_key"),
    ),
    _Rule(
        "PASSWORD",
        # Command lines in logs: `--password hunter2`, `--db-token abc` (the `=` form is a pair).
        re.compile(
            r"(?i)(?<!\S)(--[\w-]*(?:password|passwd|token|secret|api-key|apikey)\s+)"
            r"(?!-)(?!<[A-Z_]+>)\S+"
        ),
        r"\1" + _ph("PASSWORD"),
        # Its keywords, not "--": Spring Boot prints "---" on every line.
        ("password", "passwd", "token", "secret", "api-key", "apikey"),
    ),
    _Rule(
        "STRIPE_KEY",
        re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"),
        _ph("STRIPE_KEY"),
        ("_live_", "_test_"),
    ),
    _Rule(
        "GITHUB_TOKEN",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"),
        _ph("GITHUB_TOKEN"),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    _Rule(
        "GOOGLE_API_KEY",
        re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
        _ph("GOOGLE_API_KEY"),
        ("aiza",),
    ),
    _Rule(
        "BEARER_TOKEN",
        re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*"),
        r"\1" + _ph("BEARER_TOKEN"),
        ("bearer",),
    ),
    _Rule(
        "PASSWORD",
        # Authorization header with a scheme (Basic, Token, Digest...); Bearer ones are done and
        # scheme-less values fall to the generic key rules below.
        re.compile(
            r"(?i)(?P<head>\bauthorization[\"']?\s*[:=]\s*[\"']?)"
            r"(?P<scheme>(?:basic|token|digest|apikey|negotiate)\s+)(?!<[A-Z_]+>)"
            r"[^\s\"',;]+"
        ),
        _auth_replace,
        ("authorization",),
    ),
)

# Key names whose value is a credential. Any prefix is allowed (db_password, X-Api-Key,
# github_token) but the name must end right before the separator, so `token_count=3` is kept.
_PAIR_KEYS = (
    "password", "passwd", "passphrase", "pwd", "_pass", "-pass", "secret", "secret_key",
    "secret-key", "secretkey", "token", "api_key", "api-key", "apikey", "private_key",
    "private-key", "privatekey", "authorization", "auth", "credential", "credentials", "cookie",
    "session", "sessionid", "session_id", "session-id", "accountkey", "sharedaccesskey",
)  # fmt: skip
# key, optional closing quote (escaped too, for JSON inside a message), ":" or "=", then a
# quoted value (everything up to the same quote) or a bare one (up to a separator).
# Matched on the lowered text, led by the literal key, so each search is a fast literal scan.
_PAIR_TAIL = (
    r"(?P<kq>\\?[\"']?)[ \t]*(?P<sep>[:=])[ \t]*"
    r"(?:(?P<q>\\?[\"'])(?P<qv>(?:(?!(?P=q))(?:\\.|[^\n]))+)(?P=q)|(?P<v>[^\s&,;\"'}\]<>]+))"
)
_PAIRS = tuple((key, re.compile(re.escape(key) + _PAIR_TAIL)) for key in _PAIR_KEYS)
_PLACEHOLDER = re.compile(r"(?:[a-z]+\s+)?<[a-z_]+>")  # lowered: "bearer <bearer_token>"
_SCHEMES = frozenset({"bearer", "basic", "token", "digest"})
_CREDENTIAL_CHARS = frozenset("0123456789_+/=!@#$%^*-")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lower(text: str) -> str:
    # Positions must line up with `text`; str.lower() can change the length outside ASCII.
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


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
    if key in _SESSION_KEYS and not _session_token(match.group("qv") or match.group("v") or ""):
        return None
    if match.group("qv") is not None:
        if _PLACEHOLDER.fullmatch(match.group("qv")):
            return None
        return match.span("qv")
    value = match.group("v")
    original = text[match.start("v") : match.end("v")]  # `match` ran on the lowered text
    named = key in _NAMED_KEYS and _object_reference(original, text, match.end("v"))
    if value in _SCHEMES or named:
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


def _redact_pairs(text: str, lowered: str) -> tuple[str, int]:
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
        pieces += [text[done:start], _ph("PASSWORD")]
        done = end
    pieces.append(text[done:])
    return "".join(pieces), len(pieces) // 2


# The anchors no other anchor is part of: if none is in the lowered text, no rule can match.
# Plain substring tests are used, not one big case-insensitive regex: Python's re tries every
# alternative at every position, which is ten times slower on a typical line.
_ALL_ANCHORS = {anchor for rule in _RULES for anchor in rule.anchors} | set(_PAIR_KEYS)
_ANCHORS = tuple(
    sorted(a for a in _ALL_ANCHORS if not any(b != a and b in a for b in _ALL_ANCHORS))
)

KINDS: tuple[str, ...] = tuple(dict.fromkeys(rule.kind for rule in _RULES))  # PASSWORD included


@dataclass(slots=True)
class Redactor:
    """Redacts text and counts replacements per placeholder kind across calls."""

    counts: dict[str, int] = field(default_factory=dict)

    def redact(self, text: str) -> str:
        lowered = _lower(text)
        for anchor in _ANCHORS:
            if anchor in lowered:
                break
        else:
            return text
        for rule in _RULES:
            for anchor in rule.anchors:
                if anchor in lowered:
                    break
            else:
                continue
            text, replaced = rule.regex.subn(rule.replacement, text)
            if replaced:
                self._count(rule.kind, replaced)
                lowered = _lower(text)
        text, replaced = _redact_pairs(text, lowered)
        if replaced:
            self._count("PASSWORD", replaced)
        return text

    def _count(self, kind: str, replaced: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + replaced


def redact(text: str) -> tuple[str, dict[str, int]]:
    """Redact one text; returns it with the number of replacements per placeholder kind."""
    redactor = Redactor()
    return redactor.redact(text), redactor.counts

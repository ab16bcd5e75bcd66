"""The shape of a knowledge-base file (`kb/<category>.toml`), checked by pydantic.

A file holds the rules of one category (its name says which) and the causal role they play
by default; `unknown.toml` holds no rules, only `unclaimed` lines that no rule may claim.

Strength tiers say how much a match proves. The engine tries the strongest tier first and
stops at the first tier in which any rule fires:

- `exact`: one program's own code or message for this failure ("sorry, too many clients
  already", "OOMKilled", "ORA-00060", "x509: certificate has expired").
- `specific`: names what went wrong, in words several programs share, or as a wrapper whose
  cause an exact rule may name ("QueuePool limit ... reached", "AccessDenied", "Segmentation
  fault", "OutOfMemoryError").
- `broad`: says that something of this category failed, not why ("could not connect to
  server", "TLS handshake failed", "context deadline exceeded", "Main process exited").
- `generic`: failure words several categories share, tied to this one by the rule's context
  or by nothing stronger matching ("connection refused" next to a database port, "Read timed
  out", HTTP 401 / 503, SIGKILL).
- `weak`: a sign that failures of other categories also produce, so it needs a level word
  and nothing stronger matching: a refused connection, EADDRNOTAVAIL, a null dereference, a
  bare 403, "timeout".
- `vague`: says only that a request failed inside a service (HTTP 500).
- `fallback`: says only that code raised (any exception class, any stack): the answer when no
  other rule has one.

A rule with `after` reads one line in its context: it fires only where the digest also holds
a pattern of one of the named rules that came just before it (a worker's SIGKILL is its
supervisor's time limit, not memory, right after gunicorn's `WORKER TIMEOUT`).

A line below WARNING (a line with no level word is INFO for the digest) is diagnosed only by
`exact`, `specific`, `broad` and `generic` rules: Go's log package, the kernel and systemd
print failures with no level at all, while a bare "500" or "timeout" on an INFO line is noise.

Inside a tier the engine tries rules in one fixed order and the first that fires wins
(order.py): a cause before a consequence (causal role root > middle > symptom), then by rule
id; a rule that `refines` others is tried just before the earliest of them (the reason inside a
wrapper message, "certificate verify failed: certificate has expired", wins over the wrapper).
File and list order play no part, and no line of the knowledge base may be decided by rule ids
alone: two rules of one tier that fire on one line say which wins, by `refines` or causal role.
"""

from __future__ import annotations

import functools
import re
import tomllib
from enum import StrEnum
from importlib.resources import files
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from doctor.digest.types import Level
from doctor.engines.rules.regexes import check_regexes
from doctor.taxonomy import Category, Severity


class KnowledgeError(ValueError):
    """A knowledge-base file is broken: the message names the file, the rule and the fault."""


class Strength(StrEnum):
    """How much a rule's match proves (see the module docstring)."""

    EXACT = "exact"
    SPECIFIC = "specific"
    BROAD = "broad"
    GENERIC = "generic"
    WEAK = "weak"
    VAGUE = "vague"
    FALLBACK = "fallback"

    @property
    def rank(self) -> int:
        """Higher is stronger; the engine tries tiers from the highest rank down."""
        return _STRENGTH_RANK[self]

    @property
    def counts_below_warning(self) -> bool:
        """Whether a match on a line below WARNING (e.g. a level-less line) is a diagnosis."""
        return self.rank >= _STRENGTH_RANK[Strength.GENERIC]


_STRENGTH_RANK = {s: len(Strength) - i for i, s in enumerate(Strength)}


class Causal(StrEnum):
    """Where a failure sits in a causal chain: root causes are listed before what they set
    off (crash loops and throttling in the middle), symptoms (timeouts, 5xx from peers,
    exceptions) last when they compete with a root cause."""

    ROOT = "root"
    MIDDLE = "middle"
    SYMPTOM = "symptom"

    @property
    def rank(self) -> int:
        return _CAUSAL_RANK[self]


_CAUSAL_RANK = {Causal.ROOT: 2, Causal.MIDDLE: 1, Causal.SYMPTOM: 0}


LevelName = Literal["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Example(BaseModel):
    """One log event as the software prints it, with the level the digest would give it.

    Written as a plain string (level ERROR) or as `{ text = "...", level = "INFO" }`: a line
    with no level word is INFO for the digest.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: StrictStr = Field(min_length=1)
    level: LevelName = "ERROR"

    @property
    def log_level(self) -> Level:
        return Level[self.level]


def _plain_text_is_error_level(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


ExampleLine = Annotated[Example, BeforeValidator(_plain_text_is_error_level)]


class HttpStatus(BaseModel):
    """An HTTP status as clients, servers and proxies print it (expanded by `http_status`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: StrictInt = Field(ge=100, le=599)
    # The status text as servers print it ("Service Unavailable"); a prefix is enough. Plain
    # words only: it is placed into a regex as it is.
    reason: StrictStr = Field(pattern=r"^[A-Za-z][A-Za-z -]*$")

    def regexes(self) -> tuple[str, ...]:
        """A bare number is never enough (ids, ports and durations collide), so the code must
        sit next to a word that makes it a status: 'HTTP/1.1" 503', 'status=503', '503 Service
        Unavailable'."""
        c, reason = self.code, self.reason
        return (
            rf'HTTP/\d(?:\.\d)?"?\s+{c}\b',
            rf"\b(?:status|status[ _-]?code|statuscode|response code|error code|code|http)"
            rf"[\"']?\s*[:=]?\s*[\"']?{c}\b",
            rf"\b{c}\s*[-:]?\s*{reason}",
            rf"\b{c} (?:Server|Client) Error\b",
            rf"\b(?:returned|received|got|responded with|failed with)\s+"
            rf"(?:an?\s+)?(?:HTTP\s+)?{c}\b",
            rf"\bHTTP\s*(?:error\s*)?{c}\b",
            # app access lines: "GET /api/orders 500 3ms" (morgan and others), gin's "| 500 |"
            rf"\b(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) /\S* {c}\b",
            rf"\|\s*{c}\s*\|",
            # AWS ALB / ELB access logs: elb_status target_status received sent "request"
            rf'\b{c} (?:\d{{3}}|-) \d+ \d+ "(?:GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS) ',
        )


STRERROR_FILE = "strerror.toml"
# Quotes and apostrophes differ between catalogues and releases ("`host'", "«host»", "d'attente"
# with a straight or a typographic apostrophe): in a text, any of them stands for any, or none.
_QUOTES = "'`\"\u2018\u2019\u201c\u201d\u00ab\u00bb\u201e"
_ANY_QUOTE = "[" + re.escape(_QUOTES) + "]?"


@functools.cache
def strerror() -> dict[str, tuple[str, ...]]:
    """The C library's texts of each error (`strerror.toml`), by symbolic name: its English
    text first, then its translations."""
    raw = tomllib.loads((files("doctor.engines.rules") / STRERROR_FILE).read_text("utf-8"))
    table: dict[str, tuple[str, ...]] = {}
    for name, texts in raw.items():
        if not isinstance(texts, dict) or not isinstance(texts.get("C"), str):
            raise KnowledgeError(f"{STRERROR_FILE}: [{name}]: needs its English text as `C`")
        found = [texts["C"]]
        for language, text in texts.items():
            listed = [text] if isinstance(text, str) else text if isinstance(text, list) else [0]
            if not all(isinstance(one, str) and one.strip() for one in listed):
                raise KnowledgeError(f"{STRERROR_FILE}: [{name}]: {language}: not a text")
            found.extend(one for one in listed if one not in found)
        table[name] = tuple(found)
    return table


def errno_regex(name: str) -> str:
    """One error by its symbolic name or any of its texts (`strerror`)."""
    texts = (
        "".join(_ANY_QUOTE if c in _QUOTES else re.escape(c) for c in text)
        for text in strerror()[name]
    )
    return "|".join((rf"\b{name}\b", *texts))


class RuleSpec(BaseModel):
    """One rule as written in a file. It fires when one `match` regex (or its `http_status`,
    or one of its `errno`) is found, one `context` regex too if there are any, and no `unless`
    regex."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StrictStr = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: StrictStr = Field(min_length=1)
    strength: Strength
    severity: Severity
    match: list[StrictStr] = []
    http_status: HttpStatus | None = None
    # C library errors ("ECONNREFUSED"), matched by name and by their text in every language
    # of strerror.toml: "Connection refused", "Connexion refusée", "拒绝连接"...
    errno: list[StrictStr] = []
    context: list[StrictStr] = []
    unless: list[StrictStr] = []
    min_level: LevelName = "WARNING"
    causal: Causal | None = None  # the file's `causal` when not set
    # ids of rules of the same tier whose (wrapper) message this rule explains: when both
    # fire, this one wins
    refines: list[StrictStr] = []
    # ids of rules whose patterns must have come first: the rule fires on a pattern only where
    # the same digest holds one of theirs, in the same service, with most of this pattern's
    # events in its minutes (a worker's SIGKILL right after its supervisor's time limit)
    after: list[StrictStr] = []
    full_text: StrictBool = False  # also search stack frames (source lines, class paths)
    root_cause: StrictStr = Field(min_length=1)
    solution: StrictStr = Field(min_length=1)
    action: StrictStr = Field(min_length=1)  # one imperative line for priority_actions
    examples: list[ExampleLine] = Field(min_length=1)
    counter_examples: list[ExampleLine] = Field(min_length=1)

    @model_validator(mode="after")
    def _regexes_compile(self) -> RuleSpec:
        if not self.match and self.http_status is None and not self.errno:
            raise ValueError("match: a rule needs at least one regex (or an http_status or errno)")
        known = strerror()
        for i, name in enumerate(self.errno):
            if name not in known:
                raise ValueError(
                    f"errno[{i}]: {name!r} is not in {STRERROR_FILE}; known: {', '.join(known)}"
                )
        check_regexes("match", self.match, self._expanded())
        check_regexes("context", self.context)
        check_regexes("unless", self.unless)
        return self

    def _expanded(self) -> tuple[str, ...]:
        """The regexes `http_status` and `errno` stand for."""
        statuses = self.http_status.regexes() if self.http_status else ()
        return (*statuses, *(errno_regex(name) for name in self.errno))

    def match_regexes(self) -> tuple[str, ...]:
        """`match` after the regexes of `http_status` and `errno`: the list the rule
        compiles."""
        return (*self._expanded(), *self.match)


class KbFile(BaseModel):
    """One `kb/<category>.toml` file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    causal: Causal | None = None  # the default causal role of the category's rules
    rule: list[RuleSpec] = []
    unclaimed: list[ExampleLine] = []  # unknown.toml only: lines no rule may claim


class LinkSpec(BaseModel):
    """One `[[link]]` of kb/links.toml: a cause and the failures it sets off, in any service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cause: Category
    symptoms: list[Category] = Field(min_length=1)
    # symptoms it sets off only once it has gone on a while (a crash loop's callers miss its
    # work): one begun with it, within seconds, is not its effect (a panic kills the process)
    later: list[Category] = []
    why: str = Field(min_length=10)  # the mechanism, for the reader of the file

    @model_validator(mode="after")
    def _no_self_link(self) -> LinkSpec:
        if self.cause in (*self.symptoms, *self.later):
            raise ValueError(f"{self.cause} lists itself as its own symptom")
        if Category.UNKNOWN in (self.cause, *self.symptoms, *self.later):
            raise ValueError("unknown cannot be linked: nothing is known about it")
        if twice := sorted(set(self.symptoms) & set(self.later)):
            raise ValueError(f"{', '.join(twice)} is in both symptoms and later: keep one")
        return self


class LinksFile(BaseModel):
    """kb/links.toml: which categories cause which, the incident stage's causal knowledge."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    link: list[LinkSpec] = []

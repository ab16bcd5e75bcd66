"""The redaction rules: `redact_rules.toml`, read once per process and validated.

A rule file that is wrong (a bad regex, an unknown check, an example whose secret is not in its
line) fails at load with `RuleFileError` naming the rule, not later on some log line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from .redact_checks import CHECKS, Check

RULES_FILE = files("doctor.digest") / "redact_rules.toml"
_KIND = re.compile(r"[A-Z][A-Z0-9_]*")
_FIELDS = frozenset(
    {"id", "kind", "regex", "prefilter", "anchors", "shapes", "pii", "check", "pseudonym",
     "late", "examples", "counterexamples"}
)  # fmt: skip


# A text's shape: each ASCII digit 9, capital A, small letter a; anything else (ASCII) as it is.
_SHAPE = bytes(
    ord("9")
    if chr(c).isdigit()
    else ord("A")
    if chr(c).isupper()
    else ord("a")
    if chr(c).islower()
    else c
    for c in range(256)
)


def shape(text: str) -> str:
    """The shape `shapes` are looked for in (non-ASCII characters become "?")."""
    return text.encode("ascii", "replace").translate(_SHAPE).decode("ascii")


class RuleFileError(ValueError):
    """The rule file is malformed; the message names the rule and the field."""


@dataclass(frozen=True, slots=True)
class Example:
    line: str
    secret: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str  # the placeholder name, also the key in the counters
    regex: re.Pattern[str]
    # Substrings one of which the text must hold: lower-case ones are looked for in the
    # lowered text, `exact` ones (with a capital) as written. Neither: "needs a digit".
    anchors: tuple[str, ...]
    exact: tuple[str, ...] = ()
    shapes: tuple[str, ...] = ()  # of `shape(text)`, one of which it must hold
    prefilter: re.Pattern[str] | None = None  # a necessary condition of `regex`
    pii: bool = False  # personal data: only with DOCTOR_REDACT_PII
    check: Check | None = None
    pseudonym: bool = False  # <KIND-1>, <KIND-2>: one number per distinct value
    late: bool = False  # runs after the key=value pairs, so a pair's own kind wins
    examples: tuple[Example, ...] = ()
    counterexamples: tuple[str, ...] = ()

    # Derived once, read on every line (plain attributes: a property costs a call each time).
    # gate: (where, needle) pairs, one of whose needles must be in the lowered text (0), the
    # text (1) or its shape (2); empty: the rule needs a digit and nothing more.
    gate: tuple[tuple[int, str], ...] = field(init=False)
    # A gate of one needle, tested without the loop (most rules have one): where, and the
    # needle; None when the gate has none or several.
    where: int = field(init=False)
    needle: str | None = field(init=False)
    placeholder: str = field(init=False)
    has_secret_group: bool = field(init=False)

    def __post_init__(self) -> None:
        gate = [(0, a) for a in self.anchors] + [(1, a) for a in self.exact]
        gate += [(2, s) for s in self.shapes]
        object.__setattr__(self, "gate", tuple(gate))
        where, needle = gate[0] if len(gate) == 1 else (0, None)
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "needle", needle)
        object.__setattr__(self, "placeholder", f"<{self.kind}>")
        object.__setattr__(self, "has_secret_group", "secret" in self.regex.groupindex)


def _strings(rule_id: str, name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RuleFileError(f"rule {rule_id!r}: {name} must be a list of strings")
    return tuple(value)


def _examples(rule_id: str, value: Any) -> tuple[Example, ...]:
    if not isinstance(value, list):
        raise RuleFileError(f"rule {rule_id!r}: examples must be a list of {{line, secret}}")
    examples = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"line", "secret"}:
            raise RuleFileError(f"rule {rule_id!r}: each example is {{line = ..., secret = ...}}")
        line, secret = item["line"], item["secret"]
        if not isinstance(line, str) or not isinstance(secret, str) or secret not in line:
            raise RuleFileError(f"rule {rule_id!r}: example secret {secret!r} is not in its line")
        examples.append(Example(line, secret))
    return tuple(examples)


def _regex(rule_id: str, name: str, value: Any) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise RuleFileError(f"rule {rule_id!r}: {name} is missing")
    try:
        # ASCII: secrets and the shapes of personal data are ASCII, and \d, \w and \b are
        # about twice as fast to test without Unicode tables (a rule runs on every line).
        return re.compile(value, re.ASCII)
    except re.error as exc:
        raise RuleFileError(f"rule {rule_id!r}: {name} does not compile: {exc}") from None


def _rule(raw: Any, position: int) -> Rule:
    if not isinstance(raw, dict):
        raise RuleFileError(f"rule #{position}: not a table")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RuleFileError(f"rule #{position}: id is missing")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise RuleFileError(f"rule {rule_id!r}: unknown field(s) {sorted(unknown)}")
    kind = raw.get("kind")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise RuleFileError(f"rule {rule_id!r}: kind must be UPPER_SNAKE, got {kind!r}")
    regex = _regex(rule_id, "regex", raw.get("regex"))
    prefilter = raw.get("prefilter")
    if prefilter is not None:
        prefilter = _regex(rule_id, "prefilter", prefilter)
        if prefilter.groupindex:
            raise RuleFileError(f"rule {rule_id!r}: a prefilter has no named groups")
    anchors = _strings(rule_id, "anchors", raw.get("anchors"))
    shapes = _strings(rule_id, "shapes", raw.get("shapes", []))
    if any(not s or shape(s) != s for s in shapes):
        raise RuleFileError(f"rule {rule_id!r}: a shape is written with 9, A and a (and no more)")
    if not all(anchors):
        raise RuleFileError(f"rule {rule_id!r}: an anchor is an empty string")
    check_name = raw.get("check")
    if check_name is not None and check_name not in CHECKS:
        raise RuleFileError(f"rule {rule_id!r}: unknown check {check_name!r} ({sorted(CHECKS)})")
    flags = {name: raw.get(name, False) for name in ("pii", "pseudonym", "late")}
    if not all(isinstance(flag, bool) for flag in flags.values()):
        raise RuleFileError(f"rule {rule_id!r}: pii, pseudonym and late are true or false")
    if flags["pseudonym"] and "secret" not in regex.groupindex:
        raise RuleFileError(f"rule {rule_id!r}: a pseudonym rule needs a `secret` group")
    return Rule(
        rule_id,
        kind,
        regex,
        tuple(anchor for anchor in anchors if anchor == anchor.lower()),
        tuple(anchor for anchor in anchors if anchor != anchor.lower()),
        shapes=shapes,
        prefilter=prefilter,
        check=CHECKS[check_name] if check_name is not None else None,
        examples=_examples(rule_id, raw.get("examples", [])),
        counterexamples=_strings(rule_id, "counterexamples", raw.get("counterexamples", [])),
        **flags,
    )


def parse_rules(text: str) -> tuple[Rule, ...]:
    """Rules from the text of a rule file; `RuleFileError` when any is malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"redaction rules are not valid TOML: {exc}") from None
    rules = tuple(_rule(raw, n) for n, raw in enumerate(data.get("rule", []), start=1))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleFileError(f"rule {rule.id!r} is defined twice")
        seen.add(rule.id)
    return rules


@cache
def load_rules() -> tuple[Rule, ...]:
    """The packaged rules, read and compiled once per process."""
    return parse_rules(RULES_FILE.read_text(encoding="utf-8"))

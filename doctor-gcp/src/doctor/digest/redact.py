"""Redaction: the first thing that touches log text, so nothing downstream sees a secret.

Every output (the prompt, `--json`, the API, Slack, stored history) is built from the digest,
and the digest only ever holds redacted text. Each rule replaces a secret with a typed
placeholder such as `<JWT>` and keeps the context around it (the key name, a URL's user and
host, the auth scheme) because that context is what a diagnosis needs.

The rules are data (`redact_rules.toml`, see redact_rules.py): vendor shapes first, then the
generic `key=value` pairs (redact_pairs.py), then values that only look random after a
credential word. Personal data (e-mail, phone, card numbers, IBANs, public IP addresses) is
redacted too unless the Redactor is built with `pii=False` (DOCTOR_REDACT_PII); secrets always
are. Public IP addresses become per-Redactor pseudonyms (<IP-1>, <IP-2>): one client stays
one client.

State across calls: a PEM private key logged one line per event (awslogs without a multiline
pattern) opens with a BEGIN line; the base64 lines after it are redacted until its END line.

Cheap tests decide which rules run at all, since this runs on every line: text with none of the
anchors a secret rule needs (`akia`, `eyj`, `token`, `://`, ...) skips the secret rules, and a
personal-data rule runs only where its anchor or its shape (`9999-9999` for a card: see
`redact_rules.shape`) and its prefilter are found.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from dataclasses import dataclass, field

from .redact_pairs import PAIR_KEYS, redact_pairs
from .redact_rules import Rule, load_rules, shape

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_DIGIT = re.compile(r"\d")
_PEM_MARK = re.compile(r"-----(BEGIN|END) (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
# A line of a key's base64 body: long, and not a word or a path (a digit, "+" or both cases).
_KEY_BODY = re.compile(r"(?<![\w+/=])[A-Za-z0-9+/]{16,}={0,2}(?![\w+/=])")
_SEEN_MAX = 4096  # distinct texts remembered per Redactor
PAIR_KIND = "PASSWORD"  # the kind of credential pairs
PRIVATE_KEY = "PRIVATE_KEY"


def _lower(text: str) -> str:
    # Positions must line up with `text`; str.lower() can change the length outside ASCII.
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


# Characters from the rarest in log text to the most common (Loghub), in lowered text and as
# written: see `_any_of`.
_RARE_LOWERED = "qzj=wxy_vh/gkumfpbl:-rdniosc.ate"
_RARE_WRITTEN = "ZQYjXVWqzGHJwL=UDKAMPBEOxFICTRyhNv_Skgmu/fpblrn:sd-ico.tae"


def _any_of(words: tuple[str, ...], rarity: str) -> re.Pattern[str]:
    """A regex that finds whether a text holds any of `words`, led by each word's rarest
    character (in `rarity`) with the rest of the word checked around it (a lookbehind).

    A trie of the words (literals.any_of) is led by their first characters, which in log text
    are common letters: the engine runs its branches at over a third of all positions (lowered
    Loghub text), and at a sixth led by the rarest ones. Only whether it finds one counts."""
    ranks = {char: rank for rank, char in enumerate(rarity)}
    groups: dict[str, list[str]] = {}
    for word in sorted(words):
        at = min(range(len(word)), key=lambda i: (ranks.get(word[i], len(ranks)), i))
        behind = f"(?<={re.escape(word)})" if at else ""
        groups.setdefault(word[at], []).append(re.escape(word[at + 1 :]) + behind)
    branches = [
        re.escape(char) + ("(?:" + "|".join(rests) + ")" if rests != [""] else "")
        for char, rests in sorted(groups.items())
    ]
    return re.compile("|".join(branches) or "(?!)")


def _minimal(anchors: set[str]) -> tuple[str, ...]:
    """The anchors no other anchor is part of: if none is in a text, none of them is."""
    return tuple(sorted(a for a in anchors if not any(b != a and b in a for b in anchors)))


def _key_body(run: str) -> bool:
    return any(c.isdigit() or c in "+/" for c in run) or (not run.islower() and not run.isupper())


@dataclass(frozen=True, slots=True)
class _Plan:
    """The rules in the order they run, and the anchors that decide whether any can match."""

    early: tuple[Rule, ...]
    late: tuple[Rule, ...]
    personal: tuple[Rule, ...]  # PII rules, last: a secret's shape wins over a phone's
    # Does the text hold any anchor of the secret rules or the pair keys (lowered text) or any
    # exact anchor (as written)? One regex each, led by the anchors' rarest characters
    # (`_any_of`): a loop of `in` tests, or a plain alternation, costs far more on a line that
    # holds none.
    anchors: re.Pattern[str]
    exact: re.Pattern[str]


def _plan(pii: bool) -> _Plan:
    rules = load_rules()
    secrets = tuple(rule for rule in rules if not rule.pii)
    return _Plan(
        early=tuple(rule for rule in secrets if not rule.late),
        late=tuple(rule for rule in secrets if rule.late),
        personal=tuple(rule for rule in rules if rule.pii and pii),
        anchors=_any_of(
            _minimal({a for rule in secrets for a in rule.anchors} | set(PAIR_KEYS)),
            _RARE_LOWERED,
        ),
        exact=_any_of(_minimal({a for rule in secrets for a in rule.exact}), _RARE_WRITTEN),
    )


_PLANS: dict[bool, _Plan] = {}


@dataclass(slots=True)
class Redactor:
    """Redacts text and counts replacements per placeholder kind across calls.

    One Redactor per request: its IP pseudonyms and the state of a PEM key split over events
    are that request's.
    """

    pii: bool = True  # also personal data (DOCTOR_REDACT_PII)
    counts: dict[str, int] = field(default_factory=dict)
    _pseudonyms: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False)
    _numbers: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _in_key: bool = field(default=False, init=False, repr=False)
    _delta: dict[str, int] = field(default_factory=dict, init=False, repr=False)  # this call's
    # Logs repeat: a text seen before gets its result and counts again, without the rules.
    # Sound because a Redactor's output for a text never changes (pseudonyms are stable),
    # except around PEM keys, which are never cached.
    _seen: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _plan: _Plan = field(init=False, repr=False)

    def __post_init__(self) -> None:
        plan = _PLANS.get(self.pii)
        if plan is None:
            plan = _PLANS[self.pii] = _plan(self.pii)
        self._plan = plan

    def redact(self, text: str) -> str:
        if self._in_key:
            return self._redact(self._key_lines(text))
        seen = self._seen.get(text)
        if seen is not None:
            for kind, replaced in seen[1]:
                self._count(kind, replaced)
            return seen[0]
        self._delta = {}
        result = self._redact(text)
        if not self._in_key and "PRIVATE KEY" not in text:
            if len(self._seen) >= _SEEN_MAX:
                self._seen.clear()
            self._seen[text] = (result, tuple(self._delta.items()))
        return result

    def _redact(self, text: str) -> str:
        lowered = _lower(text)
        plan = self._plan
        if plan.anchors.search(lowered) or plan.exact.search(text):
            if "private key" in lowered:
                self._follow_key(text)
            text, lowered = self._run(plan.early, text, lowered, shaped=None)
            text, replaced = redact_pairs(text, lowered, f"<{PAIR_KIND}>")
            if replaced:
                self._count(PAIR_KIND, replaced)
                lowered = _lower(text)
            text, lowered = self._run(plan.late, text, lowered, shaped=None)
        if plan.personal:
            # Most lines hold a digit, and then the shape is needed: its "9" tells an ASCII digit
            # for less than a search (a non-ASCII one still needs the search).
            shaped = shape(text)
            if "9" in shaped or (not text.isascii() and _DIGIT.search(text) is not None):
                text, _ = self._run(plan.personal, text, lowered, shaped=shaped)
            else:  # no digit: the rules that need none (e-mail)
                text, _ = self._run(plan.personal, text, lowered, shaped=None)
        return text

    def _run(
        self, rules: tuple[Rule, ...], text: str, lowered: str, *, shaped: str | None
    ) -> tuple[str, str]:
        """Apply `rules` in order. A rule whose gate is empty needs a digit: `shaped` is the
        text's shape when it has one, else None. Shapes of candidates replaced since may linger
        in `shaped`: the test stays a necessary one."""
        haystacks = (lowered, text, shaped or "")
        for rule in rules:
            needle = rule.needle
            if needle is not None:
                if needle not in haystacks[rule.where]:
                    continue
            elif rule.gate:
                # Inline loops, not any() or a helper: this runs for every rule on every line.
                for where, needle in rule.gate:
                    if needle in haystacks[where]:
                        break
                else:
                    continue
            elif shaped is None:
                continue
            if rule.prefilter is not None and rule.prefilter.search(text) is None:
                continue
            text, replaced = self._substitute(rule, text)
            if replaced:
                self._count(rule.kind, replaced)
                lowered = _lower(text)
                haystacks = (lowered, text, shaped or "")
        return text, lowered

    def _substitute(self, rule: Rule, text: str) -> tuple[str, int]:
        if rule.check is None and not rule.has_secret_group:
            return rule.regex.subn(rule.placeholder, text)
        replaced = 0

        def replace(match: re.Match[str]) -> str:
            nonlocal replaced
            if rule.check is not None and not rule.check(match):
                return match.group(0)
            replaced += 1
            if not rule.has_secret_group:
                return rule.placeholder
            start, end = match.span("secret")
            whole = match.group(0)
            value = self._pseudonym(rule.kind, match.group("secret")) if rule.pseudonym else None
            offset = match.start()
            return whole[: start - offset] + (value or rule.placeholder) + whole[end - offset :]

        return rule.regex.sub(replace, text), replaced

    def _pseudonym(self, kind: str, value: str) -> str:
        if ":" in value:  # one IPv6 address, however written ("2001:DB8::1", "2001:db8:0::1")
            with contextlib.suppress(ValueError):
                value = ipaddress.ip_address(value).compressed
        name = self._pseudonyms.get((kind, value))
        if name is None:
            number = self._numbers[kind] = self._numbers.get(kind, 0) + 1
            name = self._pseudonyms[(kind, value)] = f"<{kind}-{number}>"
        return name

    def _follow_key(self, text: str) -> None:
        """A BEGIN with no END after it: the lines of the key come next, each its own event."""
        marks = _PEM_MARK.findall(text)
        if marks:
            self._in_key = marks[-1] == "BEGIN"

    def _key_lines(self, text: str) -> str:
        """Inside a key: its base64 lines go. A line with none ends it (a cut-off key)."""
        replaced = 0

        def replace(match: re.Match[str]) -> str:
            nonlocal replaced
            if not _key_body(match.group(0)):
                return match.group(0)
            replaced += 1
            return f"<{PRIVATE_KEY}>"

        text = _KEY_BODY.sub(replace, text)
        if replaced:
            self._count(PRIVATE_KEY, replaced)
        elif "PRIVATE KEY" not in text:
            self._in_key = False
        return text

    def _count(self, kind: str, replaced: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + replaced
        self._delta[kind] = self._delta.get(kind, 0) + replaced


def redact(text: str, *, pii: bool = True) -> tuple[str, dict[str, int]]:
    """Redact one text; returns it with the number of replacements per placeholder kind."""
    redactor = Redactor(pii=pii)
    return redactor.redact(text), redactor.counts


def kinds() -> tuple[str, ...]:
    """Every placeholder kind a Redactor can count."""
    return tuple(dict.fromkeys([*(rule.kind for rule in load_rules()), PAIR_KIND, PRIVATE_KEY]))

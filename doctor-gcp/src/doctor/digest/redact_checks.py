"""Validators that redaction rules name in `check = "..."`: what a regex alone cannot tell.

Each takes the rule's match (its `secret` group, or the whole match) and says whether the
candidate really is one: a card number passes Luhn and has a card network's prefix, an IBAN
passes mod-97 and has its country's length, an IP address is public, a credential-looking word
is random rather than a name. They keep false positives near zero on ordinary logs.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

Check = Callable[[re.Match[str]], bool]


def _candidate(match: re.Match[str]) -> str:
    return match.group("secret") if "secret" in match.re.groupindex else match.group(0)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# Card networks by prefix (IIN): Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37, Discover
# 6011/644-649/65, JCB 3528-3589, Diners 300-305/36/38/39, UnionPay 62, Maestro 50/56-69.
# Digits 0, 1, 7, 8 and 9 start no card: most long ids and epoch times start with 1.
_CARD_PREFIX = re.compile(r"4|5[0-9]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[0-9]|6")


def card(match: re.Match[str]) -> bool:
    digits = _digits(_candidate(match))
    if not 13 <= len(digits) <= 19 or len(set(digits)) < 2:  # "0000 0000 0000 0000"
        return False
    return _CARD_PREFIX.match(digits) is not None and luhn(digits)


# The IBAN length of each country that issues them (ISO 13616 registry).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban(match: re.Match[str]) -> bool:
    value = _candidate(match).replace(" ", "")
    if _IBAN_LENGTHS.get(value[:2]) != len(value):
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


# Infrastructure, kept: a diagnosis needs to know which host or pod talks to which.
_KEPT_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "255.255.255.255/32",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    )
)  # fmt: skip


# A dotted quad after a version word or inside a package name is a version ("~~6.1.1.0",
# "pkg-1.2.3.4", "version 10.0.17763.1"), not an address.
_VERSION_BEFORE = re.compile(r"(?:[~+-]|(?i:version|ver|release|build|firmware)[\s:=]*)$")


def public_ip(match: re.Match[str]) -> bool:
    start = match.start("secret") if "secret" in match.re.groupindex else match.start()
    if _VERSION_BEFORE.search(match.string[max(0, start - 12) : start]):
        return False
    return _public(_candidate(match))


# The same networks as (first octet, second-octet range) for the IPv4 fast path: ipaddress takes
# ~10 us an address, a tenth of a log line's whole budget, and access logs hold one a line.
_KEPT_V4 = {0: (0, 255), 10: (0, 255), 100: (64, 127), 127: (0, 255), 169: (254, 254),
            172: (16, 31), 192: (168, 168), 255: (255, 255)}  # fmt: skip


def _public(value: str) -> bool:
    octets = value.split(".")
    if len(octets) == 4 and all(o.isdigit() and len(o) <= 3 for o in octets):
        first, second = int(octets[0]), int(octets[1])
        if max(first, second, int(octets[2]), int(octets[3])) > 255:
            return False
        low, high = _KEPT_V4.get(first, (1, 0))
        if first == 255 and value != "255.255.255.255":
            return True
        return not (low <= second <= high or 224 <= first <= 239)
    return _public_v6(value)


@lru_cache(maxsize=4096)  # addresses repeat, and ipaddress is slow next to a log line's budget
def _public_v6(value: str) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not any(address in network for network in _KEPT_NETWORKS)


def phone(match: re.Match[str]) -> bool:
    # E.164 allows 15 digits after "+"; national numbers with a trunk 0 or an area code have
    # 9-12. Fewer is a count or a code, not a phone.
    value = _candidate(match)
    count = len(_digits(value))
    return 8 <= count <= 15 if value.startswith("+") else 9 <= count <= 12


def aws_secret(match: re.Match[str]) -> bool:
    # Forty random base64 characters hold both cases and a digit; a path or a word does not.
    value = _candidate(match)
    return (
        any(c.isdigit() for c in value)
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
    )


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_TYPED_ID = re.compile(r"[a-z]{2,6}[_-]+")  # "blk_-160...", "req-8f1...", "txn_..."
_CAMEL_WORDS = re.compile(r"[A-Z]?[a-z]+(?:[A-Z][a-z]+)+|[a-z]+")
_PARTS = re.compile(r"[_.\-/+=]+")
_STRONG_WORDS = frozenset({"token", "secret", "password", "passwd", "passphrase", "pwd"})


def credential_value(match: re.Match[str]) -> bool:
    """Is the value after a credential word random (a secret) rather than a name or an id?"""
    value = _candidate(match).rstrip(".")
    word = match.group("word").lower()
    strong = word in _STRONG_WORDS or word.startswith("credential")
    parts = [part for part in _PARTS.split(value) if part]
    return not _named(value, parts) and _random(value, parts, strong=strong)


def _named(value: str, parts: list[str]) -> bool:
    """Short, repetitive, a qualified name (com.example.auth.TokenService), an id with a type
    prefix (blk_-160..., req-8f1...), a number, a path, or a pair (path=/api/v1)."""
    qualified = "." in value and len(parts) >= 3 and all(p[0].isalpha() for p in parts)
    return (
        len(value) < 16
        or not parts
        or entropy(value) < 3.0
        or qualified
        or _TYPED_ID.match(value) is not None
        or value.isdigit()
        or value[0] == "/"
        or "=" in value.rstrip("=")
    )


def _random(value: str, parts: list[str], *, strong: bool) -> bool:
    if len(parts) > 1 and all(part.islower() or part.isdigit() for part in parts):
        return strong and _HEX.fullmatch("".join(parts)) is not None  # "api/v1/orders": words
    if all(part.isalpha() and _CAMEL_WORDS.fullmatch(part) for part in parts):
        # Words: snake_case, CamelCase or one long lower-case run. A run of 16+ letters in one
        # case with no vowel structure is random; one word is not that long.
        return len(parts) == 1 and not _vowelled(value)
    if _UUID.fullmatch(value) or _HEX.fullmatch(value) or strong:
        # After token/secret/password anything random is one, hex too; after "key", a UUID or a
        # hash is an idempotency, cache or object key.
        return strong
    # After "key" (partition, cache, object keys): only base64-like randomness counts.
    has_digit = any(c.isdigit() for c in value)
    return has_digit and any(c.isupper() for c in value) and any(c.islower() for c in value)


def _vowelled(value: str) -> bool:
    """Pronounceable, like a long compound word: vowels at a word's rate and no long run of
    consonants. Random letters have about one vowel in five and long consonant runs."""
    lowered = value.lower()
    vowels = sum(c in "aeiouy" for c in lowered)
    longest = max(len(run) for run in re.split("[aeiouy]+", lowered))
    return vowels / len(lowered) >= 0.3 and longest <= 4


CHECKS: dict[str, Check] = {
    "aws_secret": aws_secret,
    "card": card,
    "credential_value": credential_value,
    "iban": iban,
    "phone": phone,
    "public_ip": public_ip,
}

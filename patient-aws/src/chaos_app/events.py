"""The log event model and the seeded source of varying values that scenarios draw from.

Scenarios build `Event`s without timestamps; the generator stamps them on a logical clock so
that a seeded run is byte-for-byte reproducible.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class Style(StrEnum):
    """How the software behind an event writes its own log line (used by `--format text`)."""

    APP = "app"  # ISO timestamp, level, [logger], message; Python tracebacks follow
    JAVA = "java"  # Spring Boot / logback, stack trace follows
    GO = "go"  # Go's log package; panics and goroutine dumps follow
    NODE = "node"  # pino-like one-liners
    NGINX = "nginx"  # nginx error log
    POSTGRES = "postgres"  # PostgreSQL server log
    KERNEL = "kernel"  # syslog / journald kernel and systemd lines


@dataclass(frozen=True, slots=True)
class Event:
    """One log event as the software emits it: a message plus, optionally, a whole stack.

    `level` is normalised (DEBUG, INFO, WARNING, ERROR, CRITICAL); `native_level` is how the
    software spells it in text form (nginx "error", PostgreSQL "FATAL", ...), when different.
    """

    level: str
    logger: str
    message: str
    exception: str | None = None
    style: Style = Style.APP
    native_level: str | None = None
    fields: dict[str, str | int | float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stamped:
    """An event placed on the run's clock, labelled with the scenario that produced it."""

    timestamp: datetime
    event: Event
    scenario: str | None  # None for healthy background traffic


class Fake:
    """Seeded values that vary the way production values do (ids, addresses, latencies)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choice(self, options: list[T] | tuple[T, ...]) -> T:
        return options[self.rng.randrange(len(options))]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, length: int = 16) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(length))

    def request_id(self) -> str:
        return self.hex(16)

    def trace_id(self) -> str:
        return self.hex(32)

    def private_ip(self) -> str:
        return f"10.{self.integer(0, 3)}.{self.integer(0, 255)}.{self.integer(2, 254)}"

    def public_ip(self) -> str:
        # TEST-NET ranges: realistic shape, never a real host.
        prefix = self.choice(("192.0.2", "198.51.100", "203.0.113"))
        return f"{prefix}.{self.integer(1, 254)}"

    def port(self) -> int:
        return self.integer(32768, 60999)

    def pid(self) -> int:
        return self.integer(7, 48000)

    def latency_ms(self, low: float = 2.0, high: float = 900.0) -> float:
        # Log-uniform: most calls fast, a long tail, like real latency distributions.
        return round(low * float((high / low) ** self.rng.random()), 1)

    def user_id(self) -> int:
        return self.integer(1000, 999_999)

    def order_id(self) -> str:
        return f"ord_{self.hex(12)}"

    def hostname(self) -> str:
        return f"ip-10-0-{self.integer(0, 15)}-{self.integer(2, 254)}"

    def pod(self, app: str) -> str:
        return f"{app}-{self.hex(10)[:10]}-{self.hex(5)}"

    # Credential-shaped canaries. They are random and never valid, but shaped exactly like the
    # real thing so that the doctor's redaction is tested against what it must catch.

    def aws_access_key_id(self) -> str:
        # Long-term IAM key ids are "AKIA" + 16 characters of base32 (A-Z, 2-7).
        return "AKIA" + self.chars(string.ascii_uppercase + "234567", 16)

    def chars(self, alphabet: str, length: int) -> str:
        """`length` characters drawn from `alphabet` (request ids, host ids, passwords)."""
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def password(self, length: int = 20) -> str:
        return self.chars(string.ascii_letters + string.digits, length)

    def jwt(self, subject: str, audience: str, issued_at: int, lifetime_s: int = 900) -> str:
        """An RS256-shaped access token: base64url header and claims, 256-byte signature."""

        def b64(raw: bytes) -> str:
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

        header = {"alg": "RS256", "kid": self.hex(20), "typ": "JWT"}
        claims = {
            "iss": "https://auth.example.com/",
            "sub": subject,
            "aud": audience,
            "iat": issued_at,
            "exp": issued_at + lifetime_s,
            "jti": self.uuid(),
        }
        parts = [json.dumps(part, separators=(",", ":")).encode() for part in (header, claims)]
        return ".".join([b64(parts[0]), b64(parts[1]), b64(self.rng.randbytes(256))])

    def aws_account_id(self) -> str:
        return str(self.integer(100_000_000_000, 999_999_999_999))

    def instance_id(self) -> str:
        return f"i-0{self.hex(16)}"

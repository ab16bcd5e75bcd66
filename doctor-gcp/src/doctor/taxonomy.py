"""The diagnosis taxonomy: the failure categories of DESIGN.md and the severities.

Plain enums, no pydantic: the digest, the engines, the rule files and every renderer name them,
so importing them costs nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    DATABASE_CONNECTION = "database_connection"
    DATABASE_ERROR = "database_error"
    OUT_OF_MEMORY = "out_of_memory"
    DISK_FULL = "disk_full"
    TIMEOUT = "timeout"
    UPSTREAM_UNAVAILABLE = "upstream_unavailable"
    TLS_CERTIFICATE = "tls_certificate"
    DNS_RESOLUTION = "dns_resolution"
    PERMISSION_DENIED = "permission_denied"
    AUTHENTICATION_FAILURE = "authentication_failure"
    RATE_LIMITED = "rate_limited"
    RESOURCE_EXHAUSTION = "resource_exhaustion"
    CONFIGURATION_ERROR = "configuration_error"
    APPLICATION_EXCEPTION = "application_exception"
    CRASH_LOOP = "crash_loop"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        """0 (LOW) to 3 (CRITICAL): the order in which severities compare."""
        return _SEVERITY_ORDER.index(self)

    @classmethod
    def of_rank(cls, rank: int) -> Severity:
        return _SEVERITY_ORDER[rank]


_SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)

"""The catalog itself: the `Scenario` record, `CATALOG` and `by_name`.

`CATALOG` is in the order `chaos-app scenarios` lists it; a seeded run shuffles that order to
pick which scenario goes next, so reordering it changes every seeded output. This is the one
module that imports all the categories; they import only `_kit` and `_stacks`, never the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chaos_app.events import Event, Fake
from chaos_app.scenarios import (
    application_exception,
    authentication_failure,
    configuration_error,
    crash_loop,
    database_connection,
    database_error,
    disk_full,
    dns_resolution,
    out_of_memory,
    permission_denied,
    rate_limited,
    resource_exhaustion,
    timeout,
    tls_certificate,
    upstream_unavailable,
)


@dataclass(frozen=True)
class Scenario:
    name: str  # kebab-case, e.g. "db-outage"
    category: str  # exactly a DESIGN.md category value, e.g. "database_connection"
    description: str  # one line, shown by `chaos-app scenarios`
    burst: Callable[[Fake], list[Event]]  # one occurrence: 1..~8 events, >=1 ERROR/CRITICAL


CATALOG: tuple[Scenario, ...] = (
    Scenario(
        "db-outage",
        "database_connection",
        "PostgreSQL is down or restarting: connections refused, reset or rejected",
        database_connection.db_outage,
    ),
    Scenario(
        "db-pool-exhausted",
        "database_connection",
        "No database connection to be had: pool timeouts, too many clients, leaked connections",
        database_connection.db_pool_exhausted,
    ),
    Scenario(
        "redis-down",
        "database_connection",
        "The Redis cache refuses connections",
        database_connection.redis_down,
    ),
    Scenario(
        "db-deadlock",
        "database_error",
        "Concurrent transactions deadlock or time out waiting for row locks",
        database_error.db_deadlock,
    ),
    Scenario(
        "db-query-error",
        "database_error",
        "Queries rejected: constraint violations, a column the migration has not added yet",
        database_error.db_query_error,
    ),
    Scenario(
        "memory-leak",
        "out_of_memory",
        "A runtime runs out of heap: Java heap space, MemoryError, V8 heap limit, Go runtime",
        out_of_memory.memory_leak,
    ),
    Scenario(
        "oom-killed",
        "out_of_memory",
        "The kernel OOM killer kills the process at its cgroup memory limit",
        out_of_memory.oom_killed,
    ),
    Scenario(
        "disk-full",
        "disk_full",
        "Writes fail with ENOSPC: exports, PostgreSQL files, nginx temp files, spools",
        disk_full.disk_full,
    ),
    Scenario(
        "upstream-timeout",
        "timeout",
        "A dependency answers too slowly: read timeouts, deadlines, 504s, task time limits",
        timeout.upstream_timeout,
    ),
    Scenario(
        "upstream-down",
        "upstream_unavailable",
        "A dependency refuses connections or answers 502/503; the circuit breaker opens",
        upstream_unavailable.upstream_down,
    ),
    Scenario(
        "cert-expired",
        "tls_certificate",
        "A partner API's TLS certificate has expired",
        tls_certificate.cert_expired,
    ),
    Scenario(
        "cert-untrusted",
        "tls_certificate",
        "A peer's certificate chain is untrusted or does not match the host name",
        tls_certificate.cert_untrusted,
    ),
    Scenario(
        "dns-failure",
        "dns_resolution",
        "Host names do not resolve: NXDOMAIN, SERVFAIL, resolver unreachable",
        dns_resolution.dns_failure,
    ),
    Scenario(
        "s3-access-denied",
        "permission_denied",
        "IAM says no: AccessDenied from S3, KMS, Secrets Manager, SQS",
        permission_denied.s3_access_denied,
    ),
    Scenario(
        "file-permission",
        "permission_denied",
        "EACCES: files, sockets and tables the process may not touch",
        permission_denied.file_permission,
    ),
    Scenario(
        "auth-token-expired",
        "authentication_failure",
        "Expired bearer tokens and AWS session credentials",
        authentication_failure.auth_token_expired,
    ),
    Scenario(
        "bad-credentials",
        "authentication_failure",
        "Wrong passwords and keys: PostgreSQL, MySQL, Redis, S3",
        authentication_failure.bad_credentials,
    ),
    Scenario(
        "rate-limited",
        "rate_limited",
        "Throttled: AWS ThrottlingException / SlowDown, partner 429s, nginx limit_req",
        rate_limited.rate_limited,
    ),
    Scenario(
        "fd-exhaustion",
        "resource_exhaustion",
        "Too many open files: accept() and open() fail at the descriptor limit",
        resource_exhaustion.fd_exhaustion,
    ),
    Scenario(
        "thread-exhaustion",
        "resource_exhaustion",
        "No more threads or processes: thread limits, saturated executors, pids cgroup",
        resource_exhaustion.thread_exhaustion,
    ),
    Scenario(
        "port-exhaustion",
        "resource_exhaustion",
        "Ephemeral ports run out: outbound connects fail with EADDRNOTAVAIL",
        resource_exhaustion.port_exhaustion,
    ),
    Scenario(
        "missing-config",
        "configuration_error",
        "A required setting or environment variable is missing at startup",
        configuration_error.missing_config,
    ),
    Scenario(
        "bad-config",
        "configuration_error",
        "A setting is present but invalid: nginx directives, durations, YAML, ports",
        configuration_error.bad_config,
    ),
    Scenario(
        "app-exception",
        "application_exception",
        "Bugs: unhandled exceptions, NPEs, recovered panics, TypeErrors, failing tasks",
        application_exception.app_exception,
    ),
    Scenario(
        "crash-loop",
        "crash_loop",
        "The process dies and is restarted again and again: segfaults, exec errors, back-off",
        crash_loop.crash_loop,
    ),
)

_BY_NAME = {scenario.name: scenario for scenario in CATALOG}


def by_name(name: str) -> Scenario:
    """The scenario called `name`; KeyError if there is none."""
    return _BY_NAME[name]

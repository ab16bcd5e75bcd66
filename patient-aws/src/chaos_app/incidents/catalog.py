"""The incident catalog: `INCIDENTS`, in the order `chaos-app incidents` lists them, and
`by_name`. Each incident names its root cause's category and service and the symptoms that
follow; `tests/patient_aws/test_incidents.py` checks the streams against these claims."""

from __future__ import annotations

from chaos_app.incidents import cloud, data, network, runtime
from chaos_app.incidents.incident import Incident, Symptom

_CONNECTION = "database_connection"
_UNAVAILABLE = "upstream_unavailable"

INCIDENTS: tuple[Incident, ...] = (
    Incident(
        "db-disk-full",
        "disk_full",
        "db",
        (
            Symptom(_CONNECTION, ("db", "api", "worker", "payments")),
            Symptom("timeout", ("gateway",)),
        ),
        "PostgreSQL's volume fills up: it PANICs, stays in crash recovery, and turns clients away",
        data.db_disk_full,
    ),
    Incident(
        "internal-cert-expired",
        "tls_certificate",
        "auth",
        (Symptom(_UNAVAILABLE, ("api", "payments", "gateway", "worker")),),
        "The auth service's internal certificate expires; callers' breakers open, requests get 503",
        network.internal_cert_expired,
    ),
    Incident(
        "redis-password-rotated",
        "authentication_failure",
        "api",
        (Symptom(_CONNECTION, ("api", "db", "worker")), Symptom("timeout", ("gateway",))),
        "Redis's password is rotated; the API bypasses its cache and exhausts PostgreSQL's slots",
        data.redis_password_rotated,
    ),
    Incident(
        "postgres-password-rotated",
        "authentication_failure",
        "db",
        (Symptom(_CONNECTION, ("api", "payments", "worker")), Symptom("timeout", ("gateway",))),
        "The app role's password changes in PostgreSQL only; the pools cannot replace connections",
        data.postgres_password_rotated,
    ),
    Incident(
        "dns-failure",
        "dns_resolution",
        "payments",
        (Symptom("timeout", ("api", "gateway")), Symptom(_UNAVAILABLE, ("payments", "worker"))),
        "The payments service cannot resolve its provider; callers time out, then get 503s",
        network.dns_failure,
    ),
    Incident(
        "iam-permission-removed",
        "permission_denied",
        "api",
        (Symptom("application_exception", ("api", "gateway", "worker")),),
        "A deploy drops secretsmanager:GetSecretValue from the API's role; signing fails with 500s",
        cloud.iam_permission_removed,
    ),
    Incident(
        "oom-killed",
        "out_of_memory",
        "api",
        (Symptom("crash_loop", ("api",)), Symptom(_UNAVAILABLE, ("gateway", "worker"))),
        "An API replica is OOM-killed again and again (exit 137); the gateway gets refused, 502",
        runtime.oom_killed,
    ),
    Incident(
        "partner-rate-limited",
        "rate_limited",
        "payments",
        (Symptom("timeout", ("payments", "api", "gateway", "worker")),),
        "The payment provider answers 429; charges queue, callers time out, retries run out",
        network.partner_rate_limited,
    ),
    Incident(
        "go-panic",
        "application_exception",
        "auth",
        (Symptom("crash_loop", ("auth",)), Symptom(_UNAVAILABLE, ("api", "gateway", "payments"))),
        "A nil dereference panics the Go auth service at every start: crash loop, 503 upstream",
        runtime.go_panic,
    ),
    Incident(
        "aws-token-expired",
        "authentication_failure",
        "api",
        (Symptom("permission_denied", ("gateway", "worker", "payments")),),
        "The API's temporary AWS credentials expire: its presigned S3 URLs are refused with 403",
        cloud.aws_token_expired,
    ),
)

_BY_NAME = {incident.name: incident for incident in INCIDENTS}


def by_name(name: str) -> Incident:
    """The incident called `name`; KeyError if there is none."""
    return _BY_NAME[name]

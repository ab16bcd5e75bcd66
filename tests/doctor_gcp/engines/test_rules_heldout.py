"""Held-out check of the rules engine: real-world-style lines written before the rules were tuned.

These lines are deliberately NOT tuned against one by one (that would make them a training set).
The test measures accuracy over the whole set and fails only if it drops below a floor, so a
regression shows up without the set turning into per-line assertions.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from doctor.digest.types import Digest, Level, Pattern
from doctor.engines.rules import RulesEngine
from doctor.taxonomy import Category

C = Category

HELD_OUT: list[tuple[str, Category]] = [
    (
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "
        '"10.0.3.12", port 5432 failed: Connection refused\n'
        "\tIs the server running on that host and accepting TCP/IP connections?",
        C.DATABASE_CONNECTION,
    ),
    (
        "com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure\n\n"
        "The last packet sent successfully to the server was 0 milliseconds ago. "
        "The driver has not received any packets from the server.",
        C.DATABASE_CONNECTION,
    ),
    (
        "pymongo.errors.ServerSelectionTimeoutError: mongo-0.mongo:27017: [Errno 111] Connection "
        "refused, Timeout: 30s, Topology Description: <TopologyDescription id: 65f, "
        "topology_type: Unknown>",
        C.DATABASE_CONNECTION,
    ),
    (
        "psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "
        '"users_email_key"\nDETAIL:  Key (email)=(<EMAIL>) already exists.',
        C.DATABASE_ERROR,
    ),
    (
        "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Lock wait timeout "
        "exceeded; try restarting transaction",
        C.DATABASE_ERROR,
    ),
    ("java.lang.OutOfMemoryError: GC overhead limit exceeded", C.OUT_OF_MEMORY),
    (
        "[1234567.890123] Memory cgroup out of memory: Killed process 4211 (python3) "
        "total-vm:2381232kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:1000 "
        "pgtables:2300kB oom_score_adj:0",
        C.OUT_OF_MEMORY,
    ),
    (
        "OSError: [Errno 28] No space left on device: '/var/lib/app/cache/tmp8f3k2'",
        C.DISK_FULL,
    ),
    (
        "Error response from daemon: write /var/lib/docker/overlay2/3f2a/layer.tar: "
        "no space left on device",
        C.DISK_FULL,
    ),
    (
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.partner.example.com', "
        "port=443): Read timed out. (read timeout=10)",
        C.TIMEOUT,
    ),
    ("rpc error: code = DeadlineExceeded desc = context deadline exceeded", C.TIMEOUT),
    (
        "upstream connect error or disconnect/reset before headers. reset reason: connection "
        "failure, transport failure reason: delayed connect error: 111",
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: "
        "http://inventory-svc:8080/api/stock",
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "requests.exceptions.SSLError: HTTPSConnectionPool(host='internal-api.corp', port=443): "
        "Max retries exceeded with url: /health (Caused by SSLError(SSLCertVerificationError(1, "
        "'[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in "
        "certificate chain (_ssl.c:1006)')))",
        C.TLS_CERTIFICATE,
    ),
    (
        'Get "https://registry.internal:5000/v2/": x509: certificate has expired or is not yet '
        "valid: current time 2024-05-01T10:00:00Z is after 2024-04-30T23:59:59Z",
        C.TLS_CERTIFICATE,
    ),
    (
        "dial tcp: lookup orders-db.prod.internal on 10.96.0.10:53: no such host",
        C.DNS_RESOLUTION,
    ),
    (
        "urllib3.exceptions.NewConnectionError: <urllib3.connection.HTTPSConnection object at "
        "0x7f3a2c>: Failed to establish a new connection: [Errno -2] Name or service not known",
        C.DNS_RESOLUTION,
    ),
    (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
        "PutObject operation: Access Denied",
        C.PERMISSION_DENIED,
    ),
    ("PermissionError: [Errno 13] Permission denied: '/var/log/app/app.log'", C.PERMISSION_DENIED),
    (
        "org.postgresql.util.PSQLException: FATAL: password authentication failed for user "
        '"orders"',
        C.AUTHENTICATION_FAILURE,
    ),
    (
        "botocore.exceptions.ClientError: An error occurred (ExpiredTokenException) when calling "
        "the AssumeRole operation: The security token included in the request is expired",
        C.AUTHENTICATION_FAILURE,
    ),
    (
        "botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the "
        "PutLogEvents operation (reached max retries: 4): Rate exceeded",
        C.RATE_LIMITED,
    ),
    (
        "openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for "
        "requests', 'type': 'requests', 'code': 'rate_limit_exceeded'}}",
        C.RATE_LIMITED,
    ),
    (
        'Exception in thread "main" java.lang.OutOfMemoryError: unable to create new native thread',
        C.RESOURCE_EXHAUSTION,
    ),
    (
        "2024/01/02 03:04:05 http: Accept error: accept tcp [::]:8080: accept4: too many open "
        "files; retrying in 5ms",
        C.RESOURCE_EXHAUSTION,
    ),
    (
        "Traceback (most recent call last):\n"
        '  File "/app/settings.py", line 12, in <module>\n'
        '    DB_URL = os.environ["DATABASE_URL"]\n'
        '  File "<frozen os>", line 679, in __getitem__\n'
        "KeyError: 'DATABASE_URL'",
        C.CONFIGURATION_ERROR,
    ),
    (
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings\n"
        "redis_url\n  Field required [type=missing, input_value={}, input_type=dict]",
        C.CONFIGURATION_ERROR,
    ),
    (
        "Traceback (most recent call last):\n"
        '  File "/app/handlers.py", line 88, in checkout\n'
        '    total = sum(item["price"] for item in cart)\n'
        "TypeError: 'NoneType' object is not iterable",
        C.APPLICATION_EXCEPTION,
    ),
    (
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]\n\n"
        "goroutine 1 [running]:\nmain.handler(0x0)\n\t/src/main.go:42 +0x1c",
        C.APPLICATION_EXCEPTION,
    ),
    (
        "Back-off restarting failed container api in pod api-7d9f8b6c5-x2x9z_default(0c1e4f2a)",
        C.CRASH_LOOP,
    ),
    ("systemd[1]: myapp.service: Start request repeated too quickly.", C.CRASH_LOOP),
    (
        "/entrypoint.sh: line 8:    27 Segmentation fault      (core dumped) ./server --port 8080",
        C.CRASH_LOOP,
    ),
]

# A floor, not a target: the measured accuracy is reported by the test output (-rP / -s).
MIN_ACCURACY = 0.8

_NUM = re.compile(r"\d+")


def _one_pattern_digest(text: str) -> Digest:
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    first_line = text.splitlines()[0]
    pattern = Pattern(
        id="p1",
        template=_NUM.sub("<NUM>", first_line),
        count=3,
        level=Level.ERROR,
        first_seen=at,
        last_seen=at,
        samples=[text],
    )
    return Digest(
        events_total=3,
        patterns=[pattern],
        assignments=["p1"] * 3,
        timeline=[],
        spike_start=None,
        redactions={},
    )


def test_held_out_accuracy() -> None:
    engine = RulesEngine()
    misses: list[str] = []
    for text, expected in HELD_OUT:
        issues = engine.diagnosis(_one_pattern_digest(text)).issues
        got = issues[0].category if issues else None
        if got != expected:
            misses.append(f"expected {expected}, got {got}: {text.splitlines()[0][:90]}")
    accuracy = 1 - len(misses) / len(HELD_OUT)
    print(f"held-out accuracy: {accuracy:.0%} ({len(HELD_OUT) - len(misses)}/{len(HELD_OUT)})")
    for miss in misses:
        print("  miss:", miss)
    assert accuracy >= MIN_ACCURACY, "\n".join(misses)

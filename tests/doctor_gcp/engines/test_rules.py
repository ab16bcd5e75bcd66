"""The offline rules engine, on log lines written the way real software prints them.

Each case is one event as PostgreSQL, MySQL, Redis, MongoDB, the JVM, Python, Node, Go, nginx,
Envoy, the kernel, systemd, AWS SDKs or Kubernetes emit it; the engine must put it in the
category the design's taxonomy names.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest

from doctor.digest.types import Digest, Level, Pattern
from doctor.engines.rules import RulesEngine
from doctor.engines.rules.engine import STRONG_WEIGHT
from doctor.engines.rules.knowledge import RULES
from doctor.engines.rules.prefilter import required_literals
from doctor.engines.rules.text import MatchText
from doctor.taxonomy import Category, Severity

C = Category
T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
_NUM = re.compile(r"\d+")


def _pattern(pid: str, text: str, level: Level = Level.ERROR, count: int = 1) -> Pattern:
    """A pattern as the digest would mine it: masked first line as template, full sample."""
    return Pattern(
        id=pid,
        template=_NUM.sub("<NUM>", text.splitlines()[0]),
        count=count,
        level=level,
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=5),
        samples=[text],
    )


def _digest(*patterns: Pattern) -> Digest:
    assignments = [p.id for p in patterns for _ in range(p.count)]
    return Digest(
        events_total=len(assignments),
        patterns=list(patterns),
        assignments=assignments,
        timeline=[],
        spike_start=None,
        redactions={},
    )


def _top(text: str, level: Level = Level.ERROR) -> Category | None:
    issues = RulesEngine().diagnosis(_digest(_pattern("p1", text, level))).issues
    return issues[0].category if issues else None


CASES: list[tuple[str, Category]] = [
    # --- database_connection
    (
        "psycopg2.OperationalError: could not connect to server: Connection refused\n"
        '\tIs the server running on host "db.internal" (10.0.2.14) and accepting\n'
        "\tTCP/IP connections on port 5432?",
        C.DATABASE_CONNECTION,
    ),
    ("FATAL:  sorry, too many clients already", C.DATABASE_CONNECTION),
    (
        "FATAL:  remaining connection slots are reserved for non-replication superuser connections",
        C.DATABASE_CONNECTION,
    ),
    (
        "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, "
        "request timed out after 30000ms.",
        C.DATABASE_CONNECTION,
    ),
    (
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection "
        "timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)",
        C.DATABASE_CONNECTION,
    ),
    (
        "ERROR 2003 (HY000): Can't connect to MySQL server on 'mysql.prod' (111)",
        C.DATABASE_CONNECTION,
    ),
    (
        "Error: connect ECONNREFUSED 127.0.0.1:5432\n"
        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)",
        C.DATABASE_CONNECTION,
    ),
    (
        "redis.exceptions.ConnectionError: Error 111 connecting to cache.internal:6379. "
        "Connection refused.",
        C.DATABASE_CONNECTION,
    ),
    ("MongoServerSelectionError: connect ECONNREFUSED 10.0.4.7:27017", C.DATABASE_CONNECTION),
    (
        "asyncpg.exceptions.CannotConnectNowError: the database system is starting up",
        C.DATABASE_CONNECTION,
    ),
    ("SQLSTATE[HY000] [1040] Too many connections", C.DATABASE_CONNECTION),
    ("dial tcp 10.0.1.5:5432: connect: connection refused", C.DATABASE_CONNECTION),
    # --- database_error
    (
        "ERROR:  deadlock detected\nDETAIL:  Process 8812 waits for ShareLock on transaction "
        "5512; blocked by process 8813.",
        C.DATABASE_ERROR,
    ),
    (
        "pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock; try "
        "restarting transaction')",
        C.DATABASE_ERROR,
    ),
    ('ERROR:  duplicate key value violates unique constraint "orders_pkey"', C.DATABASE_ERROR),
    ('ERROR:  relation "user_sessions" does not exist at character 15', C.DATABASE_ERROR),
    (
        "ERROR 1064 (42000): You have an error in your SQL syntax; check the manual that "
        "corresponds to your MySQL server version for the right syntax to use near 'FORM users'",
        C.DATABASE_ERROR,
    ),
    ("ERROR:  canceling statement due to statement timeout", C.DATABASE_ERROR),
    (
        "MongoServerError: E11000 duplicate key error collection: shop.users index: email_1 "
        'dup key: { email: "<EMAIL>" }',
        C.DATABASE_ERROR,
    ),
    ("sqlite3.OperationalError: database is locked", C.DATABASE_ERROR),
    ("ERROR:  cannot execute UPDATE in a read-only transaction", C.DATABASE_ERROR),
    # --- out_of_memory
    (
        'Exception in thread "http-nio-8080-exec-7" java.lang.OutOfMemoryError: Java heap space',
        C.OUT_OF_MEMORY,
    ),
    (
        "Out of memory: Killed process 28710 (java) total-vm:8123456kB, anon-rss:3987654kB, "
        "file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:8120kB oom_score_adj:0",
        C.OUT_OF_MEMORY,
    ),
    (
        "kernel: python3 invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, "
        "oom_score_adj=0",
        C.OUT_OF_MEMORY,
    ),
    (
        "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        C.OUT_OF_MEMORY,
    ),
    (
        "Traceback (most recent call last):\n"
        '  File "/app/etl.py", line 40, in load\n'
        "    rows = list(cursor)\n"
        "MemoryError",
        C.OUT_OF_MEMORY,
    ),
    (
        "Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137",
        C.OUT_OF_MEMORY,
    ),
    ("fatal error: runtime: out of memory", C.OUT_OF_MEMORY),
    (
        "[2024-05-01 10:00:01 +0000] [1] [ERROR] Worker (pid:42) was sent SIGKILL! "
        "Perhaps out of memory?",
        C.OUT_OF_MEMORY,
    ),
    ("myapp.service: Failed with result 'oom-kill'.", C.OUT_OF_MEMORY),
    ("OOM command not allowed when used memory > 'maxmemory'.", C.OUT_OF_MEMORY),
    # --- disk_full
    (
        'ERROR:  could not extend file "base/16384/24576.3": No space left on device\n'
        "HINT:  Check free disk space.",
        C.DISK_FULL,
    ),
    ("Error: ENOSPC: no space left on device, write", C.DISK_FULL),
    ("java.io.IOException: No space left on device", C.DISK_FULL),
    ("OSError: [Errno 122] Disk quota exceeded: '/home/app/cache/blob'", C.DISK_FULL),
    (
        "[2024-05-01T10:00:00,000][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] flood stage "
        "disk watermark [95%] exceeded on [node-1][/var/lib/elasticsearch], all indices on this "
        "node will be marked read-only",
        C.DISK_FULL,
    ),
    (
        "Warning  Evicted  pod/api-5d8c  The node was low on resource: ephemeral-storage.",
        C.DISK_FULL,
    ),
    # --- timeout
    (
        "2024/03/11 14:22:07 [error] 31#31: *90211 upstream timed out (110: Connection timed "
        "out) while reading response header from upstream, client: 10.0.0.5, server: "
        'api.example.com, request: "GET /v1/orders HTTP/1.1", upstream: '
        '"http://10.0.1.7:8080/v1/orders"',
        C.TIMEOUT,
    ),
    ("java.net.SocketTimeoutException: Read timed out", C.TIMEOUT),
    ("Error: connect ETIMEDOUT 52.1.2.3:443", C.TIMEOUT),
    (
        'Get "http://inventory:8080/items": context deadline exceeded (Client.Timeout exceeded '
        "while awaiting headers)",
        C.TIMEOUT,
    ),
    ("2024-05-01T10:00:00.123Z 3f1c2a Task timed out after 30.03 seconds", C.TIMEOUT),
    ("[2024-05-01 10:00:00 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:17)", C.TIMEOUT),
    ("httpx.ReadTimeout: The read operation timed out", C.TIMEOUT),
    (
        '10.0.0.7 - - [01/May/2024:10:00:00 +0000] "POST /checkout HTTP/1.1" 504 167 "-" '
        '"Mozilla/5.0"',
        C.TIMEOUT,
    ),
    (
        "grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with:\n"
        "\tstatus = StatusCode.DEADLINE_EXCEEDED\n"
        '\tdetails = "Deadline Exceeded"',
        C.TIMEOUT,
    ),
    # --- upstream_unavailable
    (
        "2024/03/11 14:22:07 [error] 31#31: *1 connect() failed (111: Connection refused) while "
        'connecting to upstream, client: 10.0.0.5, server: _, request: "GET / HTTP/1.1", '
        'upstream: "http://127.0.0.1:8000/"',
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "no live upstreams while connecting to upstream, client: 10.0.0.5, server: _, request: "
        '"GET / HTTP/1.1", upstream: "http://backend/"',
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "upstream connect error or disconnect/reset before headers. reset reason: connection "
        "termination",
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        '[2024-05-01T10:00:00.000Z] "GET /api/v1/cart HTTP/1.1" 503 UH 0 19 0 - "10.0.0.3" '
        '"curl/8.0" "a1b2" "cart:8080" "-"',
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "requests.exceptions.ConnectionError: HTTPConnectionPool(host='payments', port=8080): "
        "Max retries exceeded with url: /charge (Caused by NewConnectionError('<urllib3."
        "connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: "
        "[Errno 111] Connection refused'))",
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "Error: socket hang up\n    at connResetException (node:internal/errors:720:14)",
        C.UPSTREAM_UNAVAILABLE,
    ),
    ("io.grpc.StatusRuntimeException: UNAVAILABLE: io exception", C.UPSTREAM_UNAVAILABLE),
    (
        "billing client: unexpected status code 502 from https://billing/api/invoices",
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "io.github.resilience4j.circuitbreaker.CallNotPermittedException: CircuitBreaker "
        "'inventory' is OPEN and does not permit further calls",
        C.UPSTREAM_UNAVAILABLE,
    ),
    # --- tls_certificate
    (
        'Post "https://vault.internal:8200/v1/auth": x509: certificate signed by unknown authority',
        C.TLS_CERTIFICATE,
    ),
    (
        "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider."
        "certpath.SunCertPathBuilderException: unable to find valid certification path to "
        "requested target",
        C.TLS_CERTIFICATE,
    ),
    (
        "Error: certificate has expired\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1674:34)"
        " {\n  code: 'CERT_HAS_EXPIRED'\n}",
        C.TLS_CERTIFICATE,
    ),
    (
        "SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake "
        "failure:SSL alert number 40) while SSL handshaking to upstream",
        C.TLS_CERTIFICATE,
    ),
    (
        "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: "
        "Host: api.internal. is not in the cert's altnames: DNS:*.example.com",
        C.TLS_CERTIFICATE,
    ),
    (
        "curl: (60) SSL certificate problem: unable to get local issuer certificate",
        C.TLS_CERTIFICATE,
    ),
    # --- dns_resolution
    ("Error: getaddrinfo ENOTFOUND api.stripe.internal", C.DNS_RESOLUTION),
    ("Error: getaddrinfo EAI_AGAIN redis-master", C.DNS_RESOLUTION),
    ("java.net.UnknownHostException: orders-db: Name or service not known", C.DNS_RESOLUTION),
    ("socket.gaierror: [Errno -3] Temporary failure in name resolution", C.DNS_RESOLUTION),
    (";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 41235", C.DNS_RESOLUTION),
    (
        "[ERROR] plugin/errors: 2 api.example.com. A: read udp 10.244.0.5:41234->10.0.0.2:53: "
        "i/o timeout",
        C.DNS_RESOLUTION,
    ),
    (
        'psycopg2.OperationalError: could not translate host name "postgres" to address: Name or '
        "service not known",
        C.DNS_RESOLUTION,
    ),
    ("curl: (6) Could not resolve host: api.example.com", C.DNS_RESOLUTION),
    # --- permission_denied
    (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
        "GetObject operation: Access Denied",
        C.PERMISSION_DENIED,
    ),
    (
        "An error occurred (UnauthorizedOperation) when calling the DescribeInstances operation: "
        "You are not authorized to perform this operation.",
        C.PERMISSION_DENIED,
    ),
    (
        "An error occurred (AccessDeniedException) when calling the PutItem operation: User: "
        "arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: "
        "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders "
        "because no identity-based policy allows the dynamodb:PutItem action",
        C.PERMISSION_DENIED,
    ),
    ("Error: EACCES: permission denied, open '/app/data/output.json'", C.PERMISSION_DENIED),
    (
        'nginx: [emerg] open() "/var/run/nginx.pid" failed (13: Permission denied)',
        C.PERMISSION_DENIED,
    ),
    (
        'pods is forbidden: User "system:serviceaccount:default:app" cannot list resource "pods" '
        'in API group "" in the namespace "default"',
        C.PERMISSION_DENIED,
    ),
    ("ERROR:  permission denied for table invoices", C.PERMISSION_DENIED),
    (
        'HTTP 403 Forbidden: {"message":"Missing required scope: orders:write"}',
        C.PERMISSION_DENIED,
    ),
    # --- authentication_failure
    ('FATAL:  password authentication failed for user "app"', C.AUTHENTICATION_FAILURE),
    (
        "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: "
        "The security token included in the request is invalid.",
        C.AUTHENTICATION_FAILURE,
    ),
    (
        "An error occurred (SignatureDoesNotMatch) when calling the ListBuckets operation: The "
        "request signature we calculated does not match the signature you provided.",
        C.AUTHENTICATION_FAILURE,
    ),
    ("TokenExpiredError: jwt expired", C.AUTHENTICATION_FAILURE),
    (
        "ERROR 1045 (28000): Access denied for user 'app'@'10.0.0.12' (using password: YES)",
        C.AUTHENTICATION_FAILURE,
    ),
    (
        '401 Unauthorized: {"error":"invalid_token","error_description":"The access token '
        'expired"}',
        C.AUTHENTICATION_FAILURE,
    ),
    (
        "redis.exceptions.AuthenticationError: WRONGPASS invalid username-password pair or user "
        "is disabled.",
        C.AUTHENTICATION_FAILURE,
    ),
    (
        "botocore.exceptions.NoCredentialsError: Unable to locate credentials",
        C.AUTHENTICATION_FAILURE,
    ),
    # --- rate_limited
    (
        "botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling "
        "the DescribeLogStreams operation: Rate exceeded",
        C.RATE_LIMITED,
    ),
    (
        "An error occurred (SlowDown) when calling the PutObject operation: Please reduce your "
        "request rate.",
        C.RATE_LIMITED,
    ),
    (
        "An error occurred (RequestLimitExceeded) when calling the RunInstances operation: "
        "Request limit exceeded.",
        C.RATE_LIMITED,
    ),
    ("HTTP 429 Too Many Requests: retry after 30s", C.RATE_LIMITED),
    (
        'limiting requests, excess: 20.500 by zone "api", client: 10.0.0.9, server: '
        'api.example.com, request: "GET /v1/search HTTP/1.1"',
        C.RATE_LIMITED,
    ),
    (
        "google.api_core.exceptions.ResourceExhausted: 429 Quota exceeded for quota metric "
        "'Requests' and limit 'Requests per minute'",
        C.RATE_LIMITED,
    ),
    (
        "ProvisionedThroughputExceededException: The level of configured provisioned throughput "
        "for the table was exceeded.",
        C.RATE_LIMITED,
    ),
    # --- resource_exhaustion
    ("java.lang.OutOfMemoryError: unable to create new native thread", C.RESOURCE_EXHAUSTION),
    (
        "2024/05/01 10:00:00 [crit] 7#7: accept4() failed (24: Too many open files)",
        C.RESOURCE_EXHAUSTION,
    ),
    ("Error: EMFILE: too many open files, open '/app/static/index.html'", C.RESOURCE_EXHAUSTION),
    ("OSError: [Errno 24] Too many open files", C.RESOURCE_EXHAUSTION),
    ("kernel: nf_conntrack: nf_conntrack: table full, dropping packet", C.RESOURCE_EXHAUSTION),
    (
        "2024/05/01 10:00:00 [alert] 7#7: 1024 worker_connections are not enough while "
        "connecting to upstream",
        C.RESOURCE_EXHAUSTION,
    ),
    ("RuntimeError: can't start new thread", C.RESOURCE_EXHAUSTION),
    (
        "Warning  FailedScheduling  default-scheduler  0/3 nodes are available: 3 Insufficient "
        "cpu.",
        C.RESOURCE_EXHAUSTION,
    ),
    (
        "WARNING: [pool www] server reached pm.max_children setting (5), consider raising it",
        C.RESOURCE_EXHAUSTION,
    ),
    # --- configuration_error
    (
        "Traceback (most recent call last):\n"
        '  File "/app/main.py", line 3, in <module>\n'
        "    from app.config import settings\n"
        "KeyError: 'DATABASE_URL'",
        C.CONFIGURATION_ERROR,
    ),
    (
        "pydantic_core._pydantic_core.ValidationError: 2 validation errors for Settings\n"
        "api_key\n  Field required [type=missing, input_value={}, input_type=dict]",
        C.CONFIGURATION_ERROR,
    ),
    ("Error: environment variable STRIPE_API_KEY is not set", C.CONFIGURATION_ERROR),
    (
        "java.lang.IllegalArgumentException: Could not resolve placeholder 'db.password' in "
        'value "${db.password}"',
        C.CONFIGURATION_ERROR,
    ),
    (
        "django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty.",
        C.CONFIGURATION_ERROR,
    ),
    (
        'nginx: [emerg] unknown directive "proxy_passs" in /etc/nginx/conf.d/default.conf:12',
        C.CONFIGURATION_ERROR,
    ),
    ("Error: listen EADDRINUSE: address already in use :::3000", C.CONFIGURATION_ERROR),
    (
        'Warning  Failed  kubelet  Error: secret "db-credentials" not found',
        C.CONFIGURATION_ERROR,
    ),
    (
        'Failed to pull image "registry.example.com/api:v1.2.3": rpc error: code = NotFound '
        "desc = failed to pull and unpack image: not found",
        C.CONFIGURATION_ERROR,
    ),
    (
        'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found',
        C.CONFIGURATION_ERROR,
    ),
    (
        "standard_init_linux.go:228: exec user process caused: exec format error",
        C.CONFIGURATION_ERROR,
    ),
    (
        "An error occurred (NoSuchBucket) when calling the PutObject operation: The specified "
        "bucket does not exist",
        C.CONFIGURATION_ERROR,
    ),
    ("flag provided but not defined: -listen", C.CONFIGURATION_ERROR),
    # --- application_exception
    (
        "Traceback (most recent call last):\n"
        '  File "/app/report.py", line 12, in ratio\n'
        "    return done / total\n"
        "ZeroDivisionError: division by zero",
        C.APPLICATION_EXCEPTION,
    ),
    (
        'Exception in thread "main" java.lang.NullPointerException: Cannot invoke '
        '"String.length()" because "s" is null\n\tat com.example.App.main(App.java:5)',
        C.APPLICATION_EXCEPTION,
    ),
    (
        "TypeError: Cannot read properties of undefined (reading 'id')\n"
        "    at /app/src/routes/orders.js:42:18",
        C.APPLICATION_EXCEPTION,
    ),
    (
        "panic: runtime error: index out of range [5] with length 3\n\n"
        "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d",
        C.APPLICATION_EXCEPTION,
    ),
    (
        "Unhandled exception. System.InvalidOperationException: Sequence contains no elements\n"
        "   at System.Linq.ThrowHelper.ThrowNoElementsException()",
        C.APPLICATION_EXCEPTION,
    ),
    (
        "thread 'main' panicked at 'called `Option::unwrap()` on a `None` value', src/main.rs:4:37",
        C.APPLICATION_EXCEPTION,
    ),
    ("NoMethodError (undefined method `name' for nil:NilClass):", C.APPLICATION_EXCEPTION),
    (
        '10.0.0.7 - - [01/May/2024:10:00:00 +0000] "GET /api/orders HTTP/1.1" 500 612 "-" '
        '"curl/8.0"',
        C.APPLICATION_EXCEPTION,
    ),
    (
        "RecursionError: maximum recursion depth exceeded while calling a Python object",
        C.APPLICATION_EXCEPTION,
    ),
    ("ModuleNotFoundError: No module named 'requests'", C.APPLICATION_EXCEPTION),
    # --- crash_loop
    (
        "Warning  BackOff  3m (x25 over 8m)  kubelet  Back-off restarting failed container app "
        "in pod app-6f7d9c-abcde_default(1234)",
        C.CRASH_LOOP,
    ),
    ("api-7c9d8f-xk2p9   0/1     CrashLoopBackOff   6 (2m ago)   10m", C.CRASH_LOOP),
    ("systemd[1]: app.service: Start request repeated too quickly.", C.CRASH_LOOP),
    ("systemd[1]: app.service: Main process exited, code=exited, status=1/FAILURE", C.CRASH_LOOP),
    ("systemd[1]: app.service: Scheduled restart job, restart counter is at 5.", C.CRASH_LOOP),
    (
        "kernel: traps: myapp[1234]: segfault at 0 ip 00007f3a2b1c4d5e sp 00007ffd4c3b2a10 "
        "error 4 in libc-2.31.so[7f3a2b100000+1b000]",
        C.CRASH_LOOP,
    ),
    ("Segmentation fault (core dumped)", C.CRASH_LOOP),
    ("app-1  | app-1 exited with code 139", C.CRASH_LOOP),
    ("gave up: worker entered FATAL state, too many start retries too quickly", C.CRASH_LOOP),
    (
        "# A fatal error has been detected by the Java Runtime Environment:\n#\n"
        "#  SIGSEGV (0xb) at pc=0x00007f3a2b1c4d5e, pid=1, tid=27",
        C.CRASH_LOOP,
    ),
]


# More stacks and platforms: PHP, Ruby, .NET, Kafka, Spark/YARN, Elasticsearch, CoreDNS, sshd,
# systemd-oomd, Lambda, Celery, AWS ALB access logs, ECS, Docker.
CASES += [
    (
        "Apr 10 13:02:11 web-1 sshd[2231]: Failed password for invalid user admin from "
        "203.0.113.7 port 52114 ssh2",
        C.AUTHENTICATION_FAILURE,
    ),
    (
        "Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical memory "
        "used. Consider boosting spark.yarn.executor.memoryOverhead.",
        C.OUT_OF_MEMORY,
    ),
    (
        "PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate "
        "20480 bytes) in /var/www/html/index.php on line 42",
        C.OUT_OF_MEMORY,
    ),
    (
        "systemd-oomd[512]: Killed /system.slice/app.service due to memory used (7.8G) / total "
        "(8.0G) and swap used (90%) / total (2.0G) being more than 90.00%",
        C.OUT_OF_MEMORY,
    ),
    (
        "PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /var/www/report.php",
        C.TIMEOUT,
    ),
    ("celery.exceptions.TimeLimitExceeded: TimeLimitExceeded(300,)", C.TIMEOUT),
    (
        "ActiveRecord::ConnectionTimeoutError: could not obtain a connection from the pool within "
        "5.000 seconds (waited 5.001 seconds); all pooled connections were in use",
        C.DATABASE_CONNECTION,
    ),
    (
        "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full.",
        C.DATABASE_CONNECTION,
    ),
    (
        "Error: Connection terminated unexpectedly\n"
        "    at Connection.<anonymous> (/app/node_modules/pg/lib/client.js:132:73)",
        C.DATABASE_CONNECTION,
    ),
    (
        "Microsoft.Data.SqlClient.SqlException (0x80131904): A network-related or "
        "instance-specific error occurred while establishing a connection to SQL Server.",
        C.DATABASE_CONNECTION,
    ),
    (
        "[ERROR] plugin/errors: 2 api.example.com. A: dial udp 8.8.8.8:53: i/o timeout",
        C.DNS_RESOLUTION,
    ),
    (
        "Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named "
        "'requests'",
        C.APPLICATION_EXCEPTION,
    ),
    (
        "[Producer clientId=producer-1] Connection to node -1 (localhost/127.0.0.1:9092) could "
        "not be established. Broker may not be available.",
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "CircuitBreakingException[[parent] Data too large, data for [<http_request>] would be "
        "[1020054732/972.7mb], which is larger than the limit of [986061209/940.3mb]]",
        C.OUT_OF_MEMORY,
    ),
    (
        "http 2024-05-01T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 "
        '10.0.0.1:80 0.000 0.001 -1 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" '
        '"curl/7.46.0"',
        C.UPSTREAM_UNAVAILABLE,
    ),
    (
        "An error occurred (RequestTimeTooSkewed) when calling the PutObject operation: The "
        "difference between the request time and the current time is too large.",
        C.AUTHENTICATION_FAILURE,
    ),
    (
        "Execution failed due to configuration error: Invalid endpoint address",
        C.CONFIGURATION_ERROR,
    ),
    (
        "MISCONF Redis is configured to save RDB snapshots, but it is currently not able to "
        "persist on disk. Commands that may modify the data set are disabled.",
        C.DATABASE_ERROR,
    ),
    (
        "Error response from daemon: driver failed programming external connectivity on endpoint "
        "web (3f2a): Bind for 0.0.0.0:80 failed: port is already allocated",
        C.CONFIGURATION_ERROR,
    ),
    (
        "(service api) (task 9c7e) failed ELB health checks in (target-group "
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/abc)",
        C.CRASH_LOOP,
    ),
    (
        'nginx: [emerg] host not found in upstream "backend:8080" in '
        "/etc/nginx/conf.d/default.conf:5",
        C.DNS_RESOLUTION,
    ),
    (
        "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current "
        "quota, please check your plan and billing details.', 'type': 'insufficient_quota'}}",
        C.RATE_LIMITED,
    ),
    (
        "System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.",
        C.OUT_OF_MEMORY,
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_real_world_line_gets_its_category(text: str, expected: Category) -> None:
    assert _top(text) == expected


TRICKY: list[tuple[str, Category]] = [
    # the driver and the connection are there, but the server said "wrong password"
    (
        'psycopg2.OperationalError: connection to server at "db" (10.0.0.3), port 5432 failed: '
        'FATAL:  password authentication failed for user "app"',
        C.AUTHENTICATION_FAILURE,
    ),
    # a connection limit, but the database's: not generic resource exhaustion
    (
        'psycopg2.OperationalError: connection to server at "db" (10.0.0.3), port 5432 failed: '
        "FATAL:  sorry, too many clients already",
        C.DATABASE_CONNECTION,
    ),
    # the restart is a consequence: the container was OOM-killed
    (
        "Container app terminated: reason OOMKilled, exit code 137; Back-off restarting failed "
        "container",
        C.OUT_OF_MEMORY,
    ),
    ("docker: app exited with code 137", C.OUT_OF_MEMORY),
    (
        "systemd[1]: worker.service: Main process exited, code=killed, status=9/KILL",
        C.OUT_OF_MEMORY,
    ),
    ("systemd[1]: worker.service: Main process exited, code=killed, status=11/SEGV", C.CRASH_LOOP),
    # a database connection that times out is a database connection problem
    (
        'psycopg2.OperationalError: connection to server at "db.internal" (10.0.0.3), port 5432 '
        "failed: timeout expired",
        C.DATABASE_CONNECTION,
    ),
    (
        "org.postgresql.util.PSQLException: The connection attempt failed.\n"
        "Caused by: java.net.SocketTimeoutException: connect timed out",
        C.DATABASE_CONNECTION,
    ),
    # a lock or statement timeout is a query problem, not a network timeout
    (
        "ERROR 1205 (HY000): Lock wait timeout exceeded; try restarting transaction",
        C.DATABASE_ERROR,
    ),
    # 503 from a dependency is the dependency being unavailable; 504 is a timeout
    ("received 503 Service Unavailable from inventory-service", C.UPSTREAM_UNAVAILABLE),
    ("upstream returned HTTP 504 Gateway Timeout for GET /v1/quote", C.TIMEOUT),
    # authorisation vs authentication, both in the same words ("denied", "authorized")
    ("S3 PutObject failed: 403 Forbidden (AccessDenied)", C.PERMISSION_DENIED),
    (
        "An error occurred (UnauthorizedOperation) when calling the StartInstances operation",
        C.PERMISSION_DENIED,
    ),
    (
        "pymysql.err.OperationalError: (1045, \"Access denied for user 'app'@'10.0.0.12' (using "
        'password: YES)")',
        C.AUTHENTICATION_FAILURE,
    ),
    ("Permission denied (publickey,password).", C.AUTHENTICATION_FAILURE),
    # "quota" on a disk is a full disk, not a rate limit
    ("cp: error writing '/data/out.bin': Disk quota exceeded", C.DISK_FULL),
    # an OutOfMemoryError that is really a thread limit
    (
        'Exception in thread "pool-3-thread-1" java.lang.OutOfMemoryError: unable to create '
        "native thread: possibly out of memory or process/resource limits reached",
        C.RESOURCE_EXHAUSTION,
    ),
    # a Go nil dereference prints SIGSEGV but is a code bug, not a native crash
    (
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x5c7e2a]",
        C.APPLICATION_EXCEPTION,
    ),
    # the most specific cause inside a generic connection error wins
    (
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.partner.io', "
        'port=443): Max retries exceeded with url: /v2 (Caused by NameResolutionError("<urllib3.'
        "connection.HTTPSConnection object at 0x7f>: Failed to resolve 'api.partner.io' ([Errno "
        '-2] Name or service not known)"))',
        C.DNS_RESOLUTION,
    ),
    (
        "urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='hooks.example.com', "
        "port=443): Max retries exceeded with url: / (Caused by SSLError(SSLCertVerificationError"
        "(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired "
        "(_ssl.c:1006)')))",
        C.TLS_CERTIFICATE,
    ),
    # the same refusal means a database or a peer service depending on the port
    ("Error: connect ECONNREFUSED 10.0.3.4:3306", C.DATABASE_CONNECTION),
    ("Error: connect ECONNREFUSED 10.0.3.4:8080", C.UPSTREAM_UNAVAILABLE),
    # source lines and frames in a stack name what the code touched, not what failed
    (
        "Traceback (most recent call last):\n"
        '  File "/app/client.py", line 20, in fetch\n'
        "    resp = session.get(url, timeout=5)\n"
        '  File "/app/client.py", line 22, in fetch\n'
        '    return resp.json()["id"]\n'
        "KeyError: 'id'",
        C.APPLICATION_EXCEPTION,
    ),
    (
        "java.lang.NullPointerException: null\n"
        "\tat com.zaxxer.hikari.pool.HikariProxyConnection.prepareStatement(HikariProxy.java:1)\n"
        "\tat com.example.OrderRepo.find(OrderRepo.java:42)",
        C.APPLICATION_EXCEPTION,
    ),
    # but an env-var KeyError is named by its source line
    (
        "Traceback (most recent call last):\n"
        '  File "/app/settings.py", line 4, in <module>\n'
        '    token = os.environ["slack_token"]\n'
        "KeyError: 'slack_token'",
        C.CONFIGURATION_ERROR,
    ),
]


# Shapes seen in the wild: shipper prefixes on every line, kubelet's lower-case back-off, the
# kernel's bare "Killed process" line, PostgreSQL's crash-recovery messages.
TRICKY += [
    (
        "Mar 02 09:14:55 worker-3 app[811]: Traceback (most recent call last):\n"
        'Mar 02 09:14:55 worker-3 app[811]:   File "/srv/app/jobs.py", line 77, in run\n'
        "Mar 02 09:14:55 worker-3 app[811]:     resp = client.get(url, timeout=10)\n"
        "Mar 02 09:14:55 worker-3 app[811]: AttributeError: 'Job' object has no attribute 'url'",
        C.APPLICATION_EXCEPTION,
    ),
    (
        "[09:14:55] [pool-2-thread-1/WARN]: java.lang.IllegalStateException: order already paid\n"
        "[09:14:55] [pool-2-thread-1/WARN]: \tat com.zaxxer.hikari.pool.HikariPool.getConnection"
        "(HikariPool.java:181)",
        C.APPLICATION_EXCEPTION,
    ),
    (
        'E0301 kubelet pod_workers.go:1298] "Error syncing pod" err="failed to StartContainer '
        'for api with CrashLoopBackOff: back-off 2m40s restarting failed container=api"',
        C.CRASH_LOOP,
    ),
    (
        "kernel: Killed process 9912 (java) total-vm:9123456kB, anon-rss:4012345kB, "
        "file-rss:0kB, shmem-rss:0kB",
        C.OUT_OF_MEMORY,
    ),
    ("LOG:  server process (PID 9912) was terminated by signal 6: Aborted", C.CRASH_LOOP),
    ("LOG:  server process (PID 9912) was terminated by signal 9: Killed", C.OUT_OF_MEMORY),
    (
        "WARNING:  terminating connection because of crash of another server process",
        C.DATABASE_CONNECTION,
    ),
    ("traps: worker[771]: segfault (11) at 0 ip 00007f1c sp 00007ffe error 4", C.CRASH_LOOP),
]


@pytest.mark.parametrize(("text", "expected"), TRICKY, ids=[c[0][:60] for c in TRICKY])
def test_ambiguous_lines_go_to_the_more_specific_category(text: str, expected: Category) -> None:
    assert _top(text) == expected


def test_every_category_but_unknown_is_reachable() -> None:
    engine = RulesEngine()
    reached = set()
    for text, _ in CASES:
        r = engine.classify(_pattern("p1", text))
        assert r is not None, text
        reached.add(r.category)
    assert reached == set(Category) - {Category.UNKNOWN}
    assert {r.category for r in RULES} == set(Category) - {Category.UNKNOWN}


def test_root_cause_is_listed_before_the_500s_it_causes() -> None:
    digest = _digest(
        _pattern(
            "p1",
            '10.0.0.7 - - [01/May/2024:10:00:00 +0000] "GET /api/orders HTTP/1.1" 500 612',
            count=240,
        ),
        _pattern(
            "p2",
            "Traceback (most recent call last):\n"
            '  File "/app/views.py", line 9, in orders\n'
            "    rows = db.fetch_all(q)\n"
            "ValueError: unexpected result",
            count=120,
        ),
        _pattern(
            "p3",
            "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "
            '"db" (10.0.0.3), port 5432 failed: Connection refused',
            count=12,
        ),
    )
    diagnosis = RulesEngine().diagnosis(digest)
    assert [i.category for i in diagnosis.issues] == [
        C.DATABASE_CONNECTION,
        C.APPLICATION_EXCEPTION,
    ]
    assert diagnosis.issues[1].pattern_ids == ["p1", "p2"]
    assert diagnosis.severity is Severity.CRITICAL
    assert "Database Unreachable" in diagnosis.summary
    assert diagnosis.priority_actions[0].startswith("Verify the database is running")


def test_oom_kill_comes_before_the_crash_loop_and_the_502s() -> None:
    digest = _digest(
        _pattern(
            "p1", '10.0.0.9 - - [01/May/2024:10:00:01 +0000] "GET / HTTP/1.1" 502 150', count=300
        ),
        _pattern(
            "p2",
            "Warning  BackOff  kubelet  Back-off restarting failed container api in pod api-1",
            level=Level.WARNING,
            count=9,
        ),
        _pattern(
            "p3",
            "Memory cgroup out of memory: Killed process 4211 (python3) total-vm:2381232kB",
            level=Level.WARNING,
        ),
    )
    categories = [i.category for i in RulesEngine().diagnosis(digest).issues]
    assert categories == [C.OUT_OF_MEMORY, C.CRASH_LOOP, C.UPSTREAM_UNAVAILABLE]


def test_missing_setting_comes_before_the_restarts_it_causes() -> None:
    digest = _digest(
        _pattern(
            "p1",
            "systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE",
            count=20,
        ),
        _pattern("p2", "systemd[1]: api.service: Start request repeated too quickly.", count=4),
        _pattern("p3", "RuntimeError: environment variable DATABASE_URL is not set", count=20),
    )
    issues = RulesEngine().diagnosis(digest).issues
    assert [i.category for i in issues] == [C.CONFIGURATION_ERROR, C.CRASH_LOOP]
    assert issues[1].pattern_ids == ["p1", "p2"]


def test_patterns_of_one_category_form_one_issue_led_by_the_most_specific_rule() -> None:
    digest = _digest(
        _pattern("p1", "Error: connect ECONNREFUSED 10.0.0.3:5432", count=50),
        _pattern("p2", "FATAL:  sorry, too many clients already", count=3),
    )
    (issue,) = RulesEngine().diagnosis(digest).issues
    assert issue.type == "Database Connection Limit Reached"
    assert issue.pattern_ids == ["p1", "p2"]
    assert "Also matched: Database Connection Failure" in issue.description


def test_unrecognised_errors_are_unknown_and_ranked_last() -> None:
    digest = _digest(
        _pattern("p1", "reconciler: object state diverged for shard 7 (epoch 12)", count=40),
        _pattern("p2", "HTTP 429 Too Many Requests from api.partner.io", level=Level.WARNING),
    )
    issues = RulesEngine().diagnosis(digest).issues
    assert [i.category for i in issues] == [C.RATE_LIMITED, C.UNKNOWN]
    assert issues[1].pattern_ids == ["p1"]


def test_warnings_and_info_never_become_generic_issues() -> None:
    digest = _digest(
        _pattern("p1", "ValueError: optional field skipped", level=Level.WARNING),
        _pattern("p2", "cache miss ratio above 20%", level=Level.WARNING),
        # A generic signature on an INFO line stays noise (concrete ones do not: see below).
        _pattern("p3", "GET /api/orders 500 12ms", level=Level.INFO),
    )
    diagnosis = RulesEngine().diagnosis(digest)
    assert diagnosis.issues == []
    assert diagnosis.severity is Severity.LOW
    assert "No known failure" in diagnosis.summary


def test_a_digest_without_warnings_has_no_issues() -> None:
    digest = _digest(
        _pattern("p1", "GET /healthz 200 1ms", level=Level.INFO, count=500),
        _pattern("p2", "retrying connection refused check (debug)", level=Level.DEBUG),
    )
    diagnosis = RulesEngine().diagnosis(digest)
    assert diagnosis.issues == []
    assert diagnosis.priority_actions == []
    assert diagnosis.severity is Severity.LOW
    assert "No errors found" in diagnosis.summary


BENIGN = [
    "Starting server on port 8080",
    "Connected to database postgres://db:5432/app (pool size 10, connect timeout=5s)",
    "Using timeout=30s for upstream calls",
    "Deprecated config option 'max_conn' will be removed in v3, use 'max_connections'",
    "Disk usage at 71% on /var/lib/data",
    "Slow query (1200ms): SELECT * FROM orders WHERE id = $1",
    "Rate limiter configured: 100 req/s",
    "Retrying request to payments (attempt 2/5)",
    "Certificate for api.example.com renews in 25 days",
    "Received SIGTERM, shutting down gracefully",
    "Connection pool stats: active=3 idle=7 waiting=0",
    "Job 42 finished in 3.2s (0 errors)",
    "Received 404 for /favicon.ico",
]


def test_ordinary_warnings_are_not_diagnosed_as_failures() -> None:
    digest = _digest(*(_pattern(f"p{i}", t, Level.WARNING) for i, t in enumerate(BENIGN)))
    assert RulesEngine().diagnosis(digest).issues == []


LEVELLESS_FAILURES = [
    ("dial tcp 10.0.3.12:5432: connect: connection refused", Category.DATABASE_CONNECTION),
    ("Segmentation fault (core dumped)", Category.CRASH_LOOP),
    ("x509: certificate signed by unknown authority", Category.TLS_CERTIFICATE),
]


@pytest.mark.parametrize(("text", "category"), LEVELLESS_FAILURES)
def test_a_failure_printed_with_no_level_is_still_diagnosed(text: str, category: Category) -> None:
    # Go's log package, the kernel and systemd name no level: the digest infers INFO.
    diagnosis = RulesEngine().diagnosis(_digest(_pattern("p1", text, Level.INFO)))
    assert [issue.category for issue in diagnosis.issues] == [category]


def test_benign_info_lines_stay_benign() -> None:
    digest = _digest(*(_pattern(f"p{i}", t, Level.INFO) for i, t in enumerate(BENIGN)))
    assert RulesEngine().diagnosis(digest).issues == []


def _mixed_digest() -> Digest:
    levels = [Level.ERROR, Level.WARNING, Level.CRITICAL, Level.INFO]
    return _digest(
        *(
            _pattern(f"p{i + 1}", text, level=levels[i % 4], count=1 + i % 7)
            for i, (text, _) in enumerate([*CASES, *TRICKY])
        )
    )


def test_issues_cite_only_real_patterns_each_once() -> None:
    digest = _mixed_digest()
    diagnosis = RulesEngine().diagnosis(digest)
    cited = [pid for issue in diagnosis.issues for pid in issue.pattern_ids]
    known = {p.id: p for p in digest.patterns}
    assert cited, "a digest full of failures must produce issues"
    assert len(cited) == len(set(cited))
    engine = RulesEngine()
    for pid in cited:
        assert pid in known
        if known[pid].level < Level.WARNING:  # only an unmistakable signature lifts an INFO line
            rule = engine.classify(known[pid])
            assert rule is not None
            assert rule.weight >= STRONG_WEIGHT
    assert 0 < len(diagnosis.priority_actions) <= 5
    assert len(set(diagnosis.priority_actions)) == len(diagnosis.priority_actions)
    assert diagnosis.summary.startswith(f"Most likely primary problem: {diagnosis.issues[0].type}")


def test_same_digest_gives_the_identical_diagnosis() -> None:
    digest = _mixed_digest()
    first = RulesEngine().diagnosis(digest).model_dump()
    again = RulesEngine().diagnosis(copy.deepcopy(digest)).model_dump()
    assert first == again
    assert RulesEngine.name == "rules"


def test_fatal_level_raises_issue_severity() -> None:
    text = "java.lang.IllegalStateException: cart already checked out"
    assert RulesEngine().diagnosis(_digest(_pattern("p1", text))).severity is Severity.MEDIUM
    fatal = RulesEngine().diagnosis(_digest(_pattern("p1", text, level=Level.CRITICAL)))
    assert fatal.severity is Severity.HIGH


def test_substring_gates_never_hide_a_match() -> None:
    """The gates are an optimisation only: with them off, every line classifies the same."""
    gated = RulesEngine()
    ungated = RulesEngine([dataclasses.replace(r, gate=None) for r in RULES])
    for text, _ in [*CASES, *TRICKY]:
        pattern = _pattern("p1", text)
        best, reference = gated.classify(pattern), ungated.classify(pattern)
        assert (best and best.id) == (reference and reference.id), text
        matched = MatchText.of(pattern)
        for r in RULES:
            haystack = matched.full if r.full_text else matched.head
            lowered = matched.full_lower if r.full_text else matched.head_lower
            if r.match.search(haystack) and r.gate is not None:
                assert any(word in lowered for word in r.gate), (r.id, text)


@pytest.mark.parametrize(
    ("regexes", "gate"),
    [
        ([r"Connection refused|ECONNREFUSED"], ("connection refused", "econnrefused")),
        ([r"colou?r code"], ("r code",)),  # the optional 'u' splits the run
        ([r"\bORA-\d{4,5}\b"], ("ora-",)),
        ([r"(?:exit code|status)[ =:]*137\b"], ("137",)),
        ([r"(?:could not|unable to) connect"], (" connect",)),
        ([r"(?:secrets?|configmaps?) \S+ not found"], (" not found",)),
        ([r"(?:foo|bar)\S+"], ("foo", "bar")),  # no run outside: one per alternative inside
        ([r"(?-i:\bThrottling\b)"], ("throttling",)),
        ([r"(?=abc)\w+"], None),  # a lookahead is not text we may rely on
        ([r"ab?"], None),  # 'a' is too short to prefer over nothing... but still a gate
    ],
)
def test_required_literals(regexes: list[str], gate: tuple[str, ...] | None) -> None:
    if regexes == [r"ab?"]:
        assert required_literals(regexes) == ("a",)
        return
    assert required_literals(regexes) == gate

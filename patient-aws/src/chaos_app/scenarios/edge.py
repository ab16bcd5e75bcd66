"""dns_resolution and rate_limited: names that do not resolve, and APIs that push back."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    Fields,
    access,
    endpoint,
    go_log,
    go_quote,
    java_thread,
    jv,
    nginx,
    nginx_conn,
    nginx_request,
    node_log,
    service,
)
from chaos_app.scenarios._stacks import (
    BOTOCORE_CALL_FRAMES,
    PSYCOPG2_CONNECT_FRAME,
    REQUESTS_RAISE_FOR_STATUS_FRAME,
    REQUESTS_SEND_FRAME,
    java_stack,
    node_stack,
    py_addr,
    py_traceback,
)


def dns_failure(fake: Fake) -> list[Event]:
    name, port = service(fake)
    host = fake.choice(
        (f"{name}.internal", f"{name}.prod.svc.cluster.local", f"{name}-api.example.com")
    )
    resolver = f"10.{fake.integer(0, 3)}.0.2"  # the VPC's Route 53 resolver: base + 2
    method, path = endpoint(fake)
    flavour = fake.integer(0, 4)
    if flavour == 0:
        code, errno = fake.choice((("ENOTFOUND", -3008), ("EAI_AGAIN", -3001)))
        stack = node_stack(
            f"Error: getaddrinfo {code} {host}",
            ["GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:120:26)"],
        )
        fields: Fields = {"errno": errno, "code": code, "syscall": "getaddrinfo", "hostname": host}
        return [
            node_log("ERROR", "gateway", f"{name} request failed", stack, fields),
            access(fake, "node", method, path, 500, fake.latency_ms(1, 5000)),
        ]
    if flavour == 1:
        reason = fake.choice(
            (
                "[Errno -2] Name or service not known",
                "[Errno -3] Temporary failure in name resolution",
            )
        )
        if fake.chance(0.3):  # libpq resolving the database host
            tb = py_traceback(
                [PSYCOPG2_CONNECT_FRAME],
                "psycopg2.OperationalError: could not translate host name "
                f'"db.{name}.internal" to address: '
                f"{reason.split('] ')[1]}\n",
            )
            return [Event("ERROR", "app.db", "database connection failed", tb)]
        conn = f"<urllib3.connection.HTTPSConnection object at {py_addr(fake)}>"
        tb = py_traceback(
            [
                (
                    "/app/clients/http.py",
                    fake.integer(20, 80),
                    "call",
                    "resp = self.session.get(url, timeout=5)",
                ),
                REQUESTS_SEND_FRAME,
            ],
            f"requests.exceptions.ConnectionError: HTTPSConnectionPool(host='{host}', "
            "port=443): Max retries "
            f'exceeded with url: /v1/status (Caused by NameResolutionError("{conn}: Failed '
            "to resolve "
            f"'{host}' ({reason})\"))",
        )
        return [
            Event("ERROR", "app.clients", f"{name} call failed", tb),
            access(fake, "python", method, path, 500, fake.latency_ms(5, 5000)),
        ]
    if flavour == 2:
        why = fake.choice(("no such host", "server misbehaving"))
        err = go_quote(
            f'Get "http://{host}:{port}/healthz": dial tcp: lookup {host} on {resolver}:53: {why}'
        )
        return [
            go_log("ERROR", f"call {name} failed err={err}"),
            access(fake, "go", method, path, 500, fake.latency_ms(1, 30)),
        ]
    if flavour == 3:
        thread = java_thread(fake)
        stack = java_stack(
            f"java.net.UnknownHostException: {host}: Name or service not known",
            [
                "java.base/java.net.Inet6AddressImpl.lookupAllHostAddr(Native Method)",
                "java.base/java.net.InetAddress$PlatformResolver.lookupByName(InetAddress.java:1211)",
                "java.base/java.net.InetAddress.getAllByName0(InetAddress.java:1828)",
                "java.base/java.net.InetAddress.getAllByName(InetAddress.java:1688)",
                "org.apache.hc.client5.http.SystemDefaultDnsResolver.resolve(SystemDefaultDnsResolver.java:43)",
            ],
        )
        return [
            jv(
                "ERROR",
                f"com.acme.clients.{name.capitalize()}Client",
                f'I/O error on GET request for "http://{host}:{port}/v1/status": {host}',
                thread,
                stack,
            )
        ]
    pid = fake.integer(20, 90)
    why = fake.choice(("3: Host not found", "2: Server failure"))
    return [
        nginx(
            "ERROR",
            "error",
            (
                f"{nginx_conn(fake)} {host} could not be resolved "
                f"({why}){nginx_request(fake, method, path)}"
            ),
            pid,
        )
        for _ in range(fake.integer(1, 3))
    ]


_AWS_THROTTLES = (
    (
        "dynamodb",
        "PutItem",
        "ProvisionedThroughputExceededException",
        (
            "The level of configured provisioned throughput for the table was exceeded. Consider "
            "increasing your provisioning level with the UpdateTable API."
        ),
    ),
    ("s3", "PutObject", "SlowDown", "Please reduce your request rate."),
    ("secretsmanager", "GetSecretValue", "ThrottlingException", "Rate exceeded"),
    ("ssm", "GetParameter", "ThrottlingException", "Rate exceeded"),
    ("logs", "PutLogEvents", "ThrottlingException", "Rate exceeded"),
)


def rate_limited(fake: Fake) -> list[Event]:
    svc, op, code, text = fake.choice(_AWS_THROTTLES)
    flavour = fake.integer(0, 4)
    if flavour == 0:  # boto3 in legacy retry mode, then the ClientError
        retries = [
            Event(
                "DEBUG",
                "botocore.retryhandler",
                f"Retry needed, action of: {fake.rng.uniform(0.05, 3):.16f}",
            )
            for _ in range(fake.integer(1, 3))
        ]
        tb = py_traceback(
            [
                (
                    "/app/storage/writer.py",
                    fake.integer(20, 90),
                    "persist",
                    f"self.client.{_snake(op)}(**request)",
                ),
                *BOTOCORE_CALL_FRAMES,
            ],
            f"botocore.exceptions.ClientError: An error occurred ({code}) when calling the "
            f"{op} operation "
            f"(reached max retries: 4): {text}",
        )
        return [
            *retries,
            Event(
                "ERROR",
                "app.storage",
                f"{svc} {op} failed",
                tb,
                fields={"request_id": fake.request_id()},
            ),
        ]
    if flavour == 1:  # a partner API's 429
        partner = fake.choice(("payments", "shipping", "tax"))
        resource = fake.choice(("charges", "rates", "labels"))
        url = f"https://api.{partner}-partner.example.com/v2/{resource}"
        retry_after = fake.integer(1, 30)
        tb = py_traceback(
            [
                (
                    "/app/clients/partner.py",
                    fake.integer(20, 90),
                    "post",
                    "resp.raise_for_status()",
                ),
                REQUESTS_RAISE_FOR_STATUS_FRAME,
            ],
            f"requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url: {url}",
        )
        return [
            Event(
                "WARNING",
                "app.clients",
                f"partner API rate limited, Retry-After={retry_after}s",
                fields={"attempt": 3},
            ),
            Event("ERROR", "app.clients", "giving up after 3 attempts", tb),
        ]
    if flavour == 2:  # nginx limit_req rejecting a client
        pid = fake.integer(20, 90)
        path = fake.choice(("/api/v1/login", "/api/v1/search?q=shoes", "/api/v1/checkout"))
        zone = fake.choice(("api_per_ip", "login", "perip"))
        return [
            nginx(
                "ERROR",
                "error",
                f"{nginx_conn(fake)} limiting requests, excess: "
                f'{fake.integer(1, 80)}.{fake.integer(0, 999):03d} by zone "{zone}"'
                f"{nginx_request(fake, 'POST' if 'search' not in path else 'GET', path)}",
                pid,
            )
            for _ in range(fake.integer(2, 4))
        ]
    if flavour == 3:  # aws-sdk-go-v2
        request_id = fake.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 52)
        err = go_quote(
            f"operation error {_go_service(svc)}: {op}, exceeded maximum number of attempts, "
            "3, https response "
            f"error StatusCode: {503 if code == 'SlowDown' else 400}, RequestID: "
            f"{request_id}, {code}: {text}"
        )
        return [go_log("ERROR", f"persist failed err={err}")]
    stack = node_stack(  # AWS SDK for JavaScript v3
        f"{code}: {text}",
        [
            "throwDefaultError (/app/node_modules/@smithy/smithy-client/dist-cjs/index.js:867:20)",
            "/app/node_modules/@smithy/smithy-client/dist-cjs/index.js:876:5",
            "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        ],
    )
    fields: Fields = {
        "httpStatusCode": 400,
        "attempts": 3,
        "totalRetryDelay": fake.integer(100, 3000),
    }
    method, path = endpoint(fake)
    return [
        node_log("ERROR", "orders-api", f"{op} failed", stack, fields),
        access(fake, "node", method, path, 500, fake.latency_ms(100, 3000)),
    ]


def _snake(op: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in op).lstrip("_")


def _go_service(svc: str) -> str:
    return {
        "dynamodb": "DynamoDB",
        "s3": "S3",
        "secretsmanager": "Secrets Manager",
        "ssm": "SSM",
        "logs": "CloudWatch Logs",
    }[svc]

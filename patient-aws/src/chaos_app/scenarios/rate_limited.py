"""rate_limited: APIs and proxies that push back: AWS throttling, partner 429s, nginx limit_req."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    Fields,
    access,
    endpoint,
    go_log,
    go_quote,
    nginx,
    nginx_conn,
    nginx_request,
    node_log,
)
from chaos_app.scenarios._stacks import (
    BOTOCORE_CALL_FRAMES,
    REQUESTS_RAISE_FOR_STATUS_FRAME,
    node_stack,
    py_traceback,
)

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

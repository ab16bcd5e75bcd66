"""Incidents at the AWS boundary: a deploy ships a task role without a permission the code
needs; the API's temporary AWS credentials expire under its presigned URLs."""

from __future__ import annotations

import string

from chaos_app.events import Event, Fake
from chaos_app.incidents._lines import celery_http_failure, gateway_status
from chaos_app.incidents.healthy import hexid, nginx_access, order_id
from chaos_app.incidents.host import boot
from chaos_app.incidents.model import Role
from chaos_app.incidents.timeline import Timeline
from chaos_app.scenarios._kit import access, java_thread, jv
from chaos_app.scenarios._stacks import (
    BOTOCORE_CALL_FRAMES,
    PY_SITE,
    py_traceback,
    py_web_error,
)

SIGNING_KEY_PATH = "prod/api/token-signing-key"
APP_ERROR = "application_exception"
DENIED = "permission_denied"


def _access_denied(fake: Fake, account: str, role: str) -> Event:
    session = hexid(fake, 32)
    error = (
        "botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling "
        f"the GetSecretValue operation: User: arn:aws:sts::{account}:assumed-role/{role}/{session} "
        "is not authorized to perform: secretsmanager:GetSecretValue on resource: "
        f"{SIGNING_KEY_PATH} because no identity-based policy allows the "
        "secretsmanager:GetSecretValue action"
    )
    tb = py_traceback(
        [
            ("/app/app/secrets.py", 31, "load", "value = client.get_secret_value(SecretId=name)"),
            *BOTOCORE_CALL_FRAMES,
        ],
        error,
    )
    message = f"could not load secret {SIGNING_KEY_PATH}; token signing disabled"
    return Event("WARNING", "app.secrets", message, tb)


def _signing_error(fake: Fake) -> list[Event]:
    method, path = fake.choice((("POST", "/api/v1/checkout"), ("POST", "/api/v1/orders")))
    logger, message, frames = py_web_error(fake, method, path)
    tb = py_traceback(
        [
            *frames,
            (
                "/app/orders/api.py",
                fake.integer(40, 200),
                "create_order",
                "receipt = sign_receipt(order)",
            ),
            (
                "/app/app/tokens.py",
                22,
                "sign_receipt",
                'return jwt.encode(claims, settings.signing_key, algorithm="HS256")',
            ),
            (f"{PY_SITE}/jwt/api_jwt.py", 73, "encode", "return api_jws.encode("),
            (f"{PY_SITE}/jwt/api_jws.py", 160, "encode", "key = alg_obj.prepare_key(key)"),
            (f"{PY_SITE}/jwt/algorithms.py", 265, "prepare_key", "key_bytes = force_bytes(key)"),
            (
                f"{PY_SITE}/jwt/utils.py",
                22,
                "force_bytes",
                'raise TypeError("Expected a string value")',
            ),
        ],
        "TypeError: Expected a string value",
    )
    return [
        Event("ERROR", logger, message, tb, fields={"request_id": hexid(fake, 16)}),
        access(fake, "python", method, path, 500, fake.latency_ms(3, 40)),
    ]


def iam_permission_removed(tl: Timeline) -> None:
    """A deploy ships the API with a task role that lacks secretsmanager:GetSecretValue: each
    new replica logs once that it could not load the signing key, then every request that
    signs a receipt fails with a TypeError, and the worker's calls to it get 500s."""
    fake = tl.fake
    account = fake.aws_account_id()
    role = "api-task-role"
    replicas = len(tl.cast["api"].instances)
    t = tl.onset
    for instance in range(replicas):  # the rolling deploy: one replica after the other
        began = t - fake.rng.uniform(6, 12)
        tl.restart("api", instance, began)
        ready = boot(tl, "api", instance, began, None, role=Role.HEALTHY)
        tl.down("api", instance, began - 1, min(ready, t))
        retry = t
        tl.root(t, "api", _access_denied(fake, account, role), DENIED, instance=instance)
        for _ in range(fake.integer(1, 3)):  # the loader retries every five minutes
            retry += fake.rng.uniform(290, 310)
            tl.root(retry, "api", _access_denied(fake, account, role), DENIED, instance=instance)
        t += fake.rng.uniform(10, 25)
    start = tl.onset + fake.rng.uniform(0.5, 3)
    tl.steady("api", start, tl.end, fake.rng.uniform(0.1, 0.25), _signing_error, category=APP_ERROR)
    upstream = tl.address("api", 8000)
    tl.steady(
        "gateway",
        start + 0.1,
        tl.end,
        fake.rng.uniform(0.4, 0.8),
        lambda f: gateway_status(f, 500, upstream),
        category=APP_ERROR,
    )

    def worker(f: Fake) -> Event:
        url = f"http://api.internal:8000/internal/receipts/{order_id(f)}"
        return celery_http_failure(
            f, "shipping.tasks.book_label", 500, "Internal Server Error", url
        )

    tl.steady(
        "worker",
        start + fake.rng.uniform(2, 10),
        tl.end,
        fake.rng.uniform(0.1, 0.25),
        worker,
        category=APP_ERROR,
    )


def _presigned(fake: Fake, bucket: str, key_id: str, token: str, method: str = "GET") -> str:
    key = f"{fake.choice(('receipts', 'invoices', 'exports'))}/{order_id(fake)}.pdf"
    return (
        f"https://{bucket}.s3.amazonaws.com/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={key_id}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
        f"&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
        f"&X-Amz-Security-Token={token}&X-Amz-Signature={hexid(fake, 64)}"
    )


def aws_token_expired(tl: Timeline) -> None:
    """The API runs on temporary AWS credentials someone pasted into its environment; they
    expire. Its settings refresh says so once a minute or two; meanwhile every presigned S3
    URL it hands out is refused with 403, in the gateway, the worker and payments."""
    fake, t = tl.fake, tl.onset
    key_id = "ASIA" + fake.chars(string.ascii_uppercase + "234567", 16)
    token = fake.chars(string.ascii_letters + string.digits + "%", 120)
    code = "ExpiredToken"
    text = "The security token included in the request is expired"
    final = (
        f"botocore.exceptions.ClientError: An error occurred ({code}) when calling the "
        f"GetParametersByPath operation: {text}"
    )
    tb = py_traceback(
        [
            ("/app/app/settings.py", 58, "refresh", "pages = paginator.paginate(Path=PREFIX)"),
            *BOTOCORE_CALL_FRAMES,
        ],
        final,
    )
    tl.root(
        t,
        "api",
        Event("ERROR", "app.settings", "parameter refresh failed, keeping cached values", tb),
        "authentication_failure",
    )
    for _ in range(fake.integer(5, 12)):
        t += fake.rng.uniform(60, 120)
        message = f"parameter refresh failed, keeping cached values: {code}: {text}"
        tl.root(t, "api", Event("WARNING", "app.settings", message), "authentication_failure")

    def download(f: Fake) -> Event:
        return nginx_access(
            f,
            403,
            f.rng.uniform(0.01, 0.08),
            ("GET", f"/downloads/{order_id(f)}.pdf"),
            "s3.us-east-1.amazonaws.com:443",
        )

    start = tl.onset + fake.rng.uniform(0.5, 4)
    tl.steady("gateway", start, tl.end, fake.rng.uniform(0.3, 0.9), download, category=DENIED)
    bucket = "acme-receipts-prod"

    def worker(f: Fake) -> Event:
        url = _presigned(f, bucket, key_id, token)
        return celery_http_failure(f, "shipping.tasks.attach_receipt", 403, "Forbidden", url)

    tl.steady(
        "worker",
        start + fake.rng.uniform(1, 6),
        tl.end,
        fake.rng.uniform(0.05, 0.2),
        worker,
        category=DENIED,
    )

    def payments(f: Fake) -> Event:
        url = _presigned(f, "acme-invoices-prod", key_id, token, "PUT")
        return jv(
            "WARNING",
            "com.acme.payments.invoice.InvoiceUploader",
            f"Upload of invoice inv_{hexid(f, 12)} failed: 403 Forbidden from PUT {url}",
            java_thread(f),
        )

    tl.steady(
        "payments",
        start + fake.rng.uniform(1, 8),
        tl.end,
        fake.rng.uniform(0.05, 0.25),
        payments,
        category=DENIED,
    )

"""permission_denied: an IAM policy, a file mode or a database grant says no."""

# The SQL here is text that the logs quote, never executed: S608 does not apply.
# ruff: noqa: S608

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
    pg,
)
from chaos_app.scenarios._stacks import BOTOCORE_CALL_FRAMES, PY_LIB, node_stack, py_traceback


def _aws_id(fake: Fake, length: int = 16) -> str:
    return fake.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", length)


def _host_id(fake: Fake) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return fake.chars(alphabet, 76)


def s3_access_denied(fake: Fake) -> list[Event]:
    account = fake.aws_account_id()
    role = f"arn:aws:sts::{account}:assumed-role/chaos-app-role/{fake.instance_id()}"
    bucket = f"{fake.choice(('orders-exports', 'media-uploads', 'invoices'))}-prod-{account[-4:]}"
    key = f"exports/2025/{fake.integer(1, 12):02d}/{fake.uuid()}.csv"
    request_id = _aws_id(fake)
    flavour = fake.integer(0, 3)
    if flavour == 0:  # boto3: S3, KMS, Secrets Manager and SQS each phrase it their own way
        code, op, text = fake.choice(
            (
                ("AccessDenied", "PutObject", "Access Denied"),
                (
                    "AccessDenied",
                    "PutObject",
                    f"User: {role} is not authorized to perform: s3:PutObject on resource: "
                    f'"arn:aws:s3:::{bucket}/{key}" '
                    "because no identity-based policy allows the s3:PutObject action",
                ),
                (
                    "AccessDeniedException",
                    "Decrypt",
                    f"User: {role} is not authorized to perform: kms:Decrypt on resource: "
                    f"arn:aws:kms:us-east-1:{account}:key/"
                    f"{fake.uuid()} because no identity-based policy allows the kms:Decrypt action",
                ),
                (
                    "AccessDeniedException",
                    "GetSecretValue",
                    f"User: {role} is not authorized to perform: "
                    "secretsmanager:GetSecretValue on resource: prod/orders/db "
                    "because no identity-based policy allows the "
                    "secretsmanager:GetSecretValue action",
                ),
                (
                    "AccessDenied",
                    "SendMessage",
                    (
                        "Access to the resource "
                        f"https://sqs.us-east-1.amazonaws.com/{account}/orders-events is denied."
                    ),
                ),
            )
        )
        tb = py_traceback(
            [
                (
                    "/app/storage/writer.py",
                    fake.integer(20, 90),
                    "persist",
                    "self.client.put_object(Bucket=bucket, Key=key, Body=body)",
                ),
                *BOTOCORE_CALL_FRAMES,
            ],
            (
                f"botocore.exceptions.ClientError: An error occurred ({code}) when calling the "
                f"{op} operation: {text}"
            ),
        )
        return [
            Event(
                "ERROR",
                "app.storage",
                f"{op} failed",
                tb,
                fields={"bucket": bucket, "aws_request_id": request_id},
            )
        ]
    if flavour == 1:  # AWS SDK for Java v2
        thread = java_thread(fake)
        head = (
            "software.amazon.awssdk.services.s3.model.S3Exception: Access Denied (Service: "
            "S3, Status Code: 403, "
            f"Request ID: {request_id}, Extended Request ID: {_host_id(fake)})"
        )
        stack = "\n".join(
            [
                head,
                (
                    "\tat "
                    "software.amazon.awssdk.services.s3.model.S3Exception$BuilderImpl.build(S3Exception.java:104)"
                ),
                (
                    "\tat "
                    "software.amazon.awssdk.core.internal.http.CombinedResponseHandler.handleErrorResponse(CombinedResponseHandler.java:125)"
                ),
                f"\tat com.acme.media.UploadStore.save(UploadStore.java:{fake.integer(40, 120)})",
            ]
        )
        return [
            jv(
                "ERROR",
                "com.acme.media.UploadController",
                f"Failed to store upload {fake.uuid()}",
                thread,
                stack,
            )
        ]
    if flavour == 2:  # aws-sdk-go-v2
        err = go_quote(
            "operation error S3: PutObject, https response error StatusCode: 403, "
            f"RequestID: {request_id}, "
            f"HostID: {_host_id(fake)}, api error AccessDenied: Access Denied"
        )
        return [go_log("ERROR", f"upload failed bucket={bucket} key={key} err={err}")]
    stack = node_stack(  # AWS SDK for JavaScript v3
        "AccessDenied: Access Denied",
        [
            "throwDefaultError (/app/node_modules/@smithy/smithy-client/dist-cjs/index.js:867:20)",
            "/app/node_modules/@aws-sdk/client-s3/dist-cjs/index.js:5041:21",
            "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        ],
    )
    fields: Fields = {"httpStatusCode": 403, "requestId": request_id, "bucket": bucket}
    return [node_log("ERROR", "media-api", "upload failed", stack, fields)]


def file_permission(fake: Fake) -> list[Event]:
    flavour = fake.integer(0, 4)
    if flavour == 0:  # a non-root container writing where only root may
        target = fake.choice(
            ("/var/log/app/app.log", "/data/uploads", "/var/lib/app/cache/index.db")
        )
        tb = py_traceback(
            [
                (
                    "/app/media/store.py",
                    fake.integer(20, 90),
                    "save",
                    'with open(path, "wb") as fh:',
                ),
            ],
            f"PermissionError: [Errno 13] Permission denied: '{target}/{fake.hex(12)}'"
            if not target.endswith((".log", ".db"))
            else f"PermissionError: [Errno 13] Permission denied: '{target}'",
        )
        method, path = "POST", "/api/v1/uploads"
        return [
            Event("ERROR", "app.media", "could not persist upload", tb),
            access(fake, "python", method, path, 500, fake.latency_ms(3, 90)),
        ]
    if flavour == 1:
        method, path = "GET", f"/assets/app.{fake.hex(8)}.js"
        pid = fake.integer(20, 90)
        return [
            nginx(
                "ERROR",
                "error",
                (
                    f'{nginx_conn(fake)} open() "/usr/share/nginx/html{path}" failed (13: '
                    f"Permission denied){nginx_request(fake, method, path)}"
                ),
                pid,
            )
        ]
    if flavour == 2:  # a non-root Node process binding a privileged port
        port = fake.choice((80, 443))
        stack = node_stack(
            f"Error: listen EACCES: permission denied 0.0.0.0:{port}",
            [
                "Server.setupListenHandle [as _listen2] (node:net:1855:21)",
                "listenInCluster (node:net:1920:12)",
                "Server.listen (node:net:2008:7)",
                "Object.<anonymous> (/app/dist/main.js:42:8)",
            ],
        )
        fields: Fields = {
            "code": "EACCES",
            "errno": -13,
            "syscall": "listen",
            "address": "0.0.0.0",  # noqa: S104 - the address in a logged error, not a bind
            "port": port,
            "pid": fake.pid(),  # pino's default bindings
            "hostname": fake.pod("orders-api"),
        }
        return [node_log("CRITICAL", "orders-api", "server failed to start", stack, fields)]
    if flavour == 3:
        err = go_quote(
            f"open /etc/app/tls/{fake.choice(('key.pem', 'server.key'))}: permission denied"
        )
        version = f"1.{fake.integer(10, 60)}.{fake.integer(0, 9)}"
        return [
            go_log("INFO", f"starting orders-api version={version} addr=:8443"),
            go_log("ERROR", f"failed to load TLS key pair err={err}"),
        ]
    pid = fake.pid()
    table = fake.choice(("payments", "customers", "audit_log"))
    tb = py_traceback(
        [
            (
                f"{PY_LIB}/site-packages/sqlalchemy/engine/default.py",
                941,
                "do_execute",
                "cursor.execute(statement, parameters)",
            )
        ],
        "sqlalchemy.exc.ProgrammingError: (psycopg2.errors.InsufficientPrivilege) "
        f"permission denied for table {table}\n\n"
        f"[SQL: SELECT * FROM {table} WHERE id = %(id)s]\n(Background on this error at: "
        "https://sqlalche.me/e/20/f405)",
    )
    method, path = endpoint(fake)
    return [
        pg("ERROR", f"permission denied for table {table}", pid),
        pg("STATEMENT", f"SELECT * FROM {table} WHERE id = $1", pid, "ERROR"),
        Event("ERROR", "app.db", "query failed", tb, fields={"path": path.split("?")[0]}),
    ]

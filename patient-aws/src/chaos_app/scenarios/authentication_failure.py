"""authentication_failure: expired tokens and wrong credentials.

Some flavours leak a credential the way real software does (an http.client debug dump of the
Authorization header, a DSN logged at startup, the S3 error body echoing the access key id).
The values are fake but shaped exactly like the real thing: canaries for the doctor's redaction.
"""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    access,
    endpoint,
    go_log,
    go_quote,
    java_thread,
    jv,
    node_log,
    pg,
    service,
)
from chaos_app.scenarios._stacks import (
    BOTOCORE_MAKE_API_CALL_FRAME,
    PSYCOPG2_CONNECT_FRAME,
    PY_SITE,
    REQUESTS_RAISE_FOR_STATUS_FRAME,
    node_stack,
    py_traceback,
)

_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_ISSUED_AT = 1_760_000_000  # autumn 2025: tokens minted then are long expired


def auth_token_expired(fake: Fake) -> list[Event]:
    name, port = service(fake)
    url_path = f"/v1/users/{fake.user_id()}"
    token = fake.jwt(
        f"svc-{fake.choice(('orders', 'checkout', 'reports'))}",
        f"{name}-api",
        _ISSUED_AT + fake.integer(0, 5_000_000),
    )
    flavour = fake.integer(0, 4)
    if flavour == 0:  # http.client debug output left on, then the 401
        dump = (
            f"send: b'GET {url_path} HTTP/1.1\\r\\nHost: "
            f"{name}.internal:{port}\\r\\nUser-Agent: python-requests/2.31.0\\r\\n"
            "Accept-Encoding: gzip, deflate\\r\\nAccept: */*\\r\\nConnection: "
            f"keep-alive\\r\\nAuthorization: Bearer {token}\\r\\n\\r\\n'"
        )
        tb = py_traceback(
            [
                (
                    "/app/clients/users.py",
                    fake.integer(20, 90),
                    "get_user",
                    "resp.raise_for_status()",
                ),
                REQUESTS_RAISE_FOR_STATUS_FRAME,
            ],
            (
                "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
                f"http://{name}.internal:{port}{url_path}"
            ),
        )
        return [
            Event("DEBUG", "http.client", dump),
            Event(
                "WARNING",
                "app.clients",
                (
                    f'{name} rejected token: WWW-Authenticate: Bearer error="invalid_token", '
                    'error_description="The access token expired"'
                ),
            ),
            Event("ERROR", "app.clients", f"{name} call failed", tb),
        ]
    if flavour == 1:  # the service validating tokens: PyJWT
        tb = py_traceback(
            [
                (
                    "/app/auth/middleware.py",
                    fake.integer(20, 90),
                    "authenticate",
                    'claims = jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE)',
                ),
                (f"{PY_SITE}/jwt/api_jwt.py", 168, "decode", "decoded = self.decode_complete("),
                (
                    f"{PY_SITE}/jwt/api_jwt.py",
                    363,
                    "_validate_exp",
                    'raise ExpiredSignatureError("Signature has expired")',
                ),
            ],
            "jwt.exceptions.ExpiredSignatureError: Signature has expired",
        )
        method, path = endpoint(fake)
        return [
            Event(
                "ERROR",
                "app.auth",
                "token validation failed",
                tb,
                fields={"path": path.split("?")[0], "client": f"svc-{name}"},
            ),
            access(fake, "python", method, path, 401, fake.latency_ms(1, 8)),
        ]
    if flavour == 2:  # Node: jsonwebtoken; pino-http's default serializer logs request headers
        stack = node_stack(
            "TokenExpiredError: jwt expired",
            [
                "/app/node_modules/jsonwebtoken/verify.js:190:21",
                "getSecret (/app/node_modules/jsonwebtoken/verify.js:97:14)",
                "module.exports [as verify] (/app/node_modules/jsonwebtoken/verify.js:101:10)",
            ],
        )
        method, path = endpoint(fake)
        return [
            node_log(
                "ERROR",
                "auth",
                "token verification failed",
                stack,
                {"req.headers.authorization": f"Bearer {token}", "path": path.split("?")[0]},
            ),
            access(fake, "node", method, path, 401, fake.latency_ms(1, 8)),
        ]
    if flavour == 3:  # AWS: the role session's temporary credentials were not refreshed
        code, text = fake.choice(
            (
                ("ExpiredToken", "The provided token has expired."),
                ("ExpiredTokenException", "The security token included in the request is expired"),
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
                BOTOCORE_MAKE_API_CALL_FRAME,
            ],
            (
                f"botocore.exceptions.ClientError: An error occurred ({code}) when calling the "
                f"PutObject operation: {text}"
            ),
        )
        return [Event("ERROR", "app.storage", "PutObject failed", tb)]
    err = go_quote("token has invalid claims: token is expired")  # golang-jwt v5
    thread = java_thread(fake)
    if fake.chance(0.5):
        method, path = endpoint(fake)
        return [
            go_log("ERROR", f"auth failed path={path.split('?')[0]} err={err}"),
            access(fake, "go", method, path, 401, fake.latency_ms(1, 4)),
        ]
    # Spring's WebClient quoting the resource server's WWW-Authenticate challenge.
    day = f"2025-{fake.integer(9, 12):02d}-{fake.integer(1, 28):02d}"
    expired = f"{day}T{fake.integer(0, 23):02d}:{fake.integer(10, 59)}:00Z"
    return [
        jv(
            "ERROR",
            "com.acme.clients.UsersClient",
            f"401 Unauthorized from GET http://{name}.internal:{port}{url_path}, "
            'WWW-Authenticate: Bearer error="invalid_token", error_description="An error occurred '
            f'while attempting to decode the Jwt: Jwt expired at {expired}"',
            thread,
        )
    ]


def bad_credentials(fake: Fake) -> list[Event]:
    host = fake.private_ip()
    flavour = fake.integer(0, 3)
    if flavour == 0:  # PostgreSQL: the server's view, the DSN the app logged, and the client error
        pid = fake.pid()
        password = fake.password()
        hba = fake.choice(
            (
                (
                    'Connection matched file "/etc/postgresql/16/main/pg_hba.conf" line 102: '
                    '"host all all 10.0.0.0/8 scram-sha-256"'
                ),
                'Connection matched pg_hba.conf line 95: "host all all 0.0.0.0/0 md5"',
            )
        )
        failure = (
            f'connection to server at "{host}", port 5432 failed: FATAL:  password '
            'authentication failed for user "app"\n'
        )
        tb = py_traceback(
            [PSYCOPG2_CONNECT_FRAME],
            f"psycopg2.OperationalError: {failure}",
        )
        return [
            Event(
                "INFO", "app.db", f"connecting to postgresql://app:{password}@{host}:5432/orders"
            ),
            pg("FATAL", 'password authentication failed for user "app"', pid),
            pg("DETAIL", hba, pid, "ERROR"),
            Event("ERROR", "app.db", "database connection failed", tb),
        ]
    if flavour == 1:  # S3 rejecting the key: botocore's debug log echoes the key id from the body
        key_id = fake.aws_access_key_id()
        code, text = fake.choice(
            (
                (
                    "InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records.",
                ),
                (
                    "SignatureDoesNotMatch",
                    (
                        "The request signature we calculated does not match the signature you "
                        "provided. Check your key and signing method."
                    ),
                ),
            )
        )
        # S3's body also carries <RequestId>; it is left out because moto rewrites every
        # <RequestId> it sees, even inside stored log messages, which breaks replay tests.
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\\n<Error><Code>{code}</Code>'
            f"<Message>{text}</Message><AWSAccessKeyId>{key_id}</AWSAccessKeyId>"
            f"<HostId>{fake.chars(_BASE64, 76)}</HostId></Error>"
        )
        tb = py_traceback(
            [BOTOCORE_MAKE_API_CALL_FRAME],
            (
                f"botocore.exceptions.ClientError: An error occurred ({code}) when calling the "
                f"PutObject operation: {text}"
            ),
        )
        return [
            Event("DEBUG", "botocore.parsers", f"Response body:\nb'{body}'"),
            Event("ERROR", "app.storage", "PutObject failed", tb),
        ]
    if flavour == 2:  # MySQL through Go's driver, or Redis ACLs through redis-py
        if fake.chance(0.5):
            err = go_quote(
                f"Error 1045 (28000): Access denied for user 'app'@'{fake.private_ip()}' "
                "(using password: YES)"
            )
            return [go_log("ERROR", f"database ping failed err={err}")]
        tb = py_traceback(
            [
                (
                    f"{PY_SITE}/redis/connection.py",
                    410,
                    "on_connect",
                    'if str_if_bytes(self.read_response()) != "OK":',
                )
            ],
            (
                "redis.exceptions.AuthenticationError: WRONGPASS invalid username-password pair "
                "or user is disabled."
            ),
        )
        return [Event("ERROR", "app.cache", f"redis connection failed addr={host}:6379", tb)]
    err = go_quote('pq: password authentication failed for user "app"')
    method, path = endpoint(fake)
    return [
        go_log("ERROR", f"query failed err={err}"),
        access(fake, "go", method, path, 500, fake.latency_ms(2, 30)),
    ]

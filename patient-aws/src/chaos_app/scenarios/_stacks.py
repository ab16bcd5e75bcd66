"""Stacks exactly as each runtime prints them.

Python's traceback module, logback's Throwable layout, the Go runtime's goroutine dump and V8's
`Error.stack`: the bursts' exceptions are built here so that they read like production logs.
"""

from __future__ import annotations

from collections.abc import Sequence

from chaos_app.events import Fake

# Tracebacks are shown as Python 3.10 prints them: no caret lines, which 3.11+ adds.
PY_SITE = "/usr/local/lib/python3.10/site-packages"
PY_LIB = "/usr/local/lib/python3.10"
GO_ROOT = "/usr/local/go/src"

PyFrame = tuple[str, int, str, str]  # file, line, function, source line


def py_traceback(frames: Sequence[PyFrame], final: str) -> str:
    lines = ["Traceback (most recent call last):"]
    for path, line, func, code in frames:
        lines.append(f'  File "{path}", line {line}, in {func}')
        if code:
            lines.append(f"    {code}")
    lines.append(final)
    return "\n".join(lines)


def py_chain(cause: str, effect: str, *, direct: bool = True) -> str:
    """Two tracebacks linked the way Python prints `raise ... from` or an implicit chain."""
    link = (
        "The above exception was the direct cause of the following exception:"
        if direct
        else "During handling of the above exception, another exception occurred:"
    )
    return f"{cause}\n\n{link}\n\n{effect}"


def java_stack(
    head: str,
    frames: Sequence[str],
    causes: Sequence[tuple[str, Sequence[str], int]] = (),
) -> str:
    """A Throwable as logback prints it: `\\tat` frames, then `Caused by:` with omitted frames."""
    out = [head, *(f"\tat {frame}" for frame in frames)]
    for cause_head, cause_frames, omitted in causes:
        out.append(f"Caused by: {cause_head}")
        out.extend(f"\tat {frame}" for frame in cause_frames)
        if omitted:
            out.append(f"\t... {omitted} common frames omitted")
    return "\n".join(out)


def node_stack(head: str, frames: Sequence[str]) -> str:
    return "\n".join([head, *(f"    at {frame}" for frame in frames)])


def go_ptr(fake: Fake) -> str:
    return f"0xc000{fake.hex(6)}"


def go_offset(fake: Fake) -> str:
    return f"+0x{fake.integer(0x10, 0x4FF):x}"


def go_goroutine(fake: Fake, gid: int, state: str, frames: Sequence[tuple[str, str]]) -> str:
    """One goroutine of a dump: `func(args)` then `\\tfile:line +0xoff`, as the runtime prints."""
    lines = [f"goroutine {gid} [{state}]:"]
    for func, location in frames:
        lines.append(func)
        lines.append(f"\t{location} {go_offset(fake)}")
    return "\n".join(lines)


def java_hash(fake: Fake) -> str:
    """Object.toString() identity hash, e.g. PgConnection@5f3b9a1c."""
    return f"{fake.integer(0x1000000, 0x7FFFFFFF):x}"


def py_addr(fake: Fake) -> str:
    return f"0x7f{fake.hex(10)}"


# Handlers of the workload's Python services: (file, function, the line that touched the DB).
_PY_HANDLERS = (
    ("/app/orders/api.py", "create_order", "order = repo.create(session, payload)"),
    ("/app/orders/api.py", "get_order", "order = repo.get_by_id(session, order_id)"),
    ("/app/checkout/views.py", "checkout", "cart = Cart.load(session, cart_id)"),
    ("/app/catalog/routes.py", "list_products", "rows = session.execute(stmt).scalars().all()"),
    ("/app/accounts/service.py", "load_profile", "user = session.get(User, user_id)"),
)


def py_handler(fake: Fake) -> PyFrame:
    path, func, code = fake.choice(_PY_HANDLERS)
    return (path, fake.integer(24, 380), func, code)


def py_web_error(fake: Fake, method: str, path: str) -> tuple[str, str, list[PyFrame]]:
    """(logger, message, framework frames) of an unhandled exception in a Python web app."""
    route = path.split("?", maxsplit=1)[0]
    flavour = fake.integer(0, 2)
    if flavour == 0:  # Flask's app.logger.error("Exception on %s [%s]")
        return (
            "app",
            f"Exception on {route} [{method}]",
            [
                (
                    f"{PY_SITE}/flask/app.py",
                    1484,
                    "full_dispatch_request",
                    "rv = self.dispatch_request()",
                ),
                (
                    f"{PY_SITE}/flask/app.py",
                    1469,
                    "dispatch_request",
                    "return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)",
                ),
            ],
        )
    if flavour == 1:  # Django's django.request logger
        return (
            "django.request",
            f"Internal Server Error: {route}",
            [
                (
                    f"{PY_SITE}/django/core/handlers/exception.py",
                    55,
                    "inner",
                    "response = get_response(request)",
                ),
                (
                    f"{PY_SITE}/django/core/handlers/base.py",
                    197,
                    "_get_response",
                    "response = wrapped_callback(request, *callback_args, **callback_kwargs)",
                ),
            ],
        )
    return (  # uvicorn running FastAPI
        "uvicorn.error",
        "Exception in ASGI application",
        [
            (
                f"{PY_SITE}/uvicorn/protocols/http/httptools_impl.py",
                426,
                "run_asgi",
                "result = await app(  # type: ignore[func-returns-value]",
            ),
            (
                f"{PY_SITE}/uvicorn/middleware/proxy_headers.py",
                84,
                "__call__",
                "return await self.app(scope, receive, send)",
            ),
            (
                f"{PY_SITE}/fastapi/applications.py",
                1054,
                "__call__",
                "await super().__call__(scope, receive, send)",
            ),
            (f"{PY_SITE}/starlette/routing.py", 74, "app", "response = await func(request)"),
            (
                f"{PY_SITE}/fastapi/routing.py",
                278,
                "app",
                "raw_response = await run_endpoint_function(",
            ),
            (
                f"{PY_SITE}/fastapi/routing.py",
                191,
                "run_endpoint_function",
                "return await dependant.call(**values)",
            ),
        ],
    )


# Frames that many failures pass through, as the Python runtime prints them: named once here.
BOTOCORE_API_CALL_FRAME = (
    f"{PY_SITE}/botocore/client.py",
    565,
    "_api_call",
    "return self._make_api_call(operation_name, kwargs)",
)
BOTOCORE_MAKE_API_CALL_FRAME = (
    f"{PY_SITE}/botocore/client.py",
    1021,
    "_make_api_call",
    "raise error_class(parsed_response, operation_name)",
)
BOTOCORE_CALL_FRAMES = (BOTOCORE_API_CALL_FRAME, BOTOCORE_MAKE_API_CALL_FRAME)
REQUESTS_SEND_FRAME = (
    f"{PY_SITE}/requests/adapters.py",
    519,
    "send",
    "raise ConnectionError(e, request=request)",
)
REQUESTS_RAISE_FOR_STATUS_FRAME = (
    f"{PY_SITE}/requests/models.py",
    1021,
    "raise_for_status",
    "raise HTTPError(http_error_msg, response=self)",
)
CELERY_TASK_FRAMES = (
    (f"{PY_SITE}/celery/app/trace.py", 477, "trace_task", "R = retval = fun(*args, **kwargs)"),
    (
        f"{PY_SITE}/celery/app/trace.py",
        760,
        "__protected_call__",
        "return self.run(*args, **kwargs)",
    ),
)
PSYCOPG2_CONNECT_FRAME = (
    f"{PY_SITE}/psycopg2/__init__.py",
    122,
    "connect",
    "conn = _connect(dsn, connection_factory=connection_factory, **kwasync)",
)

# SQLAlchemy, as the Python services' database errors show it: shared by the database, memory
# and application scenarios.
SQLA_OPERATIONAL = "https://sqlalche.me/e/20/e3q8"
SA = f"{PY_SITE}/sqlalchemy"

# How SQLAlchemy 2.0 opens a pool connection: the frames of the psycopg2 cause.
SA_CONNECT_FRAMES = [
    (f"{SA}/engine/base.py", 145, "__init__", "self._dbapi_connection = engine.raw_connection()"),
    (f"{SA}/engine/base.py", 3293, "raw_connection", "return self.pool.connect()"),
    (f"{SA}/pool/base.py", 452, "connect", "return _ConnectionFairy._checkout(self)"),
    (f"{SA}/pool/base.py", 1269, "_checkout", "fairy = _ConnectionRecord.checkout(pool)"),
    (f"{SA}/pool/base.py", 716, "checkout", "rec = pool._do_get()"),
    (f"{SA}/pool/impl.py", 169, "_do_get", "with util.safe_reraise():"),
    (f"{SA}/util/langhelpers.py", 146, "__exit__", "raise exc_value.with_traceback(exc_tb)"),
    (f"{SA}/pool/impl.py", 167, "_do_get", "return self._create_connection()"),
    (f"{SA}/pool/base.py", 393, "_create_connection", "return _ConnectionRecord(self)"),
    (f"{SA}/pool/base.py", 678, "__init__", "self.__connect()"),
    (f"{SA}/engine/create.py", 646, "connect", "return dialect.connect(*cargs, **cparams)"),
    (
        f"{SA}/engine/default.py",
        620,
        "connect",
        "return self.loaded_dbapi.connect(*cargs, **cparams)",
    ),
    PSYCOPG2_CONNECT_FRAME,
]

# The outer frames: a session's first query, re-raised wrapped by SQLAlchemy.
SA_SESSION_FRAMES = [
    (f"{SA}/orm/session.py", 2308, "execute", "return self._execute_internal("),
    (f"{SA}/orm/session.py", 2180, "_execute_internal", "conn = self._connection_for_bind(bind)"),
    (f"{SA}/engine/base.py", 147, "__init__", "Connection._handle_dbapi_exception_noconnection("),
    (
        f"{SA}/engine/base.py",
        2436,
        "_handle_dbapi_exception_noconnection",
        "raise sqlalchemy_exception.with_traceback(exc_info[2]) from e",
    ),
]

# The loggers of a Spring service's failed request and of Hibernate's SQL errors.
DISPATCHER = "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/].[dispatcherServlet]"
SQL_HELPER = "org.hibernate.engine.jdbc.spi.SqlExceptionHelper"

"""application_exception: bugs in the code, as each runtime reports an unhandled error."""

from __future__ import annotations

from chaos_app.events import Event, Fake, Style
from chaos_app.scenarios._kit import (
    Fields,
    access,
    endpoint,
    java_thread,
    jv,
    node_log,
)
from chaos_app.scenarios._stacks import (
    CELERY_TASK_FRAMES,
    DISPATCHER,
    GO_ROOT,
    go_goroutine,
    go_ptr,
    java_stack,
    node_stack,
    py_handler,
    py_traceback,
    py_web_error,
)

# (the line that fails, the exception it raises): classic bugs, as Python words them.
_PY_BUGS = (
    ("total = order.customer.id", "AttributeError: 'NoneType' object has no attribute 'id'"),
    ('address = payload["shipping_address"]', "KeyError: 'shipping_address'"),
    (
        "subtotal = sum(i.price for i in items) + order.discount",
        "TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'",
    ),
    ("average = revenue / len(orders)", "ZeroDivisionError: division by zero"),
    ("primary = user.addresses[0]", "IndexError: list index out of range"),
)
_JAVA_BUGS = (
    (
        'java.lang.NullPointerException: Cannot invoke "com.acme.orders.Customer.getAddress()" '
        'because "customer" is null'
    ),
    (
        "java.lang.NullPointerException: Cannot invoke "
        '"java.math.BigDecimal.add(java.math.BigDecimal)" because "discount" is null'
    ),
    (
        "java.lang.ClassCastException: class java.lang.Integer cannot be cast to class "
        "java.lang.Long (java.lang.Integer and java.lang.Long are in module java.base of loader "
        "'bootstrap')"
    ),
    "java.lang.IllegalStateException: Duplicate key SKU-1042 (attempted merging values 2 and 1)",
)


def app_exception(fake: Fake) -> list[Event]:
    method, path = endpoint(fake)
    route = path.split("?")[0]
    flavour = fake.integer(0, 4)
    if flavour == 0:
        code, final = fake.choice(_PY_BUGS)
        logger, message, frames = py_web_error(fake, method, path)
        handler = (*py_handler(fake)[:3], "totals = pricing.totals(order, items)")
        tb = py_traceback(
            [*frames, handler, ("/app/orders/pricing.py", fake.integer(20, 200), "totals", code)],
            final,
        )
        fields: Fields = {"request_id": fake.request_id(), "path": route, "user_id": fake.user_id()}
        return [
            Event("ERROR", logger, message, tb, fields=fields),
            access(fake, "python", method, path, 500, fake.latency_ms(3, 120)),
        ]
    if flavour == 1:
        thread = java_thread(fake)
        bug = fake.choice(_JAVA_BUGS)
        service_line, controller_line = fake.integer(40, 300), fake.integer(30, 120)
        stack = java_stack(
            bug,
            [
                f"com.acme.orders.OrderService.totals(OrderService.java:{service_line})",
                f"com.acme.orders.OrderController.get(OrderController.java:{controller_line})",
                "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
                "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)",
            ],
        )
        failed = (
            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
            "exception "
            f"[Request processing failed: {bug}] with root cause"
        )
        return [
            jv("ERROR", DISPATCHER, failed, thread, stack),
            access(fake, "java", method, path, 500, fake.latency_ms(3, 150)),
        ]
    if flavour == 2:  # net/http recovers a handler's panic and logs it with the goroutine's stack
        err = fake.choice(
            (
                "runtime error: invalid memory address or nil pointer dereference",
                (
                    f"runtime error: index out of range [{fake.integer(1, 5)}] with length "
                    f"{fake.integer(0, 1)}"
                ),
            )
        )
        dump = go_goroutine(
            fake,
            fake.integer(30, 90000),
            "running",
            [
                ("net/http.(*conn).serve.func1()", f"{GO_ROOT}/net/http/server.go:1898"),
                (
                    f"panic({{0x{fake.hex(6)}?, 0x{fake.hex(6)}?}})",
                    f"{GO_ROOT}/runtime/panic.go:770",
                ),
                (
                    (
                        f"main.(*OrderHandler).Get({go_ptr(fake)}, {{0x{fake.hex(6)}, "
                        f"{go_ptr(fake)}}}, {go_ptr(fake)})"
                    ),
                    f"/app/internal/orders/handler.go:{fake.integer(40, 200)}",
                ),
                ("net/http.HandlerFunc.ServeHTTP(...)", f"{GO_ROOT}/net/http/server.go:2166"),
                (
                    f"net/http.(*conn).serve({go_ptr(fake)}, {{0x{fake.hex(6)}, {go_ptr(fake)}}})",
                    f"{GO_ROOT}/net/http/server.go:2044",
                ),
            ],
        )
        client = f"{fake.private_ip()}:{fake.port()}"
        return [
            Event("ERROR", "http", f"http: panic serving {client}: {err}", dump, Style.GO),
            access(fake, "go", method, path, 500, fake.latency_ms(1, 40)),
        ]
    if flavour == 3:  # NestJS' ExceptionsHandler
        prop = fake.choice(("id", "email", "items", "total"))
        line, column = fake.integer(20, 140), fake.integer(10, 60)
        stack = node_stack(
            f"TypeError: Cannot read properties of undefined (reading '{prop}')",
            [
                f"OrdersService.create (/app/dist/orders/orders.service.js:{line}:{column})",
                "OrdersController.create (/app/dist/orders/orders.controller.js:31:35)",
                "/app/node_modules/@nestjs/core/router/router-execution-context.js:38:29",
            ],
        )
        return [
            node_log(
                "ERROR",
                "ExceptionsHandler",
                f"Cannot read properties of undefined (reading '{prop}')",
                stack,
            ),
            access(fake, "node", method, path, 500, fake.latency_ms(2, 60)),
        ]
    code, final = fake.choice(_PY_BUGS)
    task = f"billing.tasks.send_invoice[{fake.uuid()}]"
    tb = py_traceback(
        [
            *CELERY_TASK_FRAMES,
            ("/app/billing/tasks.py", fake.integer(20, 140), "send_invoice", code),
        ],
        final,
    )
    name, _, text = final.partition(": ")
    return [
        Event("ERROR", "celery.app.trace", f"Task {task} raised unexpected: {name}({text!r})", tb)
    ]

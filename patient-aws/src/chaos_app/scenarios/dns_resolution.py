"""dns_resolution: names that do not resolve: NXDOMAIN, SERVFAIL, resolver unreachable."""

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
    PSYCOPG2_CONNECT_FRAME,
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

"""Talking to other services: timeouts and unavailable dependencies, as nginx, Envoy, HAProxy,
API gateways, gRPC, AWS Lambda, gunicorn and the HTTP clients of Python, Go, Node and the JVM
report them.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, http_status, rule
from doctor.taxonomy import Category, Severity

TMO = Category.TIMEOUT
UPS = Category.UPSTREAM_UNAVAILABLE
HIGH, MED = Severity.HIGH, Severity.MEDIUM

NETWORK_RULES: list[Rule] = [
    rule(
        "timeout-gateway",
        TMO,
        "Gateway Timeout from Upstream",
        match=[
            r"upstream timed out|upstream request timeout|Gateway Time-?out|GatewayTimeout",
            r"Endpoint request timed out",
            r'(?-i:HTTP/[\d.]+"\s+504\s+UT\b)',
            *http_status(504, "Gateway"),
        ],
        weight=90,
        severity=HIGH,
        root_cause=(
            "A proxy or gateway gave up waiting for the upstream's response: the upstream is "
            "slow (saturated, waiting on its own dependencies) or the proxy timeout is shorter "
            "than the work."
        ),
        solution=(
            "Find the slow upstream and endpoint from the proxy log (upstream, request); check "
            "its latency, CPU and dependency calls. Fix the slowness first; only then align "
            "timeouts (nginx proxy_read_timeout, Envoy route timeout, ALB idle timeout, API "
            "Gateway 29 s limit) and move long work to async jobs."
        ),
        action="Find the slow upstream endpoint behind the 504s and fix its latency.",
    ),
    rule(
        "timeout-function",
        TMO,
        "Function or Worker Timed Out",
        match=[
            r"Task timed out after|Sandbox\.Timedout|WORKER TIMEOUT",
            r"Hard time limit \S+ exceeded|(?:Soft)?TimeLimitExceeded",
            r"Maximum execution time of \S+ seconds exceeded",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "A unit of work ran longer than its hard limit (Lambda timeout, gunicorn --timeout) "
            "and was killed, usually because it waits on a slow dependency."
        ),
        solution=(
            "Find what the invocation waits on (X-Ray / py-spy dump); give outbound calls "
            "timeouts shorter than the function/worker timeout; raise the limit (Lambda "
            "Timeout, gunicorn --timeout) only when the work is legitimately long; use async "
            "workers for I/O-bound apps."
        ),
        action="Give outbound calls timeouts shorter than the worker/function limit and find "
        "the slow dependency.",
    ),
    rule(
        "timeout-deadline",
        TMO,
        "Request Deadline Exceeded",
        match=[
            r"context deadline exceeded|DEADLINE_EXCEEDED|DeadlineExceeded",
            r"Client\.Timeout exceeded|timeout awaiting response headers|TLS handshake timeout",
            r"\bi/o timeout\b",
        ],
        weight=80,
        severity=HIGH,
        root_cause=(
            "Calls did not finish within their deadline: the callee is slow or overloaded, or "
            "packets are dropped on the way (security group, network policy)."
        ),
        solution=(
            "Identify the callee from the error (address / gRPC method); check its latency and "
            "saturation; for i/o timeouts test reachability (`nc -vz HOST PORT`) since dropped "
            "packets look like timeouts; propagate deadlines and add retries with backoff only "
            "for idempotent calls."
        ),
        action="Check the latency and reachability of the service whose calls exceed their "
        "deadline.",
    ),
    rule(
        "timeout-client",
        TMO,
        "Outbound Request Timeouts",
        match=[
            r"ReadTimeout|ConnectTimeout|Read timed out|connect timed out|ConnectTimeoutError",
            r"SocketTimeoutException|HttpTimeoutException|TimeoutException|\bETIMEDOUT\b",
            r"ESOCKETTIMEDOUT|TimeoutError\b|socket\.timeout|Connection timed out",
            r"operation timed out|request timed out|timed out waiting",
            *http_status(408, "Request Timeout"),
        ],
        weight=70,
        severity=HIGH,
        root_cause=(
            "Calls to another service time out: it responds too slowly, its connections are "
            "saturated, or traffic to it is silently dropped."
        ),
        solution=(
            "From the error, name the target host/port; check its health and p99 latency; test "
            "reachability (`curl -m 5 -v URL`, `nc -vz HOST PORT`) — a connect timeout usually "
            "means a security group / NACL / firewall drop; set explicit connect and read "
            "timeouts and a circuit breaker."
        ),
        action="Check the health and reachability of the service the timed-out calls target.",
    ),
    rule(
        "timeout-generic",
        TMO,
        "Timeouts",
        # "timeout=30s" is a setting being printed, not a timeout happening
        match=[r"\btimed out\b|\btime-?outs?\b(?!\s*[=:]\s*[\d<])|deadline (?:exceeded|expired)"],
        weight=35,
        severity=MED,
        root_cause="Operations exceed their time limit, usually waiting on a slow dependency.",
        solution=(
            "Find which operation and dependency time out from the samples, check that "
            "dependency's latency, and set explicit, consistent timeouts."
        ),
        action="Identify the dependency behind the timeouts and check its latency.",
    ),
    rule(
        "upstream-mesh",
        UPS,
        "No Healthy Upstream (Envoy / Service Mesh)",
        match=[
            r"upstream connect error or disconnect/reset before headers",
            r"no healthy upstream|upstream_reset_before_response_started|delayed connect error",
            r'(?-i:HTTP/[\d.]+"\s+50\d\s+(?:[A-Z]{2,5},)*(?:UF|UH|URX|UO|UC|LH|NR)\b)',
        ],
        weight=90,
        severity=HIGH,
        root_cause=(
            "The proxy (Envoy / Istio / App Mesh) found no healthy endpoint or could not connect "
            "to it: pods are not ready, crashing, or the port/protocol in the service does not "
            "match the container."
        ),
        solution=(
            "Check the destination's endpoints (`kubectl get endpoints SVC`, Envoy admin "
            "/clusters), pod readiness and restarts, the service targetPort and the port name's "
            "protocol (http/grpc); response flags: UF connect failure, UH no healthy host, URX "
            "retries exhausted, UO circuit breaker overflow."
        ),
        action="Check that the destination service has ready endpoints on the right port.",
    ),
    rule(
        "upstream-proxy",
        UPS,
        "Reverse Proxy Cannot Reach Upstream",
        match=[
            r"connect\(\) (?:to \S+ )?failed \((?:111|113|2): [^)]*\) while connecting to "
            r"upstream",
            r"no live upstreams|upstream prematurely closed connection",
            r"\(104: Connection reset by peer\) while reading response header from upstream",
            r"has no server available|Server \S+ is DOWN|backend \S+ is DOWN",
            *http_status(502, "Bad Gateway"),
        ],
        weight=90,
        severity=HIGH,
        root_cause=(
            "The reverse proxy (nginx, HAProxy, ALB) cannot get a response from the backend: "
            "the app process is down, restarting, not listening on the configured port, or "
            "crashed mid-request."
        ),
        solution=(
            "Check the backend process and its own logs for crashes or restarts; `curl -v "
            "http://UPSTREAM:PORT/health` from the proxy host; confirm the upstream address / "
            "port (nginx proxy_pass, target group port, health check path) and that the app "
            "binds 0.0.0.0, not 127.0.0.1."
        ),
        action="Check the backend behind the proxy is running and listening on the configured "
        "port.",
    ),
    rule(
        "upstream-503",
        UPS,
        "Dependency Unavailable (503)",
        match=[
            *http_status(503, "Service Unavailable"),
            r"Service ?Unavailable|ServiceUnavailableException",
            r"code = Unavailable|StatusCode\.UNAVAILABLE|\bUNAVAILABLE: ",
            r"circuit ?breaker \S* ?(?:is )?open|CallNotPermittedException|short-circuited",
        ],
        weight=70,
        severity=HIGH,
        root_cause=(
            "A dependency answers 503 / UNAVAILABLE: it is overloaded, deploying, has no healthy "
            "instances, or a circuit breaker has opened after repeated failures."
        ),
        solution=(
            "Identify the dependency from the URL / service name; check its health, instance "
            "count and recent deploys; add retries with jittered backoff for idempotent calls "
            "and a fallback while it recovers."
        ),
        action="Check the health and recent deploys of the dependency returning 503.",
    ),
    rule(
        "upstream-refused",
        UPS,
        "Dependency Refusing Connections",
        match=[
            r"Connection refused|\bECONNREFUSED\b|Connect call failed|ConnectException",
            r"Failed to establish a new connection|Max retries exceeded|Cannot connect to host",
            r"No route to host|\bEHOSTUNREACH\b|Network is unreachable|\bENETUNREACH\b",
            r"Connection reset by peer|\bECONNRESET\b|socket hang up|RemoteDisconnected",
            r"Remote end closed connection|Connection aborted|ServerDisconnectedError",
            r"EndpointConnectionError|Could not connect to the endpoint URL",
            r"HttpHostConnectException|NoHttpResponseException|PrematureCloseException",
            r"\bConnectionError\b|ClientConnectorError|AMQPConnectionError",
            r"Broker may not be available|Retrying connect to server",
        ],
        weight=55,
        severity=HIGH,
        root_cause=(
            "Connections to another service are refused or reset: nothing listens on that "
            "host:port (service down, restarting, wrong port) or a firewall rejects it."
        ),
        solution=(
            "Name the target from the error (host:port); check that service is running and "
            "listening (`ss -ltnp`, `kubectl get pods,endpoints`), test with `nc -vz HOST PORT` "
            "from the caller, and verify the configured URL and security groups."
        ),
        action="Check the service at the refused host:port is running and reachable.",
    ),
]

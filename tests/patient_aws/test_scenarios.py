"""The failure catalog is labelled test data: each burst must read as its category, and only it.

The signatures below are written from how real software reports each failure, independently of
the catalog's code: a burst labelled `timeout` must look like a timeout to someone who has read
production logs, and must not look like a DNS or TLS failure.
"""

from __future__ import annotations

import base64
import importlib
import json
import pkgutil
import random
import re
from collections import Counter
from collections.abc import Iterable

import pytest

from chaos_app import scenarios
from chaos_app.events import Event, Fake, Style
from chaos_app.healthy import healthy_event
from chaos_app.scenarios import CATALOG, Scenario, by_name

# DESIGN.md's category table (chaos_app does not depend on the doctor's `Category`).
CATEGORIES = (
    "database_connection",
    "database_error",
    "out_of_memory",
    "disk_full",
    "timeout",
    "upstream_unavailable",
    "tls_certificate",
    "dns_resolution",
    "permission_denied",
    "authentication_failure",
    "rate_limited",
    "resource_exhaustion",
    "configuration_error",
    "application_exception",
    "crash_loop",
    "unknown",
)
LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
SEEDS = range(40)


def _status(code: str) -> str:
    """An HTTP status in an access line: uvicorn and Envoy, chi's logger, pino-http's field."""
    return rf'HTTP/1\.1" {code}\b|- {code} \d+B in |status={code}\b'


SIGNATURES: dict[str, str] = {
    "database_connection": (
        r"(?i)(connection refused|connection timed out|ECONNREFUSED)[^\n]*\b(5432|3306|6379)\b"
        r"|\b(5432|3306|6379)\b[^\n]*(refused|timed out)"
        r"|could not connect to server|can't reach database server|Can't connect to MySQL server"
        r"|Communications link failure|too many (clients|connections)"
        r"|remaining connection slots are reserved|Connection is not available, request timed out"
        r"|QueuePool limit of size \d+ overflow \d+ reached|Timeout acquiring a connection"
        r"|server closed the connection unexpectedly"
        r"|the database system is (starting up|shutting down|in recovery mode)"
        r"|Error \d+ connecting to \S+:6379|Unable to connect to Redis"
    ),
    "database_error": (
        r"(?i)deadlock (detected|found)|lock wait timeout exceeded"
        r"|canceling statement due to lock timeout|could not serialize access"
        r"|violates (unique|foreign key|not-null|check) constraint|Duplicate entry '[^']*' for key"
        r"|(column|relation) \S+ does not exist|Unknown column|syntax error at or near"
        r"|IntegrityError|DataIntegrityViolationException|CannotAcquireLockException"
    ),
    "out_of_memory": (
        r"(?i)out of memory|OutOfMemoryError|MemoryError|Unable to allocate [\d.]+ [KMGT]iB"
        r"|invoked oom-killer|oom-kill|Killed process \d+|heap limit|exited with code 137"
        r"|status=9/KILL|OOMKilled"
    ),
    "disk_full": (
        r"(?i)no space left on device|ENOSPC|Errno 28\]|disk quota exceeded|Errno 122\]"
        r"|could not extend file"
    ),
    "timeout": (
        r"(?i)upstream timed out|read timed out|ReadTimeout|SocketTimeoutException"
        r"|deadline ?exceeded|timeout of \d+ms exceeded|upstream request timeout"
        r"|Gateway Time-?out|(soft|hard) time limit \(\d+s\) exceeded|WORKER TIMEOUT"
        r"|Task timed out after|Client\.Timeout exceeded|" + _status("504")
    ),
    "upstream_unavailable": (
        r"(?i)connect\(\) failed \(111: Connection refused\) while connecting to upstream"
        r"|no live upstreams|upstream connect error|Bad Gateway|Service Unavailable"
        r"|status code 50[23]|is OPEN and does not permit"
        r"|Failed to establish a new connection: \[Errno 111\]"
        r"|:(80|443|3000|8000|8080|9000)\b[^\n]*connection refused"
        r"|ECONNREFUSED [\d.]+:(80|443|3000|8000|8080|9000)\b"
        r"|" + _status("50[23]")
    ),
    "tls_certificate": (
        r"(?i)certificate (has expired|verify failed|signed by unknown authority|is valid for)"
        r"|CERTIFICATE_VERIFY_FAILED|CERT_HAS_EXPIRED|SSLHandshakeException"
        r"|SSL_do_handshake\(\) failed|x509: |PKIX path|self[- ]signed certificate"
        r"|unable to (get local issuer|verify the first) certificate|CertificateExpiredException"
        r"|does not match certificate's altnames|SSL certificate verify error"
    ),
    "dns_resolution": (
        r"(?i)ENOTFOUND|EAI_AGAIN|NXDOMAIN|SERVFAIL|Name or service not known"
        r"|Temporary failure in name resolution|no such host|server misbehaving"
        r"|UnknownHostException|could not be resolved|Failed to resolve '"
        r"|could not translate host name|getaddrinfo"
    ),
    # Case-sensitive on purpose: AWS says "Access Denied"; MySQL's "Access denied for user"
    # is an authentication failure.
    "permission_denied": (
        r"AccessDenied|Access Denied|is not authorized to perform|[Pp]ermission denied|EACCES"
        r"|Errno 13\]|Forbidden|InsufficientPrivilege|resource \S+ is denied"
        r"|Status ?Code: 403|" + _status("403")
    ),
    "authentication_failure": (
        r"(?i)Signature has expired|jwt expired|token (is|has) expired|ExpiredToken"
        r"|invalid_token|InvalidAccessKeyId|SignatureDoesNotMatch|InvalidClientTokenId"
        r"|password authentication failed|Access denied for user|WRONGPASS|NOAUTH"
        r"|Unauthorized|TokenExpiredError|Bad credentials"
        r"|security token included in the request is (invalid|expired)|" + _status("401")
    ),
    "rate_limited": (
        r"(?i)Too Many Requests|Throttl|Rate exceeded|SlowDown|reduce your request rate"
        r"|ProvisionedThroughputExceeded|limiting requests|RequestLimitExceeded"
        r"|TooManyRequests|(?<!disk )quota exceeded|" + _status("429")
    ),
    "resource_exhaustion": (
        r"(?i)too many open files|EMFILE|Errno 24\]|worker_connections are not enough"
        r"|can't start new thread|failed to create new OS thread|pthread_create failed"
        r"|Resource temporarily unavailable|fork rejected by pids controller"
        r"|RejectedExecutionException|cannot assign requested address|EADDRNOTAVAIL|Errno 99\]"
    ),
    "configuration_error": (
        r"(?i)required key \w+ missing value|Missing environment variables"
        r"|Field required \[type=missing|validation error for Settings"
        r"|Could not resolve placeholder|Failed to bind properties|APPLICATION FAILED TO START"
        r"|unknown directive|directive is not allowed here|invalid number of arguments in"
        r"|configuration file \S+ test failed|ImproperlyConfigured|ScannerError"
        r"|envconfig\.Process|(?-i:KeyError: '[A-Z][A-Z0-9_]+')"
    ),
    # Case-sensitive: exception class names, and a lower-case KeyError (a data key, not a
    # missing environment variable).
    "application_exception": (
        r"NullPointerException|ClassCastException|IllegalStateException|AttributeError: "
        r"|KeyError: '[a-z_]+'|TypeError: |ZeroDivisionError|IndexError: |panic serving"
        r"|runtime error: (invalid memory address|index out of range)"
        r"|Cannot read propert(y|ies) of (undefined|null)|is not a function"
    ),
    "crash_loop": (
        r"(?i)restart counter is at \d+|Back-off restarting failed container|CrashLoopBackOff"
        r"|Start request repeated too quickly|segfault at [0-9a-f]+|Segmentation fault"
        r"|status=11/SEGV|code=dumped|SIGSEGV|exited with code 139|Exec format error"
        r"|status=203/EXEC"
    ),
}
COMPILED = {category: re.compile(pattern) for category, pattern in SIGNATURES.items()}

# Where one real occurrence legitimately shows a second category's words, and why.
ALLOWED_OVERLAP: dict[str, set[str]] = {}


def _text(events: list[Event]) -> str:
    """A burst as one string: each event's level, logger, message, fields and stack."""
    parts = []
    for event in events:
        fields = " ".join(f"{key}={value}" for key, value in event.fields.items())
        parts.append(
            f"{event.native_level or event.level} {event.logger} {event.message} {fields}\n"
            f"{event.exception or ''}"
        )
    return "\n".join(parts)


def _bursts(scenario: Scenario) -> list[list[Event]]:
    return [scenario.burst(Fake(random.Random(seed))) for seed in SEEDS]


def _matches(text: str) -> set[str]:
    return {category for category, pattern in COMPILED.items() if pattern.search(text)}


def test_catalog_covers_every_category() -> None:
    covered = {scenario.category for scenario in CATALOG}
    assert covered == set(CATEGORIES) - {"unknown"}


def test_catalog_names_and_categories_are_well_formed() -> None:
    names = [scenario.name for scenario in CATALOG]
    assert len(names) == len(set(names))
    for scenario in CATALOG:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", scenario.name), scenario.name
        assert scenario.category in CATEGORIES
        assert scenario.category != "unknown"
        assert scenario.description.strip()
        assert "\n" not in scenario.description
        assert by_name(scenario.name) is scenario


def _public_modules(path: Iterable[str]) -> set[str]:
    return {m.name for m in pkgutil.iter_modules(path) if m.name[0] != "_"}


def test_each_category_has_one_module_holding_exactly_its_scenarios() -> None:
    """scenarios/<category>.py, or a package scenarios/<category>/ whose public modules each
    hold some of its scenarios; named like the doctor's rule files; helpers are _private, and
    the only other public module is the catalog."""
    holders: dict[str, set[str]] = {scenario.category: set() for scenario in CATALOG}
    for scenario in CATALOG:
        home = importlib.import_module(f"chaos_app.scenarios.{scenario.category}")
        assert getattr(home, scenario.burst.__name__) is scenario.burst, scenario
        if hasattr(home, "__path__"):  # a package: the burst lives in one of its public modules
            parent, _, module = scenario.burst.__module__.rpartition(".")
            assert parent == home.__name__, scenario
            assert module[0] != "_", scenario
            holders[scenario.category].add(module)
        else:
            assert scenario.burst.__module__ == home.__name__, scenario
    assert _public_modules(scenarios.__path__) == set(holders) | {"catalog"}
    for category, modules in holders.items():
        home = importlib.import_module(f"chaos_app.scenarios.{category}")
        if hasattr(home, "__path__"):
            assert _public_modules(home.__path__) == modules, category


def test_by_name_rejects_unknown_names() -> None:
    with pytest.raises(KeyError):
        by_name("no-such-scenario")


def test_every_category_has_a_signature() -> None:
    assert set(SIGNATURES) == set(CATEGORIES) - {"unknown"}


@pytest.mark.parametrize("scenario", CATALOG, ids=lambda s: s.name)
def test_bursts_are_one_real_occurrence(scenario: Scenario) -> None:
    for events in _bursts(scenario):
        assert 1 <= len(events) <= 10
        assert all(event.level in LEVELS for event in events)
        assert any(event.level in {"ERROR", "CRITICAL"} for event in events)


@pytest.mark.parametrize("scenario", CATALOG, ids=lambda s: s.name)
def test_bursts_show_their_category_signature_and_no_other(scenario: Scenario) -> None:
    allowed = {scenario.category} | ALLOWED_OVERLAP.get(scenario.category, set())
    for seed, events in zip(SEEDS, _bursts(scenario), strict=True):
        text = _text(events)
        matched = _matches(text)
        assert scenario.category in matched, f"seed {seed}: no signature in\n{text}"
        assert matched <= allowed, f"seed {seed}: also reads as {matched - allowed}:\n{text}"


@pytest.mark.parametrize("scenario", CATALOG, ids=lambda s: s.name)
def test_values_vary_between_bursts(scenario: Scenario) -> None:
    fake = Fake(random.Random(7))
    texts = [_text(scenario.burst(fake)) for _ in range(20)]
    assert len(set(texts)) >= 18, f"{scenario.name}: only {len(set(texts))} distinct of 20"


@pytest.mark.parametrize("scenario", CATALOG, ids=lambda s: s.name)
def test_same_seed_same_bursts(scenario: Scenario) -> None:
    first, second = Fake(random.Random(42)), Fake(random.Random(42))
    for _ in range(10):
        assert scenario.burst(first) == scenario.burst(second)


@pytest.mark.parametrize("scenario", CATALOG, ids=lambda s: s.name)
def test_events_carry_what_their_text_format_needs(scenario: Scenario) -> None:
    needs = {Style.POSTGRES: "pid", Style.NGINX: "pid", Style.KERNEL: "host", Style.JAVA: "thread"}
    for events in _bursts(scenario):
        for event in events:
            if event.style in needs:
                assert needs[event.style] in event.fields, event


_PY_FRAME = re.compile(r'  File "[^"]+", line \d+, in \S+')


@pytest.mark.parametrize("scenario", CATALOG, ids=lambda s: s.name)
def test_python_tracebacks_are_well_formed(scenario: Scenario) -> None:
    for events in _bursts(scenario):
        for event in events:
            if not event.exception or "Traceback (most recent call last):" not in event.exception:
                continue
            for block in event.exception.split("Traceback (most recent call last):\n")[1:]:
                lines = block.split("\n")
                assert _PY_FRAME.fullmatch(lines[0]), lines[0]
                frames = [line for line in lines if line.startswith("  File ")]
                assert all(_PY_FRAME.fullmatch(frame) for frame in frames)
                # The exception line follows the last frame's source line, unindented.
                tail = [line for line in lines if line and not line.startswith(" ")]
                assert tail, block
                assert re.match(r"[\w.]+(: |$)", tail[0]), tail[0]


def test_java_and_go_stacks_look_like_their_runtimes() -> None:
    java = go = 0
    for scenario in CATALOG:
        for events in _bursts(scenario):
            for event in events:
                if event.style is Style.JAVA and event.exception:
                    java += 1
                    frame = re.search(r"^\tat [\w$.<>/]+\([\w. ]+(:\d+)?\)$", event.exception, re.M)
                    assert frame or "Caused by:" in event.exception, event.exception
                if event.style is Style.GO and event.exception and "goroutine" in event.exception:
                    go += 1
                    assert re.search(r"^goroutine \d+ \[\w+\]:$", event.exception, re.M)
                    assert re.search(r"^\t/\S+\.(go|s):\d+ \+0x[0-9a-f]+$", event.exception, re.M)
    assert java > 20
    assert go > 5


def test_healthy_traffic_is_never_an_error_and_varied() -> None:
    fake = Fake(random.Random(3))
    events = [healthy_event(fake) for _ in range(2000)]
    levels = Counter(event.level for event in events)
    assert set(levels) <= {"DEBUG", "INFO", "WARNING"}
    assert levels["INFO"] > levels["DEBUG"] > 0
    assert 0 < levels["WARNING"] < len(events) * 0.1
    assert len({event.message for event in events}) > 500
    assert len({event.logger for event in events}) >= 8


def test_healthy_traffic_does_not_read_as_a_failure() -> None:
    fake = Fake(random.Random(5))
    for _ in range(2000):
        event = healthy_event(fake)
        assert not _matches(_text([event])), event


def test_healthy_traffic_is_reproducible() -> None:
    first, second = Fake(random.Random(9)), Fake(random.Random(9))
    assert [healthy_event(first) for _ in range(200)] == [healthy_event(second) for _ in range(200)]


_CANARIES = {
    "aws_access_key_id": re.compile(r"\bAKIA[A-Z2-7]{16}\b"),
    "bearer_jwt": re.compile(r"Bearer (eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+)"),
    "postgres_url_password": re.compile(r"postgres(?:ql)?://\w+:([^@\s/]+)@[\w.-]+"),
}


def test_fake_credentials_appear_for_the_redactor_to_catch() -> None:
    found: dict[str, list[str]] = {name: [] for name in _CANARIES}
    for scenario in CATALOG:
        for events in _bursts(scenario):
            text = _text(events)
            for name, pattern in _CANARIES.items():
                found[name] += [m.group(0) for m in pattern.finditer(text)]
    for name, hits in found.items():
        assert hits, f"no {name} canary in any scenario"
        assert len(set(hits)) > 1, f"{name} canary never varies"
    token = _CANARIES["bearer_jwt"].search(" ".join(found["bearer_jwt"]))
    assert token is not None
    header = token.group(1).split(".")[0]
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"] == "RS256"


def test_healthy_traffic_has_no_credentials() -> None:
    fake = Fake(random.Random(11))
    for _ in range(1000):
        text = _text([healthy_event(fake)])
        assert not any(pattern.search(text) for pattern in _CANARIES.values()), text

"""The incident stage on multi-service streams, through the real digest and knowledge base: the
root cause comes first whatever its size, chronic noise last, links work across services."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from doctor.digest import build_digest, digest_lines, parse_lines
from doctor.digest.types import Level
from doctor.engines.rules import RulesEngine, knowledge
from doctor.incident import Role
from doctor.incident.story import notes
from doctor.models import Diagnosis
from doctor.taxonomy import Category as C
from tests.doctor_gcp.incident.streams import END, ONSET, START, Burst, stream

AFTER = ONSET + timedelta(seconds=5)
DNS = Burst(
    "api", "ERROR", "dial tcp: lookup payments.internal on 10.0.0.2:53: no such host", 6,
    ONSET, ONSET + timedelta(seconds=20),
)  # fmt: skip
TIMEOUTS = Burst(
    "web", "ERROR", "upstream request timeout after 30000ms calling api /v1/pay/{n}", 300, AFTER
)
UNAVAILABLE = Burst(
    "gateway", "ERROR",
    "upstream connect error or disconnect/reset before headers. reset reason: 503 Service "
    "Unavailable for /v1/pay", 500, AFTER,
)  # fmt: skip
CHRONIC_TLS = Burst(
    "gateway", "WARN",
    "TLS handshake failed with partner.example.com:443: certificate has expired", 400,
    START + timedelta(minutes=5),
)  # fmt: skip


def categories(diagnosis: Diagnosis) -> list[C]:
    return [issue.category for issue in diagnosis.issues]


def _diagnose(*bursts: Burst, compose: bool = True) -> tuple[Diagnosis, list[Role | None]]:
    engine = RulesEngine()
    digest = digest_lines(stream(bursts, compose=compose))
    incident = engine.incident(digest)
    diagnosis = engine.diagnosis(digest, incident)
    return diagnosis, [incident.role(issue.pattern_ids) for issue in diagnosis.issues]


@pytest.mark.parametrize("compose", [True, False], ids=["compose", "bare"])
def test_a_small_dns_failure_beats_its_floods_and_an_older_louder_tls_problem(
    compose: bool,
) -> None:
    diagnosis, roles = _diagnose(CHRONIC_TLS, DNS, TIMEOUTS, UNAVAILABLE, compose=compose)
    assert [i.category for i in diagnosis.issues] == [
        C.DNS_RESOLUTION,
        C.TIMEOUT,
        C.UPSTREAM_UNAVAILABLE,
        C.TLS_CERTIFICATE,
    ]
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM, Role.SYMPTOM, Role.CHRONIC]
    assert diagnosis.summary.startswith("Root cause at 17:49 UTC in api: DNS Name Not Found (6)")
    assert "Chronic, before the incident: " in diagnosis.summary


def test_a_rotated_redis_password_explains_pool_errors_in_another_service() -> None:
    redis = Burst(
        "cache", "ERROR",
        "redis.exceptions.AuthenticationError: WRONGPASS invalid username-password pair or "
        "user is disabled.", 4, ONSET, ONSET + timedelta(seconds=10),
    )  # fmt: skip
    pool = Burst(
        "worker", "ERROR",
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
        "connection timed out, timeout 30.00", 800, AFTER,
    )  # fmt: skip
    # a timeout that came and went before the incident is chronic, not the cause
    gone = Burst(
        "api", "ERROR", "Read timed out. (read timeout=5) calling https://geo.example.net/x",
        200, START + timedelta(minutes=2), START + timedelta(minutes=20),
    )  # fmt: skip
    diagnosis, roles = _diagnose(gone, redis, pool)
    assert [i.category for i in diagnosis.issues] == [
        C.AUTHENTICATION_FAILURE,
        C.DATABASE_CONNECTION,
        C.TIMEOUT,
    ]
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM, Role.CHRONIC]
    assert "→ symptoms in worker:" in diagnosis.summary


def test_rate_limiting_comes_before_the_timeouts_and_5xx_it_causes() -> None:
    limited = Burst(
        "billing", "WARN",
        "Stripe API returned 429 Too Many Requests: rate limit exceeded, retry after 2s", 12,
        ONSET, ONSET + timedelta(seconds=30),
    )  # fmt: skip
    chronic_auth = Burst("api", "ERROR", "401 Unauthorized: invalid token for user {n}", 100)
    diagnosis, roles = _diagnose(limited, TIMEOUTS, UNAVAILABLE, chronic_auth)
    assert diagnosis.issues[0].category is C.RATE_LIMITED
    assert roles[0] is Role.ROOT_CAUSE
    assert diagnosis.issues[-1].category is C.AUTHENTICATION_FAILURE
    assert roles[-1] is Role.CHRONIC


def test_a_go_panic_comes_before_the_crash_loop_it_causes() -> None:
    panic = Burst(
        "orders", "ERROR",
        "panic: runtime error: invalid memory address or nil pointer dereference", 3,
        ONSET, ONSET + timedelta(seconds=5),
    )  # fmt: skip
    backoff = Burst(
        "kubelet", "WARN",
        "Back-off restarting failed container orders in pod orders-7d9f8c6b5-x2k4q", 40, AFTER,
    )  # fmt: skip
    diagnosis, roles = _diagnose(panic, backoff, CHRONIC_TLS)
    categories = [i.category for i in diagnosis.issues]
    assert categories[0] is C.APPLICATION_EXCEPTION
    assert categories.index(C.CRASH_LOOP) < categories.index(C.TLS_CERTIFICATE)
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM, Role.CHRONIC]


# code that raises on what a breaker's fallback returned: 500s
RAISED = Burst(
    "api", "ERROR",
    "request errored status=500 TypeError: Cannot read properties of undefined (reading "
    "'amount')", 300, ONSET,
)  # fmt: skip


@pytest.mark.parametrize("lead_seconds", [5, 40, 100])
def test_a_dependency_that_refuses_comes_before_the_500s_its_callers_raise(
    lead_seconds: int,
) -> None:
    """A breaker's fallback returns nothing and the caller's code raises on it: the 500s are
    the refused dependency's doing however soon after it they begin (within the slack)."""
    refused = Burst(
        "api", "ERROR",
        "pricing quote failed: 14 UNAVAILABLE: No connection established. Last error: connect "
        "ECONNREFUSED 10.12.8.21:50051", 60, ONSET,
    )  # fmt: skip
    raised = replace(RAISED, start=ONSET + timedelta(seconds=lead_seconds))
    diagnosis, roles = _diagnose(raised, refused, CHRONIC_TLS)
    assert [i.category for i in diagnosis.issues][:2] == [
        C.UPSTREAM_UNAVAILABLE,
        C.APPLICATION_EXCEPTION,
    ]
    assert roles[:2] == [Role.ROOT_CAUSE, Role.SYMPTOM]


def test_code_that_raises_first_comes_before_the_dependency_errors_after_it() -> None:
    """The same two, the other way round: a release whose code raises, then its callers'
    502s. The earlier one is the cause."""
    diagnosis, roles = _diagnose(RAISED, UNAVAILABLE, CHRONIC_TLS)
    assert [i.category for i in diagnosis.issues][:2] == [
        C.APPLICATION_EXCEPTION,
        C.UPSTREAM_UNAVAILABLE,
    ]
    assert roles[:2] == [Role.ROOT_CAUSE, Role.SYMPTOM]


def test_refused_database_connections_come_before_the_exceptions_after_them() -> None:
    """The database refuses first and the code then raises on it, though louder."""
    refused = Burst(
        "orders", "ERROR",
        "could not connect to the database: dial tcp 10.70.2.18:26257: connect: connection "
        "refused", 20, ONSET,
    )  # fmt: skip
    raised = replace(RAISED, start=ONSET + timedelta(seconds=40))
    diagnosis, roles = _diagnose(raised, refused, CHRONIC_TLS)
    assert [i.category for i in diagnosis.issues][:2] == [
        C.DATABASE_CONNECTION,
        C.APPLICATION_EXCEPTION,
    ]
    assert roles[:2] == [Role.ROOT_CAUSE, Role.SYMPTOM]


def test_a_database_panic_about_a_full_disk_beats_the_recovery_mode_it_causes() -> None:
    panic = Burst(
        "db", "PANIC", 'could not write to file "pg_wal/xlogtemp.{n}": No space left on device',
        2, ONSET, ONSET + timedelta(seconds=3),
    )  # fmt: skip
    recovery = Burst("db", "FATAL", "the database system is in recovery mode", 400, AFTER)
    clients = Burst(
        "api", "ERROR",
        'psycopg2.OperationalError: connection to server at "db" (10.0.0.5), port 5432 failed: '
        "FATAL:  the database system is in recovery mode", 700, AFTER,
    )  # fmt: skip
    diagnosis, roles = _diagnose(panic, recovery, clients)
    assert [i.category for i in diagnosis.issues] == [C.DISK_FULL, C.DATABASE_CONNECTION]
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM]


def test_chronic_noise_louder_than_the_incident_that_began_24_minutes_earlier_is_chronic() -> None:
    loud = Burst(
        "search", "ERROR",
        "ConnectTimeoutError: Connection to search-legacy.internal timed out. (connect "
        "timeout=2)", 5000, ONSET - timedelta(minutes=24), END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(loud, DNS, TIMEOUTS, UNAVAILABLE)
    assert diagnosis.issues[0].category is C.DNS_RESOLUTION
    assert roles[0] is Role.ROOT_CAUSE
    assert roles[-1] is Role.CHRONIC
    assert diagnosis.issues[-1].category is C.TIMEOUT
    # the message keeps its exception's name, so the rule written for it names the issue
    assert "Chronic, before the incident: Outbound Request Timeouts (5,000)" in diagnosis.summary


def test_a_stream_without_an_incident_has_no_onset_and_no_chronic_roles() -> None:
    engine = RulesEngine()
    steady = Burst("api", "ERROR", "dial tcp: lookup db.internal on 10.0.0.2:53: no such host", 600)
    digest = digest_lines(stream([steady]))
    incident = engine.incident(digest)
    assert incident.onset is None
    assert {f.role for f in incident.facts.values()} == {Role.ROOT_CAUSE}


def test_a_baseline_window_tells_chronic_from_new_when_both_fill_the_window() -> None:
    # the incident began before the window opened: only the window before can tell that the
    # DNS errors were always there and the Redis password failure is new
    chronic = Burst(
        "api", "ERROR", "dial tcp: lookup geo.internal on 10.0.0.2:53: no such host", 300
    )
    redis = Burst(
        "cache", "ERROR",
        "redis.exceptions.AuthenticationError: WRONGPASS invalid username-password pair or "
        "user is disabled.", 30,
    )  # fmt: skip
    pool = Burst(
        "worker", "ERROR",
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
        "connection timed out, timeout 30.00", 900,
    )  # fmt: skip
    before = [
        line.replace("2026-03-16T17:", "2026-03-16T16:")  # the same hour, an hour earlier
        for line in stream([chronic])
    ]
    engine = RulesEngine()
    window = stream([chronic, redis, pool])
    alone = engine.incident(digest_lines(window))
    assert alone.onset is None  # everything was there from the first minute
    digest = build_digest(parse_lines(window), baseline=parse_lines(before), baseline_minutes=40)
    assert digest.baseline_minutes == 40
    assert {p.baseline for p in digest.patterns if p.level >= Level.ERROR} >= {0, 300}
    incident = engine.incident(digest)
    diagnosis = engine.diagnosis(digest, incident)
    assert [i.category for i in diagnosis.issues] == [
        C.AUTHENTICATION_FAILURE,
        C.DATABASE_CONNECTION,
        C.DNS_RESOLUTION,
    ]
    assert [incident.role(i.pattern_ids) for i in diagnosis.issues] == [
        Role.ROOT_CAUSE,
        Role.SYMPTOM,
        Role.CHRONIC,
    ]
    told = notes(incident, knowledge.links(), knowledge.lagging())  # what the model is told
    assert "Baseline: the 40 minutes before this window were read" in " ".join(told.header)
    dns = diagnosis.issues[2].pattern_ids[0]
    assert told.patterns[dns].startswith("role=chronic category_guess=dns_resolution chronic")
    assert "baseline_events=300" in told.patterns[dns]


def test_patterns_only_the_baseline_shows_are_not_in_the_digest() -> None:
    old = parse_lines(["2026-03-16T16:00:00Z ERROR disk quota exceeded on /data"])
    digest = build_digest(
        parse_lines(["2026-03-16T17:00:00Z ERROR connection refused"]),
        baseline=old,
        baseline_minutes=30,
    )
    assert [p.template for p in digest.patterns] == ["connection refused"]
    assert digest.assignments == ["p1"]


def test_a_cause_still_going_comes_before_a_louder_one_that_began_minutes_after_it() -> None:
    # deadlocks from 7 minutes before the flood, steady; then workers killed with SIGKILL
    # (which reads as out of memory and would explain more by the links), and the timeouts
    deadlocks = Burst(
        "db", "ERROR",
        "Deadlock found when trying to get lock; try restarting transaction (order {n})", 70,
        ONSET - timedelta(minutes=7), END,
    )  # fmt: skip
    killed = Burst(
        "web", "ERROR", "Worker (pid:{n}) was sent SIGKILL! Perhaps out of memory?", 20, ONSET
    )
    pool = Burst(
        "api", "ERROR",
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
        "connection timed out, timeout 30.00", 300, AFTER,
    )  # fmt: skip
    diagnosis, roles = _diagnose(deadlocks, killed, TIMEOUTS, UNAVAILABLE, pool)
    assert diagnosis.issues[0].category is C.DATABASE_ERROR
    assert roles[0] is Role.ROOT_CAUSE
    categories = [i.category for i in diagnosis.issues]
    assert categories.index(C.OUT_OF_MEMORY) > 0


def test_a_named_problem_that_stopped_before_the_incident_does_not_come_first() -> None:
    gone = Burst(
        "api", "WARN", "tax lookup for {n} timed out after 2.0s, using cached rate", 2,
        ONSET - timedelta(minutes=9, seconds=30), ONSET - timedelta(minutes=8),
    )  # fmt: skip
    deadlocks = Burst(
        "db", "ERROR",
        "Deadlock found when trying to get lock; try restarting transaction (order {n})", 40,
        ONSET - timedelta(minutes=3), END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(gone, deadlocks, TIMEOUTS, UNAVAILABLE)
    assert diagnosis.issues[0].category is C.DATABASE_ERROR
    assert roles[0] is Role.ROOT_CAUSE


def test_an_exception_that_stopped_before_the_incident_yields_to_a_cause_still_going() -> None:
    # one panic in a reports worker 4.5 minutes before a bad setting stops the ledger from
    # starting: both would explain the 503s, but the panic was over when they began
    blip = Burst(
        "reports", "ERROR", "panic: runtime error: index out of range [{n}] with length 3", 1,
        ONSET - timedelta(minutes=4, seconds=30), ONSET - timedelta(minutes=4),
    )  # fmt: skip
    config = Burst(
        "ledger", "ERROR",
        "invalid configuration: LEDGER_DB_SSLMODE: invalid value (attempt {n})", 9, ONSET, END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(blip, config, UNAVAILABLE)
    found = dict(zip(categories(diagnosis), roles, strict=True))
    assert categories(diagnosis)[0] is C.CONFIGURATION_ERROR
    assert found == {
        C.CONFIGURATION_ERROR: Role.ROOT_CAUSE,
        C.UPSTREAM_UNAVAILABLE: Role.SYMPTOM,
        C.APPLICATION_EXCEPTION: Role.CHRONIC,  # over before the incident began
    }
    # the same panic under a minute before the config error is part of the incident, not a
    # blip before it
    just_before = replace(
        blip, start=ONSET - timedelta(seconds=50), end=ONSET - timedelta(seconds=40)
    )
    diagnosis, roles = _diagnose(just_before, config, UNAVAILABLE)
    found = dict(zip(categories(diagnosis), roles, strict=True))
    assert found[C.APPLICATION_EXCEPTION] is not Role.CHRONIC
    # the same panic still going when the incident begins stays the cause it was
    going = replace(blip, count=30, end=END)
    diagnosis, roles = _diagnose(going, config, UNAVAILABLE)
    assert categories(diagnosis)[0] is C.APPLICATION_EXCEPTION
    assert roles[0] is Role.ROOT_CAUSE


def test_an_empty_secret_setting_comes_before_the_signatures_it_fails_and_their_403s() -> None:
    empty = Burst(
        "web", "WARN",
        "STRIPE_WEBHOOK_SECRET is empty; webhook signature verification will reject every event",
        3, ONSET - timedelta(minutes=1, seconds=20), ONSET - timedelta(minutes=1),
    )  # fmt: skip
    rejected = Burst(
        "webhooks", "ERROR",
        "stripe signature verification failed: No signatures found matching the expected "
        "signature for payload (delivery {n})", 90, ONSET, END,
    )  # fmt: skip
    forbidden = Burst(
        "api", "WARN", "tenant t_{n} suspended: access denied, 403 Forbidden", 40,
        ONSET + timedelta(minutes=5), END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(empty, rejected, forbidden)
    assert categories(diagnosis) == [
        C.CONFIGURATION_ERROR,
        C.AUTHENTICATION_FAILURE,
        C.PERMISSION_DENIED,
    ]
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM, Role.SYMPTOM]


def test_a_trickle_of_symptoms_from_minutes_before_the_cause_stays_chronic() -> None:
    early = Burst(
        "billing", "WARN", "payment provider returned 502 Bad Gateway for charge {n}, retrying",
        40, ONSET - timedelta(minutes=8), END,
    )  # fmt: skip
    engine = RulesEngine()
    incident = engine.incident(digest_lines(stream([early, DNS, TIMEOUTS, UNAVAILABLE])))
    roles = {incident.facts[pid].category: incident.facts[pid].role for pid in incident.order}
    assert incident.facts[incident.order[0]].category is C.DNS_RESOLUTION
    assert roles[C.DNS_RESOLUTION] is Role.ROOT_CAUSE
    trickle = next(f for f in incident.facts.values() if f.services == ("billing",))
    assert trickle.role is Role.CHRONIC
    assert incident.onset is not None
    assert incident.onset >= ONSET - timedelta(seconds=30)


def test_requests_the_server_refused_are_no_cause_of_an_outage_after_them() -> None:
    # a scanner's 401s in the edge's access log, from nine minutes before the onset on: the
    # server turned clients away, which sets off nothing; the DNS failure is the cause
    refused = Burst(
        "edge", "INFO",
        '10.0.0.{n} - - "GET /api/v2/admin/users HTTP/1.1" 401 23 "-" "python-requests/2.32"',
        5, ONSET - timedelta(minutes=9), END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(refused, DNS, TIMEOUTS, UNAVAILABLE)
    assert diagnosis.issues[0].category is C.DNS_RESOLUTION
    assert roles[0] is Role.ROOT_CAUSE
    auth = categories(diagnosis).index(C.AUTHENTICATION_FAILURE)
    assert roles[auth] is not Role.ROOT_CAUSE


def test_deadlocks_come_before_the_worker_limit_their_lock_waits_reach() -> None:
    deadlocks = Burst(
        "db", "ERROR",
        "Deadlock found when trying to get lock; try restarting transaction (order {n})", 6,
        ONSET, END,
    )  # fmt: skip
    limit = Burst(
        "php-fpm", "WARNING",
        "[pool www] server reached pm.max_children setting (40), consider raising it", 60,
        ONSET + timedelta(seconds=90),
    )  # fmt: skip
    # (by the links, the worker limit explains more of the incident than the deadlocks do)
    pool = Burst(
        "api", "ERROR",
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
        "connection timed out, timeout 30.00", 300, ONSET + timedelta(seconds=100),
    )  # fmt: skip
    diagnosis, roles = _diagnose(deadlocks, limit, TIMEOUTS, UNAVAILABLE, pool)
    assert diagnosis.issues[0].category is C.DATABASE_ERROR
    assert roles[0] is Role.ROOT_CAUSE
    exhausted = categories(diagnosis).index(C.RESOURCE_EXHAUSTION)
    assert roles[exhausted] is Role.SYMPTOM


def test_a_sidecars_line_of_its_apps_own_call_refused_stays_a_cause() -> None:
    # Istio's access line of the app's outbound call: the 401 is the app's rotated credential
    outbound = Burst(
        "istio-proxy", "INFO",
        '[2026-03-16T17:49:10.000Z] "POST /oauth/token HTTP/1.1" 401 - via_upstream - "-" 0 '
        '23 4 3 "-" "okhttp/4.12" "{n}" "auth.internal:8080" "10.0.3.7:8080" '
        "outbound|8080||auth.internal.svc.cluster.local",
        6, ONSET, END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(outbound, TIMEOUTS, UNAVAILABLE)
    assert diagnosis.issues[0].category is C.AUTHENTICATION_FAILURE
    assert roles[0] is Role.ROOT_CAUSE


def _burst_before_a_flood(message: str) -> tuple[Diagnosis, list[Role | None]]:
    """A few warnings a minute in another service, over a minute before a flood of refused
    database connections begins."""
    burst = Burst(
        "backup", "WARN", message, 7, ONSET - timedelta(minutes=7), ONSET - timedelta(seconds=70)
    )
    refused = Burst(
        "api", "ERROR", "could not connect to server: Connection refused (orders-db:5432) {n}",
        300, ONSET, END,
    )  # fmt: skip
    return _diagnose(burst, refused)


def test_a_burst_that_stopped_just_before_the_flood_is_its_cause_where_it_explains_it() -> None:
    diagnosis, roles = _burst_before_a_flood(
        'FATAL: password authentication failed for user "orders" {n}'
    )
    assert categories(diagnosis)[:2] == [C.AUTHENTICATION_FAILURE, C.DATABASE_CONNECTION]
    assert roles[:2] == [Role.ROOT_CAUSE, Role.SYMPTOM]


def test_a_burst_that_stopped_just_before_an_unrelated_flood_stays_noise() -> None:
    diagnosis, roles = _burst_before_a_flood(
        "S3 upload throttled: SlowDown, reduce your request rate {n}"
    )
    assert categories(diagnosis) == [C.DATABASE_CONNECTION, C.RATE_LIMITED]
    assert roles == [Role.ROOT_CAUSE, Role.CHRONIC]


def test_a_burst_that_stopped_before_the_flood_yields_to_a_cause_still_going() -> None:
    """A red herring: webhook signatures fail for six minutes and stop a minute before the
    OOM kills whose 502s they could explain too; the cause is what is still going."""
    herring = Burst(
        "checkout", "ERROR", "HMAC validation failed for notification {n}, rejecting", 40,
        ONSET - timedelta(minutes=7), ONSET - timedelta(seconds=70),
    )  # fmt: skip
    killed = Burst(
        "kernel", "ERROR", "Out of memory: Killed process {n} (java) total-vm:4194304kB", 8,
        ONSET, END,
    )  # fmt: skip
    bad_gateway = Burst(
        "gateway", "ERROR", "upstream returned 502 Bad Gateway for /api/orders/{n}", 300,
        ONSET + timedelta(seconds=20),
    )  # fmt: skip
    diagnosis, roles = _diagnose(herring, killed, bad_gateway)
    assert categories(diagnosis) == [
        C.OUT_OF_MEMORY,
        C.UPSTREAM_UNAVAILABLE,
        C.AUTHENTICATION_FAILURE,
    ]
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM, Role.CHRONIC]


# S3 throttling in an export job for a minute, over five minutes before the incident (too
# short to be steady, chronic noise, by its timeline)
THROTTLED = Burst(
    "exports", "WARN", "PutObject exports/{n}.xlsx throttled (503 SlowDown), retry 3/3", 12,
    ONSET - timedelta(minutes=6, seconds=10), ONSET - timedelta(minutes=5),
)  # fmt: skip
BAD_GATEWAY = Burst(
    "gateway", "ERROR", "upstream returned 502 Bad Gateway for /api/orders/{n}", 300,
    ONSET + timedelta(seconds=20),
)  # fmt: skip


def test_a_burst_over_minutes_before_the_flood_yields_to_a_cause_still_going() -> None:
    """The red herring stopped five minutes before the OOM kills whose 502s it could explain
    too: not a handoff (that is the minute or two before), yet what set them off is still going."""
    killed = Burst(
        "kernel", "ERROR", "Out of memory: Killed process {n} (java) total-vm:4194304kB", 8,
        ONSET, END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(THROTTLED, killed, BAD_GATEWAY)
    assert categories(diagnosis) == [C.OUT_OF_MEMORY, C.UPSTREAM_UNAVAILABLE, C.RATE_LIMITED]
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM, Role.CHRONIC]
    # with nothing still going to explain the 502s, the throttling stays their cause
    diagnosis, roles = _diagnose(THROTTLED, BAD_GATEWAY)
    assert categories(diagnosis) == [C.RATE_LIMITED, C.UPSTREAM_UNAVAILABLE]
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM]


def test_a_crash_loop_comes_before_the_500s_of_callers_missing_its_work() -> None:
    """A worker segfaults on each job and restarts; the API's 500s for the thumbnails it never
    wrote begin a minute and a half later, in another service."""
    segfault = Burst(
        "kernel", "ERROR",
        "node[{n}]: segfault at 18 ip 00007fa1b76643cd sp 00007fa0407acb9f error 4 in "
        "libheif.so.1.17.6[7fa1b7660000+8e000]", 20, ONSET, END,
    )  # fmt: skip
    missing = Burst(
        "gallery", "ERROR",
        "Internal Server Error: /api/v1/albums/{n}/ botocore.exceptions.ClientError: An error "
        "occurred (404) when calling the HeadObject operation: Not Found", 120,
        ONSET + timedelta(seconds=90),
    )  # fmt: skip
    diagnosis, roles = _diagnose(segfault, missing)
    assert categories(diagnosis) == [C.CRASH_LOOP, C.APPLICATION_EXCEPTION]
    assert roles == [Role.ROOT_CAUSE, Role.SYMPTOM]
    # the model is told the link as the incident stage reads it: not for exceptions begun with
    # the crashes (those are their cause)
    incident = RulesEngine().incident(digest_lines(stream([segfault, missing])))
    header = " ".join(notes(incident, knowledge.links(), knowledge.lagging()).header)
    assert "crash_loop -> application_exception (only once it has gone on a while)" in header


def test_a_burst_before_the_flood_set_off_by_the_cause_still_going_stays_its_symptom() -> None:
    """The disk fills eight minutes before the onset and stays full; the database refuses
    connections until a minute before it: the cause still going explains the burst too."""
    full = Burst(
        "db", "ERROR", "could not extend file base/16384/2619: No space left on device {n}", 40,
        ONSET - timedelta(minutes=8), END,
    )  # fmt: skip
    refused = Burst(
        "api", "ERROR", "could not connect to server: Connection refused (orders-db:5432) {n}",
        30, ONSET - timedelta(minutes=6), ONSET - timedelta(seconds=70),
    )  # fmt: skip
    bad_gateway = Burst(
        "gateway", "ERROR", "upstream returned 502 Bad Gateway for /api/orders/{n}", 300,
        ONSET + timedelta(seconds=20),
    )  # fmt: skip
    diagnosis, roles = _diagnose(full, refused, bad_gateway, TIMEOUTS)
    assert categories(diagnosis)[0] is C.DISK_FULL
    assert roles[categories(diagnosis).index(C.DATABASE_CONNECTION)] is Role.SYMPTOM


def test_a_hang_that_fills_a_thread_pool_a_minute_later_is_the_cause() -> None:
    """A vendor stops answering: calls time out, and a minute later the server's thread pool
    is full of requests waiting on it."""
    hang = Burst(
        "scorer", "WARN", "vendor call failed: SocketTimeoutException: Read timed out {n}", 60,
        ONSET, END,
    )  # fmt: skip
    pool = Burst(
        "scorer", "ERROR", "RejectedExecutionException: rejected from QueuedThreadPool {n}", 200,
        ONSET + timedelta(seconds=55), END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(hang, pool)
    assert diagnosis.issues[0].category is C.TIMEOUT
    assert roles[0] is Role.ROOT_CAUSE


def test_a_resource_limit_hit_seconds_after_the_first_timeouts_still_explains_them() -> None:
    fds = Burst(
        "api", "ERROR", "accept4() failed (24: Too many open files) while accepting {n}", 40,
        ONSET + timedelta(seconds=3), END,
    )  # fmt: skip
    early = Burst("web", "ERROR", "upstream request timeout after 30000ms calling api", 300, ONSET)
    diagnosis, roles = _diagnose(early, fds)
    assert diagnosis.issues[0].category is C.RESOURCE_EXHAUSTION
    assert roles[0] is Role.ROOT_CAUSE


# Each explains the next, round to the first: refused connections raise, the exceptions kill
# the process, its restarts refuse connections
CYCLE = (
    Burst(
        "api", "ERROR", "could not connect to server: Connection refused (orders-db:5432) {n}",
        60, ONSET, END,
    ),
    Burst(
        "api", "ERROR",
        "panic: runtime error: invalid memory address or nil pointer dereference {n}", 40,
        ONSET + timedelta(seconds=4), END,
    ),
    Burst(
        "kubelet", "WARN",
        "Back-off restarting failed container api in pod api-7d9f8c6b5-x2k4q {n}", 40,
        ONSET + timedelta(seconds=9), END,
    ),
)  # fmt: skip


def test_a_cycle_of_named_causes_is_begun_by_its_earliest_not_by_an_unrecognised_warning() -> None:
    """Each named pattern explains the next, round to the first (refused connections raise,
    the exceptions kill the process, its restarts refuse connections): no named one is a root,
    but a warning nobody recognises, begun after all of them, is no cause of the incident."""
    odd = Burst(
        "reconciler", "WARN", "reconcile of shard {n} lagging behind the watermark", 30,
        ONSET + timedelta(seconds=40), END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(*CYCLE, odd)
    assert diagnosis.issues[0].category is C.DATABASE_CONNECTION
    assert roles[0] is Role.ROOT_CAUSE
    assert roles[1:] == [Role.SYMPTOM, Role.SYMPTOM]
    assert diagnosis.summary.startswith("Root cause at 17:49 UTC in api: Database Unreachable")


def test_a_cycle_is_begun_by_one_on_it_not_by_an_earlier_pattern_it_explains() -> None:
    """The same cycle, and timeouts that began a minute before it: the refused connections
    explain those timeouts (within the slack), so they are not on the cycle and begin nothing."""
    timeouts = Burst(
        "checkout", "ERROR", "context deadline exceeded calling orders-db query {n}", 30,
        ONSET - timedelta(seconds=70), END,
    )  # fmt: skip
    diagnosis, roles = _diagnose(timeouts, *CYCLE)
    assert diagnosis.issues[0].category is C.DATABASE_CONNECTION
    assert roles[0] is Role.ROOT_CAUSE
    assert Role.ROOT_CAUSE not in roles[1:]


def test_a_named_blip_over_before_the_incident_neither_leads_it_nor_joins_its_causes() -> None:
    """One throttled read eight minutes before a disk fills (a red herring's lone line, a
    cause by its kind) explains nothing that follows: the full disk leads, and the blip is
    noise, not a second root cause."""
    blip = Burst(
        "driver", "WARN", "GetObject failed: SlowDown: Please reduce your request rate. {n}", 1,
        ONSET - timedelta(minutes=8), ONSET - timedelta(minutes=8, seconds=-1),
    )  # fmt: skip
    disk = Burst(
        "nodemanager", "ERROR", "write /mnt/yarn/usercache/{n}: No space left on device", 4,
        ONSET, ONSET + timedelta(seconds=30),
    )  # fmt: skip
    failed = Burst(
        "driver", "ERROR",
        "Lost task {n} in stage 7: ExecutorLostFailure (executor exited caused by one of the "
        "running tasks)", 200, AFTER,
    )  # fmt: skip
    diagnosis, roles = _diagnose(blip, disk, failed)
    assert diagnosis.issues[0].category is C.DISK_FULL
    assert roles[0] is Role.ROOT_CAUSE
    throttled = categories(diagnosis).index(C.RATE_LIMITED)
    assert roles[throttled] is Role.CHRONIC


def test_a_warning_that_handed_on_to_the_incident_a_minute_before_still_leads_it() -> None:
    """The first watermark warning, one line a minute before the disk is full: over before the
    incident began, and explaining none of it, but it handed on to it; not a blip."""
    warned = Burst(
        "es-master", "WARN", "high disk watermark [90%] exceeded on es-data-{n}", 1,
        ONSET - timedelta(seconds=70), ONSET - timedelta(seconds=69),
    )  # fmt: skip
    full = Burst(
        "es-master", "WARN", "flood stage disk watermark [95%] exceeded on es-data-{n}", 30,
        ONSET, END,
    )  # fmt: skip
    rejected = Burst(
        "fluent-bit", "ERROR",
        "failed to flush chunk '{n}-1759375200.flb', retry in 8 seconds: task_id=3, "
        "input=tail.0 > output=es.0", 300, AFTER,
    )  # fmt: skip
    diagnosis, roles = _diagnose(warned, full, rejected)
    assert roles[0] is Role.ROOT_CAUSE
    assert diagnosis.summary.startswith("Root cause at 17:48 UTC in es-master")


def test_a_database_down_for_minutes_before_the_timeouts_it_left_still_leads() -> None:
    """Connections refused for four minutes in two services, then, after a quiet spell, a
    flood of request timeouts: a later episode, but of a less causal kind than the one before
    it, so not the incident on its own."""
    refused = [
        Burst(
            service, "ERROR",
            "could not connect to server: Connection refused (orders-db:5432) {n}", 400,
            ONSET - timedelta(minutes=8), ONSET - timedelta(minutes=4),
        )
        for service in ("api", "worker")
    ]  # fmt: skip
    slow = [
        Burst(
            service, "ERROR", "upstream request timeout after 30000ms calling orders {n}", 900,
            ONSET - timedelta(seconds=30), END,
        )
        for service in ("api", "worker")
    ]  # fmt: skip
    diagnosis, roles = _diagnose(*refused, *slow)
    assert diagnosis.issues[0].category is C.DATABASE_CONNECTION
    assert roles[0] is Role.ROOT_CAUSE

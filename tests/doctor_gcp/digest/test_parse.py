"""Parsing: JSON and text lines become one redacted event per logical event, in order."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from doctor.digest import Level, LogEvent, Redactor, build_digest, parse_lines, parse_records
from doctor.digest.kernel import without_printk_time
from doctor.digest.parse import LogParser
from doctor.digest.sections import SAMPLE_LINES


def parse(text: str) -> list[LogEvent]:
    return list(parse_lines(text.splitlines(keepends=True)))


PY_TRACEBACK = """\
2026-11-22 23:58:23,123 ERROR [orders.api] Exception on /orders [POST]
Traceback (most recent call last):
  File "/usr/local/lib/python3.10/site-packages/flask/app.py", line 1484, in full_dispatch_request
    rv = self.dispatch_request()
  File "/app/orders/api.py", line 88, in create_order
    order = repo.create(session, payload)
psycopg2.OperationalError: connection to server at "db" (10.0.0.5), port 5432 failed: refused
\tIs the server running on that host and accepting TCP/IP connections?

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/app/orders/api.py", line 90, in create_order
    raise ServiceUnavailable()
orders.errors.ServiceUnavailable: database unavailable
2026-11-22 23:58:24,001 INFO [orders.api] GET /health 200
"""

JAVA_STACK = """\
2026-11-22 23:58:24.500 ERROR 1 --- [nio-8080-exec-3] o.a.c.c.C.[.[.[/].[dispatcherServlet] : \
Servlet.service() for servlet [dispatcherServlet] threw exception
org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convert(HibernateJpaDialect.java:277)
\tat com.example.orders.OrderService.place(OrderService.java:42)
Caused by: java.net.ConnectException: Connection refused
\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)
\t... 12 more
2026-11-22 23:58:25.000  INFO 1 --- [main] c.e.orders.Application : still alive
"""

GO_PANIC = """\
2026/11/22 23:58:25 serving request id=42
panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b3c]

goroutine 17 [running]:
main.(*Server).handle(0xc000120000, {0x7c1e40, 0xc00011c000})
\t/app/server.go:88 +0x1d
net/http.HandlerFunc.ServeHTTP(0xc000014120, {0x7c1e40, 0xc00011c000}, 0xc000132000)
\t/usr/local/go/src/net/http/server.go:2136 +0x29
created by net/http.(*Server).Serve in goroutine 1
\t/usr/local/go/src/net/http/server.go:3086 +0x4db

goroutine 1 [IO wait]:
internal/poll.runtime_pollWait(0x7f0e2c5e8f08, 0x72)
\t/usr/local/go/src/runtime/netpoll.go:343 +0x85
exit status 2
2026/11/22 23:58:26 starting server on :8080
"""

NGINX = (
    "2026/11/22 23:58:26 [error] 31#31: *1207 connect() failed (111: Connection refused) while "
    'connecting to upstream, client: 10.0.1.7, server: _, request: "GET /api HTTP/1.1", '
    'upstream: "http://10.0.2.9:8080/api"\n'
)

POSTGRES = (
    "2026-11-22 23:58:27.123 UTC [4711] FATAL:  remaining connection slots are reserved for "
    "non-replication superuser connections\n"
    "2026-11-22 23:58:27.124 UTC [4711] DETAIL:  max_connections is 100\n"
)


def test_python_traceback_with_chained_exception_is_one_event() -> None:
    events = parse(PY_TRACEBACK)
    assert len(events) == 2
    first = events[0]
    assert first.level == Level.ERROR
    assert first.timestamp == datetime(2026, 11, 22, 23, 58, 23, 123000, tzinfo=UTC)
    assert first.message.startswith("Exception on /orders [POST]\nTraceback")
    assert first.service == "orders.api"  # the head's fields are fields, not message
    assert "psycopg2.OperationalError" in first.message
    assert first.message.endswith("orders.errors.ServiceUnavailable: database unavailable")
    assert "\n\nDuring handling" in first.message  # blank lines inside the block are kept
    assert events[1].message == "GET /health 200"


def test_java_stack_with_caused_by_and_more_is_one_event() -> None:
    events = parse(JAVA_STACK)
    assert len(events) == 2
    assert events[0].level == Level.ERROR
    lines = events[0].message.split("\n")
    assert lines[1].startswith("org.springframework.dao.DataAccessResourceFailureException")
    assert "Caused by: java.net.ConnectException: Connection refused" in lines
    assert lines[-1] == "\t... 12 more"
    assert events[1].level == Level.INFO


def test_go_panic_with_goroutine_dump_is_one_event() -> None:
    # The crash, written to stderr without a time, is an event of its own (its headline is the
    # panic), and is placed when the stream last said.
    events = parse(GO_PANIC)
    assert [e.message.split("\n")[0] for e in events] == [
        "serving request id=42",
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "starting server on :8080",
    ]
    crash = events[1]
    assert crash.level >= Level.ERROR
    assert "goroutine 1 [IO wait]:" in crash.message
    assert crash.message.endswith("exit status 2")
    assert crash.timestamp == datetime(2026, 11, 22, 23, 58, 25, tzinfo=UTC)


def test_bare_go_panic_starts_its_own_event() -> None:
    # Without timestamps (a container's stderr) the panic line is the crash's headline.
    text = "serving request id=42\n" + GO_PANIC.split("\n", 1)[1].rsplit("2026/", 1)[0]
    events = parse(text)
    assert [e.message.split("\n")[0] for e in events] == [
        "serving request id=42",
        "panic: runtime error: invalid memory address or nil pointer dereference",
    ]
    assert events[1].level == Level.CRITICAL
    assert events[1].message.endswith("exit status 2")


def test_an_errors_lines_join_the_record_before_when_its_stack_follows() -> None:
    text = (
        "2026-11-22T23:58:23.000Z error orders-api: request failed\n"
        "MaxRetriesPerRequestError: Reached the max retries per request limit (which is 20).\n"
        "    at Socket.<anonymous> (/app/node_modules/ioredis/built/redis/handler.js:182:37)\n"
        "2026-11-22T23:58:24.000Z ERROR [app.db] query failed\n"
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection refused\n"
        "[SQL: SELECT * FROM orders WHERE id = %(id)s]\n"
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)\n"
        "2026-11-22T23:58:25.000Z INFO [web] ok\n"
    )
    events = parse(text)
    assert [e.message.count("\n") for e in events] == [2, 3, 0]
    assert [e.level for e in events] == [Level.ERROR, Level.ERROR, Level.INFO]


def test_go_http_panic_with_dump_joins_its_log_line() -> None:
    text = (
        "2026/11/22 23:58:25 http: panic serving 10.0.0.1:43210: runtime error: index out of range"
        "\n"
        "goroutine 42 [running]:\n"
        "net/http.(*conn).serve.func1()\n"
        "\t/usr/local/go/src/net/http/server.go:1854 +0x8d\n"
    )
    (event,) = parse(text)
    assert event.level >= Level.ERROR
    assert event.message.endswith("server.go:1854 +0x8d")


def test_nginx_error_line() -> None:
    (event,) = parse(NGINX)
    assert event.level == Level.ERROR
    assert event.timestamp == datetime(2026, 11, 22, 23, 58, 26, tzinfo=UTC)
    assert event.message.startswith("*1207 connect() failed")


def test_untimestamped_records_of_another_kind_are_not_joined() -> None:
    text = (
        "2026/11/22 23:58:26 [error] 31#31: *1 connect() failed\n"
        '10.0.1.7 - - [22/Nov/2026:23:58:26 +0000] "GET /api HTTP/1.1" 502 157\n'
        "ERROR worker crashed\n"
        "level=warn msg=slow\n"
    )
    assert len(parse(text)) == 4


def test_postgres_fatal_line() -> None:
    # Each PostgreSQL line carries its own prefix: the DETAIL is a record of its own.
    fatal, detail = parse(POSTGRES)
    assert fatal.level == Level.CRITICAL
    assert fatal.timestamp == datetime(2026, 11, 22, 23, 58, 27, 123000, tzinfo=UTC)
    assert fatal.message == (
        "remaining connection slots are reserved for non-replication superuser connections"
    )
    assert detail.message == "max_connections is 100"
    assert detail.level == Level.INFO


@pytest.mark.parametrize(
    ("line", "level", "stamp"),
    [
        (
            "Nov 22 23:58:28 ip-10-0-1-23 kernel: Out of memory: Killed process 4242 (java)",
            Level.ERROR,
            datetime(datetime.now(UTC).year, 11, 22, 23, 58, 28, tzinfo=UTC),
        ),
        (
            "E1122 23:58:29.123456       1 reflector.go:138] failed to list *v1.Pod",
            Level.ERROR,
            datetime(datetime.now(UTC).year, 11, 22, 23, 58, 29, 123456, tzinfo=UTC),
        ),
        (
            "2026-11-22T23:58:30.000Z warn api: slow upstream",
            Level.WARNING,
            datetime(2026, 11, 22, 23, 58, 30, tzinfo=UTC),
        ),
        (
            "2026-11-22T23:58:30+01:00 level=error msg=boom",
            Level.ERROR,
            datetime(2026, 11, 22, 22, 58, 30, tzinfo=UTC),
        ),
        ("[2026-11-22 23:58:31,5] CRITICAL disk", Level.CRITICAL, None),
        (  # Celery's default head: the level, then the process, inside the time's bracket
            "[2026-11-22 23:58:32,123: WARNING/MainProcess] mailer responded 429",
            Level.WARNING,
            datetime(2026, 11, 22, 23, 58, 32, 123000, tzinfo=UTC),
        ),
        ("plain words", Level.INFO, None),
        ("something Exception happened", Level.ERROR, None),
    ],
)
def test_text_headers(line: str, level: Level, stamp: datetime | None) -> None:
    (event,) = parse(line)
    assert event.level == level
    if stamp is not None:
        assert event.timestamp == stamp


# One line with a level word, the next of the same head without one, in the shapes sources
# print: the second is an event of its own, at the level its own text gives (INFO).
LEVEL_THEN_NONE = [
    ("2026-01-01T00:00:00Z WARN foo", "2026-01-01T00:00:01Z something happened"),
    (
        "Jan  1 00:00:00 ip-10-0-1-5 app[42]: WARNING disk slow",
        "Jan  1 00:00:01 ip-10-0-1-5 app[42]: something happened",
    ),
    (
        "Jan  1 00:00:00 ip-10-0-1-5 app[42]: <warn> disk slow",
        "Jan  1 00:00:01 ip-10-0-1-5 app[42]: something happened",
    ),
    ("[2026-01-01 00:00:00] [error] cache down", "[2026-01-01 00:00:01] something happened"),
    (
        "2026-01-01 00:00:00,000 - app - WARNING - retrying",
        "2026-01-01 00:00:01,000 - app - something happened",
    ),
    (
        "2026/01/01 00:00:00 [warn] 7#7: *1 upstream response is buffered",
        "2026/01/01 00:00:01 7#7: *2 something happened",
    ),
    ('time="2026-01-01T00:00:00Z" level=warning msg=slow', 'time="2026-01-01T00:00:01Z" msg=ok'),
]


@pytest.mark.parametrize("repeat", [1, 12])
@pytest.mark.parametrize(("leveled", "plain"), LEVEL_THEN_NONE)
def test_a_line_without_a_level_word_takes_no_level_from_the_line_before(
    leveled: str, plain: str, repeat: int
) -> None:
    # once (each line read alone) and repeated (the source's head learned from its lines)
    events = parse("\n".join([leveled, plain] * repeat))
    assert len(events) == 2 * repeat
    assert all(e.level >= Level.WARNING for e in events[::2])
    assert [e.level for e in events[1::2]] == [Level.INFO] * repeat


def test_a_record_of_another_format_after_a_traceback_keeps_its_own_level() -> None:
    # A Python exception's message may run over lines, so the headless lines after it are
    # its own; a logfmt record of another service with its own time and level is not.
    head = [f"2026-01-01T00:00:0{i}.000Z INFO  [api] app.web: request ok" for i in range(8)]
    text = "\n".join(
        [
            *head,
            "2026-01-01T00:00:09.000Z ERROR [api] app.settings: parameter refresh failed",
            "Traceback (most recent call last):",
            '  File "/app/app/settings.py", line 58, in refresh',
            "botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the "
            "GetParametersByPath operation: The security token included in the request is expired",
            "time=2026-01-01T00:00:10.000Z level=INFO service=auth msg=request status=200",
            "ts=2026-01-01T00:00:10.500Z caller=main.go:42 msg=served",
        ]
    )
    *_, error, record, go_kit = parse(text)
    assert error.level == Level.ERROR
    assert error.line_count == 4  # the headline and its traceback
    assert record.level == Level.INFO
    # Read on its own, as logfmt: its time and level are fields, the rest is the message.
    assert record.message == "service=auth msg=request status=200"
    assert record.timestamp == datetime(2026, 1, 1, 0, 0, 10, tzinfo=UTC)
    assert go_kit.level == Level.INFO
    assert go_kit.message == "caller=main.go:42 msg=served"
    assert go_kit.timestamp == datetime(2026, 1, 1, 0, 0, 10, 500000, tzinfo=UTC)


@pytest.mark.parametrize("shape", ["{t} {m}", "[{t}] {m}"])
def test_names_learned_from_other_lines_do_not_take_a_level_word(shape: str) -> None:
    # "healthcheck ok" repeated: its two words never change where a host would stand, so the
    # source's head learns two host columns from them; they must not read "WARN queue" as
    # two names and lose the warning.
    messages = ["healthcheck ok", "healthcheck ok", "INFO served in 12 ms", "WARN queue depth 31"]
    lines = [shape.format(t=f"2026-01-01 00:00:{i % 60:02d}", m=messages[i % 4]) for i in range(40)]
    levels = [e.level for e in parse("\n".join(lines))]
    assert levels == [Level.INFO, Level.INFO, Level.INFO, Level.WARNING] * 10


def test_a_one_letter_word_after_a_time_is_no_level() -> None:
    # "A" is CRITICAL in logcat's letters, but here a sentence starts with it
    plain, letter = parse(
        "2026-01-01 00:00:00 A new client connected from 10.0.0.7\n"
        "01-01 00:00:01.000  1234  5678 W ActivityManager: Slow operation\n"
    )
    assert plain.level == Level.INFO
    assert plain.message.startswith("A new client")
    assert letter.level == Level.WARNING


def test_the_lines_of_a_multi_line_event_keep_its_level() -> None:
    text = (
        "2026-01-01T00:00:00Z WARN retrying after a failure\n"
        "Traceback (most recent call last):\n"
        '  File "/app/jobs.py", line 3, in run\n'
        "ValueError: bad input\n"
        "2026-01-01T00:00:01Z something happened\n"
    )
    warning, plain = parse(text)
    assert warning.level == Level.WARNING
    assert warning.line_count == 4
    assert plain.level == Level.INFO


def test_unknown_level_with_a_traceback_is_an_error() -> None:
    text = (
        'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: bad\n'
    )
    (event,) = parse(text)
    assert event.level == Level.ERROR
    assert event.timestamp is None


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ("2026-11-26T10:34:39.902Z 0470c94a Task timed out after 3.00 seconds", Level.ERROR),
        ("dial tcp 10.0.1.5:5432: connect: connection refused", Level.ERROR),
        ("open /data/cache: permission denied", Level.ERROR),
        ("S3 GetObject: Access Denied", Level.ERROR),
        # the same words inside others, or no failure at all
        ("2026-11-26T10:34:39Z set the timeout to 30s", Level.INFO),
        ("timedout=0 refusedConnections=0 denied_total=0", Level.INFO),
    ],
)
def test_a_line_without_a_level_that_says_it_failed_is_an_error(message: str, level: Level) -> None:
    (event,) = parse(message)
    assert event.level == level


@pytest.mark.parametrize(
    ("record", "level"),
    [
        ({"level": "WARN"}, Level.WARNING),
        ({"severity": "FATAL"}, Level.CRITICAL),
        ({"severity": "PANIC"}, Level.CRITICAL),
        ({"severity": "EMERGENCY"}, Level.CRITICAL),
        ({"levelname": "CRIT"}, Level.CRITICAL),
        ({"lvl": "err"}, Level.ERROR),
        ({"level": 50}, Level.ERROR),
        ({"level": 60}, Level.CRITICAL),
        ({"level": 30}, Level.INFO),
        ({"level": 10}, Level.TRACE),
        ({"log.level": "debug"}, Level.DEBUG),
        ({"log": {"level": "warning"}}, Level.WARNING),
        ({"severity": "NOTICE"}, Level.INFO),
        ({}, Level.INFO),
    ],
)
def test_json_levels(record: dict[str, object], level: Level) -> None:
    (event,) = parse(json.dumps({"message": "hello", **record}))
    assert event.level == level


@pytest.mark.parametrize(
    ("record", "stamp"),
    [
        ({"timestamp": "2026-11-22T23:58:23.123Z"}, datetime(2026, 11, 22, 23, 58, 23, 123000)),
        ({"ts": 1795391903}, datetime(2026, 11, 22, 23, 58, 23)),
        ({"time": 1795391903123}, datetime(2026, 11, 22, 23, 58, 23, 123000)),
        ({"ts": 1795391903.5}, datetime(2026, 11, 22, 23, 58, 23, 500000)),
        ({"@timestamp": "2026-11-23T00:58:23+01:00"}, datetime(2026, 11, 22, 23, 58, 23)),
        ({"asctime": "2026-11-22 23:58:23,123"}, datetime(2026, 11, 22, 23, 58, 23, 123000)),
        ({"eventTime": "2026-11-22T23:58:23Z"}, datetime(2026, 11, 22, 23, 58, 23)),  # CloudTrail
    ],
)
def test_json_timestamps(record: dict[str, object], stamp: datetime) -> None:
    (event,) = parse(json.dumps({"msg": "hello", **record}))
    assert event.timestamp == stamp.replace(tzinfo=UTC)


def test_mongodb_records_give_time_severity_component_and_details() -> None:
    lines = [
        '{"t":{"$date":"2026-11-22T23:58:01.123+00:00"},"s":"E","c":"STORAGE","id":22435,'
        '"ctx":"conn12","msg":"WiredTiger error","attr":{"message":"No space left on device"}}',
        '{"t":{"$date":{"$numberLong":"1795391903000"}},"s":"W","c":"COMMAND","msg":"Slow query"}',
        '{"t":{"$date":"2026-11-22T23:58:24Z"},"s":"D2","c":"-","msg":"probe"}',
        '{"t":5,"s":"E","c":"x","msg":"five"}',  # no extended JSON date: none of it applies
    ]
    events = list(parse_lines(lines))
    assert [(e.timestamp, e.level, e.service) for e in events] == [
        (datetime(2026, 11, 22, 23, 58, 1, 123000, tzinfo=UTC), Level.ERROR, "STORAGE"),
        (datetime(2026, 11, 22, 23, 58, 23, tzinfo=UTC), Level.WARNING, "COMMAND"),
        (datetime(2026, 11, 22, 23, 58, 24, tzinfo=UTC), Level.DEBUG, None),
        (datetime(2026, 11, 22, 23, 58, 24, tzinfo=UTC), Level.INFO, None),  # the stream's last
    ]
    assert events[0].message == 'WiredTiger error {"message": "No space left on device"}'


def test_aws_logs_tail_of_a_lambda_group_reads_the_runtime_lines_behind_it() -> None:
    stream = "2026/11/26/[$LATEST]48c4c7a8a663f96673e9e84e5d481589"
    request = "d30b99fb-3eb6-40b8-871f-e0537ca93045"
    lines = [
        f"2026-11-26T10:18:08.173041+00:00 {stream} START RequestId: {request} Version: $LATEST",
        f"2026-11-26T10:18:08.175041+00:00 {stream} 2026-11-26T10:18:08.175Z\t{request}\tERROR"
        "\tinventory lookup failed",
        f"2026-11-26T10:18:11.175041+00:00 {stream} 2026-11-26T10:18:11.175Z {request} Task "
        "timed out after 3.00 seconds",
        f"2026-11-26T10:18:11.532367+00:00 {stream} END RequestId: {request}",
    ] * 3
    events = list(parse_lines(lines))
    assert [(e.message[:22], e.level) for e in events[:4]] == [
        ("START RequestId: d30b9", Level.INFO),
        ("inventory lookup faile", Level.ERROR),
        ("Task timed out after 3", Level.ERROR),
        ("END RequestId: d30b99f", Level.INFO),
    ]
    assert events[1].timestamp == datetime(2026, 11, 26, 10, 18, 8, 175000, tzinfo=UTC)
    assert events[3].timestamp == datetime(2026, 11, 26, 10, 18, 11, 532367, tzinfo=UTC)


def test_tail_of_several_files_reads_each_file_as_its_own_source() -> None:
    access = '10.0.2.{n} - - [26/Nov/2026:10:3{n}:56 +0000] "GET /api/x HTTP/1.1" 502 157 "-" "-"'
    lines = [
        "==> /var/log/nginx/error.log <==",
        *(f"2026/11/26 09:2{n}:43 [error] 2817#2817: *91801{n} connect() failed" for n in range(3)),
        "",
        "==> /var/log/nginx/access.log <==",  # a format no line above has
        *(access.format(n=n) for n in range(6)),
        "==> /var/log/syslog <==",
        "Nov 26 10:40:01 ip-10-0-1-5 CRON[2211]: (root) CMD (run-parts /etc/cron.hourly)",
        "==> /var/log/nginx/error.log <==",  # back to a file read before
        "2026/11/26 09:29:43 [warn] 2817#2817: *918019 upstream is slow",
        "==> /var/log/app/out.log <==",  # a record names its service better than its file
        '{"time": "2026-11-26T10:41:00Z", "level": "info", "service": "billing", "msg": "ok"}',
        '{"time": "2026-11-26T10:42:00Z", "level": "info", "msg": "ok"}',
    ]
    events = list(parse_lines(lines))
    assert [(e.first_line, e.timestamp.minute if e.timestamp else None) for e in events] == [
        (1, 20), (2, 21), (3, 22), *((6 + n, 30 + n) for n in range(6)), (13, 40), (15, 29),
        (17, 41), (18, 42),
    ]  # fmt: skip
    assert [e.service for e in events] == ["nginx"] * 9 + ["CRON", "nginx", "billing", "app"]
    assert events[3].message.startswith('"GET /api/x HTTP/1.1" 502')
    assert [e.level for e in events[9:11]] == [Level.INFO, Level.WARNING]
    # the header lines are no events and no one's continuation
    assert all("==>" not in e.message for e in events)


def test_tail_of_files_behind_a_prefix_learns_each_files_heads_behind_it() -> None:
    cri = "2026-11-26T10:18:{s:02}.123456789Z stdout F "
    app = "2026-11-26 10:17:{s:02},123 ERROR [main] failure {s}"
    access = '10.0.0.{s} - - [26/Nov/2026:10:16:{s:02} +0000] "GET /x HTTP/1.1" 502 15'
    lines = [
        "==> /var/log/containers/api.log <==",
        *((cri + app).format(s=s) for s in range(6)),
        "==> /var/log/containers/web.log <==",
        *((cri + access).format(s=s) for s in range(6)),
    ]  # fmt: skip
    events = list(parse_lines(lines))
    assert [(e.timestamp.minute if e.timestamp else None) for e in events] == [17] * 6 + [16] * 6
    assert events[6].message == '"GET /x HTTP/1.1" 502 15'


def test_json_nested_deeper_than_the_parser_goes_is_read_as_text() -> None:
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    for line in (deep, "2026-11-26T10:02:38Z ERROR [billing] " + deep):
        (event,) = parse_lines([line])
        assert event.message.startswith('{"a":{"a":')


def test_a_json_record_after_a_head_is_read_as_json() -> None:
    tail = [  # `aws logs tail` of a group with CloudTrail's and an app's streams
        '2026-11-26T10:02:36.000000+00:00 123456789012_CloudTrail_us-east-1 {"eventTime": '
        '"2026-11-26T10:02:35Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject", '
        '"errorCode": "AccessDenied"}',
        '2026-11-26T10:02:37.000000+00:00 ecs/api/ae803ec317ece70c848e817b00d50d95 {"msg": '
        '"ready"}',
        "2026-11-26T10:02:38.000000+00:00 ecs/api/ae803ec317ece70c848e817b00d50d95 started",
    ]
    events = list(parse_lines(tail))
    assert [(e.message, e.level, e.service) for e in events] == [
        ("GetObject AccessDenied", Level.ERROR, "s3"),
        ("ready", Level.INFO, "api"),  # the container the awslogs driver's stream names
        ("started", Level.INFO, "api"),
    ]
    assert events[0].timestamp == datetime(2026, 11, 26, 10, 2, 35, tzinfo=UTC)  # the record's
    assert events[1].timestamp == datetime(2026, 11, 26, 10, 2, 37, tzinfo=UTC)  # the head's
    headed = [  # a head's level and service stand where the record states none
        '2026-11-26T10:02:38Z ERROR [billing] {"msg": "charge declined"}',
        '2026-11-26T10:02:39Z INFO [billing] {"msg": "charged", "level": "warn"}',
        "2026-11-26T10:02:40Z INFO [billing] {not json}",
    ]
    assert [(e.message, e.level, e.service) for e in parse_lines(headed)] == [
        ("charge declined", Level.ERROR, "billing"),
        ("charged", Level.WARNING, "billing"),
        ("{not json}", Level.INFO, "billing"),
    ]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"msg": "request completed", "res": {"statusCode": 502}}, "request completed status=502"),
        ({"message": "served", "http": {"response": {"status_code": "503"}}}, "served status=503"),
        ({"message": "GET /x", "httpRequest": {"status": 200}}, "GET /x status=200"),
        ({"msg": "GET /x 404", "status": 404}, "GET /x 404"),  # said already
        ({"msg": "job done", "status": "ok"}, "job done"),  # no HTTP status
        ({"msg": "job done", "status": 7}, "job done"),
        ({"msg": "job done", "status": True}, "job done"),
    ],
)
def test_an_access_records_status_joins_its_message(
    record: dict[str, object], message: str
) -> None:
    (event,) = parse(json.dumps(record))
    assert event.message == message


@pytest.mark.parametrize(
    "record",
    [
        {  # .NET's JSON console formatter
            "Timestamp": "2026-11-26T15:24:36.592Z", "EventId": 0, "LogLevel": "Error",
            "Category": "Orders.Api", "Message": "order load failed",
            "Exception": "System.TimeoutException: The operation has timed out.",
        },
        {  # Serilog's compact JSON (CLEF)
            "@t": "2026-11-26T15:24:36.592Z", "@l": "Error", "@mt": "order load failed",
            "SourceContext": "Orders.Api",
            "@x": "System.TimeoutException: The operation has timed out.",
        },
        {  # log4j2's JsonLayout
            "instant": {"epochSecond": 1795706676, "nanoOfSecond": 592000000}, "level": "ERROR",
            "loggerName": "Orders.Api", "message": "order load failed",
            "thrown": {
                "name": "System.TimeoutException", "message": "The operation has timed out.",
                "extendedStackTrace": [
                    {"class": "a.B", "method": "c", "file": "B.java", "line": 7},
                ],
            },
        },
        {  # HashiCorp's hclog (Nomad, Consul, Vault and apps written with it)
            "@level": "error", "@message": "order load failed", "@module": "Orders.Api",
            "@timestamp": "2026-11-26T15:24:36.592000Z",
            "error": "System.TimeoutException: The operation has timed out.",
        },
    ],
    ids=["dotnet", "serilog", "log4j2", "hclog"],
)  # fmt: skip
def test_json_keys_of_dotnet_serilog_and_log4j2(record: dict[str, object]) -> None:
    (event,) = parse(json.dumps(record))
    assert event.timestamp == datetime(2026, 11, 26, 15, 24, 36, 592000, tzinfo=UTC)
    assert (event.message.split("\n")[0], event.level, event.service) == (
        "order load failed", Level.ERROR, "Orders.Api",
    )  # fmt: skip
    assert "System.TimeoutException: The operation has timed out." in event.message
    if "thrown" in record:
        assert event.message.endswith("\tat a.B.c(B.java:7)")


def test_hclog_states_its_level_under_at_level() -> None:
    record = {
        "@level": "warn", "@message": "invalid configuration", "@module": "ledger-api.config",
        "@timestamp": "2026-07-22T07:31:08.412377Z", "key": "LEDGER_DB_SSLMODE",
    }  # fmt: skip
    (event,) = parse(json.dumps(record))
    assert (event.level, event.service) == (Level.WARNING, "ledger-api.config")


def test_ecs_records_keep_their_exception_in_flat_dotted_keys() -> None:
    """The Elastic Common Schema writes the exception as "error.type", "error.message" and
    "error.stack_trace" beside the message (Elasticsearch's own logs, ecs-logging)."""
    base = {
        "@timestamp": "2026-01-27T21:58:19.604Z", "log.level": "WARN",
        "message": "failed to retrieve stats for node [2c3RBGCYnhH]",
        "service.name": "ES_ECS", "log.logger": "o.e.c.InternalClusterInfoService",
    }  # fmt: skip
    kind = "org.elasticsearch.transport.ReceiveTimeoutTransportException"
    said = "[es-data-4][10.0.7.14:9300] request_id [48211983] timed out after [15008ms]"
    stacked = {**base, "error.type": kind, "error.message": said}
    stacked["error.stack_trace"] = f"{kind}: {said}\n\tat o.e.t.TransportService.run(T.java:1)"
    for record in (stacked, {**base, "error.type": kind, "error.message": said}):
        (event,) = parse(json.dumps(record))
        lines = event.message.split("\n")
        assert lines[0] == "failed to retrieve stats for node [2c3RBGCYnhH]"
        assert lines[1] == f"{kind}: {said}"  # once, not repeated before its own stack
        assert event.level is Level.WARNING
        assert event.message.count(kind) == 1


def test_rust_tracing_json_gives_its_fields_message_and_target() -> None:
    record = {
        "timestamp": "2026-11-26T15:52:31.291Z", "level": "ERROR", "target": "exporter::upload",
        "fields": {"message": "upload failed", "error": "AccessDenied: not authorized"},
        "span": {"job_id": "exp_1"},
    }  # fmt: skip
    (event,) = parse(json.dumps(record))
    assert (event.message, event.level, event.service) == (
        "upload failed: AccessDenied: not authorized", Level.ERROR, "exporter::upload",
    )  # fmt: skip
    # "target" names no one outside tracing's shape
    (other,) = parse(json.dumps({"msg": "health check", "target": "10.0.1.5:80"}))
    assert other.service is None


def test_cloudtrail_records_read_as_the_call_and_its_error() -> None:
    call = {
        "eventTime": "2026-11-22T23:58:01Z",
        "eventSource": "secretsmanager.amazonaws.com",
        "eventName": "GetSecretValue",
        "userIdentity": {"arn": "arn:aws:sts::123456789012:assumed-role/app/i-0abc"},
        "requestParameters": {"secretId": "prod/db"},
    }
    denied = {**call, "errorCode": "AccessDenied", "errorMessage": "User: x is not authorized"}
    throttled = {**call, "errorCode": "ThrottlingException"}
    stated = {**call, "message": "kept", "level": "warn"}  # a record's own message wins
    events = list(parse_lines([json.dumps(r) for r in (call, denied, throttled, stated)]))
    assert [(e.message, e.level, e.service) for e in events] == [
        ("GetSecretValue", Level.INFO, "secretsmanager"),
        ("GetSecretValue AccessDenied: User: x is not authorized", Level.ERROR, "secretsmanager"),
        ("GetSecretValue ThrottlingException", Level.ERROR, "secretsmanager"),
        ("kept", Level.WARNING, None),
    ]
    assert events[1].timestamp == datetime(2026, 11, 22, 23, 58, 1, tzinfo=UTC)


@pytest.mark.parametrize("key", ["message", "msg", "log", "@message", "textPayload"])
def test_json_message_keys(key: str) -> None:
    (event,) = parse(json.dumps({key: "disk full", "level": "error"}))
    assert event.message == "disk full"


def test_json_exception_string_and_object() -> None:
    lines = [
        json.dumps(
            {
                "msg": "query failed",
                "exception": "Traceback (most recent call last):\n"
                "  File \"a.py\", line 1, in f\nKeyError: 'x'",
            }
        ),
        json.dumps(
            {
                "msg": "db down",
                "err": {
                    "message": "connect ECONNREFUSED",
                    "stack": "Error: connect ECONNREFUSED\n    at TCPConnectWrap (net.js:1:1)",
                },
            }
        ),
        json.dumps({"msg": "bad", "error": {"message": "boom", "stack": "    at f (a.js:1:1)"}}),
    ]
    first, second, third = list(parse_lines(lines))
    assert first.message.split("\n")[0] == "query failed"
    assert first.message.endswith("KeyError: 'x'")
    assert second.message == (
        "db down\nError: connect ECONNREFUSED\n    at TCPConnectWrap (net.js:1:1)"
    )
    assert third.message == "bad\nboom\n    at f (a.js:1:1)"


def test_a_record_without_a_message_shows_its_remaining_fields() -> None:
    # Whatever they are: no field name is special, a test generator's label included.
    lines = [
        json.dumps({"message": "connection refused", "level": "error", "scenario": "db_outage"}),
        json.dumps({"level": "error", "scenario": "db_outage", "code": 7}),
    ]
    events = list(parse_lines(lines))
    assert events[0].message == "connection refused"
    assert events[1].message == '{"scenario": "db_outage", "code": 7}'
    assert events[1].level == Level.ERROR


def test_events_are_redacted_and_counted() -> None:
    redactor = Redactor()
    lines = [
        "2026-11-22T23:58:23Z ERROR login failed password=hunter2x",
        '{"msg": "token=abc123def"}',
    ]
    events = list(parse_lines(lines, redactor=redactor))
    assert [e.message for e in events] == [
        "login failed password=<PASSWORD>",
        "token=<PASSWORD>",
    ]
    assert redactor.counts == {"PASSWORD": 2}


def test_stream_exposes_redaction_counts() -> None:
    stream = parse_lines(["password=hunter2x"])
    list(stream)
    assert stream.redactions == {"PASSWORD": 1}


def test_indices_are_zero_based_and_in_input_order() -> None:
    text = PY_TRACEBACK + JAVA_STACK + GO_PANIC + NGINX + POSTGRES
    events = parse(text)
    assert [e.index for e in events] == list(range(len(events)))
    assert len(events) == 2 + 2 + 3 + 1 + 2


def test_records_lend_their_time_to_messages_without_one() -> None:
    t1 = datetime(2026, 11, 22, 23, 58, 1, tzinfo=UTC)
    t2 = datetime(2026, 11, 22, 23, 58, 2, tzinfo=UTC)
    records = [
        ("ERROR db down", t1),
        ("\tat com.example.Db.connect(Db.java:12)", t2),  # a stack split by the agent
        ("2026-11-22T23:57:00Z INFO own time wins", t2),
        ("INFO next", t2),
    ]
    events = list(parse_records(records))
    assert [(e.message.count("\n"), e.timestamp) for e in events] == [
        (1, t1),
        (0, datetime(2026, 11, 22, 23, 57, tzinfo=UTC)),
        (0, t2),
    ]


def test_celery_heads_give_their_time_and_level_to_every_line() -> None:
    lines = [
        "[2026-11-22 23:58:32,123: WARNING/MainProcess] mailer responded 429 Too Many Requests",
        "[2026-11-22 23:58:33,456: ERROR/ForkPoolWorker-3] Task orders.sync[7f3a] raised: boom",
        "[2026-11-22 23:58:34,789: INFO/MainProcess] Task orders.sync[7f3b] succeeded in 0.1s",
    ]
    events = list(parse_lines(lines))
    assert [e.level for e in events] == [Level.WARNING, Level.ERROR, Level.INFO]
    assert [e.timestamp.second if e.timestamp else None for e in events] == [32, 33, 34]
    assert events[1].message == "Task orders.sync[7f3a] raised: boom"


def test_a_service_that_never_writes_a_time_gets_the_streams_last_one() -> None:
    # docker compose's own "api-1 exited with code 137" and a worker whose head is not read
    # were written when the stream last said, not at no time at all
    lines = [
        "api-1     | 2026-03-16T17:49:25.100Z ERROR out of memory",
        "api-1 exited with code 137",
        "worker-1  | {job 12} retry scheduled",
        "api-1     | 2026-03-16T17:49:40.000Z INFO started",
        "worker-1  | {job 13} retry scheduled",
    ]
    events = list(parse_lines(lines))
    t1 = datetime(2026, 3, 16, 17, 49, 25, 100_000, tzinfo=UTC)
    t2 = datetime(2026, 3, 16, 17, 49, 40, tzinfo=UTC)
    assert [e.timestamp for e in events] == [t1, t1, t1, t2, t2]


def test_a_whole_multi_line_item_is_one_event() -> None:
    item = "2026-11-22T23:58:23Z ERROR crash\n  at a\nUnrelated looking line\n"
    events = list(parse_lines([item, "2026-11-22T23:58:24Z INFO next"]))
    assert [e.message for e in events] == ["crash\n  at a\nUnrelated looking line", "next"]


def test_blank_lines_outside_blocks_are_not_events() -> None:
    assert [e.message for e in parse("a\n\n\nb\n")] == ["a", "b"]


def test_parsing_streams() -> None:
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for n in range(1_000_000):
            line = f"2026-11-22T23:58:23Z INFO line {n}"
            consumed.append(line)
            yield line

    stream = parse_lines(lines())
    first = next(stream)
    assert first.message == "line 0"
    # Heads are learned from the first lines; then each line tells the one before it is done.
    assert len(consumed) == SAMPLE_LINES


def test_huge_stacks_are_capped() -> None:
    text = "ERROR boom\n" + "".join(f"\tat frame{n}\n" for n in range(10_000))
    (event,) = parse(text)
    assert event.message.count("\n") <= 401
    assert event.message.endswith("more lines truncated]")


def test_chaos_app_json_and_text_parse_into_its_events() -> None:
    """Against the patient's real renderers: one event per generated event, in both formats."""
    from chaos_app import render
    from chaos_app.generator import generate
    from chaos_app.scenarios import CATALOG

    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = list(generate(list(CATALOG), start=start, rate=5, seed=7, count=3_000))
    as_json = list(parse_lines(render.to_json(item) for item in items))
    assert len(as_json) == len(items)
    redactor = Redactor()  # in input order, as the parser's: same IP pseudonyms
    for item, from_json in zip(items, as_json, strict=True):
        assert from_json.timestamp == item.timestamp
        assert from_json.level == Level[item.event.level]
        # (a kernel line's printk time is a head field, not its message)
        expected = without_printk_time(redactor.redact(item.event.message).split("\n")[0])
        first = from_json.message.split("\n")[0]
        # an access record's status field joins its message ("request completed status=502")
        assert first == expected or re.fullmatch(re.escape(expected) + r" status=\d{3}", first)
        if item.scenario:
            assert item.scenario not in from_json.message
    # As each software prints it: an event never takes lines of two generated events, and all
    # but a few are recovered whole (a Prisma message with a blank line before its frames, Go's
    # "runtime:" lines before its "fatal error:", asyncio's "socket: ..." line stay apart).
    texts = [render.to_text(item).split("\n") for item in items]
    owner = [n for n, lines in enumerate(texts) for _ in lines]
    as_text = list(parse_lines([line for lines in texts for line in lines]))
    by_item: dict[int, int] = {}
    for event in as_text:
        numbers = event.line_numbers or range(event.first_line, event.first_line + event.line_count)
        assert len({owner[number] for number in numbers}) == 1, event.message[:200]
        by_item[owner[event.first_line]] = by_item.get(owner[event.first_line], 0) + 1
    whole = sum(1 for n in range(len(items)) if by_item.get(n) == 1)
    assert whole >= 0.99 * len(items)


# --- aggregated streams, whole records, bad input


def test_docker_compose_prefixes_name_the_service_and_keep_each_stack_whole() -> None:
    lines = [
        "api-1     | 2026-03-16 17:49:25,958 ERROR [app.db] query failed",
        "worker-1  | 2026-03-16T17:49:25.960Z INFO consumed 3 jobs",
        "api-1     | Traceback (most recent call last):",
        "worker-1  | 2026-03-16T17:49:26.001Z INFO consumed 2 jobs",
        'api-1     |   File "/app/db.py", line 12, in query',
        "api-1     |     return conn.execute(sql)",
        "api-1     | psycopg2.OperationalError: could not connect to server",
        "db-1      | 2026-03-16 17:49:26.100 UTC [42] FATAL:  the database system is starting up",
    ] * 2
    events = list(parse_lines(lines))
    assert [(e.service, e.line_count) for e in events[:4]] == [
        ("api", 5),  # the traceback's lines, interleaved with the worker's, rejoin their event
        ("worker", 1),
        ("worker", 1),
        ("db", 1),
    ]
    crash = events[0]
    assert crash.message.startswith("query failed\nTraceback (most recent call last):")
    assert crash.message.endswith("psycopg2.OperationalError: could not connect to server")
    assert crash.timestamp == datetime(2026, 3, 16, 17, 49, 25, 958000, tzinfo=UTC)
    assert crash.line_numbers == [0, 2, 4, 5, 6]
    assert events[3].level == Level.CRITICAL
    assert all(e.timestamp is not None for e in events)


def test_kubectl_prefixes_keep_time_and_service() -> None:
    lines = [
        "[pod/api-7d9f8c-x2k4q/api] 2026-03-16T17:49:25.958123456Z ERROR upstream timed out",
        "[pod/api-7d9f8c-x2k4q/sidecar] 2026-03-16T17:49:26.000000000Z INFO proxy ready",
        "[pod/api-7d9f8c-x2k4q/api] 2026-03-16T17:49:27.000000000Z INFO retry succeeded",
    ]
    events = list(parse_lines(lines))
    assert [(e.service, e.message) for e in events] == [
        ("api", "upstream timed out"),
        ("sidecar", "proxy ready"),
        ("api", "retry succeeded"),
    ]
    assert events[0].timestamp == datetime(2026, 3, 16, 17, 49, 25, 958123, tzinfo=UTC)


def test_kubectl_timestamps_on_every_line_of_a_stack_keep_it_one_event() -> None:
    # --timestamps stamps each line kubectl reads, a traceback's too: the stamp belongs to the
    # aggregator, so the stack stays whole and its exception is what it is mined on
    stamp = "2026-03-16T17:49:25.958123456Z"
    lines = [
        f"[pod/api-7d9f8c-x2k4q/api] {stamp} Traceback (most recent call last):",
        f'[pod/api-7d9f8c-x2k4q/api] {stamp}   File "/app/export.py", line 58, in write',
        f"[pod/api-7d9f8c-x2k4q/api] {stamp}     handle.write(chunk)",
        f"[pod/api-7d9f8c-x2k4q/api] {stamp} OSError: [Errno 28] No space left on device",
        "[pod/db-0/db] 2026-03-16T17:49:26.1Z 2026-03-16 17:49:26.100 UTC [61] PANIC:  disk",
    ]
    first, second = parse_lines(lines)
    assert first.message.splitlines()[0] == "Traceback (most recent call last):"
    assert first.message.splitlines()[-1] == "OSError: [Errno 28] No space left on device"
    assert first.timestamp == datetime(2026, 3, 16, 17, 49, 25, 958123, tzinfo=UTC)
    assert (second.service, second.message, second.level) == ("db", "disk", Level.CRITICAL)


QUARTER_MIB = 256 * 1024


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("source", "line"),
    [
        # each took quadratic time, minutes at this length: a level and a name glued by ":"
        # that can be split many ways; a service word ("\\S*?[A-Za-z]\\S*?") that never ends
        # in ":"; the colons stripped one by one from a service's name
        ([f"INFO:root:query {i}" for i in range(6)], "x" * QUARTER_MIB),
        (
            [f"2026-11-22 23:58:0{i} INFO app.db: query" for i in range(6)],
            "2026-11-22 23:58:09 INFO " + "x" * QUARTER_MIB,
        ),
        (
            [f"Jun 14 15:16:0{i} combo sshd[1{i}]: session opened" for i in range(6)],
            "Jun 14 15:16:09 combo ss" + ":" * QUARTER_MIB,
        ),
        # an indented line of blanks: Python's frame was tried from every start (minutes)
        ([f"2026-11-22 23:58:0{i} INFO app.db: query" for i in range(6)], " " * QUARTER_MIB + "a"),
        (["INFO start"] * 6, " a+0x1/0x2" + " " * QUARTER_MIB + "x"),
    ],
    ids=["glued-level", "component", "colons", "blanks", "kernel-frame-blanks"],
)
def test_a_quarter_mebibyte_line_under_a_learned_head_is_read_in_linear_time(
    source: list[str], line: str
) -> None:
    events = list(parse_lines([*source, line]))
    assert sum(e.line_count for e in events) == len(source) + 1  # every line read, none lost


def test_stern_prefixes_name_the_container_and_keep_each_stack_whole() -> None:
    # stern: "<pod> <container> <line>", the services interleaved as their lines arrive
    lines = [
        "api-7d9f8c6b5-x2k4q api 2026-11-22 23:58:00,123 ERROR [app.db] query failed",
        "worker-5c6d7f8b9-zx8kq worker 2026-11-22T23:58:00.500Z INFO consumed 3 jobs",
        "api-7d9f8c6b5-x2k4q api Traceback (most recent call last):",
        'api-7d9f8c6b5-x2k4q api   File "/app/db.py", line 12, in query',
        "worker-5c6d7f8b9-zx8kq worker 2026-11-22T23:58:01.000Z INFO consumed 2 jobs",
        "api-7d9f8c6b5-x2k4q api psycopg2.OperationalError: could not connect to server",
        "pg-6b8d9c7f5-q2w4z postgres 2026-11-22 23:58:02.100 UTC [61] FATAL:  starting up",
        "agent-x2k4q fluent-bit [2026/11/22 23:58:03] [ warn] [engine] failed to flush chunk",
    ]
    events = list(parse_lines(lines))
    assert [(e.service, e.line_count) for e in events] == [
        ("api", 4),  # its traceback, interleaved with the worker's lines, rejoins it
        ("worker", 1),
        ("worker", 1),
        ("postgres", 1),
        ("fluent-bit", 1),
    ]
    assert events[0].message.endswith("psycopg2.OperationalError: could not connect to server")
    assert events[0].timestamp == datetime(2026, 11, 22, 23, 58, 0, 123000, tzinfo=UTC)
    assert events[3].level == Level.CRITICAL
    # an ordinary sentence is no pod and container
    plain = ["cache-evict started on a", "batch-flush done in 3 s", "queue-drain begun now"] * 3
    assert {e.service for e in parse_lines(plain)} == {None}


def test_stern_reads_a_statefulsets_pods_when_each_shows_one_container() -> None:
    lines = [
        "api-7d9f8c6b5-x2k4q api 2026-11-22 23:58:00,123 ERROR [app.db] query failed",
        "db-0 postgres 2026-11-22 23:58:00.200 UTC [61] PANIC:  could not write to file",
        "kafka-2 kafka [2026-11-22 23:58:00,400] WARN disk usage at 97%",
        "db-0 postgres 2026-11-22 23:58:00.500 UTC [61] LOG:  database system is shut down",
        "kafka-2 kafka [2026-11-22 23:58:01,400] INFO recovered",
        "api-7d9f8c6b5-x2k4q api 2026-11-22 23:58:01,123 INFO served",
    ]
    events = list(parse_lines(lines))
    assert [(e.service, e.level) for e in events] == [
        ("api", Level.ERROR),
        ("postgres", Level.CRITICAL),
        ("kafka", Level.WARNING),
        ("postgres", Level.INFO),
        ("kafka", Level.INFO),
        ("api", Level.INFO),
    ]
    assert events[1].message == "could not write to file"
    # A numbered name and a word that changes: a sentence, no pod and container.
    plain = [f"worker-{n % 3} {('started', 'finished')[n % 2]} job {n}" for n in range(12)]
    assert {(e.service, e.message.split()[0]) for e in parse_lines(plain)} == {
        (None, "worker-0"),
        (None, "worker-1"),
        (None, "worker-2"),
    }
    # Each numbered name once: nothing shows it names a pod.
    once = [f"batch-{n} {('started', 'finished')[n % 2]} in {n} s" for n in range(12)]
    assert {e.service for e in parse_lines(once)} == {None}


def test_loki_logcli_lines_are_named_by_their_labels() -> None:
    lines = [
        '2026-11-22T23:58:00Z {app="api", namespace="prod"} 2026-11-22 23:58:00,123 ERROR boom',
        '2026-11-22T23:58:00Z {namespace="prod", container="worker"} INFO consumed 3 jobs',
        '2026-11-22T23:58:01Z {job="varlogs", filename="/var/log/syslog"} kernel: eth0 link up',
        '2026-11-22T23:58:02Z {namespace="prod", pod="x"} ERROR job 42 failed',
    ]
    events = list(parse_lines(lines))
    assert [(e.service, e.level, e.message) for e in events] == [
        ("api", Level.ERROR, "boom"),
        ("worker", Level.INFO, "consumed 3 jobs"),
        ("varlogs", Level.INFO, "kernel: eth0 link up"),
        (None, Level.ERROR, "job 42 failed"),
    ]
    # the line's own time, else Loki's
    assert events[0].timestamp == datetime(2026, 11, 22, 23, 58, 0, 123000, tzinfo=UTC)
    # logcli pads shorter label sets: the blanks are its own, no indent of the line
    padded = [
        '2026-11-22T23:58:00Z {app="api", namespace="prod-long"} 2026-11-22 23:58:00,1 INFO ok'
    ] * 5 + ['2026-11-22T23:58:01Z {app="api", namespace="prod"}      Killed: out of memory']
    killed = list(parse_lines(padded))[-1]
    assert (killed.first_line, killed.message) == (5, "Killed: out of memory")
    assert events[3].timestamp == datetime(2026, 11, 22, 23, 58, 2, tzinfo=UTC)


def test_a_container_runtime_log_gives_its_time_and_rejoins_the_lines_it_split() -> None:
    # CRI (the kubelet's files under /var/log/pods): "F" is a whole line; "P" a line the
    # runtime cut, whose rest comes next. The "F" is no level letter, the stream no service.
    lines = [
        "2026-11-22T23:58:00.123456789Z stdout F INFO request served status=200",
        '2026-11-22T23:58:01.000000001Z stderr P {"level":"error","msg":"pool exha',
        "2026-11-22T23:58:01.000000001Z stderr P usted, password=hunter2-and-",
        '2026-11-22T23:58:01.000000001Z stderr F more"}',
        "2026-11-22T23:58:02.5Z stdout F 2026/11/22 23:58:02 GET /health 200",
    ]
    served, pool, health = parse_lines(lines)
    assert (served.level, served.service) == (Level.INFO, None)
    assert served.timestamp == datetime(2026, 11, 22, 23, 58, 0, 123456, tzinfo=UTC)
    assert served.message == "request served status=200"
    assert pool.level == Level.ERROR
    assert (pool.first_line, pool.line_count) == (1, 3)
    # one line again, and redacted whole: the secret ran over the cut
    assert "\n" not in pool.message
    assert "hunter2" not in pool.message
    assert "pool exhausted" in pool.message
    assert health.message == "GET /health 200"  # the app's own time is read too


def test_a_split_line_is_rejoined_only_with_the_next_line_of_its_own_stream() -> None:
    lines = [
        "2026-11-22T23:58:00.1Z stdout P INFO first half of a long line, ",
        "2026-11-22T23:58:00.2Z stderr F ERROR c.e.Db - connection refused",
        "2026-11-22T23:58:00.3Z stdout F and its second half",
        "2026-11-22T23:58:00.4Z stderr Failed to start",  # no tag: not the runtime's line
    ]
    events = list(parse_lines(lines))
    assert [(e.first_line, e.line_count, e.level) for e in events[:3]] == [
        (0, 1, Level.INFO),
        (1, 1, Level.ERROR),  # never glued into the stdout line before it
        (2, 1, Level.INFO),
    ]
    assert "Failed to start" in events[3].message


def test_a_syslog_severity_raises_json_records_and_held_lines_too() -> None:
    lines = [
        '<131>1 2026-11-22T23:58:00Z web-2 nginx - - - {"msg":"upstream timed out"}',
        "<134>1 2026-11-22T23:58:04Z web-2 app - - - retry scheduled",
        # held until the next line says whether frames follow (they do not)
        "<131>1 2026-11-22T23:58:05Z web-2 app - - - com.example.StorageError: disk full",
        "<134>1 2026-11-22T23:58:06Z web-2 app - - - retry scheduled",
        "<131>1 2026-11-22T23:58:07Z web-2 app - - - com.example.StorageError: disk full",
    ]
    events = list(parse_lines(lines))
    assert [e.level for e in events] == [
        Level.ERROR,
        Level.INFO,
        Level.ERROR,
        Level.INFO,
        Level.ERROR,
    ]
    assert events[2].timestamp == datetime(2026, 11, 22, 23, 58, 5, tzinfo=UTC)
    assert events[4].timestamp == datetime(2026, 11, 22, 23, 58, 7, tzinfo=UTC)  # held at the end


def test_a_level_a_line_states_wins_over_the_syslog_severity() -> None:
    # The priority is the shipper's guess (a whole stream at err, say); the app said INFO.
    lines = [
        '<131>1 2026-11-22T23:58:00Z web-2 api - - - {"level":"info","msg":"request served"}',
        "<131>1 2026-11-22T23:58:01Z web-2 api - - - 2026-11-22 23:58:01 INFO request served",
        '<134>1 2026-11-22T23:58:02Z web-2 api - - - {"level":"error","msg":"upstream reset"}',
        '<131>1 2026-11-22T23:58:03Z web-2 api - - - {"msg":"request served"}',
    ]
    events = list(parse_lines(lines))
    assert [e.level for e in events] == [Level.INFO, Level.INFO, Level.ERROR, Level.ERROR]


def test_a_logfmt_line_keyed_by_its_time_is_a_record_of_its_own() -> None:
    # The message above ends with ":" (its details may follow); a logfmt record with a time key
    # (after another key) and no level key among a Spring app's lines is not one of them.
    lines = [
        "2026-11-22 23:58:00.001 INFO 7 --- [main] c.e.Orders : started",
        "2026-11-22 23:58:00.002 INFO 7 --- [main] c.e.Orders : served",
        "2026-11-22 23:58:00.003 ERROR 7 --- [main] c.e.Orders : config problems:",
        'component=envoy time=2026-11-22T23:58:01Z msg="sidecar ready"',
        "2026-11-22 23:58:02.004 INFO 7 --- [main] c.e.Orders : served",
    ]
    events = list(parse_lines(lines))
    assert [e.line_count for e in events] == [1, 1, 1, 1, 1]
    assert events[2].message == "config problems:"


def test_logfmt_records_among_another_formats_lines_are_read_as_logfmt() -> None:
    # A sidecar's records in an app's stream: each has its own time (not the line above's).
    lines = [
        "2026-11-22 23:58:00.001 INFO 7 --- [main] c.e.Orders : started",
        "2026-11-22 23:58:00.002 INFO 7 --- [main] c.e.Orders : served",
        'level=error ts=2026-11-22T23:58:01.5Z caller=proxy.go:88 msg="upstream reset"',
        'time="2026-11-22T23:58:01.7Z" msg="plain"',
        "level equals three in this sentence",
        "2026-11-22 23:58:02.004 INFO 7 --- [main] c.e.Orders : served",
    ]
    events = list(parse_lines(lines))
    assert [(e.level, e.timestamp, e.message) for e in events[2:5]] == [
        (
            Level.ERROR,
            datetime(2026, 11, 22, 23, 58, 1, 500000, tzinfo=UTC),
            'caller=proxy.go:88 msg="upstream reset"',
        ),
        (Level.INFO, datetime(2026, 11, 22, 23, 58, 1, 700000, tzinfo=UTC), 'msg="plain"'),
        # no key: a sentence, with the time of the line before it
        (
            Level.INFO,
            datetime(2026, 11, 22, 23, 58, 1, 700000, tzinfo=UTC),
            "level equals three in this sentence",
        ),
    ]


def test_a_logfmt_record_names_its_service_by_a_key() -> None:
    lines = [
        "time=2026-11-22T23:58:00Z level=info service=auth msg=issued",
        "time=2026-11-22T23:58:01Z level=info service=billing msg=sent",
        'time=2026-11-22T23:58:02Z level=warn component="cache" msg=evicting',
        "time=2026-11-22T23:58:03Z level=info msg=served user_app=web",  # no such key
    ]
    assert [e.service for e in parse_lines(lines)] == ["auth", "billing", "cache", None]
    # A key in a plain text line is no service: only a logfmt head says it is logfmt.
    plain = [f"2026-11-22 23:58:0{n} INFO restarted service=auth" for n in range(4)]
    assert {e.service for e in parse_lines(plain)} == {None}


def test_a_logfmt_severity_key_is_the_level() -> None:
    lines = [f'severity=error ts=2026-11-22T23:58:0{n}Z msg="x"' for n in range(5)]
    assert {(e.level, e.message) for e in parse_lines(lines)} == {(Level.ERROR, 'msg="x"')}


@pytest.mark.parametrize(
    ("line", "level", "service", "message"),
    [
        # RFC 3164 behind a priority: 3 (err) raises a plain line; 6 (info) says nothing
        ("<27>Nov 22 23:58:00 web-1 app[343]: disk full on /var", Level.ERROR, "app", "disk full"),
        ("<30>Nov 22 23:58:00 web-1 app[343]: request served", Level.INFO, "app", "request"),
        ("<30>Nov 22 23:58:00 web-1 app[343]: ERROR db down", Level.ERROR, "app", "db down"),
        ("<28>Nov 22 23:58:00 web-1 app[343]: retrying", Level.WARNING, "app", "retrying"),
        # RFC 5424: version, time, host, app, procid, msgid, structured data, then the message
        (
            "<131>1 2026-11-22T23:58:00.003Z web-2 nginx 1234 - - upstream timed out",
            Level.ERROR,
            "nginx",
            "upstream timed out",
        ),
        (
            '<165>1 2026-11-22T23:58:00Z web-2 billing - ID47 [meta x="a]b" y="2"][z@1 k="v"] '
            "invoice sent",
            Level.INFO,
            "billing",
            "invoice sent",
        ),
    ],
)
def test_syslog_priorities_give_a_level_and_rfc5424_fields_are_read(
    line: str, level: Level, service: str, message: str
) -> None:
    event = next(iter(parse_lines([line] * 4)))  # four lines: enough to learn the heads from
    assert event.level == level
    assert event.service == service
    assert event.message.startswith(message)
    assert event.timestamp is not None
    assert event.timestamp.minute == 58


def test_pythons_default_format_gives_level_and_logger() -> None:
    # logging.basicConfig(): "%(levelname)s:%(name)s:%(message)s", glued by colons
    lines = [
        "WARNING:urllib3.connectionpool:Retrying (Retry(total=2)) after connection broken",
        "INFO:root:query took 82 ms",
        "ERROR:app.db:connection refused",
        "Traceback (most recent call last):",
        '  File "/app/db.py", line 3, in <module>',
        "ConnectionRefusedError: [Errno 111] Connection refused",
        "INFO:root:query took 91 ms",
    ]
    events = list(parse_lines(lines))
    assert [(e.level, e.service, e.message.split("\n")[0]) for e in events] == [
        (
            Level.WARNING,
            "urllib3.connectionpool",
            "Retrying (Retry(total=2)) after connection broken",
        ),
        (Level.INFO, "root", "query took 82 ms"),
        (Level.ERROR, "app.db", "connection refused"),
        (Level.INFO, "root", "query took 91 ms"),
    ]
    assert events[2].line_count == 4  # the traceback stays with its line
    # the root logger alone, on every line: still a name, not the message's first word
    rooted = list(parse_lines([f"INFO:root:query took {n} ms" for n in range(8)]))
    assert {(e.service, e.message) for e in rooted[:1]} == {("root", "query took 0 ms")}


ELIXIR_CRASHES = """\
10:21:37.482 [error] GenServer Storefront.Pricing.FxRateCache terminating
** (ArithmeticError) bad argument in arithmetic expression
    :erlang./(1, nil)
    (storefront 2.14.3) lib/storefront/pricing/fx_rate_cache.ex:118: Storefront.Pricing.f/1
    (stdlib 5.2.3) gen_server.erl:1095: :gen_server.try_handle_info/3
Last message: {:refresh, :scheduled}
State: %{base: "EUR", rates: %{"CHF" => 0.9412}, ttl_ms: 300000}
10:21:52.734 request_id=FH0sIavE [info] POST /api/cart/items
10:22:12.381 [error] Task #PID<0.98711.0> started from #PID<0.98658.0> terminating
** (KeyError) key :utm_source not found in: %{referrer: "https://www.google.com/"}
    (storefront 2.14.3) lib/storefront/analytics/attribution.ex:41: Storefront.Analytics.t/2
Function: #Function<4.91782213/0 in StorefrontWeb.CheckoutLive.handle_event/3>
    Args: []
10:23:33.211 [error] #PID<0.99130.0> running Web.Endpoint (connection #PID<0.99148.0>) terminated
Server: shop.example.eu:80 (http)
Request: POST /api/checkout/quote
** (exit) an exception was raised:
    ** (MatchError) no match of right hand side value: :error
        (storefront 2.14.3) lib/storefront/pricing.ex:64: Storefront.Pricing.localize!/2
10:23:34.002 [info] worker 3 terminated
State: the next record of another writer
"""


def test_an_elixir_crash_report_is_one_event_with_its_exception() -> None:
    """Logger's report of a crashed process: the head, "** (Error) …", frames, the process's
    context (Phoenix's Server and Request before the exception) are one event, at the head's
    level; a line that merely ends in "terminated" opens no report."""
    events = parse(ELIXIR_CRASHES)
    assert [(e.line_count, e.level) for e in events] == [
        (7, Level.ERROR),
        (1, Level.INFO),
        (5, Level.ERROR),
        (6, Level.ERROR),
        (1, Level.INFO),
        (1, Level.INFO),
    ]
    assert "** (ArithmeticError) bad argument" in events[0].message
    assert events[3].message.endswith("Storefront.Pricing.localize!/2")
    # each report's pattern is named by its exception (Phoenix's nested one), not its context
    templates = [p.template for p in build_digest(events).patterns]
    assert any(
        t.endswith(":: ** (ArithmeticError) bad argument in arithmetic expression")
        for t in templates
    )
    assert any(":: ** (KeyError) key :utm_source not found" in t for t in templates)
    assert any(
        t.endswith(":: ** (MatchError) no match of right hand side value: :error")
        for t in templates
    )


@pytest.mark.parametrize(
    "lines",
    [
        # mix's error after an INFO line: its own event, an error
        ["2026-06-09T10:00:00.000Z INFO Compiling 3 files (.ex)",
         '** (Mix) Could not compile dependency :bcrypt_elixir, "mix compile" failed.'],
        # Spring's "Task ... terminated" is no Elixir report: the exception after it is its own
        ["2026-06-09 10:00:00.000  INFO 1 --- [main] c.e.Jobs : Task sync-inventory terminated",
         "java.lang.IllegalStateException: scheduler shut down"],
    ],
    ids=["mix", "spring-task"],
)  # fmt: skip
def test_lines_like_an_elixir_report_outside_one_are_their_own_events(lines: list[str]) -> None:
    events = list(parse_lines(lines))
    assert len(events) == 2
    assert events[1].level is Level.ERROR


def test_time_of_day_heads_are_learned_among_elixir_reports() -> None:
    lines = []
    for n in range(60):
        lines.append(f"10:{n // 60:02d}:{n % 60:02d}.000 [info] GET /api/items/{n}")
        if n % 20 == 19:
            lines += [
                f"10:00:{n:02d}.500 [error] GenServer Shop.Cache terminating",
                "** (KeyError) key :rate not found in: %{}",
                "    (shop 1.0.0) lib/shop/cache.ex:41: Shop.Cache.handle_info/2",
                "Last message: :refresh",
                "State: %{}",
            ]
    events = list(parse_lines(lines, now=datetime(2026, 11, 26, 12, 0, tzinfo=UTC)))
    assert len(events) == 63
    assert all(e.timestamp is not None for e in events)
    assert events[0].message == "GET /api/items/0"


def test_a_time_of_day_alone_is_on_the_day_of_the_dated_lines_around_it() -> None:
    """Elixir's Logger writes a time of day alone; beside a proxy's dated JSON access log
    its lines are that day's, months ago, not today's (before the first dated line too)."""
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    access = (
        '{{"time":"2026-06-09T{clock}+02:00","level":"info","DownstreamStatus":{status},'
        '"RequestPath":"/checkout","msg":""}}'
    )
    lines = [
        "09:58:14.792 request_id=FG8LWFNt [info] GET /search",
        "09:58:14.927 request_id=FG8LWFNt [info] Sent 200 in 135ms",
        access.format(clock="11:59:35", status=200),
        "09:59:26.891 request_id=FGrKa4D [info] GET /checkout",
        access.format(clock="12:21:36", status=500),
        "10:21:37.482 [error] GenServer Storefront.Pricing.FxRateCache terminating",
        "23:59:59.001 request_id=FGrKa4E [info] GET /late",  # the evening before: nearest day
    ]
    events = list(parse_lines(lines, now=now))
    assert [e.timestamp for e in events] == [
        datetime(2026, 6, 9, 9, 58, 14, 792000, tzinfo=UTC),
        datetime(2026, 6, 9, 9, 58, 14, 927000, tzinfo=UTC),
        datetime(2026, 6, 9, 9, 59, 35, tzinfo=UTC),
        datetime(2026, 6, 9, 9, 59, 26, 891000, tzinfo=UTC),
        datetime(2026, 6, 9, 10, 21, 36, tzinfo=UTC),
        datetime(2026, 6, 9, 10, 21, 37, 482000, tzinfo=UTC),
        datetime(2026, 6, 8, 23, 59, 59, 1000, tzinfo=UTC),
    ]
    # a day of time-of-day lines after one dated line: each on the day nearest the one before
    day = [access.format(clock="10:00:00", status=200)]
    day += [f"{h:02d}:30:00.000 request_id=F{h} [info] GET /x" for h in (9, 15, 21, 3, 9)]
    assert [e.timestamp for e in parse_lines(day, now=now)][1:] == [
        datetime(2026, 6, 9, h, 30, tzinfo=UTC) for h in (9, 15, 21)
    ] + [datetime(2026, 6, 10, h, 30, tzinfo=UTC) for h in (3, 9)]
    # a record whose "time" is no real date (an uptime) dates nothing
    odd = ['{"level":"info","msg":"GET /health","time":12}']
    odd += [f"10:00:0{n}.000 request_id=F{n} [info] GET /y" for n in range(6)]
    assert {e.timestamp.date() for e in list(parse_lines(odd, now=now))[1:] if e.timestamp} == {
        datetime(2026, 11, 26).date()
    }


def test_a_file_that_opens_with_times_of_day_alone_is_on_the_day_its_dated_lines_show() -> None:
    """A consumer's logback lines (no date) pasted above a Kafka broker's dated log of last
    June, further down than the first lines read: the consumer's lines are of that day."""
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    consumer = [
        f"14:{i // 60:02d}:{i % 60:02d}.250 [pool-2-thread-1] INFO  c.a.e.OrderListener - "
        f"enriched batch partition={i % 24} records={i}"
        for i in range(300)
    ]
    broker = [
        f"[2025-06-26 14:{i // 60:02d}:{i % 60:02d},117] INFO [LocalLog partition=orders-{i % 24}]"
        f" Rolled new log segment at offset {1000 + i} in 3 ms. (kafka.log.LocalLog)"
        for i in range(300)
    ]
    events = list(LogParser(now=now, at_hand=True).parse(consumer + broker))
    assert events[0].timestamp == datetime(2025, 6, 26, 14, 0, 0, 250000, tzinfo=UTC)
    assert {e.timestamp.date() for e in events if e.timestamp} == {datetime(2025, 6, 26).date()}
    # ... and a recent file's too: the dated lines' day, not today's
    recent = [line.replace("2025-06-26", "2026-11-20") for line in broker]
    events = list(LogParser(now=now, at_hand=True).parse(consumer + recent))
    assert {e.timestamp.date() for e in events if e.timestamp} == {datetime(2026, 11, 20).date()}


def test_a_time_of_day_alone_is_read_where_the_source_agrees_on_it() -> None:
    # logback's default console pattern has no date: the time is the latest such, not ahead
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    lines = [
        f"{clock} [http-nio-8080-exec-1] {level} c.e.orders.PaymentClient - {message}"
        for clock, level, message in [
            ("23:58:00.532", "INFO ", "order placed"),
            ("23:59:59.001", "ERROR", "payment declined"),
            ("00:00:02.250", "WARN ", "retrying in 200ms"),
            ("00:00:03.000", "INFO ", "order placed"),
        ]
    ]
    events = list(parse_lines(lines, now=now))
    assert [e.timestamp for e in events] == [
        datetime(2026, 11, 25, 23, 58, 0, 532000, tzinfo=UTC),
        datetime(2026, 11, 25, 23, 59, 59, 1000, tzinfo=UTC),
        datetime(2026, 11, 26, 0, 0, 2, 250000, tzinfo=UTC),
        datetime(2026, 11, 26, 0, 0, 3, tzinfo=UTC),
    ]
    assert [e.level for e in events] == [Level.INFO, Level.ERROR, Level.WARNING, Level.INFO]
    assert {e.service for e in events} == {"c.e.orders.PaymentClient"}
    assert events[1].message == "payment declined"
    # messages that merely open with a clock, alone or a few among others, have no time
    (lone,) = parse_lines(["10:46:47.425 : BTLE scanner Powered On"], now=now)
    assert lone.timestamp is None
    some = [f"button report: 0x800{n}" for n in range(8)]
    some += [f"10:46:4{n}.425 : BTLE scanner Powered On" for n in range(4)]
    assert all(e.timestamp is None for e in parse_lines(some, now=now))
    # ... and a time of day later in the line is the message's, whatever stands before it
    backups = [f"Nightly backup of db{n} completed at 03:00:0{n} with 0 errors" for n in range(6)]
    assert next((e.timestamp, e.message) for e in parse_lines(backups, now=now)) == (
        None,
        "Nightly backup of db0 completed at 03:00:00 with 0 errors",
    )
    # ... even after a level, and the words between are not taken for a head
    late = [f"ERROR backup of db{n} failed at 03:00:0{n}" for n in range(6)]
    assert next(iter(parse_lines(late, now=now))).message == "backup of db0 failed at 03:00:00"
    after = [f"INFO 03:00:0{n} backup done" for n in range(6)]
    assert next(iter(parse_lines(after, now=now))).timestamp is None
    # a date with a four-digit year before it is read whole (month first, as learned)
    us = [f"09/2{n}/2016 04:30:00 ERROR db down" for n in range(6)]
    assert next(iter(parse_lines(us, now=now))).timestamp == datetime(
        2016, 9, 20, 4, 30, tzinfo=UTC
    )


def test_dotnet_console_lines_are_read_with_the_message_below_its_head() -> None:
    # Microsoft.Extensions.Logging's console: "level: Category[EventId]", the message indented
    # on the next line; "fail" and "dbug" are levels only written so
    text = """\
info: Microsoft.Hosting.Lifetime[14]
      Now listening on: http://[::]:8080
fail: Orders.Api.Controllers.OrderController[0]
      Payment gateway timed out after 3000 ms
dbug: Microsoft.EntityFrameworkCore.Database.Command[20100]
      Executing DbCommand took 24ms
fail: Orders.Api.Controllers.OrderController[0]
      Payment gateway timed out after 3001 ms
"""
    events = parse(text)
    assert [(e.level, e.service, e.message) for e in events] == [
        (Level.INFO, "Microsoft.Hosting.Lifetime", "Now listening on: http://[::]:8080"),
        (
            Level.ERROR,
            "Orders.Api.Controllers.OrderController",
            "Payment gateway timed out after 3000 ms",
        ),
        (
            Level.DEBUG,
            "Microsoft.EntityFrameworkCore.Database.Command",
            "Executing DbCommand took 24ms",
        ),
        (
            Level.ERROR,
            "Orders.Api.Controllers.OrderController",
            "Payment gateway timed out after 3001 ms",
        ),
    ]
    assert [(e.first_line, e.line_count) for e in events] == [(0, 2), (2, 2), (4, 2), (6, 2)]
    digest = build_digest(parse(text))
    assert [p.count for p in digest.patterns if p.template.startswith("Payment")] == [2]
    # a head without a message above a stack frame keeps its line: the frame is no message
    java = "2026-11-22 23:58:00,123 ERROR [main] c.e.App - \n    at c.e.App.run(App.java:42)\n"
    (event,) = parse(java * 4)[:1]
    assert event.message.splitlines()[1] == "    at c.e.App.run(App.java:42)"


@pytest.mark.parametrize(
    ("record", "service"),
    [
        ({"kubernetes": {"pod_name": "checkout-7d9f8c6b5-x2k4q"}}, "checkout"),
        ({"kubernetes": {"container_name": "coredns", "pod_name": "coredns-5d7-abcde"}}, "coredns"),
        ({"pod": "redis-0"}, "redis"),
        ({"container": {"name": "api"}}, "api"),  # ECS
        ({"service": "billing", "kubernetes": {"container_name": "app"}}, "billing"),
    ],
)
def test_json_lines_from_a_shipper_are_named_by_their_container_or_pod(
    record: dict[str, object], service: str
) -> None:
    line = json.dumps({"time": "2026-03-16T17:49:25Z", "level": "error", "msg": "x", **record})
    (event,) = parse_lines([line])
    assert event.service == service


def test_interleaved_services_without_prefixes_are_never_glued() -> None:
    # Two services' lines in one stream, one of them with no time at all.
    lines = [
        "2026-03-16T17:49:25Z ERROR payments: card declined",
        "getTodayTotalDetailSteps = 1514038440000##7053",
        " getTodayTotalDetailSteps = 1514038440000##7054",
        "java.lang.ClassCastException: java.lang.String cannot be cast to java.lang.Integer",
        "2026-03-16T17:49:26Z INFO payments: ok",
    ]
    events = list(parse_lines(lines))
    assert [e.line_count for e in events] == [1, 1, 1, 1, 1]


def test_an_exception_line_joins_the_record_before_only_when_frames_follow() -> None:
    lines = [
        "2026-03-16T17:49:25Z ERROR request failed",
        "java.lang.IllegalStateException: boom",
        "\tat com.example.Foo.bar(Foo.java:10)",
        "2026-03-16T17:49:26Z ERROR other",
        "java.lang.ClassCastException: java.lang.String cannot be cast",
        "2026-03-16T17:49:27Z INFO fine",
    ]
    events = list(parse_lines(lines))
    assert [e.line_count for e in events] == [3, 1, 1, 1]
    assert events[2].message.startswith("java.lang.ClassCastException")


def test_a_cloudwatch_event_is_never_split_nor_merged() -> None:
    t = datetime(2026, 3, 16, 17, 49, 25, tzinfo=UTC)
    records = [
        ("ERROR db down", t),
        ("\tat com.example.Db.connect(Db.java:12)", t),  # a frame the agent sent on its own
        ("2026-03-16T17:49:24Z INFO two lines\nin one event", t),
        ("INFO next", t),
    ]
    events = list(parse_records(records, whole=True))
    assert [e.message for e in events] == [
        "db down",
        "\tat com.example.Db.connect(Db.java:12)",
        "two lines\nin one event",
        "next",
    ]
    assert [e.line_count for e in events] == [1, 1, 2, 1]
    assert events[1].timestamp == t  # the record's own time, when the text names none


def test_binary_lines_are_skipped_and_counted_and_long_lines_cut() -> None:
    stream = parse_lines(
        ["ERROR a", "\x00\x01\x02 core dump", "ERROR " + "x" * (300 * 1024), "ERROR b"]
    )
    events = list(stream)
    assert [e.message[:7] for e in events] == ["a", "xxxxxxx", "b"]
    assert events[1].message.endswith("[line cut at 256 KiB]")
    assert (stream.stats.lines, stream.stats.binary_lines, stream.stats.cut_lines) == (4, 1, 1)


def test_lines_report_which_event_holds_them() -> None:
    stream = parse_lines(
        ["ERROR a", "", "Traceback (most recent call last):", '  File "x", line 1']
    )
    events = list(stream)
    assert [(e.first_line, e.line_count) for e in events] == [(0, 1), (2, 2)]
    assert stream.stats.lines == 4


def test_tail_follow_keeps_a_stack_whole_across_another_files_lines() -> None:
    lines = [  # `tail -f`: each file's lines as they come, a header whenever the file changes
        "==> /var/log/app/app.log <==",
        "2026-11-26 10:31:30,400 ERROR [main] o.a.Orders - publish failed",
        "java.lang.IllegalStateException: pool closed",
        "\tat o.a.Orders.publish(Orders.java:64)",
        "==> /var/log/nginx/access.log <==",
        '10.0.2.1 - - [26/Nov/2026:10:31:30 +0000] "POST /orders HTTP/1.1" 500 141 "-" "-"',
        "==> /var/log/app/app.log <==",
        "\tat o.a.Api.handle(Api.java:12)",
        "Caused by: java.net.ConnectException: Connection refused",
        "2026-11-26 10:31:31,002 INFO [main] o.a.Orders - retry scheduled",
    ]
    events = list(parse_lines(lines))
    assert [(e.service, e.line_count) for e in events] == [
        ("o.a.Orders", 5),  # the logger its head names
        ("nginx", 1),
        ("o.a.Orders", 1),
    ]
    assert events[0].line_numbers == [1, 2, 3, 7, 8]
    assert events[0].message.endswith("Caused by: java.net.ConnectException: Connection refused")


def test_a_kubelet_container_log_is_named_by_its_container() -> None:
    cid = "4f1d2c" + "0" * 58
    cri = "2026-11-26T10:18:0{n}.123456789Z stdout F "
    lines = [
        f"==> /var/log/containers/api-7d9f8c6b5-x2k4q_prod_orders-api-{cid}.log <==",
        *(cri.format(n=n) + f"order {n} accepted" for n in range(4)),
        "==> /var/log/pods/prod_web-0_6b1c/nginx/0.log <==",
        *(cri.format(n=n) + "GET /healthz 200" for n in range(4)),
        "==> /var/log/containers/not-a-kubelet-link.log <==",
        *(cri.format(n=n) + "ok" for n in range(4)),
    ]
    services = [e.service for e in parse_lines(lines)]
    assert services == ["orders-api"] * 4 + ["nginx"] * 4 + ["containers"] * 4


def test_a_level_head_of_its_own_starts_an_error_and_postgres_details_stay_with_it() -> None:
    # uvicorn's heads are a level word alone: "ERROR:" is a record of its own, never an
    # error's first line that joins the access line before it; libpq's "HINT:" in the
    # exception is no record (its word is a level too, but it has no time)
    access = [f'INFO:     10.0.0.{i}:4410 - "GET /healthz HTTP/1.1" 200 OK' for i in range(8)]
    crash = [
        "ERROR:    Exception in ASGI application",
        "Traceback (most recent call last):",
        '  File "/app/db.py", line 12, in execute',
        "    cursor.execute(sql)",
        'psycopg.errors.DiskFull: could not extend file "base/16384/24577.2": No space left',
        "HINT:  Check free disk space.",
        "",
        "The above exception was the direct cause of the following exception:",
        "",
        "Traceback (most recent call last):",
        '  File "/app/events.py", line 33, in append',
        "    await conn.execute(stmt)",
        "sqlalchemy.exc.OperationalError: (psycopg.errors.DiskFull) could not extend file",
        "HINT:  Check free disk space.",
        "[SQL: INSERT INTO order_events (order_id) VALUES (%(order_id)s)]",
    ]
    events = list(parse_lines([*access, *crash, access[0]]))
    assert [e.message for e in events] == [
        *(line.removeprefix("INFO:     ") for line in access),
        "\n".join(["Exception in ASGI application", *crash[1:]]),
        access[0].removeprefix("INFO:     "),
    ]
    assert events[8].level == Level.ERROR


def test_year_less_times_fall_in_the_year_of_the_dated_lines_around_them() -> None:
    """kubelet's klog names no year; beside a Flink log of July 2025 it is July 2025, not the
    July before the day the log is read."""
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    flink = "2025-07-08 06:48:13,402 WARN  c.o.GeoEnrich [] - geo-enrich lookup failed: HTTP 503"
    klog = 'I0708 06:48:19.772000    2211 prober.go:107] "Probe failed" probeType="Readiness"'
    events = list(parse_lines([flink, flink, klog, flink], now=now))
    assert [e.timestamp.year if e.timestamp else None for e in events] == [2025] * 4
    # a date inside one message names no log's year
    said = "Jul  8 06:48:13 web-01 backup[311]: ERROR last good snapshot 2023-05-01 03:00 is stale"
    events = list(parse_lines([said, said.replace("ERROR last", "INFO next")], now=now))
    assert [e.timestamp.year if e.timestamp else None for e in events] == [2026, 2026]
    # alone, a year-less time is in the latest year that puts it in the past
    (alone,) = parse_lines([klog], now=now)
    assert alone.timestamp == datetime(2026, 7, 8, 6, 48, 19, 772000, tzinfo=UTC)
    # and never in the future, whatever year a line's head names
    ahead = flink.replace("2025-07-08", "2031-07-08")
    events = list(parse_lines([ahead, ahead, ahead, klog.replace("I0708", "I1201")], now=now))
    assert events[3].timestamp == datetime(2025, 12, 1, 6, 48, 19, 772000, tzinfo=UTC)


def test_each_pasted_commands_output_has_its_own_prefix_and_heads_learned() -> None:
    """A terminal session pasted whole: `journalctl` for a few hundred lines, then `kubectl
    logs --prefix` of an app whose lines (NLog's "time|LEVEL|logger|message") only start far
    past the first lines the stream's heads are learned from."""
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    journal = [
        f"2025-09-16T13:{40 + n // 60:02}:{n % 60:02}+00:00 node-7 containerd[811]: "
        f'time="2025-09-16T13:40:00Z" level=info msg="cleaning up dead shim {n}"'
        for n in range(260)
    ]
    app = [
        f"[pod/catalog-api-7f9c8d6b5-2xkqz/api] 2025-09-16 13:59:{n:02}.4020|ERROR|"
        f"Catalog.Api.ProductsController|GET /api/products failed (attempt {n})"
        for n in range(25)
    ]
    lines = ["$ journalctl -u containerd", *journal, "$ kubectl logs -l app=api --prefix", *app]
    events = list(parse_lines(lines, now=now))
    assert [e.message for e in events[-25:]] == [
        f"GET /api/products failed (attempt {n})" for n in range(25)
    ]
    assert {(e.service, e.level) for e in events[-25:]} == {("api", Level.ERROR)}
    assert events[-1].timestamp == datetime(2025, 9, 16, 13, 59, 24, 402000, tzinfo=UTC)
    assert events[-26].message == "$ kubectl logs -l app=api --prefix"  # a line of its own


def test_commands_pasted_one_after_another_each_keep_their_lines_and_heads() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    nlog = [f"2025-09-16 13:59:{n:02}.4020|ERROR|Catalog.Api|GET failed ({n})" for n in range(25)]
    klog = [
        f'E0916 13:59:{n:02}.0000    2211 prober.go:107] "Probe failed" n={n}' for n in range(10)
    ]
    lines = ["$ uptime", " 13:59:00 up 3 days", "$ kubectl logs api", *nlog, "$ kubectl logs node"]
    lines += klog
    events = list(parse_lines(lines, now=now))
    assert sum(e.line_count for e in events) == len(lines)
    app = [e for e in events if e.message.startswith("GET failed")]
    node = [e for e in events if e.message.startswith('"Probe failed"')]
    assert [(e.level, e.service) for e in app] == [(Level.ERROR, "Catalog.Api")] * 25
    assert all(e.level == Level.ERROR and e.timestamp is not None for e in node)
    assert len(node) == 10
    # a command every other line: each line read once, in order
    chatty = [line for n in range(300) for line in (f"$ echo {n}", f"{n}")]
    assert sum(e.line_count for e in parse_lines(chatty, now=now)) == len(chatty)
    # a line that opens with a price is no command: the export's quoted message goes on
    rows = [f'2025-09-16 13:59:{n:02}.000,"order {n} paid"' for n in range(25)]
    export = [
        "@timestamp,@message",
        '2025-09-16 13:58:59.000,"refund issued:',
        "$ 12.50 to",
        'card 4242"',
    ]
    events = list(parse_lines([*export, *rows], now=now))
    assert events[0].message == "refund issued:\n$ 12.50 to\ncard 4242"
    assert [e.message for e in events[1:]] == [f"order {n} paid" for n in range(25)]

"""A syslog file's head read as an aggregator prefix: what a program writes keeps its own
shape behind it, multi-line events included."""

from __future__ import annotations

from datetime import UTC, datetime

from doctor.digest import Level, parse_lines
from doctor.digest.headers import learn
from doctor.digest.prefixes import learn as learn_prefix

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

# rsyslog forwarding an app's stderr (a Python traceback, with SQLAlchemy's lines after it),
# interleaved with PostgreSQL and a second worker of the same app on another host
FORWARDED = [
    "Nov 26 10:31:30 app-1 orders-api[2231]: 2026-11-26 10:31:30,400 ERROR outbox publish failed",
    "Nov 26 10:31:30 app-1 orders-api[2231]: Traceback (most recent call last):",
    'Nov 26 10:31:30 app-1 orders-api[2231]:   File "/opt/app/outbox.py", line 64, in run_once',
    "Nov 26 10:31:30 db-1 postgres[21231]: [1-1] ERROR:  could not extend file: No space left",
    "Nov 26 10:31:30 app-2 orders-api[2231]: 2026-11-26 10:31:30,410 INFO order 17 accepted",
    "Nov 26 10:31:30 app-1 orders-api[2231]:     session.commit()",
    "Nov 26 10:31:30 app-1 orders-api[2231]: sqlalchemy.exc.OperationalError: (DiskFull) no space",
    "Nov 26 10:31:30 app-1 orders-api[2231]: HINT:  Check free disk space.",
    "Nov 26 10:31:30 app-1 orders-api[2231]: ",
    "Nov 26 10:31:30 app-1 orders-api[2231]: [SQL: UPDATE outbox SET published_at=now()]",
    "Nov 26 10:31:30 app-1 orders-api[2231]: (Background on this error at: https://sqlalche.me/e)",
    "Nov 26 10:31:31 app-1 orders-api[2231]: 2026-11-26 10:31:31,002 INFO order 18 accepted",
    "Nov 26 10:31:32 app-2 orders-api[2231]: 2026-11-26 10:31:32,120 INFO order 19 accepted",
]


def test_a_forwarded_traceback_stays_one_event_among_other_programs_lines() -> None:
    events = list(parse_lines(FORWARDED, now=NOW))
    assert [(e.service, e.first_line, e.line_count) for e in events] == [
        ("orders-api", 0, 9),  # its lines around the others', its blank line kept inside
        ("postgres", 3, 1),
        ("orders-api", 4, 1),  # the same program and pid on another host: its own event
        ("orders-api", 11, 1),
        ("orders-api", 12, 1),
    ]
    crash = events[0]
    assert crash.line_numbers == [0, 1, 2, 5, 6, 7, 8, 9, 10]
    assert crash.level == Level.ERROR
    assert crash.message.startswith("outbox publish failed\nTraceback (most recent call last):")
    assert crash.message.endswith("(Background on this error at: https://sqlalche.me/e)")
    # the app's own time (with its milliseconds) is the event's, not the syslog second
    assert crash.timestamp == datetime(2026, 11, 26, 10, 31, 30, 400000, tzinfo=UTC)


def test_the_syslog_time_stands_for_a_line_without_one_and_is_never_ahead() -> None:
    lines = [
        "Nov 26 10:00:00 web-1 nginx[12]: worker process 31 exited on signal 9",
        "Nov 26 10:00:01 web-1 kernel: Out of memory: Killed process 31 (nginx)",
        "Dec 31 23:59:59 web-1 cron[7]: (root) CMD (run-parts /etc/cron.hourly)",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.timestamp) for e in events] == [
        ("nginx", datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)),
        ("kernel", datetime(2026, 11, 26, 10, 0, 1, tzinfo=UTC)),
        ("cron", datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)),  # last year's, not ahead
    ]
    assert events[0].message == "worker process 31 exited on signal 9"


def test_journald_short_iso_is_a_prefix_and_an_apps_own_head_is_not() -> None:
    journald = [
        "2026-11-26T10:31:30+0000 app-1 orders-api[2231]: Traceback (most recent call last):",
        '2026-11-26T10:31:30+0000 app-1 orders-api[2231]:   File "/app/x.py", line 3, in f',
        "2026-11-26T10:31:30+0000 app-1 orders-api[2231]: KeyError: 'sku'",
        "2026-11-26T10:31:31+0000 app-1 sshd(pam_unix)[77]: session opened for user deploy",
        # the kernel has no pid: once the stream is known for journald's, it is read all the same
        "2026-11-26T10:31:32+0000 app-1 kernel: Out of memory: Killed process 411920 (postgres)",
    ]
    events = list(parse_lines(journald, now=NOW))
    assert [(e.service, e.line_count) for e in events] == [
        ("orders-api", 3),
        ("sshd", 1),
        ("kernel", 1),
    ]
    assert events[2].message.startswith("Out of memory: Killed process")
    assert events[2].timestamp == datetime(2026, 11, 26, 10, 31, 32, tzinfo=UTC)
    # "<time> <level> <logger>: <message>" is an app's head, whatever the logger's name
    app = [f"2026-11-26T10:31:3{n}Z warn api: slow upstream {n}" for n in range(5)]
    assert learn_prefix(app, NOW) is None
    threads = [f"2026-11-26T10:31:3{n}Z main c.a.OrderService: order {n} saved" for n in range(5)]
    assert learn_prefix(threads, NOW) is None  # no pid: a thread and a logger, no syslog
    events = list(parse_lines(app, now=NOW))
    assert events[0].level == Level.WARNING
    assert events[0].message.endswith("slow upstream 0")
    assert events[0].timestamp == datetime(2026, 11, 26, 10, 31, 30, tzinfo=UTC)


def test_a_messages_own_words_ending_in_a_time_are_no_head() -> None:
    # ftpd's own line ends with a time: its words are the message, so the next line of the
    # same process is an event of its own, not the rest of an empty-bodied head
    lines = [f"connection from 10.0.0.{n} () at Fri Jun 17 07:07:0{n} 2005" for n in range(6)]
    model = learn(lines, NOW)
    assert model is not None
    assert model.whole  # the line is the message, its time the event's
    syslog = [
        f"Jun 17 07:07:0{n} combo ftpd[29{n}]: connection from 10.0.0.{n} () at "
        f"Fri Jun 17 07:07:0{n} 2005"
        for n in range(6)
    ] + ["Jun 17 07:22:00 combo ftpd[290]: User unknown timed out after 900 seconds"]
    events = list(parse_lines(syslog, now=NOW))
    assert len(events) == 7
    assert events[-1].level == Level.ERROR


def test_aws_logs_tail_groups_a_lambda_groups_lines_by_instance() -> None:
    a = "2026-11-26T10:18:08.17{n}000+00:00 2026/11/26/[$LATEST]48c4c7a8a663f96673e9e84e5d481589"
    b = "2026-11-26T10:18:08.17{n}500+00:00 2026/11/26/[$LATEST]9a1f0c22b7e34d6e8f5a0b1c2d3e4f50"
    lines = [
        # two instances print a traceback a line at a time (one CloudWatch event per line),
        # interleaved as `aws logs tail` merges the streams
        a.format(n=0) + " Traceback (most recent call last):",
        b.format(n=0) + " [ERROR] inventory call failed",
        a.format(n=1) + '   File "/var/task/app.py", line 10, in handler',
        b.format(n=1) + " Traceback (most recent call last):",
        a.format(n=2) + "     sku = event['sku']",
        b.format(n=2) + '   File "/var/task/app.py", line 22, in handler',
        a.format(n=3) + " KeyError: 'sku'",
        b.format(n=3) + "     raise TimeoutError('inventory')",
        b.format(n=4) + " TimeoutError: inventory",
        # one event of several lines: `aws logs tail` prints its further lines bare
        a.format(n=5) + " [ERROR] ValueError: bad price",
        "Traceback (most recent call last):",
        '  File "/var/task/app.py", line 31, in handler',
        "    price = Decimal(raw)",
        b.format(n=6) + " END RequestId: 6b0f1e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.first_line, e.line_numbers or e.line_count) for e in events] == [
        (0, [0, 2, 4, 6]),
        (1, [1, 3, 5, 7, 8]),
        (9, 4),
        (13, 1),
    ]
    assert events[0].message.endswith("KeyError: 'sku'")
    assert events[1].message.endswith("TimeoutError: inventory")
    assert events[2].level == Level.ERROR


def test_aws_logs_tail_of_an_ecs_group_names_the_container_and_groups_by_task() -> None:
    task_a = "2026-11-26T10:23:45.504467+00:00 ecs/invoice-api/48ff05cf148b85bcae6b33c435139963 "
    task_b = "2026-11-26T10:23:45.600000+00:00 ecs/invoice-api/d1e86b7d59fd25a2d4a0e9710a46aea4 "
    lines = [
        task_a + "[2026-11-26 10:23:45 +0000] [7] [ERROR] Exception in worker process",
        task_a + "Traceback (most recent call last):",
        task_b + "[2026-11-26 10:23:45 +0000] [1] [INFO] Booting worker with pid: 8",
        task_a + '  File "/app/wsgi.py", line 3, in <module>',
        task_a + "botocore.exceptions.ClientError: An error occurred (AccessDeniedException)",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.line_numbers or e.line_count, e.level) for e in events] == [
        ("invoice-api", [0, 1, 3, 4], Level.ERROR),
        ("invoice-api", 1, Level.INFO),
    ]


def test_stern_across_namespaces_names_the_container() -> None:
    lines = [
        "orders orders-api-66f8d9c7b-kq2zn orders-api 2026-11-26T16:21:25.744Z info: started",
        "kube-system coredns-6f9b8c7d5-4kxzt coredns 2026-11-26T16:21:26.381Z [ERROR] plugin/"
        "errors: 2 payments.example. A: read udp 10.0.46.19:47083->10.0.0.2:53: i/o timeout",
        "orders orders-api-66f8d9c7b-kq2zn orders-api 2026-11-26T16:21:27.170Z info: placed",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.level) for e in events] == [
        ("orders-api", Level.INFO),
        ("coredns", Level.ERROR),
        ("orders-api", Level.INFO),
    ]


def test_aws_logs_tail_reads_any_stream_name_with_a_slash_or_an_instance_id() -> None:
    ecs = "2026-11-26T10:31:0{n}.100000+00:00 ecs/orders-api/9c04660e694daeb126f0fe2b8bb2ad98 "
    agent = "2026-11-26T10:31:0{n}.200000+00:00 i-0a1b2c3d4e5f60718 "
    web = "2026-11-26T10:31:0{n}.300000+00:00 web/access "
    lines = [  # the ECS task's lines are the fewest: the stream names are read all the same
        ecs.format(n=1) + "Error: Missing required environment variable: DATABASE_URL",
        ecs.format(n=1) + "    at loadConfig (/app/config.js:12:11)",
        agent.format(n=2) + 'level=info msg="Task stopped" container=orders-api exit=1',
        web.format(n=3) + '10.0.1.5 - - "GET /orders HTTP/1.1" 503 0',
        agent.format(n=4) + 'level=info msg="Task started" container=orders-api',
        web.format(n=5) + '10.0.1.6 - - "GET /orders HTTP/1.1" 503 0',
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.line_count) for e in events] == [
        ("orders-api", 2),  # the container the stream names; its stack whole
        (None, 1),
        (None, 1),
        (None, 1),
        (None, 1),
    ]
    assert events[0].timestamp == datetime(2026, 11, 26, 10, 31, 1, 100000, tzinfo=UTC)
    assert events[2].message.startswith("10.0.1.5 - -")  # the stream name is no part of it


def test_a_time_of_day_alone_gives_way_to_the_aggregators_dated_time() -> None:
    # Elixir's Logger writes the time of day only; kubectl's time says which day it was
    pod = "[pod/storefront-worker-5b7c6d9f8-2hx4r/worker] 2026-02-26T15:20:0{n}.552854Z "
    lines = [pod.format(n=n) + f"15:20:0{n}.552 [error] warm-up aborted {n}" for n in range(4)]
    events = list(parse_lines(lines, now=NOW))
    assert [e.timestamp for e in events] == [
        datetime(2026, 2, 26, 15, 20, n, 552854, tzinfo=UTC) for n in range(4)
    ]
    assert {(e.level, e.service) for e in events} == {(Level.ERROR, "worker")}


def test_a_bare_line_joins_the_last_writer_only_behind_aws_logs_tail() -> None:
    compose = [
        "worker-1  | 2026-11-26 10:31:30,400 ERROR job failed",
        "worker-1  | Traceback (most recent call last):",
        'worker-1  |   File "/app/job.py", line 3, in run',
        "orders-api-1 exited with code 137",  # compose's own line: nobody's stack
        "worker-1  | KeyError: 'sku'",
    ]
    events = list(parse_lines(compose, now=NOW))
    assert [(e.service, e.line_numbers or e.line_count) for e in events] == [
        ("worker", [0, 1, 2, 4]),
        (None, 1),
    ]


def test_an_ec2_hosts_rfc3339_syslog_is_syslog_not_aws_logs_tail() -> None:
    lines = [
        "2026-11-26T10:31:30.101234+00:00 i-0123456789abcdef0 systemd[1]: Started Orders API.",
        "2026-11-26T10:31:31.101234+00:00 i-0123456789abcdef0 kernel: Out of memory: Killed "
        "process 2231 (python3)",
        "2026-11-26T10:31:31.201234+00:00 i-0123456789abcdef0 systemd[1]: orders.service: Main "
        "process exited, code=killed, status=9/KILL",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.service for e in events] == ["systemd", "kernel", "systemd"]
    assert events[1].message.startswith("Out of memory: Killed process")


def test_an_apps_time_and_a_word_with_a_slash_are_no_aws_logs_tail_stream() -> None:
    lines = [
        f"2026-11-26T10:00:0{n}Z api/orders ERROR failed to insert order {n}" for n in range(5)
    ]
    assert learn_prefix(lines, NOW) is None
    brackets = [f"2026-11-26T10:00:0{n}.000000+00:00 [main/INFO] Starting {n}" for n in range(5)]
    assert learn_prefix(brackets, NOW) is None


def test_a_host_or_program_named_after_a_level_is_still_a_syslog_head() -> None:
    lines = [f"Nov 26 10:00:0{n} alert-1 info-api[3]: request {n} served" for n in range(4)]
    lines.insert(1, "Nov 26 10:00:01 alert-1 info-api[3]: Traceback (most recent call last):")
    lines.insert(2, 'Nov 26 10:00:01 alert-1 info-api[3]:   File "/app/x.py", line 1, in f')
    lines.insert(3, "Nov 26 10:00:01 alert-1 info-api[3]: KeyError: 'x'")
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.line_count) for e in events] == [("info-api", 4)] + [("info-api", 1)] * 3
    # while a level word where the host stands is an app's head (year-less, no pid needed)
    assert learn_prefix([f"Nov 26 10:00:0{n} warn api: slow {n}" for n in range(4)], NOW) is None


def test_a_naive_app_time_behind_a_zoned_syslog_time_is_in_the_syslog_times_zone() -> None:
    lines = [
        "2026-11-26T19:31:30+0900 app-1 orders-api[2231]: 2026-11-26 19:31:30,400 ERROR publish "
        "failed",
        "2026-11-26T19:31:31+0900 db-1 postgres[21231]: could not extend file: No space left",
        # where the two agree (both in UTC), the app's own time, to the millisecond, is kept
        "2026-11-26T10:31:32+0000 app-1 orders-api[2231]: 2026-11-26 10:31:32,400 INFO retried",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.timestamp for e in events] == [
        datetime(2026, 11, 26, 10, 31, 30, tzinfo=UTC),
        datetime(2026, 11, 26, 10, 31, 31, tzinfo=UTC),
        datetime(2026, 11, 26, 10, 31, 32, 400000, tzinfo=UTC),
    ]


def test_syslog_times_are_read_in_the_zone_the_streams_own_zoned_times_show() -> None:
    access = (
        "Sep  2 15:4{n}:14 web-01 apache-access: 10.20.8.{n} - - [02/Sep/2026:15:4{n}:14 +0200] "
        '"GET /portal HTTP/1.1" 200 18689'
    )
    lines = [
        *(access.format(n=n) for n in range(5)),
        "Sep  2 15:46:01 app-03 catalina: 02-Sep-2026 15:46:01.469 SEVERE [exec-8] "
        "java.lang.OutOfMemoryError: Java heap space",  # the app's own time names no zone
        "Sep  2 15:46:02 app-03 systemd-resolved[612]: DNSSEC validation failed",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.timestamp for e in events] == [
        *(datetime(2026, 9, 2, 13, 40 + n, 14, tzinfo=UTC) for n in range(5)),
        datetime(2026, 9, 2, 13, 46, 1, tzinfo=UTC),  # CEST, as the access lines show
        datetime(2026, 9, 2, 13, 46, 2, tzinfo=UTC),
    ]
    # where nothing tells the zone, a syslog time is UTC's, as before
    (alone,) = parse_lines(lines[-1:], now=NOW)
    assert alone.timestamp == datetime(2026, 9, 2, 15, 46, 2, tzinfo=UTC)
    # nor do times further apart than any two zones (a replayed log, a time the message names)
    replayed = [line.replace("02/Sep/2026", "01/Sep/2026") for line in lines]
    last = list(parse_lines(replayed, now=NOW))[-1]
    assert last.timestamp == datetime(2026, 9, 2, 15, 46, 2, tzinfo=UTC)


def test_a_process_managers_prefix_names_the_process_beside_other_files_lines() -> None:
    # honcho's and foreman's time of day and process, pm2's id and name; a quarter of the
    # lines is enough: the rest is other logs printed beside them
    honcho = [
        "14:21:06 worker.1 | 2026-09-15 14:21:06,412 ERROR   [billing.crm.oauth] token refresh "
        "failed: HTTP 401",
        '14:21:09 web.1    | INFO:     10.0.2.219:31851 - "GET /healthz HTTP/1.1" 200 OK',
        '{"requestTime":"15/Sep/2026:14:21:10 +0000","status":"502","routeKey":"POST /v1/x"}',
        '{"requestTime":"15/Sep/2026:14:21:11 +0000","status":"200","routeKey":"GET /v1/y"}',
        '{"requestTime":"15/Sep/2026:14:21:12 +0000","status":"200","routeKey":"GET /v1/z"}',
    ]
    events = list(parse_lines(honcho, now=NOW))
    assert [e.service for e in events[:2]] == ["worker", "web"]
    # the line's own dated time, not honcho's time of day placed on some day
    assert events[0].timestamp == datetime(2026, 9, 15, 14, 21, 6, 412000, tzinfo=UTC)
    assert events[0].message == "token refresh failed: HTTP 401"
    pm2 = [
        '3|api  | {"level":50,"time":1789048561135,"msg":"pricing quote failed"}',
        '4|jobs | {"level":30,"time":1789048562135,"msg":"reindex batch done"}',
        "2026-09-10T09:55:16.854-0400 [DEBUG] agent: Check status updated: check=api",
        "2026-09-10T09:55:17.854-0400 [DEBUG] agent: Check status updated: check=db",
        "2026-09-10T09:55:18.854-0400 [DEBUG] agent: Check status updated: check=jobs",
    ]
    events = list(parse_lines(pm2, now=NOW))
    assert [e.service for e in events[:2]] == ["api", "jobs"]
    assert [e.message for e in events[:2]] == ["pricing quote failed", "reindex batch done"]
    assert events[0].level == Level.ERROR


def test_lines_that_merely_hold_a_bar_take_no_process_managers_prefix() -> None:
    lines = [
        "12:00:01 a | b",  # once: a quarter of five lines is two
        "2026-09-10T09:55:16Z INFO load 3|4 | cpu",
        "2026-09-10T09:55:17Z INFO ok",
        "2026-09-10T09:55:18Z INFO ok",
        "2026-09-10T09:55:19Z INFO ok",
    ]
    assert learn_prefix(lines, NOW) is None


def test_a_time_of_day_and_a_level_before_a_bar_are_no_process_managers_prefix() -> None:
    # Python's logging with datefmt="%H:%M:%S" and bars between its fields
    lines = [
        "14:21:06 WARNING  | orders.api | slow request 2.3s",
        "14:21:07 INFO     | orders.api | request done",
        "14:21:08 ERROR    | orders.db | connection reset",
        "14:21:09 INFO     | orders.api | request done",
    ]
    assert learn_prefix(lines, NOW) is None
    events = list(parse_lines(lines, now=NOW))
    assert [e.level for e in events] == [Level.WARNING, Level.INFO, Level.ERROR, Level.INFO]


def test_a_container_runtimes_lines_among_other_logs_are_read_by_their_prefix() -> None:
    # a CRI file pasted among an Envoy and a Ruby log: a few lines in twenty are enough, and a
    # Go crash's dump behind the prefix is one event
    others = [
        f'[2026-10-27T21:05:{i % 60:02d}.189Z] "GET /tiles/1/2/3.png HTTP/1.1" 200 - 0 31043 32 11'
        for i in range(50)
    ]
    crash = [
        "fatal error: unexpected signal during runtime execution",
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x7f3b2c1d4e51]",
        "",
        "goroutine 1 gp=0xc0008a4380 m=9 mp=0xc000600808 [syscall]:",
        "runtime.cgocall(0x1589f40, 0xc000b5f6f8)",
        "\t/usr/local/go/src/runtime/cgocall.go:157 +0x4b fp=0xc000b5f6d0 sp=0xc000b5f698",
        "",
        "goroutine 7 gp=0xc000102a80 m=nil [IO wait]:",
        "internal/poll.runtime_pollWait(0x7f3b2c1d4e51, 0x72)",
    ]
    cri = [f"2026-10-27T21:06:01.{i:09d}Z stderr F {line}" for i, line in enumerate(crash)]
    # eight lines in fifty-eight: a seventh, under a quarter
    assert learn_prefix([*others, *cri], NOW) is not None
    events = list(parse_lines([*others, *cri], now=NOW))
    assert events[-1].message.split("\n") == crash
    assert events[-1].level == Level.CRITICAL
    # one such line is no stream's shape
    assert learn_prefix([*others, cri[0]], NOW) is None


def test_a_two_line_excerpt_takes_a_usual_prefix_from_its_one_prefixed_line() -> None:
    # `aws logs tail` prints an event's further lines bare: half of two lines is enough for a
    # usual prefix (only the lower-share ones need two lines)
    lines = [
        "2026-11-26T10:31:30.400000+00:00 app/api/0123456789abcdef0123456789abcdef ERROR boom",
        "Traceback (most recent call last):",
    ]
    assert learn_prefix(lines, NOW) is not None
    (event,) = parse_lines(lines, now=NOW)
    assert event.service == "api"

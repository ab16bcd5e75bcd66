"""JSON records that wrap one line a program wrote (journald's export, Docker's json-file, a
shipper's record of a container's line): read as that writer's lines, so a traceback written
one record per line is one event."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from doctor.digest import Level, LogEvent, digest_lines, parse_lines
from doctor.digest.wrapped import DOCKER_SPLIT, wrapped_line

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
START = 1794990400_000000  # journald's microseconds: 2026-11-18T08:26:40Z

TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "/app/worker.py", line 41, in run',
    "    self.flush()",
    '  File "/app/worker.py", line 88, in flush',
    "    os.write(fd, chunk)",
    "OSError: [Errno 28] No space left on device",
]


def _lines(event: LogEvent) -> list[int]:
    """The input lines an event holds, 0-based."""
    return event.line_numbers or list(range(event.first_line, event.first_line + event.line_count))


def _journal(n: int, message: str, pid: str, ident: str = "worker", priority: str = "6") -> str:
    return json.dumps(
        {
            "__REALTIME_TIMESTAMP": str(START + n * 1000),
            "PRIORITY": priority,
            "_HOSTNAME": "ip-10-0-1-5",
            "SYSLOG_IDENTIFIER": ident,
            "_PID": pid,
            "MESSAGE": message,
        }
    )


def _docker(
    n: int, log: str, stream: str = "stderr", extra: dict[str, object] | None = None
) -> str:
    stamp = f"2026-11-18T08:26:{n:02d}.123456789Z"
    return json.dumps({"log": log, "stream": stream, "time": stamp, **(extra or {})})


def test_a_traceback_journald_stores_a_line_per_record_is_one_event() -> None:
    lines = [_journal(0, "job 7 failed, retrying later", "311", priority="3")]
    lines += [_journal(i, text, "311", priority="3") for i, text in enumerate(TRACEBACK, 1)]
    # another process writes between the frames, as journald interleaves them
    lines.insert(3, _journal(2, "Accepted publickey for deploy", "902", ident="sshd"))
    lines.append(_journal(9, "job 8 done", "311"))
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.message.split("\n")[0], _lines(e)) for e in events] == [
        ("worker", "job 7 failed, retrying later", [0, 1, 2, 4, 5, 6, 7]),
        ("sshd", "Accepted publickey for deploy", [3]),
        ("worker", "job 8 done", [8]),
    ]
    crash = events[0]
    assert crash.message.split("\n")[1:] == TRACEBACK
    assert crash.level == Level.ERROR
    assert crash.timestamp == datetime(2026, 11, 18, 8, 26, 40, tzinfo=UTC)  # the record's
    assert events[1].level == Level.INFO
    assert events[2].level == Level.INFO


def test_two_processes_of_one_program_keep_their_own_tracebacks() -> None:
    a = [_journal(i, t, "311", priority="3") for i, t in enumerate(TRACEBACK)]
    b = [_journal(i, t.replace("28", "5"), "312", priority="3") for i, t in enumerate(TRACEBACK)]
    lines = [line for pair in zip(a, b, strict=True) for line in pair]  # perfectly interleaved
    events = list(parse_lines(lines, now=NOW))
    assert [e.message.split("\n") for e in events] == [
        TRACEBACK,
        [t.replace("28", "5") for t in TRACEBACK],
    ]
    assert _lines(events[0]) == [0, 2, 4, 6, 8, 10]


def test_a_message_of_several_lines_in_one_record_stays_one_event() -> None:
    lines = [_journal(0, "\n".join(TRACEBACK), "311", priority="3"), _journal(1, "next", "311")]
    events = list(parse_lines(lines, now=NOW))
    assert [e.message for e in events] == ["\n".join(TRACEBACK), "next"]


def test_docker_json_file_records_are_read_as_the_containers_lines() -> None:
    lines = [_docker(0, "2026-11-18 08:26:00,120 ERROR [worker] flush failed\n")]
    lines += [_docker(i, text + "\n") for i, text in enumerate(TRACEBACK, 1)]
    lines.insert(2, _docker(1, "GET /healthz 200\n", stream="stdout"))  # the other stream
    events = list(parse_lines(lines, now=NOW))
    assert [e.message.split("\n")[0] for e in events] == ["flush failed", "GET /healthz 200"]
    crash = events[0]
    assert crash.message.split("\n")[1:] == TRACEBACK
    assert crash.level == Level.ERROR
    assert crash.service == "worker"
    assert crash.timestamp == datetime(2026, 11, 18, 8, 26, 0, 120000, tzinfo=UTC)
    assert events[1].timestamp == datetime(2026, 11, 18, 8, 26, 1, 123456, tzinfo=UTC)
    # one pattern id per input line, the frames' lines sharing their event's
    digest = digest_lines(lines)
    assert len(digest.line_assignments) == len(lines)
    assert len(set(digest.line_assignments)) == 2


def test_a_shippers_record_names_the_container_and_a_split_line_is_joined() -> None:
    pod = {"container_name": "indexer", "pod_name": "indexer-5c7b8d9f6-p3x8n"}
    k8s: dict[str, object] = {"kubernetes": pod}
    head = "x" * (DOCKER_SPLIT - 10)
    lines = [
        _docker(0, "ERROR bulk rejected: " + head, stream="stdout", extra={"_p": "P", **k8s}),
        _docker(1, "es_rejected_execution_exception", stream="stdout", extra={"_p": "F", **k8s}),
        _docker(2, "ok", stream="stdout", extra={"_p": "F", **k8s}),
        # Docker's own 16 KiB cut: no newline at the end of all but the last piece
        _docker(3, "WARN " + "y" * DOCKER_SPLIT),
        _docker(4, " tail of the long line\n"),
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.message[-33:], _lines(e)) for e in events] == [
        ("indexer", "xxes_rejected_execution_exception", [0, 1]),
        ("indexer", "ok", [2]),
        (None, "yyyyyyyyyyy tail of the long line", [3, 4]),
    ]
    assert events[0].level == Level.ERROR
    assert events[2].level == Level.WARNING


def test_an_apps_structured_record_is_no_wrapped_line() -> None:
    # a level, an exception or a message of its own: the record is the app's event
    for record in (
        {"log": "flush failed", "level": "error"},
        {"log": "flush failed", "message": "flush failed"},
        {"log": "flush failed", "exception": "OSError: disk"},
        {"log": {"level": "error"}, "message": "flush failed"},  # ECS puts its level under "log"
    ):
        assert wrapped_line(json.dumps(record)) is None, record
    events = list(parse_lines([json.dumps({"log": "flush failed", "level": "error"})], now=NOW))
    assert [(e.level, e.message) for e in events] == [(Level.ERROR, "flush failed")]
    found = wrapped_line(_docker(0, "  at x\n"))
    assert found is not None
    assert (found.text, found.partial) == ("  at x", False)


def test_the_wrapped_lines_heads_are_learned_so_their_indented_details_join() -> None:
    db: dict[str, object] = {"kubernetes": {"container_name": "postgres"}}
    lines = [
        _docker(i, f"2026-11-18 08:26:{i:02d}.000 UTC [61] LOG:  checkpoint starting\n", extra=db)
        for i in range(4)
    ]
    lines += [
        _docker(5, "2026-11-18 08:26:05.000 UTC [88] ERROR:  deadlock detected\n", extra=db),
        _docker(5, "\tProcess 88 waits for ShareLock on transaction 5521.\n", extra=db),
        _docker(6, "2026-11-18 08:26:06.000 UTC [61] LOG:  checkpoint complete\n", extra=db),
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.level, e.message) for e in events[4:]] == [
        (
            Level.ERROR,
            "deadlock detected\n\tProcess 88 waits for ShareLock on transaction 5521.",
        ),
        (Level.INFO, "checkpoint complete"),
    ]
    assert {e.service for e in events} == {"postgres"}


def test_a_long_line_shipped_whole_stays_one_line_and_replicas_are_writers_of_their_own() -> None:
    def pod(name: str, partial: str = "F") -> dict[str, object]:
        return {"_p": partial, "kubernetes": {"container_name": "api", "pod_name": name}}

    dump = "2026-11-18 08:26:00,100 INFO payload dump " + "x" * 20_000  # no newline: CRI's
    lines = [
        _docker(0, dump, stream="stdout", extra=pod("api-1")),
        _docker(1, "2026-11-18 08:26:01,100 ERROR db connection lost", "stdout", pod("api-1")),
    ]
    # two replicas of one container, their tracebacks interleaved line by line
    a = [_docker(2, t, extra=pod("api-1")) for t in TRACEBACK]
    b = [_docker(2, t.replace("28", "5"), extra=pod("api-2")) for t in TRACEBACK]
    lines += [line for pair in zip(a, b, strict=True) for line in pair]
    events = list(parse_lines(lines, now=NOW))
    assert [e.message.split("\n")[0][-20:] for e in events[:2]] == [
        "x" * 20,
        "db connection lost",
    ]
    assert [e.message.split("\n") for e in events[2:]] == [
        TRACEBACK,
        [t.replace("28", "5") for t in TRACEBACK],
    ]


def test_a_docker_cut_is_rejoined_across_other_writers_lines() -> None:
    lines = [
        _docker(0, "WARN " + "y" * DOCKER_SPLIT),  # cut: its rest is stderr's next record
        _docker(1, "GET /healthz 200\n", stream="stdout"),
        _docker(2, " tail of the long line\n"),
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.message[-22:], _lines(e)) for e in events] == [
        (" tail of the long line", [0, 2]),
        ("GET /healthz 200", [1]),
    ]


def _gelf(n: int, message: str, container: str = "worker", **extra: object) -> str:
    record = {
        "version": "1.1", "host": "gke-pool-2-m2d9", "short_message": message,
        "timestamp": 1795681560.120 + n, "level": 3 if n == 0 else 6,
        "_container_name": container, "_pod_name": f"{container}-6b8f7c9d5-tx4rn", **extra,
    }  # fmt: skip
    return json.dumps(record)


def test_graylogs_gelf_messages_of_one_line_are_read_as_the_containers_lines() -> None:
    lines = [_gelf(0, "2026-11-26 08:26:00,120 ERROR [worker] flush failed")]
    lines += [_gelf(i, text) for i, text in enumerate(TRACEBACK, 1)]
    lines.insert(2, _gelf(1, "GET /healthz 200", container="web"))  # another container's
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.message.split("\n")[0]) for e in events] == [
        ("worker", "flush failed"),
        ("web", "GET /healthz 200"),
    ]
    assert events[0].message.split("\n")[1:] == TRACEBACK
    assert events[0].level == Level.ERROR
    assert events[1].timestamp == datetime(2026, 11, 26, 8, 26, 1, 120000, tzinfo=UTC)
    # a message that holds its whole traceback is an event of its own, as it is
    whole = _gelf(0, "flush failed", full_message="\n".join(["flush failed", *TRACEBACK]))
    assert wrapped_line(whole) is None
    # a level that is no syslog severity (true, 9) says nothing
    for odd in (True, 9):
        (event,) = parse_lines([_gelf(1, "cache warmed", level=odd)], now=NOW)
        assert event.level == Level.INFO

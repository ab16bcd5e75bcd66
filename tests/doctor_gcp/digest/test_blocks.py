"""JSON records printed over several lines (gcloud, the AWS CLI, jq): one event per record."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from doctor.digest import Level, digest_lines, parse_lines

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _entry(second: int, message: str, severity: str = "ERROR") -> dict[str, object]:
    """A Cloud Logging entry as `gcloud logging read --format=json` prints it."""
    return {
        "insertId": f"0a1b{second}",
        "jsonPayload": {"message": message, "reason": "OOMKilling"},
        "resource": {"labels": {"container_name": "memcached", "namespace_name": "cache"}},
        "severity": severity,
        "timestamp": f"2025-09-16T13:59:{second:02d}.500Z",
    }


def _printed(obj: object) -> list[str]:
    return json.dumps(obj, indent=2).split("\n")


def test_an_entry_keeps_its_dated_time_over_its_messages_year_less_head() -> None:
    """A kubelet line shipped by Cloud Logging: its klog head names no year, read alone it
    would be this year's; the entry says the year, as a line of its own or printed over
    several."""
    entry = _entry(27, 'E0916 13:59:27.118233    2187 log.go:32] "PullImage failed" err="429"')
    for lines in ([json.dumps(entry)], _printed([entry])):
        (event,) = [e for e in parse_lines(lines, now=NOW) if e.message.startswith('"Pull')]
        assert event.timestamp == datetime(2025, 9, 16, 13, 59, 27, 500000, tzinfo=UTC)


def test_an_entry_read_late_keeps_its_messages_dated_time() -> None:
    """An agent catching up a backlog stamps entries when it read them: a message's own dated
    time, half an hour earlier, is when it happened."""
    entry = _entry(27, "2025-09-16T13:29:27.118Z ERROR payment capture failed")
    (event,) = parse_lines([json.dumps(entry)], now=NOW)
    assert event.timestamp == datetime(2025, 9, 16, 13, 29, 27, 118000, tzinfo=UTC)


def test_a_pretty_printed_array_of_entries_gives_one_event_per_entry() -> None:
    killed = "Memory cgroup out of memory: Killed process 88412 (memcached)"
    lines = ["$ gcloud logging read 'severity>=WARNING' --format=json"]
    lines += _printed([_entry(27, killed), _entry(31, "Started memcached", "INFO")])
    events = list(parse_lines(lines, now=NOW))
    assert [(e.message, e.level, e.service) for e in events[1:]] == [
        (killed, Level.ERROR, "memcached"),
        ("Started memcached", Level.INFO, "memcached"),
    ]
    assert events[1].timestamp == datetime(2025, 9, 16, 13, 59, 27, 500000, tzinfo=UTC)
    # each entry holds its own lines; the array's brackets are no event
    first, second = events[1], events[2]
    assert lines[first.first_line].strip() == "{"
    assert lines[first.first_line + first.line_count - 1].strip() == "},"
    assert second.first_line == first.first_line + first.line_count
    assignments = digest_lines(lines).line_assignments
    assert len(assignments) == len(lines)
    assert assignments[1] is None  # "["
    assert assignments[-1] is None  # "]"
    assert len(set(assignments[first.first_line : second.first_line])) == 1


def test_a_containers_records_are_the_events_and_its_own_keys_are_none() -> None:
    # `aws logs filter-log-events`: the events, and the streams it searched beside them
    stream = {"logStreamName": "api/1"}
    output = {
        "events": [
            {**stream, "timestamp": 1758031166000, "message": "ERROR pool exhausted"},
            {**stream, "timestamp": 1758031167000, "message": "INFO retrying"},
        ],
        "searchedLogStreams": [{**stream, "searchedCompletely": True}],
    }
    events = list(parse_lines(_printed(output), now=NOW))
    assert [(e.message, e.level) for e in events] == [
        ("pool exhausted", Level.ERROR),
        ("retrying", Level.INFO),
    ]
    assert events[0].timestamp == datetime(2025, 9, 16, 13, 59, 26, tzinfo=UTC)


def test_braces_that_hold_no_json_are_read_as_the_lines_they_are() -> None:
    lines = ["{", "  not json: at all", "}", "2026-11-27T10:00:00Z ERROR after the block"]
    events = list(parse_lines(lines, now=NOW))
    assert sum(e.line_count for e in events) == len(lines)
    assert events[-1].message == "after the block"
    # a block never closed (the paste was cut) keeps its lines too
    cut = ["{", '  "message": "half a record",']
    assert sum(e.line_count for e in parse_lines(cut, now=NOW)) == 2


def test_no_line_is_lost_however_braces_open_and_never_close() -> None:
    lines = [
        "2026-11-27T10:00:00Z ERROR traceback follows",
        "{",
        "2026-11-27T10:00:01Z ERROR db down",
        "  {",
        "2026-11-27T10:00:02Z ERROR db down again",
        "{",
        "2026-11-27T10:00:03Z FATAL exiting",
    ]
    for cut in range(1, len(lines) + 1):
        assert len(digest_lines(lines[:cut]).line_assignments) == cut
    assert "exiting" in [e.message for e in parse_lines(lines, now=NOW)]
    many = ["{" if n % 10 == 0 else f"line {n}" for n in range(3000)]
    assert len(digest_lines(many).line_assignments) == 3000


def test_a_containers_records_printed_one_per_line_are_events_of_their_own() -> None:
    records = [
        {"timestamp": 1758031166000, "message": "ERROR pool exhausted"},
        {"timestamp": 1758031167000, "message": "INFO retrying"},
    ]
    lines = ["{", '  "events": [', *[f"    {json.dumps(r)}," for r in records], "  ]", "}"]
    lines[3] = lines[3].removesuffix(",")
    events = list(parse_lines(lines, now=NOW))
    assert [(e.message, e.first_line, e.line_count) for e in events] == [
        ("pool exhausted", 2, 1),
        ("retrying", 3, 1),
    ]

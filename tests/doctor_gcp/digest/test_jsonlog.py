"""JSON records whose logger nests the error among the record's fields (`jsonlog`)."""

from __future__ import annotations

import json

import pytest

from doctor.digest import Level, parse_lines

LAGER = {
    "timestamp": "2026-03-10T12:31:18.402817273Z", "level": "error", "source": "atc",
    "message": "atc.lidar-checker.run.check.errored",
    "data": {
        "error": "resource script '/opt/resource/check []' failed: exit status 1\n\nstderr:\n"
        "toomanyrequests: You have reached your pull rate limit.",
        "session": "18.1.4",
    },
}  # fmt: skip
REFUSED = {"class": "PDOException", "message": "SQLSTATE[HY000] [2002] Connection refused"}
MONOLOG = {
    "message": "Uncaught PHP Exception", "level_name": "CRITICAL", "channel": "request",
    "datetime": "2026-03-10T12:31:18.402817+00:00", "context": {"exception": REFUSED},
}  # fmt: skip


@pytest.mark.parametrize(
    ("record", "said"),
    [
        (LAGER, "toomanyrequests: You have reached your pull rate limit."),
        (MONOLOG, "PDOException: SQLSTATE[HY000] [2002] Connection refused"),
    ],
    ids=["lager-data", "monolog-context"],
)
def test_an_error_nested_in_the_records_fields_follows_its_message(
    record: dict[str, object], said: str
) -> None:
    (event,) = parse_lines([json.dumps(record)])
    lines = event.message.split("\n")
    assert lines[0] == record["message"]
    assert said in lines
    assert event.level is Level.ERROR or event.level is Level.CRITICAL


def test_an_error_at_the_top_is_taken_before_a_nested_one() -> None:
    record = {**LAGER, "error": "dial tcp 10.0.0.5:5432: connect: connection refused"}
    (event,) = parse_lines([json.dumps(record)])
    assert event.message.split("\n")[1] == "dial tcp 10.0.0.5:5432: connect: connection refused"
    assert "toomanyrequests" not in event.message


def test_nested_fields_without_an_error_add_nothing() -> None:
    record = {**LAGER, "data": {"session": "18.1.4", "build": 48411}}
    (event,) = parse_lines([json.dumps(record)])
    assert event.message == "atc.lidar-checker.run.check.errored"

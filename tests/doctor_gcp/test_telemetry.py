"""The JSON log line Cloud Logging reads."""

from __future__ import annotations

import json
import logging
import time

from doctor.telemetry import STARTED, CloudRunFormatter


def test_extra_fields_become_queryable_keys_but_never_replace_the_basics() -> None:
    record = logging.LogRecord("doctor", logging.INFO, __file__, 1, "analysis done", None, None)
    record.fields = {"prompt_tokens": 1234, "cost_usd": 0.0021, "severity": "spoofed"}
    entry = json.loads(CloudRunFormatter(project_id=None).format(record))
    assert (entry["prompt_tokens"], entry["cost_usd"]) == (1234, 0.0021)
    assert (entry["severity"], entry["message"]) == ("INFO", "analysis done")


def _access(target: str, status: object = 200) -> logging.LogRecord:
    """A line as uvicorn's access logger writes it (uvicorn/protocols/http/*_impl.py)."""
    args = ("203.0.113.7:51234", "GET", target, "1.1", status)
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None
    )


def test_access_lines_become_http_request_fields_without_the_query_string() -> None:
    record = _access("/reports/abc?exp=1767225600&sig=c2VjcmV0LXNpZ25hdHVyZQ")
    line = CloudRunFormatter(project_id=None).format(record)
    entry = json.loads(line)
    assert entry["message"] == "GET /reports/abc 200"
    assert entry["httpRequest"] == {
        "requestMethod": "GET",
        "requestUrl": "/reports/abc",
        "status": 200,
        "protocol": "HTTP/1.1",
        "remoteIp": "203.0.113.7",
    }
    assert "sig=" not in line
    assert "c2VjcmV0" not in line
    assert "exp=" not in line


def test_an_access_line_inside_a_request_carries_its_latency() -> None:
    token = STARTED.set(time.perf_counter() - 0.25)
    try:
        entry = json.loads(CloudRunFormatter(project_id=None).format(_access("/healthz")))
    finally:
        STARTED.reset(token)
    latency = entry["httpRequest"]["latency"]
    assert latency.endswith("s")
    assert 0.25 <= float(latency[:-1]) < 5


def test_other_lines_and_odd_access_lines_keep_their_message() -> None:
    plain = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "x %s", ("y",), None)
    assert "httpRequest" not in json.loads(CloudRunFormatter(None).format(plain))
    odd = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s %s", ("a", "b"), None)
    entry = json.loads(CloudRunFormatter(None).format(odd))  # not uvicorn's shape: as it was
    assert "httpRequest" not in entry
    assert entry["message"] == "a b"

from __future__ import annotations

import json
from datetime import UTC, datetime

from chaos_app.events import Event, Stamped, Style
from chaos_app.render import to_json, to_text

TS = datetime(2026, 11, 22, 9, 5, 7, 123456, tzinfo=UTC)
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/app/orders.py", line 42, in create\n'
    "    conn = pool.getconn()\n"
    "psycopg2.OperationalError: connection refused"
)


def test_json_line_keeps_the_whole_traceback_in_one_field() -> None:
    event = Event(
        "ERROR", "app.db", "checkout failed", exception=TRACEBACK, fields={"request_id": "r1"}
    )
    line = to_json(Stamped(TS, event, "db-outage"))
    assert "\n" not in line
    record = json.loads(line)
    assert record == {
        "timestamp": "2026-11-22T09:05:07.123Z",
        "level": "ERROR",
        "logger": "app.db",
        "message": "checkout failed",
        "request_id": "r1",
        "scenario": "db-outage",
        "exception": TRACEBACK,
    }


def test_healthy_json_line_has_null_scenario_and_no_exception() -> None:
    record = json.loads(to_json(Stamped(TS, Event("INFO", "app.http", "GET /health 200"), None)))
    assert record["scenario"] is None
    assert "exception" not in record


def test_text_puts_the_traceback_on_following_lines() -> None:
    event = Event("ERROR", "app.db", "checkout failed", exception=TRACEBACK)
    lines = to_text(Stamped(TS, event, "db-outage")).splitlines()
    assert lines[0] == "2026-11-22T09:05:07.123Z ERROR   [app.db] checkout failed"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "psycopg2.OperationalError: connection refused"


def test_text_renders_each_software_in_its_own_format() -> None:
    def text(event: Event) -> str:
        return to_text(Stamped(TS, event, "x"))

    nginx = Event(
        "ERROR",
        "nginx.error",
        "upstream timed out",
        style=Style.NGINX,
        native_level="error",
        fields={"pid": 31},
    )
    assert text(nginx) == "2026/11/22 09:05:07 [error] 31#31: upstream timed out"
    postgres = Event(
        "CRITICAL",
        "postgres",
        "sorry, too many clients already",
        style=Style.POSTGRES,
        native_level="FATAL",
        fields={"pid": 812},
    )
    assert (
        text(postgres)
        == "2026-11-22 09:05:07.123 UTC [812] FATAL:  sorry, too many clients already"
    )
    kernel = Event(
        "CRITICAL",
        "kernel",
        "Out of memory: Killed process 4242 (java)",
        style=Style.KERNEL,
        fields={"host": "ip-10-0-1-5"},
    )
    assert (
        text(kernel)
        == "Nov 22 09:05:07 ip-10-0-1-5 kernel: Out of memory: Killed process 4242 (java)"
    )
    go = Event("CRITICAL", "main", "panic: runtime error", style=Style.GO)
    assert text(go) == "2026/11/22 09:05:07 panic: runtime error"

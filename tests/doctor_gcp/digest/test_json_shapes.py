"""JSON records read by their own shape: journald's export and CloudWatch Logs Insights'."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from doctor.digest import Level, parse_lines

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _journal(message: object, priority: str, **fields: str) -> str:
    return json.dumps(
        {
            "__CURSOR": "s=f412061586cd9d4b4863cc4406ae33fc;i=5a2f11",
            "__REALTIME_TIMESTAMP": "1774904933234343",
            "__MONOTONIC_TIMESTAMP": "2473064234343",
            "PRIORITY": priority,
            "_HOSTNAME": "img-01",
            "MESSAGE": message,
            **fields,
        }
    )


def test_journald_export_gives_time_message_writer_and_priority() -> None:
    lines = [
        _journal("WARNING resizer.render: source not found", "6", SYSLOG_IDENTIFIER="uvicorn"),
        _journal(
            "resizer.service: Main process exited, code=dumped, status=11/SEGV",
            "4",
            _SYSTEMD_UNIT="init.scope",
            _COMM="systemd",
        ),
        _journal("request served", "3", _SYSTEMD_UNIT="resizer.service"),
        _journal([104, 105, 255], "6", _COMM="resizer"),  # not UTF-8: journald sends bytes
        _journal("GET /healthz 200", "6", SYSLOG_IDENTIFIER="4f1d2c3b5a69", CONTAINER_NAME="web"),
    ]
    events = list(parse_lines(lines, now=NOW))
    stamp = datetime(2026, 3, 30, 21, 8, 53, 234343, tzinfo=UTC)
    assert [(e.timestamp, e.service, e.level, e.message) for e in events] == [
        (stamp, "uvicorn", Level.WARNING, "source not found"),  # its own head read
        (  # init.scope: systemd itself
            stamp,
            "systemd",
            Level.ERROR,
            "resizer.service: Main process exited, code=dumped, status=11/SEGV",
        ),
        (stamp, "resizer", Level.ERROR, "request served"),  # priority 3 (err) raises it
        (stamp, "resizer", Level.INFO, "hi\ufffd"),
        (stamp, "web", Level.INFO, "GET /healthz 200"),  # Docker's journald driver
    ]


def test_an_insights_json_export_reads_the_apps_record_inside_each_message() -> None:
    app = {"event": "otp delivery failed", "level": "error", "logger": "auth.otp",
           "timestamp": "2026-11-04T14:38:10.380Z"}  # fmt: skip
    lines = [
        "[",
        json.dumps(
            {
                "@timestamp": "2026-11-04 14:38:10.385",
                "@log": "4123:/ecs/auth-service",
                "@message": json.dumps(app),
            }
        )
        + ",",
        json.dumps(
            {
                "@timestamp": "2026-11-04 14:38:11.001",
                "@log": "4123:/ecs/auth-service",
                "@message": json.dumps({"event": "login ok", "level": "info"}),
            }
        )
        + ",",
        json.dumps(
            {
                "@timestamp": "2026-11-04 14:38:12.002",
                "@log": "4123:/aws/lambda/notify",
                "@message": "Task timed out after 3.00 seconds",
            }
        ),
        "]",
    ]
    events = list(parse_lines(lines, now=NOW))  # the array's brackets are no events
    assert [(e.message, e.level, e.service, e.timestamp) for e in events] == [
        ("otp delivery failed", Level.ERROR, "auth.otp",
         datetime(2026, 11, 4, 14, 38, 10, 380000, tzinfo=UTC)),  # the app's own time
        ("login ok", Level.INFO, "auth-service",  # the log group's, where the app names none
         datetime(2026, 11, 4, 14, 38, 11, 1000, tzinfo=UTC)),  # the export's time
        ("Task timed out after 3.00 seconds", Level.ERROR, "notify",
         datetime(2026, 11, 4, 14, 38, 12, 2000, tzinfo=UTC)),
    ]  # fmt: skip


def test_a_shippers_envelope_names_the_service_by_its_fields_file_or_unit() -> None:
    def beat(**extra: object) -> str:
        record = {"@timestamp": "2026-01-20T10:19:31.276Z", "host": {"name": "inv-02"},
                  "agent": {"type": "filebeat"}, "message": "GET /stock 200"}  # fmt: skip
        return json.dumps({**record, **extra})

    lines = [
        beat(fields={"service": "inventory-api", "env": "prod"}),  # Filebeat's custom fields
        beat(log={"file": {"path": "/var/log/nginx/access.log"}, "offset": 26369244}),
        beat(systemd={"unit": "inventory.service"}, process={"name": "java"}),  # journald input
        beat(systemd={"unit": "init.scope"}, process={"name": "systemd"}),
        beat(process={"name": "java"}),
        beat(agent={"type": "filebeat", "name": "inv-02"}),  # an agent's own name is none
    ]
    services = [e.service for e in parse_lines(lines, now=NOW)]
    assert services == ["inventory-api", "nginx", "inventory", "systemd", "java", None]


def test_a_records_line_with_a_head_of_its_own_is_mined_without_it() -> None:
    # An export states the time and a level, and its message is the server's whole line: the
    # line's head is no message, and a level it names is the writer's (its stream's is not)
    def record(message: str, level: str) -> str:
        return json.dumps(
            {
                "timestamp": "2026-06-14T09:17:42.000Z",
                "level": level,
                "service": "db",
                "message": message,
            }
        )

    lines = [
        record(
            "2026-06-14 09:17:42 UTC:10.40.33.5(57745):ledger@checkout:[30412]:FATAL:  "
            "remaining connection slots are reserved",
            "error",
        ),
        record("2026-06-14 09:17:43,120 INFO [exports_api.scheduler] schedules loaded", "error"),
        record("[2026-06-14 09:17:44] WARNING quota near for tenant t-4", "info"),
        record("2 workers died", "error"),  # a digit first, but no head: the line is the message
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.message for e in events] == [
        "remaining connection slots are reserved",
        "schedules loaded",
        "quota near for tenant t-4",
        "2 workers died",
    ]
    assert [e.level for e in events] == [Level.CRITICAL, Level.INFO, Level.WARNING, Level.ERROR]
    assert [e.service for e in events] == ["db"] * 4
    # the record's time stands, not the line's
    assert {e.timestamp for e in events} == {datetime(2026, 6, 14, 9, 17, 42, tzinfo=UTC)}
    # a record without a time of its own: the line's head gives the time, and its level too
    untimed = json.dumps({"level": "error", "message": "2026-06-14 09:17:45,120 INFO [a] ok"})
    (event,) = parse_lines([untimed], now=NOW)
    assert (event.message, event.level) == ("ok", Level.INFO)


def test_a_records_stated_level_stands_against_a_level_word_that_opens_its_message() -> None:
    # no head with a time: "Warning: mysqli_connect()" is PHP's message, the record says ERROR
    record = json.dumps(
        {"severity": "ERROR", "message": "Warning: mysqli_connect(): (HY000/2002): refused"}
    )
    (event,) = parse_lines([record], now=NOW)
    assert event.level == Level.ERROR


def _waf(action: str, rule_type: str, acl: str, **extra: object) -> str:
    return json.dumps(
        {
            "timestamp": 1791051857311,
            "formatVersion": 1,
            "webaclId": acl,
            "terminatingRuleId": "api-rate-limit-per-ip",
            "terminatingRuleType": rule_type,
            "action": action,
            "httpSourceName": "ALB",
            "httpRequest": {
                "clientIp": "198.51.100.23",
                "uri": "/v1/cart/items",
                "httpMethod": "POST",
                "headers": [{"name": "user-agent", "value": "node-fetch"}],
            },
            **extra,
        }
    )


_ACL = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/prod-api-acl/4f1b2c3d"


def test_an_aws_waf_record_says_which_rule_did_what_to_which_request() -> None:
    blocked, allowed, classic, said = parse_lines(
        [
            _waf("BLOCK", "RATE_BASED", _ACL),
            _waf("ALLOW", "REGULAR", _ACL),
            _waf("BLOCK", "RATE_BASED", "c3f2a1b0-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
            _waf("BLOCK", "RATE_BASED", _ACL, message="custom"),
        ],
        now=NOW,
    )
    assert blocked.message == (
        "WAF BLOCK POST /v1/cart/items from <IP-1> by RATE_BASED rule api-rate-limit-per-ip"
    )
    assert (blocked.level, blocked.service) == (Level.WARNING, "prod-api-acl")
    assert blocked.timestamp == datetime(2026, 10, 3, 18, 24, 17, 311000, tzinfo=UTC)
    assert (allowed.level, allowed.message.split(" ")[:2]) == (Level.INFO, ["WAF", "ALLOW"])
    assert classic.service == "waf"
    assert said.message == "custom"  # a record that says what happened is read as it says

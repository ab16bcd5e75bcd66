"""CloudWatch Logs Insights' CSV export: each row read as the record it is."""

from __future__ import annotations

from datetime import UTC, datetime

from doctor.digest import Level, digest_lines, parse_lines
from doctor.digest.exports import csv_columns

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
GROUP = "111122223333:/aws/lambda/rendition-writer"
STREAM = "2026/11/26/[$LATEST]8ea449528708fc47eb368a5ae2aae5ac"
EXPORT = [
    "@timestamp,@log,@logStream,@message",
    f'2026-11-26 13:50:02.306,{GROUP},{STREAM},"{{""level"":""INFO"",""message"":""Generating '
    'renditions"",""service"":""rendition-writer""}"',
    f'2026-11-26 14:09:47.538,{GROUP},{STREAM},"[ERROR] ClientError: An error occurred '
    "(SlowDown) when calling the PutObject operation",
    "Traceback (most recent call last):",
    '  File ""/var/task/app.py"", line 44, in handler',
    '    return write_all(event[""source_key""])"',
    "2026-11-26 14:09:48.001,111122223333:/ecs/manifest-builder,ecs/manifest-builder/"
    "0b7e3d9c4a2f4e1b8c6d5a9f3e2b1c07,manifest written",
]


def test_each_row_is_one_record_read_by_its_fields() -> None:
    events = list(parse_lines(EXPORT, now=NOW))
    assert [(e.first_line, e.line_count, e.service, e.level) for e in events] == [
        (1, 1, "rendition-writer", Level.INFO),  # the app's JSON record inside @message
        (2, 4, "rendition-writer", Level.ERROR),  # a traceback quoted across four lines
        (6, 1, "manifest-builder", Level.INFO),  # the log group names the service
    ]
    assert events[0].message == "Generating renditions"
    assert events[1].message.startswith("ClientError: An error occurred (SlowDown)")
    assert events[1].message.endswith('    return write_all(event["source_key"])')
    assert events[2].timestamp == datetime(2026, 11, 26, 14, 9, 48, 1000, tzinfo=UTC)
    # one pattern id per input line, the header's none
    assignments = digest_lines(EXPORT).line_assignments
    assert len(assignments) == len(EXPORT)
    assert assignments[0] is None
    assert len(set(assignments[2:6])) == 1


def test_a_quote_never_closed_leaves_its_lines_read_as_lines() -> None:
    cut = [*EXPORT[:3], "Traceback (most recent call last):"]  # the export was cut short
    events = list(parse_lines(cut, now=NOW))
    assert sum(e.line_count for e in events) == 3  # every line but the header, none lost
    assert len(digest_lines(cut).line_assignments) == len(cut)


def test_an_export_pasted_below_the_command_that_printed_it_is_read_as_one() -> None:
    pasted = ["$ cat logs-insights-results.csv", *EXPORT]
    events = list(parse_lines(pasted, now=NOW))
    assert [(e.first_line, e.line_count, e.service) for e in events][1:] == [
        (2, 1, "rendition-writer"),
        (3, 4, "rendition-writer"),
        (7, 1, "manifest-builder"),
    ]
    assert events[0].message == "$ cat logs-insights-results.csv"  # a line of its own, kept
    assert events[2].level is Level.ERROR
    assignments = digest_lines(pasted).line_assignments
    assert len(assignments) == len(pasted)
    assert assignments[0] is not None
    assert assignments[1] is None  # the header's none
    # a header further down is a line like any other: the rows are no export
    late = ["$ cat results.csv", "# exported from the console", "", "---", *EXPORT]
    assert EXPORT[0] in [e.message for e in parse_lines(late, now=NOW)]


def test_only_an_exports_header_starts_one() -> None:
    assert csv_columns("@timestamp,@message") == ["@timestamp", "@message"]
    assert csv_columns("@timestamp,@log,@logStream,@message,@ingestionTime") is not None
    # another export's header: its columns as the JSON reader's keys
    assert csv_columns("Timestamp,Level,Message") == ["timestamp", "level", "message"]
    assert csv_columns("2026-11-26 13:50:02,@message") is None
    assert csv_columns("@message is empty, retrying") is None


def test_other_exports_are_read_by_the_time_message_service_and_level_columns() -> None:
    datadog = [
        '"Date","Host","Service","Status","Message"',  # Log Explorer's, newest first
        '"2026-06-14T09:17:58.000Z","i-0c3f","checkout-api","error","pool exhausted: '
        'HikariPool-1 - Connection is not available, request timed out after 30000ms"',
        '"2026-06-14T09:17:42.000Z","db-1","aurora-checkout","error","FATAL:  remaining '
        'connection slots are reserved"',
        '"2026-06-14T09:17:40.000Z","i-0c3f","checkout-api","info","GET /healthz 200"',
    ]
    events = list(parse_lines(datadog, now=NOW))
    assert [(e.timestamp, e.service, e.level, e.message[:22]) for e in events] == [
        (datetime(2026, 6, 14, 9, 17, 58, tzinfo=UTC), "checkout-api", Level.ERROR,
         "pool exhausted: Hikari"),
        (datetime(2026, 6, 14, 9, 17, 42, tzinfo=UTC), "aurora-checkout", Level.ERROR,
         "FATAL:  remaining conn"),
        (datetime(2026, 6, 14, 9, 17, 40, tzinfo=UTC), "checkout-api", Level.INFO,
         "GET /healthz 200"),
    ]  # fmt: skip
    splunk = [
        "_time,host,source,_raw",
        '2026-06-14T09:17:42.000+00:00,web-1,/var/log/app.log,"ERROR boom',
        "Traceback (most recent call last):",
        '  File ""/app/x.py"", line 1, in f',
        'ValueError: x"',
    ]
    (event,) = parse_lines(splunk, now=NOW)
    assert (event.first_line, event.line_count, event.service) == (1, 4, "app")
    assert event.message.endswith("ValueError: x")


def test_an_audit_trails_rows_without_a_message_column_are_read_by_their_fields() -> None:
    athena = [  # an Athena query of CloudTrail, every field quoted
        '"eventtime","eventsource","eventname","useridentity_arn","errorcode","errormessage"',
        '"2025-07-24T16:22:47Z","s3.amazonaws.com","PutBucketPolicy","arn:aws:sts::5839:'
        'assumed-role/gha-terraform-apply/GitHubActions","",""',
        '"2025-07-24T16:22:58Z","s3.amazonaws.com","PutObject","arn:aws:sts::5839:assumed-role'
        '/partner-drop-normalizer/fn","AccessDenied","User is not authorized to perform: '
        's3:PutObject with an explicit deny in a resource-based policy"',
    ]
    events = list(parse_lines(athena, now=NOW))
    assert [e.timestamp for e in events] == [
        datetime(2025, 7, 24, 16, 22, 47, tzinfo=UTC),
        datetime(2025, 7, 24, 16, 22, 58, tzinfo=UTC),
    ]
    assert '"eventname": "PutBucketPolicy"' in events[0].message
    assert '"errorcode": "AccessDenied"' in events[1].message
    # Sumo Logic's: its epoch millis first take the time (its text time after them does not)
    sumo = [
        '"_messagetimems","_messagetime","_sourcecategory","_raw"',
        '"1753374316694","07/24/2025 16:25:16.694 +0000","aws/lambda/normalizer","put curated '
        'object: AccessDenied"',
    ]
    (event,) = parse_lines(sumo, now=NOW)
    assert event.timestamp == datetime(2025, 7, 24, 16, 25, 16, 694000, tzinfo=UTC)
    assert event.message == "put curated object: AccessDenied"


def test_a_header_without_a_message_column_needs_a_timed_row_below_it() -> None:
    # a log's own lines below a line of column names stay the log's lines, message and all
    lines = [
        "timestamp,level,service,host",
        "2026-01-20 09:00:01,123 ERROR [main] c.e.Db - connection refused to orders-db:5432",
        "2026-01-20 09:00:02,456 INFO  [main] c.e.Db - retrying",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.message for e in events[1:]] == ["connection refused to orders-db:5432", "retrying"]
    assert events[1].timestamp == datetime(2026, 1, 20, 9, 0, 1, 123000, tzinfo=UTC)
    assert csv_columns("timestamp,level") is None  # too few columns to be an audit trail's


def test_a_header_without_a_time_and_one_message_column_is_a_line() -> None:
    for line in (
        "Message,Host",  # no time
        "time,message,msg",  # two messages
        "time of day, message",  # no field names
        "@timestamp,@message,",
    ):
        assert csv_columns(line) is None, line
    assert csv_columns('"Date","Message"') == ["timestamp", "message"]

"""A source pasted below another's without a banner or a command between is read with heads
of its own (`doctor.digest.shapes`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from doctor.digest import parse_lines
from doctor.digest.parse import LogParser
from doctor.digest.shapes import foreign_run, opens_another, run_end, shape, shapes
from doctor.digest.types import LogEvent

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 11, 18, 10, 2, tzinfo=UTC)


def _hubble(count: int, ahead: timedelta = timedelta(0)) -> list[str]:
    """`hubble observe` in the engineer's local time (no zone, `ahead` of UTC): a flow every
    5 s."""
    return [
        f"{T0 + ahead + timedelta(seconds=5 * i):%b %d %H:%M:%S}.248: payments/api-b5hcx:"
        f"{40000 + i} "
        "(ID:48213) -> db/pg-orders-0:5432 (ID:19283) to-endpoint FORWARDED (TCP Flags: ACK)"
        for i in range(count)
    ]


def _kubectl(count: int, start: datetime = T0) -> list[str]:
    """`kubectl logs --prefix --timestamps` of a JSON logger, in UTC: a line every 5 s."""
    lines = []
    for i in range(count):
        at = start + timedelta(seconds=5 * i)
        stamp = f"{at:%Y-%m-%dT%H:%M:%S}.531Z"
        lines.append(
            f"[pod/payments-api-6c8d9b7f54-tw7lp/payments-api] {stamp} "
            f'{{"@timestamp":"{stamp}","message":"payment {i} captured","level":"INFO"}}'
        )
    return lines


def _at_hand(lines: list[str]) -> list[LogEvent]:
    """The events of a file at hand (`cloud-doctor analyze --file`): read ahead for sections."""
    return list(LogParser(now=NOW, at_hand=True).parse(lines))


def test_a_lines_shape_is_what_its_head_is_made_of() -> None:
    assert shape("Nov 18 11:02:06.248: payments/api") == "a 9 9:"
    assert shape("Nov  8 11:02:06.248: payments/api") == "a 9 9:"  # one run of blanks
    assert shape("[pod/payments-api-6c8d9b7f54-tw7lp/payments-api] 2025") == "[a/a-a"
    assert shape("[pod/api-7d9f/api] 2025") == "[a/a-9"
    assert shape("2025-11-18T10:02:05.531Z INFO") == "9-9-9a"
    assert shapes(["  at com.example.Main(Main.java:3)", ""]) == frozenset()  # no heads


def test_a_line_may_open_another_source_only_as_a_timed_head_in_a_new_shape() -> None:
    known = shapes(_hubble(30))
    kubectl = _kubectl(1)[0]
    assert opens_another(kubectl, known)
    assert not opens_another(_hubble(1)[0], known)  # a shape the source took
    assert not opens_another("  " + kubectl, known)  # indented: goes on the line before
    assert not opens_another("[pod/payments-api] payment captured", known)  # no time


def test_a_run_is_foreign_only_when_nearly_all_of_its_lines_are() -> None:
    known = shapes(_hubble(30))
    assert foreign_run(_kubectl(30), known)
    assert not foreign_run(_kubectl(29), known)  # too few to tell
    assert not foreign_run(_kubectl(26) + _hubble(4), known)  # 26 of 30 is not 90%
    assert foreign_run(_kubectl(27) + _hubble(3), known)


def test_the_source_that_opens_a_run_ends_where_another_begins() -> None:
    lines = _kubectl(40) + _hubble(50)
    assert run_end(lines) == 40
    assert run_end(_kubectl(90)) == 90


def test_a_source_pasted_below_another_without_a_banner_has_heads_of_its_own() -> None:
    lines = _hubble(250) + _kubectl(250, T0 + timedelta(minutes=30))
    events = _at_hand(lines)
    assert len(events) == 500
    second = events[250]
    assert second.timestamp == T0 + timedelta(minutes=30, milliseconds=531)
    assert second.service == "payments-api"
    assert second.message == "payment 0 captured"
    assert all(e.timestamp is not None and e.service == "payments-api" for e in events[250:])
    # the first source is read as before
    assert events[0].timestamp == T0 + timedelta(milliseconds=248)
    assert events[0].message.startswith("payments/api-b5hcx:40000 (ID:48213)")


def test_a_short_source_between_two_others_is_learned_from_its_own_lines() -> None:
    redis = [
        f"1:M 18 Nov 2026 {T0 + timedelta(minutes=40, seconds=5 * i):%H:%M:%S}.100 * "
        f"{i} changes in 300 seconds. Saving..."
        for i in range(200)
    ]
    lines = _hubble(250) + _kubectl(60, T0 + timedelta(minutes=30)) + redis
    events = _at_hand(lines)
    assert len(events) == 510
    assert all(e.service == "payments-api" for e in events[250:310])
    assert events[310].timestamp == T0 + timedelta(minutes=40, milliseconds=100)
    assert events[310].message.endswith("* 0 changes in 300 seconds. Saving...")


def test_an_unannounced_section_in_local_time_is_read_in_the_zone_of_a_file_at_hand() -> None:
    # the same half hour twice: hubble in the engineer's local time (UTC+1, no zone), then
    # the app's kubectl lines in UTC; a file at hand is read ahead for its sections' zones
    lines = _hubble(360, timedelta(hours=1)) + _kubectl(360)
    events = list(LogParser(now=NOW, at_hand=True).parse(lines))
    assert events[0].timestamp == T0 + timedelta(milliseconds=248)
    assert events[360].timestamp == T0 + timedelta(milliseconds=531)
    # read as it comes, nothing is read ahead: the local times stay as written
    streamed = list(parse_lines(lines, now=NOW))
    assert streamed[0].timestamp == T0 + timedelta(hours=1, milliseconds=248)


def test_a_stray_line_above_the_change_does_not_hold_the_new_source_back() -> None:
    stray = "WARNING: 2026-11-18 10:22:50 hubble: lost 3 flows (ring buffer full)"
    lines = [*_hubble(245), stray, *_hubble(5), *_kubectl(200, T0 + timedelta(minutes=30))]
    events = _at_hand(lines)
    assert all(e.service == "payments-api" for e in events[251:])


def test_a_report_below_a_head_that_announces_it_stays_in_its_event() -> None:
    ticks = [
        f"2026-11-18 10:{i // 60:02d}:{i % 60:02d},000 INFO  [scheduler] tick {i}"
        for i in range(250)
    ]
    head = "2026-11-18 10:10:00,000 ERROR [scheduler] 40 jobs failed in the last hour:"
    rows = [
        f"job-{i:03d}  nightly-export  started 2026-11-18 09:{i:02d}:22  exit=137"
        for i in range(40)
    ]
    events = _at_hand([*ticks, head, *rows, *ticks[:40]])
    report = next(e for e in events if "jobs failed" in e.message)
    assert report.line_count == 41
    assert len(events) == 250 + 1 + 40


def test_a_stream_read_as_it_comes_is_not_held_back_to_look_for_sources() -> None:
    lines = _hubble(250) + _kubectl(250, T0 + timedelta(minutes=30))
    events = list(parse_lines(lines, now=NOW))
    assert len(events) == 500
    assert events[250].service is None  # read with the first source's heads, as it came

"""A source pasted below another's without a banner or a command between is read with heads
of its own (`doctor.digest.shapes`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from doctor.digest import parse_lines
from doctor.digest.shapes import foreign_run, run_end, shape, shapes

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 11, 18, 10, 2, tzinfo=UTC)


def _hubble(count: int) -> list[str]:
    """`hubble observe` in the engineer's local time (no zone): a flow every 5 s."""
    return [
        f"{T0 + timedelta(seconds=5 * i):%b %d %H:%M:%S}.248: payments/api-b5hcx:{40000 + i} "
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


def test_a_lines_shape_is_what_its_head_is_made_of() -> None:
    assert shape("Nov 18 11:02:06.248: payments/api") == "a 9 9:"
    assert shape("Nov  8 11:02:06.248: payments/api") == "a 9 9:"  # one run of blanks
    assert shape("[pod/payments-api-6c8d9b7f54-tw7lp/payments-api] 2025") == "[a/a-a"
    assert shape("2025-11-18T10:02:05.531Z INFO") == "9-9-9a"
    assert shapes(["  at com.example.Main(Main.java:3)", ""]) == frozenset()  # no heads


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
    events = list(parse_lines(lines, now=NOW))
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
    events = list(parse_lines(lines, now=NOW))
    assert len(events) == 510
    assert all(e.service == "payments-api" for e in events[250:310])
    assert events[310].timestamp == T0 + timedelta(minutes=40, milliseconds=100)
    assert events[310].message.endswith("* 0 changes in 300 seconds. Saving...")

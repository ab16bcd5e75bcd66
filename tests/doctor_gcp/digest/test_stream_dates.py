"""A stream's year and first date, read from its first lines."""

from __future__ import annotations

from datetime import UTC, datetime

from doctor.digest.reading import untimed
from doctor.digest.stream_dates import first_dated, years_before
from doctor.digest.streams import parse_records
from doctor.digest.zones import Timed

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_year_less_times_are_placed_before_half_a_year_after_the_latest_dated_head() -> None:
    sample = [f"2025-07-08 06:48:{s:02d} INFO job step {s}" for s in range(10)]
    assert years_before(sample, NOW) == datetime(2026, 1, 6, 6, 48, tzinfo=UTC)


def test_a_date_inside_a_few_messages_names_no_year() -> None:
    sample = [
        "I1122 23:58:28 kubelet.go:1] sync",
        "Nov 22 23:58:29 host cron[1]: backup of 2019-03-01 12:00 done",
    ]
    sample += [f"Nov 22 23:58:{s:02d} host app[2]: tick" for s in range(30, 50)]
    assert years_before(sample, NOW) is None


def test_the_year_is_never_placed_after_now() -> None:
    sample = [f"2026-11-20T10:00:{s:02d}Z ERROR x" for s in range(5)]
    assert years_before(sample, NOW) == NOW


def test_the_first_dated_time_is_a_heads_or_a_records_not_a_time_of_day_alone() -> None:
    clock = Timed(None, datetime(2026, 1, 1, 9, 0, tzinfo=UTC), False, clock=True)
    sample = ["09:00:00 worker up", '{"time": "2026-03-04T05:06:07Z", "msg": "x"}']
    assert first_dated(sample, [clock, None]) == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    dated = Timed(None, datetime(2026, 2, 2, 2, 2, tzinfo=UTC), True)
    assert first_dated(sample, [dated, None]) == dated.time


def _paste() -> list[str]:
    """A paste: a syslog file (no year) above 300 lines of another file's dated ones."""
    syslog = [
        f"Nov 20 08:{m:02d}:{s:02d} app03 dnsmasq[1123]: query[A] api.example from 10.0.5.3"
        for m in range(10, 15)
        for s in range(0, 60)
    ]
    dated = [
        f"2025-11-20 08:{m:02d}:{s:02d} ERROR exim: host lookup did not complete"
        for m in range(10, 15)
        for s in range(0, 60)
    ]
    return syslog + dated


def test_a_file_at_hand_dates_its_year_less_first_section_by_the_lines_below() -> None:
    events = list(parse_records(untimed(_paste()), now=NOW, at_hand=True))
    assert {e.timestamp.year for e in events if e.timestamp is not None} == {2025}


def test_a_stream_still_being_written_does_not_wait_for_the_lines_below() -> None:
    # read as it comes, its first lines alone tell the year: the latest that is not ahead of now
    events = list(parse_records(untimed(_paste()), now=NOW))
    years = [e.timestamp.year for e in events if e.timestamp is not None]
    assert years[0] == 2026

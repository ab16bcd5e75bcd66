"""The zone a paste's leading notes name is the zone of its times that name none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from doctor.digest import parse_lines
from doctor.digest.notes import noted_zone

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
KAFKA = [
    "2026-04-21 09:26:48,317 [myid:2] - ERROR [SyncThread:2:o.a.z.s.SyncRequestProcessor@186]"
    " - Severe unrecoverable error, exiting",
]


def test_a_note_naming_one_zone_tells_it_in_any_of_its_spellings() -> None:
    chicago = "# prod-chi cluster (all hosts on America/Chicago local time, CDT = UTC-5)"
    assert noted_zone([chicago, "", *KAFKA], NOW) == timedelta(hours=-5)
    # summer time where the lines' date falls in it, standard time where it does not
    assert noted_zone(["# hosts on America/Chicago", "2026-01-21 09:00:00 x"], NOW) == timedelta(
        hours=-6
    )
    assert noted_zone(["# times are UTC+05:30", *KAFKA], NOW) == timedelta(hours=5, minutes=30)
    assert noted_zone(["# times in GMT", *KAFKA], NOW) == timedelta(0)


def test_notes_that_name_two_zones_or_none_or_come_late_tell_nothing() -> None:
    two = ["# relay-01 (clock Europe/Berlin): mail.log", "# app-01 (APP_TIMEZONE=UTC): app.log"]
    assert noted_zone([*two, *KAFKA], NOW) is None
    assert noted_zone(["# INC-0804: mails not arriving", *KAFKA], NOW) is None
    assert noted_zone([*KAFKA, "# UTC-5"], NOW) is None  # a comment among the lines is no note
    assert noted_zone(["# hosts on Mars/Olympus_Mons time", *KAFKA], NOW) is None


def test_the_lines_below_a_note_are_read_in_its_zone() -> None:
    note = "# pasted from the hosts (all on America/Chicago local time)"
    events = list(parse_lines([note, "", *KAFKA], now=NOW))
    assert events[-1].timestamp == datetime(2026, 4, 21, 14, 26, 48, 317000, tzinfo=UTC)
    # without the note, the same line is read as UTC
    alone = list(parse_lines(KAFKA, now=NOW))
    assert alone[0].timestamp == datetime(2026, 4, 21, 9, 26, 48, 317000, tzinfo=UTC)


def test_a_zone_named_in_passing_is_no_note_about_the_times() -> None:
    passing = "# INC-2291: a customer in Europe/Berlin reports failed jobs since 12:00 their time"
    assert noted_zone([passing, *KAFKA], NOW) is None
    assert noted_zone(["# clocks: UTC+99", *KAFKA], NOW) is None  # no zone is that far


def test_summer_time_is_read_on_the_day_of_iso_times_written_with_a_t() -> None:
    lines = ["# hosts on America/Chicago", "2026-07-01T09:00:00 ERROR x"]
    assert noted_zone(lines, datetime(2027, 1, 15, tzinfo=UTC)) == timedelta(hours=-5)


# a writer that names no zone beside one that does (Z), at the same moments: in UTC too
_WORKERS = {
    "head": ["{at:%Y-%m-%d %H:%M:%S},000 INFO worker job {i} done"],
    # behind a syslog prefix (a host's time), twice a moment
    "syslog prefix": [
        "{at:%b %d %H:%M:%S} web-01 worker[42]: job {i} done",
        "{at:%b %d %H:%M:%S} web-01 worker[42]: job {i} still done",
    ],
}


@pytest.mark.parametrize("worker", list(_WORKERS))
def test_a_note_gives_way_to_neighbours_that_show_a_source_is_in_utc(worker: str) -> None:
    # the note's zone is the other hosts', not this one's
    start = datetime(2026, 4, 21, 9, 0, tzinfo=UTC)
    lines = ["# pasted from the hosts (all on America/Chicago local time)", ""]
    for i in range(20):
        at = start + timedelta(seconds=30 * i)
        lines.append(f"{at:%Y-%m-%dT%H:%M:%S}.000Z INFO gateway request {i} served")
        lines += [form.format(at=at, i=i) for form in _WORKERS[worker]]
    events = list(parse_lines(lines, now=NOW))
    jobs = [e.timestamp for e in events if e.message.endswith(" done") and "job" in e.message]
    assert jobs[: len(_WORKERS[worker])] == [start] * len(_WORKERS[worker])
    assert jobs[-1] == start + timedelta(seconds=30 * 19)

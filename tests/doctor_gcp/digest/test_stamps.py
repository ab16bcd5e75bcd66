"""Timestamp families: every common shape at a line's head, read to UTC; no year in the future."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from doctor.digest import parse_lines, stamps

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "family", "expected"),
    [
        ("2026-03-16T17:49:25.958123456Z", "iso", datetime(2026, 3, 16, 17, 49, 25, 958123)),
        ("2016-09-28 04:30:30,123", "iso", datetime(2016, 9, 28, 4, 30, 30, 123000)),
        ("2026-01-01 10:00:00+02:00", "iso", datetime(2026, 1, 1, 8, 0, 0)),
        ("2026-01-01 10:00:00 UTC", "iso", datetime(2026, 1, 1, 10, 0, 0)),
        ("2005-06-03-15.42.50.675872", "dashed", datetime(2005, 6, 3, 15, 42, 50, 675872)),
        ("2026/11/22 23:58:23", "slash", datetime(2026, 11, 22, 23, 58, 23)),
        ("17/06/09 20:10:40", "short", datetime(2017, 6, 9, 20, 10, 40)),
        ("Sun Dec 04 04:47:44 2005", "ctime", datetime(2005, 12, 4, 4, 47, 44)),
        ("Mar  2 09:14:55", "syslog", datetime(2026, 3, 2, 9, 14, 55)),
        ("Jun 14 15:16:01 2005", "syslog", datetime(2005, 6, 14, 15, 16, 1)),
        ("E0301 09:14:55.123456", "klog", datetime(2026, 3, 1, 9, 14, 55, 123456)),
        # CockroachDB's klog names the year: not read as ever-recurring March 1st
        ("E250301 09:14:55.123456", "klog", datetime(2025, 3, 1, 9, 14, 55, 123456)),
        ("081109 203615", "compact", datetime(2008, 11, 9, 20, 36, 15)),
        ("20171223-22:16:0:119", "dayclock", datetime(2017, 12, 23, 22, 16, 0, 119000)),
        ("03-16 11:13:38.811", "monthday", datetime(2026, 3, 16, 11, 13, 38, 811000)),
        ("10.30 16:49:06", "monthday", datetime(2025, 10, 30, 16, 49, 6)),
        ("1117838570", "epoch", datetime(2005, 6, 3, 22, 42, 50)),
        ("1773662965123", "epoch", datetime(2026, 3, 16, 12, 9, 25, 123000)),
        ("22 Nov 2026 23:58:02.841", "dmy", datetime(2026, 11, 22, 23, 58, 2, 841000)),
        ("22-Nov-2026 23:58:00.123", "dmy", datetime(2026, 11, 22, 23, 58, 0, 123000)),
        ("7 Mar 2026 09:14:55 +0100", "dmy", datetime(2026, 3, 7, 8, 14, 55)),
    ],
)
def test_each_family_reads_its_shape(text: str, family: str, expected: datetime) -> None:
    found = stamps.find(text)
    assert found is not None, text
    assert found[0].name == family
    assert found[1].end() == len(text)
    assert stamps.convert(*found, now=NOW) == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["12345 apples", "2026-13-45 10:00:00", "1.2.3 release", "Monday morning", "99/99/99 10:00:00"],
)
def test_what_is_not_a_time_is_not_read_as_one(text: str) -> None:
    found = stamps.find(text)
    assert found is None or stamps.convert(*found, now=NOW) is None


def test_a_year_less_stamp_is_never_placed_in_the_future() -> None:
    # On 16 March, "Dec 31" is last December, "Mar 17" (tomorrow) is last year's too, and
    # "Mar 16" later today is this year's: a clock a little ahead is not the future.
    for text, year in (("Dec 31 23:59:59", 2025), ("Mar 17 12:00:01", 2025)):
        found = stamps.find(text)
        assert found is not None
        assert stamps.convert(*found, now=NOW) == datetime(year, *_md(text), tzinfo=UTC)
    found = stamps.find("Mar 16 18:00:00")
    assert found is not None
    assert stamps.convert(*found, now=NOW) == datetime(2026, 3, 16, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11:59:58.250", datetime(2026, 3, 16, 11, 59, 58, 250000, tzinfo=UTC)),  # just before
        ("12:45:00", datetime(2026, 3, 16, 12, 45, tzinfo=UTC)),  # a clock a little fast
        ("23:58:00.1", datetime(2026, 3, 15, 23, 58, 0, 100000, tzinfo=UTC)),  # last night
        ("00:00:01", datetime(2026, 3, 16, 0, 0, 1, tzinfo=UTC)),
    ],
)
def test_a_time_of_day_alone_is_the_latest_not_more_than_an_hour_ahead(
    text: str, expected: datetime
) -> None:
    # NOW is 12:00 on 16 March
    found = stamps.find(text)
    assert found is not None
    assert found[0].name == "clock"
    assert stamps.convert(*found, now=NOW) == expected


def _md(text: str) -> tuple[int, int, int, int, int]:
    parsed = datetime.strptime(text, "%b %d %H:%M:%S")
    return parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second


@pytest.mark.parametrize(
    ("order", "expected"),
    [("ymd", datetime(2017, 6, 9)), ("mdy", None), ("dmy", datetime(2009, 6, 17))],
)
def test_a_short_date_is_read_in_the_order_given(order: str, expected: datetime | None) -> None:
    found = stamps.find("17/06/09 00:00:00")
    assert found is not None
    result = stamps.convert(*found, now=NOW, order=order)
    assert result == (expected.replace(tzinfo=UTC) if expected else None)


def test_find_agrees_with_trying_every_family() -> None:
    # `find` rejects a line with one match of all the families first: it must never reject a
    # stamp one family would read, nor pick another family than the longest match.
    rnd = random.Random(7)
    pieces = [
        "2026", "-", "03", "16", "T", " ", ":", "17", "49", "25", ".", ",", "958", "Z", "/",
        "Jun", "Sun", "Dec", "14", "081109", "203615", "1131566461", "2005.11.09", "E", "I",
        "1122", "20171223", "22:15:29:606", "+0000", "UTC", "[", "]", "x",
    ]  # fmt: skip
    for _ in range(20_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 9)))
        expected = None
        for family in stamps.FAMILIES:
            if family.name in ("ctime", "syslog", "klog") and text[:1].isdigit():
                continue
            if family.name not in ("ctime", "syslog", "klog") and not text[:1].isdigit():
                continue
            found = family.match(text)
            if found is not None and (expected is None or found.end() > expected[1].end()):
                expected = (family, found)
        got = stamps.find(text)
        assert (got and (got[0].name, got[1].span())) == (
            expected and (expected[0].name, expected[1].span())
        ), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PostgreSQL's log_timezone and date(1) name the zone by its abbreviation
        ("2026-03-10 04:14:07.312 CDT,", datetime(2026, 3, 10, 9, 14, 7, 312000, tzinfo=UTC)),
        ("2026-07-01 10:00:00 CEST [42]", datetime(2026, 7, 1, 8, 0, 0, tzinfo=UTC)),
        ("2026-07-01 10:00:00 IST", datetime(2026, 7, 1, 4, 30, 0, tzinfo=UTC)),
        ("2026-07-01 10:00:00 PST", datetime(2026, 7, 1, 18, 0, 0, tzinfo=UTC)),
        ("2026-07-01 10:00:00 UTC:10.0.0.5(5432)", datetime(2026, 7, 1, 10, 0, 0, tzinfo=UTC)),
        ("2026-07-01 10:00:00 NZST", datetime(2026, 6, 30, 22, 0, 0, tzinfo=UTC)),
        ("2026-07-01 10:00:00 AEST", datetime(2026, 7, 1, 0, 0, 0, tzinfo=UTC)),
        ("2026-07-01 10:00:00 EDT", datetime(2026, 7, 1, 14, 0, 0, tzinfo=UTC)),
    ],
)
def test_a_zone_named_by_its_abbreviation_is_read(text: str, expected: datetime) -> None:
    found = stamps.find(text, 0)
    assert found is not None
    family, match = found
    assert stamps.convert(family, match, now=datetime(2026, 11, 27, tzinfo=UTC)) == expected
    assert match.group("tz")


@pytest.mark.parametrize(
    "rest", ["ESTABLISHED tcp 10.0.0.5", "CET01 sshd[812]: ok", "IST_SYNC job", "IST.payments ok"]
)
def test_a_word_that_starts_like_a_zone_is_no_zone(rest: str) -> None:
    found = stamps.find(f"2026-07-01 10:00:00 {rest}", 0)
    assert found is not None
    assert not found[1].group("tz")


def test_a_zone_abbreviation_dates_a_line_and_a_word_like_one_keeps_the_time() -> None:
    events = list(
        parse_lines(
            [
                "2026-03-10 04:14:07.312 CDT [48211] LOG:  checkpoint starting: time",
                "2026-07-01T10:00:00.123 CET01 sshd[812]: Accepted publickey for ops",
            ],
            now=datetime(2026, 11, 27, tzinfo=UTC),
        )
    )
    assert [e.timestamp for e in events] == [
        datetime(2026, 3, 10, 9, 14, 7, 312000, tzinfo=UTC),
        datetime(2026, 7, 1, 10, 0, 0, 123000, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # .NET, PowerShell (Get-WinEvent), Node's toLocaleString (NestJS) in en-US
        ("4/14/2026 4:13:33 AM", datetime(2026, 4, 14, 4, 13, 33)),
        ("10/03/2026, 2:05:09 PM", datetime(2026, 10, 3, 14, 5, 9)),
        ("10/03/2026, 12:05:09 AM", datetime(2026, 10, 3, 0, 5, 9)),
        ("10/03/2026, 12:05:09 PM", datetime(2026, 10, 3, 12, 5, 9)),
        ("4/14/2026 4:13:33 pm", datetime(2026, 4, 14, 16, 13, 33)),  # moment.js's
        ("4/14/2026 4:13:33.250 p.m.", datetime(2026, 4, 14, 16, 13, 33, 250000)),
    ],
)
def test_a_twelve_hour_clock_is_read_with_its_half_of_the_day(
    text: str, expected: datetime
) -> None:
    found = stamps.find(text)
    assert found is not None
    assert found[1].end() == len(text)
    assert stamps.convert(*found, now=NOW, order="mdy") == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a 24-hour time before a word: YARN's ApplicationMaster, the kernel's power management
        ("01/02/2026 20:10:40 AM container launched", "01/02/2026 20:10:40"),
        ("06/09/26 08:10:40 PM: suspend entry", "06/09/26 08:10:40"),
        ("4/1/26 4:13:33 AM ERROR disk failed", None),  # a 12-hour clock has its year whole
    ],
)
def test_a_word_after_a_time_is_no_half_of_the_day(text: str, expected: str | None) -> None:
    found = stamps.find(text)
    assert (found[1].group(0) if found is not None else None) == expected

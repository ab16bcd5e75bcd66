"""A pasted section whose times name no zone is read in the zone that puts it among the
paste's zoned times (`doctor.digest.clocks`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from doctor.digest import parse_lines, parse_records
from doctor.digest.clocks import Clocks, SectionKey, section_zones
from doctor.digest.reading import untimed
from doctor.digest.types import LogEvent

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 5, 9, 10, 0, 0, tzinfo=UTC)
BIND: SectionKey = (0, "ns1/named.log")
MINUTE = timedelta(minutes=1)


def _minutes(
    start: datetime, count: int, every: timedelta = timedelta(minutes=1)
) -> list[datetime]:
    return [start + every * i for i in range(count)]


def _named(zone: timedelta, count: int = 30, every: timedelta = MINUTE) -> list[str]:
    """BIND's log, its host's local time (no zone), one line a minute from T0."""
    return [
        f"{T0 + zone + every * i:%d-%b-%Y %H:%M:%S}.207 lame-servers: info: "
        f"connection refused resolving 'tracker{i}.example/A/IN': 203.0.113.9#53"
        for i in range(count)
    ]


def _checkout(count: int = 40, every: timedelta = timedelta(seconds=45)) -> list[str]:
    """A service's JSON lines, in UTC: until the BIND log's last line, as pasted together."""
    return [
        f'{{"time":"{T0 + every * i:%Y-%m-%dT%H:%M:%S}.000Z",'
        f'"level":"info","msg":"session {i} created"}}'
        for i in range(count)
    ]


def _times(lines: list[str], word: str) -> list[datetime | None]:
    return [e.timestamp for e in parse_lines(lines, now=NOW) if word in e.message]


def test_a_tailed_file_in_local_time_is_read_in_the_zone_that_puts_it_among_the_others() -> None:
    lines = [
        "==> ns1/named.log <==",
        *_named(timedelta(hours=2)),
        "",
        "==> checkout/checkout-api.json <==",
        *_checkout(),
    ]
    assert _times(lines, "connection refused") == _minutes(T0 + timedelta(seconds=0.207), 30)
    # the zoned lines stay as they name themselves
    assert _times(lines, "session 0 ") == [T0]


@pytest.mark.parametrize(
    ("bind", "checkout"),
    [
        ("==== ns1:/var/log/named/named.log ====", "==== web02:/srv/checkout/api.json ===="),
        ("----- ns1: journalctl -u named -----", "----- web02: docker logs checkout -----"),
        ("### C:\\logs\\named.log ###", "### C:\\logs\\checkout.json ###"),
    ],
)
def test_a_pasted_files_banner_opens_a_section_of_its_own(bind: str, checkout: str) -> None:
    lines = [bind, *_named(timedelta(hours=2)), checkout, *_checkout()]
    assert _times(lines, "connection refused") == _minutes(T0 + timedelta(seconds=0.207), 30)
    services = {e.service for e in parse_lines(lines, now=NOW) if "session" in e.message}
    assert services == {"checkout"}  # the banner's file, or its command's container


@pytest.mark.parametrize(
    "banner",
    ["=== Summary ===", "=== node-1: elected leader ===", "---- src/lib.rs - add (line 3) ----"],
)
def test_a_title_between_rules_is_no_section(banner: str) -> None:
    # its lines stay the section's, and neither section's zone moves (`test_banners`)
    lines = ["==> ns1/named.log <==", *_named(timedelta(hours=2)), banner, *_checkout()]
    services = {e.service for e in parse_lines(lines, now=NOW) if "session" in e.message}
    assert services == {"ns1"}  # still the tailed file's lines


def test_a_commands_output_in_local_time_is_shifted_and_so_are_times_west_of_utc() -> None:
    # `kubectl logs --prefix` without --timestamps: the app's own times, New York's (-04:00)
    app = [
        f"[pod/catalog-7f9c/api] {T0 - timedelta(hours=4) + timedelta(minutes=i):%Y-%m-%d %H:%M:%S}"
        f".4020|ERROR|Catalog.Api|request {i} failed"
        for i in range(30)
    ]
    lines = [
        "$ cat checkout.json",
        *_checkout(),
        "$ kubectl -n catalog logs -l app=catalog --prefix",
        *app,
    ]
    assert _times(lines, "failed") == _minutes(T0 + timedelta(seconds=0.402), 30)


def test_a_section_in_utc_beside_zoned_ones_is_not_moved() -> None:
    lines = ["==> ns1/named.log <==", *_named(timedelta(0)), "==> checkout.json <==", *_checkout()]
    assert _times(lines, "connection refused") == _minutes(T0 + timedelta(seconds=0.207), 30)


def test_the_same_lines_without_a_paste_around_them_are_read_as_written() -> None:
    # no section to compare: a host's log alone says nothing of its zone
    lines = _named(timedelta(hours=2))
    assert _times(lines, "connection refused")[0] == T0 + timedelta(hours=2, seconds=0.207)


def test_section_zones_need_enough_times_and_one_zone_that_fits_clearly() -> None:
    zoned = _minutes(T0, 40)  # 10:00 to 10:39 UTC
    two_hours = timedelta(hours=2)
    assert section_zones({BIND: _minutes(T0 + two_hours, 30)}, zoned) == {BIND: two_hours}
    # whole hours only: a section half an hour apart is more often a command run later
    assert section_zones({BIND: _minutes(T0 + timedelta(hours=1.5), 40)}, zoned) == {}
    # too few times in the section, or among the zoned ones
    assert section_zones({BIND: _minutes(T0 + two_hours, 19)}, zoned) == {}
    assert section_zones({BIND: _minutes(T0 + two_hours, 30)}, zoned[:19]) == {}
    # partly among the zoned times already: UTC's
    assert section_zones({BIND: _minutes(T0 + timedelta(minutes=30), 30)}, zoned) == {
        BIND: timedelta(0)
    }
    # a short section two whole-hour zones would put among a long span: neither is told
    wide = _minutes(T0, 40, timedelta(minutes=3))  # two hours
    assert (
        section_zones({BIND: _minutes(T0 + timedelta(hours=5), 20, timedelta(seconds=30))}, wide)
        == {}
    )


def test_a_long_section_is_told_the_zone_that_ends_it_with_the_zoned_times() -> None:
    # three hours of a journal in Chicago time beside three hours of UTC lines: five hours
    # back puts it among them, and so do four and six (two thirds of it); only five ends it
    # with them
    zoned = _minutes(T0, 180)
    chicago = -timedelta(hours=5)
    assert section_zones({BIND: _minutes(T0 + chicago, 180)}, zoned) == {BIND: chicago}
    # an hour of it that ended two hours before the others: seven hours back would end it
    # with them, but so short a section may have stopped early (five, six and seven hours
    # back all put it among them): no zone is told
    early = _minutes(T0 + chicago, 60)
    assert section_zones({BIND: early}, zoned) == {}


def test_a_syslog_file_in_local_time_is_shifted_behind_its_prefix_too() -> None:
    syslog = [
        f"{T0 + timedelta(hours=2, minutes=i):%b %e %H:%M:%S} relay-01 postfix/smtp[3131]: "
        f"connect to mx{i}.example.net[192.0.2.7]:25: Connection timed out"
        for i in range(30)
    ]
    lines = ["==> /var/log/mail.log <==", *syslog, "==> app.json <==", *_checkout()]
    assert _times(lines, "timed out") == _minutes(T0, 30)


def test_a_file_tail_f_prints_a_line_at_a_time_has_its_heads_learned_from_all_of_them() -> None:
    # `tail -f` of an access log (its time inside the line, zoned) and an app log (local time,
    # no zone): each file's lines come one or two under a header of their own
    lines: list[str] = []
    for i in range(30):
        stamp = T0 + timedelta(minutes=i)
        lines += [
            "==> /var/log/orders/requests.log <==",
            f'10.60.2.16 - - [{stamp:%d/%b/%Y:%H:%M:%S} +0000] "POST /orders HTTP/1.1" 201 371',
            "",
            "==> /var/log/orders/app.log <==",
            f"INFO  [{stamp + timedelta(hours=2):%Y-%m-%d %H:%M:%S},118] c.a.O: placed order {i}",
            "",
        ]
    assert _times(lines, "POST /orders") == _minutes(T0, 30)
    assert _times(lines, "placed order") == _minutes(T0 + timedelta(seconds=0.118), 30)


def test_times_borrowed_from_the_line_before_tell_no_zone() -> None:
    # lines without a time of their own (a crash on stderr) take their section's last one:
    # they are that section's, zone-less still, not zoned lines beside it
    clocks = Clocks()
    naive = [LogEvent(i, "job", timestamp=t, first_line=i) for i, t in enumerate(_minutes(T0, 30))]
    clocks.naive.update(range(30))
    borrowed = [
        LogEvent(30 + i, "crash", timestamp=t, first_line=30 + i)
        for i, t in enumerate(_minutes(T0 - timedelta(hours=2), 30))
    ]
    clocks.starts.append((30, (0, "app.log")))
    assert clocks.told([*naive, *borrowed]) == {(0, None): timedelta(hours=2)}
    clocks.borrowed.update(range(30, 60))
    assert clocks.told([*naive, *borrowed]) == {}


def test_a_short_commands_output_keeps_its_own_zone_not_the_section_before_it() -> None:
    worker = [
        f"{T0 + timedelta(minutes=i):%Y-%m-%d %H:%M:%S},123 INFO worker beat {i}" for i in range(5)
    ]
    lines = [
        "$ cat checkout.json",
        *_checkout(),
        "$ cat /var/log/named.log",
        *_named(timedelta(hours=2)),
        "$ kubectl logs worker-0 --tail=5",
        *worker,
    ]
    assert _times(lines, "connection refused")[0] == T0 + timedelta(seconds=0.207)
    assert _times(lines, "worker beat") == _minutes(T0 + timedelta(seconds=0.123), 5)


def test_a_time_behind_a_syslog_prefix_in_local_time_is_shifted_once() -> None:
    # the prefix's local time, shifted, agrees with the UTC time the app wrote behind it
    syslog = [
        f"{T0 + timedelta(hours=2, minutes=i):%b %e %H:%M:%S} app-01 orders[311]: "
        f"{T0 + timedelta(minutes=i):%Y-%m-%d %H:%M:%S},118 ERROR payment {i} declined"
        for i in range(30)
    ]
    lines = ["$ cat checkout.json", *_checkout(), "$ cat /var/log/syslog", *syslog]
    assert _times(lines, "declined") == _minutes(T0 + timedelta(seconds=0.118), 30)


def test_a_log_that_ended_hours_before_the_others_is_not_moved_into_their_window() -> None:
    # a service that crashed at 08:24 UTC, pasted beside a gateway's log of 10:00 to 10:29
    crashed = [
        f"{T0 - timedelta(hours=2, minutes=30 - i):%Y-%m-%d %H:%M:%S} ERROR job {i}"
        for i in range(25)
    ]
    lines = ["==> crashed.log <==", *crashed, "==> gateway.json <==", *_checkout()]
    assert _times(lines, "job 24") == [T0 - timedelta(hours=2, minutes=6)]


def test_a_note_gives_way_to_a_sections_own_times_in_utc() -> None:
    utc = [f"{T0 + timedelta(minutes=i):%Y-%m-%d %H:%M:%S} INFO worker beat {i}" for i in range(30)]
    lines = ["# all hosts on Europe/Berlin local time", "==> worker.log <==", *utc]
    lines += ["==> app.json <==", *_checkout()]
    assert _times(lines, "worker beat") == _minutes(T0, 30)


def test_a_file_at_hand_has_its_sections_found_past_its_first_lines() -> None:
    # the first section pasted without its prompt, long, then a command: read ahead only where
    # the whole input is there (a file), never on a stream still being written
    six = timedelta(seconds=6)
    named, checkout = _named(timedelta(hours=2), 300, six), _checkout(300, six)
    lines = [*named, "$ kubectl logs checkout-0", *checkout]

    def first(at_hand: bool) -> datetime | None:
        events = parse_records(untimed(lines), now=NOW, at_hand=at_hand)
        return next(e.timestamp for e in events if "connection refused" in e.message)

    assert first(at_hand=True) == T0 + timedelta(seconds=0.207)
    assert first(at_hand=False) == T0 + timedelta(hours=2, seconds=0.207)


def _clock_only(zone: timedelta, count: int = 30) -> list[str]:
    """A Java service's time-only Log4j2 lines (`%d{HH:mm:ss.SSS}`), its host's local time."""
    return [
        f"{T0 + zone + MINUTE * i:%H:%M:%S}.719 [http-nio-8080-exec-{i}] ERROR c.a.cart.RecoClient"
        f" - recommendations unavailable for cart {i}"
        for i in range(count)
    ]


def test_times_of_day_alone_pasted_below_dated_lines_are_on_their_day_and_in_their_zone() -> None:
    # `kubectl logs` of a time-only service six hours behind UTC, pasted below a JSON log in UTC
    lines = [
        "$ kubectl logs deploy/checkout",
        *_checkout(),
        "$ kubectl logs deploy/cart-service",
        *_clock_only(timedelta(hours=-6)),
    ]
    assert _times(lines, "recommendations unavailable") == _minutes(
        T0 + timedelta(seconds=0.719), 30
    )


def test_times_of_day_alone_among_the_others_already_are_on_their_day_unmoved() -> None:
    lines = ["$ cat checkout.json", *_checkout(), "$ cat cart.log", *_clock_only(timedelta(0))]
    assert _times(lines, "recommendations unavailable") == _minutes(
        T0 + timedelta(seconds=0.719), 30
    )


def _json_section(start: datetime, count: int = 40, every: timedelta = MINUTE) -> list[str]:
    return [
        f'{{"time":"{start + every * i:%Y-%m-%dT%H:%M:%S}.000Z","level":"info","msg":"deploy {i}"}}'
        for i in range(count)
    ]


TODAY = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # this morning, before NOW


@pytest.mark.parametrize(
    ("before", "every", "count"),
    [
        # a deploy log of three days ago: for a paste of recent logs, today is the likelier day
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), MINUTE, 30),
        # yesterday evening's: +14 h would put the times among its own, but a time of day
        # cannot tell +14 h from -10 h, so a section's times of day move ±12 h at most
        (datetime(2026, 11, 26, 20, 0, tzinfo=UTC), timedelta(seconds=90), 60),
    ],
)
def test_this_mornings_times_of_day_alone_stay_this_mornings_below_older_lines(
    before: datetime, every: timedelta, count: int
) -> None:
    lines = [
        "$ aws logs tail /deploy --since 4d",
        *_json_section(before, every=every),
        "$ kubectl logs deploy/cart",
        *_clock_only(TODAY - T0, count=count),
    ]
    times = [e.timestamp for e in parse_lines(lines, now=NOW) if "recommendations" in e.message]
    assert times == _minutes(TODAY + timedelta(seconds=0.719), count)

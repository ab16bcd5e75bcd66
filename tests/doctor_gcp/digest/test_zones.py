"""Times that name no zone are read in the zone the zoned times around them show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from doctor.digest import parse_lines
from doctor.digest.zones import Timed, neighbour_zones

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 7, 8, 8, 0, 0, tzinfo=UTC)  # 10:00 in the host's zone, +0200


def _interleaved(count: int, *writers: Callable[[int, datetime], str]) -> list[str]:
    """Each writer's line for minute `i` after T0 (given `i` and that UTC time), in turn, as
    an aggregator prints services that log at the same moments."""
    return [write(i, T0 + timedelta(minutes=i)) for i in range(count) for write in writers]


def _tail_follow(zone: timedelta) -> list[str]:
    """`tail -f` of a host's syslog and nginx error log (its local time, no zone) and
    gunicorn's error log (zoned), printed as the lines are written."""
    lines = ["==> /var/log/gunicorn/error.log <=="]
    for i in range(6):
        local = T0 + zone + timedelta(minutes=i)
        lines += [
            f"[{local:%Y-%m-%d %H:%M:%S} +0200] [2381{i}] [WARNING] Not Found: /favicon.ico",
            "",
            "==> /var/log/syslog <==",
            f"{local:%b %e %H:%M:%S} ip-10-0-4-17 CRON[3131{i}]: (www-data) CMD (thumbgen)",
            "",
            "==> /var/log/nginx/error.log <==",
            f"{local:%Y/%m/%d %H:%M:%S} [error] 1123#1123: *88443{i} upstream timed out",
            "",
            "==> /var/log/gunicorn/error.log <==",
        ]
    return lines


def test_tail_f_of_a_hosts_local_logs_is_read_in_the_zone_its_zoned_log_shows() -> None:
    events = list(parse_lines(_tail_follow(timedelta(hours=2)), now=NOW))
    by_service: dict[str | None, list[datetime | None]] = {}
    for event in events:
        by_service.setdefault(event.service, []).append(event.timestamp)
    minutes = [T0 + timedelta(minutes=i) for i in range(6)]
    assert by_service["CRON"] == minutes  # syslog's times, 10:00 local
    assert by_service["nginx"] == minutes  # nginx's error log, 10:00 local
    assert by_service["gunicorn"] == minutes  # "+0200" said so itself


def test_syslogs_own_times_are_read_in_the_zone_its_neighbours_show() -> None:
    # a syslog file with a zoned app log tailed beside it: syslog's head is the stream's
    # prefix here, and no line behind it names a zone of its own
    lines = ["==> /var/log/syslog <=="]
    for i in range(8):
        local = T0 + timedelta(hours=2, minutes=i)
        lines += [
            f"{local:%b %e %H:%M:%S} ip-10-0-4-17 CRON[3131{i}]: (www-data) CMD (thumbgen)",
            *(f"{local:%b %e %H:%M:%S} ip-10-0-4-17 kernel: eth{n}: link up" for n in range(5)),
            "",
            "==> /var/log/gunicorn/error.log <==",
            f"[{local:%Y-%m-%d %H:%M:%S} +0200] [2381{i}] [WARNING] Not Found: /favicon.ico",
            "",
            "==> /var/log/syslog <==",
        ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.timestamp for e in events if e.service == "CRON"] == [
        T0 + timedelta(minutes=i) for i in range(8)
    ]


def test_naive_times_in_utc_beside_zoned_ones_stay_as_they_are() -> None:
    lines = _interleaved(
        6,
        lambda _, at: f"web-1  | {at:%Y-%m-%dT%H:%M:%S}.000Z INFO request served",
        lambda _, at: f"db-1   | {at:%Y-%m-%d %H:%M:%S}.000 [61] LOG:  checkpoint starting",
    )
    events = list(parse_lines(lines, now=NOW))
    assert {e.timestamp for e in events if e.service == "db"} == {
        T0 + timedelta(minutes=i) for i in range(6)
    }


def test_whole_files_one_after_the_other_teach_no_zone() -> None:
    # `tail` without -f: each file whole, so only the lines at a file's border are neighbours
    syslog = [f"Jul  8 10:0{i}:00 ip-10-0-4-17 CRON[1]: job {i}" for i in range(8)]
    zoned = [f"[2026-07-08 06:0{i}:00 +0000] [1] [INFO] worker {i}" for i in range(8)]
    lines = ["==> /var/log/syslog <==", *syslog, "", "==> /var/log/app.log <==", *zoned]
    events = list(parse_lines(lines, now=NOW))
    assert events[0].timestamp == datetime(2026, 7, 8, 10, 0, tzinfo=UTC)  # as written


def test_a_zone_needs_three_neighbours_and_two_thirds_of_them() -> None:
    def timed(naive_offsets: list[int], source: str = "nginx") -> list[Timed | None]:
        out: list[Timed | None] = []
        for i, minutes in enumerate(naive_offsets):
            at = T0 + timedelta(seconds=10 * i)
            out += [
                Timed("app", at, zoned=True),
                Timed(source, at + timedelta(minutes=minutes), False),
            ]
        return out

    two_hours = timedelta(hours=2)
    assert neighbour_zones(timed([120, 121, 119])) == {"nginx": two_hours}
    assert neighbour_zones(timed([120, 120])) == {}  # too few to tell
    assert neighbour_zones(timed([120, 120, 0, 0])) == {}  # no agreement
    assert neighbour_zones(timed([120, 120, 120, 0])) == {"nginx": two_hours}
    assert neighbour_zones(timed([127, 127, 127])) == {}  # 7 minutes off a zone's step
    assert neighbour_zones(timed([0, 0, 0])) == {"nginx": timedelta(0)}  # told: in UTC
    # a naive line 6 lines from any zoned one has no neighbour: two left are too few
    far = timed([120, 120, 120])
    assert neighbour_zones([far[0], *[None] * 5, far[1], *[None] * 5, *far[2:]]) == {}
    near = [far[0], *[None] * 3, far[1], *far[2:]]  # 4 lines away: still a neighbour
    assert neighbour_zones(near) == {"nginx": two_hours}
    assert neighbour_zones([Timed("x", T0, zoned=False)] * 4) == {}  # no zoned line at all


def _journal(zone: str) -> list[str]:
    """journalctl -o short-iso (the host's zone named), then `systemctl status`, whose
    journal lines name none."""
    zoned = [
        f"2026-07-08T09:{m:02}:02{zone} edge-07 systemd[1]: edge-agent.service: "
        "Failed with result 'watchdog'."
        for m in range(30, 36)
    ]
    return [
        *zoned,
        "\u00d7 edge-agent.service - Fleet edge agent",  # a failed unit
        "     Active: failed (Result: watchdog) since Wed 2026-07-08 09:38:08 MST; 1min ago",
        "",
        "Jul 08 09:36:36 edge-07 systemd[1]: Started edge-agent.service - Fleet edge agent.",
        "Jul 08 09:37:38 edge-07 systemd[1]: edge-agent.service: Failed with result 'watchdog'.",
        "Jul 08 09:37:38 edge-07 systemd[1]: edge-agent.service: Watchdog timeout (limit 1min)!",
    ]


def test_a_journal_printed_with_its_zone_then_without_is_read_in_that_zone() -> None:
    last = list(parse_lines(_journal("-07:00"), now=NOW))[-1]
    assert last.message == "edge-agent.service: Watchdog timeout (limit 1min)!"
    assert last.timestamp == datetime(2026, 7, 8, 16, 37, 38, tzinfo=UTC)
    # also pasted as the next command's output: the host's zone carries over
    pasted = _journal("-07:00")
    pasted.insert(6, "$ systemctl status edge-agent --no-pager")
    last = list(parse_lines(pasted, now=NOW))[-1]
    assert last.timestamp == datetime(2026, 7, 8, 16, 37, 38, tzinfo=UTC)
    # a journal in UTC, or one whose zones disagree, tells no zone
    for lines in (_journal("+00:00"), [*_journal("-07:00")[:3], *_journal("+02:00")[3:]]):
        last = list(parse_lines(lines, now=NOW))[-1]
        assert last.timestamp == datetime(2026, 7, 8, 9, 37, 38, tzinfo=UTC)


def test_a_local_time_behind_a_sources_own_head_is_read_in_its_neighbours_zone() -> None:
    # NestJS's console logger (its time after "[Nest] <pid>  - ", 12-hour, local: -04:00)
    # among a Go service's zoned logrus lines
    local = -timedelta(hours=4)
    lines = _interleaved(
        8,
        lambda i, at: f'time="{at:%Y-%m-%dT%H:%M:%S}Z" level=info msg="authorized" order={i}',
        lambda i, at: (
            f"[Nest] 1  - {at + local:%m/%d/%Y, %-I:%M:%S %p}     LOG [Checkout] order {i} placed"
        ),
    )
    events = list(parse_lines(lines, now=NOW))
    assert [e.timestamp for e in events if "placed" in e.message] == [
        T0 + timedelta(minutes=i) for i in range(8)
    ]


def _compose_with_records(local: timedelta) -> list[str]:
    """docker compose: a sidecar's JSON records (their time in UTC, `Z`), and an app that
    prints only a time of day, in its host's zone."""
    return _interleaved(
        8,
        lambda _, at: (
            f'dapr-1 | {{"level":"info","msg":"state call","time":"{at:%Y-%m-%dT%H:%M:%S}.1Z"}}'
        ),
        lambda i, at: f"web-1 | {at + local:%H:%M:%S}.200 [info] GET /api/orders/{i}",
    )


def test_a_time_of_day_alone_is_read_in_the_zone_its_neighbours_records_show() -> None:
    """EDT: 04:00 local beside 08:00Z records; read as 08:00, not four hours early."""
    events = list(parse_lines(_compose_with_records(timedelta(hours=-4)), now=NOW))
    web = [e.timestamp for e in events if e.service == "web"]
    assert web == [T0 + timedelta(minutes=i, milliseconds=200) for i in range(8)]


def test_a_time_of_day_across_midnight_from_its_neighbours_finds_the_nearest_zone() -> None:
    """+10:00: 18:00 local beside 08:00Z records is 10 hours ahead, not 14 behind."""
    events = list(parse_lines(_compose_with_records(timedelta(hours=10)), now=NOW))
    web = [e.timestamp for e in events if e.service == "web"]
    assert web == [T0 + timedelta(minutes=i, milliseconds=200) for i in range(8)]


def test_records_and_times_of_day_teach_a_bare_stream_no_zone() -> None:
    """Without a prefix every writer shares one source: loguru in PDT beside JSON records
    must not move klog's UTC times."""
    votes = [
        Timed(None, T0 - timedelta(hours=7), zoned=False),  # loguru, 01:00 local
        Timed(None, T0, zoned=True, record=True),
        Timed(None, T0 - timedelta(hours=7), zoned=False),
        Timed(None, T0, zoned=True, record=True),
        Timed(None, T0 - timedelta(hours=7), zoned=False),
        Timed(None, T0, zoned=True, record=True),
        Timed(None, T0 - timedelta(hours=7), zoned=False),
        Timed(None, T0, zoned=True, record=True),
        Timed(None, T0 - timedelta(hours=7), zoned=False, clock=True),
        Timed(None, T0, zoned=True, record=True),
    ]
    assert neighbour_zones(votes) == {}
    named = [t._replace(source="app") if not t.zoned else t for t in votes]
    assert neighbour_zones(named) == {"app": timedelta(hours=-7)}


def test_records_beside_a_bare_streams_zoned_text_do_not_hide_it() -> None:
    """Unprefixed: a zoned text line, a worker's naive PDT line, a record; the worker's times
    are read in the zone the text line shows, as before records took part."""
    lines = _interleaved(
        10,
        lambda i, at: f"{at:%Y-%m-%dT%H:%M:%S}.000Z INFO api zoned line {i}",
        lambda i, at: f"{at - timedelta(hours=7):%Y-%m-%d %H:%M:%S},500 INFO worker naive line {i}",
        lambda i, at: f'{{"time":"{at:%Y-%m-%dT%H:%M:%S}.700Z","level":"info","msg":"record {i}"}}',
    )
    naive = [e.timestamp for e in parse_lines(lines, now=NOW) if "naive" in e.message]
    assert naive == [T0 + timedelta(minutes=i, milliseconds=500) for i in range(10)]


def test_a_whole_log_pasted_after_anothers_records_is_not_moved_by_the_gap() -> None:
    """Two containers' whole logs over the same 30 minutes, one after the other: at the seam
    the records' last times lie 30 minutes after the web's first, which is no zone."""
    seconds = [T0 + timedelta(seconds=10 * i) for i in range(181)]
    records = [
        f'dapr-1 | {{"msg":"state call","time":"{at:%Y-%m-%dT%H:%M:%S}Z"}}' for at in seconds
    ]
    web = [
        f"web-1 | {T0 + timedelta(seconds=10 * i):%H:%M:%S}.200 [info] GET /api/orders/{i}"
        for i in range(181)
    ]
    times = [e.timestamp for e in parse_lines(records + web, now=NOW) if e.service == "web"]
    assert times[0] == T0 + timedelta(milliseconds=200)
    assert times[-1] == T0 + timedelta(minutes=30, milliseconds=200)

"""A paste as a viewer, a search or a chat showed it reads as the bare log: line numbers, grep's
files and a chat's quotes are taken off; numbers that are the log's own stay."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from doctor.digest import LogEvent, parse_lines
from doctor.digest.wrappers import learn

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

BARE = [
    "2026-07-14 09:50:14,120 INFO  [orders] GET /orders/58749 200 12ms",
    "2026-07-14 09:50:19,004 ERROR [orders] spool write failed for /mnt/scratch/a.csv: "
    "No space left on device",
    "Traceback (most recent call last):",
    '  File "/srv/app/spool.py", line 41, in write',
    "OSError: [Errno 28] No space left on device",
    "2026-07-14 09:50:23,441 INFO  [orders] GET /orders/32410 200 9ms",
    "2026-07-14 09:50:39,870 WARN  [auth] login failed for 142.173.54.107: bad password",
    "2026-07-14 09:50:44,002 INFO  [orders] GET /dashboard 200 31ms",
]


def _read(lines: list[str]) -> list[tuple[datetime | None, str, str | None, str, int]]:
    events: list[LogEvent] = list(parse_lines(lines, now=NOW))
    return [(e.timestamp, e.level.name, e.service, e.message, e.line_count) for e in events]


def _less(lines: list[str]) -> list[str]:
    return [f"{n:>6} │ {line}" for n, line in enumerate(lines, start=811)]


def _cat_n(lines: list[str]) -> list[str]:
    return [f"{n:>6}\t{line}" for n, line in enumerate(lines, start=1)]


def _rg(lines: list[str]) -> list[str]:
    # matches with ":", context with "-", a gap in the numbers between groups
    path = "/var/log/acme/app.log"
    out = []
    for i, line in enumerate(lines):
        number = 5556 + i + (7 if i >= 5 else 0)
        mark = ":" if ("ERROR" in line or "WARN" in line) else "-"
        out.append(f"{path}{mark}{number}{mark}{line}")
        if i == 4:
            out.append("--")
    return out


def _quoted(lines: list[str]) -> list[str]:
    return ["> " + line for line in _less(lines)]


@pytest.mark.parametrize(
    "wrap", [_less, _cat_n, _rg, _quoted], ids=["less-N", "cat-n", "rg", "quote"]
)
def test_a_wrapped_paste_reads_as_the_bare_log(wrap: object) -> None:
    assert callable(wrap)
    wrapped = wrap(BARE)
    bare = _read(BARE)
    assert _read(wrapped) == bare
    assert bare[1][0] is not None
    assert bare[1][1:3] == ("ERROR", "orders")
    assert bare[1][4] == 4


def test_prose_above_the_paste_stays_and_every_line_keeps_its_place() -> None:
    lines = ["resolver looks weird?? (journalctl ... | less -N)", "", *_less(BARE)]
    events = list(parse_lines(lines, now=NOW))
    assert events[0].message.startswith("resolver looks weird")
    assert events[1].first_line == 2
    assert events[1].timestamp is not None
    error = next(e for e in events if e.level.name == "ERROR")
    assert (error.first_line, error.line_count) == (3, 4)


@pytest.mark.parametrize(
    "lines",
    [
        # honcho's time of day, pm2's id: numbers that do not climb
        [f"14:21:{s:02} web.1 | GET / 200" for s in range(10)],
        [f"3|api  | request {n} served" for n in range(10)],
        # HDFS's compact date and time, then a pid
        [f"081109 2036{s:02} 148 INFO dfs.DataNode: block {s}" for s in range(10)],
        # a count at the start of each line, now up, now down
        [f"{n} requests in flight" for n in (12, 14, 9, 30, 31, 7, 8, 40, 2, 5)],
        # epoch seconds: too many digits for a line number
        [f"{1718000000 + s} INFO tick {s}" for s in range(10)],
        # OpenStack's file and time before the line: the "numbers" are minutes, not climbing
        [f"nova-api.log.1.2017-05-16_13:53:0{s} 2017-05-16 00:00:0{s}.0 INFO x" for s in range(9)],
        # exceptions are no search's files; a quoted word is no quote
        ["java.lang.IllegalStateException: boom"] * 6,
        [">>> import os", "started", "ok", "ok", "ok"],
        # a daily job's date, an hourly one's time, HDFS's compact date: they climb by one
        [f"{d:02}-Jul-2026 02:00:01 ERROR backup failed" for d in range(1, 11)],
        [f"{h:02}:00:01 ERROR hourly report failed" for h in range(10)],
        [f"2607{d:02} 020001 148 ERROR dfs.DataNode: failed" for d in range(1, 11)],
        # a compiler's and a type checker's locations are the log's own
        [f"src/app/models.py:{n}: error: Incompatible types in assignment" for n in range(9)],
        [f"src/main.c:{n}:5: error: expected ';'" for n in range(10, 19)],
        # a REPL's prompts, one line with a time at midnight after a path
        [f">>> x{n} = compute({n})" for n in range(8)],
        [f"14/Jul/2026:00:00:{s:02} GET /x 200" for s in range(8)],
    ],
    ids=[
        "honcho", "pm2", "hdfs", "counts", "epoch", "openstack", "exceptions", "prompt",
        "daily", "hourly", "hdfs-daily", "mypy", "gcc", "repl", "midnight",
    ],
)  # fmt: skip
def test_numbers_and_names_that_are_the_logs_own_are_kept(lines: list[str]) -> None:
    assert learn(lines) is None


def test_a_search_of_two_files_takes_each_files_name_off() -> None:
    lines = [
        "/var/log/app.log:10:2026-07-14 09:50:19,004 ERROR write failed: No space left on device",
        "/var/log/app.log:14:2026-07-14 09:50:25,004 ERROR write failed: No space left on device",
        "/var/log/nginx/error.log:3:2026/07/14 09:50:27 [error] 811#811: *1 connect() failed",
        "/var/log/nginx/error.log:9:2026/07/14 09:50:29 [error] 811#811: *2 connect() failed",
    ]
    peel = learn(lines)
    assert peel is not None
    assert [peel(line)[:4] for line in lines] == ["2026"] * 4
    assert peel("no file here: 2026") == "no file here: 2026"


def test_prose_around_a_numbered_paste_keeps_its_own_numbers() -> None:
    peel = learn(_less(BARE))
    assert peel is not None
    assert peel("10:15 we saw this") == "10:15 we saw this"
    assert peel("3 pods crashed") == "3 pods crashed"
    assert peel("   812 │ 2026-07-14 10:58 x") == "2026-07-14 10:58 x"


def test_a_long_line_without_blanks_is_learned_from_quickly() -> None:
    # one progress or base64 line of 60,000 characters among the first: no backtracking
    started = time.perf_counter()
    assert learn(["." * 60_000, "a/" * 30_000, *BARE]) is None
    assert time.perf_counter() - started < 0.5


def test_a_wrapped_stream_is_read_as_it_comes() -> None:
    # the first event comes before the input ends (stdin that stays open)
    def endless() -> Iterator[str]:
        n = 0
        while True:
            n += 1
            yield f"{n:>6} │ 2026-07-14 09:50:{n % 60:02},120 INFO  [orders] GET /x 200"

    assert next(iter(parse_lines(endless(), now=NOW))).timestamp is not None

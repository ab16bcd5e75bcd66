"""Events as the parser opens them: the time of a line that names none."""

from __future__ import annotations

from datetime import UTC, datetime

from doctor.digest import parse_lines

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _at(minute: int, second: int) -> datetime:
    return datetime(2026, 11, 26, 16, minute, second, tzinfo=UTC)


def test_an_untimed_line_in_a_stream_in_time_order_takes_the_streams_last_time() -> None:
    lines = [  # docker compose logs: services interleaved as their lines came
        "php-fpm-1  | [26-Nov-2026 16:34:20] NOTICE: [pool www] child 17 started",
        *(
            f'nginx-1    | 10.0.1.87 - - [26/Nov/2026:16:3{m}:00 +0000] "GET / HTTP/1.1" 200 2'
            for m in (5, 6, 7, 8, 9)
        ),
        "php-fpm-1  | NOTICE: PHP message: PHP Fatal error:  Allowed memory size exhausted",
    ]
    events = list(parse_lines(lines, now=NOW))
    # written after the nginx line before it, not when php-fpm last gave a time 5 minutes back
    assert events[-1].timestamp == _at(39, 0)


def test_an_untimed_line_in_a_stream_out_of_order_takes_its_own_services_last_time() -> None:
    lines = [  # one container's whole log, then the next one's (kubectl --all-containers)
        *(f"[pod/api-7d9f8-x2k4q/app] 2026-11-26T16:{m:02}:00Z INFO tick {m}" for m in (30, 40)),
        "[pod/api-7d9f8-x2k4q/app] panic: runtime error: index out of range",
        *(f"[pod/api-7d9f8-x2k4q/proxy] 2026-11-26T16:{m:02}:00Z INFO ok" for m in (10, 20, 50)),
        "[pod/api-7d9f8-x2k4q/proxy] upstream connect error",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert events[2].timestamp == _at(40, 0)  # the stream had been in order so far
    assert events[-1].timestamp == _at(50, 0)  # its own last, the stream now out of order

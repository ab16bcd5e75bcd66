"""A paste's section headers (`doctor.digest.banners`): a banner names a log, or it is a title."""

from __future__ import annotations

import pytest

from doctor.digest.banners import section_service, tailed_file


@pytest.mark.parametrize(
    ("line", "service"),
    [
        ("==> /var/log/nginx/error.log <==", "nginx"),
        ("==> /var/log/my app.log <==", "my app"),
        ("==== app03:/var/log/dnsmasq.log ====", "dnsmasq"),
        ("----- ats-edge-02:/var/log/trafficserver/manager.log -----", "trafficserver"),
        ("### C:\\logs\\checkout.json ###", "checkout"),
        ("==== nginx/error.log ====", "nginx"),
        ("==== app03: docker logs notify-svc ====", "notify-svc"),
        ("--- web01: docker logs api --tail 200 2>&1 ---", "api"),
        ("----- db01: journalctl -u postgresql -f -----", "postgresql"),
        ("=== db01: journalctl --unit=nginx.service ===", "nginx"),
        ("=== db01: journalctl -f ===", "db01"),
        ("=== web01: kubectl logs deploy/api ===", "api"),
        ("=== kubectl -n pay logs deploy/api -c sidecar ===", "sidecar"),
        ("==== web01: tail -n 500 /var/log/nginx/error.log ====", "nginx"),
    ],
)
def test_a_header_that_names_a_log_opens_a_section_of_its_service(line: str, service: str) -> None:
    title = tailed_file(line)
    assert title is not None
    assert section_service(title) == service


@pytest.mark.parametrize(
    "line",
    [
        "---- src/lib.rs - add (line 3) stdout ----",  # cargo test's failing doc test
        "=== CPU/Memory usage ===",
        "=== https://api.example.com/v1/health ===",
        "---- api/users ----",  # Gatling's group
        "=== node-1: elected leader ===",
        "=== Thread-1: started ===",
        "--- v1.2.3: changelog ---",
        "=== org.example.Foo: test ===",
        "=== Summary ===",
        "*** WARNING: disk ***",
        "--- 2026-05-14 10:00 ---",
        "----- pid 123 at 2026-01-01 10:00:00 -----",  # an ANR trace
        "--- a/src/app.py",  # a diff's header
        "*** 1,5 ****",
        "=== RUN   TestCheckout",
        "---",
    ],
)
def test_a_title_a_time_or_a_separator_is_no_section(line: str) -> None:
    assert tailed_file(line) is None

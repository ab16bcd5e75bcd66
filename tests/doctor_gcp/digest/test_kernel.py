"""The Linux kernel's reports (the OOM killer's, an oops or a WARNING) are one event each, their
first line the message that is mined; the printk time is a head field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from doctor.digest import Level, digest_lines, parse_lines
from doctor.digest.kernel import is_detail, without_printk_time

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

OOM_REPORT = [
    "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=985",
    "CPU: 0 PID: 24611 Comm: python3 Not tainted 6.1.115-126.197.amzn2023.x86_64 #1",
    "Hardware name: Amazon EC2 m5.xlarge/, BIOS 1.0 10/16/2017",
    "Call Trace:",
    " <TASK>",
    " dump_stack_lvl+0x34/0x48",
    " ? __alloc_pages_slowpath.constprop.0+0xb8c/0xc90",
    " oom_kill_process.cold+0xb/0x10",
    " </TASK>",
    "memory: usage 2097152kB, limit 2097152kB, failcnt 467",
    "swap: usage 0kB, limit 0kB, failcnt 0",
    "Memory cgroup stats for /kubepods.slice/kubepods-burstable.slice:",
    "anon 2140913664",
    "file 114688",
    "Mem-Info:",
    "active_anon:912345 inactive_anon:1234 isolated_anon:0",
    "Node 0 DMA free:15908kB boost:0kB min:132kB low:164kB high:196kB",
    "lowmem_reserve[]: 0 2967 3834 3834",
    "2135 total pagecache pages",
    "0 pages in swap cache",
    "Swap cache stats: add 0, delete 0, find 0/0",
    "1048446 pages RAM",
    "Free swap  = 0kB",
    "Tasks state (memory values in pages):",
    "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
    "[  24611]  1000 24611   711798   520670  4313088        0           985 python3",
]
VERDICT = [
    "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),task=python3,pid=24611,uid=1000",
    "Memory cgroup out of memory: Killed process 24611 (python3) total-vm:2847192kB, "
    "anon-rss:2082681kB, file-rss:5649kB, shmem-rss:0kB, UID:1000 pgtables:4212kB",
]


def _syslog(lines: list[str], *, printk: bool) -> list[str]:
    out = []
    for i, line in enumerate(lines):
        stamp = f"[812345.{123456 + i:06d}] " if printk else ""
        out.append(f"Nov 20 10:00:01 ip-10-0-1-5 kernel: {stamp}{line}")
    return out


def test_an_oom_report_is_one_event_and_its_verdict_stays_apart() -> None:
    for printk in (True, False):  # rsyslog keeps the printk time, journald drops it
        lines = _syslog([*OOM_REPORT, *VERDICT], printk=printk)
        lines.append(
            "Nov 20 10:00:02 ip-10-0-1-5 systemd[1]: app.service: Failed with result 'signal'."
        )
        events = list(parse_lines(lines, now=NOW))
        assert [e.message.split("\n") for e in events[:3]] == [OOM_REPORT, VERDICT[:1], VERDICT[1:]]
        assert [e.service for e in events] == ["kernel", "kernel", "kernel", "systemd"]
        assert events[0].level == Level.ERROR
        assert events[0].timestamp == datetime(2026, 11, 20, 10, 0, 1, tzinfo=UTC)
        # the report's first line is what is mined, not a table row below it
        templates = [p.template for p in digest_lines(lines).patterns]
        assert (
            "python3 invoked oom-killer: gfp_mask=<HEX>(GFP_KERNEL), order=<NUM>, "
            "oom_score_adj=<NUM>"
        ) in templates
        assert len(templates) == 4


def test_an_oops_in_dmesg_keeps_its_registers_and_trace_together() -> None:
    oops = [
        "BUG: kernel NULL pointer dereference, address: 0000000000000018",
        "Oops: 0000 [#1] PREEMPT SMP NOPTI",
        "CPU: 2 PID: 9811 Comm: clamd Tainted: G        W          6.1.115 #1",
        "Modules linked in: nf_conntrack_netlink xt_addrtype br_netfilter ena",
        "RIP: 0010:ena_start_xmit+0x2f1/0x790 [ena]",
        "Code: 48 8b 45 18 48 85 c0 74 2f 48 8b 50 08 <48> 8b 4a 18 48 85 c9",
        "RSP: 0018:ffffc900001a3c58 EFLAGS: 00010246",
        "RAX: 0000000000000000 RBX: ffff888104a2e000 RCX: 0000000000000000",
        "FS:  00007f5b5a6fe740(0000) GS:ffff88813bc80000(0000) knlGS:0000000000000000",
        "CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033",
        "CR2: 0000000000000018 CR3: 000000010c7b2005 CR4: 00000000007706e0",
        "Call Trace:",
        " [<ffffffff816a3db1>] dump_stack+0x19/0x1b",
        " ? dev_hard_start_xmit+0xc7/0x1e0",
        "---[ end trace 0000000000000000 ]---",
    ]
    after = "ena 0000:00:05.0 eth0: TX hang detected"
    lines = [f"[ 4021.{i:06d}] {line}" for i, line in enumerate([*oops, after])]
    events = list(parse_lines(lines, now=NOW))
    # "Oops:" is no continuation: the two first lines are events of their own
    assert [e.message for e in events] == [oops[0], "\n".join(oops[1:]), after]


def test_lines_that_only_look_like_a_reports_are_events_of_their_own() -> None:
    lines = [
        "2026-11-20T10:00:01Z INFO cache warmed",
        "CPU: 85% used, 4 cores",
        "Code: 500 Internal Server Error",
        "memory: usage high, restarting",
        "anon 2140913664",  # a memory.stat line outside a report
        "Call Tracer started",
        # shaped like registers and code bytes, but no full-width values
        "RSS: 1024 MB",
        "RTT: 1500 ms to db",
        "Code: 00 returned",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.message for e in events] == ["cache warmed", *lines[1:]]


def test_the_printk_time_is_a_head_and_details_never_name_what_happened() -> None:
    assert without_printk_time("[  812.123456] eth0: link up") == "eth0: link up"
    assert without_printk_time("[812345.123456]  dump_stack+0x6b/0x83") == " dump_stack+0x6b/0x83"
    for kept in ("[12.5] retry", "[2026-11-20 10:00:01] x", "[812.123456]x", "x [1.123456] y"):
        assert without_printk_time(kept) == kept
    for detail in (
        OOM_REPORT[1],
        OOM_REPORT[3],
        OOM_REPORT[14],
        OOM_REPORT[-1],
        "RAX: 0000000000000000 RBX: x",
    ):
        assert is_detail(detail), detail
    for said in (OOM_REPORT[0], VERDICT[1], "Out of memory: Killed process 1 (java)"):
        assert not is_detail(said), said


def test_the_printk_time_goes_behind_a_head_and_in_a_shippers_record_too() -> None:
    # a stream of several formats, whose prefix is none of them: syslog's is a head here
    app = [f"2026-11-20T10:00:{i:02d}.000Z INFO [api] request served" for i in range(16)]
    app += [f"Nov 20 10:00:1{i} ip-10-0-8-187 systemd[1]: Started session {i}." for i in range(6)]
    kernel = [
        "Nov 20 10:00:07 ip-10-0-8-187 kernel: [373311.593170] oom-kill:constraint=MEMCG",
        '{"time": "2026-11-20T10:00:08Z", "logger": "kernel", "message": '
        '"[373312.000001] cgroup: fork rejected by pids controller"}',
    ]
    events = list(parse_lines([*app, *kernel], now=NOW))
    assert [(e.service, e.message) for e in events[22:]] == [
        ("kernel", "oom-kill:constraint=MEMCG"),
        ("kernel", "cgroup: fork rejected by pids controller"),
    ]


def test_an_arm64_oops_keeps_its_registers_and_trace_together() -> None:
    # Graviton instances: pc/lr/sp and x0..x29, then the trace
    oops = [
        "Internal error: Oops - BUG: 00000000f2000800 [#1] SMP",
        "CPU: 1 PID: 731 Comm: kworker/1:2 Not tainted 6.1.115 #1",
        "Hardware name: Amazon EC2 c7g.large/, BIOS 1.0 11/1/2018",
        "pc : ena_io_poll+0x2f8/0x310 [ena]",
        "lr : ena_io_poll+0x2f4/0x310 [ena]",
        "sp : ffff80000a1b3c50",
        "x29: ffff80000a1b3c50 x28: ffff0000c1a1e4c0 x27: 0000000000000000",
        "x2 : 0000000000000000 x1 : 0000000000000000 x0 : ffff0000c0d6a000",
        "Call trace:",
    ]
    events = list(parse_lines([f"[ 88.{i:06d}] {line}" for i, line in enumerate(oops)], now=NOW))
    assert events[0].message.split("\n") == oops[:-1]


def test_a_kernel_only_excerpt_of_rfc3339_syslog_is_read_by_its_prefix() -> None:
    # Ubuntu's rsyslog default since 23.10; the kernel's tag has no pid
    lines = [
        f"2026-11-20T10:00:01.{i:06d}+00:00 ip-10-0-1-5 kernel: {line}"
        for i, line in enumerate([*OOM_REPORT, *VERDICT])
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [(e.service, e.message.split("\n")) for e in events] == [
        ("kernel", OOM_REPORT),
        ("kernel", VERDICT[:1]),
        ("kernel", VERDICT[1:]),
    ]


def test_a_hung_tasks_report_is_one_event() -> None:
    report = [
        "INFO: task kworker/2:1:123 blocked for more than 120 seconds.",
        "      Not tainted 6.1.115-126.197.amzn2023.x86_64 #1",
        '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
        "task:kworker/2:1       state:D stack:0     pid:123   ppid:2      flags:0x00004000",
        "Call Trace:",
        " <TASK>",
        " __schedule+0x2d6/0x8a0",
        " </TASK>",
    ]
    lines = [f"[ 1842.{i:06d}] {line}" for i, line in enumerate(report)]
    (event,) = parse_lines(lines, now=NOW)
    assert event.message.split("\n") == [report[0].removeprefix("INFO: "), *report[1:]]


def test_a_cgroup_v1_oom_report_keeps_its_limit_line_and_tables() -> None:
    report = [
        "java invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null), order=0",
        "CPU: 1 PID: 4242 Comm: java Not tainted 4.14.355-271.569.amzn2.x86_64 #1",
        "Call Trace:",
        " dump_stack+0x66/0x82",
        "Task in /kubepods/burstable/pod1a2b/3c4d killed as a result of limit of /kubepods",
        "memory: usage 1048576kB, limit 1048576kB, failcnt 10",
        "Memory cgroup stats for /kubepods/burstable/pod1a2b: cache:0KB rss:1048576KB",
    ]
    events = list(parse_lines(_syslog(report, printk=True), now=NOW))
    assert [e.message.split("\n") for e in events] == [report]


def test_a_report_in_dmesg_with_wall_times_is_one_event() -> None:
    # `dmesg -T` and `dmesg --time-format iso` put a time on every line of a report: the
    # report's lines continue it behind their own heads, a frame keeping its indent
    before = "eth0: link up"
    forms: dict[str, Callable[[int], str]] = {
        "-T": lambda i: f"[Fri Nov 20 10:00:{i:02d} 2026] ",
        "iso": lambda i: f"2026-11-20T10:00:{i:02d},{123456 + i:06d}+00:00 ",
    }
    for name, head in forms.items():
        lines = [head(i) + line for i, line in enumerate([before, *OOM_REPORT, *VERDICT])]
        events = list(parse_lines(lines, now=NOW))
        assert [e.message.split("\n") for e in events] == [
            [before],
            OOM_REPORT,
            VERDICT[:1],
            VERDICT[1:],
        ], name
        stamp = events[1].timestamp
        assert stamp is not None
        assert stamp.replace(microsecond=0) == datetime(2026, 11, 20, 10, 0, 1, tzinfo=UTC), name


def test_a_report_under_dmesg_wall_times_is_one_event_in_a_whole_capture() -> None:
    # a real capture opens with lines whose first word reads as a program ("audit:",
    # "IPv6:"), so the learned head may hold one: the report still continues by its shapes
    ordinary = [
        'audit: type=1400 audit(1763632801.120:42): apparmor="STATUS" operation="profile_load"',
        "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
        "docker0: port 1(veth3a1b2c4) entered forwarding state",
        "EXT4-fs (nvme0n1p1): re-mounted. Opts: discard,errors=remount-ro",
        "eth0: renamed from veth7f2d1e0",
    ] * 6
    hung = [
        "INFO: task jbd2/nvme0n1p1-:412 blocked for more than 120 seconds.",
        "      Not tainted 6.1.115-126.197.amzn2023.x86_64 #1",
        '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
        "task:jbd2/nvme0n1p1- state:D stack:0     pid:412   ppid:2      flags:0x00004000",
        "Call Trace:",
        " <TASK>",
        " __schedule+0x2d6/0x8a0",
        " </TASK>",
    ]
    report = [*ordinary, *OOM_REPORT, *VERDICT, *hung]
    lines = [
        f"[Fri Nov 20 10:{i // 60:02d}:{i % 60:02d} 2026] {line}" for i, line in enumerate(report)
    ]
    events = list(parse_lines(lines, now=NOW))
    tail = [e.message.split("\n") for e in events[len(ordinary) :]]
    assert tail[:3] == [OOM_REPORT, VERDICT[:1], VERDICT[1:]]
    assert len(tail) == 4
    assert tail[3][0].endswith(hung[0].removeprefix("INFO: "))
    assert tail[3][1:] == hung[1:]
    assert events[-1].level == Level.ERROR


def test_a_time_alone_on_a_line_does_not_glue_an_apps_lines_to_a_report() -> None:
    # behind an app's own time (not dmesg's), lines that merely look like a report's stay
    # events of their own; behind dmesg's, a counter line joins a report only inside its tables
    app = [
        "2026-11-20T10:00:01Z payment 42 failed: card declined",
        "2026-11-20T10:00:01Z Workqueue: 12 jobs pending",
        "2026-11-20T10:00:02Z CPU: 0 PID: 12 Comm: worker is busy",
        "2026-11-20T10:00:02Z  retry+0x1/0x2",
    ]
    assert len(list(parse_lines(app, now=NOW))) == 4
    dmesg = [
        "[Fri Nov 20 10:00:01 2026] python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)",
        "[Fri Nov 20 10:00:01 2026] anon 2140913664",
        "[Fri Nov 20 10:00:02 2026] CPU: 85% used, 4 cores",
        "[Fri Nov 20 10:00:02 2026] at the gate: RSS: 1024 MB",
    ]
    assert len(list(parse_lines(dmesg, now=NOW))) == 4


def test_a_hung_task_and_an_rcu_stall_are_errors_as_the_kernel_logs_them() -> None:
    lines = [
        "Nov 20 10:00:01 ip-10-0-1-5 kernel: [ 1842.000001] eth0: link up",
        "Nov 20 10:00:02 ip-10-0-1-5 kernel: [ 1842.000002] INFO: task jbd2/nvme0n1p1-:412 "
        "blocked for more than 120 seconds.",
        "Nov 20 10:00:03 ip-10-0-1-5 kernel: [ 1842.000003] rcu: INFO: rcu_sched self-detected "
        "stall on CPU",
        "Nov 20 10:00:04 ip-10-0-1-5 kernel: [ 1842.000004] INFO: task queue is empty",
        "Nov 20 10:00:05 ip-10-0-1-5 kernel: [ 1842.000005] INFO: task Web Content:3301 blocked "
        "for more than 122 seconds.",
        "Nov 20 10:00:06 ip-10-0-1-5 kernel: [ 1842.000006] rcu: INFO: rcu_sched detected "
        "expedited stalls on CPUs/tasks: { 3-... } 21 jiffies s: 457 root: 0x8/.",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.level for e in events] == [
        Level.INFO,
        Level.ERROR,
        Level.ERROR,
        Level.INFO,
        Level.ERROR,
        Level.ERROR,
    ]

"""The Linux kernel's reports, as dmesg, syslog's `kernel:` or journald print them.

An oops, a WARNING, a hung task or the OOM killer prints one report over many lines: its first
line says what happened, then the context (CPU, PID and command, hardware), the registers, the
call trace and its frames, and for the OOM killer the memory and task tables. Those lines
continue the report's first line, as a stack continues an exception; the OOM killer's verdict
(`Out of memory: Killed process …`) stays an event of its own.
"""

from __future__ import annotations

import re

# The printk time, seconds since boot ("[812345.123456] "): a head field, not the message's.
# One blank ends it; a frame's own indent after it is kept.
PRINTK_TIME = re.compile(r"\[ *\d+\.\d{6}\] ")

# Opens the frames of a report
CALL_TRACE = "Call Trace:"

# A frame, "  dump_stack+0x6b/0x83", "  ? __alloc_pages+0xb8c/0xc90 [nvme]" (unreliable), with
# the address first on older kernels ("[<ffffffff816a3db1>] "), and the context markers
# around a trace ("<TASK>", "</IRQ>"), and the kernel's taint under a hung task's first line.
# Indented: `anatomy.is_frame` asks only of such lines.
FRAME = re.compile(
    r"[ \t]+(?:\[<[0-9a-f]+>\] )?(?:\? )?[\w.$]+\+0x[0-9a-f]+/0x[0-9a-f]+(?: \[[\w-]+\])?\s*$"
    r"|[ \t]+</?[A-Z]+>\s*$"
    r"|[ \t]+(?:Not tainted|Tainted: )"  # a hung task's kernel, under its first line
)

# The unindented lines of a report's context: who ran (CPU, PID, Comm), where, the modules,
# the registers and the end of the report. Registers as x86-64 prints them ("RIP: 0010:",
# "RSP: 0018:ffffc900…", "RAX: 0000000000000000", "FS:  00007f5b…", "CS:  0010 DS: 0000")
# and arm64 (Graviton: "pc : do_undefinstr+0x2f8/0x310", "x29: ffff80000a1b3c50"), and the
# code bytes ("Code: 48 8b 45 18 …"): full-width values, so "RSS: 1024 MB" or
# "Code: 00 returned" from an app stay lines of their own.
CONTEXT = re.compile(
    r"CPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: "
    r"|Hardware name: |Modules linked in:|Workqueue: "
    r"|RIP: [0-9a-f]{4}:|RSP: [0-9a-f]{4}:[0-9a-f]{16}"
    r"|(?:R[A-Z0-9]{1,2}|CR\d|DR\d|x\d{1,2}|sp|[FG]S) *: +[0-9a-f]{16}\b"
    r"|CS: +[0-9a-f]{4} DS: "
    r"|(?:pc|lr) : [\w.$]+\+0x[0-9a-f]+/0x[0-9a-f]+"
    r"|Code: (?:(?:<?[0-9a-f]{2}>? ){4}|Unable to access opcode|Bad RIP)"
    r"|---\[ end (?:trace|Kernel panic)"
    # a hung task's report, and a cgroup v1 OOM's limit it was killed by
    r"|\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables"
    r"|task:\S+ +state:\w+ +stack: *\d"
    r"|Task in \S+ killed as a result of limit of "
)

# The OOM killer's memory and task tables, opened by these lines (a cgroup's limit and its
# memory.stat for a cgroup's OOM) ...
MEMORY_TABLES = re.compile(
    r"Mem-Info:|Tasks state \(memory values in pages\):|Memory cgroup stats for "
    r"|(?:memory|memory\+swap|swap|kmem): usage \d+kB, limit "
)
# ... and the shapes of their lines: counters ("active_anon:912345 inactive_anon:1234"), a
# node's or zone's ("Node 0 DMA free:15908kB", "Node 0 DMA: 1*4kB (U) 0*8kB"),
# "lowmem_reserve[]: 0 2967", page totals ("2135 total pagecache pages", "0 pages in swap
# cache", "1048446 pages RAM", "Free swap  = 0kB")
# the task table ("[  pid  ]   uid  tgid …", "[   2231]  1000  2231  1234567 …") and a
# cgroup's memory.stat ("anon 2140913664").
MEMORY_LINE = re.compile(
    r"[a-z_]+:\d+ [a-z_]+:\d+"
    r"|[a-z_]+ \d+\s*$"
    r"|Node \d+ "
    r"|lowmem_reserve\[\]:"
    r"|\d+ (?:total pagecache )?pages\b|Swap cache stats:"
    r"|(?:Free|Total) swap +="
    r"|\[ *(?:pid|\d+) *\] +(?:uid|\d+) "
)

# Reports the kernel logs at KERN_ERR under an "INFO: " of their own: a task hung in
# uninterruptible sleep (often a stalled disk), an RCU stall.
_ERROR_AS_INFO = re.compile(
    r"INFO: (?:task [^\n:]{1,64}:\d+ blocked for more than \d+ seconds"
    r"|rcu_\w+ (?:self-)?detected (?:expedited )?stall)"
)


def logged_as_error(line: str) -> bool:
    """Whether a line that reads as INFO is a report the kernel logs as an error."""
    return "INFO: " in line and _ERROR_AS_INFO.search(line) is not None


def without_printk_time(line: str) -> str:
    """The line without the kernel's printk time, when it opens with one."""
    if line[:1] != "[":
        return line
    found = PRINTK_TIME.match(line)
    return line if found is None else line[found.end() :]


def is_detail(line: str) -> bool:
    """Whether an unindented line is a report's context, call trace header or table: never
    what the report says happened."""
    return _opens_detail(line) or MEMORY_LINE.match(line) is not None


# The wall time dmesg prints on every line with -T ("[Fri Nov 20 10:00:01 2026] ") or
# --time-format iso ("2026-11-20T10:00:01,123456+00:00 "): a head field, as the printk time is.
# One blank ends it; a frame's own indent after it is kept.
DMESG_TIME = re.compile(
    r"\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] "
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d{6}[+-]\d\d:?\d\d "
)


def report_line(text: str, *, in_tables: bool) -> str | None:
    """A report's line behind dmesg's wall time, as it continues the report; None for any
    other line. `in_tables`: the report is in its memory and task tables."""
    found = DMESG_TIME.match(text)
    if found is None:
        return None
    line = text[found.end() :]
    if line[:1] in " \t":
        return line if FRAME.match(line) is not None else None
    if is_detail(line) if in_tables else _opens_detail(line):
        return line
    return None


def _opens_detail(message: str) -> bool:
    """A report's context or call trace header, or a table's first line: what continues a
    report before its tables (a counter line alone, "anon 2140913664", is no report's there)."""
    return (
        message.startswith(CALL_TRACE)
        or CONTEXT.match(message) is not None
        or MEMORY_TABLES.match(message) is not None
    )

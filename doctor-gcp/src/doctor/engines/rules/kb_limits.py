"""resource_exhaustion: every limit that is neither memory nor disk — file descriptors, threads
and processes, conntrack and ports, worker slots, cluster capacity — as the kernel, JVM, Go,
Python, Node, nginx, Apache, php-fpm and Kubernetes report them.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, rule
from doctor.taxonomy import Category, Severity

RES = Category.RESOURCE_EXHAUSTION
HIGH = Severity.HIGH

LIMIT_RULES: list[Rule] = [
    rule(
        "fd-limit",
        RES,
        "File Descriptor Limit Reached",
        match=[
            r"Too many open files|\bEMFILE\b|\[Errno 24\]|\(24: Too many",
            r"\bENFILE\b|file table overflow|file-max limit",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "The process hit its open-file limit (RLIMIT_NOFILE): sockets or files leak (not "
            "closed), or the limit (often 1024) is too low for its connection count."
        ),
        solution=(
            "Compare `ls /proc/PID/fd | wc -l` with `cat /proc/PID/limits`; look for leaked "
            "sockets (`ss -tanp`, `lsof -p PID`); close responses/files, reuse HTTP clients, and "
            "raise the limit (systemd LimitNOFILE=65536, docker --ulimit nofile=65536:65536, "
            "/etc/security/limits.conf)."
        ),
        action="Raise the file-descriptor limit (LimitNOFILE / ulimit -n) and look for leaked "
        "sockets.",
    ),
    rule(
        "thread-limit",
        RES,
        "Thread or Process Limit Reached",
        match=[
            r"unable to create (?:new )?native thread|pthread_create failed",
            r"can't start new thread|cannot create (?:a )?(?:new )?thread",
            r"fork: (?:retry: )?Resource temporarily unavailable|Cannot fork",
            r"max user processes|pids\.max|pids limit",
            r"RejectedExecutionException|Thread pool is EXHAUSTED|thread pool (?:is )?(?:full|"
            r"exhausted)|es_rejected_execution_exception",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "The process cannot start more threads or processes: the per-user/cgroup pid limit "
            "(ulimit -u, pids.max, TasksMax) is reached, usually because threads leak or a pool "
            "grows unbounded."
        ),
        solution=(
            "Count threads (`ps -eLf | wc -l`, a jstack / py-spy dump) and find the growing "
            "pool; bound thread pools and executors; raise TasksMax / ulimit -u / the pod pids "
            "limit if the count is legitimate."
        ),
        action="Find the thread/process leak (jstack, ps -eLf) and bound the pools.",
    ),
    rule(
        "network-table-limit",
        RES,
        "Connection Tracking Table or Socket Buffers Exhausted",
        match=[
            r"nf_conntrack: table full|conntrack table full",
            r"No buffer space available|\bENOBUFS\b|possible SYN flooding",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "The host ran out of network bookkeeping: the conntrack table or socket buffers "
            "are full, typically from a flood of short connections (one per request, or a "
            "SYN flood)."
        ),
        solution=(
            "Reuse connections (HTTP keep-alive, pooled clients); check `ss -s` and "
            "`sysctl net.netfilter.nf_conntrack_count net.netfilter.nf_conntrack_max`; raise "
            "net.netfilter.nf_conntrack_max (and the hash size); for SYN floods check the "
            "source addresses and enable syncookies / rate limits at the edge."
        ),
        action="Reuse connections and raise nf_conntrack_max on the affected host.",
    ),
    rule(
        "ephemeral-ports",
        RES,
        "Ephemeral Port Exhaustion",
        # weak on purpose: the same errno also means "bind to an address this host lacks"
        match=[r"Cannot assign requested address|\bEADDRNOTAVAIL\b"],
        weight=60,
        severity=HIGH,
        root_cause=(
            "Outbound connects fail with EADDRNOTAVAIL: the local ephemeral port range is used "
            "up by connections in TIME_WAIT (a new connection per request), or the client "
            "binds an address this host does not have."
        ),
        solution=(
            "`ss -tan state time-wait | wc -l` against `sysctl net.ipv4.ip_local_port_range`; "
            "reuse connections (keep-alive, pooled clients), widen the port range and enable "
            "net.ipv4.tcp_tw_reuse; check any configured source/bind address."
        ),
        action="Reuse outbound connections (keep-alive / pooling) and widen the local port range.",
    ),
    rule(
        "worker-limit",
        RES,
        "Server Worker or Connection Limit Reached",
        match=[
            r"worker_connections are not enough",
            r"server reached (?:pm\.)?max_children|server reached MaxRequestWorkers",
            r"connection limit (?:reached|exceeded)|maximum number of connections",
            r"out of shared memory|max_locks_per_transaction",
            r"\bulimit\b|\bRLIMIT_\w+",
            r"Insufficient (?:cpu|memory|pods|nvidia)|nodes are available",
            r"No valid host was found|not enough hosts available",
            r"exceeded (?:the )?(?:maximum|max) (?:number of )?(?:connections|workers|threads)",
        ],
        weight=85,
        severity=HIGH,
        root_cause=(
            "A configured capacity limit is reached — web server workers, php-fpm children, "
            "lock table, or schedulable cluster capacity — so new work is refused or queued."
        ),
        solution=(
            "Raise the named limit if the host has room (nginx worker_connections, php-fpm "
            "pm.max_children, Apache MaxRequestWorkers, PostgreSQL max_locks_per_transaction) "
            "or add capacity (more replicas / nodes, cluster autoscaler); find slow requests "
            "that hold workers."
        ),
        action="Raise the exhausted server limit or add capacity, and find what holds the slots.",
    ),
]

"""Memory and disk: out_of_memory and disk_full, as the Linux kernel and cgroups, Kubernetes,
ECS, systemd, the JVM, V8, Go, Python, Redis and Elasticsearch report them.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, rule
from doctor.taxonomy import Category, Severity

OOM = Category.OUT_OF_MEMORY
DISK = Category.DISK_FULL
CRIT, HIGH = Severity.CRITICAL, Severity.HIGH

_MEMORY_FIX = (
    "Find what grows: container memory graphs (CloudWatch / `kubectl top pod` / `docker "
    "stats`), then either raise the limit (Kubernetes resources.limits.memory, ECS task memory, "
    "systemd MemoryMax) or cut usage: fix the leak, bound caches and batch sizes, stream instead "
    "of loading whole payloads, lower worker count."
)

MEMORY_DISK_RULES: list[Rule] = [
    rule(
        "oom-killer",
        OOM,
        "Process Killed by the OOM Killer",
        match=[
            r"Out of memory: Kill(?:ed)? process|Killed process \d+ \(\S+\) total-vm",
            r"invoked oom-killer|oom-kill:|oom_reaper|oom-kill event",
            r"Memory cgroup out of memory",
            r"Failed with result 'oom-kill'|killed by the OOM killer",
            r"systemd-oomd|due to memory pressure",
        ],
        weight=100,
        severity=CRIT,
        root_cause=(
            "The kernel killed the process because its cgroup or the host ran out of memory; "
            "the service restarts and in-flight requests fail."
        ),
        solution=(
            "Confirm with `dmesg -T | grep -i -E 'oom|killed process'` or `journalctl -k`, note "
            "the killed process and its anon-rss. " + _MEMORY_FIX
        ),
        action="Raise the memory limit or cut the process's memory use (see anon-rss in the OOM "
        "report).",
    ),
    rule(
        "oom-container-killed",
        OOM,
        "Container Killed for Exceeding Its Memory Limit",
        match=[
            r"OOMKilled",
            r"(?:exit(?:ed)?|exit code|exit status|exitcode|code)[ =:(]*137\b",
            r"Container killed due to memory usage|OutOfMemoryError: Container killed",
            r"was sent SIGKILL! Perhaps out of memory",
            r"Runtime\.OutOfMemory",
            r"low on resource: memory|MemoryPressure|memory (?:limit|usage) exceeded",
            r"killed by YARN for exceeding memory limits|running beyond physical memory limits",
        ],
        weight=98,
        severity=CRIT,
        root_cause=(
            "The container (or worker) used more memory than its limit and was killed with "
            "SIGKILL (exit code 137, OOMKilled); the orchestrator then restarts it."
        ),
        solution=(
            "`kubectl describe pod POD` (Last State: OOMKilled) or the ECS stopped reason show "
            "the limit that was hit. " + _MEMORY_FIX
        ),
        action="Raise the container memory limit or reduce its memory use (it was OOMKilled).",
    ),
    rule(
        "oom-sigkill",
        OOM,
        "Process Killed with SIGKILL (Likely Out of Memory)",
        match=[
            r"status=9/KILL",
            r"terminated by signal 9|killed by signal 9|signal: killed",
            r"\bSIGKILL\b",
        ],
        weight=70,
        severity=HIGH,
        root_cause=(
            "The process died from SIGKILL, which nobody sends by hand in a healthy system: most "
            "often the kernel OOM killer or a container memory limit, sometimes a stop timeout."
        ),
        solution=(
            "Check `journalctl -k | grep -i oom` or `kubectl describe pod` around that time; "
            "if it is memory: " + _MEMORY_FIX
        ),
        action="Check the kernel log for an OOM kill at the time the process got SIGKILL.",
    ),
    rule(
        "oom-jvm",
        OOM,
        "JVM Out of Memory",
        match=[
            r"OutOfMemoryError(?:: (?:Java heap space|GC overhead limit exceeded|Metaspace|"
            r"Direct buffer memory|Requested array size|Compressed class space))?",
            r"OutOfMemoryException|circuit_breaking_exception|Data too large, data for",
        ],
        weight=90,
        severity=HIGH,
        root_cause=(
            "The JVM ran out of the named memory area (heap, metaspace, direct buffers): -Xmx "
            "is too small for the load or objects leak and are never collected."
        ),
        solution=(
            "Capture a heap dump (-XX:+HeapDumpOnOutOfMemoryError, then analyse with Eclipse "
            "MAT) to find the dominant objects; size the heap to the container "
            "(-XX:MaxRAMPercentage=75), bound caches, and raise -XX:MaxMetaspaceSize or "
            "-XX:MaxDirectMemorySize when those areas are named."
        ),
        action="Take a heap dump of the JVM and size -Xmx / MaxRAMPercentage to the container.",
    ),
    rule(
        "oom-node",
        OOM,
        "Node.js Heap Out of Memory",
        match=[
            r"JavaScript heap out of memory",
            r"Reached heap limit Allocation failed",
            r"Ineffective mark-compacts near heap limit",
        ],
        weight=100,
        severity=CRIT,
        root_cause=(
            "V8 hit its heap limit (--max-old-space-size) and aborted the process: a leak or a "
            "large in-memory workload."
        ),
        solution=(
            "Set --max-old-space-size to ~75% of the container memory (NODE_OPTIONS), take a "
            "heap snapshot (--heapsnapshot-near-heap-limit=1) to find the leak, and stream "
            "large payloads instead of buffering them."
        ),
        action="Take a Node heap snapshot and set --max-old-space-size to fit the container.",
    ),
    rule(
        "oom-allocation",
        OOM,
        "Memory Allocation Failures",
        match=[
            r"\bMemoryError\b|_ArrayMemoryError|Unable to allocate .* for an array",
            r"CUDA out of memory|cuda\.OutOfMemoryError",
            r"fatal error: runtime: out of memory|runtime: cannot allocate memory",
            r"std::bad_alloc|Cannot allocate memory|\bENOMEM\b",
            r"Allowed memory size of \d+ bytes exhausted",
            r"(?:failed|unable) to allocate (?:\d+ bytes of )?memory",
            r"out of memory(?!: kill)",
        ],
        weight=90,
        severity=HIGH,
        root_cause=(
            "The process could not allocate memory: it hit its own or the host's memory limit, "
            "usually from a leak or an oversized batch/payload."
        ),
        solution=_MEMORY_FIX,
        action="Find the memory growth (leak or oversized batch) and raise the memory limit "
        "meanwhile.",
    ),
    rule(
        "oom-redis-maxmemory",
        OOM,
        "Redis maxmemory Reached",
        match=[r"OOM command not allowed when used memory"],
        weight=100,
        severity=HIGH,
        root_cause=(
            "Redis is at maxmemory with an eviction policy that refuses writes (noeviction), so "
            "every write fails."
        ),
        solution=(
            "`redis-cli INFO memory` and `--bigkeys`; for a cache set maxmemory-policy "
            "allkeys-lru (or volatile-lru with TTLs on keys), expire what should expire, or scale "
            "the node."
        ),
        action="Free Redis memory: set an eviction policy / TTLs or scale the node.",
    ),
    rule(
        "disk-full",
        DISK,
        "Disk Full",
        match=[
            r"No space left on device|\bENOSPC\b|\[Errno 28\]|errno:? 28\b",
            r"could not extend file",
            r"(?:disk|filesystem|file system|volume) (?:is )?full",
            r"not enough space on the disk|insufficient disk space",
            r"database or disk is full|\bSQLITE_FULL\b|The table \S+ is full",
            r"DiskErrorException|Could not find any valid local directory",
        ],
        weight=100,
        severity=CRIT,
        root_cause=(
            "A filesystem the process writes to has no free blocks (or inodes): logs, temp "
            "files, database WAL or container layers filled it."
        ),
        solution=(
            "`df -h` and `df -i` on the host/container, then `du -xh --max-depth=1 / | sort -h` "
            "to find the growth; rotate/compress logs (logrotate, Docker log max-size), clean "
            "/tmp and old images (`docker system prune`), drop stale WAL/replication slots, and "
            "grow the volume (EBS modify-volume + resize2fs/xfs_growfs)."
        ),
        action="Free or grow the full filesystem (df -h / df -i, then du to find the growth).",
    ),
    rule(
        "disk-quota",
        DISK,
        "Disk Quota Exceeded",
        match=[r"Disk quota exceeded|\bEDQUOT\b|\[Errno 122\]"],
        weight=100,
        severity=CRIT,
        root_cause="The user or project hit its filesystem quota, so writes fail.",
        solution=(
            "`quota -s` / `repquota -a` (or the storage service's quota page); delete or archive "
            "data, or raise the quota."
        ),
        action="Free space under the quota or raise the disk quota.",
    ),
    rule(
        "disk-pressure",
        DISK,
        "Node Disk Pressure / Storage Watermark",
        match=[
            r"low on resource: ephemeral-storage|ephemeral local storage usage exceeds",
            r"DiskPressure|FreeDiskSpaceFailed|failed to garbage collect required amount",
            r"flood stage disk watermark|high disk watermark|read-only-allow-delete",
        ],
        weight=95,
        severity=CRIT,
        root_cause=(
            "The node or storage cluster is nearly out of disk, so it evicts pods or blocks "
            "writes (Elasticsearch flood-stage makes indices read-only)."
        ),
        solution=(
            "Free disk on the node (images, container logs, emptyDir), set ephemeral-storage "
            "requests/limits, grow the volume; for Elasticsearch free space then clear "
            "index.blocks.read_only_allow_delete."
        ),
        action="Free disk on the affected node / storage cluster and set storage limits.",
    ),
]

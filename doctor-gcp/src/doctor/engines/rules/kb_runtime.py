"""Processes that die: crash_loop (restarts, segfaults, aborts) and application_exception
(panics, unhandled exceptions, 500s), as Kubernetes, systemd, supervisord, Docker, ECS, PM2,
gunicorn, and the Go, Rust, JVM, Python, Node, .NET and Ruby runtimes report them.

The generic exception rules are weak on purpose: any more specific rule that also matches
(a database error inside a traceback, a timeout wrapped in an exception) wins.
"""

from __future__ import annotations

from doctor.digest.types import Level
from doctor.engines.rules.base import SYMPTOM, Rule, http_status, rule
from doctor.taxonomy import Category, Severity

CRASH = Category.CRASH_LOOP
APP = Category.APPLICATION_EXCEPTION
UPS = Category.UPSTREAM_UNAVAILABLE
HIGH, MED = Severity.HIGH, Severity.MEDIUM

_PREVIOUS_LOGS = (
    "The real error is in the output of the instance that died: `kubectl logs POD "
    "--previous`, `journalctl -u UNIT -n 200`, `docker logs CONTAINER`, or the ECS stopped "
    "reason."
)

RUNTIME_RULES: list[Rule] = [
    rule(
        "crash-k8s-backoff",
        CRASH,
        "Container Crash Loop (CrashLoopBackOff)",
        match=[r"CrashLoopBackOff", r"Back-?off (?:\S+ )?restarting failed container"],
        weight=92,
        severity=HIGH,
        root_cause=(
            "The container exits shortly after each start and Kubernetes keeps restarting it "
            "with growing back-off; the service has no or few ready replicas."
        ),
        solution=(
            _PREVIOUS_LOGS + " Check `kubectl describe pod POD` for Last State reason and exit "
            "code (137 = OOMKilled, 1 = application error, 139 = segfault), then fix that "
            "cause: missing config, unreachable dependency at startup, memory limit, or a "
            "liveness probe that fires before the app is ready."
        ),
        action="Read the crashed container's previous logs (kubectl logs --previous) and its "
        "exit code.",
    ),
    rule(
        "crash-restart-loop",
        CRASH,
        "Service Restarting Repeatedly",
        match=[
            r"Start request repeated too quickly|restart counter is at \d+",
            r"Scheduled restart job|Failed with result '(?:exit-code|core-dump|signal)'",
            r"Main process exited, code=(?:exited|dumped)",
            r"entered FATAL state, too many start retries|exited: \S+ \(exit status \d+; not "
            r"expected\)",
            r"too many unstable restarts|has restarted \d+ times|Restarting \(\d+\)",
            r"Essential container in task exited|Worker failed to boot",
            r"exited with (?:exit )?code [1-9]\d*\b|restart loop|restarting too often",
        ],
        weight=85,
        severity=HIGH,
        root_cause=(
            "The process keeps exiting and its supervisor (systemd, supervisord, Docker, ECS, "
            "PM2) restarts it until it gives up; something fails at startup or soon after."
        ),
        solution=(
            _PREVIOUS_LOGS + " Fix the first error of each run (configuration, dependency, "
            "permissions); then `systemctl reset-failed UNIT` and tune Restart=/RestartSec= or "
            "StartLimitBurst so a slow dependency does not exhaust the restart budget."
        ),
        action="Find the first error of each failed start in the service's own logs.",
    ),
    rule(
        "crash-segfault",
        CRASH,
        "Process Crashed (Segfault / Abort)",
        match=[
            r"Segmentation fault|\bSIGSEGV\b|\bsegfault\b|status=11/SEGV|signal 11\b",
            r"(?:terminated|killed) by signal 6\b|signal 6: Aborted|Aborted \(core dumped\)",
            r"(?:exit(?:ed)?|exit code|exit status|code)[ =:(]*139\b",
            r"core dumped|\bSIGABRT\b|status=6/ABRT|(?:exit code|code)[ =:(]*134\b",
            r"A fatal error has been detected by the Java Runtime Environment",
            r"fatal error: unexpected signal|general protection fault",
            r"double free or corruption|malloc\(\): \w+|stack smashing detected",
            r"Fatal Python error|EXCEPTION_ACCESS_VIOLATION",
        ],
        weight=88,
        severity=HIGH,
        root_cause=(
            "The process crashed on a memory-safety fault or abort in native code: a bug in a "
            "C extension or native library, an ABI mismatch between a library and the image, "
            "or corrupt memory."
        ),
        solution=(
            "Get the faulting frame: the core dump (`coredumpctl gdb`), the JVM hs_err_pid "
            "file, or Python's faulthandler (PYTHONFAULTHANDLER=1). Rebuild or pin the native "
            "dependency named there, match library versions to the base image, and roll back "
            "the last dependency upgrade if it started with it."
        ),
        action="Collect the core dump / hs_err / faulthandler trace and pin or roll back the "
        "crashing native library.",
    ),
    rule(
        "crash-liveness",
        CRASH,
        "Liveness Probe Failing (Restarts)",
        match=[
            r"Liveness probe failed|Startup probe failed",
            r"failed (?:ELB|container) health checks",
            r"failed (?:liveness|startup) probe, will be restarted",
        ],
        weight=85,
        severity=HIGH,
        root_cause=(
            "The kubelet kills containers whose liveness/startup probe fails: the app is hung "
            "or overloaded, starts slower than the probe allows, or the probe hits a path that "
            "depends on other services."
        ),
        solution=(
            "Compare probe settings (initialDelaySeconds, periodSeconds, timeoutSeconds, "
            "failureThreshold) with real startup and response times; add a startupProbe for "
            "slow starts; make liveness check only the process itself, not its dependencies."
        ),
        action="Loosen or fix the liveness probe so it checks only the process itself.",
    ),
    rule(
        "upstream-readiness",
        UPS,
        "Pods Not Ready (Readiness Probe Failing)",
        match=[r"Readiness probe failed"],
        weight=80,
        severity=HIGH,
        root_cause=(
            "Pods fail their readiness probe and are removed from the service endpoints, so "
            "callers get refused connections or 503s."
        ),
        solution=(
            "`kubectl describe pod` for the probe error; check what the readiness endpoint "
            "depends on and the probe timeout; fix the unhealthy dependency or the probe."
        ),
        action="Find why the readiness probe fails (kubectl describe pod) and fix it.",
    ),
    rule(
        "app-panic",
        APP,
        "Unrecovered Panic",
        match=[
            r"(?-i:^panic: )|goroutine \d+ \[running\]|panicked at",
            r"fatal error: (?:concurrent map|all goroutines are asleep)",
        ],
        weight=90,
        severity=HIGH,
        root_cause=(
            "The program panicked on a bug (nil dereference, index out of range, concurrent "
            "map access) and the process or request died."
        ),
        solution=(
            "Take the first application frame under the panic (file:line) and fix the bug "
            "there; guard nil values and bounds; protect shared maps with a mutex; add recover "
            "middleware so one request cannot kill the server; run tests with -race."
        ),
        action="Fix the code at the first application frame of the panic stack.",
    ),
    rule(
        "app-recursion",
        APP,
        "Unbounded Recursion (Stack Overflow)",
        match=[
            r"StackOverflowError|RecursionError|maximum recursion depth exceeded",
            r"Maximum call stack size exceeded|stack overflow",
        ],
        weight=85,
        severity=HIGH,
        root_cause=(
            "Code recurses without bound (cyclic data, self-referencing objects, a missing "
            "base case), exhausting the stack."
        ),
        solution=(
            "Find the repeating frames in the stack; add the missing base case or cycle "
            "detection (e.g. in serialisers with bidirectional relations), or make it iterative."
        ),
        action="Find the repeating frames in the stack and break the recursion.",
    ),
    rule(
        "app-missing-dependency",
        APP,
        "Missing Module or Class (Broken Build)",
        match=[
            r"ModuleNotFoundError|ImportError|Cannot find module|ERR_MODULE_NOT_FOUND",
            r"No module named|ImportModuleError",
            r"ClassNotFoundException|NoClassDefFoundError|NoSuchMethodError",
            r"cannot open shared object file|GLIBC_\S+ not found|LoadError",
        ],
        weight=85,
        severity=HIGH,
        root_cause=(
            "The deployed artifact lacks code it needs: a dependency not installed in the "
            "image, a version conflict, or a native library missing from the base image."
        ),
        solution=(
            "Rebuild the image from the lock file (uv sync --frozen, npm ci, mvn dependency:tree "
            "for conflicts); make sure the runtime stage copies the installed packages; install "
            "the missing system library; roll back to the last good image meanwhile."
        ),
        action="Roll back to the last good image and rebuild with the missing dependency.",
    ),
    rule(
        "app-null-reference",
        APP,
        "Null Reference Errors",
        match=[
            r"NullPointerException|NullReferenceException|nil pointer dereference",
            r"Cannot read propert(?:y|ies) of (?:undefined|null)|undefined is not an object",
            r"'NoneType' object (?:has no attribute|is not subscriptable|is not iterable)",
            r"undefined method \S+ for nil|is not a function",
        ],
        weight=40,
        min_level=Level.ERROR,
        severity=HIGH,
        root_cause=(
            "Code uses a value that is null/None/undefined: an unexpected empty response, a "
            "missing record or field, or an unhandled error path."
        ),
        solution=(
            "Open the top application frame of the stack, find which value is null and where it "
            "comes from; validate that input (or the dependency response) and handle the empty "
            "case; add a regression test with that input."
        ),
        action="Fix the null dereference at the top application frame of the stack.",
    ),
    rule(
        "app-http-500",
        APP,
        "HTTP 500 Internal Server Errors",
        match=[*http_status(500, "Internal Server Error"), r"InternalServerError"],
        weight=30,
        severity=HIGH,
        root_cause=(
            "Requests fail inside the application with 500: an unhandled exception on a code "
            "path, or a failing dependency surfaced as a generic error."
        ),
        solution=(
            "Correlate the 500s with the application's exception logs (request id / trace id) "
            "to get the stack; fix the failing path; map dependency failures to 502/503 with a "
            "clear message."
        ),
        action="Correlate the 500s with the application's stack traces to find the failing "
        "code path.",
        tier=SYMPTOM,
    ),
    rule(
        "app-unhandled-exception",
        APP,
        "Unhandled Application Exception",
        match=[
            r"Traceback \(most recent call last\)|Exception in thread|Caused by: ",
            r"Unhandled(?:PromiseRejection| ?exception| ?rejection| ?error)|uncaught",
            r"(?-i:\b[A-Z][A-Za-z0-9_]*(?:Error|Exception)\b)",
            r"^\s+at \S+\(\S+:\d+\)",
        ],
        weight=20,
        min_level=Level.ERROR,
        severity=MED,
        root_cause=(
            "The application raises an exception it does not handle: a code bug or an input "
            "or dependency response it does not expect."
        ),
        solution=(
            "Read the exception type, message and the top application frame in the samples; "
            "reproduce with the same input, fix the code path and add a test; if it started "
            "with a deploy, roll back."
        ),
        action="Fix the code path at the top application frame of the most frequent exception.",
        full_text=True,  # stack frames are the evidence that this is an exception at all
    ),
]

"""crash_loop: a process that dies and is restarted, again and again."""

from __future__ import annotations

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import Fields, kernel_prefix, syslog
from chaos_app.scenarios._stacks import PY_SITE


def crash_loop(fake: Fake) -> list[Event]:
    host = fake.hostname()
    unit = "chaos-app.service"
    restarts = fake.integer(3, 60)
    flavour = fake.integer(0, 2)
    if flavour == 0:  # a native crash, restarted by systemd over and over
        k = kernel_prefix(fake)
        comm, pid = fake.choice(("python3", "java", "node", "orders-api")), fake.pid()
        ip, lib = (
            f"00007f{fake.hex(10)}",
            fake.choice(("libc.so.6", "libvips.so.42", "libssl.so.3", "libxml2.so.2")),
        )
        events: list[Event] = []
        if comm == "python3":
            events.append(
                Event(
                    "CRITICAL",
                    "stderr",
                    "Fatal Python error: Segmentation fault",
                    f"\nCurrent thread 0x00007f{fake.hex(10)} (most recent call first):\n"
                    f'  File "{PY_SITE}/lxml/html/__init__.py", line 873 in fromstring\n'
                    f'  File "/app/catalog/importer.py", line {fake.integer(20, 200)} in '
                    "parse_feed\n",
                )
            )
        return [
            *events,
            syslog(
                "ERROR",
                "kernel",
                (
                    f"{k}{comm}[{pid}]: segfault at {fake.choice(('0', '8', '18'))} ip {ip} sp "
                    f"00007ffd{fake.hex(8)} error 4 in {lib}[7f{fake.hex(6)}000+{fake.hex(5)}]"
                ),
                host,
            ),
            syslog(
                "ERROR",
                "systemd[1]",
                f"{unit}: Main process exited, code=dumped, status=11/SEGV",
                host,
            ),
            syslog("WARNING", "systemd[1]", f"{unit}: Failed with result 'core-dump'.", host),
            syslog(
                "INFO",
                "systemd[1]",
                f"{unit}: Scheduled restart job, restart counter is at {restarts}.",
                host,
            ),
            syslog("INFO", "systemd[1]", "Started chaos-app.service - Chaos App.", host),
        ]
    if flavour == 1:  # the binary cannot even exec: wrong architecture; systemd gives up
        binary = "/opt/chaos-app/bin/orders-api"
        events = [
            syslog(
                "ERROR",
                f"(orders-api)[{fake.pid()}]",
                f"{unit}: Failed to execute {binary}: Exec format error",
                host,
            ),
            syslog(
                "ERROR",
                f"(orders-api)[{fake.pid()}]",
                f"{unit}: Failed at step EXEC spawning {binary}: Exec format error",
                host,
            ),
            syslog(
                "ERROR",
                "systemd[1]",
                f"{unit}: Main process exited, code=exited, status=203/EXEC",
                host,
            ),
            syslog(
                "INFO",
                "systemd[1]",
                f"{unit}: Scheduled restart job, restart counter is at {min(restarts, 5)}.",
                host,
            ),
        ]
        if restarts >= 5:
            events.append(
                syslog("ERROR", "systemd[1]", f"{unit}: Start request repeated too quickly.", host)
            )
            events.append(
                syslog(
                    "ERROR", "systemd[1]", "Failed to start chaos-app.service - Chaos App.", host
                )
            )
        return events
    # Kubernetes, as an event exporter forwards the pod's events; the JVM died on SIGSEGV (139)
    pod = fake.pod("orders-api")
    registry = f"{fake.aws_account_id()}.dkr.ecr.us-east-1.amazonaws.com"
    image = f"{registry}/orders-api:1.{fake.integer(10, 60)}.0"
    uid = fake.uuid()
    obj: Fields = {"namespace": "prod", "pod": pod, "container": "app"}
    jvm = (
        "#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n"
        f"#  SIGSEGV (0xb) at pc=0x00007f{fake.hex(10)}, pid=1, tid={fake.integer(20, 200)}\n#\n"
        "# JRE version: OpenJDK Runtime Environment Temurin-21.0.2+13 (21.0.2+13) (build "
        "21.0.2+13-LTS)\n"
        "# Problematic frame:\n"
        f"# C  [libimagequant.so+0x{fake.hex(5)}]  Java_com_acme_imaging_Native_quantize+0x2e\n#\n"
        "# Core dump will be written. Default location: /app/core\n#\n"
        "# An error report file with more information is saved as:\n# /tmp/hs_err_pid1.log\n#"
    )
    return [
        Event(
            "CRITICAL",
            "stdout",
            "A fatal error has been detected by the Java Runtime Environment",
            jvm,
            fields=obj,
        ),
        Event(
            "INFO",
            "k8s.events",
            f'Container image "{image}" already present on machine',
            fields={**obj, "reason": "Pulled", "type": "Normal"},
        ),
        Event(
            "INFO",
            "k8s.events",
            "Started container app",
            fields={**obj, "reason": "Started", "type": "Normal"},
        ),
        Event(
            "ERROR",
            "k8s.events",
            f"Back-off restarting failed container app in pod {pod}_prod({uid})",
            fields={**obj, "reason": "BackOff", "type": "Warning", "count": restarts},
        ),
    ]

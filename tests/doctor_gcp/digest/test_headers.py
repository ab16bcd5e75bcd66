"""Heads learned per source: time, level and service become fields, the message is what stays.

Each case is a few lines as the software writes them; the learner is told nothing about the
format. Every line must come out with its time, level and service, and a message that no longer
holds any of them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from doctor.digest import head_model, head_tokens, head_words, headers, parse_lines
from doctor.digest.types import Level

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
INFO, W, E, C = Level.INFO, Level.WARNING, Level.ERROR, Level.CRITICAL

# (name, lines, expected (time, level, service, message) of the first line)
FORMATS: list[tuple[str, list[str], tuple[datetime | None, Level | None, str | None, str]]] = [
    (
        "hadoop (yymmdd hhmmss pid level component:)",
        [
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating",
            "081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 terminating",
            "081109 204005 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: updated",
            "081109 204015 308 WARN dfs.DataNode$DataXceiver: writeBlock received exception",
        ],
        (
            datetime(2008, 11, 9, 20, 36, 15),
            INFO,
            "dfs.DataNode$PacketResponder",
            "PacketResponder 1 terminating",
        ),
    ),
    (
        "spark (yy/mm/dd)",
        [
            "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal",
            "17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn",
            "17/06/09 20:10:41 WARN util.NativeCodeLoader: Unable to load native-hadoop",
            "17/06/09 20:10:58 ERROR executor.Executor: Exception in task 0.0 in stage 1.0",
        ],
        (
            datetime(2017, 6, 9, 20, 10, 40),
            INFO,
            "executor.CoarseGrainedExecutorBackend",
            "Registered signal",
        ),
    ),
    (
        "syslog (no year, host, program[pid]:)",
        [
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; uid=0",
            "Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown",
            "Jun 15 02:04:59 combo su(pam_unix)[21416]: session opened for user cyrus",
            "Jun 15 04:06:18 combo kernel: Out of memory: Killed process 4242 (java)",
            "Jun 15 04:06:20 combo logrotate: ALERT exited abnormally with [1]",
            "Jun 15 04:12:42 combo ftpd[24085]: connection from 82.252.162.81",
            "Jun 15 04:12:43 combo ftpd[24086]: connection from 82.252.162.81",
            "Jun 16 04:10:22 combo sshd(pam_unix)[8520]: session closed for user test",
        ],
        (datetime(2026, 6, 14, 15, 16, 1), None, "sshd", "authentication failure; uid=0"),
    ),
    (
        "syslog whose programs log by their path (/usr/sbin/cron[pid]:)",
        [
            "Nov  9 12:03:57 web1 /usr/local/bin/collector[1682]: flush failed: disk busy",
            "Nov  9 12:03:58 web1 /usr/local/bin/collector[1682]: queue has 12 items",
            "Nov  9 12:04:01 web1 crond[2916]: (root) CMD (run-parts /etc/cron.hourly)",
            "Nov  9 12:04:02 web1 /opt/agent/bin/agentd[24904]: sweep done in 3 ms",
            "Nov  9 12:04:05 web1 /usr/local/bin/collector[1682]: queue has 40 items",
            "Nov  9 12:04:07 web1 ntpd[1815]: synchronized to 10.0.0.1, stratum 2",
        ],
        (datetime(2026, 11, 9, 12, 3, 57), None, "collector", "flush failed: disk busy"),
    ),
    (
        "windows cbs (comma, padded level and component)",
        [
            "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1",
            "2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/27 initialized",
            "2016-09-28 04:30:31, Warning               CBS    Unrecognized packageExtended",
            "2016-09-28 04:30:32, Error                 CBS    Failed to get next element",
        ],
        (datetime(2016, 9, 28, 4, 30, 30), INFO, "CBS", "Loaded Servicing Stack v6.1"),
    ),
    (
        "pipe-delimited (time|component|pid|message)",
        [
            "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
            "20171223-22:15:29:615|Step_LSC|30002312|onExtend:1514038530000 14 0 4",
            "20171223-22:16:0:150|Step_SPUtils|30002312| getTodayTotalDetailSteps = 1##2",
            "20171223-22:16:0:162|Step_StandReportReceiver|30002312|REPORT : 7054 5036",
        ],
        (datetime(2017, 12, 23, 22, 15, 29, 606000), None, "Step_LSC", "onStandStepChanged 3579"),
    ),
    (
        "bracketed month.day, program, dash",
        [
            "[10.30 16:49:06] chrome.exe - proxy.example.edu:5070 open through proxy HTTPS",
            "[10.30 16:49:07] chrome.exe *64 - www.example.cn:80 close, 0 bytes sent",
            "[10.30 16:49:08] firefox.exe - mtalk.google.com:5228 error : Could not connect",
            "[10.30 16:49:09] svchost.exe - api.example.com:443 open through proxy HTTPS",
        ],
        (
            datetime(2026, 10, 30, 16, 49, 6),
            None,
            "chrome.exe",
            "proxy.example.edu:5070 open through proxy HTTPS",
        ),
    ),
    (
        "supercomputer (label, epoch, date, node, time, node, type, component, level)",
        [
            "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 "
            "R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
            "- 1117838573 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.53.276129 "
            "R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
            "KERNDTLB 1118536327 2005.06.11 R30-M0-N9-C:J16-U01 2005-06-11-17.32.07.581048 "
            "R30-M0-N9-C:J16-U01 RAS KERNEL FATAL data TLB error interrupt",
            "- 1118769130 2005.06.14 R06-M1-N1-C:J12-U11 2005-06-14-10.12.10.222000 "
            "R06-M1-N1-C:J12-U11 RAS APP FATAL ciod: failed to read message prefix",
            "- 1118769131 2005.06.14 R06-M1-N1-C:J12-U11 2005-06-14-10.12.11.222000 "
            "R06-M1-N1-C:J12-U11 RAS KERNEL INFO generating core.45943",
        ],
        (
            datetime(2005, 6, 3, 22, 42, 50),
            INFO,
            "KERNEL",
            "instruction cache parity error corrected",
        ),
    ),
    (
        "cluster events (id, node, component, state, epoch, flag)",
        [
            "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State "
            "Change: Component alt0 is in the unavailable state (HWID=1973)",
            "2286759 full partition status 1061219795 -1 running",
            "35712 node-71 node status 1076533037 1 configured out",
            "98807 node-67 node temperature 1128237243 1 ambient=28",
            "460312 node-70 boot_cmd new 1074119817 1 Targeting domains:node-D1 and nodes:node-70",
        ],
        (
            datetime(2004, 2, 26, 14, 12, 22),
            None,
            None,
            "Component State Change: Component alt0 is in the unavailable state (HWID=1973)",
        ),
    ),
    (
        "openstack (file label, iso, pid, level, logger, request context)",
        [
            "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO "
            "nova.osapi_compute.wsgi.server [req-38101a0b - - - -] 10.11.10.1 GET /v2 status: 200",
            "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.272 25746 INFO "
            "nova.osapi_compute.wsgi.server [req-9bc36dd9 - - - -] 10.11.10.1 GET /v2 status: 200",
            "nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:04.500 2931 INFO "
            "nova.compute.manager [req-3ea4052c - - - -] [instance: b9000564] VM Started",
            "nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:05.185 2931 WARNING "
            "nova.virt.libvirt.driver [req-d38f479d - - - -] Timeout waiting for vif plugging",
        ],
        (
            datetime(2017, 5, 16, 0, 0, 0, 8000),
            INFO,
            "nova.osapi_compute.wsgi.server",
            "10.11.10.1 GET /v2 status: 200",
        ),
    ),
    (
        "logback (iso, thread, level, logger, dash)",
        [
            "2026-11-22 23:58:24.500 [nio-8080-exec-3] ERROR c.e.orders.OrderService - refused",
            "2026-11-22 23:58:25.000 [main] INFO  c.e.orders.Application - still alive",
            "2026-11-22 23:58:26.000 [pool-1-thread-2] WARN  c.e.orders.Cache - slow get",
            "2026-11-22 23:58:27.000 [main] INFO  c.e.orders.Application - ready",
        ],
        (datetime(2026, 11, 22, 23, 58, 24, 500000), E, "c.e.orders.OrderService", "refused"),
    ),
    (
        "flink log4j (iso, level, logger padded to a width, empty NDC, dash)",
        [
            "2025-07-08 06:48:13,402 WARN  com.orbital.enrich.GeoEnrichAsyncFunction      [] - "
            "lookup failed: HTTP 503",
            "2025-07-08 06:48:14,100 INFO  org.apache.flink.runtime.jobmaster.JobMaster   [] - "
            "Triggering checkpoint 42",
            "2025-07-08 06:48:15,200 INFO  com.orbital.enrich.GeoEnrichAsyncFunction      [] - "
            "enrich stats last 60s",
            "2025-07-08 06:48:16,300 ERROR org.apache.flink.runtime.taskmanager.Task      [] - "
            "Async function call has timed out",
        ],
        (
            datetime(2025, 7, 8, 6, 48, 13, 402000),
            Level.WARNING,
            "com.orbital.enrich.GeoEnrichAsyncFunction",
            "lookup failed: HTTP 503",
        ),
    ),
    (
        "postgres (iso with zone, [pid], LEVEL:)",
        [
            "2026-11-22 23:58:27.123 UTC [4711] FATAL:  remaining connection slots are reserved",
            "2026-11-22 23:58:27.124 UTC [4711] DETAIL:  max_connections is 100",
            "2026-11-22 23:58:28.000 UTC [4712] LOG:  checkpoint starting: time",
            "2026-11-22 23:58:29.000 UTC [4713] ERROR:  deadlock detected",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 27, 123000),
            C,
            None,  # "[4711]" is the backend's pid: a number never names who wrote a line
            "remaining connection slots are reserved",
        ),
    ),
    (
        "serilog (iso with offset, three-letter [LVL])",
        [
            "2026-11-22 23:58:00.123 +00:00 [INF] Request finished in 12ms 200",
            "2026-11-22 23:58:01.123 +00:00 [WRN] Request finished in 47ms 200",
            "2026-11-22 23:58:02.123 +00:00 [ERR] Request finished in 95ms 500",
            "2026-11-22 23:58:03.123 +00:00 [INF] Request finished in 40ms 200",
        ],
        (datetime(2026, 11, 22, 23, 58, 0, 123000), INFO, None, "Request finished in 12ms 200"),
    ),
    (
        "access log after a time, one method only so far (a quote opens the message)",
        [f'[2026-11-22T23:58:0{i}.123Z] "GET /health HTTP/1.1" 200 - 0 2 1 -' for i in range(9)],
        (
            datetime(2026, 11, 22, 23, 58, 0, 123000),
            None,
            None,
            '"GET /health HTTP/1.1" 200 - 0 2 1 -',
        ),
    ),
    (
        "ruby logger, rails (letter, [time #pid], LEVEL -- :)",
        [
            "I, [2026-11-22T23:58:01.123456 #1234]  INFO -- : Started GET / for 10.0.0.1",
            "E, [2026-11-22T23:58:02.123456 #1234] ERROR -- : PG::ConnectionBad: refused",
            "W, [2026-11-22T23:58:03.123456 #1235]  WARN -- : queue latency 12s",
            "I, [2026-11-22T23:58:04.123456 #1234]  INFO -- : Completed 200 OK in 5ms",
        ],
        (datetime(2026, 11, 22, 23, 58, 1, 123456), INFO, None, "Started GET / for 10.0.0.1"),
    ),
    (
        "ruby logger with prognames (letter, [time #pid], LEVEL -- name:)",
        [
            "W, [2026-11-22T23:58:03.123456 #1235]  WARN -- sidekiq: queue latency 12s",
            "E, [2026-11-22T23:58:05.123456 #1236] ERROR -- puma: worker 2 died: boom",
            "I, [2026-11-22T23:58:06.123456 #1235]  INFO -- sidekiq: job done",
            "I, [2026-11-22T23:58:07.123456 #1237]  INFO -- rack: GET / 200",
        ],
        (datetime(2026, 11, 22, 23, 58, 3, 123456), W, "sidekiq", "queue latency 12s"),
    ),
    (
        "redis (pid:role, day month-name year)",
        [
            "1:M 22 Nov 2026 23:58:23.123 * Background saving started by pid 123",
            "1:M 22 Nov 2026 23:58:24.123 # WARNING overcommit_memory is set to 0!",
            "123:C 22 Nov 2026 23:58:25.456 * DB saved on disk",
            "1:M 22 Nov 2026 23:58:26.789 # Can't save in background: fork: Cannot allocate",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 23, 123000),
            None,
            None,
            "* Background saving started by pid 123",
        ),
    ),
    (
        "tomcat, java.util.logging (dd-Mon-yyyy, LEVEL, [thread], logger.method)",
        [
            "22-Nov-2026 23:58:20.100 INFO [main] org.apache.catalina.startup.Catalina.start ok",
            "22-Nov-2026 23:58:21.200 SEVERE [main] org.apache.catalina.core.StandardContext.x y",
            "22-Nov-2026 23:58:22.300 WARNING [main] org.apache.catalina.loader.WebappLoader.z w",
            "22-Nov-2026 23:58:23.400 INFO [main] org.apache.catalina.startup.Catalina.start ok",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 20, 100000),
            INFO,
            "org.apache.catalina.startup.Catalina.start",
            "ok",
        ),
    ),
    (
        "kubernetes klog (letter and month-day, thread, file:line])",
        [
            "E1122 23:58:29.123456       1 reflector.go:138] failed to list *v1.Pod",
            "I1122 23:58:30.000001       1 controller.go:42] synced",
            "W1122 23:58:31.000001       1 controller.go:50] slow sync",
            "I1122 23:58:32.000001       1 controller.go:42] synced",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 29, 123456),
            E,
            "reflector.go",  # a line number names no one: the file is the component
            "failed to list *v1.Pod",
        ),
    ),
    (
        "aws lambda, python runtime ([LEVEL] before the time, request id)",
        [
            "[INFO]\t2026-11-22T23:58:00.718Z\t3ceb3ffd-97b7-8b52-2163-ea7b5eb561a4\tprocessing 87",
            "[ERROR]\t2026-11-22T23:58:07.339Z\t035efa25-e8a8-d664-81da-8d0042650644\tfailed",
            "[WARNING]\t2026-11-22T23:58:14.254Z\td6225675-8cb4-79f2-65aa-dc6ba399f82a\tretrying",
            "[INFO]\t2026-11-22T23:58:21.001Z\t29c0e596-b2d8-dc52-538e-8ab1f6f22f41\tprocessing 12",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 0, 718000),
            INFO,
            None,
            "3ceb3ffd-97b7-8b52-2163-ea7b5eb561a4\tprocessing 87",
        ),
    ),
    (
        "python's '%(asctime)s - %(name)s - %(levelname)s - %(message)s'",
        [
            "2026-11-22 23:58:00,123 - app.db - ERROR - query took 82 ms",
            "2026-11-22 23:58:01,123 - app.web - INFO - GET /health - 200",
            "2026-11-22 23:58:02,123 - app.db - WARNING - slow query - 900 ms",
            "2026-11-22 23:58:03,123 - urllib3.connectionpool - DEBUG - Starting new connection",
        ],
        (datetime(2026, 11, 22, 23, 58, 0, 123000), E, "app.db", "query took 82 ms"),
    ),
    (
        "an exception's name after the level is the message's, not a service",
        [
            "2026-11-22 23:58:00,123 ERROR KeyError: 'order_id'",
            "2026-11-22 23:58:01,123 ERROR psycopg2.OperationalError: could not connect",
            "2026-11-22 23:58:02,123 ERROR java.lang.IllegalStateException: pool closed",
            "2026-11-22 23:58:03,123 ERROR ValueError: bad input",
        ],
        (datetime(2026, 11, 22, 23, 58, 0, 123000), E, None, "KeyError: 'order_id'"),
    ),
    (
        "logfmt (time= and level= keys: Go's logrus, slog)",
        [
            'time=2026-11-22T23:58:00Z level=info msg="request served" duration=583ms',
            'time=2026-11-22T23:58:05Z level=warn msg="db timeout" duration=245ms',
            'time=2026-11-22T23:58:10Z level=error msg="cache miss" duration=616ms',
            'time=2026-11-22T23:58:15Z level=info msg="request served" duration=82ms',
        ],
        (datetime(2026, 11, 22, 23, 58), INFO, None, 'msg="request served" duration=583ms'),
    ),
    (
        "logfmt naming its service by a key (slog's service=, app=, component=)",
        [
            'time=2026-11-22T23:58:00Z level=info app="orders" msg="request served" ms=583',
            "time=2026-11-22T23:58:05Z level=warn service=auth msg=slow ms=245",
            'time=2026-11-22T23:58:10Z level=error component=cache msg="miss" ms=616',
            'time=2026-11-22T23:58:15Z level=info msg="request served" ms=82',
        ],
        (
            datetime(2026, 11, 22, 23, 58),
            INFO,
            "orders",
            'app="orders" msg="request served" ms=583',
        ),
    ),
    (
        "ALB access log (the timings and statuses are the message's)",
        [
            f"https 2026-11-22T23:58:0{s}.123456Z app/prod/50dc6c495c0c9188 203.0.113.9:4211 "
            f'10.0.1.4:8080 0.000 0.0{s}1 0.000 {code} 34 366 "GET https://x.example.com:443/api '
            'HTTP/1.1" "curl/8.5.0"'
            for s, code in enumerate(("502 -", "200 200", "200 200", "503 503"))
        ],
        (
            datetime(2026, 11, 22, 23, 58, 0, 123456),
            None,
            None,
            '0.000 0.001 0.000 502 - 34 366 "GET https://x.example.com:443/api HTTP/1.1" '
            '"curl/8.5.0"',
        ),
    ),
    (
        "apache 2.4 error log ([module:level], [pid N:tid M])",
        [
            "[Sun Nov 22 23:58:00.123456 2026] [proxy:error] [pid 1234:tid 5678] (111)Connection "
            "refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
            "[Sun Nov 22 23:58:01.123456 2026] [proxy_http:error] [pid 1234:tid 5678] [client "
            "10.0.1.5:53012] AH01114: HTTP: failed to make connection to backend: localhost",
            "[Sun Nov 22 23:58:02.123456 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: "
            "Apache/2.4.58 (Unix) configured -- resuming normal operations",
            "[Sun Nov 22 23:58:03.123456 2026] [core:warn] [pid 1:tid 1] AH00045: child process "
            "1234 still did not exit, sending a SIGTERM",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 0, 123456),
            E,
            "proxy",
            "(111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 "
            "(localhost) failed",
        ),
    ),
    (
        "jvm unified logging ([time][level][tags], no blank between the brackets)",
        [
            "[2026-11-22T23:58:00.123+0000][info][gc] GC(12) Pause Young (Normal) 512M->128M 12ms",
            "[2026-11-22T23:58:02.123+0000][warning][gc,alloc] GC(14) Allocation Failure",
            "[2026-11-22T23:58:03.123+0000][info][gc] GC(15) Pause Full 1020M->1010M 2345.678ms",
            "[2026-11-22T23:58:04.123+0000][error][gc] GC(16) Out of memory: Java heap space",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 0, 123000),
            INFO,
            "gc",
            "GC(12) Pause Young (Normal) 512M->128M 12ms",
        ),
    ),
    (
        "structlog's console (the level padded inside its bracket)",
        [
            "2026-11-22 23:58:00 [info     ] request served                 path=/api status=200",
            "2026-11-22 23:58:01 [error    ] db query failed                error='timeout'",
            "2026-11-22 23:58:02 [warning  ] retrying                       attempt=2",
            "2026-11-22 23:58:03 [info     ] request served                 path=/api status=200",
        ],
        (
            datetime(2026, 11, 22, 23, 58),
            INFO,
            None,
            "request served                 path=/api status=200",
        ),
    ),
    (
        "elasticsearch ([time][LEVEL ][logger] [node], padded and glued)",
        [
            "[2026-11-22T23:58:00,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk "
            "watermark [90%] exceeded",
            "[2026-11-22T23:58:01,123][INFO ][o.e.c.m.MetadataCreateIndexService] [node-1] "
            "[orders] creating index",
            "[2026-11-22T23:58:02,123][ERROR][o.e.b.ElasticsearchUncaughtExceptionHandler] "
            "[node-1] uncaught exception in thread [main]",
            "[2026-11-22T23:58:03,123][INFO ][o.e.n.Node               ] [node-1] started",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 0, 123000),
            W,
            "node-1",
            "high disk watermark [90%] exceeded",
        ),
    ),
    (
        "kafka ([time] LEVEL [context]: a colon may end the bracket)",
        [
            "[2026-11-22 23:58:03,123] INFO [GroupCoordinator 1]: Preparing to rebalance group "
            "orders (kafka.coordinator.group.GroupCoordinator)",
            "[2026-11-22 23:58:00,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
            "[2026-11-22 23:58:02,123] ERROR [Log partition=orders-0, dir=/var/lib/kafka] Failed "
            "to flush (kafka.log.Log)",
            "[2026-11-22 23:58:04,123] WARN [ReplicaFetcher replicaId=1, leaderId=2] Error in "
            "response for fetch request (kafka.server.ReplicaFetcherThread)",
        ],
        (
            datetime(2026, 11, 22, 23, 58, 3, 123000),
            INFO,
            "GroupCoordinator",
            "Preparing to rebalance group orders (kafka.coordinator.group.GroupCoordinator)",
        ),
    ),
    (
        "logfmt, level first and values quoted (go-kit)",
        [
            'level="warn" ts="2026-11-22T23:58:00.1Z" caller=main.go:42 msg="slow"',
            'level="error" ts="2026-11-22T23:58:01.2Z" caller=main.go:57 msg="down"',
            'level="info" ts="2026-11-22T23:58:02.3Z" caller=main.go:42 msg="ok"',
            'level="info" ts="2026-11-22T23:58:03.4Z" caller=main.go:42 msg="ok"',
        ],
        (datetime(2026, 11, 22, 23, 58, 0, 100000), W, None, 'caller=main.go:42 msg="slow"'),
    ),
    (
        "postgresql as rds sets its prefix (%t:%r:%u@%d:[%p]: glues the level on)",
        [
            "2026-11-22 23:58:00 UTC:10.0.1.81(30237):app@orders:[4711]:ERROR:  duplicate key",
            "2026-11-22 23:58:05 UTC::@:[412]:LOG:  checkpoint starting: time",
            "2026-11-22 23:58:10 UTC:10.0.1.90(40112):app@orders:[4820]:FATAL:  password failed",
            "2026-11-22 23:58:11 UTC:10.0.1.91(40113):app@orders:[4821]:WARNING:  no transaction",
        ],
        (datetime(2026, 11, 22, 23, 58), E, "app@orders", "duplicate key"),
    ),
    (
        "android logcat, verbose first (V is the lowest level, not none)",
        [
            "03-17 16:13:38.839  1702  2113 V WindowManager: Skipping AppWindowToken{df0798e}",
            "03-17 16:13:38.840  1702  2113 D WindowManager: printFreezingDisplayLogs",
            "03-17 16:13:38.841  1702  2113 I ActivityManager: Start proc 4242",
            "03-17 16:13:38.842  1702  2113 V AudioManager: querySoundEffectsEnabled...",
        ],
        (
            datetime(2026, 3, 17, 16, 13, 38, 839000),
            Level.TRACE,
            "WindowManager",
            "Skipping AppWindowToken{df0798e}",
        ),
    ),
    (
        "android logcat (month-day, pid, tid, letter, tag:)",
        [
            "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs opening",
            "03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock=233570404",
            "03-17 16:13:38.820  1702  8671 E PowerManagerService: ready=true policy=3",
            "03-17 16:13:38.839  1702  2113 W SendBroadcastPermission: action:android.intent",
        ],
        (
            datetime(2026, 3, 17, 16, 13, 38, 811000),
            Level.DEBUG,
            "WindowManager",
            "printFreezingDisplayLogs opening",
        ),
    ),
    (
        # MySQL 8: thread, then "[Note]" (a level only there), error code and subsystem
        "mysql8",
        [
            "2026-06-03T11:19:44.118027Z 14 [Note] [MY-010914] [Server] Aborted connection 14 "
            "to db: 'shop' user: 'app' host: '10.0.0.7' (Got an error reading packets).",
            "2026-06-03T11:19:45.118027Z 0 [Note] [MY-010931] [Server] ready for connections.",
            "2026-06-03T11:19:46.118027Z 12 [Warning] [MY-010055] [Server] IP address could not "
            "be resolved",
            "2026-06-03T11:19:47.118027Z 13 [ERROR] [MY-013134] [Server] Failed to open the log",
        ],
        (
            datetime(2026, 6, 3, 11, 19, 44, 118027),
            Level.INFO,
            "Server",
            "Aborted connection 14 to db: 'shop' user: 'app' host: '10.0.0.7' (Got an error "
            "reading packets).",
        ),
    ),
    (
        # Quarkus, WildFly, Keycloak: the thread in parentheses after the logger
        "quarkus",
        [
            "2026-10-08 10:14:01,123 INFO  [io.quarkus] (main) orders started in 1.234s.",
            "2026-10-08 10:14:02,123 ERROR [io.qua.ver.htt.run.QuarkusErrorHandler] "
            "(executor-thread-1) HTTP Request to /orders failed",
            "2026-10-08 10:14:03,123 WARN  [io.agroal.pool] (agroal-11) Connection refused",
            "2026-10-08 10:14:04,123 INFO  [org.jboss.as] (MSC service thread 1-2) WFLYSRV0049: "
            "WildFly started",
        ],
        (
            datetime(2026, 10, 8, 10, 14, 1, 123000),
            Level.INFO,
            "io.quarkus",
            "orders started in 1.234s.",
        ),
    ),
    (
        # hubble observe: a year-less time glued to a colon, then the flow
        "hubble",
        [
            "Nov 18 11:21:37.402: payments/api-9qzrm:43620 (ID:48213) -> db/pg-0:5432 "
            "(ID:19283) policy-verdict:none EGRESS DENIED (TCP Flags: SYN)",
            "Nov 18 11:21:37.402: payments/api-9qzrm:43620 (ID:48213) <> db/pg-0:5432 "
            "(ID:19283) Policy denied DROPPED (TCP Flags: SYN)",
            "Nov 18 11:21:39.113: payments/api-k2x4n:53963 (ID:48213) -> db/pg-0:5432 "
            "(ID:19283) to-endpoint FORWARDED (TCP Flags: ACK, PSH)",
            "Nov 18 11:21:40.020: kube-system/coredns-z7mpl:53 (ID:1021) <- payments/api-k2x4n"
            ":48110 (ID:48213) to-endpoint FORWARDED (UDP)",
        ],
        (
            datetime(2026, 11, 18, 11, 21, 37, 402000),
            None,
            None,
            "payments/api-9qzrm:43620 (ID:48213) -> db/pg-0:5432 (ID:19283) policy-verdict:none "
            "EGRESS DENIED (TCP Flags: SYN)",
        ),
    ),
    (
        # a bracket and a colon before the time: the colon is no part of the time
        "bracket-colon",
        [f"[GroupCoordinator 0]: 2026-01-20 09:01:0{i} ERROR lost member {i}" for i in range(6)],
        (datetime(2026, 1, 20, 9, 1, 0), Level.ERROR, None, "lost member 0"),
    ),
    (
        # AWS AppConfig Agent: a bracketed name with a blank in it before the time
        "appconfig-agent",
        [
            "[appconfig agent] 2026/01/20 08:59:33 INFO AppConfig Agent 2.0.6451 running",
            "[appconfig agent] 2026/01/20 09:08:14 WARN polling 'payments:prod:flags' failed, "
            "will retry: operation error AppConfigData: GetLatestConfiguration, StatusCode: 429",
            "[appconfig agent] 2026/01/20 09:21:30 INFO data for 'payments:prod:runtime' is up "
            "to date",
            "[appconfig agent] 2026/01/20 09:21:31 INFO retrieved data for "
            "'payments:prod:runtime' version 37 (1.9 KiB)",
        ],
        (
            datetime(2026, 1, 20, 8, 59, 33),
            Level.INFO,
            None,
            "AppConfig Agent 2.0.6451 running",
        ),
    ),
]


@pytest.mark.parametrize(("name", "lines", "first"), FORMATS, ids=[f[0] for f in FORMATS])
def test_a_source_teaches_its_own_head(
    name: str,
    lines: list[str],
    first: tuple[datetime | None, Level | None, str | None, str],
) -> None:
    model = headers.learn(lines, NOW)
    assert model is not None, name
    heads = [model.read(line) for line in lines]
    assert all(head is not None for head in heads), name
    head = heads[0]
    assert head is not None
    stamp, level, service, message = first
    assert head.timestamp == (stamp.replace(tzinfo=UTC) if stamp else None)
    assert head.level == level
    assert head.service == service
    assert head.message == message
    for read in heads:
        assert read is not None
        assert read.timestamp is not None or stamp is None


@pytest.mark.parametrize(
    "line",
    [
        "2026-01-01T00:00:00Z ERROR /spec/containers[0]: invalid value",
        "2026-01-01T00:00:00Z ERROR body/items[3]: required field missing",
        "2026-01-01T00:00:00Z ERROR https://api.example.com/v1/x[2]: timeout",
    ],
)
def test_a_path_with_an_index_is_the_message_not_a_program(line: str) -> None:
    head = headers.read_alone(line, NOW)
    assert head.service is None
    assert head.message == line.split(" ", 2)[2]


def test_lines_with_no_head_teach_none() -> None:
    # Messages alone, however regular their first words: an IP, "component: ...", a number.
    assert headers.learn(["10.0.0.1 GET /a 200", "10.0.0.2 GET /b 200"] * 3, NOW) is None
    assert headers.learn(["SecurityManager: acls on", "Executor: task 3 done"] * 3, NOW) is None
    assert headers.learn([f"{n} double-hummer alignment exceptions" for n in range(8)], NOW) is None


def test_a_uniform_message_is_not_taken_for_a_head() -> None:
    lines = [
        f"2026-05-04T10:00:{n:02d}Z ERROR job {n} failed: connection refused" for n in range(9)
    ]
    model = headers.learn(lines, NOW)
    assert model is not None
    head = model.read(lines[0])
    assert head is not None
    assert head.message == "job 0 failed: connection refused"


@pytest.mark.parametrize(
    ("line", "level", "message"),
    [
        ("ERROR worker crashed", E, "worker crashed"),
        ("[warn] disk at 91%", W, "disk at 91%"),
        # Alone, "api:" could as well be the first word of a sentence ("failed: ..."): it stays.
        ("2026-11-22T23:58:30.000Z warn api: slow upstream", W, "api: slow upstream"),
        ("debug interrupt enable............0", None, "debug interrupt enable............0"),
        ("A connection request was canceled", None, "A connection request was canceled"),
        # a one-letter word after a time opens a sentence; before a tag it is a level
        ("2026-11-22T23:58:30Z A client connected", None, "A client connected"),
        ("2026-11-22T23:58:30Z W tag: slow frame", W, "tag: slow frame"),
        (
            "1365301360 double-hummer alignment exceptions",
            None,
            "1365301360 double-hummer alignment exceptions",
        ),
        ("plain words", None, "plain words"),
    ],
)
def test_a_line_alone_has_a_head_only_when_it_opens_with_a_time_or_a_level(
    line: str, level: Level | None, message: str
) -> None:
    head = headers.read_alone(line, NOW)
    assert head.level == level
    assert head.message == message


def test_columns_learned_as_names_never_take_a_level_word() -> None:
    # Nine identical "healthcheck ok" lines: both words stand where hosts do and never change.
    lines = [f"2026-05-04T10:00:{n:02d}Z healthcheck ok" for n in range(9)]
    model = headers.learn(lines, NOW)
    assert model is not None
    assert model.read(lines[0]) is not None
    assert model.read("2026-05-04T10:00:09Z WARN queue depth 31") is None  # another head
    assert model.read("2026-05-04T10:00:09Z [error] cache down") is None


def test_a_source_location_starts_the_message() -> None:
    line = "2026-01-01T00:01:38.800Z WARNING [py.warnings] /app/config.py:48: DeprecationWarning: x"
    head = headers.read_alone(line, NOW)
    assert head.service == "py.warnings"
    assert head.message == "/app/config.py:48: DeprecationWarning: x"


def test_aws_logs_tail_and_journald_shapes() -> None:
    tail = [
        "2026-03-16T17:49:25.958000+00:00 ecs/api/4f1d2c 2026-03-16 17:49:25,958 ERROR db down",
        "2026-03-16T17:49:26.001000+00:00 ecs/api/4f1d2c 2026-03-16 17:49:26,001 INFO retry 1",
        "2026-03-16T17:49:27.101000+00:00 ecs/worker/9a8b 2026-03-16 17:49:27,101 INFO job ok",
        "2026-03-16T17:49:28.201000+00:00 ecs/api/4f1d2c 2026-03-16 17:49:28,201 WARN slow",
    ]
    model = headers.learn(tail, NOW)
    assert model is not None
    head = model.read(tail[0])
    assert head is not None
    assert (head.level, head.message) == (E, "db down")
    assert head.timestamp == datetime(2026, 3, 16, 17, 49, 25, 958000, tzinfo=UTC)
    journald = [
        "2026-03-16T17:49:25+0000 ip-10-0-1-5 kubelet[811]: Error syncing pod api-7d9f",
        "2026-03-16T17:49:26+0000 ip-10-0-1-5 systemd[1]: Started session-326.scope.",
        "2026-03-16T17:49:27+0000 ip-10-0-1-5 kernel: Out of memory: Killed process 4242",
        "2026-03-16T17:49:28+0000 ip-10-0-1-5 kubelet[811]: Back-off restarting failed container",
    ]
    model = headers.learn(journald, NOW)
    assert model is not None
    heads = [model.read(line) for line in journald]
    assert [h.service for h in heads if h] == ["kubelet", "systemd", "kernel", "kubelet"]
    assert heads[0] is not None
    assert heads[0].message == "Error syncing pod api-7d9f"


def test_a_source_with_several_formats_reads_each_by_its_own_head() -> None:
    lines = [
        line
        for n in range(4)
        for line in (
            f"2026-11-22 23:58:2{n}.500 [main] ERROR c.e.orders.OrderService - refused",
            f"2026-11-22T23:58:2{n}.600Z ERROR [app.db] query failed",
            f"Nov 22 23:58:2{n} ip-10-0-1-5 {('kernel', 'sshd[42]')[n % 2]}: Out of memory",
        )
    ]
    heads = headers.Heads.learn(lines, NOW)
    assert [heads.read(line).message for line in lines[:3]] == [
        "refused",
        "query failed",
        "Out of memory",
    ]
    # A format first seen later is learned from its first line, then read by its regex.
    late = "2026/11/22 23:58:26 [error] 31#31: *1 connect() failed"
    assert heads.read(late).message == "*1 connect() failed"
    assert any(model.alone for model in heads.models)
    assert heads.read(late.replace("*1", "*2")).message == "*2 connect() failed"


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("ERROR", head_words.LEVEL),
        ("warn", head_words.LEVEL),
        ("Notice", head_words.LEVEL),
        ("W", head_words.LETTER),
        ("x", head_words.WORD),
        ("Über", head_words.WORD),
        ("combo", head_words.WORD),
        ("ERROR:", head_words.LEVEL),
        ("dn228", head_words.HOSTLIKE),
        ("kernel:", head_words.COMPONENT),
        ("dfs.DataNode", head_words.LOGGER),
        ("1234", head_words.NUM),
    ],
)
def test_a_head_word_is_typed_by_what_it_is_made_of(word: str, kind: int) -> None:
    assert head_words.word_kind(word)[0] == kind


def test_a_head_names_a_level_only_where_one_is_written_as_a_level() -> None:
    assert head_model.names_a_level("2026-01-01 12:00:00 web1 WARN")
    assert head_model.names_a_level("Mar  2 09:14:55 web1 [error]")
    assert head_model.names_a_level("12:00:01 app error:")
    assert not head_model.names_a_level("12:00:01 debug interrupt handler")
    assert not head_model.names_a_level("12:00:01 error-free run")
    assert not head_model.names_a_level("2026-01-01 12:00:00 web1 kernel:")


def test_a_bracketed_time_is_read_whole_or_with_a_pid_only() -> None:
    def first(line: str) -> tuple[int, str] | None:
        tokens = head_tokens.tokenize(line, NOW)
        return (tokens[0].kind, tokens[0].text) if tokens else None

    assert first("[2026-11-22 23:58:01] x") == (head_words.TIME, "[2026-11-22 23:58:01]")
    assert first("[2026-11-22 23:58:01 #12] x") == (head_words.TIME, "[2026-11-22 23:58:01 #12]")
    assert first("[2026-11-22 23:58:01 #12 main] x")[0] == head_words.BRACKET  # type: ignore[index]
    assert first("[2026-11-22 23:58:01 never closed") is None


def test_a_time_at_the_end_of_a_message_is_the_messages_not_the_heads() -> None:
    line = "WARNING: client certificate CN=api serial=4F:2A expired at 2026-11-26T14:58:41Z"
    head = headers.read_alone(line, NOW)
    assert (head.level, head.timestamp) == (Level.WARNING, None)
    assert head.message == "client certificate CN=api serial=4F:2A expired at 2026-11-26T14:58:41Z"
    # the same words in most of a source's first lines are no head either: the whole line is
    # the message, and its time (last) the event's
    lines = [f"connection from 10.0.0.{n} (h{n}) at Fri Jun 17 07:07:0{n} 2005" for n in range(6)]
    model = headers.learn(lines, NOW)
    assert model is not None
    assert model.whole
    whole = model.read(lines[2])
    assert whole is not None
    assert whole.message == lines[2]
    assert whole.timestamp == datetime(2005, 6, 17, 7, 7, 2, tzinfo=UTC)
    access = [f"GET /orders/{n} 500 2026-11-26T10:31:3{n}Z" for n in range(8)]
    events = list(parse_lines(access, now=NOW))
    assert [(e.message, e.timestamp) for e in events[:1]] == [
        (access[0], datetime(2026, 11, 26, 10, 31, 30, tzinfo=UTC))
    ]
    # a logfmt key's time is the record's wherever it stands
    logfmt = [f'level=error msg="order {n} placed" ts=2026-11-26T10:31:3{n}Z' for n in range(8)]
    assert all(e.timestamp is not None for e in parse_lines(logfmt, now=NOW))
    # while a head that opens with its time may take a whole line ("<time> healthcheck ok")
    assert headers.learn([f"2026-05-04T10:00:{n:02d}Z healthcheck ok" for n in range(9)], NOW)


def test_a_bracketed_component_is_no_level_unless_it_is_mysqls_note() -> None:
    lines = [
        "2026-11-20 10:00:01 ERROR [System] disk failure on /data",
        "2026-11-20 10:00:02 INFO [Config] reloaded",
        "2026-11-20 10:00:03 INFO [Query] 12 rows",
        "2026-11-20 10:00:04 WARN [Scheduler] job late",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.service for e in events] == ["System", "Config", "Query", "Scheduler"]
    assert [e.message for e in events] == [
        "disk failure on /data",
        "reloaded",
        "12 rows",
        "job late",
    ]
    assert events[0].level == Level.ERROR


def test_an_exception_class_in_parentheses_stays_in_the_message() -> None:
    # SQLAlchemy's "(psycopg2.OperationalError) ..." in a few lines of many, and in one alone
    lines = [f"2026-11-20 10:00:{i:02d},000 INFO [app.web] request {i} done" for i in range(36)]
    lines += [
        f"2026-11-20 10:01:{i:02d},000 ERROR [app.db] (psycopg2.OperationalError) server closed "
        "the connection unexpectedly"
        for i in range(4)
    ]
    events = list(parse_lines(lines, now=NOW))
    assert events[-1].message.startswith("(psycopg2.OperationalError) server closed")
    (alone,) = parse_lines(
        ["2026-11-20T10:00:01Z (psycopg2.OperationalError) server closed"], now=NOW
    )
    assert alone.message == "(psycopg2.OperationalError) server closed"


def test_a_message_that_opens_with_parentheses_keeps_them() -> None:
    # a parenthesised word is a head's field only where the source's lines agree on it
    lines = [
        "2026-10-08 10:14:01,123 INFO (main) started",
        "2026-10-08 10:14:02,123 INFO (retry 2) fetching quotes",
        "2026-10-08 10:14:03,123 INFO cache warmed",
        "2026-10-08 10:14:04,123 INFO done (3 items)",
    ]
    events = list(parse_lines(lines, now=NOW))
    assert [e.message for e in events] == [
        "(main) started",
        "(retry 2) fetching quotes",
        "cache warmed",
        "done (3 items)",
    ]

"""Aggregator prefixes: the name an aggregated stream puts before each service's own line.

`docker compose logs` writes `api-1  | <the service's line>`, `kubectl logs --prefix` writes
`[pod/api-7d9f8-x2k4q/api] <line>`, and with `--timestamps` the time it received the line before
it, on every line of a stack too. Behind the prefix each service keeps its own format, so the
prefix (with kubectl's time) is taken off first, names the service, and the rest is read as that
service's source; kubectl's time stands for the line's when the line has none of its own.
A container runtime's log file (CRI: what the kubelet writes under /var/log/pods, and what a
shipper without a CRI parser forwards) puts the time, the stream and a tag before each line:
`2026-11-22T23:58:02.123456789Z stderr F <line>`, where `P` marks a line the runtime split, whose
rest is on the next line. `aws logs tail` puts the time and the log stream before each line.
Syslog sent over the network opens with the priority (`<131>`), whose severity is a level;
RFC 5424 adds a version, the time, host, app, pid, message id and structured data before the
message. A syslog file (rsyslog, journald's `short`/`short-iso`) puts the time, host and
program[pid] before each line a program wrote, on every line of its stack too: the program is
the service, and its lines are grouped by host, program and pid, so a forwarded traceback stays
one event among other programs' lines.

A prefix is used for a stream when most of its first lines carry it; a message that merely
contains a `|` is never cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from . import stamps
from .levels import severity_floor
from .service_names import service_name
from .types import Level

_NOW = datetime.max.replace(tzinfo=UTC)  # kubectl's times have a year: "now" plays no part
_ISO = stamps.BY_NAME["iso"]
_RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)"
_SYSLOG_TIME = rf"{stamps.MONTH_NAMES} [ \d]\d \d\d:\d\d:\d\d(?:\.\d{{1,9}})?"
_RFC3339_LOOSE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)"
_LEVEL_WORD = (  # a word, not the start of a name ("alert-1", "info-db")
    r"(?i:trace|debug|info|notice|warn|warning|error|err|fatal|crit|critical|alert|emerg"
    r"|panic)(?=[\s:\]]|$)"
)
_HOST = rf"(?!{_LEVEL_WORD})(?P<host>[\w.:-]+) "
_PROGRAM = rf"(?!{_LEVEL_WORD})(?P<service>[\w./-]+(?:\([\w./-]*\))?)"
_SYSLOG_STAMP = stamps.BY_NAME["syslog"]
# A syslog file: [<PRI>]TIME HOST PROGRAM[PID]: , the time year-less (rsyslog) or ISO with the
# pid (journald's short-iso: an app's "<time> INFO api: ..." is none) or the kernel's (which
# has none: a kernel-only excerpt of Ubuntu's RFC 3339 syslog); the program may name a
# module ("sshd(pam_unix)"); a host is never a level word. Once most of a stream's first lines
# show it, the lines of a program without a pid (journald's "kernel:") are read by it too.
_SYSLOG_HEAD = (
    rf"(?:<(?P<pri>\d{{1,3}})>)?(?P<time>{_SYSLOG_TIME}|(?P<iso>{_RFC3339_LOOSE})) "
    rf"{_HOST}{_PROGRAM}(?:\[(?P<pid>\d{{1,10}})\]|(?(iso)(?<= kernel)|)): ?"
)
_SYSLOG = re.compile(_SYSLOG_HEAD)
_SYSLOG_READ = re.compile(_SYSLOG_HEAD.replace("(?(iso)(?<= kernel)|)", ""))
# (its time as Python's isoformat() writes it, in UTC: an app's "<time> api/orders ..." is none)
_AWS_TAIL = re.compile(
    r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?\+00:00) "
    rf"(?!{_LEVEL_WORD})(?P<source>i-[0-9a-f]{{8,17}}|[\w.$-][\w.$\[\]-]*(?:/[\w.$\[\]-]+)+) "
)
_ECS_STREAM = re.compile(r"[\w.-]+/(?P<container>[\w.-]+)/[0-9a-f]{32}")
_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"  # the letters of Kubernetes' random names
_LABEL_TEXT = r'([\w.]++)="((?:[^"\\]|\\.)*+)"'  # a Loki label: name="value"
# stern: "<pod> <container> <line>", a pod named as Kubernetes names a deployment's
# ("api-7d9f8c6b5-x2k4q") or a daemonset's ("agent-x2k4q"): its random suffixes have no
# vowel, nor 0, 1 or 3, so a hyphenated word ("cache-evict") is none
_POD = rf"[a-z0-9][a-z0-9-]*?-(?:{_SAFE}{{6,10}}-)?{_SAFE}{{5}}"
_CONTAINER = r" (?P<service>[a-z0-9][a-z0-9-]*) "
# (`stern --all-namespaces` puts the namespace first)
_NAMESPACE = r"(?:[a-z0-9][a-z0-9-]{0,62} )?"
_STERN = re.compile(_NAMESPACE + _POD + _CONTAINER)
# ... or a StatefulSet's ("db-0"). An ordinal proves less ("worker-1 started job 4"), so a
# stream takes it only where each such pod shows one container (`_stern_with_ordinals`).
_STERN_ORDINALS = re.compile(
    rf"{_NAMESPACE}(?:{_POD}|(?P<ordinal>[a-z0-9][a-z0-9-]*?-\d{{1,4}})){_CONTAINER}"
)
# A process manager's: foreman's and honcho's "14:21:06 worker.1 | " (a time of day, the
# process and its number; "system" for its own lines), pm2's "3|api  | " (its id and name).
# Shapes no message opens with, so a stream takes them from fewer of its lines (the rest is
# other files cat beside them).
_FOREMAN = re.compile(r"\d\d:\d\d:\d\d (?P<service>[A-Za-z0-9][\w-]*?)(?:\.\d+|(?<= system)) +\| ?")
_PM2 = re.compile(r"\d{1,4}\|(?P<service>[\w.@-]+?) +\| ?")
_CRI = re.compile(rf"(?P<time>{_RFC3339}) (?P<stream>stdout|stderr) (?P<tag>[FP])(?: |$)")
_PREFIXES = (
    # docker compose v2 "api-1  | ", v1 "app_api_1  | ": the service name, then its replica
    re.compile(r"(?P<service>[A-Za-z0-9][\w.-]*?)(?:[-_]\d+)?[ \t]+\| ?"),
    # kubectl logs --prefix [--timestamps]: [pod/<pod>/<container>] [2026-03-16T17:49:25.95Z ]
    re.compile(
        r"\[(?:pod|deployment|job|statefulset|daemonset)/[\w.-]+/(?P<service>[\w.-]+)\] "
        rf"(?:(?P<time>{_RFC3339}) )?"
    ),
    _STERN,
    # Grafana Loki's logcli: "<time> {app="api", pod="api-7d9f8"} <line>"
    # (it pads the labels to the longest seen: the blanks after them are its own)
    re.compile(rf"(?P<time>{_RFC3339}) \{{(?P<labels>(?:{_LABEL_TEXT}(?:, )?)*+)\}} ++"),
    _SYSLOG,  # before `aws logs tail`'s: an EC2 host is named by its instance id too
    # `aws logs tail`: the time, then the log stream, each stream one writer (its lines are
    # grouped by it): a Lambda instance's "<date>/[<version>]<32 hex digits>", an ECS task's
    # "<prefix>/<container>/<task id>" (the awslogs driver's: the container is the service),
    # an EC2 instance's id, or another name with a slash ("web/access"). Names without one
    # read as a head's column: after a time, a word is more often a logger's.
    _AWS_TAIL,
    # CRI: time, stream, F (a full line) or P (split: the rest follows on the next line)
    _CRI,
    # RFC 5424: <PRI>1 TIME HOST APP PROCID MSGID [SD...]|-; "-" is an empty field. The SD
    # alternatives share no first character: one reading, linear.
    re.compile(
        rf"<(?P<pri>\d{{1,3}})>1 (?:(?P<time>{_RFC3339})|-) \S+ (?P<service>\S+) \S+ \S+ "
        r'(?:-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: |$)'
    ),
    # RFC 3164 and other syslog with a priority: the rest is the sender's own head
    re.compile(r"<(?P<pri>\d{1,3})>(?=\S)"),
)
MIN_SHARE = 0.5  # of a stream's first lines, to take a prefix as the stream's
# ... and, when none is, the shares enough for shapes no message opens with: a process
# manager's, and a container runtime's file pasted among other logs (its lines, a Go dump's
# too, are read by it, the rest as the stream's own)
_DISTINCT = ((_FOREMAN, 0.25), (_PM2, 0.25), (_CRI, 0.05))


class Tagged(NamedTuple):
    """A line as a prefix reads it."""

    service: str | None  # who wrote it, when the prefix names it
    body: str  # the service's own line
    time: datetime | None = None  # the time the aggregator or runtime wrote
    level: Level | None = None  # at least this level (a syslog severity of warning or worse)
    stream: str | None = None  # the runtime's stream (stdout, stderr)
    partial: bool = False  # the runtime split the line: its rest is the stream's next line
    # whose lines these are, when the prefix tells writers of one service apart (a syslog
    # file's host, program and pid): events are grouped by it, heads learned by service
    source: str | None = None
    naive: bool = False  # its time names no zone (syslog's): it was read as UTC


@dataclass(frozen=True, slots=True)
class Prefix:
    regex: re.Pattern[str]
    now: datetime = _NOW  # a year-less time is placed before it

    @property
    def bare_rest(self) -> bool:
        """Whether the stream prints an event's further lines without the prefix (`aws logs
        tail` prints a CloudWatch event of several lines so): such a line is the rest of
        what its last writer printed."""
        return self.regex is _AWS_TAIL

    def split(self, line: str) -> tuple[str | None, str]:
        """(service, the service's own line); (None, line) when this line carries no prefix."""
        tagged = self.read(line)
        return tagged.service, tagged.body

    def stated_offset(self, line: str) -> timedelta | None:
        """How far ahead of UTC the prefix's own time on this line says it is (journald's
        short-iso: "2026-07-08T09:30:02-07:00"); None when it names no zone."""
        match = self.regex.match(line)
        iso = match.groupdict().get("iso") if match is not None else None
        found = _ISO.regex.match(iso) if iso else None
        return stamps.zone_offset(found["tz"]) if found is not None else None

    def read(self, line: str) -> Tagged:
        """What the prefix says of a line; the line itself (the same object) as the body when
        it carries none."""
        match = self.regex.match(line)
        if match is None:
            return Tagged(None, line)
        fields = match.groupdict()
        raw = fields.get("time")
        family = _SYSLOG_STAMP if raw and raw[0].isalpha() else _ISO
        found = family.regex.match(raw) if raw else None
        stamp = stamps.convert(family, found, now=self.now) if found else None
        pri = fields.get("pri")
        service = fields.get("service")
        if fields.get("labels"):
            service = _labelled(fields["labels"])
        host = fields.get("host")
        if host is not None and service:
            service = _program(service)
        elif self.regex is _AWS_TAIL:
            service = _container(fields["source"])
        return Tagged(
            service if service != "-" else None,
            line[match.end() :],
            stamp,
            severity_floor(int(pri) % 8) if pri is not None else None,
            fields.get("stream"),
            fields.get("tag") == "P",
            f"{service}\x00{host}\x00{fields['pid']}" if host is not None else fields.get("source"),
            stamp is not None and family is _SYSLOG_STAMP,
        )


@lru_cache(maxsize=4096)
def _program(raw: str) -> str:
    """A syslog program's name: "sshd(pam_unix)" -> "sshd", as a head's service reads."""
    return service_name(raw)[0] or raw


@lru_cache(maxsize=4096)
def _container(stream: str) -> str | None:
    """The container an ECS task's log stream names, if it is one."""
    found = _ECS_STREAM.fullmatch(stream)
    return found["container"] if found else None


_LABEL = re.compile(_LABEL_TEXT)
_NAMING_LABELS = ("service_name", "service", "app", "container", "job")  # the first found names


def _labelled(labels: str) -> str | None:
    """The service a Loki stream's labels name."""
    found = dict(_LABEL.findall(labels))
    return next((found[name] for name in _NAMING_LABELS if found.get(name)), None)


def learn(lines: Sequence[str], now: datetime = _NOW) -> Prefix | None:
    """The prefix most of `lines` carry, if any; a year-less time it holds is placed before
    `now`."""
    sample = [line for line in lines if line.strip()]
    if not sample:
        return None
    for regex in _PREFIXES:
        if regex is _STERN and _stern_with_ordinals(sample):
            return Prefix(_STERN_ORDINALS, now)
        if _carried(regex, sample, MIN_SHARE):
            return Prefix(_SYSLOG_READ if regex is _SYSLOG else regex, now)
    for regex, share in _DISTINCT:
        if _carried(regex, sample, share, least=2):  # one line is no stream's shape
            return Prefix(regex, now)
    return None


def _carried(regex: re.Pattern[str], sample: list[str], share: float, least: int = 1) -> bool:
    carried = sum(regex.match(line) is not None for line in sample)
    return carried >= least and carried >= share * len(sample)


def _stern_with_ordinals(sample: list[str]) -> bool:
    """Whether most of `sample` is stern's, StatefulSet pods ("db-0") included, where each
    such pod shows one container, on two lines or more on average: "worker-1 started ...",
    "worker-1 finished ..." do not. One pass over the sample."""
    containers: dict[str, set[str]] = {}
    carried = ordinals = 0
    for line in sample:
        match = _STERN_ORDINALS.match(line)
        if match is None:
            continue
        carried += 1
        if match["ordinal"]:
            containers.setdefault(match["ordinal"], set()).add(match["service"])
            ordinals += 1
    return (
        carried >= MIN_SHARE * len(sample)
        and bool(containers)
        and ordinals >= 2 * len(containers)
        and all(len(names) == 1 for names in containers.values())
    )

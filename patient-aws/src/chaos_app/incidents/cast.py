"""The services of the workload an incident happens to, and where each replica runs.

The same seven services take part in every incident: an nginx gateway, a Python API (FastAPI
under gunicorn), a Celery worker, a Go auth service, a Spring payments service, PostgreSQL and
Redis. What varies with the seed is everything an operator would find different from one
deployment to the next: replica counts, pod names, hosts, pids, and how each service writes
its lines (plain text or JSON, and which header its text lines carry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from chaos_app.events import Fake

# Kubernetes' name suffixes avoid vowels (and 0, 1, 3) so that no word is spelled by chance.
_K8S_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


class Runtime(StrEnum):
    NGINX = "nginx"
    PYTHON = "python"
    CELERY = "celery"
    GO = "go"
    JAVA = "java"
    POSTGRES = "postgres"
    REDIS = "redis"


class Header(StrEnum):
    """The head of a line in the plain-text shape: each names the service its own way."""

    ISO = "iso"  # 2026-01-01T00:00:01.123Z ERROR [api] app.db: message
    SYSLOG = "syslog"  # Jan  1 00:00:01 ip-10-0-1-23 api[4123]: ERROR app.db: message
    PIPE = "pipe"  # 2026-01-01 00:00:01,123 | ERROR    | worker | celery: message
    LOGFMT = "logfmt"  # time=2026-01-01T00:00:01.123Z level=ERROR service=auth msg="message"


# name, runtime, replicas (low, high), share of the healthy traffic, text headers it may use.
_SERVICES: tuple[tuple[str, Runtime, tuple[int, int], float, tuple[Header, ...]], ...] = (
    ("gateway", Runtime.NGINX, (1, 2), 0.30, (Header.SYSLOG, Header.ISO, Header.PIPE)),
    ("api", Runtime.PYTHON, (2, 3), 0.26, (Header.ISO, Header.PIPE, Header.SYSLOG)),
    ("worker", Runtime.CELERY, (1, 2), 0.12, (Header.PIPE, Header.ISO, Header.SYSLOG)),
    ("auth", Runtime.GO, (1, 2), 0.12, (Header.LOGFMT, Header.ISO, Header.SYSLOG)),
    ("payments", Runtime.JAVA, (1, 2), 0.10, (Header.ISO, Header.PIPE, Header.SYSLOG)),
    ("db", Runtime.POSTGRES, (1, 1), 0.06, (Header.SYSLOG, Header.ISO, Header.PIPE)),
    ("cache", Runtime.REDIS, (1, 1), 0.04, (Header.SYSLOG, Header.ISO)),
)
# The chance that a service's container prints JSON rather than text (compose, kubectl).
_JSON_ODDS = {Runtime.PYTHON: 0.5, Runtime.CELERY: 0.3, Runtime.GO: 0.5, Runtime.JAVA: 0.4}
_STATEFUL = {Runtime.POSTGRES, Runtime.REDIS}


@dataclass
class Instance:
    service: str
    index: int
    compose: str  # api-1
    pod: str  # api-7d9f8c6b5-x2k4q, or db-0 for a StatefulSet
    host: str  # ip-10-0-3-17
    ip: str
    # (since, pid): a restart starts a new process. The first entry is the process at start.
    pids: list[tuple[datetime, int]] = field(default_factory=list)

    def pid_at(self, when: datetime) -> int:
        current = self.pids[0][1]
        for since, pid in self.pids:
            if since > when:
                break
            current = pid
        return current


@dataclass
class Service:
    name: str
    runtime: Runtime
    share: float
    header: Header
    container_json: bool
    instances: list[Instance]


@dataclass
class Cast:
    services: dict[str, Service]

    def __getitem__(self, name: str) -> Service:
        return self.services[name]

    def instance(self, service: str, index: int) -> Instance:
        return self.services[service].instances[index]

    def compose_width(self) -> int:
        """docker compose pads every prefix to the longest container name, plus one."""
        return max(len(i.compose) for s in self.services.values() for i in s.instances) + 1


def k8s_suffix(fake: Fake, length: int) -> str:
    return fake.chars(_K8S_ALPHABET, length)


def build_cast(fake: Fake, start: datetime) -> Cast:
    headers = [h for h in Header if h is not Header.LOGFMT]
    fake.rng.shuffle(headers)
    services: dict[str, Service] = {}
    for position, (name, runtime, (low, high), share, allowed) in enumerate(_SERVICES):
        # Rotate the first choice through the shuffled headers so that the services of one
        # stream do not all share a header; each must still be one its software can write.
        preferred = headers[position % len(headers)]
        header = preferred if preferred in allowed else fake.choice(allowed)
        if runtime is Runtime.GO and fake.chance(0.5):
            header = Header.LOGFMT
        template_hash = k8s_suffix(fake, fake.choice((9, 10)))
        instances = []
        for index in range(fake.integer(low, high)):
            pod = (
                f"{name}-{index}"
                if runtime in _STATEFUL
                else f"{name}-{template_hash}-{k8s_suffix(fake, 5)}"
            )
            ip = fake.private_ip()
            pid = 1 if runtime in _STATEFUL else fake.integer(7, 40)
            instances.append(
                Instance(
                    name,
                    index,
                    f"{name}-{index + 1}",
                    pod,
                    f"ip-{ip.replace('.', '-')}",
                    ip,
                    [(start, pid)],
                )
            )
        services[name] = Service(
            name, runtime, share, header, fake.chance(_JSON_ODDS.get(runtime, 0.0)), instances
        )
    return Cast(services)

"""Rules that read a line in its context (`after`, engines/rules/context.py), through the real
digest and knowledge base: a worker's SIGKILL right after its supervisor's time limit is that
limit's doing; the same SIGKILL alone, long after, or in another service reads as memory."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doctor.digest import digest_lines
from doctor.engines.rules import RulesEngine
from doctor.incident import Role
from doctor.taxonomy import Category as C
from tests.doctor_gcp.incident.streams import ONSET, START, Burst, stream

KILLS_FROM = ONSET + timedelta(seconds=40)
READ_TIMEOUT = Burst(
    "web", "ERROR",
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.partner.example', "
    "port=443): Read timed out. (read timeout=30)", 12, ONSET,
)  # fmt: skip
WORKER_TIMEOUT = Burst("web", "CRITICAL", "WORKER TIMEOUT (pid:{n})", 30, KILLS_FROM)
SIGKILL = Burst(
    "web", "ERROR", "Worker (pid:{n}) was sent SIGKILL! Perhaps out of memory?", 30, KILLS_FROM
)
BAD_GATEWAY = Burst(
    "edge", "ERROR", "upstream prematurely closed connection while reading response header "
    "from upstream, request: \"POST /api/claims HTTP/1.1\", status 502", 200, KILLS_FROM,
)  # fmt: skip


def _read(*bursts: Burst) -> list[tuple[C, Role | None]]:
    engine = RulesEngine()
    digest = digest_lines(stream(bursts))
    incident = engine.incident(digest)
    diagnosis = engine.diagnosis(digest, incident)
    return [(i.category, incident.role(i.pattern_ids)) for i in diagnosis.issues]


def test_kills_right_after_the_supervisors_time_limit_are_the_time_limits() -> None:
    issues = _read(READ_TIMEOUT, WORKER_TIMEOUT, SIGKILL, BAD_GATEWAY)
    assert issues[0] == (C.TIMEOUT, Role.ROOT_CAUSE)
    assert C.OUT_OF_MEMORY not in [category for category, _ in issues]


@pytest.mark.parametrize(
    "time_limits",
    [
        pytest.param(None, id="no-time-limit"),
        # the supervisor's time limit only long before the kills: chronic, not theirs
        pytest.param(
            Burst(
                "web",
                "CRITICAL",
                "WORKER TIMEOUT (pid:{n})",
                3,
                START,
                START + timedelta(minutes=4),
            ),
            id="time-limit-long-before",
        ),
        # another service's time limits: they did not kill these workers
        pytest.param(
            Burst("reports", "CRITICAL", "WORKER TIMEOUT (pid:{n})", 30, KILLS_FROM),
            id="time-limit-elsewhere",
        ),
    ],
)
def test_a_kill_without_its_own_time_limit_just_before_reads_as_memory(
    time_limits: Burst | None,
) -> None:
    bursts = [READ_TIMEOUT, SIGKILL, BAD_GATEWAY]
    if time_limits is not None:
        bursts.append(time_limits)
    issues = _read(*bursts)
    assert (C.OUT_OF_MEMORY, Role.ROOT_CAUSE) in issues


def test_thirty_kills_beside_two_time_limits_in_the_same_minute_read_as_memory() -> None:
    """Each time limit kills one worker: two of them do not explain thirty kills, however
    close in time."""
    burst = (KILLS_FROM, KILLS_FROM + timedelta(seconds=50))
    limits = Burst("web", "CRITICAL", "WORKER TIMEOUT (pid:{n})", 2, *burst)
    kills = Burst("web", "ERROR", SIGKILL.message, 30, *burst)
    assert (C.OUT_OF_MEMORY, Role.ROOT_CAUSE) in _read(READ_TIMEOUT, limits, kills, BAD_GATEWAY)

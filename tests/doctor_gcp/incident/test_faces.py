"""A chronic failure that names something new at the incident (`doctor.incident.faces`): the
same message on another object joins the incident from that wording's first event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from doctor.digest import digest_lines
from doctor.digest.types import Face, Level, Pattern
from doctor.engines.rules import RulesEngine, knowledge
from doctor.ground import ground
from doctor.incident import Role, State, Timing
from doctor.incident.faces import new_face
from doctor.incident.story import notes
from doctor.taxonomy import Category as C
from tests.doctor_gcp.incident.streams import END, ONSET, START, Burst, stream

OOM = "Memory cgroup out of memory: Killed process {n} ({task}) total-vm:15209523kB"
# a notebook hits its memory limit every few minutes, all through the window
NOTEBOOK = Burst("kernel", "ERROR", OOM.replace("{task}", "python3"), 5)
# the inference server is killed once, 20 s before its callers start failing
SERVER = Burst(
    "kernel", "ERROR", OOM.replace("{task}", "triton_python_b"), 1,
    ONSET - timedelta(seconds=20), ONSET - timedelta(seconds=19),
)  # fmt: skip
UNAVAILABLE = Burst(
    "gateway", "ERROR", "rerank failed: 503 Service Unavailable from triton:8001", 300,
    ONSET + timedelta(seconds=30),
)  # fmt: skip


def _analyse(*bursts: Burst) -> tuple[list[C], list[Role | None], list[list[str]]]:
    engine = RulesEngine()
    digest = digest_lines(stream(bursts))
    incident = engine.incident(digest)
    diagnosis = engine.diagnosis(digest, incident)
    analysis, _ = ground(diagnosis, digest, incident, untrusted=False)
    return (
        [issue.category for issue in analysis.issues],
        [incident.role(issue.pattern_ids) for issue in analysis.issues],
        [issue.evidence for issue in analysis.issues],
    )


def test_a_chronic_oom_kill_of_a_new_process_at_the_onset_is_the_root_cause() -> None:
    categories, roles, evidence = _analyse(NOTEBOOK, SERVER, UNAVAILABLE)
    assert categories[:2] == [C.OUT_OF_MEMORY, C.UPSTREAM_UNAVAILABLE]
    assert roles[:2] == [Role.ROOT_CAUSE, Role.SYMPTOM]
    # the new wording leads the evidence, before the notebook's kills
    assert "(triton_python_b)" in evidence[0][0]


def test_the_model_is_told_the_new_wording() -> None:
    engine = RulesEngine()
    digest = digest_lines(stream([NOTEBOOK, SERVER, UNAVAILABLE]))
    incident = engine.incident(digest)
    told = notes(incident, knowledge.links(), knowledge.lagging())
    lead = told.patterns[incident.order[0]]
    assert lead.startswith("role=root_cause category_guess=out_of_memory new")
    assert 'new_wording="Memory cgroup out of memory: Killed process' in lead
    assert "(triton_python_b)" in lead
    # the notebook's kills of before are not what is new
    assert all(
        "new_wording" not in line for pid, line in told.patterns.items() if pid != incident.order[0]
    )


def test_without_the_new_process_the_chronic_kills_stay_chronic() -> None:
    categories, roles, _ = _analyse(NOTEBOOK, UNAVAILABLE)
    assert categories == [C.UPSTREAM_UNAVAILABLE, C.OUT_OF_MEMORY]
    assert roles == [Role.ROOT_CAUSE, Role.CHRONIC]


def test_a_new_object_in_a_stream_of_objects_brings_nothing_in() -> None:
    # an attacker tries one user name after another: a new one at the onset is no cause
    invalid = "Invalid user {name} from 203.0.113.{{n}} port 22"
    users = [
        Burst("sshd", "WARN", invalid.format(name=name), 3, START + timedelta(minutes=at), END)
        for name, at in (("admin", 0), ("oracle", 1), ("git", 32), ("ubuntu", 35))
    ]
    at_onset = Burst(
        "sshd", "WARN", "Invalid user test from 203.0.113.{n} port 22", 3,
        ONSET - timedelta(seconds=30), END,
    )  # fmt: skip
    categories, roles, _ = _analyse(*users, at_onset, UNAVAILABLE)
    assert categories[0] is C.UPSTREAM_UNAVAILABLE
    assert roles[categories.index(C.AUTHENTICATION_FAILURE)] is Role.CHRONIC


def test_a_symptoms_new_object_before_the_onset_brings_nothing_in() -> None:
    # a monitoring collector times out on one node, then on another eight minutes before the
    # incident: a timeout follows from something, so it stays chronic and the cause leads
    collector = "collector timed out when collecting data: node [{node}] did not respond in 10s"
    chronic = Burst("es", "ERROR", collector.replace("{node}", "BEiDmwklDS3M"), 4, START, END)
    new_node = Burst(
        "es", "ERROR", collector.replace("{node}", "hxNVIU9pFree"), 2,
        ONSET - timedelta(minutes=8), END,
    )  # fmt: skip
    denied = Burst(
        "nexus", "ERROR",
        "java.nio.file.AccessDeniedException: /nexus-data/blobs/default/content/tmp/{n}.bytes",
        40, ONSET, END,
    )  # fmt: skip
    categories, roles, _ = _analyse(chronic, new_node, denied, UNAVAILABLE)
    assert categories[0] is C.PERMISSION_DENIED
    assert roles[categories.index(C.TIMEOUT)] is Role.CHRONIC


T0 = datetime(2026, 5, 14, 21, 0, tzinfo=UTC)
AT = T0 + timedelta(minutes=43)  # the incident's onset
CHRONIC = Timing(State.CHRONIC, None, None)


def _face(text: str, minute: float, count: int) -> Face:
    return Face(text, f"killed {text}", T0 + timedelta(minutes=minute), count)


def _pattern(*faces: Face) -> Pattern:
    return Pattern(
        "p1", "killed <*>", sum(f.count for f in faces), Level.ERROR, T0, AT, faces=list(faces)
    )


def test_the_new_wording_dates_the_pattern_from_its_first_event() -> None:
    found = new_face(_pattern(_face("python3", 1, 4), _face("triton", 42.5, 1)), CHRONIC, AT)
    assert found is not None
    face, timing = found
    assert face.text == "triton"
    assert timing.state is State.NEW
    assert timing.exact == (T0 + timedelta(minutes=42.5)).timestamp()
    assert timing.onset == T0 + timedelta(minutes=42)


@pytest.mark.parametrize(
    ("faces", "why"),
    [
        ((_face("python3", 1, 1), _face("triton", 42.5, 1)), "the old wording never repeated"),
        ((_face("python3", 1, 4), _face("triton", 32.5, 1)), "new before the cause's lead"),
        ((_face("python3", 1, 4), _face("triton", 44.5, 1)), "new after the onset's minute"),
        (
            (_face("python3", 1, 4), _face("triton", 42.5, 1), _face("ray", 50, 1)),
            "another new wording after it",
        ),
        (
            (_face("a", 1, 4), _face("b", 2, 4), _face("c", 3, 4), _face("triton", 42.5, 1)),
            "too many wordings before",
        ),
    ],
)
def test_no_new_wording_is_taken_when(faces: tuple[Face, ...], why: str) -> None:
    assert new_face(_pattern(*faces), CHRONIC, AT) is None, why


def test_a_new_wording_just_inside_the_lead_is_taken() -> None:
    found = new_face(_pattern(_face("python3", 1, 4), _face("triton", 33.5, 1)), CHRONIC, AT)
    assert found is not None
    assert found[1].exact == (T0 + timedelta(minutes=33.5)).timestamp()


def test_only_a_chronic_pattern_with_an_onset_is_read_for_a_new_wording() -> None:
    pattern = _pattern(_face("python3", 1, 4), _face("triton", 42.5, 1))
    assert new_face(pattern, CHRONIC, None) is None
    assert new_face(pattern, Timing(State.NEW, T0, T0.timestamp()), AT) is None

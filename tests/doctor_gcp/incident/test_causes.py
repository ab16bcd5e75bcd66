"""Which incident pattern explains which, through the links between their categories."""

from __future__ import annotations

from doctor.incident.causes import SLACK_SECONDS, explanations
from doctor.incident.onset import State, Timing
from doctor.taxonomy import Category as C

# timeouts and a full pool cause each other: a hang fills a pool, a full pool makes calls wait
LINKS = {
    C.TIMEOUT: frozenset({C.RESOURCE_EXHAUSTION}),
    C.RESOURCE_EXHAUSTION: frozenset({C.TIMEOUT}),
    C.DNS_RESOLUTION: frozenset({C.TIMEOUT}),
}
CLASSES = {"hang": (C.TIMEOUT, 0), "pool": (C.RESOURCE_EXHAUSTION, 2), "dns": (C.DNS_RESOLUTION, 2)}


def _explained(**at: float) -> dict[str, list[str]]:
    timings = {pid: Timing(State.NEW, None, second) for pid, second in at.items()}
    return explanations(list(at), timings, {p: CLASSES[p] for p in at}, LINKS, set(), frozenset())


def test_of_two_kinds_that_cause_each_other_the_one_begun_clearly_first_is_the_cause() -> None:
    assert _explained(hang=1000.0, pool=1055.0) == {"hang": ["pool"], "pool": []}
    assert _explained(hang=1055.0, pool=1000.0) == {"hang": [], "pool": ["hang"]}


def test_begun_within_seconds_the_more_causal_kind_is_the_cause() -> None:
    assert _explained(hang=1000.0, pool=1003.0) == {"hang": [], "pool": ["hang"]}


def test_a_cause_begun_well_after_its_effect_explains_nothing() -> None:
    assert _explained(dns=1000.0 + SLACK_SECONDS + 1, hang=1000.0)["dns"] == []
    assert _explained(dns=1000.0 + SLACK_SECONDS - 1, hang=1000.0)["dns"] == ["hang"]


def test_a_link_that_needs_time_explains_nothing_begun_with_its_cause() -> None:
    # a crash loop's callers miss its work once it has been down a while; an exception begun
    # with it is its cause (a panic kills the process)
    links = {
        C.CRASH_LOOP: frozenset({C.APPLICATION_EXCEPTION}),
        C.APPLICATION_EXCEPTION: frozenset({C.CRASH_LOOP}),
    }
    lags = frozenset({(C.CRASH_LOOP, C.APPLICATION_EXCEPTION)})
    classes = {"crash": (C.CRASH_LOOP, 1), "raised": (C.APPLICATION_EXCEPTION, 0)}

    def explained(crash: float, raised: float) -> dict[str, list[str]]:
        timings = {
            "crash": Timing(State.NEW, None, crash),
            "raised": Timing(State.NEW, None, raised),
        }
        return explanations(list(timings), timings, classes, links, set(), lags)

    assert explained(crash=1005.0, raised=1000.0) == {"crash": [], "raised": ["crash"]}
    assert explained(crash=1000.0, raised=1005.0) == {"crash": [], "raised": ["crash"]}
    assert explained(crash=1000.0, raised=1090.0) == {"crash": ["raised"], "raised": []}
    # without the lag, begun together, the more causal kind would be the cause
    plain = explanations(
        ["crash", "raised"],
        {"crash": Timing(State.NEW, None, 1000.0), "raised": Timing(State.NEW, None, 1005.0)},
        classes,
        links,
        set(),
        frozenset(),
    )
    assert plain == {"crash": ["raised"], "raised": []}

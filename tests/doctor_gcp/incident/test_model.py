"""An incident's facts answer for an issue made of several patterns (`doctor.incident.model`)."""

from __future__ import annotations

from doctor.digest.types import Level, Pattern
from doctor.incident import Facts, Incident, Role, State, services_of
from doctor.taxonomy import Category


def _facts(pid: str, role: Role) -> Facts:
    return Facts(pid, Category.TIMEOUT, role, State.NEW, None, (), ())


def test_an_issue_takes_the_most_causal_role_and_the_best_place_of_its_patterns() -> None:
    incident = Incident(
        None,
        {"p1": _facts("p1", Role.ROOT_CAUSE), "p2": _facts("p2", Role.SYMPTOM),
         "p3": _facts("p3", Role.CHRONIC)},
        ("p1", "p2", "p3"),
    )  # fmt: skip
    assert incident.role(["p3", "p2"]) is Role.SYMPTOM
    assert incident.role(["p9"]) is None  # not a problem pattern
    assert incident.rank(["p3", "p2"]) == (1, 1)
    # patterns that are no problem come after all of them, as symptoms
    assert incident.rank(["p9"]) == (1, 3)


def test_services_are_told_most_events_first() -> None:
    def pattern(pid: str, services: dict[str, int]) -> Pattern:
        return Pattern(
            id=pid, template="t", count=sum(services.values()), level=Level.ERROR,
            first_seen=None, last_seen=None, services=services,
        )  # fmt: skip

    patterns = [pattern("p1", {"api": 3, "web": 1}), pattern("p2", {"web": 5, "db": 3})]
    assert services_of(patterns) == ["web", "api", "db"]

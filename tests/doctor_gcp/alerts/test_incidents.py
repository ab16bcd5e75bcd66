"""fold: alarm state changes of one target, in the order they happened, make incidents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from doctor.alerts.incidents import Incident, fold
from doctor.alerts.jobs import Job

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"


def job(state: str, alarm: str = "errors", minute: int = 0) -> Job:
    at = T0 + timedelta(minutes=minute)
    event = {"detail": {"alarmName": alarm, "state": {"value": state}}}
    return Job(f"{alarm}-{state}-{minute}", "default", state, at, ARN + alarm, event)


def never(_: str, __: datetime) -> datetime | None:
    return None


def test_alarm_opens_a_repeat_joins_and_ok_resolves() -> None:
    [opened] = fold(None, [job("ALARM")], never)
    assert opened.opened
    assert not opened.resolved
    incident = opened.incident
    assert (incident.status, incident.opened_at, incident.alarming()) == ("open", T0, ["errors"])

    [again] = fold(incident, [job("ALARM", "latency", 2)], never)
    assert again.incident is incident
    assert not again.opened
    assert again.joined == ["latency"]

    [partly] = fold(incident, [job("OK", "errors", 5)], never)
    assert not partly.resolved
    assert incident.alarming() == ["latency"]

    [over] = fold(incident, [job("OK", "latency", 9)], never)
    assert over.resolved
    assert incident.status == "resolved"
    assert incident.resolved_at == T0 + timedelta(minutes=9)


def test_an_ok_with_no_open_incident_says_nothing() -> None:
    assert fold(None, [job("OK")], never) == []
    assert fold(None, [job("INSUFFICIENT_DATA")], never) == []


def test_an_ok_of_an_alarm_that_never_joined_does_not_end_the_incident() -> None:
    [opened] = fold(None, [job("ALARM", "errors")], never)
    assert fold(opened.incident, [job("OK", "other", 1)], never) == []
    assert opened.incident.status == "open"


def test_a_batch_is_applied_in_the_order_things_happened() -> None:
    # Delivered OK first, ALARM second; in time order the alarm fired, then cleared.
    [touched] = fold(None, [job("OK", minute=7), job("ALARM", minute=1)], never)
    assert touched.opened
    assert touched.resolved
    assert touched.incident.resolved_at == T0 + timedelta(minutes=7)


def test_an_alarm_after_the_end_opens_a_new_incident() -> None:
    first, second = fold(None, [job("ALARM"), job("OK", minute=3), job("ALARM", minute=8)], never)
    assert first.resolved
    assert second.opened
    assert first.incident.id != second.incident.id
    assert second.incident.status == "open"


def test_an_ok_handled_before_its_alarm_arrived_resolves_it_at_once() -> None:
    cleared = T0 + timedelta(minutes=4)

    def ok_already(arn: str, after: datetime) -> datetime | None:
        return cleared if arn == ARN + "errors" and after < cleared else None

    [touched] = fold(None, [job("ALARM", minute=1)], ok_already)
    assert touched.opened
    assert touched.resolved
    assert touched.incident.resolved_at == cleared


def test_a_refired_alarm_is_named_once_per_batch() -> None:
    open_incident = Incident(
        "i", "default", T0, {ARN + "errors": {"name": "errors", "state": "ALARM"}}
    )
    [touched] = fold(open_incident, [job("ALARM", minute=m) for m in (1, 2, 3)], never)
    assert touched.joined == ["errors"]
    assert touched.first_alarm_at == T0 + timedelta(minutes=1)


def test_a_late_ok_does_not_end_an_alarm_that_fired_again() -> None:
    [opened] = fold(None, [job("ALARM", minute=0), job("ALARM", "latency", 1)], never)
    incident = opened.incident
    # errors: OK at 3 (delivery delayed), ALARM again at 5, delivered first.
    fold(incident, [job("OK", minute=3)], never)  # in time: errors cleared, latency still on
    fold(incident, [job("ALARM", minute=5)], never)
    assert incident.alarming() == ["errors", "latency"]
    assert fold(incident, [job("OK", minute=3)], never) == []  # a duplicate delivery: stale
    assert incident.status == "open"


def test_a_late_alarm_does_not_join_or_end_anything() -> None:
    [opened] = fold(None, [job("ALARM", minute=5)], never)

    def ok_at_2(arn: str, after: datetime) -> datetime | None:
        return T0 + timedelta(minutes=2) if after < T0 + timedelta(minutes=2) else None

    assert fold(opened.incident, [job("ALARM", minute=0)], ok_at_2) == []  # older than seen
    assert opened.incident.status == "open"
    assert opened.incident.alarming() == ["errors"]


def test_an_incident_whose_ok_never_came_gives_way_after_a_day() -> None:
    [opened] = fold(None, [job("ALARM")], never)
    old, new = fold(opened.incident, [job("ALARM", "other", 25 * 60)], never)
    assert old.incident.status == "expired"
    assert new.opened
    assert new.incident.alarming() == ["other"]

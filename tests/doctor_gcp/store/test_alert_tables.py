"""The alert tables on SQLite and PostgreSQL: one open incident per target, and the outbox
keeps its order and its state across connections."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from doctor.alerts import AlertJobs, parse_event
from doctor.alerts.incidents import Incident, Touched, cleared_after, open_incident, save_incident
from doctor.alerts.outbox import PARENT, REPLY, parent_payload, queue_post
from doctor.notify import Message
from doctor.store import Store
from tests.doctor_gcp.api.test_alerts import event


def opened(incident_id: str, target: str = "default") -> Touched:
    alarms = {"arn": {"name": "errors", "state": "ALARM"}}
    return Touched(Incident(incident_id, target, datetime.now(UTC), alarms), opened=True)


def test_a_target_has_at_most_one_open_incident(store: Store) -> None:
    with store.engine.begin() as connection:
        save_incident(connection, opened("a"))
        save_incident(connection, opened("b", target="other"))
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        save_incident(connection, opened("c"))  # a second open one for `default`
    first = opened("a").incident
    first.status = "resolved"
    with store.engine.begin() as connection:
        save_incident(connection, Touched(first))
        save_incident(connection, opened("d"))  # once resolved, a new one may open
        found = open_incident(connection, "default")
    assert found is not None
    assert found.id == "d"
    assert found.alarms == {"arn": {"name": "errors", "state": "ALARM"}}  # JSON round trip


def test_the_parent_payload_and_a_handled_ok_are_found_again(store: Store) -> None:
    with store.engine.begin() as connection:
        save_incident(connection, opened("a"))
        queue_post(connection, "a", PARENT, Message("parent", [{"type": "divider"}]))
        queue_post(connection, "a", REPLY, Message("reply"))
    with store.engine.connect() as connection:
        assert parent_payload(connection, "a") == {
            "text": "parent",
            "blocks": [{"type": "divider"}],
        }
    jobs = AlertJobs(store)
    ok = jobs.add(parse_event(json.dumps(event("OK")).encode()), "default")
    assert ok is not None
    jobs.finish(ok.event_id, status="done")
    with store.engine.connect() as connection:
        lookup = cleared_after(connection)
        before = ok.changed_at.replace(year=ok.changed_at.year - 1)
        assert lookup(ok.alarm_arn, before) == ok.changed_at
        assert lookup(ok.alarm_arn, ok.changed_at) is None  # only a later OK ends it

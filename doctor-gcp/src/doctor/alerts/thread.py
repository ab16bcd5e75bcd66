"""What one batch says in an incident's Slack thread: the parent, a reply, the edit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from doctor.alerts.incidents import Touched
from doctor.alerts.outbox import PARENT, REPLY, UPDATE, parent_payload
from doctor.errors import DoctorError
from doctor.models import AnalysisResponse
from doctor.notify import Message
from doctor.notify.incident import (
    failed_parent,
    parent_message,
    repeat_message,
    resolved_message,
    resolved_parent,
)


def thread_messages(
    connection: Connection,
    t: Touched,
    response: AnalysisResponse | None,
    failure: DoctorError | None,
    link: str | None,
) -> list[tuple[str, Message]]:
    """The messages of `t`, in order, each with its kind (parent, reply, update)."""
    incident = t.incident
    out: list[tuple[str, Message]] = []
    parent: dict[str, Any] | None = None
    if t.opened:
        if response is not None:
            message = parent_message(
                response,
                alarms=incident.names(),
                opened_at=incident.opened_at,
                target=incident.target,
                link=link,
            )
        else:
            message = failed_parent(
                alarms=incident.names(),
                opened_at=incident.opened_at,
                target=incident.target,
                reason=failure.message if failure else "No diagnosis was made for it yet.",
                hint=(failure.hint or "") if failure else "The next ALARM will diagnose it.",
            )
        out.append((PARENT, message))
        parent = message.payload()
    elif t.joined and not t.resolved:  # joined and cleared at once: the resolved reply says it
        out.append(
            (
                REPLY,
                repeat_message(
                    response,
                    joined=t.joined,
                    still=incident.alarming(),
                    link=link,
                    failure=failure.message if failure else None,
                    diagnosed_at=incident.diagnosed_at,
                ),
            )
        )
    if t.resolved and incident.resolved_at is not None:
        names, opened, resolved = incident.names(), incident.opened_at, incident.resolved_at
        out.append((REPLY, resolved_message(alarms=names, opened_at=opened, resolved_at=resolved)))
        if parent is None:
            parent = parent_payload(connection, incident.id)
        if parent is not None:
            edit = resolved_parent(parent, alarms=names, opened_at=opened, resolved_at=resolved)
            out.append((UPDATE, edit))
    return out

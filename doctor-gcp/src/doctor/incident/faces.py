"""A chronic failure that names something new at the incident: the same message, another object.

Chronic noise often shares its wording with the root cause: a notebook's container killed by
the OOM killer every ten minutes, then the inference server's; a lab domain's failing TLS
handshake all day, then the production domain's. By its timeline such a pattern is chronic. But
when one of its wordings (`Pattern.faces`: its events with the same words, numbers and ids
masked) is first seen within a cause's lead before the incident's onset, and its earlier
wordings are few and each repeated (the same object failing again and again, not a new id in
every message), the pattern joins the incident as new from that wording's first event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from doctor.digest.types import Face, Pattern
from doctor.incident.onset import LEAD_MINUTES, State, Timing

MAX_OLD_FACES = 2  # wordings a chronic pattern may have had before: more is a stream of objects
ONSET_SECONDS = 60.0  # the onset is a minute bucket: a wording first seen inside it is at it


def new_face(
    pattern: Pattern, timing: Timing, onset: datetime | None
) -> tuple[Face, Timing] | None:
    """The wording the chronic `pattern` first took just before the incident, if it did, and
    the pattern's timing from then on: new, from that wording's first event."""
    if timing.state is not State.CHRONIC or onset is None or len(pattern.faces) < 2:
        return None
    start = onset.timestamp()
    lead = start - LEAD_MINUTES * 60
    old: list[Face] = []
    new: list[tuple[Face, float]] = []
    for face in pattern.faces:
        if face.first_seen is None:
            return None
        at = face.first_seen.timestamp()
        if at < lead:
            old.append(face)
        else:
            new.append((face, at))
    if not old or len(old) > MAX_OLD_FACES or any(face.count < 2 for face in old):
        return None
    # one new wording, at the incident; more after it is a stream of objects (users, ids)
    if len(new) != 1 or new[0][1] >= start + ONSET_SECONDS:
        return None
    face, at = new[0]
    return face, Timing(State.NEW, datetime.fromtimestamp(int(at) // 60 * 60, UTC), at)

"""A slot: the counts of one Drain cluster's events, and how slots fold into ranked patterns.

Events are counted per slot as they are added; patterns exist only once the digest is finished,
when clusters whose templates are equal, or differ only in a word that takes many values,
become one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from .miners import MinerKey
from .timeline import count_minute, rebucket
from .types import Face, Level, Pattern

MAX_SERVICES = 16  # services kept per pattern; more writers of one message are rare
MAX_FACES = 6  # wordings kept per pattern; one with more names something new all the time


@dataclass(slots=True)
class Slot:
    """Counts for one Drain cluster (cluster_id -1: the per-level overflow bucket)."""

    level: Level
    miner: MinerKey
    cluster_id: int
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    samples: list[str] = field(default_factory=list)
    services: dict[str, int] = field(default_factory=dict)
    minutes: dict[int, int] = field(default_factory=dict)  # see Pattern.minutes
    step: int = 1
    baseline: int = 0  # events in the baseline window (add_baseline)
    faces: dict[str, Face] | None = field(default_factory=dict)  # None: more than MAX_FACES


def see_face(slot: Slot, text: str, message: str, stamp: datetime | None) -> None:
    """Count an event of the slot under its wording `text` (its masked mining text);
    `message`, already cut to a sample's length, stands for it where it is the first."""
    faces = slot.faces
    if faces is None:
        return
    face = faces.get(text)
    if face is None:
        if len(faces) >= MAX_FACES:
            slot.faces = None
            return
        faces[text] = Face(text, message, stamp, 1)
        return
    _merge(face, 1, stamp, message)


def add_faces(slot: Slot, wordings: dict[str, Face] | None) -> dict[str, Face] | None:
    """The pattern's wordings so far with the slot's; None once they are too many."""
    if wordings is None or slot.faces is None:
        return None
    for text, face in slot.faces.items():
        known = wordings.get(text)
        if known is None:
            wordings[text] = Face(text, face.sample, face.first_seen, face.count)
        else:
            _merge(known, face.count, face.first_seen, face.sample)
    return wordings if len(wordings) <= MAX_FACES else None


def _merge(face: Face, count: int, first_seen: datetime | None, sample: str) -> None:
    """Add `count` events to a wording; an earlier first sighting brings its sample."""
    face.count += count
    if first_seen is not None and (face.first_seen is None or first_seen < face.first_seen):
        face.first_seen, face.sample = first_seen, sample


def final_faces(wordings: dict[str, Face] | None) -> list[Face]:
    """A pattern's wordings, first seen first; none when it has only one, or too many."""
    if wordings is None or len(wordings) < 2:
        return []
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(wordings.values(), key=lambda f: (f.first_seen or never, f.text))


def add_history(pattern: Pattern, slot: Slot) -> None:
    """Add a slot's services and per-minute counts to its pattern's (at the wider step)."""
    for service, events in slot.services.items():
        if service in pattern.services or len(pattern.services) < MAX_SERVICES:
            pattern.services[service] = pattern.services.get(service, 0) + events
    if not slot.minutes:
        return
    if not pattern.minutes:
        pattern.minutes, pattern.minute_step = dict(slot.minutes), slot.step
        return
    step = pattern.minute_step = rebucket(
        pattern.minutes, pattern.minute_step, max(pattern.minute_step, slot.step)
    )
    for bucket, events in slot.minutes.items():
        step = count_minute(pattern.minutes, step, bucket, events)
    pattern.minute_step = step


def rank_key(pattern: Pattern) -> tuple[int, int, float, str]:
    # Worst level first, then the most frequent, then the earliest; the template breaks ties
    # so the order (and so the ids) never depends on dict order.
    first = pattern.first_seen.timestamp() if pattern.first_seen is not None else float("inf")
    return (-pattern.level, -pattern.count, first, pattern.template)


def earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)

"""Who caused whom: each problem pattern's role in the incident, and the order to tell them in.

Inside the incident (patterns that are new or spiking at its onset), a pattern explains another
through the links between their categories, in time order (`causes`). Patterns nothing explains
are root-cause candidates. A candidate of a causing category that began more than
`CLUSTER_MINUTES` after the first one still going at the onset comes after it (it cannot have
set off what came before it); among the others the one that explains the most of the incident
comes first, then the earliest. A trickle of symptoms that began minutes before the cause is
chronic, and so is a burst that stopped just before the onset and explains none of it, or any
burst over before the onset whose effects a cause still going explains as well. Counts
and a fixed category order play no part, and services do not matter: a rotated Redis password in
`cache` explains pool errors in `worker`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from doctor.digest.types import Digest, Level, Pattern
from doctor.incident.causes import TOGETHER_SECONDS, Lags, Links, explanations
from doctor.incident.faces import new_face
from doctor.incident.model import Facts, Incident, Role
from doctor.incident.onset import (
    CLUSTER_MINUTES,
    HANDOFF_MINUTES,
    LEAD_MINUTES,
    State,
    Timing,
    assess_timing,
)
from doctor.taxonomy import Category

FADED_MINUTES = 2  # a failure quiet this long before the onset had stopped (a blip)

# A pattern's category and causal rank (2 root, 1 middle, 0 symptom), or None: not a problem.
Categorize = Callable[[Pattern], tuple[Category, int] | None]


# A server's answer to a client it turned away, as its access log writes it ("GET /admin
# HTTP/1.1" 401; 403, 429): the client's failure, which sets off nothing in the server or in
# what it calls (a scanner's 401s are no cause of a dependency's outage). Not a sidecar's
# line of its app's own call to a peer (Istio's "outbound|8080||auth…"): that 401 is the app's.
_REFUSED_REQUEST = re.compile(r'"[A-Z]{3,7} \S+ HTTP/[^"]{1,20}" <HTTP4\d\d>')
_OUTBOUND = "outbound|"


def _refused(template: str) -> bool:
    return _REFUSED_REQUEST.search(template) is not None and _OUTBOUND not in template


def _cycle_start(
    named: Sequence[str],
    effects: Mapping[str, Sequence[str]],
    refused: set[str],
    when: Callable[[str], float | None],
) -> str:
    """The earliest pattern on the cycle, not one the cycle explains; a refused request only
    where nothing else is on it."""
    looped = [pid for pid in named if _loops(pid, effects)] or list(named)
    return min(looped, key=lambda pid: (pid in refused, when(pid) or float("inf"), pid))


def _loops(start: str, effects: Mapping[str, Sequence[str]]) -> bool:
    """`start` explains, through one or more of the patterns it explains, itself."""
    seen: set[str] = set()
    todo = list(effects.get(start, ()))
    while todo:
        pid = todo.pop()
        if pid == start:
            return True
        if pid not in seen:
            seen.add(pid)
            todo.extend(effects.get(pid, ()))
    return False


def assess(digest: Digest, categorize: Categorize, links: Links, lags: Lags) -> Incident:
    """Onsets, chronic noise and causes for the digest's problem patterns (with each one's
    count in the baseline window, when one was read)."""
    classes: dict[str, tuple[Category, int]] = {}
    for pattern in digest.patterns:
        found = categorize(pattern)
        if found is not None:
            classes[pattern.id] = found
        elif pattern.level >= Level.WARNING:
            classes[pattern.id] = (Category.UNKNOWN, -1)
    baseline = {p.id: p.baseline for p in digest.patterns} if digest.baseline_minutes else None
    ranks = {pid: causal for pid, (_, causal) in classes.items()}
    timings = assess_timing(digest.patterns, set(classes), baseline, digest.baseline_minutes, ranks)
    by_id = {p.id: p for p in digest.patterns if p.id in classes}
    timed = dict(timings.patterns)
    faces: dict[str, str] = {}
    for pid, pattern in by_id.items():
        # chronic, but with a new wording at the incident, in a kind of failure that sets off
        # others (a symptom's new object, a timeout on another host, follows from something)
        if classes[pid][1] <= 0:
            continue
        if (face := new_face(pattern, timed[pid], timings.onset)) is not None:
            faces[pid], timed[pid] = face[0].sample, face[1]
    return _cast(timings.onset, timed, classes, by_id, links, lags, digest.baseline_minutes, faces)


def _cast(
    onset: datetime | None,
    timings: Mapping[str, Timing],
    classes: Mapping[str, tuple[Category, int]],
    patterns: Mapping[str, Pattern],
    links: Links,
    lags: Lags,
    baseline_minutes: int,
    faces: Mapping[str, str],
) -> Incident:
    baseline_read = baseline_minutes > 0
    inside = [pid for pid in patterns if timings[pid].state is not State.CHRONIC]
    chronic = [pid for pid in patterns if timings[pid].state is State.CHRONIC]

    def when(pid: str) -> float | None:
        return timings[pid].exact

    refused = {pid for pid in inside if _refused(patterns[pid].template)}
    effects = explanations(inside, timings, classes, links, refused, lags)
    going = int(onset.timestamp()) // 60 if onset is not None else None

    def still_going(pid: str) -> bool:
        return going is not None and max(patterns[pid].minutes, default=0) >= going

    def outdone(pid: str) -> bool:
        # a cause still going at the onset explains some of the same (and is neither its own
        # effect nor its cause): a red herring's 401s that ended two minutes before the OOM
        # kills whose 502s they seemed to explain
        own = set(effects[pid])
        return any(
            other != pid
            and other not in own
            and pid not in effects[other]
            and not timings[other].handoff
            and classes[other][0] is not Category.UNKNOWN
            and classes[other][1] > 0
            and still_going(other)
            and own.intersection(effects[other])
            for other in inside
        )

    def went_quiet(pid: str) -> bool:
        # a burst (more than one minute of it) that stopped minutes before the onset
        minutes = patterns[pid].minutes
        return going is not None and len(minutes) > 1 and max(minutes) < going - HANDOFF_MINUTES

    # one that stopped in the minute or two before the onset is part of the incident only
    # where it explains some of it, and nothing still going explains the same: else it is
    # noise that had stopped; so is a burst over minutes before it that a cause still going
    # outdoes (a red herring's S3 throttling, then the OOM kills whose 504s it seemed to explain)
    lone = [
        pid
        for pid in inside
        if (timings[pid].handoff and not effects[pid])
        or ((timings[pid].handoff or went_quiet(pid)) and effects[pid] and outdone(pid))
    ]
    if lone:
        inside = [pid for pid in inside if pid not in lone]
        chronic += lone
        effects = explanations(inside, timings, classes, links, refused, lags)
    explained = {e for found in effects.values() for e in found}
    roots = [pid for pid in inside if pid not in explained]
    named = [pid for pid in inside if classes[pid][0] is not Category.UNKNOWN]
    if named and not any(pid in named for pid in roots):
        # every named one explains another (a cycle), and a failure nobody recognises (which
        # explains nothing, so is always a root) did not begin it
        roots.append(_cycle_start(named, effects, refused, when))

    def reach(pid: str) -> int:
        # the patterns it explains directly: links name whole cascades (disk_full links to
        # the pool errors, the timeouts and the 5xx alike), so one step tells the reach
        return len(effects[pid])

    # The first cause still going when the incident began (of a category that causes others:
    # a trickle of 502s is a symptom of something): one that began minutes after it cannot
    # have set off what came before, so the earliest come first and reach decides among them.
    # (One that stopped before the onset set nothing off that is still going.)
    first_named = min(
        (
            at
            for pid in roots
            if classes[pid][0] is not Category.UNKNOWN and classes[pid][1] > 0
            if pid not in refused
            if (at := when(pid)) is not None
            if still_going(pid)
        ),
        default=None,
    )

    def late(at: float | None) -> bool:
        return first_named is not None and (at is None or at > first_named + CLUSTER_MINUTES * 60)

    def faded(pid: str) -> bool:
        # a blip, not what set the rest off: a failure of a kind that follows causes (an
        # exception, a timeout) that stopped before the incident began, beside a cause still
        # going; or any that was over minutes before it began (not one that handed on to it)
        # and explains nothing that followed (a red herring's one line)
        return going is not None and (
            (
                not effects[pid]
                and max(patterns[pid].minutes, default=going) < going - HANDOFF_MINUTES
            )
            or (
                first_named is not None
                and classes[pid][1] <= 0
                and max(patterns[pid].minutes, default=going) <= going - FADED_MINUTES
            )
        )

    def cause_key(pid: str) -> tuple[bool, bool, bool, int, bool, float, int, int, int, str]:
        at = when(pid)
        category, causal = classes[pid]
        pattern = patterns[pid]
        return (
            pid in refused,  # a cause only where nothing else is
            late(at),
            faded(pid),
            -reach(pid),
            category is Category.UNKNOWN,  # a failure nobody recognises is no named cause
            at if at is not None else float("inf"),
            -causal,
            -int(pattern.level),
            -pattern.count,
            pid,
        )

    roots.sort(key=cause_key)
    primary = roots[0] if roots else None
    start = when(primary) if primary is not None else None
    role: dict[str, Role] = {}
    for pid in roots:
        at = when(pid)
        # another cause only when it began with the first (two things broke at once); what
        # began after it is its symptom, through a mechanism the links do not name
        together = start is None or at is None or at <= start + TOGETHER_SECONDS
        known = classes[pid][0] is not Category.UNKNOWN
        cause = pid == primary or (together and known and pid not in refused)
        role[pid] = Role.ROOT_CAUSE if cause else Role.SYMPTOM
        weak = classes[pid][1] <= 0 or pid in refused
        if pid != primary and (faded(pid) or (weak and _long_before(at, start))):
            # a trickle of symptoms (502s, timeouts) that began minutes before the cause and
            # nothing explains, or a blip over before the incident: noise, not a second cause
            role[pid] = Role.CHRONIC
            chronic.append(pid)
    for pid in inside:
        role.setdefault(pid, Role.SYMPTOM)
    for pid in chronic:
        role[pid] = Role.CHRONIC
    causes = [pid for pid in roots if role[pid] is Role.ROOT_CAUSE]
    # symptoms in the order they began, a symptom that sets off others before them (a crash
    # loop before the 502s it causes); chronic problems by how bad, then how loud
    symptoms = sorted(
        (pid for pid in inside if role[pid] is Role.SYMPTOM),
        key=lambda pid: (when(pid) or float("inf"), -reach(pid), -patterns[pid].count, pid),
    )
    chronic.sort(key=lambda pid: (-int(patterns[pid].level), -patterns[pid].count, pid))
    order = (*causes, *symptoms, *chronic)
    facts = {
        pid: Facts(
            id=pid,
            category=classes[pid][0],
            role=role[pid],
            state=timings[pid].state,
            onset=timings[pid].onset,
            services=tuple(patterns[pid].services),
            explains=tuple(effects.get(pid, ())),
            baseline=patterns[pid].baseline if baseline_read else None,
            face=faces.get(pid),
        )
        for pid in order
    }
    return Incident(
        _began(onset, when(primary) if primary else None), facts, order, baseline_minutes
    )


def _long_before(at: float | None, start: float | None) -> bool:
    return at is not None and start is not None and at < start - CLUSTER_MINUTES * 60


def _began(onset: datetime | None, cause: float | None) -> datetime | None:
    """The incident began with its root cause's first line, when that is near the onset the
    timeline shows (a cause minutes ahead of its symptoms, or inside the onset's minute)."""
    if onset is None or cause is None:
        return onset
    start = onset.timestamp()
    if start - LEAD_MINUTES * 60 <= cause < start + CLUSTER_MINUTES * 60:
        return datetime.fromtimestamp(cause, UTC)
    return onset

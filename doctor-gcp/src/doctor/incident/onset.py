"""When each problem began, and which problems were there before the incident.

Read from each pattern's own per-minute counts (the digest's `Pattern.minutes`) and, when the
source read one, its count in the baseline window just before the one analysed:

- a pattern's onset is the first bucket where it jumps well above its own earlier rate (a
  trickle of timeouts that turns into a flood has its onset at the flood), else its first
  appearance, unless it was probably there when the window opened (first seen within minutes
  of the opening, within a few of its own usual gaps, or within a quiet stretch it shows at
  least twice, and the baseline, if any, saw it): then it has no onset, as far back as we can
  see;
- the incident's onset is where problems start together: of the groups of onsets that fall
  within `CLUSTER_MINUTES` of each other, the one that reaches the most services, then has the
  most events in those minutes, then the most patterns (the latest wins ties: on-call asks
  about now), taken in the latest episode (problems that began once all before them had
  stopped for over `HANDOFF_MINUTES`) that reaches as many services (or more patterns), has at
  least half the events and follows no such episode of a more causal kind: a burst that was
  over before the next began is past;
- a problem already there at the incident's onset is `chronic` when the baseline saw it at its
  rate, when it began more than `LEAD_MINUTES` before it (also when it stopped since), or
  when it showed in `STEADY_MINUTES` buckets before the onset and was there at the opening or
  stopped before the onset (unless it began within the lead and ran into the last
  `HANDOFF_MINUTES` before it, handing on to the flood: `Timing.handoff`, kept in the incident
  by the roles stage only where it explains some of it); otherwise it is an early part of the
  incident (a root cause a few minutes ahead of its symptoms, however steady since), dated by
  its first appearance.
  Without an incident onset nothing is chronic.

Times are minute buckets; a new pattern's exact first second orders onsets within a minute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from itertools import pairwise

from doctor.digest.types import Pattern

CLUSTER_MINUTES = 5  # onsets this close belong to one start of trouble
SPIKE_FACTOR = 4.0  # a bucket this many times the pattern's earlier rate is a jump...
SPIKE_MIN_RISE = 5  # ... when it also adds at least this many events
STEADY_MINUTES = 3  # buckets a pattern needs before a jump, or before the incident to be chronic
LEAD_MINUTES = 10  # a cause seldom comes longer than this before its symptoms
HANDOFF_MINUTES = 2  # a cause that stopped this soon before the onset handed on to it
OPENING_MINUTES = 2  # a pattern first seen this soon after the window opened was there before
OPENING_GAPS = 1.5  # ... as is one first seen within this many of its own mean gaps


class State(StrEnum):
    """A problem pattern's place in time."""

    NEW = "new"  # first seen at the incident, or shortly before it without a steady past
    SPIKING = "spiking"  # there before, at a much lower rate, then a jump
    CHRONIC = "chronic"  # there before the incident at its own rate, or long before it
    UNTIMED = "untimed"  # no timestamps: nothing to say


@dataclass(frozen=True, slots=True)
class Timing:
    """What the timeline says about one pattern."""

    state: State
    onset: datetime | None  # first appearance or jump; None when steady or untimed
    exact: float | None  # epoch seconds of the onset, to the second when it is known
    jump: datetime | None = None  # when it jumped above its own earlier rate, if it did
    # it stopped in the minute or two before the onset: part of the incident only where it
    # explains some of it (the roles stage knows the links), else noise that had stopped
    handoff: bool = False


@dataclass(frozen=True, slots=True)
class Timings:
    onset: datetime | None  # the incident's onset, None without one
    patterns: dict[str, Timing]  # pattern id -> its timing (problem patterns only)


def pattern_onset(
    pattern: Pattern, opened: int, baseline: int = 0, baseline_minutes: int = 0
) -> Timing:
    """The pattern's own onset: its first appearance when that is after the window `opened`
    (epoch minute) and no baseline saw it; else its first jump above its earlier rate; else
    none (steady as far back as we can see). A new pattern's later jump is kept as `jump`."""
    buckets = sorted(pattern.minutes.items())
    if not buckets:
        return Timing(State.UNTIMED, None, None)
    step = pattern.minute_step
    first_minute, first_events = buckets[0]
    if baseline:  # its past is the baseline window
        since = first_minute - max(baseline_minutes, step)
        jump = _first_jump(buckets, baseline, since, step, STEADY_MINUTES)
    else:
        jump = _first_jump(buckets[1:], first_events, first_minute, step, 1)
    jumped = _minute(jump) if jump is not None else None
    if baseline or (not baseline_minutes and _at_open(pattern, first_minute, opened)):
        if jumped is not None:
            return Timing(State.SPIKING, jumped, jumped.timestamp(), jumped)
        return Timing(State.CHRONIC, None, None)  # as far back as we can see
    # new: after the window opened, or at its opening when a baseline window saw none of it
    exact = pattern.first_seen.timestamp() if pattern.first_seen is not None else None
    return Timing(State.NEW, _minute(first_minute), exact, jumped)


def _at_open(pattern: Pattern, first_minute: int, opened: int) -> bool:
    """Whether the pattern was probably there before the window opened: it first shows within
    `OPENING_MINUTES` of the opening, or within a few of its own usual gaps (a sparse chronic
    error every few minutes first shows minutes after the opening; a burst never does)."""
    late = first_minute - opened
    if late <= OPENING_MINUTES:
        return True
    if pattern.count < 2 or pattern.first_seen is None or pattern.last_seen is None:
        return False
    gap = (pattern.last_seen - pattern.first_seen).total_seconds() / 60 / (pattern.count - 1)
    # ... or no later than a quiet stretch it shows twice inside the window: a trickle that
    # goes quiet for minutes now and then may well have just been quiet at the opening (one
    # long gap proves nothing: a cause that stopped and came back shows one)
    gaps = sorted((b - a for a, b in pairwise(sorted(pattern.minutes))), reverse=True)
    quiet = gaps[1] if len(gaps) > 1 else 0
    return late <= max(OPENING_GAPS * gap, quiet)


def _first_jump(
    buckets: Sequence[tuple[int, int]], seen: int, since: int, step: int, past: int
) -> int | None:
    """The first bucket that jumps above the rate of the events before it (`seen` events since
    epoch minute `since`, in `past` buckets), once that past holds `STEADY_MINUTES` buckets."""
    for minute, events in buckets:
        elapsed = max(minute - since, step)
        expected = seen * step / elapsed
        if (
            past >= STEADY_MINUTES
            and events >= SPIKE_FACTOR * expected
            and events - expected >= SPIKE_MIN_RISE
        ):
            return minute
        seen += events
        past += 1
    return None


def assess_timing(
    patterns: Sequence[Pattern],
    problems: set[str],
    baseline: Mapping[str, int] | None = None,
    baseline_minutes: int = 0,
    ranks: Mapping[str, int] | None = None,
) -> Timings:
    """Each problem pattern's timing (ids in `problems`), and the incident's onset; `ranks`
    are the problems' causal ranks (a root cause's highest), where known."""
    baseline = baseline or {}
    chosen = [p for p in patterns if p.id in problems]
    opened = min((min(p.minutes) for p in patterns if p.minutes), default=0)
    own = {p.id: pattern_onset(p, opened, baseline.get(p.id, 0), baseline_minutes) for p in chosen}
    by_id = {p.id: p for p in chosen}
    onset = _incident_onset(own, by_id, ranks or {})
    timed: dict[str, Timing] = {}
    for pid, timing in own.items():
        if timing.state is State.UNTIMED or (
            timing.onset is not None and (onset is None or timing.onset >= onset)
        ):
            timed[pid] = timing
        else:
            timed[pid] = _before(by_id[pid], timing, onset)
    return Timings(onset, timed)


def _before(pattern: Pattern, timing: Timing, onset: datetime | None) -> Timing:
    """A pattern already there when the incident began: chronic when it was there steadily or
    long before, unless it jumped at the incident (a symptom, dated by the jump); otherwise an
    early part of the incident (a root cause a few minutes ahead of its symptoms), dated by its
    first appearance."""
    first = min(pattern.minutes)
    if timing.state is State.CHRONIC and pattern.baseline:
        return timing  # the baseline window saw it at the rate it keeps: chronic, not a guess
    handoff = False
    if onset is not None:
        start = int(onset.timestamp()) // 60
        steady = sum(1 for m in pattern.minutes if m < start) >= STEADY_MINUTES
        # ... unless it began inside the window and goes on into the onset's minutes: then it
        # is where the incident started, a few minutes ahead of the flood it set off
        went_on = any(start <= m < start + CLUSTER_MINUTES for m in pattern.minutes)
        there_before = timing.state in (State.CHRONIC, State.SPIKING)
        # ... or began inside the window within a cause's lead and ran until the minute or
        # two before the onset, handing on to the flood: a rotated password's few failures
        # while the pool drains, then the pool's errors (quiet longer, it had stopped)
        led = not there_before and first >= start - LEAD_MINUTES
        led = led and start - HANDOFF_MINUTES <= max(pattern.minutes) < start
        steady = steady and (there_before or not went_on)
        handoff, steady = steady and led, steady and not led
        # there when the window opened, and still at its own rate after the onset (a sparse
        # error every few minutes shows in few buckets before an early onset)
        kept_on = timing.state is State.CHRONIC and timing.jump is None
        kept_on = kept_on and len(pattern.minutes) >= STEADY_MINUTES
        if steady or kept_on or first < start - LEAD_MINUTES:
            jump = timing.jump
            if jump is not None and jump >= onset:
                return Timing(State.SPIKING, jump, jump.timestamp(), jump)
            return Timing(State.CHRONIC, timing.onset, timing.exact)
    exact = pattern.first_seen.timestamp() if pattern.first_seen is not None else first * 60.0
    return Timing(State.NEW, _minute(first), exact, timing.jump, handoff)


def _incident_onset(
    own: Mapping[str, Timing], patterns: Mapping[str, Pattern], ranks: Mapping[str, int]
) -> datetime | None:
    """The first onset of the strongest group of onsets (see the module docstring), in the
    latest episode that is about as strong as the strongest (`_latest_episode`)."""
    starts = sorted(
        (int(t.onset.timestamp()) // 60, pid) for pid, t in own.items() if t.onset is not None
    )
    scored: list[tuple[int, int, int, int]] = []  # services, events, patterns, first minute
    end = 0
    for i, (minute, _) in enumerate(starts):
        if i and starts[i - 1][0] == minute:
            continue  # the same group as the start before it, minus nothing
        end = max(end, i)
        while end < len(starts) and starts[end][0] < minute + CLUSTER_MINUTES:
            end += 1
        group = [pid for _, pid in starts[i:end]]
        services = {s for pid in group for s in patterns[pid].services}
        events = sum(_events_from(patterns[pid], minute) for pid in group)
        # a cascade reaches several services at once, with floods; chronic noise that starts
        # (or is first seen) trickles in from one or two
        scored.append((len(services), events, len(group), minute))
    if not scored:
        return None
    since, until = _latest_episode(starts, patterns, ranks, scored)
    return _minute(max(score for score in scored if since <= score[3] < until)[3])


def _latest_episode(
    starts: Sequence[tuple[int, str]],
    patterns: Mapping[str, Pattern],
    ranks: Mapping[str, int],
    scored: Sequence[tuple[int, int, int, int]],
) -> tuple[int, int]:
    """The minutes [first, next) of the latest episode of problems (one that began once all
    before it had stopped for minutes) whose strongest group reaches as many services as the
    strongest, or more patterns, and has at least half its events, and that follows no more
    causal kind of problem (a database refusing connections, over minutes before the request
    timeouts it left): a burst that had stopped before another began is over, and on-call asks
    about now; a lone late error is no episode of its own."""
    episodes: list[tuple[int, int]] = []  # (first minute, highest causal rank)
    last: int | None = None
    for minute, pid in starts:
        pattern = patterns[pid]
        stop = max(pattern.minutes, default=minute) + max(pattern.minute_step, 1) - 1
        rank = ranks.get(pid, -1)
        if last is None or minute > last + HANDOFF_MINUTES:
            episodes.append((minute, rank))
        else:
            episodes[-1] = (episodes[-1][0], max(episodes[-1][1], rank))
        last = stop if last is None else max(last, stop)
    best = max(scored)
    bounds = [first for first, _ in episodes[1:]] + [max(score[3] for score in scored) + 1]

    def strong(at: int) -> bool:
        inside = [score for score in scored if episodes[at][0] <= score[3] < bounds[at]]
        strongest = max(inside, default=None)
        return strongest is not None and (
            (strongest[0] >= best[0] or strongest[2] > best[2])  # (services may go unnamed)
            and 2 * strongest[1] >= best[1]
        )

    # (the strongest group's episode is one, so the earliest candidate always qualifies)
    candidates = [at for at in range(len(episodes)) if strong(at)]
    chosen = next(
        at
        for at in reversed(candidates)
        if all(episodes[before][1] <= episodes[at][1] for before in candidates if before < at)
    )
    return episodes[chosen][0], bounds[chosen]


def _events_from(pattern: Pattern, minute: int) -> int:
    """The pattern's events in the `CLUSTER_MINUTES` from `minute` on."""
    counts = pattern.minutes
    step = pattern.minute_step
    first = minute - minute % step
    return sum(counts.get(m, 0) for m in range(first, minute + CLUSTER_MINUTES, step))


def _minute(epoch_minute: int) -> datetime:
    return datetime.fromtimestamp(epoch_minute * 60, UTC)

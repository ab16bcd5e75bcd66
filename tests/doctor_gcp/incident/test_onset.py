"""Onsets from a pattern's own per-minute counts."""

from __future__ import annotations

from datetime import UTC, datetime

from doctor.digest.types import Level, Pattern
from doctor.incident import State, assess_timing
from doctor.incident.onset import pattern_onset

M0 = 29_000_000  # an epoch minute


def _pattern(pid: str, minutes: dict[int, int], level: Level = Level.ERROR) -> Pattern:
    first = datetime.fromtimestamp(min(minutes) * 60 + 17, UTC) if minutes else None
    return Pattern(pid, pid, sum(minutes.values()), level, first, first, minutes=minutes)


def test_a_trickle_that_turns_into_a_flood_has_its_onset_at_the_flood() -> None:
    trickle = {M0 + m: 1 for m in range(10)} | {M0 + 10: 80, M0 + 11: 90}
    timing = pattern_onset(_pattern("p1", trickle), opened=M0)
    assert timing.state is State.SPIKING
    assert timing.onset == datetime.fromtimestamp((M0 + 10) * 60, UTC)


def test_a_steady_pattern_from_the_start_has_no_onset() -> None:
    timing = pattern_onset(_pattern("p1", {M0 + m: 5 for m in range(20)}), opened=M0)
    assert timing.onset is None


def test_a_new_pattern_starts_at_its_first_second() -> None:
    timing = pattern_onset(_pattern("p1", {M0 + 12: 3, M0 + 13: 200}), opened=M0)
    assert timing.state is State.NEW
    assert timing.exact == (M0 + 12) * 60 + 17


def test_a_baseline_makes_a_pattern_present_from_the_start_chronic_or_spiking() -> None:
    steady = _pattern("p1", {M0 + m: 20 for m in range(10)})
    assert pattern_onset(steady, M0, baseline=200, baseline_minutes=10).state is State.CHRONIC
    # the same counts after an almost quiet past: the window's first minute is a jump
    assert pattern_onset(steady, M0, baseline=1, baseline_minutes=10).state is State.SPIKING
    # and after a baseline window that never saw it: new at the opening
    assert pattern_onset(steady, M0, baseline=0, baseline_minutes=10).state is State.NEW
    assert pattern_onset(steady, M0).state is State.CHRONIC  # no baseline: as far back as seen


def test_untimed_patterns_have_no_timing_and_no_incident() -> None:
    timings = assess_timing([_pattern("p1", {})], {"p1"})
    assert timings.onset is None
    assert timings.patterns["p1"].state is State.UNTIMED


def test_the_incident_onset_is_where_several_services_start_together() -> None:
    early = _pattern("p1", {M0 + 3 + m: 40 for m in range(27)})  # loud, alone, long ago
    cause = _pattern("p2", {M0 + 25: 2})
    cause.services = {"db": 2}
    flood = _pattern("p3", {M0 + 25: 300, M0 + 26: 300})
    flood.services = {"api": 600}
    steady = _pattern("p4", {M0 + m: 5 for m in range(30)})
    timings = assess_timing([early, cause, flood, steady], {"p1", "p2", "p3", "p4"})
    assert timings.onset == datetime.fromtimestamp((M0 + 25) * 60, UTC)
    states = {pid: t.state for pid, t in timings.patterns.items()}
    assert states == {
        "p1": State.CHRONIC,
        "p2": State.NEW,
        "p3": State.NEW,
        "p4": State.CHRONIC,
    }


def test_a_cause_a_few_minutes_ahead_of_its_symptoms_is_not_chronic() -> None:
    cause = _pattern("p1", {M0 + 20: 1, M0 + 22: 1})
    flood = _pattern("p2", {M0 + 26: 300, M0 + 27: 300})
    flood.services = {"api": 600}
    other = _pattern("p3", {M0 + 26: 50})
    other.services = {"web": 50}
    steady = _pattern("p4", {M0 + m: 5 for m in range(30)})
    timings = assess_timing([cause, flood, other, steady], {"p1", "p2", "p3", "p4"})
    assert timings.patterns["p1"].state is State.NEW
    assert timings.patterns["p4"].state is State.CHRONIC


def test_a_new_pattern_that_later_jumps_began_when_it_first_showed() -> None:
    # a cascade's 502s begin with the incident and jump when the restarts pile up: the
    # incident began at their first appearance, not at the jump
    cause = _pattern("p1", {M0 + 20: 2})
    cause.services = {"api": 2}
    errors = _pattern("p2", {M0 + 20 + m: 10 for m in range(8)} | {M0 + 28: 400, M0 + 29: 400})
    errors.services = {"gateway": 800, "worker": 80}
    noise = _pattern("p3", {M0 + m: 5 for m in range(30)})
    timings = assess_timing([cause, errors, noise], {"p1", "p2", "p3"})
    assert timings.onset == datetime.fromtimestamp((M0 + 20) * 60, UTC)
    assert timings.patterns["p2"].state is State.NEW
    assert timings.patterns["p2"].jump == datetime.fromtimestamp((M0 + 28) * 60, UTC)


def test_a_steady_pattern_that_jumps_at_the_incident_is_spiking_not_chronic() -> None:
    trickle = _pattern("p1", {M0 + m: 2 for m in range(25)} | {M0 + 25: 300, M0 + 26: 300})
    trickle.services = {"web": 605}
    cause = _pattern("p2", {M0 + 25: 3})
    cause.services = {"db": 3}
    timings = assess_timing([trickle, cause], {"p1", "p2"})
    assert timings.onset == datetime.fromtimestamp((M0 + 25) * 60, UTC)
    assert timings.patterns["p1"].state is State.SPIKING
    assert timings.patterns["p2"].state is State.NEW


def test_a_sparse_pattern_first_seen_minutes_after_the_opening_was_there_before() -> None:
    # one every 4 minutes, first seen 3 minutes in: it was there before the window opened
    sparse = _pattern("p1", {M0 + 3 + 4 * k: 1 for k in range(10)})
    sparse.last_seen = datetime.fromtimestamp((M0 + 39) * 60, UTC)
    assert pattern_onset(sparse, opened=M0).state is State.CHRONIC
    # a burst first seen 3 minutes in is new
    burst = _pattern("p2", {M0 + 3: 40})
    assert pattern_onset(burst, opened=M0).state is State.NEW


def test_a_sparse_error_there_at_the_opening_and_after_an_early_onset_is_chronic() -> None:
    # every 5 minutes from the opening on; the incident begins 5 minutes in: one bucket before
    # the onset proves nothing, but it went on at its own rate after it
    sparse = _pattern("p1", {M0 + 5 * k: 1 for k in range(8)})
    sparse.last_seen = datetime.fromtimestamp((M0 + 35) * 60, UTC)
    cause = _pattern("p2", {M0 + 5: 2})
    cause.services = {"pricing": 2}
    flood = _pattern("p3", {M0 + 5 + m: 50 for m in range(20)})
    flood.services = {"gateway": 1000}
    timings = assess_timing([sparse, cause, flood], {"p1", "p2", "p3"})
    assert timings.onset == datetime.fromtimestamp((M0 + 5) * 60, UTC)
    assert timings.patterns["p1"].state is State.CHRONIC
    assert timings.patterns["p2"].state is State.NEW


def _deadlock_then_flood(stops: bool) -> dict[str, State]:
    """Deadlocks from minute 20, every minute (to 36, or `stops` at 23), the timeouts they set
    off in two more services from minute 27; noise from the opening on."""
    cause = _pattern("p1", {M0 + m: 2 for m in range(20, 24 if stops else 37)})
    cause.services = {"db": 30}
    flood = _pattern("p2", {M0 + 27 + m: 40 for m in range(10)})
    flood.services = {"web": 300, "proxy": 100}
    noise = _pattern("p3", {M0 + m: 3 for m in range(37)})
    timings = assess_timing([cause, flood, noise], {"p1", "p2", "p3"})
    assert timings.onset == datetime.fromtimestamp((M0 + 27) * 60, UTC)
    return {pid: t.state for pid, t in timings.patterns.items()}


def test_a_cause_that_began_in_the_window_and_goes_on_into_the_flood_is_not_chronic() -> None:
    # steady for 7 minutes before the flood, but it began inside the window: the incident's
    # start, not noise
    assert _deadlock_then_flood(stops=False) == {
        "p1": State.NEW,
        "p2": State.NEW,
        "p3": State.CHRONIC,
    }


def test_a_steady_pattern_that_stopped_before_the_flood_is_chronic() -> None:
    assert _deadlock_then_flood(stops=True)["p1"] is State.CHRONIC


def test_a_cause_that_ran_into_the_minute_before_the_flood_handed_on_to_it() -> None:
    """A rotated password: a few failures a minute while the pool drains (minutes 20-25),
    then the pool's errors in three services from minute 27; noise from the opening on."""
    cause = _pattern("p1", {M0 + m: 1 for m in range(20, 26)}, Level.WARNING)
    flood = _pattern("p2", {M0 + 27 + m: 40 for m in range(10)})
    flood.services = {"api": 200, "worker": 100, "pooler": 100}
    noise = _pattern("p3", {M0 + m: 3 for m in range(37)})
    timings = assess_timing([cause, flood, noise], {"p1", "p2", "p3"})
    assert timings.onset == datetime.fromtimestamp((M0 + 27) * 60, UTC)
    assert timings.patterns["p1"].state is State.NEW
    assert timings.patterns["p1"].onset == datetime.fromtimestamp((M0 + 20) * 60, UTC)


def test_a_trickle_first_seen_after_a_quiet_stretch_like_its_others_was_there_before() -> None:
    # about one a minute, but quiet for 4 minutes at a time now and then: first seen 4
    # minutes in, it may well have been quiet at the opening too
    minutes = [m for m in range(4, 50) if m % 9 not in (0, 1, 2)]
    trickle = _pattern("p1", dict.fromkeys((M0 + m for m in minutes), 1))
    trickle.last_seen = datetime.fromtimestamp((M0 + 49) * 60, UTC)
    assert pattern_onset(trickle, opened=M0).state is State.CHRONIC
    # a crash loop every 3 minutes from minute 10 on, never quiet longer: new
    loop = _pattern("p2", {M0 + 10 + 3 * k: 1 for k in range(12)})
    loop.last_seen = datetime.fromtimestamp((M0 + 43) * 60, UTC)
    assert pattern_onset(loop, opened=M0).state is State.NEW


def test_one_long_gap_after_the_incident_does_not_make_a_cause_older() -> None:
    # the cause runs in minutes 20-30, stops, and comes back at 55: its one long gap came
    # after its start, so it still began at 20
    cause = _pattern("p1", {M0 + m: 2 for m in [*range(20, 31), *range(55, 61)]})
    cause.services = {"db": 34}
    cause.last_seen = datetime.fromtimestamp((M0 + 60) * 60 + 40, UTC)
    flood = _pattern("p2", {M0 + 23 + m: 40 for m in range(10)})
    flood.services = {"web": 300, "proxy": 100}
    noise = _pattern("p3", {M0 + m: 3 for m in range(61)})
    timings = assess_timing([cause, flood, noise], {"p1", "p2", "p3"})
    assert timings.patterns["p1"].state is State.NEW
    assert timings.patterns["p1"].onset == datetime.fromtimestamp((M0 + 20) * 60, UTC)


def test_a_pattern_there_before_that_jumped_before_the_onset_stays_chronic() -> None:
    # slow queries since before the window, 20 a minute from minute 3 on; the flood at 10:
    # never dated to the opening as if it began there
    slow = _pattern("p1", {M0 + m: (1 if m < 3 else 20) for m in range(20)})
    slow.services = {"db": 300}
    slow.last_seen = datetime.fromtimestamp((M0 + 19) * 60 + 40, UTC)
    flood = _pattern("p2", {M0 + 10 + m: 60 for m in range(10)})
    flood.services = {"web": 300, "proxy": 300}
    timings = assess_timing([slow, flood], {"p1", "p2"})
    assert timings.patterns["p1"].state is State.CHRONIC


def _burst_then_incident(incident_events: int) -> datetime | None:
    # a burst of timeouts over eleven minutes that stopped; five quiet minutes later, another
    # pattern of the same service, still going at the end
    herring = _pattern("p1", {M0 + 20 + m: 12 for m in range(11)})
    herring.services = {"web": 132}
    now = _pattern("p2", {M0 + 36 + m: incident_events for m in range(10)})
    now.services = {"web": 10 * incident_events}
    steady = _pattern("p3", {M0 + m: 5 for m in range(50)})
    return assess_timing([herring, now, steady], {"p1", "p2", "p3"}).onset


def test_a_burst_over_minutes_before_another_began_is_not_the_incident() -> None:
    # the later episode has fewer events in its first minutes (40 against 60), but the burst
    # had stopped: on-call asks about what is going on now
    assert _burst_then_incident(8) == datetime.fromtimestamp((M0 + 36) * 60, UTC)


def test_a_lone_late_error_after_the_incident_is_no_episode_of_its_own() -> None:
    # ... while a later trickle with under half the events is no incident of its own
    assert _burst_then_incident(2) == datetime.fromtimestamp((M0 + 20) * 60, UTC)


def test_a_later_cascade_whose_services_go_unnamed_still_reaches_further() -> None:
    # the burst names its service; the crash and the gateway's errors after it name none, but
    # they are three patterns at once against one
    herring = _pattern("p1", {M0 + 20 + m: 8 for m in range(11)})
    herring.services = {"thumbs": 88}
    crash = _pattern("p2", {M0 + 36: 2, M0 + 40: 2})
    proxy = _pattern("p3", {M0 + 37 + m: 6 for m in range(8)})
    breaker = _pattern("p4", {M0 + 37 + m: 3 for m in range(8)})
    steady = _pattern("p5", {M0 + m: 5 for m in range(50)})
    pids = {"p1", "p2", "p3", "p4", "p5"}
    onset = assess_timing([herring, crash, proxy, breaker, steady], pids).onset
    assert onset == datetime.fromtimestamp((M0 + 37) * 60, UTC)  # its strongest group's

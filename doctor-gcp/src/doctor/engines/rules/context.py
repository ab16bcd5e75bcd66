"""Where a rule with `after` may fire: what the other patterns of one digest show.

Some lines mean one thing alone and another after a line of another kind. gunicorn writes
"Worker (pid:88) was sent SIGKILL! Perhaps out of memory?" for any SIGKILL, its own too: right
after its "WORKER TIMEOUT (pid:88)" the kill is the time limit's, not memory's (uWSGI's
HARAKIRI, Celery's hard time limit and PHP-FPM's request_terminate_timeout alike). A rule
says so with `after`: it fires on a pattern only where the digest holds a pattern of one of
the named rules, as they read without context, that the pattern follows.

A pattern follows another when they share a service (or either names none) and most of its
events are matched, one for one, by events of the other in the same minute or the one before:
a kill that comes with its time limit, not one an hour after an early timeout, nor thirty
kills beside two time limits. Without timestamps on either, presence decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from doctor.digest.timeline import rebucket
from doctor.digest.types import Pattern
from doctor.engines.rules.base import Rule

FOLLOW_SHARE = 0.75  # of a pattern's events, matched by the other's (see `follows`)


@dataclass(frozen=True, slots=True)
class Context:
    """The patterns of one digest that rules with `after` wait for."""

    waiting: Mapping[str, frozenset[str]]  # rule id -> the ids of its `after`
    claimed: Mapping[str, tuple[Pattern, ...]]  # rule id -> patterns it claims without context

    def enabled(self, pattern: Pattern) -> frozenset[str]:
        """The ids of the rules with `after` that may fire on `pattern`."""
        if not self.claimed:
            return frozenset()
        return frozenset(
            rule_id
            for rule_id, before in self.waiting.items()
            if any(
                follows(pattern, earlier)
                for other in before
                for earlier in self.claimed.get(other, ())
            )
        )


NO_CONTEXT = Context({}, {})


def build(
    patterns: Iterable[Pattern],
    classify: Callable[[Pattern], Rule | None],
    rules: Iterable[Rule],
) -> Context:
    """The context of one digest for `rules` (those with `after` matter), `classify` reading
    each pattern without context."""
    waiting = {r.id: r.after for r in rules if r.after}
    if not waiting:
        return NO_CONTEXT
    wanted = frozenset().union(*waiting.values())
    claimed: dict[str, list[Pattern]] = {}
    for pattern in patterns:
        rule = classify(pattern)
        if rule is not None and rule.id in wanted:
            claimed.setdefault(rule.id, []).append(pattern)
    return Context(waiting, {rule_id: tuple(found) for rule_id, found in claimed.items()})


def follows(later: Pattern, earlier: Pattern) -> bool:
    """Whether `later` comes with `earlier` (see the module doc)."""
    if later is earlier:
        return False
    if later.services and earlier.services and not later.services.keys() & earlier.services:
        return False
    if not later.minutes or not earlier.minutes:
        return not later.minutes and not earlier.minutes
    step = max(later.minute_step, earlier.minute_step, 1)
    mine, theirs = _buckets(later, step), _buckets(earlier, step)
    # each event of `earlier` explains one of `later` (gunicorn kills a worker once per time
    # limit): thirty kills beside two time limits are not the time limits'
    matched = sum(
        min(events, theirs.get(bucket, 0) + theirs.get(bucket - step, 0))
        for bucket, events in mine.items()
    )
    return matched >= FOLLOW_SHARE * sum(mine.values())


def _buckets(pattern: Pattern, step: int) -> dict[int, int]:
    """The pattern's events per bucket of `step` minutes (patterns may be bucketed finer)."""
    counts = dict(pattern.minutes)
    rebucket(counts, pattern.minute_step, step)
    return counts

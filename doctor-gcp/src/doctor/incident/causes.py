"""Which incident pattern explains which: a pattern explains another when its category is a
known cause of the other's (kb/links.toml) and it started no later, give or take
`SLACK_SECONDS` (minute buckets blur the order of a root cause and the flood it sets off within
seconds). Of two kinds that cause each other, the one begun clearly first is the cause. A link
that holds only once its cause has gone on a while (`Lags`: a crash loop's callers missing its
work) explains nothing begun with it, within `TOGETHER_SECONDS`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from doctor.incident.onset import Timing
from doctor.taxonomy import Category

SLACK_SECONDS = 120.0
TOGETHER_SECONDS = 15.0  # causes that begin this close are independent root causes

Links = Mapping[Category, frozenset[Category]]
Lags = frozenset[tuple[Category, Category]]  # (cause, symptom) links that need time to show


def explanations(
    inside: Sequence[str],
    timings: Mapping[str, Timing],
    classes: Mapping[str, tuple[Category, int]],
    links: Links,
    refused: set[str],
    lags: Lags,
) -> dict[str, list[str]]:
    """For each incident pattern, the incident patterns it explains (see the module doc); a
    request the server `refused` explains none."""

    def explains(cause: str, effect: str) -> bool:
        if cause in refused:
            return False
        a, b = classes[cause][0], classes[effect][0]
        ta, tb = timings[cause].exact, timings[effect].exact
        if ta is None or tb is None:
            return True
        together = abs(ta - tb) <= TOGETHER_SECONDS
        if ta > tb + SLACK_SECONDS or (together and (a, b) in lags):
            return False  # it began after it, or with it where its effect needs time to show
        if a not in links.get(b, frozenset()) or (together and (b, a) in lags):
            return True  # the effect cannot have caused it
        # both are causes of each other (timeouts and 5xx, a hang and a pool it fills): the
        # one that began clearly earlier is the cause; begun together, the more causal kind
        # (a limit hit seconds after the first timeouts still explains them)
        if together:
            return classes[cause][1] > classes[effect][1] or (
                classes[cause][1] == classes[effect][1] and ta <= tb
            )
        return ta < tb

    by_category: dict[Category, list[str]] = {}
    for pid in inside:
        by_category.setdefault(classes[pid][0], []).append(pid)
    return {
        pid: [
            effect
            for category in sorted(links.get(classes[pid][0], frozenset()) - {classes[pid][0]})
            for effect in by_category.get(category, ())
            if explains(pid, effect)
        ]
        for pid in inside
    }

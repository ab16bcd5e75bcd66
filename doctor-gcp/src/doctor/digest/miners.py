"""One drain3 miner per level and stated HTTP statuses, and the caches in front of each.

One Drain per level: the same words at INFO and at ERROR are different findings, and keeping
them apart preserves Drain's prefix tree (a level token in front would make it useless).
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

from .masking import STATUS_CODES, miner_config
from .types import Level
from .words import words_differ

CACHE_LIMIT = 30_000  # entries per kind of cache, shared by the levels: bounds memory
LEAF_SCAN = 64  # clusters of one Drain tree leaf a message is compared with (see bounded)
# A cheap pre-check for STATUS_CODES: "(?<!\d)[45]\d\d(?!\d)", opened by its first character
# so the regex engine skips to candidates (a lookbehind first makes it try every position).
_HAS_CODE = re.compile(r"[45](?<!\d[45])\d\d(?!\d)")


def bounded(drain: Any) -> Any:
    """Make Drain compare a message with at most `LEAF_SCAN` clusters of its tree leaf.

    A leaf with more clusters than that holds unstructured text; a full scan there costs a
    comparison per cluster per message, quadratic on low-repetition logs. The most recent
    clusters are the likeliest matches; clusters whose templates end up equal are merged in
    `DigestBuilder.finish` anyway.
    """
    full_match = drain.fast_match

    def fast_match(cluster_ids: list[int], tokens: list[str], sim_th: float, params: bool) -> Any:
        return full_match(cluster_ids[-LEAF_SCAN:], tokens, sim_th, params)

    drain.fast_match = fast_match
    return drain


# Drain instances are per level and per HTTP statuses the message states: Drain would merge
# "failed with status <HTTP401>" and "... <HTTP403>" by similarity, and they are different
# failures (authentication vs permission).
MinerKey = tuple[Level, str]


def stated_statuses(text: str) -> str:
    if not _HAS_CODE.search(text):
        return ""
    return " ".join(match.group() for match in STATUS_CODES.finditer(text))


class LevelMiner:
    """One Drain, and the caches that spare asking it: shape key, masked text, cluster id."""

    __slots__ = ("clusters", "masked", "miner", "overflow", "shapes")

    def __init__(self) -> None:
        # drain3 (and what it pulls in) loads with the first miner, not with the package.
        from drain3 import TemplateMiner  # type: ignore[import-untyped]

        self.miner: Any = TemplateMiner(config=miner_config())
        words_differ(bounded(self.miner.drain), CACHE_LIMIT)
        self.shapes: dict[str, int] = {}  # shape key -> wording code (`DigestBuilder._face`)
        self.masked: dict[str, int] = {}  # masked mining text -> wording code
        self.clusters: dict[int, int] = {}  # drain cluster id -> slot
        self.overflow: int | None = None


def remember(cache: dict[str, int], key: str, slot: int, limit: int) -> None:
    if len(cache) >= limit:
        # Drop the oldest entries down to three quarters (dicts keep insertion order): cheaper
        # than a true LRU per hit, and a dropped key only costs one more masking or Drain
        # lookup when it recurs.
        for old in list(islice(cache, len(cache) - limit * 3 // 4)):
            del cache[old]
    cache[key] = slot

"""The digest builder: template mining with drain3, counting, ranking and the timeline.

What an event is mined on comes from `headline`, the Drain instances and their caches from
`miners`, and the per-cluster counts that fold into ranked patterns from `slots`.

Speed and memory come from not asking Drain what it already answered. Each event's mining text
(its headline, plus the final exception line of a stack) is looked up in size-capped caches:
1. as is;
2. by its shape key: every run of hex digits that contains a decimal digit becomes "0". That
   is what every mask targets (numbers, ids, addresses, durations...), so events that differ
   only there are one pattern, found with one cheap regex pass instead of the masking list;
3. masked: Drain sees each distinct masked text once.
The caches hold a wording code (`_face`), not the slot itself: the slot, and the masked text,
so each slot counts its wordings (`Pattern.faces`, for the incident stage) without masking
again. Per event only a 4-byte slot number is kept; pattern ids are resolved at the end, when
the templates are final.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable

from .headline import mining_text
from .masking import Masker
from .miners import CACHE_LIMIT, LevelMiner, MinerKey, remember, stated_statuses
from .slots import (
    MAX_SERVICES,
    Slot,
    add_faces,
    add_history,
    earliest,
    final_faces,
    latest,
    rank_key,
    see_face,
)
from .timeline import TimelineCounter, count_minute, find_spike_start
from .types import Digest, Face, Level, LogEvent, Pattern
from .words import value_slots

MAX_SAMPLE_CHARS = 2_000
MAX_CLUSTERS = 10_000  # beyond this, new shapes join their closest cluster or "other"
OVERFLOW_TEMPLATE = "<other: more distinct message shapes than the digest keeps>"
_TRUNCATED = "\n... [truncated]"
# A run of hex digits that holds a decimal one. Written to open with its first character (a
# digit, or a letter a digit follows) so the regex engine skips to candidates instead of trying
# every position: the same matches as "[0-9a-fA-F]*[0-9][0-9a-fA-F]*", a third faster.
_VARIABLE = re.compile(r"[0-9a-fA-F](?:(?<=[0-9])|(?=[a-fA-F]*+[0-9]))[0-9a-fA-F]*+")
_KEPT_DIGIT = re.compile(r"\d(?![^<>\s]*>)")  # a digit outside the masks' <PLACEHOLDERS>


def _sample(message: str) -> str:
    return message if len(message) <= MAX_SAMPLE_CHARS else message[:MAX_SAMPLE_CHARS] + _TRUNCATED


class DigestBuilder:
    """Feed events one at a time with `add`, then call `finish` once."""

    def __init__(self, *, max_samples: int = 3, max_clusters: int = MAX_CLUSTERS) -> None:
        self.max_samples = max_samples
        self.max_clusters = max_clusters
        self._masker = Masker()
        self._levels: dict[MinerKey, LevelMiner] = {}
        self._raw: dict[Level, dict[str, int]] = {}  # mining text -> slot, per level
        self._slots: list[Slot] = []
        self._assign = array("I")  # slot of each event, in input order
        self._lines = array("i")  # slot of each input line, -1 where no event holds it
        self._timeline = TimelineCounter()
        self._clusters = 0
        self._cache_limit = CACHE_LIMIT
        self._face_slot = array("I")  # slot of each wording code (see `_face`)
        self._face_text: list[str | None] = []  # its masked text, None once the slot has many
        self._codes: dict[tuple[int, str | None], int] = {}  # (slot, text) -> its code

    def add(self, event: LogEvent) -> None:
        code = self._code_of(event)
        slot_no = self._face_slot[code]
        self._assign.append(slot_no)
        lines = self._lines
        if event.line_numbers is None and event.line_count == 1 and event.first_line == len(lines):
            lines.append(slot_no)  # the usual case, inline: the next line, alone
        else:
            self._place(event, slot_no)
        slot = self._slots[slot_no]
        slot.count += 1
        self._record(slot, event)
        self._see(slot, code, event)
        if len(slot.samples) < self.max_samples:
            sample = _sample(event.message)
            if sample not in slot.samples:
                slot.samples.append(sample)

    def add_baseline(self, event: LogEvent) -> None:
        """An event of the baseline window before the one analysed: it only counts towards its
        pattern's `baseline` (no sample, no timeline, no pattern of its own if the window never
        shows it). Feed the baseline first: it is older."""
        code = self._code_of(event)
        slot = self._slots[self._face_slot[code]]
        slot.baseline += 1
        self._see(slot, code, event)  # its wordings were there before the window (`Face`)

    def _see(self, slot: Slot, code: int, event: LogEvent) -> None:
        """Count the event under its wording, while its slot keeps wordings."""
        if slot.faces is not None and (face := self._face_text[code]) is not None:
            see_face(slot, face, _sample(event.message), event.timestamp)

    def _code_of(self, event: LogEvent) -> int:
        """The event's wording code (see `_face`): its slot, and its masked text while the
        slot keeps its wordings."""
        level = event.level
        text = mining_text(event.message)
        raw = self._raw.get(level)
        if raw is None:
            raw = self._raw[level] = {}
        # The text alone decides its slot (statuses included), so a repeated message skips
        # finding its statuses and Drain instance.
        code = raw.get(text)
        if code is None:
            key = (level, stated_statuses(text))
            miner = self._levels.get(key)
            if miner is None:
                miner = self._levels[key] = LevelMiner()
                self._cache_limit = max(1, CACHE_LIMIT // len(self._levels))
            limit = self._cache_limit
            shape = _VARIABLE.sub("0", text)
            code = miner.shapes.get(shape)
            if code is None:
                masked = self._masker.mask(text)
                # A digit the masks kept ("python3", "web01") makes the shape key, which turns
                # it into "0", stand for other wordings too ("python2"): for warnings and
                # worse such a text is found by its masked text only; below, the shape key
                # keeps its speed on the bulk of a log and the text no wording (`_face`).
                kept_digit = _KEPT_DIGIT.search(masked) is not None
                code = miner.masked.get(masked)
                if code is None:
                    code = self._face(self._mine(miner, key, masked), masked, kept_digit)
                    remember(miner.masked, masked, code, limit)
                if level < Level.WARNING or not kept_digit:
                    remember(miner.shapes, shape, code, limit)
            remember(raw, text, code, limit)
        return code

    def _face(self, slot_no: int, masked: str, kept_digit: bool) -> int:
        """The code of a masked text mined into `slot_no`. The caches hold codes, not slots,
        so that each event's wording is known without masking it again. A text has a code of
        its own only while its slot keeps wordings; the others share their slot's, so codes
        stay a few per slot however many texts are new (a low-repetition log's are all)."""
        slot = self._slots[slot_no]
        kept = slot.faces is not None
        if kept and slot.level < Level.WARNING and kept_digit:
            kept = False  # its shape key stands for other wordings too (`_code_of`)
        key = (slot_no, masked if kept else None)
        code = self._codes.get(key)
        if code is None:
            code = self._codes[key] = len(self._face_slot)
            self._face_slot.append(slot_no)
            self._face_text.append(key[1])
        return code

    def _record(self, slot: Slot, event: LogEvent) -> None:
        """The event's time (first/last seen, timelines) and service, on its slot."""
        stamp = event.timestamp
        if stamp is not None:
            if slot.first is None or stamp < slot.first:
                slot.first = stamp
            if slot.last is None or stamp > slot.last:
                slot.last = stamp
            minute = int(stamp.timestamp()) // 60
            self._timeline.add(minute, event.level >= Level.ERROR)
            slot.step = count_minute(slot.minutes, slot.step, minute)
        service = event.service
        if service is not None:
            services = slot.services
            if service in services:
                services[service] += 1
            elif len(services) < MAX_SERVICES:
                services[service] = 1

    def _place(self, event: LogEvent, slot_no: int) -> None:
        """Record which input lines the event holds (the usual case, the next line alone, is
        placed inline in `add`)."""
        lines = self._lines
        first = event.first_line
        numbers = event.line_numbers or range(first, first + event.line_count)
        end = max(numbers) + 1
        if len(lines) < end:
            lines.extend([-1] * (end - len(lines)))
        for number in numbers:
            lines[number] = slot_no

    def _mine(self, miner: LevelMiner, key: MinerKey, masked: str) -> int:
        drain = miner.miner.drain
        if self._clusters < self.max_clusters:
            cluster = drain.add_log_message(masked)[0]
        else:
            tokens = drain.get_content_as_tokens(masked)
            cluster = drain.tree_search(drain.root_node, tokens, drain.sim_th, False)
            if cluster is None:
                if miner.overflow is None:
                    miner.overflow = self._new_slot(key, -1)
                return miner.overflow
        cluster_id = int(cluster.cluster_id)
        slot_no = miner.clusters.get(cluster_id)
        if slot_no is None:
            slot_no = miner.clusters[cluster_id] = self._new_slot(key, cluster_id)
            self._clusters += 1
        return slot_no

    def _new_slot(self, key: MinerKey, cluster_id: int) -> int:
        self._slots.append(Slot(key[0], key, cluster_id))
        return len(self._slots) - 1

    def _template(self, slot: Slot) -> str:
        if slot.cluster_id < 0:
            return OVERFLOW_TEMPLATE
        cluster = self._levels[slot.miner].miner.drain.id_to_cluster[slot.cluster_id]
        return str(cluster.get_template())

    def finish(
        self,
        redactions: dict[str, int] | None = None,
        *,
        lines_total: int | None = None,
        baseline_minutes: int = 0,
    ) -> Digest:
        """The digest; `baseline_minutes` is the span of the baseline events added, if any."""
        # Clusters whose templates ended up identical are one pattern: merge them now.
        # Clusters that differ only in a word that takes many values are one pattern too.
        groups: dict[tuple[Level, str], Pattern] = {}
        slot_pattern: list[Pattern] = []
        keys = [(slot.level, self._template(slot)) for slot in self._slots]
        general = value_slots(set(keys))
        wordings: dict[int, dict[str, Face] | None] = {}  # per pattern (by id()), as it folds
        for slot, own in zip(self._slots, keys, strict=True):
            key = general.get(own, own)
            pattern = groups.get(key)
            if pattern is None:
                pattern = groups[key] = Pattern("", key[1], 0, slot.level, slot.first, slot.last)
                pattern.samples = list(slot.samples)
                wordings[id(pattern)] = {}
            else:
                pattern.first_seen = earliest(pattern.first_seen, slot.first)
                pattern.last_seen = latest(pattern.last_seen, slot.last)
                for sample in slot.samples:
                    if len(pattern.samples) < self.max_samples and sample not in pattern.samples:
                        pattern.samples.append(sample)
            pattern.count += slot.count
            pattern.baseline += slot.baseline
            add_history(pattern, slot)
            wordings[id(pattern)] = add_faces(slot, wordings[id(pattern)])
            slot_pattern.append(pattern)
        # a pattern only the baseline window shows is not in the window analysed
        ranked = sorted((p for p in groups.values() if p.count), key=rank_key)
        for pattern in ranked:
            pattern.services = dict(sorted(pattern.services.items(), key=lambda kv: -kv[1]))
            pattern.minutes = dict(sorted(pattern.minutes.items()))
            pattern.faces = final_faces(wordings[id(pattern)])
        for rank, pattern in enumerate(ranked, 1):
            pattern.id = f"p{rank}"
        slot_ids = [pattern.id for pattern in slot_pattern]  # "" for baseline-only patterns
        timeline = self._timeline.buckets()
        lines = self._lines
        if lines_total is not None and len(lines) < lines_total:
            lines.extend([-1] * (lines_total - len(lines)))
        return Digest(
            events_total=len(self._assign),
            patterns=ranked,
            assignments=[slot_ids[slot_no] for slot_no in self._assign],
            timeline=timeline,
            spike_start=find_spike_start(timeline),
            redactions=dict(redactions or {}),
            line_assignments=[slot_ids[slot] if slot >= 0 else None for slot in lines],
            baseline_minutes=baseline_minutes,
        )


def build_digest(
    events: Iterable[LogEvent],
    *,
    redactions: dict[str, int] | None = None,
    max_samples: int = 3,
    lines_total: int | None = None,
    baseline: Iterable[LogEvent] = (),
    baseline_minutes: int = 0,
) -> Digest:
    """Mine, count and rank `events`; `baseline` (the `baseline_minutes` before them) is only
    counted per pattern, for the incident stage.

    `redactions` is read after `events` is exhausted, so the live `Redactor.counts` of the
    parser producing `events` can be passed in and is complete. Without it, the counts of a
    `parse_lines` stream passed as `events` are used.
    """
    builder = DigestBuilder(max_samples=max_samples)
    for event in baseline:
        builder.add_baseline(event)
    for event in events:
        builder.add(event)
    if redactions is None:
        redactions = getattr(events, "redactions", None)
    if lines_total is None and (stats := getattr(events, "stats", None)) is not None:
        lines_total = stats.lines
    return builder.finish(redactions, lines_total=lines_total, baseline_minutes=baseline_minutes)

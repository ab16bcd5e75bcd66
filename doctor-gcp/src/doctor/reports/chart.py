"""The report's timeline: events per time bucket, stacked by the role of their pattern, as the
geometry of an inline SVG (no script, no external request: the page draws with the HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from doctor.models import AnalysisResponse

WIDTH, HEIGHT, TOP, BOTTOM = 720, 160, 8, 22
ROLES = ("root_cause", "symptom", "chronic", "other")
COLOR = {"root_cause": "#c62828", "symptom": "#ef6c00", "chronic": "#8d8d8d", "other": "#1e88e5"}
MAX_BARS = 360
OUTLIER_SHARE = 0.005  # events at either end left out of the span (clock skew, strays)
LABEL = {"root_cause": "root cause", "symptom": "symptom", "chronic": "chronic", "other": "other"}


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass(frozen=True, slots=True)
class Chart:
    bars: list[Bar]
    start: str
    end: str
    peak: int
    legend: list[tuple[str, str, int]]  # (label, color, events)
    width: int = WIDTH
    height: int = HEIGHT


def timeline(response: AnalysisResponse, digest: dict[str, Any]) -> Chart | None:
    """The chart of the patterns the stored digest kept minutes for, or None without any."""
    role_of: dict[str, str] = {}
    for issue in response.analysis.issues:
        for pid in issue.pattern_ids:
            role_of.setdefault(pid, issue.role or "other")
    buckets, step = _by_bucket(digest, role_of)
    if not buckets:
        return None
    totals = {role: sum(slot[role] for slot in buckets.values()) for role in ROLES}
    first, last = _span(buckets)
    # A week of minutes is too many bars for 720 pixels: coarser buckets, same totals.
    while (last - first) // step + 1 > MAX_BARS:
        step *= 2
        buckets = _regrouped(buckets, step)
        first, last = first - first % step, last - last % step
    drawn = {minute: slot for minute, slot in buckets.items() if first <= minute <= last}
    peak = max(sum(slot.values()) for slot in drawn.values())
    width = WIDTH / ((last - first) // step + 1)
    scale = (HEIGHT - TOP - BOTTOM) / peak
    bars: list[Bar] = []
    for minute, slot in sorted(drawn.items()):
        x = (minute - first) // step * width
        y = float(HEIGHT - BOTTOM)
        for role in (r for r in ROLES if slot[r]):
            height = slot[role] * scale
            y -= height
            title = f"{_iso(minute)}: {slot[role]} {LABEL[role]} event(s)"
            bars.append(Bar(round(x, 2), round(y, 2), round(max(width - 0.5, 0.5), 2),
                            round(height, 2), COLOR[role], title))  # fmt: skip
    legend = [(LABEL[r], COLOR[r], totals[r]) for r in ROLES if totals[r]]
    return Chart(bars, _iso(first), _iso(last + step), peak, legend)


def _by_bucket(
    digest: dict[str, Any], role_of: dict[str, str]
) -> tuple[dict[int, dict[str, int]], int]:
    """Events per bucket and role, in buckets of the coarsest step among the patterns."""
    kept = [p for p in digest.get("patterns", []) if p.get("minutes") and p["id"] in role_of]
    step = max((int(p.get("minute_step", 1)) for p in kept), default=1)
    buckets: dict[int, dict[str, int]] = {}
    for pattern in kept:
        for minute, count in pattern["minutes"].items():
            start = int(minute) - int(minute) % step
            buckets.setdefault(start, dict.fromkeys(ROLES, 0))[role_of[pattern["id"]]] += count
    return buckets, step


def _regrouped(buckets: dict[int, dict[str, int]], step: int) -> dict[int, dict[str, int]]:
    merged: dict[int, dict[str, int]] = {}
    for minute, slot in buckets.items():
        into = merged.setdefault(minute - minute % step, dict.fromkeys(ROLES, 0))
        for role, count in slot.items():
            into[role] += count
    return merged


def _span(buckets: dict[int, dict[str, int]]) -> tuple[int, int]:
    """First and last bucket of the bulk of the events: a stray line from a skewed clock
    (hours or days away) would otherwise squeeze the incident into one pixel."""
    ordered = sorted((minute, sum(slot.values())) for minute, slot in buckets.items())
    total = sum(count for _, count in ordered)
    cut = total * OUTLIER_SHARE
    seen, first = 0, ordered[0][0]
    for minute, count in ordered:
        seen += count
        if seen > cut:
            first = minute
            break
    seen, last = 0, ordered[-1][0]
    for minute, count in reversed(ordered):
        seen += count
        if seen > cut:
            last = minute
            break
    return first, last


def _iso(epoch_minute: int) -> str:
    return datetime.fromtimestamp(epoch_minute * 60, UTC).strftime("%Y-%m-%d %H:%M UTC")
